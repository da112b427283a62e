"""The paragraph index: a Chroma collection written and queried through llama-index.

Each paragraph becomes one llama-index node, or several "pieces" when it is longer than the
model's input; every piece keeps the paragraph's citation. The document's metadata travels
on every node, so the collection alone is enough to rebuild the catalogue of documents and
paragraphs (for BM25, context views, coverage) in a server deployment too.

The collection's name and folder are derived from what shapes it (model, parser, piece
size), and its metadata records them again; opening it with other settings raises
:class:`StaleIndex` instead of mixing.
"""

from __future__ import annotations

import fcntl
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import IndexBusy, IndexMissing, StaleIndex
from assistant.settings import PARSER_VERSION, Settings
from assistant.types import Document, DocumentKind, Paragraph, ParagraphKind, ParsedDocument

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from ingest.embedding import Embedder

#: Paragraph kinds that answer questions; headings and footnotes are stored but not searched.
RETRIEVABLE_KINDS = frozenset(
    {
        ParagraphKind.PREAMBULAR,
        ParagraphKind.OPERATIVE,
        ParagraphKind.PROSE,
        ParagraphKind.AMENDMENT,
    }
)
GET_PAGE = 5000
#: Fewer words than this is a chapeau ("The General Assembly,") rather than an answer.
MIN_SEARCHABLE_WORDS = 4


def is_searchable(paragraph: Paragraph) -> bool:
    """Whether a paragraph can answer a question: the kinds that carry content, with words."""
    return (
        paragraph.kind in RETRIEVABLE_KINDS and len(paragraph.text.split()) >= MIN_SEARCHABLE_WORDS
    )


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
        the old one in place, it adds its own and then removes the old ones."""
        return f"{self.paragraph.id}-{self.version[:12]}-{self.number}"


def split_into_pieces(paragraph: Paragraph, max_tokens: int, count_tokens: Any) -> list[Piece]:
    """Split a paragraph longer than the model's input at sentence ends, never mid-sentence
    unless one sentence alone is too long."""
    if count_tokens(paragraph.text) <= max_tokens:
        return [Piece(paragraph, 0, 1, paragraph.text)]
    sentences = re.split(r"(?<=[.;:])\s+(?=[A-Z(“])|\n", paragraph.text)
    chunks: list[str] = []
    current = ""
    for sentence in sentences:
        candidate = f"{current} {sentence}".strip()
        if current and count_tokens(candidate) > max_tokens:
            chunks.append(current)
            current = sentence
        else:
            current = candidate
    if current:
        chunks.append(current)
    return [Piece(paragraph, i, len(chunks), text) for i, text in enumerate(chunks)]


def embedding_text(document: Document, paragraph: Paragraph, text: str) -> str:
    """What the model sees: the document's symbol, title and section give the paragraph its
    context, which a bare paragraph often lacks ("We decide to ...")."""
    head = " ".join(x for x in (document.symbol, document.title) if x)
    section = paragraph.section.split(" > ")[-1] if paragraph.section else ""
    return "\n".join(x for x in (head, section, text) if x)


def _node_metadata(document: Document, piece: Piece) -> dict[str, Any]:
    p = piece.paragraph
    return {
        "doc_id": document.doc_id,
        "symbol": document.symbol or "",
        "title": document.title or "",
        "date": document.date or "",
        "doc_kind": document.kind.value,
        "path": document.path,
        "sha256": document.sha256,
        "pages": document.pages or 0,
        "paragraph_id": p.id,
        "paragraph": p.paragraph,
        "kind": p.kind.value,
        "part": p.part or "",
        "section": p.section,
        "page_start": p.page_start or 0,
        "page_end": p.page_end or 0,
        "char_start": p.char_start,
        "char_end": p.char_end,
        "order": p.order,
        "target": p.target or "",
        "inserted": "\x1e".join(p.inserted),
        "piece": piece.number,
        "pieces": piece.count,
        "retrievable": is_searchable(p),
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
    )


def paragraph_from_metadata(meta: dict[str, Any], text: str) -> Paragraph:
    return Paragraph(
        doc_id=meta["doc_id"],
        paragraph=meta["paragraph"],
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
        inserted=tuple(x for x in meta["inserted"].split("\x1e") if x),
    )


class _ModelEmbeddingFunction:
    """Gives Chroma an explicit embedding function, so its default one (which downloads a
    model) can never run, even if a caller forgets to pass embeddings."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: list[str]) -> list[list[float]]:
        return self._embedder.embed_documents(list(input))

    def embed_query(self, input: list[str]) -> list[list[float]]:
        return [self._embedder.embed_query(text) for text in input]

    @staticmethod
    def name() -> str:
        return "wsis-sentence-transformer"

    def is_legacy(self) -> bool:
        return True


