"""The evaluation test-set format, its validation, and the rule for when a citation is right.

A test set is JSONL (or CSV with the same columns, ``gold`` holding a JSON string), one
question per line. Every line is checked before anything is measured, and all problems are
reported at once by line number, because a half-loaded test set silently skews every metric.
See ``eval/README.md`` for the format and the matching rule.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.languages import LANGUAGES
from corpus.errors import InvalidTestSet

ANSWERABLE = "answerable"
UNANSWERABLE = "unanswerable"
KINDS = (ANSWERABLE, UNANSWERABLE)
SPLITS = ("dev", "heldout")
ITEM_FIELDS = ("id", "question", "kind", "gold", "split", "style", "language", "question_en")
GOLD_FIELDS = ("doc", "paragraph", "part", "quote")

#: Shorter quotes would match paragraphs by accident ("Internet" is in half the corpus).
MIN_QUOTE_CHARS = 10

# Joint symbols ("A/80/62-E/2025/12") join two symbols with a hyphen; the second always starts
# with letters and a slash, which keeps "A/RES/S-27/2" (special session) in one piece.
_JOINT_SEPARATOR = re.compile(r"-(?=[A-Za-z][A-Za-z.]*/)")
_QUOTE_TRANSLATION = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′`´", "'"),
        **dict.fromkeys("“”„‟″", '"'),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        "\u00ad": None,  # soft hyphen, invisible in print
    }
)
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class GoldItem:
    """One paragraph a correct answer should cite, named by label or by a quote from it."""

    doc: str
    paragraph: str | None = None
    part: str | None = None
    quote: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "doc": self.doc,
            "paragraph": self.paragraph,
            "part": self.part,
            "quote": self.quote,
        }


@dataclass(frozen=True, slots=True)
class TestItem:
    """One question with what a correct answer cites, or nothing if it should be refused."""

    __test__ = False  # not a pytest test class, despite the name

    id: str
    question: str
    kind: str
    gold: tuple[GoldItem, ...] = ()
    split: str | None = None
    style: str | None = None
    #: The question's language (ISO 639-1, one of the six UN languages), when not English.
    language: str | None = None
    #: The English question it was translated from, for a question in another language.
    question_en: str | None = None

    @property
    def answerable(self) -> bool:
        return self.kind == ANSWERABLE

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "kind": self.kind,
            "gold": [g.to_dict() for g in self.gold],
            "split": self.split,
            "style": self.style,
            "language": self.language,
            "question_en": self.question_en,
        }


# --- Loading and saving -------------------------------------------------------------------


def load_testset(path: str | Path) -> list[TestItem]:
    """Every item of a JSONL or CSV test set, or InvalidTestSet naming every bad line."""
    path = Path(path)
    if not path.is_file():
        raise InvalidTestSet(str(path), ["no such file; give the path of a .jsonl or .csv file"])
    problems: list[str] = []
    records = _csv_records(path, problems) if _is_csv(path) else _jsonl_records(path, problems)
    try:
        items = _check_records(records, problems)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InvalidTestSet(str(path), [f"cannot be read ({exc}); save it as UTF-8 text"]) from exc
    if not items and not problems:
        problems.append("the file holds no questions")
    if problems:
        raise InvalidTestSet(str(path), problems)
    return items


def save_testset(items: Iterable[TestItem], path: str | Path) -> None:
    """Write items in the format ``load_testset`` reads, CSV if the name ends in .csv."""
    path = Path(path)
    if _is_csv(path):
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=ITEM_FIELDS)
            writer.writeheader()
            for item in items:
                row = item.to_dict()
                row["gold"] = json.dumps(row["gold"], ensure_ascii=False)
                writer.writerow({k: "" if v is None else v for k, v in row.items()})
        return
    lines = (json.dumps(_drop_nulls(item.to_dict()), ensure_ascii=False) for item in items)
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def _drop_nulls(data: dict[str, Any]) -> dict[str, Any]:
    """Optional fields left out rather than written as null, so hand-edited files stay short."""
    data = {k: v for k, v in data.items() if v is not None}
    data["gold"] = [{k: v for k, v in g.items() if v is not None} for g in data["gold"]]
    if not data["gold"]:
        del data["gold"]
    return data


def _is_csv(path: Path) -> bool:
    return path.suffix.lower() == ".csv"


def _jsonl_records(path: Path, problems: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) per non-blank, non-comment line; bad JSON goes to problems."""
    text = path.read_text(encoding="utf-8-sig")
    # Split on newlines only: JSON strings may hold U+2028, which str.splitlines() breaks on.
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(data, dict):
            problems.append(f"line {number}: expected a JSON object {{...}}, got {_kind(data)}")
            continue
        yield number, data


