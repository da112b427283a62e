"""Paragraph detection: pure layout rules on hand-written pages, then the real UN PDFs.

The corpus tests check paragraphs against the printed documents in ../shared: A/RES/80/173
(the WSIS+20 outcome, operative paragraphs 1-127), A/RES/79/1 (numbering that restarts in
annexes I and II), A/RES/73/3 (a paragraph running across a page break) and, for label
uniqueness and page chrome, every one of the 49 documents. Each file is parsed once per
module.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from corpus.errors import UnreadableDocument
from corpus.model import Paragraph, ParagraphKind, ParsedDocument
from ingest.layout import (
    join_lines,
    mend_spaced_hyphens,
    page_body,
    repair_split_words,
    running_lines,
    vocabulary,
)
from ingest.paragraphs import is_preambular_opening, pdf_paragraphs
from ingest.pipeline import parse_file

Parse = Callable[[Path], ParsedDocument]

# --- layout: hand-written pages shaped like pypdf's output of UN documents -----------------

FRONT_PAGE = """ United Nations  A/RES/99/1
General Assembly
Distr.: General
3 January 2025
24-12345 (E)
*2412345*
Seventy-ninth session
Agenda item 15
  Resolution adopted by the General Assembly
on 2 January 2025
[without reference to a Main Committee (A/79/L.1)]
 99/1. Digital cooperation for all
 The General Assembly,
 Recalling its resolution 70/1 of 25 September 2015,
 1. Decides to convene a high-level meeting on digital cooperation in 2026, and
requests the Secretary-General to report on progress made by Member States;
"""


def _page(header: str, body: str) -> str:
    return f"{header}\n \n{body}"


def _operative(paragraphs: list[Paragraph]) -> dict[str, Paragraph]:
    return {p.label: p for p in paragraphs if p.kind is ParagraphKind.OPERATIVE}


def test_running_header_of_a_short_resolution_is_removed() -> None:
    """Two or three pages are too few to learn the running header from repetition, and odd
    and even pages print symbol and title in a different order; the header still ends at
    the job-number line and must not be glued into the paragraph it interrupts."""
    pages = [
        FRONT_PAGE + " 2. Invites Member States to share experience in the use of\n",
        _page(
            "A/RES/99/1 Digital cooperation for all\n \n24-12345 2/3",
            "digital public infrastructure;\n 3. Encourages all stakeholders to cooperate;\n",
        ),
        _page(
            "Digital cooperation for all A/RES/99/1\n \n3/3 24-12345",
            " 4. Decides to remain seized of the matter.\n \n5th plenary meeting\n2 January 2025\n",
        ),
    ]
    operative = _operative(pdf_paragraphs(pages, "A_RES_99_1"))
    assert list(operative) == ["1", "2", "3", "4"]
    assert operative["2"].text == (
        "Invites Member States to share experience in the use of digital public infrastructure;"
    )
    assert (operative["2"].page_start, operative["2"].page_end) == (1, 2)
    assert operative["4"].text == "Decides to remain seized of the matter."
    body = " ".join(p.text for p in operative.values())
    assert "24-12345" not in body
    assert "A/RES/99/1" not in body
    assert "Digital cooperation for all" not in body


def test_running_header_of_a_long_document_is_learned_from_repetition() -> None:
    header_even = "A/RES/99/2\nOutcome of the review of the\nWorld Summit\n \n24-55555 {n}/6"
    header_odd = "Outcome of the review of the\nWorld Summit A/RES/99/2\n \n{n}/6 24-55555"
    bodies = [
        " 2. Welcomes the growth in connectivity;",
        " 3. Calls for closing all digital divides;",
        " 4. Stresses the importance of human rights online;",
        " 5. Requests a report on data governance;",
        " 6. Decides to remain seized of the matter.",
    ]
    pages = [FRONT_PAGE]
    for n, text in enumerate(bodies, start=2):
        header = (header_even if n % 2 == 0 else header_odd).format(n=n)
        pages.append(_page(header, f"{text}\n"))
    shapes = running_lines(pages)
    assert "Outcome of the review of the" in shapes
    assert "A/RES/#/#" in shapes
    body = page_body(pages)
    texts = [line.text for line in body.lines]
    assert not any("24-55555" in t or "World Summit" in t for t in texts)
    assert texts[-5:] == [text.strip() for text in bodies]
    assert [line.page for line in body.lines if line.text.startswith("6.")] == [6]


FOOTNOTED_PAGE = _page(
    "A/RES/99/3\n \n24-22222 2/3",
    """ 3. We reaffirm our respect for the Universal Declaration of Human Rights.2
 4. We recall the Sevilla Commitment, 3  which renews the framework, and the
