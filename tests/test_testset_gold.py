"""The shipped development test set points at text that is really in the documents.

Every gold item of ``eval/testsets/dev.jsonl`` is checked against the documents in ``../shared``:
its quote must be in the paragraph the product's parser gives that label (and part), or, when
the item names no label, in some paragraph of that document. Markdown files are read as
ingestion reads them (``parse_file``), so markup such as ``<strong>`` around a word does not
hide a quote of the text a reader sees. Quotes are compared with runs of whitespace collapsed
and nothing else normalised, so they stay exact copies of the parsed text. All failures are
reported at once.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from corpus.model import Paragraph
from eval.testset import TestItem, document_names, load_testset
from ingest.paragraphs import pdf_paragraphs
from ingest.pipeline import parse_file
from ingest.readers import pdf_pages, read_source

pytestmark = pytest.mark.corpus

TESTSET = Path(__file__).resolve().parents[1] / "eval" / "testsets" / "dev.jsonl"
MIN_ITEMS = 80
MIN_UNANSWERABLE = 12


def _collapse(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def items() -> list[TestItem]:
    return load_testset(TESTSET)


@pytest.fixture(scope="module")
def files(manifests: list[tuple[Path, dict]]) -> dict[str, Path]:
    """Documents by every name a gold ``doc`` may use: symbol, half of a joint symbol, file stem."""
    return {
        name: path
        for path, entry in manifests
        for name in document_names({"doc_id": path.stem, "symbol": entry.get("symbol")})
    }


def _name(doc: str) -> str:
    """A gold ``doc`` as :func:`document_names` spells names: spacing and case ironed out."""
    return " ".join(doc.split()).casefold()


def _paragraphs(path: Path) -> list[Paragraph]:
    """The paragraphs ingestion makes of a file: PDF paragraph rules, or the markup readers."""
    if path.suffix.lower() == ".pdf":
        return pdf_paragraphs(pdf_pages(read_source(path)), path.stem)
    return list(parse_file(path, path.stem).paragraphs)


def test_testset_size_and_splits(items: list[TestItem]) -> None:
    kinds = Counter(item.kind for item in items)
    splits = {item.split for item in items}
    assert len(items) >= MIN_ITEMS, f"only {len(items)} questions"
    assert kinds["unanswerable"] >= MIN_UNANSWERABLE, f"only {kinds['unanswerable']} unanswerable"
    assert {"dev", "heldout"} <= splits, f"splits present: {sorted(map(str, splits))}"


def test_every_gold_quote_is_in_its_paragraph(
    items: list[TestItem], files: dict[str, Path]
) -> None:
    parsed: dict[Path, list[Paragraph]] = {}
    failures: list[str] = []
    checked = 0
    for item in items:
        for gold in item.gold:
            where = " ".join(filter(None, (item.id, gold.doc, gold.part, gold.paragraph)))
            path = files.get(_name(gold.doc))
            if path is None:
                failures.append(f"{where}: no document with this symbol or id in the manifests")
                continue
            if gold.quote is None:
                failures.append(f"{where}: no quote to check")
                continue
            quote = _collapse(gold.quote)
            checked += 1
            if path not in parsed:
                parsed[path] = _paragraphs(path)
            paragraphs = parsed[path]
            if gold.paragraph is None:
                if not any(quote in _collapse(p.text) for p in paragraphs):
                    failures.append(f"{where}: quote in no paragraph: {gold.quote!r}")
                continue
            labelled = [p for p in paragraphs if p.label == gold.paragraph and p.part == gold.part]
            if not labelled:
                failures.append(f"{where}: the parser gives no paragraph with this label")
            elif not any(quote in _collapse(p.text) for p in labelled):
                text = _collapse(labelled[0].text)
                failures.append(
                    f"{where}: quote {gold.quote!r} not in the paragraph: {text[:160]!r}..."
                )
    assert checked, "no gold item was checked"
    assert not failures, f"{len(failures)} of {checked} gold quotes do not match:\n" + "\n".join(
        failures
    )
