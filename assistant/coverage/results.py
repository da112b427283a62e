"""What coverage finds: the paragraphs about a topic, each with how surely it is about it and
the words that make it so, grouped by document in document order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from corpus.model import Document, Paragraph

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class CoverageMatch:
    """A paragraph about the topic.

    ``relevance`` (0-1) is how surely it is about the topic; ``reason`` the spans of its text
    that make it so (where the topic's words or the documents' words for it occur, or else
    the sentence the reader finds most on the topic); ``score`` its best hybrid retrieval
    score for the topic or a part of it; ``judged`` the language model's P(yes) where it
    read the paragraph."""

    paragraph: Paragraph
    score: float
    relevance: float
    reason: tuple[Span, ...] = ()
    judged: float | None = None

    @property
    def reason_text(self) -> str:
        text = self.paragraph.text
        return " … ".join(text[start:end] for start, end in self.reason)


@dataclass(frozen=True, slots=True)
class CoverageGroup:
    """The matching paragraphs of one document, in document order."""

    document: Document
    matches: tuple[CoverageMatch, ...]


@dataclass(frozen=True, slots=True)
class Coverage:
    """Every paragraph about a topic that reaches ``threshold``, by document (documents by
    name, paragraphs in document order).

    ``parts`` are the narrower topics judged on their own, ``terms`` the other words searched
    for; ``notice`` says what the reader could not do (no relevance model, the language model
    out of time), when there is something to say."""

    topic: str
    threshold: float
    groups: tuple[CoverageGroup, ...]
    parts: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    notice: str | None = None
    #: Paragraphs read to find these, and those the language model read.
    read: int = 0
    judged: int = 0
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(len(g.matches) for g in self.groups)

    @property
    def matches(self) -> list[CoverageMatch]:
        return [m for g in self.groups for m in g.matches]

    def in_documents(self, doc_ids: Iterable[str]) -> Coverage:
        """The same result for some of its documents only."""
        wanted = set(doc_ids)
        return replace(self, groups=tuple(g for g in self.groups if g.document.doc_id in wanted))


def group_matches(
    documents: dict[str, Document], matches: Iterable[CoverageMatch]
) -> tuple[CoverageGroup, ...]:
    """Matches by document (documents by name), each document's in reading order."""
    by_doc: dict[str, list[CoverageMatch]] = {}
    for match in matches:
        by_doc.setdefault(match.paragraph.doc_id, []).append(match)
    groups = [
        CoverageGroup(documents[doc_id], tuple(sorted(found, key=lambda m: m.paragraph.order)))
        for doc_id, found in by_doc.items()
    ]
    return tuple(sorted(groups, key=lambda g: g.document.name))
