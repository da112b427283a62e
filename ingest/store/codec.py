"""Documents and paragraphs to Chroma metadata and back.

Every node carries its document's metadata and its paragraph's citation, so the collection
alone is enough to rebuild the catalogue of documents and paragraphs, in a server
deployment too. Chroma stores only flat strings, numbers and booleans: absent values are
written as "" or 0 and read back as None, and a paragraph's inserted wording is joined by a
record separator.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from corpus.model import Document, DocumentKind, Paragraph, ParagraphKind
from ingest.store.pieces import Piece

#: Joins the fragments of a paragraph's inserted wording in one metadata string.
_INSERTED_SEPARATOR = "\x1e"


def document_metadata(document: Document) -> dict[str, Any]:
    """What a node or a register record says about its document."""
    return {
        "doc_id": document.doc_id,
        "symbol": document.symbol or "",
        "title": document.title or "",
        "date": document.date or "",
        "dated": document.dated.isoformat() if document.dated else "",
        "doc_kind": document.kind.value,
        "path": document.path,
        "sha256": document.sha256,
        "pages": document.pages or 0,
    }


def node_metadata(document: Document, piece: Piece) -> dict[str, Any]:
    """A node's metadata: its document's, and its paragraph's citation and place."""
    p = piece.paragraph
    return {
        **document_metadata(document),
        "paragraph_id": p.id,
        "paragraph": p.label,
        "kind": p.kind.value,
        "part": p.part or "",
        "section": p.section,
        "page_start": p.page_start or 0,
        "page_end": p.page_end or 0,
        "char_start": p.char_start,
        "char_end": p.char_end,
        "order": p.order,
        "target": p.target or "",
        "inserted": _INSERTED_SEPARATOR.join(p.inserted),
        "piece": piece.number,
        "pieces": piece.count,
        "retrievable": p.searchable,
    }


def document_from_metadata(meta: dict[str, Any]) -> Document:
    return Document(
        doc_id=meta["doc_id"],
        path=meta["path"],
        sha256=meta["sha256"],
        symbol=meta["symbol"] or None,
        title=meta["title"] or None,
        date=meta["date"] or None,
        kind=DocumentKind(meta["doc_kind"]),
        pages=meta["pages"] or None,
        dated=date.fromisoformat(meta["dated"]) if meta.get("dated") else None,
    )


def paragraph_from_metadata(meta: dict[str, Any], text: str) -> Paragraph:
    return Paragraph(
        doc_id=meta["doc_id"],
        label=meta["paragraph"],
        kind=ParagraphKind(meta["kind"]),
        text=text,
        part=meta["part"] or None,
        section=meta["section"],
        page_start=meta["page_start"] or None,
        page_end=meta["page_end"] or None,
        char_start=meta["char_start"],
        char_end=meta["char_end"],
        order=meta["order"],
        target=meta["target"] or None,
        inserted=tuple(x for x in meta["inserted"].split(_INSERTED_SEPARATOR) if x),
    )
