"""Word .docx documents into paragraphs, through the shared rules of
:mod:`ingest.markup.blocks`.

Delegations draft and amend in Word, so what Word shows is what is read: heading styles
give headings; automatic numbering, which python-docx does not give with the text, is
replayed so that paragraph numbers are seen as printed; tables are read cell by cell.
Amendments are often made with track changes: tracked insertions count as proposed wording,
like underlined text, and tracked deletions and struck-out text are left out. Offsets index
the paragraphs' texts joined by blank lines. A file that is not a readable .docx raises
:class:`UnreadableDocument` naming it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from corpus.errors import UnreadableDocument
from corpus.model import Paragraph
from ingest.markup.blocks import (
    Block,
    BlockKind,
    HeadingCue,
    Run,
    block_of,
    blocks_to_paragraphs,
    format_number,
    inline_of,
    list_number,
)
from ingest.readers import error_detail

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^Heading\s+(\d)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Level:
    fmt: str
    text: str
    start: int


class _WordNumbering:
    """Word's automatic numbering, replayed, since python-docx gives paragraph text without it."""

    def __init__(self, document: Any) -> None:
        self.lists: dict[str, dict[int, _Level]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        root = document.part.numbering_part.element
        abstract = {a.get(f"{_W}abstractNumId"): _levels(a) for a in root.iter(f"{_W}abstractNum")}
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                self.lists[str(num.get(f"{_W}numId"))] = abstract.get(ref.get(f"{_W}val"), {})

    def marker(self, paragraph: Any) -> tuple[str, int] | None:
        """The printed number of a paragraph ("12.", "(a)", "" for a bullet) and its level."""
        found = _num_pr(paragraph)
        if found is None or found[0] not in self.lists:
            return None
        num_id, level = found
        levels = self.lists[num_id]
        counters = self.counters.setdefault(num_id, {})
        fmt = levels.get(level, _Level("decimal", f"%{level + 1}.", 1))
        counters[level] = counters.get(level, fmt.start - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        if fmt.fmt in {"bullet", "none"}:
            return "", level

        def number(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            lvl = levels.get(k, _Level("decimal", "", 1))
            return format_number(counters.get(k, lvl.start), lvl.fmt)

        return re.sub(r"%(\d)", number, fmt.text), level


def _levels(abstract: Any) -> dict[int, _Level]:
    levels: dict[int, _Level] = {}
    for lvl in abstract.iter(f"{_W}lvl"):

        def val(tag: str, default: str, lvl: Any = lvl) -> str:
            el = lvl.find(f"{_W}{tag}")
            return str(el.get(f"{_W}val")) if el is not None else default

        start = val("start", "1")
        levels[list_number(str(lvl.get(f"{_W}ilvl", "0")), 0)] = _Level(
            val("numFmt", "decimal"), val("lvlText", ""), list_number(start, 1)
        )
    return levels


def _num_pr(paragraph: Any) -> tuple[str, int] | None:
    """(list id, level) from the paragraph's own numbering, else its style's."""
    sources = [paragraph._p.pPr]
    if paragraph.style is not None:
        sources.append(paragraph.style.element.pPr)
    for ppr in sources:
        num_pr = ppr.find(f"{_W}numPr") if ppr is not None else None
        if num_pr is None:
            continue
        num_id = num_pr.find(f"{_W}numId")
        ilvl = num_pr.find(f"{_W}ilvl")
        if num_id is None or num_id.get(f"{_W}val") in {None, "0"}:
            return None
        level = ilvl.get(f"{_W}val") if ilvl is not None else "0"
        return str(num_id.get(f"{_W}val")), list_number(str(level), 0)
    return None


def _docx_run(run: Any, link: bool = False, inserted: bool = False) -> Run | None:
    if run.font.strike or run.font.double_strike:
        return None  # struck-out words are a proposed deletion
    marked = inserted or bool(run.underline)
    return Run(run.text, link, bool(run.bold), bool(run.italic), marked)


def _docx_runs(paragraph: Any) -> Iterator[Run]:
    """Runs in order, tracked insertions marked as inserted and tracked deletions left out,
    since delegations propose amendments to a .docx with Word's track changes."""
    from docx.text.run import Run as DocxRun

    for child in paragraph._p.iterchildren():
        tag = child.tag
        if tag == f"{_W}r":
            runs = [_docx_run(DocxRun(child, paragraph))]
        elif tag == f"{_W}hyperlink":
            runs = [_docx_run(DocxRun(r, paragraph), link=True) for r in child.iter(f"{_W}r")]
        elif tag == f"{_W}ins":
            runs = [_docx_run(DocxRun(r, paragraph), inserted=True) for r in child.iter(f"{_W}r")]
        else:
            continue
        yield from (run for run in runs if run is not None)


def _docx_block(paragraph: Any, numbering: _WordNumbering) -> Block | None:
    inline = inline_of(list(_docx_runs(paragraph)))
    style = paragraph.style.name if paragraph.style is not None else ""
    marker = numbering.marker(paragraph)
    printed, level = marker if marker is not None else ("", 0)
    if not inline.text:
        return None  # an empty numbered paragraph still counts in its list, above
    if printed:
        inline = replace(inline, text=f"{printed} {inline.text}")
    heading = _HEADING_STYLE.match(style)
    if heading or style == "Title":
        return block_of(BlockKind.HEADING, inline, level=int(heading.group(1)) if heading else 1)
    listed = style.startswith("List") or (marker is not None and not printed)
    cue = HeadingCue.STRONG if inline.strong_only else HeadingCue.NONE
    kind = BlockKind.ITEM if listed and not printed else BlockKind.BODY
    return block_of(kind, inline, nested=level > 0, cue=cue)


def _docx_paragraph_objects(document: Any) -> Iterator[Any]:
    """Body paragraphs in reading order, table cells included (merged cells once)."""
    from docx.table import Table

    for item in document.iter_inner_content():
        if not isinstance(item, Table):
            yield item
            continue
        seen: set[int] = set()
        for row in item.rows:
            for cell in row.cells:
                if id(cell._tc) not in seen:
                    seen.add(id(cell._tc))
                    yield from cell.paragraphs


def docx_paragraphs(data: bytes, doc_id: str, name: str) -> list[Paragraph]:
    """Paragraphs of a Word .docx; offsets index the paragraphs' texts joined by blank lines.

    Raises :class:`UnreadableDocument` naming ``name`` when the bytes are not a readable .docx.
    """
    import docx

    if not data.startswith(b"PK"):
        raise UnreadableDocument(
            name, "not a Word .docx file (no ZIP signature); open it in Word and save as .docx"
        )
    try:
        document = docx.Document(io.BytesIO(data))
        numbering = _WordNumbering(document)
        found = (_docx_block(p, numbering) for p in _docx_paragraph_objects(document))
        blocks = [b for b in found if b is not None]
    except MemoryError:
        raise  # the worker reports it against its memory limit
    except Exception as exc:
        raise UnreadableDocument(
            name,
            f"Word file is damaged or not a .docx ({error_detail(exc)}); "
            "open it in Word and save it again as .docx",
        ) from exc
    return blocks_to_paragraphs(blocks, doc_id, source_offsets=False)
