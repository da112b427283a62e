"""What is embedded: a paragraph, or the pieces of one too long for the model's input.

A piece keeps its paragraph, so every vector in the index points at a citable paragraph,
and a paragraph is never glued to another or cut mid-sentence when a sentence end will do.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from corpus.model import Document, Paragraph

#: Where a long paragraph may be cut into pieces: after a sentence, or at a line break.
_SENTENCE_BREAK = re.compile(r"(?<=[.;:])\s+(?=[A-Z(“])|\n")


@dataclass(frozen=True, slots=True)
class Piece:
    """Text that is embedded: a paragraph or part of a long one."""

    paragraph: Paragraph
    number: int
    count: int
    text: str
    version: str = ""

    @property
    def node_id(self) -> str:
        """Unique per file version: a new version of a file never overwrites the nodes of
        the old one in place, it adds its own and then removes the old ones. It opens with
        the paragraph's id (:func:`paragraph_id_of`)."""
        return f"{self.paragraph.id}-{self.version[:12]}-{self.number}"


def paragraph_id_of(node_id: str) -> str:
    """The id of the paragraph a node holds a piece of, read from the node's id."""
    return node_id.split("-", 1)[0]


def split_into_pieces(
    paragraph: Paragraph, max_tokens: int, count_tokens: Callable[[str], int]
) -> list[Piece]:
    """Split a paragraph longer than the model's input at sentence ends, never mid-sentence
    unless one sentence alone is too long. The pieces are slices of the text, separators
    kept, so that joined in order they give the paragraph back exactly."""
    text = paragraph.text
    if count_tokens(text) <= max_tokens:
        return [Piece(paragraph, 0, 1, text)]
    ends = [m.end() for m in _SENTENCE_BREAK.finditer(text)]
    sentences = [text[a:b] for a, b in itertools.pairwise([0, *ends, len(text)]) if a < b]
    chunks: list[str] = []
    current = ""
    for sentence in sentences:
        if current.strip() and count_tokens(current + sentence) > max_tokens:
            chunks.append(current)
            current = sentence
        else:
            current += sentence
    if current:
        chunks.append(current)
    return [Piece(paragraph, i, len(chunks), chunk) for i, chunk in enumerate(chunks)]


def embedding_text(document: Document, paragraph: Paragraph, text: str) -> str:
    """What the model sees: the document's symbol, title and section give the paragraph its
    context, which a bare paragraph often lacks ("We decide to ...")."""
    head = " ".join(x for x in (document.symbol, document.title) if x)
    section = paragraph.section.split(" > ")[-1] if paragraph.section else ""
    return "\n".join(x for x in (head, section, text.strip()) if x)