Convention on the Rights of Persons with Disabilities 4
and resolution 70/1 of 4 June 2015, paragraph 3 of which applies to children
under 4 years, and the 2030 Agenda;5
_______________
 2 Resolution 217 A (III).
 3 Resolution 79/323, annex.
 4 United Nations, Treaty Series, vol. 2515, No. 44910.
""",
)


def test_footnote_marks_are_removed_and_figures_kept() -> None:
    body = page_body([FRONT_PAGE, FOOTNOTED_PAGE])
    texts = [line.text for line in body.lines if line.page == 2]
    assert texts == [
        "3. We reaffirm our respect for the Universal Declaration of Human Rights.",
        "4. We recall the Sevilla Commitment, which renews the framework, and the",
        "Convention on the Rights of Persons with Disabilities",
        "and resolution 70/1 of 4 June 2015, paragraph 3 of which applies to children",
        # "5" is no footnote on this page, so it is text, however it looks
        "under 4 years, and the 2030 Agenda;5",
    ]


def test_footnotes_are_kept_apart_with_their_numbers_and_pages() -> None:
    body = page_body([FRONT_PAGE, FOOTNOTED_PAGE])
    assert [(n.number, n.text, n.page) for n in body.footnotes] == [
        ("2", "Resolution 217 A (III).", 2),
        ("3", "Resolution 79/323, annex.", 2),
        ("4", "United Nations, Treaty Series, vol. 2515, No. 44910.", 2),
    ]
    paragraphs = pdf_paragraphs([FRONT_PAGE, FOOTNOTED_PAGE], "A_RES_99_3")
    notes = {p.label: p for p in paragraphs if p.kind is ParagraphKind.FOOTNOTE}
    assert notes["fn2"].text == "Resolution 217 A (III)."
    assert notes["fn4"].text.startswith("United Nations, Treaty Series")
    assert not any(
        "Treaty Series" in p.text for p in paragraphs if p.kind is not ParagraphKind.FOOTNOTE
    )


def test_split_word_is_joined_only_when_the_document_spells_it_whole() -> None:
    words = frozenset({"progress", "governments", "made"})
    assert repair_split_words("the progres s made", words) == "the progress made"
    assert repair_split_words("many Governmen ts agree", words) == "many Governments agree"
    assert repair_split_words("the progres s made", frozenset({"made"})) == "the progres s made"
    # short words are never taken for fragments, even if the joined form is a word
    assert repair_split_words("we want to be in a room", frozenset({"tobe", "ina"})) == (
        "we want to be in a room"
    )


def test_split_word_repair_uses_the_vocabulary_of_the_document() -> None:
    lines = page_body([FRONT_PAGE]).lines
    words = vocabulary(lines)
    assert "progress" in words
    assert join_lines(["to report on progres", "s made"], words) == "to report on progress made"


@pytest.mark.parametrize(
    ("parts", "words", "joined"),
    [
        (["sustainable develop-", "ment goals"], {"development"}, "sustainable development goals"),
        (["sustainable develop-", "ment goals"], set(), "sustainable develop-ment goals"),
        (
            ["a multi-", "stakeholder approach"],
            {"multi", "stakeholder"},
            "a multi-stakeholder approach",
        ),
        (["the Secretary-", "General to report"], set(), "the Secretary-General to report"),
        (["the Secretary -", "General to report"], set(), "the Secretary-General to report"),
        (["integrated, people -", "centred care"], set(), "integrated, people-centred care"),
        (["zero-", "and low-emission vehicles"], {"zeroand"}, "zero- and low-emission vehicles"),
        (["low-", "or middle-income countries"], set(), "low- or middle-income countries"),
        (["an up-", "to-date list"], set(), "an up-to-date list"),
        (["the group 2021–", "2025 established"], set(), "the group 2021–2025 established"),
        (["We decide to:", "(a) Act now;"], set(), "We decide to:\n(a) Act now;"),
    ],
)
def test_line_end_hyphens(parts: list[str], words: set[str], joined: str) -> None:
    assert join_lines(parts, frozenset(words)) == joined


def test_spaced_hyphen_inside_a_line_is_closed_but_suspended_prefix_kept() -> None:
    assert mend_spaced_hyphens("integrated, people -centred care") == (
        "integrated, people-centred care"
    )
    assert mend_spaced_hyphens("country-owned and -driven plans") == (
        "country-owned and -driven plans"
    )
    assert mend_spaced_hyphens("a forum - and more") == "a forum - and more"


@pytest.mark.parametrize(
    ("heading", "sponsor_line"),
    [
        ("Iraq:* draft resolution", True),
        ("Argentina, Brazil and Chile: revised draft resolution", True),
        ("Draft decision submitted by the Chair of the Committee", True),
        ("Draft resolution I", False),
        ("A. Draft resolutions for adoption by the Council", False),
        ("Annex: draft resolution on the review", False),
    ],
)
def test_a_drafts_sponsor_line_is_the_one_heading_searched(
    heading: str, sponsor_line: bool
) -> None:
    paragraph = Paragraph("d", "h1", ParagraphKind.HEADING, heading)
    assert paragraph.is_sponsor_line is sponsor_line
    assert paragraph.searchable is sponsor_line


# --- the real documents --------------------------------------------------------------------


@pytest.fixture(scope="module")
def parse() -> Parse:
    """parse_file, remembered for the module: each real PDF is read once."""
    return functools.cache(parse_file)


@pytest.fixture(scope="module")
def outcome(parse: Parse, corpus_dir: Path) -> ParsedDocument:
    return parse(corpus_dir / "A_RES_80_173.pdf")


@pytest.fixture(scope="module")
def pact(parse: Parse, corpus_dir: Path) -> ParsedDocument:
    return parse(corpus_dir / "A_RES_79_1.pdf")


def _kind(parsed: ParsedDocument, kind: ParagraphKind) -> list[Paragraph]:
    return [p for p in parsed.paragraphs if p.kind is kind]


def _get(parsed: ParsedDocument, label: str, part: str | None = None) -> Paragraph:
    found = [p for p in parsed.paragraphs if p.label == label and p.part == part]
    assert len(found) == 1, f"{parsed.document.doc_id} {part} {label}: {len(found)} found"
    return found[0]


#: The first words of operative paragraphs of A/RES/80/173, as printed.
OUTCOME_OPENINGS = {
    "1": "We reaffirm our commitment to the vision of the World Summit on the Information Society",
    "2": "We further reaffirm our commitment to and implementation of the Geneva Declaration",
    "23": "We note that the Convention on the Rights of Persons with Disabilities affirms the need",
    "56": "We take note of the final report of the open-ended working group on security of and in",
    "68": "We recognize that respecting human rights has been central to the vision",
    "99": "We decide that the Internet Governance Forum shall be made a permanent forum",
    "104": "We believe that the arrangements established in the Tunis Agenda provide",
    "127": "We request the General Assembly to hold a high-level meeting on the overall review of",
}

#: Page chrome that must never be inside a paragraph: job number, page "n/20", the symbol
#: and the running title.
OUTCOME_CHROME = [
    re.compile(r"\d{2}-\d{5}"),
    re.compile(r"\b\d{1,2}/20\b"),
    re.compile(re.escape("A/RES/80/173")),
    re.compile(
        "Outcome document of the high-level meeting of the General Assembly on the overall review"
    ),
    re.compile(r"plenary meeting|17 December 2025"),
]


@pytest.mark.corpus
def test_outcome_operative_paragraphs_run_1_to_127_once_each(outcome: ParsedDocument) -> None:
    labels = [p.label for p in _kind(outcome, ParagraphKind.OPERATIVE)]
    assert labels == [str(n) for n in range(1, 128)]
    assert {p.part for p in _kind(outcome, ParagraphKind.OPERATIVE)} == {None}


@pytest.mark.corpus
@pytest.mark.parametrize(("label", "opening"), sorted(OUTCOME_OPENINGS.items()))
def test_outcome_paragraph_starts_with_its_own_words(
    outcome: ParsedDocument, label: str, opening: str
) -> None:
    assert _get(outcome, label).text.startswith(opening)


@pytest.mark.corpus
def test_outcome_paragraphs_end_where_printed(outcome: ParsedDocument) -> None:
    assert _get(outcome, "99").text.endswith(
        "in accordance with United Nations budgetary procedures."
    )
    assert _get(outcome, "127").text.endswith(
        "concerning the outcomes of the World Summit and identify areas of continued focus."
    )
    assert (_get(outcome, "5").page_start, _get(outcome, "5").page_end) == (2, 3)
    # The section title wrapped over two lines at the head of page 10 is a heading of its
    # own, not the end of paragraph 53.
    title = (
        "Building confidence and security in the use of information and communications technologies"
    )
    assert _get(outcome, "53").text.endswith("as appropriate, to realize them.")
    assert [p.kind for p in outcome.paragraphs if p.text == title] == [ParagraphKind.HEADING]
    assert _get(outcome, "54").section.endswith(title)


@pytest.mark.corpus
def test_outcome_paragraphs_carry_no_page_chrome(outcome: ParsedDocument) -> None:
    # By hand: the running title's words do not occur in any preambular or operative
    # paragraph as printed (127 says "a high-level meeting on the overall review").
    body = _kind(outcome, ParagraphKind.OPERATIVE) + _kind(outcome, ParagraphKind.PREAMBULAR)
    offending = [
        (p.label, pattern.pattern)
        for p in body
        for pattern in OUTCOME_CHROME
        if pattern.search(p.text)
    ]
    assert offending == []


@pytest.mark.corpus
def test_outcome_footnotes_are_kept_apart(outcome: ParsedDocument) -> None:
    first = _get(outcome, "1")
    assert first.text.endswith("upholding the Universal Declaration of Human Rights.")
    assert "Resolution 217 A (III)" not in first.text
    fn2 = _get(outcome, "fn2")
    assert fn2.kind is ParagraphKind.FOOTNOTE
    assert fn2.text == "Resolution 217 A (III)."
    assert fn2.page_start == 2
    assert _get(outcome, "2").text.endswith(
        "the Geneva Declaration of Principles, the Geneva Plan of Action, the Tunis Commitment "
        "and the Tunis Agenda for the Information Society."
    )
    notes = [p.text for p in _kind(outcome, ParagraphKind.FOOTNOTE) if len(p.text) > 12]
    assert len(notes) >= 10
    leaked = [
        (p.label, note)
        for p in outcome.paragraphs
        for note in notes
        if p.kind is not ParagraphKind.FOOTNOTE and note in p.text
    ]
    assert leaked == []


@pytest.mark.corpus
def test_outcome_preambular_paragraphs(outcome: ParsedDocument) -> None:
    preambular = _kind(outcome, ParagraphKind.PREAMBULAR)
    assert [p.label for p in preambular] == [f"pp{n}" for n in range(1, 8)]
    openers = ("Recalling", "Reaffirming", "Welcoming", "Building on")
    assert all(p.text.startswith(openers) for p in preambular), [p.text[:30] for p in preambular]
    assert preambular[0].text.startswith("Recalling the outcome document of the high-level meeting")
    assert preambular[-1].text.startswith("Building on the 20-year review report prepared by")
    first_operative = _get(outcome, "1")
    assert all(p.order < first_operative.order for p in preambular)


@pytest.mark.corpus
def test_paragraph_running_across_a_page_break_is_one(parse: Parse, distractors_dir: Path) -> None:
    parsed = parse(distractors_dir / "A_RES_73_3-EN.pdf")
    sixth = _get(parsed, "6")
    assert (sixth.page_start, sixth.page_end) == (2, 3)
    assert sixth.text.startswith(
        "Recognize that, while the World Health Organization declared tuberculosis"
    )
    assert sixth.text.endswith(
        "including on access to affordable diagnostic tests and treatment, especially in "
        "developing countries;"
    )
    assert "99 per cent of tuberculosis-associated deaths" in sixth.text
    assert _get(parsed, "7").text.startswith("Express serious concern that, despite")


@pytest.mark.corpus
def test_numbering_restarts_in_each_annex(pact: ParsedDocument) -> None:
    runs: dict[str | None, list[str]] = {}
    for p in _kind(pact, ParagraphKind.OPERATIVE):
        runs.setdefault(p.part, []).append(p.label)
    assert list(runs) == [None, "Annex I", "Annex II"]
    assert runs[None] == [str(n) for n in range(1, 85)]
    assert runs["Annex I"] == [str(n) for n in range(1, 75)]
    assert runs["Annex II"] == [str(n) for n in range(1, 33)]


@pytest.mark.corpus
def test_global_digital_compact_paragraph_48_is_the_cstd_data_working_group(
    pact: ParsedDocument,
) -> None:
    gdc48 = _get(pact, "48", "Annex I")
    assert gdc48.text.startswith("We will promote and support interoperability between national")
    assert (
        "we request the Commission on Science and Technology for Development to establish a "
        "dedicated working group to engage in a comprehensive and inclusive multi-stakeholder "
        "dialogue on data governance at all levels"
    ) in gdc48.text
    assert gdc48.section.endswith("Interoperable data governance")
    assert _get(pact, "48").text.startswith("We recognize that rapid technological change")


@pytest.mark.corpus
def test_numbered_objectives_stay_inside_compact_paragraph_7(pact: ParsedDocument) -> None:
    seventh = _get(pact, "7", "Annex I")
    assert seventh.text.startswith("To achieve our goal, we will pursue the following objectives:")
    objectives = re.findall(r"^(\d)\. (.+)$", seventh.text, flags=re.MULTILINE)
    assert [n for n, _ in objectives] == ["1", "2", "3", "4", "5"]
    assert objectives[0][1].startswith("Close all digital divides")
    assert objectives[4][1].startswith("Enhance international governance of artificial")
    assert _get(pact, "8", "Annex I").text.startswith("Our digital cooperation will be guided")


@pytest.mark.corpus
def test_lettered_items_stay_inside_their_paragraph(
    pact: ParsedDocument, parse: Parse, distractors_dir: Path
) -> None:
    principles = _get(pact, "8", "Annex I")
    letters = re.findall(r"^\(([a-z])\) ", principles.text, flags=re.MULTILINE)
    assert letters == list("abcdefghijklm")
    # items (a)-(f) of A/RES/80/104 paragraph 5 run over a page break and its running header
    parsed = parse(distractors_dir / "A_RES_80_104.pdf")
    fifth = _get(parsed, "5")
    assert re.findall(r"^\(([a-z])\) ", fifth.text, flags=re.MULTILINE) == list("abcdef")
    assert (fifth.page_start, fifth.page_end) == (2, 3)
    assert fifth.text.endswith(
        "(f) To report to the Special Committee on measures taken in "
        "the implementation of the present resolution;"
    )
    assert "Dissemination of information on decolonization" not in fifth.text
    assert _get(parsed, "6").text.startswith("Requests the Department of Global Communications")


_JOB_AND_PAGE = re.compile(r"\b\d{2}-\d{5}\s+\d{1,3}/\d{1,3}\b|\b\d{1,3}/\d{1,3}\s+\d{2}-\d{5}\b")


@pytest.mark.corpus
def test_every_document_has_unique_labels_and_no_page_chrome(
    manifests: list[tuple[Path, dict]], parse: Parse
) -> None:
    """All 49 files in ../shared, PDFs and Markdown, through the same entry point as ingest."""
    assert len(manifests) == 49
    problems: list[str] = []
    for path, _ in manifests:
        try:
            parsed = parse(path)
        except UnreadableDocument as exc:
            problems.append(f"{path.name}: unreadable ({exc.reason})")
            continue
        labels = Counter((p.part, p.label) for p in parsed.paragraphs)
        repeated = sorted((str(part), label) for (part, label), n in labels.items() if n > 1)
        if repeated:
            problems.append(f"{path.name}: labels used twice {repeated[:5]}")
        chrome = [
            p.label
            for p in parsed.paragraphs
            if p.kind is not ParagraphKind.FOOTNOTE and _JOB_AND_PAGE.search(p.text)
        ]
        if chrome:
            problems.append(f"{path.name}: job number and page inside {chrome[:5]}")
        if not any(p.kind is not ParagraphKind.FOOTNOTE for p in parsed.paragraphs):
            problems.append(f"{path.name}: no paragraphs")
    assert problems == []


@pytest.mark.corpus
def test_resolution_body_before_its_annex_is_kept(parse: Parse, distractors_dir: Path) -> None:
    """A/RES/80/5 is one operative line and an annexed declaration, all on page 1: the body
    is not front matter, and only the declaration's paragraphs belong to the annex."""
    parsed = parse(distractors_dir / "A_RES_80_5.pdf")
    adopts = [p for p in parsed.paragraphs if p.text.startswith("Adopts the Doha Political")]
    assert len(adopts) == 1
    assert adopts[0].part is None
    assert adopts[0].text.endswith("as contained in the annex to the present resolution.")
    title = parsed.paragraphs[0]
    assert title.kind is ParagraphKind.HEADING and title.part is None
    assert title.text.startswith("80/5. Doha Political Declaration")
    annex_title = next(p for p in parsed.paragraphs if p.part == "Annex")
    assert annex_title.text == "Annex"
    declaration = parsed.paragraphs[annex_title.order + 1]
    assert declaration.kind is ParagraphKind.HEADING
    assert declaration.text == (
        "Doha Political Declaration of the “World Social Summit” under the title “the Second "
        "World Summit for Social Development”"
    )
    runs = {p.part for p in _kind(parsed, ParagraphKind.OPERATIVE)}
    assert runs == {"Annex"}
    assert [p.label for p in _kind(parsed, ParagraphKind.OPERATIVE)] == [
        str(n) for n in range(1, 45)
    ]
    assert _get(parsed, "1", "Annex").text.startswith("We, Heads of State and Government")
    assert not any(p.part is None and p.label.isdigit() for p in parsed.paragraphs)