class ParagraphIndex:
    """Reads and writes the paragraph collection; the only module that talks to Chroma."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self._client: ClientAPI | None = None
        self._collection: Collection | None = None

    @property
    def collection_name(self) -> str:
        return f"wsis-{self.settings.index_name}"

    @property
    def expected_metadata(self) -> dict[str, Any]:
        return {
            "embedding_model": self.embedder.name,
            "parser_version": PARSER_VERSION,
            "max_piece_tokens": self.settings.max_piece_tokens,
        }

    @property
    def client(self) -> ClientAPI:
        if self._client is None:
            import chromadb

            chroma_settings = chromadb.Settings(anonymized_telemetry=False)
            url = self.settings.chroma_url
            if url:
                from urllib.parse import urlparse

                parsed = urlparse(url)
                self._client = chromadb.HttpClient(
                    host=parsed.hostname or "127.0.0.1",
                    port=parsed.port or 8000,
                    ssl=parsed.scheme == "https",
                    settings=chroma_settings,
                )
            else:
                path = self.settings.index_path
                path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        return self._client

    def collection(self, create: bool = False) -> Collection:
        if self._collection is not None:
            return self._collection
        function = _ModelEmbeddingFunction(self.embedder)
        if create:
            metadata = {"hnsw:space": "cosine", **self.expected_metadata}
            collection = self.client.get_or_create_collection(
                self.collection_name,
                embedding_function=function,  # type: ignore[arg-type]
                metadata=metadata,
            )
        else:
            if not self.exists():
                raise IndexMissing(
                    f"no index for {self.settings.index_name} at {self.location}; "
                    "run `wsis ingest` first"
                )
            collection = self.client.get_collection(
                self.collection_name,
                embedding_function=function,  # type: ignore[arg-type]
            )
        self._check_fresh(collection)
        self._collection = collection
        return collection

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.settings.index_path)

    def exists(self) -> bool:
        if (
            not self.settings.chroma_url
            and not (self.settings.index_path / "chroma.sqlite3").exists()
        ):
            return False
        names = {getattr(c, "name", c) for c in self.client.list_collections()}
        return self.collection_name in names

    def _check_fresh(self, collection: Collection) -> None:
        found = collection.metadata or {}
        for key, value in self.expected_metadata.items():
            if found.get(key) != value:
                raise StaleIndex(
                    f"the index at {self.location} was built with {key}={found.get(key)!r}, "
                    f"not {value!r}; run `wsis ingest --rebuild` to build it again"
                )

    @property
    def vector_store(self) -> ChromaVectorStore:
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self.collection())

    # -- writing -----------------------------------------------------------------------

    def pieces(self, parsed: ParsedDocument) -> list[Piece]:
        version = parsed.document.sha256
        out: list[Piece] = []
        for paragraph in parsed.paragraphs:
            if is_searchable(paragraph):
                pieces = split_into_pieces(
                    paragraph, self.settings.max_piece_tokens, self.embedder.count_tokens
                )
            else:
                pieces = [Piece(paragraph, 0, 1, paragraph.text)]
            out.extend(replace(p, version=version) for p in pieces)
        return out

    def embed(self, batch: Sequence[ParsedDocument]) -> list[dict[str, list[float]]]:
        """Vectors of the searchable pieces of several documents, embedded in one pass."""
        jobs: list[tuple[int, str, str, str]] = []
        for parsed in batch:
            for piece in self.pieces(parsed):
                if is_searchable(piece.paragraph):
                    text = embedding_text(parsed.document, piece.paragraph, piece.text)
                    jobs.append((len(jobs), parsed.document.doc_id, piece.node_id, text))
        vectors = self.embedder.embed_documents([text for *_, text in jobs])
        out: dict[str, dict[str, list[float]]] = {p.document.doc_id: {} for p in batch}
        for (_, doc_id, node_id, _), vector in zip(jobs, vectors, strict=True):
            out[doc_id][node_id] = vector
        return [out[p.document.doc_id] for p in batch]

    def add_document(
        self, parsed: ParsedDocument, vectors: dict[str, list[float]] | None = None
    ) -> int:
        """Write a document's paragraphs, then drop what an earlier version left behind.

        New nodes go in before old ones go out, so a crash in between leaves the document
        answerable; the next ingest finishes the replacement.
        """
        from llama_index.core.schema import BaseNode, NodeRelationship, RelatedNodeInfo, TextNode

        document = parsed.document
        pieces = self.pieces(parsed)
        if vectors is None:
            vectors = self.embed([parsed])[0]
        dimension = len(next(iter(vectors.values()))) if vectors else self.dimension
        nodes: list[BaseNode] = []
        for piece in pieces:
            node = TextNode(
                id_=piece.node_id,
                text=piece.text,
                metadata=_node_metadata(document, piece),
                embedding=vectors.get(piece.node_id) or [0.0] * dimension,
            )
            node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=document.doc_id)
            nodes.append(node)
        store = self.vector_store
        for start in range(0, len(nodes), GET_PAGE):
            store.add(nodes[start : start + GET_PAGE])
        keep = {n.id_ for n in nodes}
        stale = [i for i in self._ids(where={"doc_id": document.doc_id}) if i not in keep]
        if stale:
            self.collection().delete(ids=stale)
        return len(vectors)

    @cached_property
    def dimension(self) -> int:
        return len(self.embedder.embed_query("dimension"))

    def remove_document(self, doc_id: str) -> None:
        self.collection().delete(where={"doc_id": doc_id})

    def _ids(self, where: dict[str, Any] | None = None) -> list[str]:
        collection = self.collection()
        ids: list[str] = []
        offset = 0
        while True:
            batch = collection.get(where=where, include=[], limit=GET_PAGE, offset=offset)
            ids.extend(batch["ids"])
            if len(batch["ids"]) < GET_PAGE:
                return ids
            offset += GET_PAGE

    # -- reading -----------------------------------------------------------------------

    def iter_nodes(self, include_text: bool = True) -> Iterator[tuple[str, dict[str, Any], str]]:
        """Every stored node as (id, metadata, text), page by page."""
        collection = self.collection()
        include: list[Any] = ["metadatas", "documents"] if include_text else ["metadatas"]
        offset = 0
        while True:
            batch = collection.get(include=include, limit=GET_PAGE, offset=offset)
            texts = batch.get("documents") or [""] * len(batch["ids"])
            for node_id, meta, text in zip(
                batch["ids"], batch["metadatas"] or [], texts, strict=True
            ):
                yield node_id, dict(meta), text or ""
            if len(batch["ids"]) < GET_PAGE:
                return
            offset += GET_PAGE

    def indexed_documents(self) -> dict[str, frozenset[str]]:
        """doc_id -> the file versions (sha256) its nodes come from. More than one version
        means a replacement was interrupted; ingest then finishes it."""
        out: dict[str, set[str]] = {}
        for _, meta, _ in self.iter_nodes(include_text=False):
            out.setdefault(meta["doc_id"], set()).add(meta["sha256"])
        return {doc_id: frozenset(versions) for doc_id, versions in out.items()}

    def count(self) -> int:
        return self.collection().count()

    def totals(self) -> tuple[int, int]:
        """(documents, searchable paragraphs) in the index."""
        docs: set[str] = set()
        paragraphs: set[str] = set()
        for _, meta, _ in self.iter_nodes(include_text=False):
            docs.add(meta["doc_id"])
            if meta["retrievable"]:
                paragraphs.add(meta["paragraph_id"])
        return len(docs), len(paragraphs)

    def dense_query(
        self, embedding: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """(paragraph id, cosine similarity) of the nearest pieces.

        Asks the collection for ids, metadata and distances only: rebuilding full llama-index
        nodes for every candidate costs more than the search. Without a filter, headings and
        footnotes come back too (a metadata filter makes Chroma's search two to three times
        slower); callers keep the paragraphs they search.
        """
        result = self.collection().query(
            query_embeddings=[list(embedding)],  # type: ignore[arg-type]
            n_results=k,
            where=where,
            include=["metadatas", "distances"],
        )
        metadatas = (result.get("metadatas") or [[]])[0]
        distances = (result.get("distances") or [[]])[0]
        return [
            (str(meta["paragraph_id"]), 1.0 - float(distance))
            for meta, distance in zip(metadatas, distances, strict=True)
        ]

    def reset(self) -> None:
        """Drop the collection, for a rebuild."""
        if self.exists():
            self.client.delete_collection(self.collection_name)
        self._collection = None

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the index for writing; a second concurrent ingest is refused, not interleaved."""
        if self.settings.chroma_url:
            yield
            return
        lock_path = Path(self.settings.index_path) / ".ingest.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise IndexBusy(
                    f"another ingest is writing {self.location}; wait for it to finish"
                ) from exc
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


__all__ = ["RETRIEVABLE_KINDS", "ParagraphIndex", "Piece", "is_searchable", "split_into_pieces"]
