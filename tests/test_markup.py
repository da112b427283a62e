"""Markdown, HTML, Word and plain text into paragraphs: the two real Markdown submissions in
../shared/corpus, and small documents written here for HTML, Word and text."""

from __future__ import annotations

import random
import re
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from corpus.errors import UnreadableDocument
from corpus.model import SECTION_SEPARATOR, Paragraph, ParagraphKind
from ingest.markup import docx_paragraphs, html_paragraphs, markdown_paragraphs, text_paragraphs
from ingest.readers import decode_text, read_source

ITU_FILE = "ITU_input_WSIS20_zero_draft.md"
CIS_FILE = "CIS_inputs_to_WGEC_2016.md"
GIGA = (
    "We recognize the work done through the Giga initiative by ITU and UNICEF to connect "
    "every school in the world to the internet"
)


def _read(corpus_dir: Path, name: str) -> str:
    return decode_text(read_source(corpus_dir / name))


def _assert_unique_labels(paragraphs: list[Paragraph]) -> None:
    keys = [(p.part, p.label) for p in paragraphs]
    assert len(keys) == len(set(keys))


def _by_kind(paragraphs: list[Paragraph], kind: ParagraphKind) -> list[Paragraph]:
    return [p for p in paragraphs if p.kind is kind]


# --------------------------------------------------------------------------- ITU amendments


@pytest.fixture(scope="module")
def itu(corpus_dir: Path) -> tuple[str, list[Paragraph]]:
    text = _read(corpus_dir, ITU_FILE)
    return text, markdown_paragraphs(text, "itu")


@pytest.fixture(scope="module")
def itu_amendments(itu: tuple[str, list[Paragraph]]) -> dict[str, Paragraph]:
    return {p.target or "": p for p in _by_kind(itu[1], ParagraphKind.AMENDMENT)}


@pytest.mark.corpus
def test_itu_every_bullet_is_one_amendment_with_its_target(
    itu: tuple[str, list[Paragraph]],
) -> None:
    text, paragraphs = itu
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    amendments = _by_kind(paragraphs, ParagraphKind.AMENDMENT)
    assert len(amendments) == len(bullets) == 11
    assert [a.target for a in amendments] == [
        "19", "44", "54", "63", "74", "99",
        "new 20", "new 21", "new 66", "new 53", "new 127",
    ]  # fmt: skip
    assert [a.label for a in amendments] == [f"a{i}" for i in range(1, 12)]


@pytest.mark.corpus
def test_itu_amendment_text_is_the_proposed_paragraph_without_its_prefix(
    itu_amendments: dict[str, Paragraph],
) -> None:
    for amendment in itu_amendments.values():
        assert not re.match(r"(?i)(new )?para", amendment.text), amendment.text
        assert amendment.text.startswith("We "), amendment.text
        assert amendment.inserted, amendment.target
        for fragment in amendment.inserted:
            assert fragment in amendment.text
    assert itu_amendments["44"].text.startswith("We recognise that digitalisation")
    assert itu_amendments["44"].text.endswith("connecting every school to the Internet by 2030.")


@pytest.mark.corpus
def test_itu_inserted_text_follows_the_markup_of_the_insertion(
    itu_amendments: dict[str, Paragraph],
) -> None:
    assert itu_amendments["44"].inserted == (GIGA,)
    assert itu_amendments["74"].inserted == (
        "leveraging platforms such as the ITU-UNCTAD Digital Infrastructure Investment Catalyzer",
    )
    assert itu_amendments["99"].inserted == (
        "such as the Inter-Agency Working Group on Artificial Intelligence",
    )
    assert itu_amendments["19"].inserted[0].startswith("which formed the basis of the Global")