@pytest.mark.corpus
def test_footnotes_without_a_rule_are_kept_apart(parse: Parse, corpus_dir: Path) -> None:
    """A/80/62 prints its footnotes under a blank line, without the usual rule."""
    parsed = parse(corpus_dir / "A_80_62.en.pdf")
    notes = _kind(parsed, ParagraphKind.FOOTNOTE)
    assert [p.label for p in notes] == [f"fn{n}" for n in range(1, 84)]
    assert _get(parsed, "fn2").text == "A/RES/79/1."
    assert _get(parsed, "fn2").page_start == 3
    assert _get(parsed, "fn12").text.startswith("https://www.unescwa.org/events/")
    assert _get(parsed, "2").text.endswith(
        "enhance international governance of artificial intelligence for the benefit of humanity."
    )
    eighty_six = _get(parsed, "86")
    assert (eighty_six.page_start, eighty_six.page_end) == (18, 19)
    assert eighty_six.text.endswith(
        "In addition, the use of drones and robotics has improved productivity in many sectors "
        "but has also altered the parameters of conflict at a time of greater international "
        "instability."
    )
    assert "https://" not in eighty_six.text
    leaked = [
        p.label
        for p in parsed.paragraphs
        if p.kind is not ParagraphKind.FOOTNOTE
        and re.match(r"\d{1,3} (?:https?://|A/RES/)", p.text)
    ]
    assert leaked == []


