"""Versions, amendments and agreed language on the real documents.

The differences asserted here were read by hand in the PDFs (pypdf text of both versions,
side by side): A/80/L.41 was adopted as A/RES/80/173 without a change to its text (only the
resolution number was added to the title); the Second Committee changed A/C.2/80/L.17 in
the ways listed below before A/RES/80/118; ITU's proposals are checked against what
A/RES/80/173 says.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from contract import check_answer_json

from assistant.drafting.amendments import Uptake, amendment_uptake, marked_segments, target_order
from assistant.drafting.changes import describe_changes, parse_change_question
from assistant.drafting.diff import describe_ops, footnote_numbers, word_diff
from assistant.drafting.precedent import Verdict, find_phrase, precedent
from assistant.drafting.versions import ChangeStatus, Comparison, compare, compare_paragraphs
from assistant.render import answer_json, answer_plain
from assistant.retrieval.proposals import amended_paragraphs
from corpus.model import Document, DocumentKind, Paragraph, ParagraphKind
from corpus.wording import word_tokens

PARSED = (
    "A_80_L.41.pdf",
    "A_RES_80_173.pdf",
    "A_C.2_80_L.17.pdf",
    "A_C.2_80_L.58.pdf",
    "A_RES_80_118.pdf",
    "A_RES_79_194.pdf",
    "A_RES_78_132.pdf",
    "A_RES_79_1.pdf",
    "ITU_input_WSIS20_zero_draft.md",
)


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path) -> tuple[dict[str, Document], dict[str, list[Paragraph]]]:
    """Documents and paragraphs of the versions and the submission, parsed from the files."""
    from ingest.pipeline import parse_file

    documents: dict[str, Document] = {}
    by_doc: dict[str, list[Paragraph]] = {}
    for name in PARSED:
        parsed = parse_file(corpus_dir / name)
        documents[parsed.document.doc_id] = parsed.document
        by_doc[parsed.document.doc_id] = list(parsed.paragraphs)
    return documents, by_doc


def _compare(corpus, old: str, new: str) -> Comparison:
    documents, by_doc = corpus
    return compare(documents[old], by_doc[old], documents[new], by_doc[new])


def _labelled(corpus, doc_id: str) -> dict[str, Paragraph]:
    return {p.label: p for p in corpus[1][doc_id] if p.part is None}


# --- Word-level diff and alignment, on hand-written text -------------------------------------


def test_typography_spacing_split_words_and_footnote_calls_are_not_changes() -> None:
    assert not any(
        op.op != "equal"
        for op in word_diff(
            "an open, fair and non-discriminatory environment 2021 –2025 “Agenda”",
            "an open, fair and non\u2011discriminatory environment 2021–2025 \u201cAgenda\u201d",
        )
    )
    assert describe_ops(word_diff("seeking to address", "see king to address")) == []
    notes = frozenset({"11", "26"})
    same = word_diff(
        "Goals 26 and other processes 2024–203411", "Goals and other processes 2024–2034"
    )
    assert describe_ops(word_diff("Goals and", "Goals 26 and", notes, notes)) == []
    assert describe_ops(same) != []  # without the footnote numbers these are changes
    assert (
        describe_ops(word_diff("the Decade 2024–203411 and", "the Decade 2024–2034 and", notes))
        == []
    )
    assert describe_ops(word_diff("in 2024 and", "in 2025 and", frozenset({"24", "25"}))) == [
        "replaced “2024” by “2025”"
    ]


def test_word_diff_reports_deletions_insertions_and_replacements_in_order() -> None:
    ops = word_diff(
        "Takes note with appreciation of the report of the Government on its work,",
        "Takes note of the report of Governments on its work, and welcomes it,",
    )
    assert describe_ops(ops) == [
        "deleted “with appreciation”",
        "replaced “the Government” by “Governments”",
        "inserted “and welcomes it,”",
    ]
    kept = " ".join(op.text for op in ops if op.op != "delete")
    assert kept == "Takes note of the report of Governments on its work, and welcomes it,"
    # a lone common word between two changes is folded into them
    folded = word_diff(
        "the report of the Government,", "the report of Governments, and welcomes it,"
    )
    assert describe_ops(folded) == ["replaced “the Government,” by “Governments, and welcomes it,”"]


def _paragraphs(doc_id: str, items: list[tuple[str, str]]) -> list[Paragraph]:
    return [
        Paragraph(doc_id, label, ParagraphKind.OPERATIVE, text, order=k)
        for k, (label, text) in enumerate(items)
    ]


A = "Calls upon Member States to strengthen cooperation on digital public infrastructure;"
B = "Requests the Secretary-General to submit a report on the implementation of this resolution;"
C = "Decides to include in the provisional agenda of its next session the item on technology;"
D = "Welcomes the work of the regional commissions on capacity-building for statistics;"


def test_renumbered_paragraphs_match_by_text_and_moves_are_found() -> None:
    old = _paragraphs("old", [("1", A), ("2", B), ("3", C), ("4", D)])
    new = _paragraphs(
        "new",
        [
            ("1", "Emphasizes the importance of meaningful connectivity for all;"),
            ("2", A.replace("strengthen", "further strengthen")),
            ("3", D),
            ("4", B),
            ("5", C),
        ],
    )
    changes = compare_paragraphs(old, new)
    status = {(c.old.label if c.old else None, c.new.label if c.new else None): c for c in changes}
    assert status[(None, "1")].status is ChangeStatus.ADDED
    assert status[("1", "2")].status is ChangeStatus.MODIFIED
    assert status[("1", "2")].inserted_text == ["further"]
    assert status[("2", "4")].status is ChangeStatus.UNCHANGED and status[("2", "4")].renumbered
    assert status[("4", "3")].status is ChangeStatus.MOVED
    assert len(changes) == 5 and not any(c.status is ChangeStatus.DELETED for c in changes)


def test_a_paragraph_split_in_two_is_reported_as_a_split_not_as_an_addition() -> None:
    old = _paragraphs("old", [("1", A), ("2", f"{B.rstrip(';')}, {C}"), ("3", D)])
    new = _paragraphs(
        "new", [("1", A), ("2", B), ("3", C.replace("next", "eighty-first")), ("4", D)]
    )
    changes = compare_paragraphs(old, new)
    pieces = [c for c in changes if c.regrouped == "split"]
    assert [(c.old.label, c.new.label) for c in pieces] == [("2", "2"), ("2", "3")]
    assert pieces[1].status is ChangeStatus.MODIFIED
    assert describe_ops(pieces[1].ops) == ["replaced “next” by “eighty-first”"]
    assert not any(c.status in (ChangeStatus.ADDED, ChangeStatus.DELETED) for c in changes)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "What changed in paragraph 34 between A/C.2/80/L.17 and A/RES/80/118?",
            ("34", "A/C.2/80/L.17", "A/RES/80/118"),
        ),
        (
            "How was paragraph 99 of the final draft amended in the outcome document?",
            ("99", "A/80/L.41", "A/RES/80/173"),
        ),
        (
            "What changed in the third preambular paragraph from resolution 78/132 to 79/194?",
            ("pp3", "A/RES/78/132", "A/RES/79/194"),
        ),
        ("What does paragraph 45 of A/RES/80/173 say?", None),
        (
            "Which amendment did ITU's input propose to paragraph 44, and what does "
            "A/RES/80/173 say?",
            None,
        ),
        ("What changed in paragraph 5 of A/RES/80/173?", None),
        ("What changed between A/80/L.41 and A/RES/80/173 on the IGF?", None),
    ],
)
def test_change_questions_are_recognised(question: str, expected: tuple | None) -> None:
    asked = parse_change_question(question)
    assert (None if asked is None else (asked.label, asked.first, asked.second)) == expected


# --- The real pairs --------------------------------------------------------------------------


@pytest.mark.corpus
def test_final_draft_was_adopted_as_the_outcome_without_a_change_to_its_text(corpus) -> None:
    comparison = _compare(corpus, "A_80_L.41", "A_RES_80_173")
    counts = comparison.counts()
    assert counts["modified"] == counts["added"] == counts["deleted"] == counts["moved"] == 0
    assert counts["renumbered"] == 0
    assert [op.to_dict() for op in comparison.title_ops if op.op != "equal"] == [
        {"op": "insert", "text": "80/173."}
    ]
    old, new = _labelled(corpus, "A_80_L.41"), _labelled(corpus, "A_RES_80_173")
    operative = {
        c.new.label for c in comparison.changes if c.new and c.new.kind is ParagraphKind.OPERATIVE
    }
    assert operative == {str(n) for n in range(1, 128)}
    # Printed differently, the same words: non-breaking hyphens (30, 91), "2021 –2025" (56).
    for label in ("30", "56", "91"):
        assert old[label].text != new[label].text
        assert comparison.for_old(label).status is ChangeStatus.UNCHANGED
    # The section title printed at the head of page 10 of A/RES/80/173 is not a change to
    # paragraph 53, whatever extraction made of it.
    assert comparison.for_old("53").status is ChangeStatus.UNCHANGED
    title = (
        "Building confidence and security in the use of information and communications technologies"
    )
    assert [c.status for c in comparison.changes if (c.new and c.new.text == title)] == [
        ChangeStatus.UNCHANGED
    ]


@pytest.mark.corpus
def test_second_committee_changes_from_draft_to_resolution(corpus) -> None:
    comparison = _compare(corpus, "A_C.2_80_L.17", "A_RES_80_118")
    note = comparison.for_old("34")
    assert note.status is ChangeStatus.MODIFIED and note.new.label == "35" and note.renumbered
    assert describe_ops(note.ops) == ["deleted “with appreciation”"]
    assert describe_ops(comparison.for_old("7").ops) == [
        "replaced “the Government” by “Governments”"
    ]
    gender = comparison.for_old("31")
    assert gender.new.label == "32"
    assert gender.inserted_text == [
        ", including sexual and gender-based violence that occurs through or is amplified by "
        "the use of technology"
    ]
    modalities = describe_ops(comparison.for_old("65").ops)
    assert modalities[0] == "replaced “Decides to finalize” by “Takes note of”"
    assert "replaced “70/125” by “79/277”" in modalities
    assert comparison.for_old("36").status is ChangeStatus.DELETED
    added = {
        c.new.label
        for c in comparison.by_status(ChangeStatus.ADDED)
        if c.new.kind is ParagraphKind.OPERATIVE
    }
    assert added == {"18", "46"}
    # Renumbered, not deleted and added: one paragraph more after the new 18, back in step
    # after the deleted 36, one more again after the new 46.
    matched = {c.old.label: c.new.label for c in comparison.changes if c.old and c.new}
    assert [matched[n] for n in ("17", "18", "35", "37", "45", "46", "73")] == [
        "17",
        "19",
        "36",
        "37",
        "45",
        "47",
        "74",
    ]
    deleted = {c.old.label for c in comparison.by_status(ChangeStatus.DELETED)}
    assert deleted == {"36"}


@pytest.mark.corpus
def test_the_committee_draft_was_adopted_as_the_resolution_unchanged(corpus) -> None:
    comparison = _compare(corpus, "A_C.2_80_L.58", "A_RES_80_118")
    assert comparison.counts()["unchanged"] == len(comparison.changes) > 130
    # L.58 prints footnote call 26 after "Goals" in paragraph 72; it is not wording.
    old = _labelled(corpus, "A_C.2_80_L.58")["72"].text
    assert "Goals 26 and" in old and "26" in footnote_numbers(corpus[1]["A_C.2_80_L.58"])


@pytest.mark.corpus
def test_the_same_resolution_year_on_year(corpus) -> None:
    first = _compare(corpus, "A_RES_78_132", "A_RES_79_194")
    assert describe_ops(first.for_old("pp1").ops) == [
        "replaced “77/150 of 14 December 2022” by “78/132 of 19 December 2023”"
    ]
    second = _compare(corpus, "A_RES_79_194", "A_RES_80_118")
    forum = second.for_old("57")
    assert forum.new.label == "60"
    assert describe_ops(forum.ops) == ["replaced “ninth” by “tenth”", "replaced “ninth” by “tenth”"]
    assert describe_ops(second.for_old("7").ops) == ["replaced “the Government” by “Governments”"]
    for comparison in (first, second):
        assert [op.op for op in comparison.title_ops if op.op != "equal"] == ["delete", "insert"]


# --- Amendments ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def amendments(corpus):
    documents, by_doc = corpus
    return amendment_uptake(documents, by_doc)


def _adopted_text(corpus) -> str:
    return " ".join(p.text for p in corpus[1]["A_RES_80_173"])


@pytest.mark.corpus
def test_proposals_are_matched_to_the_final_draft_and_the_outcome(amendments) -> None:
    assert [d.name for d in amendments.versions] == ["A/80/L.41", "A/RES/80/173"]
    assert amendments.adopted.name == "A/RES/80/173"
    assert [i.target for i in amendments.items] == [
        "19",
        "44",
        "54",
        "63",
        "74",
        "99",
        "new 20",
        "new 21",
        "new 53",
        "new 66",
        "new 127",
    ]
    assert sorted(["new 127", "99", "new 20", "19"], key=target_order) == [
        "19",
        "99",
        "new 20",
        "new 127",
    ]


# (target, paragraph of A/80/L.41 and A/RES/80/173 it amends, what proves it is that one)
EXISTING = [
    ("19", "122", "matrix, prepared by the United Nations Group on the Information Society"),
    ("44", "37", "We reaffirm our commitment to connecting every school to the Internet by 2030."),
    ("54", "47", "align digital and environmental policies"),
    ("63", "55", "to build confidence and security and to protect infrastructure"),
    ("74", "65", "the Sevilla Commitment"),
    ("99", "86", "Inter-Agency Working Group on Artificial Intelligence"),
]


@pytest.mark.corpus
@pytest.mark.parametrize(("target", "label", "evidence"), EXISTING)
def test_each_proposal_on_an_existing_paragraph_finds_its_counterpart(
    amendments, target: str, label: str, evidence: str
) -> None:
    (item,) = amendments.for_target(target)
    assert [(c.document.name, c.paragraph.label) for c in item.counterparts] == [
        ("A/80/L.41", label),
        ("A/RES/80/173", label),
    ]
    assert evidence in item.counterparts[-1].paragraph.text


@pytest.mark.corpus
def test_answers_offer_each_proposal_beside_the_paragraph_the_report_matches(
    corpus, amendments
) -> None:
    """One matching for both: the paragraph a proposal is offered beside in answers is its
    counterpart in the amended text of the report."""
    offered = {
        proposal.target: (found.document.name, found.paragraph.label, found.similarity)
        for proposal, found in amended_paragraphs(*corpus)
    }
    assert offered == {
        i.target: next(
            (c.document.name, c.paragraph.label, c.similarity)
            for c in i.counterparts
            if c.document.name == offered[i.target][0]
        )
        for i in amendments.items
        if not i.new_paragraph
    }
    assert {target: label for target, (_, label, _) in offered.items()} == {
        target: label for target, label, _ in EXISTING
    }


def word_tokens_of(text: str) -> list[str]:
    return [t.text for t in word_tokens(text)]


# (target, uptake, adopted paragraph cited, wording found there, wording that is absent)
UPTAKE = [
    ("19", Uptake.NONE, None, None, "Global Digital Compact Implementation Map"),
    ("44", Uptake.NONE, None, None, "Giga"),
    ("54", Uptake.NONE, None, None, "Green Digital Action"),
    (
        "63",
        Uptake.FULL,
        "55",
        "physical risks to infrastructure",
        "as well as physical risks to the infrastructure",
    ),
    ("74", Uptake.NONE, None, None, "Digital Infrastructure Investment Catalyzer"),
    (
        "99",
        Uptake.FULL,
        "86",
        "Inter-Agency Working Group on Artificial Intelligence",
        "such as the Inter-Agency",
    ),
    ("new 20", Uptake.PARTIAL, "107", "stocktaking database", "first established in 2004"),
    ("new 21", Uptake.PARTIAL, "107", "stocktaking database", "regularly update"),
    ("new 53", Uptake.NONE, None, None, "COP29"),
    ("new 66", Uptake.NONE, None, None, "Child Online Protection"),
    ("new 127", Uptake.NONE, None, None, "voluntary resources for the annual organization"),
]


@pytest.mark.corpus
@pytest.mark.parametrize(("target", "uptake", "label", "found", "absent"), UPTAKE)
def test_uptake_of_each_itu_proposal_in_the_adopted_text(
    corpus,
    amendments,
    target: str,
    uptake: Uptake,
    label: str | None,
    found: str | None,
    absent: str,
) -> None:
    (item,) = amendments.for_target(target)
    adopted = _adopted_text(corpus)
    inserted = " ".join(item.proposal.inserted)
    assert absent in inserted or absent in item.proposal.text
    assert absent not in adopted
    assert item.uptake is uptake
    if label is None:
        assert item.found is None
        assert "is not in A/RES/80/173" in item.summary()
        return
    assert item.found.document.name == "A/RES/80/173"
    assert item.found.paragraph.label == label
    spans = item.found.spans
    assert list(spans) == sorted(spans) and all(0 <= a < b for a, b in spans)
    assert item.found.passages == tuple(item.found.paragraph.text[a:b] for a, b in spans)
    assert found in item.found.passages
    # The words found are those of the inserted wording (its content words, in order,
    # whatever function words join them in the adopted text).
    assert found in item.found.paragraph.text
    assert set(word_tokens_of(found)) <= set(word_tokens_of(inserted))
    extent = "in full" if uptake is Uptake.FULL else "in part"
    assert f"A/RES/80/173, para. {label} {extent}" in item.summary()


@pytest.mark.corpus
@pytest.mark.corpus
def test_uptake_agrees_with_a_careful_reading_of_itus_proposals(amendments) -> None:
    """The verdicts written from the documents for ITU's eleven proposals
    (``eval/topics/itu_uptake.jsonl``): at least nine of them agree, and every verdict
    other than none cites the adopted paragraph it read there."""
    path = Path(__file__).resolve().parents[1] / "eval" / "topics" / "itu_uptake.jsonl"
    reading = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    agree = 0
    for verdict in reading:
        (item,) = amendments.for_target(verdict["target"])
        agree += item.uptake.value == verdict["verdict"]
        if item.uptake is not Uptake.NONE and verdict["adopted"]:
            labels = {a["paragraph"] for a in verdict["adopted"]}
            assert item.found is not None and item.found.paragraph.label in labels
    assert len(reading) == 11 and agree >= 9


def test_inserted_wording_is_marked_in_the_proposal(amendments) -> None:
    (item,) = amendments.for_target("63")
    segments = item.segments
    assert "".join(s.text for s in segments) == item.proposal.text
    assert [s.text for s in segments if s.inserted] == [
        "as well as physical risks to the infrastructure."
    ]
    data = item.to_dict()
    assert data["uptake"] == "full" and data["adopted"]["paragraph"] == "55"
    assert data["segments"][-1] == {
        "text": "as well as physical risks to the infrastructure.",
        "inserted": True,
    }
    assert marked_segments("a b c d", ["b  c"]) == [
        type(segments[0])("a ", False),
        type(segments[0])("b c", True),
        type(segments[0])(" d", False),
    ]


# --- Agreed language -------------------------------------------------------------------------

INFORMATION_SOCIETY = (
    "a people-centred, inclusive and development-oriented information society, where everyone "
    "can create, access, utilise and share information and knowledge"
)


def _all_paragraphs(corpus) -> list[Paragraph]:
    return [p for items in corpus[1].values() for p in items]


@pytest.mark.corpus
def test_agreed_language_from_the_outcome_is_found_first_in_the_earlier_resolution(corpus) -> None:
    documents, _ = corpus
    result = precedent(
        INFORMATION_SOCIETY, documents, _all_paragraphs(corpus), documents["A_RES_80_173"]
    )
    first = result.occurrences[0]
    assert (first.document.name, first.paragraph.label) == ("A/RES/78/132", "pp30")
    assert first.exact and "utilize" in first.passage  # British spelling found as UN spelling
    assert first.passage == first.paragraph.text[first.span[0] : first.span[1]]
    assert result.verdict is Verdict.AGREED
    assert result.first_adopted is first
    dates = [o.when for o in result.occurrences]
    assert dates == sorted(dates)
    names = [o.document.name for o in result.occurrences]
    assert names.index("A/RES/79/194") < names.index("A/RES/80/173")
    assert result.summary().startswith(
        "Agreed language: adopted before A/RES/80/173 in A/RES/78/132, preambular para. 30 "
        "(21 December 2023)"
    )


@pytest.mark.corpus
def test_near_verbatim_variants_are_found(corpus) -> None:
    documents, _ = corpus
    phrase = (
        "including sexual and gender-based violence that occurs through or is amplified by the "
        "use of technology"
    )
    result = precedent(phrase, documents, _all_paragraphs(corpus), documents["A_RES_80_173"])
    first = result.occurrences[0]
    assert first.document.name == "A/RES/79/1" and first.paragraph.part == "Annex I"
    variants = {(o.document.name, o.paragraph.label) for o in result.occurrences if not o.exact}
    assert ("A/RES/80/173", "79") in variants
    variant = next(
        o
        for o in result.occurrences
        if (o.document.name, o.paragraph.label) == ("A/RES/80/173", "79")
    )
    assert ", which occurs through" in variant.passage
    assert find_phrase(phrase, "nothing of the kind is said here") is None
    text = "Recalls the violence that occurs through technology, and more."
    assert find_phrase("violence that occurs through", text) == ((12, 40), True, 100.0)


@pytest.mark.corpus
def test_new_wording_is_reported_as_such(corpus) -> None:
    documents, _ = corpus
    phrase = "the Internet Governance Forum shall be made a permanent forum of the United Nations"
    result = precedent(phrase, documents, _all_paragraphs(corpus), documents["A_RES_80_173"])
    assert {o.document.name for o in result.occurrences} == {"A/80/L.41", "A/RES/80/173"}
    assert result.verdict is Verdict.NEW
    assert result.summary().startswith("New wording in A/RES/80/173")
    data = result.to_dict()
    assert data["verdict"] == "new" and data["first_adopted"] is None
    unknown = precedent(
        "zebra archive of Quillmouth tamarind gardens", documents, _all_paragraphs(corpus)
    )
    assert unknown.verdict is Verdict.NEW and not unknown.occurrences


# --- Through the assistant: a real index, the ask contract, the CLI ---------------------------

INDEXED = ("A_C.2_80_L.17.pdf", "A_RES_80_118.pdf", "A_RES_78_132.pdf")


@pytest.fixture(scope="module")
def assistant(build_assistant):
    return build_assistant("versions", INDEXED)


@pytest.mark.corpus
def test_ask_what_changed_in_a_paragraph_between_two_versions(assistant) -> None:
    answer = assistant.ask("What changed in paragraph 34 between A/C.2/80/L.17 and A/RES/80/118?")
    data = answer_json(answer)
    check_answer_json(data)
    assert not answer.abstained
    assert [(c["symbol"], c["paragraph"]) for c in data["citations"]] == [
        ("A/C.2/80/L.17", "34"),
        ("A/RES/80/118", "35"),
    ]
    text = answer_plain(answer)
    first_block = text.split("\n\n")[0]
    assert first_block == (
        "Para. 34 of A/C.2/80/L.17 became para. 35 of A/RES/80/118, modified: deleted “with "
        "appreciation”."
    )
    assert answer.lead == first_block
    assert "“Takes note with appreciation of the World Summit" in text
    assert "(A/RES/80/118, para. 35)" in text
    # named the other way round, the older document is still the old version
    reverse = assistant.ask("What changed in paragraph 36 between A/RES/80/118 and A/C.2/80/L.17?")
    assert answer_plain(reverse).startswith("Para. 36 of A/C.2/80/L.17 was deleted")
    assert [(h.document.name, h.paragraph.label) for h in reverse.citations] == [
        ("A/C.2/80/L.17", "36")
    ]


@pytest.mark.corpus
def test_other_questions_are_answered_as_before(assistant) -> None:
    answer = assistant.ask("What does paragraph 7 of A/RES/80/118 say?")
    assert answer.citations[0].paragraph.label == "7"
    assert answer.lead is None and not answer_plain(answer).startswith("Para. 7 of")


def _run(*args: str) -> tuple[int, str]:
    from click.testing import CliRunner

    from assistant.cli import main

    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.mark.corpus
def test_cli_compare_amendments_and_precedent(assistant) -> None:
    index = str(assistant.settings.index_dir)
    code, out = _run("compare", "A/C.2/80/L.17", "A/RES/80/118", "--json", "--index-dir", index)
    assert code == 0
    data = json.loads(out)
    assert data["old"]["symbol"] == "A/C.2/80/L.17" and data["new"]["symbol"] == "A/RES/80/118"
    change = next(c for c in data["changes"] if c["old"] and c["old"]["paragraph"] == "34")
    assert change["status"] == "modified" and change["new"]["paragraph"] == "35"
    assert change["renumbered"] is True
    assert {"op": "delete", "text": "with appreciation"} in change["diff"]
    assert data["counts"]["deleted"] >= 1 and data["counts"]["renumbered"] > 50

    code, out = _run("compare", "A/C.2/80/L.17", "A/RES/80/118", "--index-dir", index)
    assert code == 0 and "Takes note [-with appreciation-] of the World Summit" in out

    code, out = _run("compare", "A/C.2/80/L.17", "A/RES/99/999", "--index-dir", index)
    assert code == 2 and "no document A/RES/99/999" in out

    code, out = _run(
        "precedent", INFORMATION_SOCIETY, "--doc", "A/RES/80/118", "--json", "--index-dir", index
    )
    assert code == 0
    data = json.loads(out)
    assert data["verdict"] == "agreed" and data["occurrences"][0]["symbol"] == "A/RES/78/132"
    assert data["first_adopted"]["symbol"] == "A/RES/78/132"

    code, out = _run("precedent", "a b", "--index-dir", index)
    assert code == 2

    code, out = _run("amendments", "--json", "--index-dir", index)
    assert code == 0 and json.loads(out)["amendments"] == []


@pytest.mark.corpus
def test_compare_requires_known_documents(assistant) -> None:
    from corpus.errors import UnknownDocument

    with pytest.raises(UnknownDocument, match=r"no document A/80/L\.99"):
        assistant.compare("A/80/L.99", "A/RES/80/118")
    assert re.search(r"\d+ unchanged", assistant.compare("A/RES/78/132", "A/RES/80/118").summary())
    assert DocumentKind.DRAFT is assistant.find_document("A/C.2/80/L.17").kind


@pytest.mark.corpus
def test_changes_are_described_in_words(corpus) -> None:
    comparison = _compare(corpus, "A_C.2_80_L.17", "A_RES_80_118")

    def said(label: str) -> str:
        return describe_changes(
            comparison, [c for c in comparison.changes if c.old and c.old.label == label]
        )

    assert said("7") == (
        "Para. 7 of A/C.2/80/L.17 was modified in A/RES/80/118: replaced “the Government” by "
        "“Governments”."
    )
    assert said("40") == "Para. 40 of A/C.2/80/L.17 is unchanged in A/RES/80/118."
    assert (
        said("50")
        == "Para. 50 of A/C.2/80/L.17 became para. 51 of A/RES/80/118, unchanged in wording."
    )
    assert said("36").startswith("Para. 36 of A/C.2/80/L.17 was deleted")
