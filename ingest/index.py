"""The paragraph index: a Chroma collection written and queried through llama-index.

Each paragraph becomes one llama-index node, or several "pieces" when it is longer than the
model's input; every piece keeps the paragraph's citation. The document's metadata travels
on every node, so the collection alone is enough to rebuild the catalogue of documents and
paragraphs (for BM25, context views, coverage) in a server deployment too.

The collection's name and folder are derived from what shapes it (model, parser, piece
size), and its metadata records them again; opening it with other settings raises
:class:`StaleIndex` instead of mixing.

A second, small collection is the register of documents: one record per document naming the
file version (sha256) whose paragraphs are live. Writing a document adds its new nodes,
then switches the register to the new version in one record, then deletes the old nodes;
readers see only the nodes of registered versions. A write that is killed at any moment
therefore leaves each document either as it was or as it became, and a "pending" record
tells the next writer what to clean up.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import re
import socket
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.errors import IndexBusy, IndexMissing, IndexUnreachable, StaleIndex
from corpus.model import Document, DocumentKind, Paragraph, ParagraphKind, ParsedDocument
from corpus.settings import INDEX_FORMAT, PARSER_VERSION, Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from ingest.embedding import Embedder

GET_PAGE = 5000
READ_GROUP = 50
#: Register records of writes in progress are stored under this prefix.
PENDING = "pending:"
#: Where a long paragraph may be cut into pieces: after a sentence, or at a line break.
_SENTENCE_BREAK = re.compile(r"(?<=[.;:])\s+(?=[A-Z(“])|\n")
#: Register records are looked up by id, never by vector; Chroma still wants one.
_NO_VECTOR: list[Sequence[float]] = [[1.0]]


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


def split_into_pieces(paragraph: Paragraph, max_tokens: int, count_tokens: Any) -> list[Piece]:
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


def _document_metadata(document: Document) -> dict[str, Any]:
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


def _node_metadata(document: Document, piece: Piece) -> dict[str, Any]:
    p = piece.paragraph
    return {
        **_document_metadata(document),
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
        "inserted": "\x1e".join(p.inserted),
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
            import chromadb

            chroma_settings = chromadb.Settings(anonymized_telemetry=False)
            url = self.settings.chroma_url
            if url:
                from urllib.parse import urlparse

                parsed = urlparse(url)
                try:
                    self._client = chromadb.HttpClient(
                        host=parsed.hostname or "127.0.0.1",
                        port=parsed.port or 8000,
                        ssl=parsed.scheme == "https",
                        settings=chroma_settings,
                    )
                    self._client.heartbeat()
                except Exception as exc:
                    self._client = None
                    raise IndexUnreachable(
                        f"the Chroma server at {url} does not answer ({type(exc).__name__}); "
                        "start it with `chroma run --path DIR --host 127.0.0.1 --port PORT` "
                        "or check WSIS_CHROMA_URL"
                    ) from exc
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
                    metadata=_node_metadata(document, piece),
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
            metadatas=[{**_document_metadata(d), "committed_at": time.time()} for d in documents],
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
        found: dict[str, list[tuple[str, list[float]]]] = {doc_id: [] for doc_id in doc_ids}
        if not doc_ids:
            return found
        result = self.collection().get(where=_among(doc_ids), include=["embeddings", "metadatas"])
        embeddings = result.get("embeddings")
        if embeddings is None:
            return found
        for meta, vector in zip(result.get("metadatas") or [], embeddings, strict=True):
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
        hold = self._server_lock if self.settings.chroma_url else self._file_lock
        with hold():
            if self.exists():
                self.recover()
            yield

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
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

    @contextmanager
    def _server_lock(self) -> Iterator[None]:
        """A lock on a shared server: a collection only one writer can create. A lock left by
        a process of this machine that no longer runs is taken over."""
        from chromadb.errors import ChromaError

        holder = {"host": socket.gethostname(), "pid": os.getpid(), "since": time.time()}
        for attempt in range(2):
            try:
                self.client.create_collection(
                    self.lock_name, metadata=holder, embedding_function=None
                )
                break
            except ChromaError as exc:
                found = self._lock_holder()
                if attempt == 0 and found is not None and _abandoned(found):
                    self.break_lock()
                    continue
                raise IndexBusy(
                    f"another ingest is writing {self.location} ({_describe(found)}); wait for "
                    "it to finish, or if it was stopped, run `wsis ingest --break-lock`"
                ) from exc
        try:
            yield
        finally:
            self.break_lock()

    def _lock_holder(self) -> dict[str, Any] | None:
        try:
            return dict(self.client.get_collection(self.lock_name).metadata or {})
        except Exception:
            return None

    def break_lock(self) -> None:
        """Remove a server lock whose writer is gone."""
        if not self.settings.chroma_url:
            return
        names = {getattr(c, "name", c) for c in self.client.list_collections()}
        if self.lock_name in names:
            self.client.delete_collection(self.lock_name)


def _among(doc_ids: Sequence[str]) -> dict[str, Any]:
    """A metadata filter for the nodes of these documents."""
    return {"doc_id": {"$in": list(doc_ids)}}


def _abandoned(holder: dict[str, Any]) -> bool:
    """A lock taken by a process of this machine that has ended."""
    if holder.get("host") != socket.gethostname():
        return False
    try:
        os.kill(int(holder.get("pid", 0)), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError):
        return False
    return False


def _describe(holder: dict[str, Any] | None) -> str:
    if not holder:
        return "holder unknown"
    since = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(holder.get("since", 0))))
    return f"process {holder.get('pid')} on {holder.get('host')}, since {since}"


__all__ = [
    "ParagraphIndex",
    "Piece",
    "paragraph_id_of",
    "split_into_pieces",
]