@pytest.mark.corpus
def test_pact_paragraph_84_runs_whole_across_its_page_break(pact: ParsedDocument) -> None:
    eighty_four = _get(pact, "84")
    assert (eighty_four.page_start, eighty_four.page_end) == (36, 37)
    assert (
        "to further consult on the proposal to hold a fourth United Nations Conference on the "
        "Peaceful Exploration of Outer Space (UNISPACE IV) in 2027. We decide to:\n(a) Reaffirm"
    ) in eighty_four.text
    assert eighty_four.text.endswith("the increased safety and sustainability of outer space.")
    assert _get(pact, "1", "Annex I").text.startswith("Digital technologies are dramatically")


@pytest.mark.corpus
def test_title_under_an_annex_heading_is_a_heading(pact: ParsedDocument) -> None:
    for part, title in [
        ("Annex I", "Global Digital Compact"),
        ("Annex II", "Declaration on Future Generations"),
    ]:
        in_part = [p for p in pact.paragraphs if p.part == part]
        assert [p.text for p in in_part[:2]] == [part, title]
        assert in_part[1].kind is ParagraphKind.HEADING
    preamble = next(p for p in pact.paragraphs if p.part == "Annex II" and p.text == "Preamble")
    assert preamble.kind is ParagraphKind.HEADING


