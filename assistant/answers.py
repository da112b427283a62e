"""What answering produces: hits (retrieved paragraphs) and the answer that quotes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from corpus.model import Document, Paragraph, format_citation


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved paragraph with its score and the document it belongs to."""

    paragraph: Paragraph
    document: Document
    score: float
    identical_in: tuple[str, ...] = ()
    amendments: tuple[Hit, ...] = ()

    @property
    def citation(self) -> str:
        return format_citation(self.document, self.paragraph)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a citation or hit, a contract read by other tools."""
        p = self.paragraph
        return {
            "doc_id": self.document.doc_id,
            "symbol": self.document.symbol,
            "title": self.document.title,
            "paragraph": p.label,
            "part": p.part,
            "section": p.section,
            "page_start": p.page_start,
            "page_end": p.page_end,
            "text": p.text,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    text: str
    abstained: bool
    citations: tuple[Hit, ...]
    hits: tuple[Hit, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)
    notice: str | None = None

    def to_dict(self, question_id: str | None = None) -> dict[str, Any]:
        return {
            "id": question_id,
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "hits": [h.to_dict() for h in self.hits],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }
