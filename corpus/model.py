"""The documents and their paragraphs: what every layer of the product shares.

Every paragraph carries where it came from (document, label as printed, part, section,
pages, character offsets) and an id hashed from that provenance and its text, so citations
point at something that was ingested rather than at free text. How UN staff cite a
paragraph ("A/RES/80/173, para. 99"; "A/RES/79/1, annex I, para. 48") is written here once.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import asdict, dataclass
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
#: A submission's title closes with its author in brackets.
_AUTHOR = re.compile(r"\(([^()]+)\)\s*$")

#: Paragraph kinds that answer questions; headings (but a draft's sponsor line) and footnotes
#: are stored but not searched.
SEARCHABLE_KINDS = frozenset(
    {
        ParagraphKind.PREAMBULAR,
        ParagraphKind.OPERATIVE,
        ParagraphKind.PROSE,
        ParagraphKind.AMENDMENT,
    }
)
#: Fewer words than this is a chapeau ("The General Assembly,") rather than an answer.
MIN_SEARCHABLE_WORDS = 4
#: A draft's sponsor line, printed as a heading above its title ("Iraq:* draft resolution",
#: "Draft resolution submitted by the President of the General Assembly"): the only place
#: a draft says who tabled it, so it is searched like a paragraph.
SPONSOR_LINE = re.compile(
    r"^(?:(?:revised\s+)?draft\s+(?:resolution|decision)\s+submitted\s+by\b"
    r"|[^:\n]{2,300}:\s*\**\s*(?:revised\s+)?draft\s+(?:resolution|decision)\s*$)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Document:
    """One source file with the metadata it states about itself.

    ``date`` is the date as printed ("19 December 2025", or a bare year for a publication);
    ``dated`` is that date read once at ingest (a bare year reads as its last day), for
    ordering versions and matching "the 2025 resolution"."""

    doc_id: str
    path: str
    sha256: str
    symbol: str | None
    title: str | None
    date: str | None
    kind: DocumentKind
    pages: int | None
    dated: datetime.date | None = None

    @property
    def name(self) -> str:
        """How UN staff refer to the document: its symbol, else its title, else its id."""
        return self.symbol or self.title or self.doc_id

    @property
    def author(self) -> str | None:
        """A submission's author, as its title gives it in brackets: "Input to the Zero
        Draft (Internet Society)"."""
        if self.kind is not DocumentKind.SUBMISSION:
            return None
        found = _AUTHOR.search(self.title or "")
        return found.group(1).strip() if found else None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["dated"] = self.dated.isoformat() if self.dated else None
        return data


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One citable unit of a document, as printed.

    ``label`` is the paragraph's number as printed ("99"); unnumbered paragraphs get a
    stable label derived from their position (:mod:`corpus.labels`: "pp3" for the third
    preambular paragraph, "h2" for the second heading). ``part`` names where numbering
    restarts ("Annex I"); labels are unique within a document for a given part.
    """

    doc_id: str
    label: str
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
        key = "\x1f".join((self.doc_id, self.part or "", self.label, self.text))
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

    @property
    def key(self) -> tuple[str, str | None, str]:
        """Identity by citation: document, part and label."""
        return (self.doc_id, self.part, self.label)

    @property
    def is_sponsor_line(self) -> bool:
        return (
            self.kind is ParagraphKind.HEADING and SPONSOR_LINE.match(self.text.strip()) is not None
        )

    @property
    def searchable(self) -> bool:
        """Whether the paragraph can answer a question: a kind that carries content, with
        words, or a draft's sponsor line."""
        if self.kind is ParagraphKind.HEADING:
            return self.is_sponsor_line
        return self.kind in SEARCHABLE_KINDS and len(self.text.split()) >= MIN_SEARCHABLE_WORDS

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``wsis parse --json``: the label under ``paragraph``, as the
        answer JSON names it."""
        data = asdict(self)
        data["paragraph"] = data.pop("label")
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


def paragraph_reference(paragraph: Paragraph) -> str:
    """The paragraph part of a citation as UN staff write it: "para. 99", "annex I, para. 5",
    "sponsor line"."""
    label = paragraph.label
    if paragraph.kind is ParagraphKind.PREAMBULAR:
        ref = f"preambular para. {label.removeprefix('pp')}"
    elif paragraph.is_sponsor_line:
        ref = "sponsor line"
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


def pages(paragraph: Paragraph) -> str:
    """Pages as printed: "8", "8–9", or "" when the format has no pages."""
    if not paragraph.page_start:
        return ""
    if paragraph.page_end and paragraph.page_end != paragraph.page_start:
        return f"{paragraph.page_start}–{paragraph.page_end}"
    return str(paragraph.page_start)


def last_section(paragraph: Paragraph) -> str:
    """The innermost section heading a paragraph sits under, as shown beside a citation."""
    return paragraph.section.split(SECTION_SEPARATOR)[-1] if paragraph.section else ""