@pytest.mark.parametrize(
    "opening",
    [
        "Unequivocally condemning the use of blanket Internet shutdowns",
        "Strongly condemning all acts",
        "Deeply concerned about",
        "Gravely concerned that",
        "Strongly convinced of the urgent need",
    ],
)
def test_adverb_and_participle_open_a_preambular_paragraph(opening: str) -> None:
    assert is_preambular_opening(opening)


@pytest.mark.parametrize("opening", ["Only the States", "Firmly, we", "Strongly believe"])
def test_adverb_without_participle_is_no_preambular_opening(opening: str) -> None:
    assert not is_preambular_opening(opening)


@pytest.mark.corpus
def test_unequivocally_condemning_is_preambular(parse: Parse, corpus_dir: Path) -> None:
    parsed = parse(corpus_dir / "A_RES_80_215.pdf")
    condemning = [p for p in parsed.paragraphs if p.text.startswith("Unequivocally condemning")]
    assert len(condemning) == 1
    assert condemning[0].kind is ParagraphKind.PREAMBULAR
    assert condemning[0].label == "pp29"
    assert condemning[0].order < _get(parsed, "1").order


@pytest.mark.corpus
def test_preambular_paragraphs_of_a_draft_without_indents_stay_apart(
    parse: Parse, corpus_dir: Path, distractors_dir: Path
) -> None:
    """A/C.2/80/L.17 prints some preambular paragraphs without an indent; each still begins at
    its opening verb after a line closing with a comma, but not inside a quoted title."""
    parsed = parse(corpus_dir / "A_C.2_80_L.17.pdf")
    for opening in (
        "Welcoming the convening of the Fourth International Conference on Financing",
        "Recalling the ongoing efforts to implement the commitments of the Global Digital",
    ):
        found = [p for p in parsed.paragraphs if opening in p.text]
        assert len(found) == 1 and found[0].text.startswith(opening)
        assert found[0].kind is ParagraphKind.PREAMBULAR
    # A/RES/73/6 quotes a title whose second line opens "Taking into Particular Account".
    quoted = parse(distractors_dir / "A_RES_73_6-EN.pdf")
    assert not any(p.text.startswith("Taking into Particular Account") for p in quoted.paragraphs)
