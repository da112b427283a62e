"""Metadata extraction: pure rules on hand-written strings, then accuracy on the real corpus.

The corpus test compares :func:`ingest.metadata.extract_metadata` with the ground truth in
``../shared/*/manifest.json`` (49 documents) the way an evaluator would, see
:func:`field_matches`.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from corpus.model import DocumentKind
from ingest.metadata import PAGES_NEEDED, DocumentMetadata, extract_metadata
from ingest.readers import decode_text, pdf_pages, read_source

FIELDS = ("symbol", "title", "date", "kind")
MIN_ACCURACY = 0.95


# --- how an evaluator compares a field ------------------------------------------------------


def normalise_title(text: str) -> str:
    """Title text with only the differences that do not change the title removed.

    Unicode compatibility forms folded (NFKC), case folded, hyphens dropped wherever they
    join two words, including across a line break ("high-" at a line end before
    "level", "high-level" and "highlevel" compare equal), every other run of punctuation
    (straight or curly quotes, dashes, colons, periods) treated as a space, whitespace
    collapsed.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"(?<=\w)\s*[-‐‑]\s*\n\s*(?=\w)", "", text)
    text = re.sub(r"(?<=\w)[-‐‑](?=\w)", "", text)
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def titles_match(got: str | None, expected: str | None) -> bool:
    """Equal after :func:`normalise_title`, or one a prefix of the other that covers at
    least 90% of the expected (manifest) title: a title printed without a trailing
    qualifier the manifest adds (", UNCTAD"), or with one it leaves off, still counts."""
    if got is None or expected is None:
        return got is expected
    g, e = normalise_title(got), normalise_title(expected)
    if g == e:
        return True
    shorter, longer = sorted((g, e), key=len)
    return longer.startswith(shorter) and len(shorter) >= 0.9 * len(e)


def _squash(text: str) -> str:
    return " ".join(text.split())


def field_matches(name: str, got: object, expected: object) -> bool:
    """One field as an evaluator scores it.

    symbol: exact, ignoring case and whitespace (``None`` only matches ``None``);
    kind: exact; date: exact after whitespace normalisation; title: :func:`titles_match`.
    """
    if name == "title":
        return titles_match(got, expected)  # type: ignore[arg-type]
    if name == "kind":
        return str(got) == str(expected)
    if got is None or expected is None:
        return got is expected
    if name == "symbol":
        return _squash(str(got)).casefold().replace(" ", "") == _squash(
            str(expected)
        ).casefold().replace(" ", "")
    return _squash(str(got)) == _squash(str(expected))


def test_title_matching_rules() -> None:
    assert titles_match(
        "80/173. Outcome  of the high-\nlevel meeting", "80/173. Outcome of the high-level meeting"
    )
    assert titles_match("Doha “World Social Summit”", 'doha "world social summit"')
    full = "Report 2025: Artificial Intelligence for Development (Overview), UN"
    assert titles_match("Report 2025: Artificial Intelligence for Development (Overview)", full)
    assert not titles_match("Report", "Report 2025: AI for Development (Overview)")
    assert not titles_match(None, "A title")
    assert field_matches("symbol", "a/res/80/173 ", "A/RES/80/173")
    assert not field_matches("symbol", None, "A/RES/80/173")


# --- rules on hand-written strings ----------------------------------------------------------

REPORT_PAGE = """\
GE.25-00925  (E)
General Assembly
Eightieth session
Economic and Social Council
2025 session
Item 19 (b) of the annotated agenda**
Science and technology for development


  Progress made in the implementation of and follow-up to the
outcomes of the World Summit on the Information Society
  Report of the Secretary-General
Summary
This report has been prepared in response to Council resolution 2006/46.

 * Reissued for technical reasons on 22 July 2025.

United Nations A/80/62*−E/2025/12*

General Assembly
Economic and Social Council
Distr.: General
22 January 2025
"""


def test_joint_symbol_with_reissue_marks_and_report_title() -> None:
    meta = extract_metadata([REPORT_PAGE], "whatever.pdf", "pdf")
    assert meta == DocumentMetadata(
        symbol="A/80/62-E/2025/12",
        title=(
            "Progress made in the implementation of and follow-up to the outcomes of the "
            "World Summit on the Information Society. Report of the Secretary-General "
            "(reissued 22 July 2025)"
        ),
        date="22 January 2025",
        kind=DocumentKind.REPORT,
    )


def test_joint_symbol_alone_on_an_official_records_cover() -> None:
    cover = """\
E/2025/31-E/CN.16/2025/4

United Nations
Commission on Science and
Technology for Development

Report on the twenty-eighth session
(7–11 April 2025)

Economic and Social Council
Official Records, 2025
Supplement No. 11
"""
    meta = extract_metadata([cover], "x.pdf", "pdf")
    assert meta.symbol == "E/2025/31-E/CN.16/2025/4"
    assert meta.kind is DocumentKind.REPORT
    assert meta.date == "2025"
    assert meta.title == (
        "Commission on Science and Technology for Development, Report on the twenty-eighth "
        "session (7–11 April 2025), ESCOR 2025 Suppl. No. 11"
    )


DRAFT_PAGE = """\
 United Nations  A/C.2/80/L.58
General Assembly
Distr.: Limited
18 November 2025

Original: English
Eightieth session
Second Committee
Agenda item 15

  Draft resolution submitted by the Vice-Chair of the Committee, Jenni Mikkola
(Finland), on the basis of informal consultations on draft resolution A/C.2/80/L.17


  Information and communications technologies for
sustainable development


 The General Assembly,
 Recalling its resolution 79/194 of 19 December 2024,
"""


