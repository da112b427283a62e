"""The paragraph index: a Chroma collection written and queried through llama-index.

Each paragraph becomes one llama-index node, or several pieces when it is longer than the
model's input (:mod:`ingest.store.pieces`); every node carries its document's metadata and
its paragraph's citation (:mod:`ingest.store.codec`).

The collection's name and folder are derived from what shapes it (model, parser, piece
size), and its metadata records them again; opening it with other settings raises
:class:`StaleIndex` instead of mixing.

A second, small collection is the register of documents: one record per document naming the
file version (sha256) whose paragraphs are live. Writing a document adds its new nodes,
then switches the register to the new version in one record, then deletes the old nodes;
readers see only the nodes of registered versions. A write that is killed at any moment
therefore leaves each document either as it was or as it became, and a "pending" record
tells the next writer what to clean up. One writer at a time holds the index
(:mod:`ingest.store.locks`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from corpus.errors import IndexMissing, StaleIndex
from corpus.model import Document, Paragraph, ParsedDocument
from corpus.settings import INDEX_FORMAT, PARSER_VERSION, Settings
from ingest.store.client import ModelEmbeddingFunction, connect
from ingest.store.codec import (
    document_from_metadata,
    document_metadata,
    node_metadata,
    paragraph_from_metadata,
)
from ingest.store.locks import file_lock, remove_lock, server_lock
from ingest.store.pieces import Piece, embedding_text, paragraph_id_of, split_into_pieces

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from ingest.embedding import Embedder

GET_PAGE = 5000
READ_GROUP = 50
#: Register records of writes in progress are stored under this prefix.
PENDING = "pending:"
#: Register records are looked up by id, never by vector; Chroma still wants one.
_NO_VECTOR: list[Sequence[float]] = [[1.0]]


class ParagraphIndex:
    """Reads and writes the paragraph collection and its register: the rest of the project
    reaches the index only through this class."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self._client: ClientAPI | None = None
        self._collection: Collection | None = None
        self._register: Collection | None = None

    @property
    def collection_name(self) -> str:
        return f"wsis-{self.settings.index_name}"

    @property
    def register_name(self) -> str:
        return f"{self.collection_name}-documents"

    @property
    def lock_name(self) -> str:
        return f"{self.collection_name}-lock"

    @property
    def expected_metadata(self) -> dict[str, Any]:
        return {
            "embedding_model": self.embedder.name,
            "parser_version": PARSER_VERSION,
            "index_format": INDEX_FORMAT,
            "max_piece_tokens": self.settings.max_piece_tokens,
        }

    @property
    def client(self) -> ClientAPI:
        if self._client is None:
            self._client = connect(self.settings)
        return self._client

    def collection(self, create: bool = False) -> Collection:
        if self._collection is not None:
            return self._collection
        function = ModelEmbeddingFunction(self.embedder)
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

    def reopen(self) -> None:
        """Forget the open collections, so the next read sees what others wrote."""
        self._collection = None
        self._register = None

    @property
    def register(self) -> Collection:
        """The register of documents: which file version of each is live. Its records carry
        no meaningful vector, so it has no embedding function at all."""
        if self._register is None:
            self.collection()
            self._register = self.client.get_or_create_collection(
                self.register_name, embedding_function=None
            )
        return self._register

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
            if paragraph.searchable:
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
                if piece.paragraph.searchable:
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
        """Write one document; see :meth:`add_documents`."""
        if vectors is None:
            vectors = self.embed([parsed])[0]
        return self.add_documents([(parsed, vectors)])

    def add_documents(self, batch: Sequence[tuple[ParsedDocument, dict[str, list[float]]]]) -> int:
        """Write documents' paragraphs, make them the live versions, then drop what earlier
        versions left behind; the number of vectors written.

        Until the register switches to the new versions, readers keep seeing the old ones;
        a crash at any step leaves pending records, and the next write finishes the job.
        Writing several documents at once saves Chroma a commit per document.
        """
        from llama_index.core.schema import BaseNode, NodeRelationship, RelatedNodeInfo, TextNode

        if not batch:
            return 0
        nodes: list[BaseNode] = []
        for parsed, vectors in batch:
            document = parsed.document
            dimension = len(next(iter(vectors.values()))) if vectors else self.dimension
            for piece in self.pieces(parsed):
                node = TextNode(
                    id_=piece.node_id,
                    text=piece.text,
                    metadata=node_metadata(document, piece),
                    embedding=vectors.get(piece.node_id) or [0.0] * dimension,
                )
                node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(
                    node_id=document.doc_id
                )
                nodes.append(node)
        documents = [parsed.document for parsed, _ in batch]
        earlier = self.indexed_documents_among([d.doc_id for d in documents])
        self._begin(documents)
        store = self.vector_store
        for start in range(0, len(nodes), GET_PAGE):
            store.add(nodes[start : start + GET_PAGE])
        self.register.upsert(
            ids=[d.doc_id for d in documents],
            embeddings=_NO_VECTOR * len(documents),
            metadatas=[{**document_metadata(d), "committed_at": time.time()} for d in documents],
        )
        self._finish([d.doc_id for d in documents if d.doc_id in earlier])
        self.register.delete(ids=[PENDING + d.doc_id for d in documents])
        return sum(len(vectors) for _, vectors in batch)

    def remove_document(self, doc_id: str) -> None:
        self._begin([doc_id])
        self.register.delete(ids=[doc_id])
        self._finish([doc_id])
        self.register.delete(ids=[PENDING + doc_id])

    def _begin(self, documents: Sequence[Document | str]) -> None:
        """Record that these documents are being written (or, given by id, removed)."""
        ids = [d if isinstance(d, str) else d.doc_id for d in documents]
        versions = ["" if isinstance(d, str) else d.sha256 for d in documents]
        self.register.upsert(
            ids=[PENDING + doc_id for doc_id in ids],
            embeddings=_NO_VECTOR * len(ids),
            metadatas=[
                {"doc_id": doc_id, "sha256": version, "started_at": time.time()}
                for doc_id, version in zip(ids, versions, strict=True)
            ],
        )

    def _finish(self, doc_ids: Sequence[str]) -> None:
        """Delete every node of these documents that is not of their live version (all of
        them for a document that has none)."""
        live = self.indexed_documents_among(doc_ids)
        for doc_id in doc_ids:
            where: dict[str, Any] = {"doc_id": doc_id}
            if doc_id in live:
                where = {"$and": [{"doc_id": doc_id}, {"sha256": {"$ne": live[doc_id]}}]}
            stale = self._ids(where=where)
            for start in range(0, len(stale), GET_PAGE):
                self.collection().delete(ids=stale[start : start + GET_PAGE])

    def recover(self) -> list[str]:
        """Finish the writes a killed ingest or upload left pending; the documents touched."""
        pending = [
            record_id[len(PENDING) :]
            for record_id, _ in self._register_records()
            if record_id.startswith(PENDING)
        ]
        if pending:
            self._finish(pending)
            self.register.delete(ids=[PENDING + doc_id for doc_id in pending])
        return pending

    @cached_property
    def dimension(self) -> int:
        return len(self.embedder.embed_query("dimension"))

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

    def _register_records(self) -> list[tuple[str, dict[str, Any]]]:
        records: list[tuple[str, dict[str, Any]]] = []
        offset = 0
        while True:
            batch = self.register.get(include=["metadatas"], limit=GET_PAGE, offset=offset)
            records.extend(
                (record_id, dict(meta))
                for record_id, meta in zip(batch["ids"], batch["metadatas"] or [], strict=True)
            )
            if len(batch["ids"]) < GET_PAGE:
                return records
            offset += GET_PAGE

    def live_documents(self) -> dict[str, Document]:
        """doc_id -> the registered version of every document in the index."""
        return {
            record_id: document_from_metadata(meta)
            for record_id, meta in self._register_records()
            if not record_id.startswith(PENDING)
        }

    def indexed_documents_among(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """doc_id -> live sha256, for those of these documents that are in the index."""
        if not doc_ids:
            return {}
        found = self.register.get(ids=list(doc_ids), include=["metadatas"])
        return {
            record_id: str(meta["sha256"])
            for record_id, meta in zip(found["ids"], found["metadatas"] or [], strict=True)
        }

    def indexed_documents(self) -> dict[str, str]:
        """doc_id -> the sha256 of the file version whose paragraphs are live."""
        return {doc_id: doc.sha256 for doc_id, doc in self.live_documents().items()}

    def iter_nodes(self, include_text: bool = True) -> Iterator[tuple[str, dict[str, Any], str]]:
        """Every stored node as (id, metadata, text), page by page, whatever its version."""
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

    def live_nodes(
        self, documents: dict[str, Document] | None = None, include_text: bool = True
    ) -> Iterator[tuple[str, dict[str, Any], str]]:
        """The nodes of the registered version of each document, read a group of documents at
        a time through the metadata index (paging by offset rescans every skipped row, and
        slows as the index grows); leftovers of an interrupted write are never shown."""
        live = (
            self.indexed_documents()
            if documents is None
            else {doc_id: doc.sha256 for doc_id, doc in documents.items()}
        )
        collection = self.collection()
        include: list[Any] = ["metadatas", "documents"] if include_text else ["metadatas"]
        doc_ids = sorted(live)
        for start in range(0, len(doc_ids), READ_GROUP):
            group = doc_ids[start : start + READ_GROUP]
            batch = collection.get(where=_among(group), include=include)
            texts = batch.get("documents") or [""] * len(batch["ids"])
            for node_id, meta, text in zip(
                batch["ids"], batch["metadatas"] or [], texts, strict=True
            ):
                if live.get(str(meta["doc_id"])) == meta["sha256"]:
                    yield node_id, dict(meta), text or ""

    def count(self) -> int:
        return self.collection().count()

    def totals(self) -> tuple[int, int]:
        """(documents, searchable paragraphs) in the index."""
        documents = self.live_documents()
        paragraphs = {
            meta["paragraph_id"]
            for _, meta, _ in self.live_nodes(documents, include_text=False)
            if meta["retrievable"]
        }
        return len(documents), len(paragraphs)

    def piece_embeddings(self, doc_ids: Sequence[str]) -> dict[str, list[tuple[str, list[float]]]]:
        """doc_id -> (paragraph id, embedding) of every piece of each of these documents, in
        one read: a document a question names is scored whole rather than through the
        nearest-neighbour search."""
        return self._piece_embeddings(doc_ids, searchable_only=False)

    def _piece_embeddings(
        self, doc_ids: Sequence[str], searchable_only: bool
    ) -> dict[str, list[tuple[str, list[float]]]]:
        found: dict[str, list[tuple[str, list[float]]]] = {doc_id: [] for doc_id in doc_ids}
        if not doc_ids:
            return found
        result = self.collection().get(where=_among(doc_ids), include=["embeddings", "metadatas"])
        embeddings = result.get("embeddings")
        if embeddings is None:
            return found
        for meta, vector in zip(result.get("metadatas") or [], embeddings, strict=True):
            if meta["retrievable"] or not searchable_only:
                found[str(meta["doc_id"])].append((str(meta["paragraph_id"]), list(vector)))
        return found

    def dense_query(
        self, embedding: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """(paragraph id, cosine similarity) of the nearest pieces.

        Asks the collection for ids and distances only, and reads each paragraph's id from
        its node's id: fetching the candidates' metadata costs five times the search itself,
        and rebuilding full llama-index nodes more still. Without a filter, headings and
        footnotes come back too (a metadata filter makes Chroma's search two to three times
        slower); callers keep the paragraphs they search.
        """
        result = self.collection().query(
            query_embeddings=[list(embedding)],  # type: ignore[arg-type]
            n_results=k,
            where=where,
            include=["distances"],
        )
        ids = result["ids"][0] if result["ids"] else []
        distances = (result.get("distances") or [[]])[0]
        return [
            (paragraph_id_of(node_id), 1.0 - float(distance))
            for node_id, distance in zip(ids, distances, strict=True)
        ]

    # -- what answering reads: the paragraph store interface of ``assistant.store`` -------

    def live_paragraphs(self, documents: Mapping[str, Document]) -> list[Paragraph]:
        """Every paragraph of these documents, whole (the pieces of a long one, slices of its
        text, joined back in order), in no set order."""
        pieces: dict[str, list[tuple[int, str]]] = defaultdict(list)
        metas: dict[str, dict[str, Any]] = {}
        for _, meta, text in self.live_nodes(dict(documents)):
            pieces[meta["paragraph_id"]].append((meta["piece"], text))
            metas.setdefault(meta["paragraph_id"], meta)
        return [
            paragraph_from_metadata(metas[paragraph_id], "".join(t for _, t in sorted(parts)))
            for paragraph_id, parts in pieces.items()
        ]

    def nearest(
        self, vector: Sequence[float], k: int, doc_ids: Iterable[str] | None = None
    ) -> list[tuple[str, float]]:
        """:meth:`dense_query`, over the pieces of these documents only when ``doc_ids`` is
        not None."""
        if doc_ids is None:
            return self.dense_query(vector, k)
        wanted = sorted(doc_ids)
        return self.dense_query(vector, k, _among(wanted)) if wanted else []

    def piece_vectors(self, doc_ids: Sequence[str]) -> dict[str, list[tuple[str, list[float]]]]:
        """:meth:`piece_embeddings` of the searchable paragraphs only."""
        return self._piece_embeddings(doc_ids, searchable_only=True)

    def reset(self) -> None:
        """Drop the collection and its register, for a rebuild."""
        if self.exists():
            self.client.delete_collection(self.collection_name)
        names = {getattr(c, "name", c) for c in self.client.list_collections()}
        if self.register_name in names:
            self.client.delete_collection(self.register_name)
        self.reopen()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the index for writing; a second concurrent ingest is refused, not interleaved.
        Whatever a killed writer left pending is finished first."""
        if self.settings.chroma_url:
            hold = server_lock(self.client, self.lock_name, self.location)
        else:
            hold = file_lock(self.settings.index_path, self.location)
        with hold:
            if self.exists():
                self.recover()
            yield

    def break_lock(self) -> None:
        """Remove a server lock whose writer is gone."""
        if not self.settings.chroma_url:
            return
        remove_lock(self.client, self.lock_name)


def _among(doc_ids: Sequence[str]) -> dict[str, Any]:
    """A metadata filter for the nodes of these documents."""
    return {"doc_id": {"$in": list(doc_ids)}}
