"""The artefacts that cross stage boundaries: ingestion, retrieval, answering, evaluation.

Every paragraph carries where it came from (document, symbol, label as printed, part,
section, pages, character offsets) and an id hashed from that provenance and its text, so
citations point at something that was ingested rather than at free text.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class DocumentKind(StrEnum):
    RESOLUTION = "resolution"
    DRAFT = "draft"
    REPORT = "report"
    SUBMISSION = "submission"
    OTHER = "other"


class ParagraphKind(StrEnum):
    PREAMBULAR = "preambular"
    OPERATIVE = "operative"
    HEADING = "heading"
    AMENDMENT = "amendment"
    PROSE = "prose"
    FOOTNOTE = "footnote"


SECTION_SEPARATOR = " > "


@dataclass(frozen=True, slots=True)
class Document:
    """One source file with the metadata it states about itself."""

    doc_id: str
    path: str
    sha256: str
    symbol: str | None
    title: str | None
    date: str | None
    kind: DocumentKind
    pages: int | None

    @property
    def name(self) -> str:
        """How UN staff refer to the document: its symbol, else its title, else its id."""
        return self.symbol or self.title or self.doc_id

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One citable unit of a document, as printed.

    ``paragraph`` is the label as printed ("99"); unnumbered paragraphs get a stable label
    derived from their position ("pp3" for the third preambular paragraph, "h2" for the
    second heading, "p5" for the fifth unnumbered prose paragraph, "fn4" for footnote 4).
    ``part`` names where numbering restarts ("Annex I"); labels are unique within a document
    for a given part.
    """

    doc_id: str
    paragraph: str
    kind: ParagraphKind
    text: str
    part: str | None = None
    section: str = ""
    page_start: int | None = None
    page_end: int | None = None
    char_start: int = 0
    char_end: int = 0
    order: int = 0
    target: str | None = None
    inserted: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        key = "\x1f".join((self.doc_id, self.part or "", self.paragraph, self.text))
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

    @property
    def key(self) -> tuple[str, str | None, str]:
        """Identity by citation: document, part and label."""
        return (self.doc_id, self.part, self.paragraph)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["id"] = self.id
        data["inserted"] = list(self.inserted)
        return data


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """What ingestion makes of one file: its metadata and its paragraphs in order."""

    document: Document
    paragraphs: tuple[Paragraph, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.document.to_dict(),
            "paragraphs": [p.to_dict() for p in self.paragraphs],
        }


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
            "paragraph": p.paragraph,
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


def paragraph_reference(paragraph: Paragraph) -> str:
    """The paragraph part of a citation as UN staff write it: "para. 99", "annex I, para. 5"."""
    label = paragraph.paragraph
    if paragraph.kind is ParagraphKind.PREAMBULAR:
        ref = f"preambular para. {label.removeprefix('pp')}"
    elif paragraph.kind is ParagraphKind.HEADING:
        ref = f"heading “{paragraph.text}”"
    elif paragraph.kind is ParagraphKind.FOOTNOTE:
        ref = f"footnote {label.removeprefix('fn')}"
    elif paragraph.kind is ParagraphKind.AMENDMENT:
        ref = f"proposal on para. {paragraph.target}" if paragraph.target else f"item {label}"
    elif not label[:1].isdigit() and label.startswith("p"):
        page = f", p. {paragraph.page_start}" if paragraph.page_start else ""
        ref = f"unnumbered para. {label[1:]}{page}"
    else:
        ref = f"para. {label}"
    if paragraph.part:
        part = paragraph.part
        ref = f"{part[:1].lower()}{part[1:]}, {ref}"
    return ref


def format_citation(document: Document, paragraph: Paragraph) -> str:
    """ "A/RES/80/173, para. 99"; "A/RES/79/1, annex I, para. 48"."""
    return f"{document.name}, {paragraph_reference(paragraph)}"