@pytest.mark.corpus
def test_itu_bullets_split_by_a_page_break_are_whole(
    itu_amendments: dict[str, Paragraph],
) -> None:
    para_63 = itu_amendments["63"]
    assert "to build confidence and security in the use of digital technologies" in para_63.text
    assert para_63.text.endswith("cyberattacks as well as physical risks to the infrastructure.")
    # Italic in a line that is otherwise plain is the blue text that lost its link.
    assert para_63.inserted == ("as well as physical risks to the infrastructure.",)
    new_66 = itu_amendments["new 66"]
    assert "as well as the establishment of the International Advisory Body" in new_66.text
    assert new_66.inserted == (new_66.text,)
    assert new_66.text.endswith("safe, inclusive and trustworthy for all.")


@pytest.mark.corpus
def test_itu_new_paragraphs_name_their_section(itu_amendments: dict[str, Paragraph]) -> None:
    proposals = "I. Proposed Amendments to the Zero Draft (in blue text)"
    assert itu_amendments["44"].section.endswith(proposals)
    expected = {
        "new 20": "ICT for Development",
        "new 21": "ICT for Development",
        "new 66": "Building Confidence and Security in the use of ICTs",
        "new 53": "Environmental Impacts",
        "new 127": "Development of the WSIS Framework",
    }
    for target, section in expected.items():
        assert itu_amendments[target].section.endswith(f"{proposals}{SECTION_SEPARATOR}{section}")
        assert itu_amendments[target].inserted == (itu_amendments[target].text,)


@pytest.mark.corpus
def test_itu_no_markup_left_and_labels_unique(itu: tuple[str, list[Paragraph]]) -> None:
    _, paragraphs = itu
    for p in paragraphs:
        for text in (p.text, p.section, *p.inserted):
            assert "](#)" not in text and "*" not in text and "[" not in text, text
    _assert_unique_labels(paragraphs)
    assert {p.kind for p in paragraphs} == {
        ParagraphKind.HEADING,
        ParagraphKind.AMENDMENT,
        ParagraphKind.PROSE,
    }
    assert [p.order for p in paragraphs] == list(range(len(paragraphs)))


@pytest.mark.corpus
def test_itu_prose_sits_under_its_headings_and_offsets_point_at_the_source(
    itu: tuple[str, list[Paragraph]],
) -> None:
    text, paragraphs = itu
    headings = [p.text for p in _by_kind(paragraphs, ParagraphKind.HEADING)]
    assert "II. Context and Contributions" in headings
    assert "Digital Public Infrastructure (DPI)" in headings
    dpi = next(p for p in paragraphs if p.text.startswith("ITU underscores Digital Public"))
    assert dpi.kind is ParagraphKind.PROSE
    assert dpi.section.endswith(
        f"II. Context and Contributions{SECTION_SEPARATOR}Digital Public Infrastructure (DPI)"
    )
    forum = next(p for p in paragraphs if p.text.startswith("The WSIS Forum plays a pivotal"))
    assert "facilitating the exchange of best practices worldwide" in forum.text
    for p in paragraphs:
        assert p.page_start is None and p.page_end is None
        source = text[p.char_start : p.char_end]
        assert p.text.split()[0] in source
    para_44 = next(p for p in paragraphs if p.target == "44")
    assert text[para_44.char_start :].startswith("- *Para 44.")


# --------------------------------------------------------------------------- CIS web page


@pytest.fixture(scope="module")
def cis(corpus_dir: Path) -> tuple[str, list[Paragraph]]:
    text = _read(corpus_dir, CIS_FILE)
    return text, markdown_paragraphs(text, "cis")


@pytest.mark.corpus
def test_cis_page_chrome_is_gone(cis: tuple[str, list[Paragraph]]) -> None:
    _, paragraphs = cis
    chrome = [
        "layout: default",
        "permalink",
        "TSAP-0063",
        "{%",
        "back-to-top",
        "pub-details",
        "Publication Details",
        "Copy Full Text",
        "DOMContentLoaded",
        "navigator.clipboard",
        "border-radius",
        "<p>",
        "<strong>",
        "&amp;",
        "@misc",
        "abraham2016wgec",
        "https://sunilabraham.in",
        "If you wish to reference or cite",
        "Full Text",
    ]
    for p in paragraphs:
        for needle in chrome:
            assert needle not in p.text and needle not in p.section, (needle, p.text)


@pytest.mark.corpus
def test_cis_keeps_the_submission_not_the_pages_summary(
    cis: tuple[str, list[Paragraph]],
) -> None:
    _, paragraphs = cis
    texts = [p.text for p in paragraphs]
    # The abstract and background were written for the web page in 2025, not by CIS in 2016.
    assert not any("CIS argues that enhanced cooperation should not be" in t for t in texts)
    assert texts[0].startswith("The Centre for Internet & Society (CIS) submitted inputs")
    by_start = {t[:40]: t for t in texts}
    para_69 = next(t for t in texts if t.startswith("The Tunis Agenda leaves the term"))
    assert "According to Paragraph 69 of the Tunis Agenda" in para_69
    assert any(t.startswith("According to Paragraph 70, enhanced cooperation") for t in texts)
    assert any(t.startswith("Paragraph 71 gives some further clarity.") for t in texts)
    assert any("envisioned in Paragraph 69" in t for t in texts)
    assert len(by_start) == len(texts)
    _assert_unique_labels(paragraphs)


@pytest.mark.corpus
def test_cis_questions_are_headings_over_the_answers(cis: tuple[str, list[Paragraph]]) -> None:
    text, paragraphs = cis
    headings = _by_kind(paragraphs, ParagraphKind.HEADING)
    assert [h.text for h in headings] == [
        "What are the high level characteristics of enhanced cooperation?",
        "Taking into consideration the work of the previous WGEC and the Tunis Agenda, "
        "particularly paragraphs 69-71, what kind of recommendations should we consider?",
    ]
    answer = next(p for p in paragraphs if p.text.startswith("Paragraph 71 gives"))
    assert answer.kind is ParagraphKind.PROSE
    assert answer.section == headings[0].text
    assert text[answer.char_start : answer.char_end].startswith("<p>Paragraph 71 gives")


# --------------------------------------------------------------------------- HTML

PAGE = """<!doctype html>
<html><head><title>Draft resolution</title><style>p { color: red }</style></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li>Secret navigation words</li></ul></nav>
<main>
<h1>Information and communications technologies for sustainable development</h1>
<p><em>Recalling</em> its resolution 70/125 of 16 December 2015,</p>
<p>Noting with appreciation the report of the Secretary-General,</p>
<h2>Implementation</h2>
<p>1. <strong>Reaffirms</strong> the outcome document;</p>
<script>alert(1)</script>
<p>2. Requests the Secretary-General:</p>
<ul><li>(a) to report to the General Assembly;</li><li>(b) to consult Member States;</li></ul>
<p>3. Decides to remain seized of the matter.</p>
<div class="share-buttons">Share this page on social media</div>
</main>
<footer>Footer words</footer>
</body></html>"""


def test_html_drops_script_and_navigation_and_numbers_paragraphs() -> None:
    paragraphs = html_paragraphs(PAGE, "page")
    joined = " ".join(p.text + " " + p.section for p in paragraphs)
    for chrome in ("alert", "Secret navigation", "Home", "Footer", "color: red", "Share this"):
        assert chrome not in joined
    assert [(p.label, p.kind) for p in paragraphs] == [
        ("h1", ParagraphKind.HEADING),
        ("pp1", ParagraphKind.PREAMBULAR),
        ("pp2", ParagraphKind.PREAMBULAR),
        ("h2", ParagraphKind.HEADING),
        ("1", ParagraphKind.OPERATIVE),
        ("2", ParagraphKind.OPERATIVE),
        ("3", ParagraphKind.OPERATIVE),
    ]
    second = paragraphs[5]
    assert second.text == (
        "Requests the Secretary-General: (a) to report to the General Assembly; "
        "(b) to consult Member States;"
    )
    assert second.section == (
        "Information and communications technologies for sustainable development"
        f"{SECTION_SEPARATOR}Implementation"
    )
    assert paragraphs[4].text == "Reaffirms the outcome document;"