def _csv_records(path: Path, problems: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) per non-blank CSV row; empty cells count as absent fields.

    The number is the line the row starts on, taken from the reader rather than counted,
    because a quoted question may span several lines.
    """
    with path.open(encoding="utf-8-sig", newline="") as source:
        reader = csv.reader(source)
        columns = [c.strip() for c in next(reader, [])]
        missing = [c for c in ("id", "question", "kind") if c not in columns]
        unknown = [c for c in columns if c not in ITEM_FIELDS]
        if missing or unknown:
            problems.append(f"line 1: {_header_problem(missing, unknown)}")
            return
        while (row := _next_row(reader)) is not None:
            number, cells = row
            if len(cells) > len(columns):
                problems.append(f"line {number}: more cells than the header has columns")
                continue
            data = {k: v.strip() for k, v in zip(columns, cells, strict=False) if v.strip()}
            if data:
                yield number, _decode_gold_cell(number, data, problems)


def _next_row(reader: Any) -> tuple[int, list[str]] | None:
    """The next row with the line it starts on, or None at the end."""
    start = reader.line_num + 1
    cells = next(reader, None)
    return None if cells is None else (start, cells)


def _header_problem(missing: list[str], unknown: list[str]) -> str:
    parts = []
    if missing:
        parts.append(f"the header lacks column(s) {', '.join(missing)}")
    if unknown:
        parts.append(f"unknown column(s) {', '.join(unknown)}; allowed: {', '.join(ITEM_FIELDS)}")
    return "; ".join(parts)


def _decode_gold_cell(number: int, cells: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """The CSV ``gold`` cell is JSON text; it becomes a list like in JSONL."""
    if "gold" not in cells:
        return cells
    try:
        cells["gold"] = json.loads(cells["gold"])
    except json.JSONDecodeError as exc:
        problems.append(f"line {number}: gold is not valid JSON ({exc.msg})")
        del cells["gold"]
        cells["_gold_unreadable"] = True
    return cells


# --- Validation -----------------------------------------------------------------------------


def _check_records(
    records: Iterable[tuple[int, dict[str, Any]]], problems: list[str]
) -> list[TestItem]:
    """Items from valid records; every problem, duplicate ids included, goes to problems."""
    items: list[TestItem] = []
    first_line: dict[str, int] = {}
    for number, data in records:
        unreadable_gold = bool(data.pop("_gold_unreadable", False))
        item, found = check_item(data)
        if unreadable_gold:
            found = [f for f in found if not f.startswith("an answerable question needs gold")]
        problems.extend(f"line {number}: {f}" for f in found)
        item_id = data.get("id")
        if isinstance(item_id, str) and item_id.strip():
            if item_id in first_line:
                problems.append(
                    f"line {number}: duplicate id {item_id!r} (first used on line "
                    f"{first_line[item_id]}); give each question its own id"
                )
                continue
            first_line[item_id] = number
        if item is not None:
            items.append(item)
    return items


def check_item(data: Mapping[str, Any]) -> tuple[TestItem | None, list[str]]:
    """A TestItem from one decoded line, or None and what is wrong with it (without line)."""
    problems = [
        f"unknown field {key!r}; allowed: {', '.join(ITEM_FIELDS)}"
        for key in data
        if key not in ITEM_FIELDS
    ]
    item_id = _required_text(data, "id", problems)
    question = _required_text(data, "question", problems)
    kind = _check_kind(data, problems)
    gold = _check_gold(data.get("gold"), kind, problems)
    split = _optional_text(data, "split", problems)
    if split is not None and split not in SPLITS:
        problems.append(f"split is {split!r}; use one of {', '.join(SPLITS)} or leave it out")
    style = _optional_text(data, "style", problems)
    language = _optional_text(data, "language", problems)
    if language is not None and language not in LANGUAGES:
        problems.append(
            f"language is {language!r}; use one of {', '.join(LANGUAGES)} or leave it out"
        )
    question_en = _optional_text(data, "question_en", problems)
    if problems or item_id is None or question is None or kind is None:
        return None, problems
    return TestItem(item_id, question, kind, gold, split, style, language, question_en), problems


def _required_text(data: Mapping[str, Any], key: str, problems: list[str]) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(f"missing {key}")
        return None
    if not isinstance(value, str):
        problems.append(f"{key} must be a string, got {_kind(value)}")
        return None
    return value.strip()


def _optional_text(data: Mapping[str, Any], key: str, problems: list[str]) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(f"{key} must be a string in double quotes or absent, got {_kind(value)}")
        return None
    return value.strip() or None


def _check_kind(data: Mapping[str, Any], problems: list[str]) -> str | None:
    kind = data.get("kind")
    if kind is None:
        problems.append(f"missing kind; use {ANSWERABLE!r} or {UNANSWERABLE!r}")
        return None
    if kind not in KINDS:
        problems.append(f"unknown kind {kind!r}; use {ANSWERABLE!r} or {UNANSWERABLE!r}")
        return None
    return str(kind)


def _check_gold(raw: Any, kind: str | None, problems: list[str]) -> tuple[GoldItem, ...]:
    """Gold items of one question; answerable needs at least one, unanswerable none."""
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        problems.append(f"gold must be a list of objects, got {_kind(raw)}")
        return ()
    gold = []
    for index, entry in enumerate(raw):
        item = _check_gold_entry(entry, f"gold[{index}]", problems)
        if item is not None and item in gold:
            problems.append(f"gold[{index}] repeats an earlier gold item; remove it")
        elif item is not None:
            gold.append(item)
    if kind == ANSWERABLE and not raw:
        problems.append("an answerable question needs gold: at least one {doc, paragraph|quote}")
    if kind == UNANSWERABLE and raw:
        problems.append("an unanswerable question must not have gold; remove it or change kind")
    return tuple(gold)


def _check_gold_entry(entry: Any, where: str, problems: list[str]) -> GoldItem | None:
    if not isinstance(entry, dict):
        problems.append(f"{where} must be an object {{doc, paragraph, ...}}, got {_kind(entry)}")
        return None
    found: list[str] = [
        f"{where} has unknown field {key!r}; allowed: {', '.join(GOLD_FIELDS)}"
        for key in entry
        if key not in GOLD_FIELDS
    ]
    doc = _required_text(entry, "doc", found)
    paragraph = _optional_text(entry, "paragraph", found)
    part = _optional_text(entry, "part", found)
    quote = _optional_text(entry, "quote", found)
    found = [f if f.startswith(where) else f"{where} {f}" for f in found]
    if not (_present(entry, "paragraph") or _present(entry, "quote")):
        found.append(f"{where} needs a paragraph label or a quote")
    if quote is not None and len(_squash(quote)) < MIN_QUOTE_CHARS:
        found.append(
            f"{where} quote {quote!r} is too short to identify a paragraph; "
            f"quote at least {MIN_QUOTE_CHARS} characters"
        )
    problems.extend(found)
    if found or doc is None:
        return None
    return GoldItem(doc, paragraph, part, quote)


def _present(data: Mapping[str, Any], key: str) -> bool:
    """Given at all, even with the wrong type (that is reported on its own)."""
    value = data.get(key)
    return value is not None and not (isinstance(value, str) and not value.strip())


def _kind(value: Any) -> str:
    """How a JSON value is called in messages: 'a number', 'a list'."""
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


# --- Matching -------------------------------------------------------------------------------


def matches(citation: Mapping[str, Any], gold: GoldItem) -> bool:
    """Whether a cited or retrieved paragraph (JSON contract shape) is the gold paragraph."""
    if not _same_document(citation, gold.doc):
        return False
    return _same_label(citation, gold) or _contains_quote(citation.get("text"), gold.quote)


def document_names(citation: Mapping[str, Any]) -> set[str]:
    """Every name a gold ``doc`` may use for the citation's document, normalised."""
    names = {_name(citation.get("doc_id"))}
    symbol = _name(citation.get("symbol"))
    names |= {symbol, *(_name(half) for half in _JOINT_SEPARATOR.split(symbol))}
    return names - {""}


