"""The documents and paragraphs of the index, held in memory for lexical search, context
views, coverage and browsing. Rebuilt from the Chroma collection, which stays the one
source of truth (also when several app processes share a Chroma server)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from assistant.store import ParagraphStore
from corpus.model import Document, Paragraph, ParagraphKind


def _norm_symbol(symbol: str) -> str:
    return "".join(symbol.upper().split())


@dataclass
class Catalog:
    documents: dict[str, Document] = field(default_factory=dict)
    paragraphs: dict[str, Paragraph] = field(default_factory=dict)
    by_doc: dict[str, list[Paragraph]] = field(default_factory=dict)

    @classmethod
    def from_paragraphs(
        cls, documents: Mapping[str, Document], paragraphs: Iterable[Paragraph]
    ) -> Catalog:
        """The documents with their paragraphs, each document's in reading order."""
        by_id: dict[str, Paragraph] = {}
        by_doc: dict[str, list[Paragraph]] = defaultdict(list)
        for paragraph in paragraphs:
            by_id[paragraph.id] = paragraph
            by_doc[paragraph.doc_id].append(paragraph)
        for items in by_doc.values():
            items.sort(key=lambda p: p.order)
        return cls(dict(documents), by_id, dict(by_doc))

    @classmethod
    def from_store(cls, store: ParagraphStore) -> Catalog:
        """What the store holds now: its live documents and their paragraphs."""
        documents = store.live_documents()
        return cls.from_paragraphs(documents, store.live_paragraphs(documents))

    def searchable(self) -> list[Paragraph]:
        return [p for p in self.paragraphs.values() if p.searchable]

    def document_by_symbol(self, symbol: str) -> Document | None:
        """A document by its symbol, a half of a joint symbol, or its doc id."""
        wanted = _norm_symbol(symbol)
        for doc in self.documents.values():
            if doc.doc_id.upper() == wanted:
                return doc
            if doc.symbol and (
                _norm_symbol(doc.symbol) == wanted
                or wanted in {_norm_symbol(s) for s in doc.symbol.split("-") if "/" in s}
            ):
                return doc
        return None

    def find(self, doc_id: str, label: str, part: str | None = None) -> Paragraph | None:
        """The paragraph a citation names, e.g. ("A_RES_80_173", "99")."""
        for p in self.by_doc.get(doc_id, []):
            if p.label == label and (p.part or None) == (part or None):
                return p
        return None

    def context(self, paragraph: Paragraph, before: int = 1, after: int = 1) -> list[Paragraph]:
        """The paragraph with its neighbours in document order, headings and footnotes
        left out."""
        items = [
            p for p in self.by_doc.get(paragraph.doc_id, []) if p.kind is not ParagraphKind.FOOTNOTE
        ]
        position = next((i for i, p in enumerate(items) if p.id == paragraph.id), None)
        if position is None:
            return [paragraph]
        return items[max(0, position - before) : position + after + 1]
