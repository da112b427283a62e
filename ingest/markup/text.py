"""Plain-text documents into paragraphs, through the shared rules of
:mod:`ingest.markup.blocks`.

Text has no markup, so its layout is the structure: blocks are runs of lines separated by
blank lines, and a line opening with a bullet or a paragraph number starts a block of its
own. A single short line standing alone may be a heading. Offsets index the text given.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from corpus.model import Paragraph
from ingest.markup.blocks import Block, BlockKind, HeadingCue, blocks_to_paragraphs, normalise

_BULLET = re.compile(r"^[-*+•▪◦–]\s+")
_DOTTED_NUMBER = re.compile(r"^\d{1,3}\.\s")


def _text_groups(text: str) -> Iterator[list[tuple[str, int]]]:
    """Runs of non-blank lines with their offsets; a bullet or number line starts a new run."""
    group: list[tuple[str, int]] = []
    for match in re.finditer(r"[^\n]*", text):
        line = match.group(0)
        stripped = line.strip()
        starts_unit = bool(_BULLET.match(stripped) or _DOTTED_NUMBER.match(stripped))
        if group and (not stripped or starts_unit):
            yield group
            group = []
        if stripped:
            group.append((line, match.start()))
    if group:
        yield group


def _text_block(group: list[tuple[str, int]]) -> Block:
    first_line, first_at = group[0]
    last_line, last_at = group[-1]
    start = first_at + len(first_line) - len(first_line.lstrip())
    end = last_at + len(last_line.rstrip())
    joined = " ".join(line.strip() for line, _ in group)
    bullet = _BULLET.match(joined)
    kind = BlockKind.ITEM if bullet else BlockKind.BODY
    cue = HeadingCue.LINE if len(group) == 1 and not bullet else HeadingCue.NONE
    text = normalise(joined[bullet.end() :] if bullet else joined)
    return Block(kind, text, start=start, end=end, cue=cue)


def text_paragraphs(text: str, doc_id: str) -> list[Paragraph]:
    """Paragraphs of plain text, blocks separated by blank lines; offsets index ``text``."""
    blocks = [_text_block(group) for group in _text_groups(text)]
    return blocks_to_paragraphs(blocks, doc_id, source_offsets=True)