def test_draft_resolution_header() -> None:
    meta = extract_metadata([DRAFT_PAGE], "unnamed.pdf", "pdf")
    assert meta == DocumentMetadata(
        symbol="A/C.2/80/L.58",
        title="Information and communications technologies for sustainable development",
        date="18 November 2025",
        kind=DocumentKind.DRAFT,
    )


def test_draft_that_adopts_an_outcome_document_takes_its_heading() -> None:
    page = """\
 United Nations  A/80/L.41
General Assembly
Distr.: Limited
16 December 2025

  Draft resolution submitted by the President of the General Assembly


 The General Assembly
 Adopts the following outcome document of the high-level meeting:


  Outcome document of the high-level meeting of the
General Assembly on the overall review


 We, the Ministers and heads of delegations,
"""
    meta = extract_metadata([page], "A_80_L.41.pdf", "pdf")
    assert meta.kind is DocumentKind.DRAFT
    assert meta.title == (
        "Outcome document of the high-level meeting of the General Assembly on the overall review"
    )


def test_resolution_title_keeps_its_number_and_ignores_quoted_symbols() -> None:
    page = """\
 United Nations  A/RES/79/243
General Assembly
Distr.: General
31 December 2024

  Resolution adopted by the General Assembly
on 24 December 2024

  [on the report of the Third Committee (A/79/460, para. 15)]

 79/243. United Nations Convention against Cybercrime;

  Strengthening International Cooperation for Combating Certain
Crimes

 The General Assembly,
"""
    meta = extract_metadata([page], "", "pdf")
    assert meta.symbol == "A/RES/79/243"
    assert meta.kind is DocumentKind.RESOLUTION
    assert meta.title == "79/243. United Nations Convention against Cybercrime;"
    assert meta.date == "31 December 2024"


def test_submission_without_symbol_front_matter_and_fuller_lead() -> None:
    text = """\
---
title: "Inputs to the Working Group (WG)"
date: 2016-12-15
source: "The Centre for Examples (CE)"
---

**Inputs to the Working Group on Public Policy Issues (WG)** was submitted by the Centre.
"""
    meta = extract_metadata([text], "notes.md", "markdown")
    assert meta == DocumentMetadata(
        symbol=None,
        title="Inputs to the Working Group on Public Policy Issues (Centre for Examples)",
        date="15 December 2016",
        kind=DocumentKind.SUBMISSION,
    )


def test_undated_submission_without_front_matter() -> None:
    text = """\


INPUT TO THE ZERO DRAFT

International Telecommunication Union

I. Proposed amendments

We note the Forum held in July 2025 and the 2025 Prizes, building on work since 2017.
"""
    meta = extract_metadata([text], "paper.md", "markdown")
    assert meta.symbol is None
    assert meta.kind is DocumentKind.SUBMISSION
    assert meta.title == "INPUT TO THE ZERO DRAFT (International Telecommunication Union)"
    assert meta.date == "2025"


def test_publication_without_symbol_reads_its_running_head() -> None:
    pages = [
        "A CONFERENCE\n2025\nSome Report\nOVERVIEW\nGeneva, 2025",
        "© 2025, United Nations\nAll rights reserved.",
        "Some Report 2025\nA Subtitle\nOverview\niii\nContents",
        "Some Report 2025\nA Subtitle\nOverview\niv\nForeword",
    ]
    meta = extract_metadata(pages, "cover.pdf", "pdf")
    assert meta == DocumentMetadata(
        symbol=None,
        title="Some Report 2025: A Subtitle (Overview)",
        date="2025",
        kind=DocumentKind.REPORT,
    )


# --- the real corpus ------------------------------------------------------------------------


def _document_text(path: Path) -> tuple[list[str], str]:
    source = read_source(path)
    if path.suffix.lower() == ".pdf":
        return pdf_pages(source, max_pages=PAGES_NEEDED), "pdf"
    return [decode_text(source)], "markdown"


@pytest.fixture(scope="module")
def extracted(manifests: list[tuple[Path, dict]]) -> list[tuple[dict, DocumentMetadata]]:
    """(manifest entry, extracted metadata) for every document, read once per module."""
    results = []
    for path, entry in manifests:
        pages, fmt = _document_text(path)
        results.append((entry, extract_metadata(pages, path.name, fmt)))
    return results


@pytest.mark.corpus
def test_metadata_accuracy_on_the_corpus(extracted: list[tuple[dict, DocumentMetadata]]) -> None:
    assert len(extracted) == 49
    correct = dict.fromkeys(FIELDS, 0)
    mismatches: list[str] = []
    for entry, meta in extracted:
        for name in FIELDS:
            got = getattr(meta, name)
            if field_matches(name, got, entry[name]):
                correct[name] += 1
            else:
                mismatches.append(f"{entry['file']} {name}: got {got!r}, expected {entry[name]!r}")
    total = len(extracted)
    table = "\n".join(
        f"{name:<8}{correct[name]:>4}/{total}  {correct[name] / total:.3f}" for name in FIELDS
    )
    overall = sum(correct.values()) / (total * len(FIELDS))
    print(f"\nfield   correct  accuracy\n{table}\noverall {overall:.3f}")
    assert overall >= MIN_ACCURACY, f"overall {overall:.3f}\n{table}\n" + "\n".join(mismatches)


@pytest.mark.corpus
def test_every_printed_symbol_is_recovered(extracted: list[tuple[dict, DocumentMetadata]]) -> None:
    wrong = [
        f"{entry['file']}: got {meta.symbol!r}, expected {entry['symbol']!r}"
        for entry, meta in extracted
        if entry["symbol"] and not field_matches("symbol", meta.symbol, entry["symbol"])
    ]
    assert not wrong, "\n".join(wrong)