def test_html_offsets_index_the_paragraph_texts_joined_by_blank_lines() -> None:
    paragraphs = html_paragraphs(PAGE, "page")
    joined = "\n\n".join(p.text for p in paragraphs)
    for p in paragraphs:
        assert joined[p.char_start : p.char_end] == p.text


def test_html_ordered_lists_are_numbered_as_a_browser_shows_them() -> None:
    html = (
        "<h2>Annex I</h2><ol><li>Opens the annex.</li>"
        "<li>Lists:<ol type='a'><li>one;</li><li>two.</li></ol></li></ol>"
    )
    paragraphs = html_paragraphs(html, "annex")
    assert [(p.part, p.label, p.text) for p in paragraphs] == [
        ("Annex I", "h1", "Annex I"),
        ("Annex I", "1", "Opens the annex."),
        ("Annex I", "2", "Lists: (a) one; (b) two."),
    ]


# --------------------------------------------------------------------------- Word


def _save(document: docx.document.Document, path: Path) -> bytes:
    document.save(str(path))
    return path.read_bytes()


def test_docx_headings_preambular_operative_and_lettered_items(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Follow-up to the World Summit", level=1)
    document.add_paragraph("Recalling its resolution 70/125 of 16 December 2015,")
    document.add_paragraph("Reaffirming the Geneva Declaration of Principles,")
    document.add_heading("Operative part", level=2)
    document.add_paragraph("1. Welcomes the progress made;")
    document.add_paragraph("2. Calls upon all stakeholders:")
    document.add_paragraph("(a) To close digital divides;")
    document.add_paragraph("This closing note is unnumbered.")
    data = _save(document, tmp_path / "draft.docx")

    paragraphs = docx_paragraphs(data, "draft", "draft.docx")

    assert [(p.label, p.kind) for p in paragraphs] == [
        ("h1", ParagraphKind.HEADING),
        ("pp1", ParagraphKind.PREAMBULAR),
        ("pp2", ParagraphKind.PREAMBULAR),
        ("h2", ParagraphKind.HEADING),
        ("1", ParagraphKind.OPERATIVE),
        ("2", ParagraphKind.OPERATIVE),
        ("p1", ParagraphKind.PROSE),
    ]
    summit = "Follow-up to the World Summit"
    assert paragraphs[1].section == summit
    assert paragraphs[4].section == f"{summit}{SECTION_SEPARATOR}Operative part"
    assert paragraphs[4].text == "Welcomes the progress made;"
    assert paragraphs[5].text == "Calls upon all stakeholders: (a) To close digital divides;"
    joined = "\n\n".join(p.text for p in paragraphs)
    assert all(joined[p.char_start : p.char_end] == p.text for p in paragraphs)
    _assert_unique_labels(paragraphs)


def test_docx_automatic_numbering_is_read(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Decides to convene a high-level meeting;", style="List Number")
    document.add_paragraph("Requests a report;", style="List Number")
    paragraphs = docx_paragraphs(_save(document, tmp_path / "numbered.docx"), "n", "n.docx")
    assert [(p.label, p.kind, p.text) for p in paragraphs] == [
        ("1", ParagraphKind.OPERATIVE, "Decides to convene a high-level meeting;"),
        ("2", ParagraphKind.OPERATIVE, "Requests a report;"),
    ]


def test_docx_amendment_marks_underlined_insertions_and_drops_deletions(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Para 44. We recognise ")
    paragraph.add_run("the Giga initiative").underline = True
    paragraph.add_run(" and ")
    paragraph.add_run("deleted words").font.strike = True
    paragraph.add_run("connectivity.")
    paragraphs = docx_paragraphs(_save(document, tmp_path / "a.docx"), "a", "a.docx")
    assert len(paragraphs) == 1
    amendment = paragraphs[0]
    assert (amendment.kind, amendment.label, amendment.target) == (
        ParagraphKind.AMENDMENT,
        "a1",
        "44",
    )
    assert amendment.text == "We recognise the Giga initiative and connectivity."
    assert amendment.inserted == ("the Giga initiative",)


def test_docx_tracked_changes_are_the_amendment(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Para 12. We recognise ")
    for tag, text_tag, words in (
        ("w:ins", "w:t", "the Giga initiative"),
        ("w:del", "w:delText", "x"),
    ):
        change = OxmlElement(tag)
        change.set(qn("w:id"), "1")
        change.set(qn("w:author"), "ITU")
        run, text = OxmlElement("w:r"), OxmlElement(text_tag)
        text.text = words
        run.append(text)
        change.append(run)
        paragraph._p.append(change)
    paragraph.add_run(" for schools.")
    paragraphs = docx_paragraphs(_save(document, tmp_path / "tracked.docx"), "t", "t.docx")
    assert [(p.kind, p.target, p.text, p.inserted) for p in paragraphs] == [
        (
            ParagraphKind.AMENDMENT,
            "12",
            "We recognise the Giga initiative for schools.",
            ("the Giga initiative",),
        )
    ]


@pytest.mark.parametrize(
    "data",
    [random.Random(7).randbytes(2048), b"PK\x03\x04" + random.Random(8).randbytes(2048)],
    ids=["random-bytes", "zip-signature-then-garbage"],
)
def test_corrupt_docx_is_unreadable_and_named(data: bytes) -> None:
    with pytest.raises(UnreadableDocument) as caught:
        docx_paragraphs(data, "broken", "submissions/broken.docx")
    assert caught.value.path == "submissions/broken.docx"
    assert "submissions/broken.docx" in str(caught.value)
    assert ".docx" in caught.value.reason


# --------------------------------------------------------------------------- Markdown, text

NOTE = """---
title: A note
---

![logo](logo.png)

[Home](/) | [About](/about)

# Draft decision

Recalling its earlier decision,

1. Decides that the review shall:
   (a) be inclusive;

2. Requests a report.

```
print("code is not a paragraph")
```

Accept all cookies to continue.

## Annex

1. Numbering restarts in the annex.
"""


def test_markdown_rules_on_a_small_document() -> None:
    paragraphs = markdown_paragraphs(NOTE, "note")
    assert [(p.part, p.label, p.kind, p.text) for p in paragraphs] == [
        ("Draft decision", "h1", ParagraphKind.HEADING, "Draft decision"),
        ("Draft decision", "pp1", ParagraphKind.PREAMBULAR, "Recalling its earlier decision,"),
        (
            "Draft decision",
            "1",
            ParagraphKind.OPERATIVE,
            "Decides that the review shall: (a) be inclusive;",
        ),
        ("Draft decision", "2", ParagraphKind.OPERATIVE, "Requests a report."),
        ("Annex", "h2", ParagraphKind.HEADING, "Annex"),
        ("Annex", "1", ParagraphKind.OPERATIVE, "Numbering restarts in the annex."),
    ]
    first = paragraphs[2]
    assert NOTE[first.char_start : first.char_end].startswith("1. Decides that")
    _assert_unique_labels(paragraphs)


def test_text_blocks_headings_and_offsets() -> None:
    text = (
        "Follow-up and review\n\n"
        "Noting the report,\n\n"
        "1. Decides to act\nwithout delay;\n\n"
        "(a) through the Forum;\n\n"
        "2. Requests a report.\n"
    )
    paragraphs = text_paragraphs(text, "txt")
    assert [(p.label, p.kind) for p in paragraphs] == [
        ("h1", ParagraphKind.HEADING),
        ("pp1", ParagraphKind.PREAMBULAR),
        ("1", ParagraphKind.OPERATIVE),
        ("2", ParagraphKind.OPERATIVE),
    ]
    first = paragraphs[2]
    assert first.text == "Decides to act without delay; (a) through the Forum;"
    assert first.section == "Follow-up and review"
    assert text[first.char_start : first.char_end] == (
        "1. Decides to act\nwithout delay;\n\n(a) through the Forum;"
    )
