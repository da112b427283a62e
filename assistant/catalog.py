"""The documents and paragraphs of the index, held in memory for lexical search, context
views, coverage and browsing. Rebuilt from the Chroma collection, which stays the one
source of truth (also when several app processes share a Chroma server)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from corpus.model import Document, Paragraph, ParagraphKind


def _norm_symbol(symbol: str) -> str:
    return "".join(symbol.upper().split())


@dataclass
class Catalog:
    documents: dict[str, Document] = field(default_factory=dict)
    paragraphs: dict[str, Paragraph] = field(default_factory=dict)
    by_doc: dict[str, list[Paragraph]] = field(default_factory=dict)

    @classmethod
    def from_nodes(
        cls,
        nodes: Iterable[tuple[str, dict, str]],
        documents: dict[str, Document] | None = None,
    ) -> Catalog:
        """Build from (node id, metadata, text) records; pieces, slices of their paragraph's
        text, are joined back in order.
        ``documents`` are the registered documents, when the records come from an index."""
        from ingest.index import document_from_metadata, paragraph_from_metadata

        documents = dict(documents or {})
        pieces: dict[str, list[tuple[int, str]]] = defaultdict(list)
        metas: dict[str, dict] = {}
        for _, meta, text in nodes:
            documents.setdefault(meta["doc_id"], document_from_metadata(meta))
            pieces[meta["paragraph_id"]].append((meta["piece"], text))
            metas.setdefault(meta["paragraph_id"], meta)
        paragraphs: dict[str, Paragraph] = {}
        by_doc: dict[str, list[Paragraph]] = defaultdict(list)
        for pid, parts in pieces.items():
            text = "".join(t for _, t in sorted(parts))
            paragraph = paragraph_from_metadata(metas[pid], text)
            paragraphs[pid] = paragraph
            by_doc[paragraph.doc_id].append(paragraph)
        for items in by_doc.values():
            items.sort(key=lambda p: p.order)
        return cls(documents, paragraphs, dict(by_doc))

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