def _same_document(citation: Mapping[str, Any], doc: str) -> bool:
    return _name(doc) in document_names(citation)


def _same_label(citation: Mapping[str, Any], gold: GoldItem) -> bool:
    """Label equality within the same part, because annex numbering restarts at 1."""
    if gold.paragraph is None:
        return False
    label = citation.get("paragraph")
    if label is None or _name(str(label)) != _name(gold.paragraph):
        return False
    return _name(citation.get("part")) == _name(gold.part)


def _contains_quote(text: Any, quote: str | None) -> bool:
    if quote is None or not isinstance(text, str):
        return False
    return _squash(quote) in _squash(text)


def _name(value: Any) -> str:
    """Symbols, labels and parts compared case- and spacing-insensitively; None is ''."""
    if value is None:
        return ""
    return _WHITESPACE.sub(" ", str(value)).strip().casefold()


def _squash(text: str) -> str:
    """Text as compared for quotes: PDF ligatures, curly quotes, dashes, case and spaces ironed
    out, so a quote typed by hand matches the paragraph as extracted from the PDF."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTE_TRANSLATION)
    return _WHITESPACE.sub("", text).casefold()


def gold_matched(passages: Sequence[Mapping[str, Any]], gold: Sequence[GoldItem]) -> set[int]:
    """Indices of the gold items that at least one of the passages matches."""
    return {i for i, g in enumerate(gold) if any(matches(p, g) for p in passages)}
