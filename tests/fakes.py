"""Small implementations of the product's interfaces, for tests where the thing faked is not
what the test is about: an in-memory :class:`~assistant.store.ParagraphStore` and an
embedder whose vectors are word counts hashed into a few dimensions (deterministic, instant,
and close for texts that share words)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence

import numpy as np

from corpus.model import Document, Paragraph, ParsedDocument

DIMENSIONS = 64


class WordHashEmbedder:
    """An :class:`~ingest.embedding.Embedder` of bags of words: texts sharing words are
    near."""

    name = "word-hash"

    def _vector(self, text: str) -> list[float]:
        vector = np.zeros(DIMENSIONS, dtype=np.float64)
        for word in re.findall(r"[a-z]{3,}", text.lower()):
            bucket = int(hashlib.md5(word.encode()).hexdigest(), 16) % DIMENSIONS
            vector[bucket] += 1.0
        norm = float(np.linalg.norm(vector))
        return (vector / norm if norm else vector).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    def count_tokens(self, text: str) -> int:
        return len(text.split())


class MemoryStore:
    """A :class:`~assistant.store.ParagraphStore` over parsed documents held in memory, one
    piece per searchable paragraph, embedded by ``embedder`` or given as ``pieces`` (paragraph
    id -> vectors of its pieces). Records which documents' pieces were read."""

    def __init__(
        self,
        parsed: Iterable[ParsedDocument],
        embedder: WordHashEmbedder | None = None,
        pieces: Mapping[str, Sequence[Sequence[float]]] | None = None,
    ) -> None:
        items = list(parsed)
        self.documents: dict[str, Document] = {p.document.doc_id: p.document for p in items}
        self.paragraphs: list[Paragraph] = [q for p in items for q in p.paragraphs]
        searchable = [p for p in self.paragraphs if p.searchable]
        if pieces is None:
            embedder = embedder or WordHashEmbedder()
            vectors = embedder.embed_documents([p.text for p in searchable])
            pieces = {p.id: [v] for p, v in zip(searchable, vectors, strict=True)}
        doc_of = {p.id: p.doc_id for p in self.paragraphs}
        self.pieces = [
            (pid, doc_of.get(pid, ""), np.asarray(v, dtype=np.float64))
            for pid, vectors in pieces.items()
            for v in vectors
        ]
        self.piece_reads: list[str] = []
        self.reopened = 0

    def live_documents(self) -> dict[str, Document]:
        return dict(self.documents)

    def live_paragraphs(self, documents: Mapping[str, Document]) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.doc_id in documents]

    def nearest(
        self, vector: Sequence[float], k: int, doc_ids: Collection[str] | None = None
    ) -> list[tuple[str, float]]:
        query = np.asarray(vector, dtype=np.float64)
        scored = [
            (pid, float(v @ query / (np.linalg.norm(v) * np.linalg.norm(query) or 1.0)))
            for pid, doc_id, v in self.pieces
            if doc_ids is None or doc_id in doc_ids
        ]
        return sorted(scored, key=lambda s: -s[1])[:k]

    def piece_vectors(self, doc_ids: Sequence[str]) -> dict[str, list[tuple[str, list[float]]]]:
        self.piece_reads.extend(doc_ids)
        return {
            doc_id: [(pid, v.tolist()) for pid, owner, v in self.pieces if owner == doc_id]
            for doc_id in doc_ids
        }

    def reopen(self) -> None:
        self.reopened += 1


class WordOverlapScorer:
    """A :class:`~assistant.reader.reading.Scorer` that counts shared words: a logit of
    (shared content words - 2), so a text sharing three or more words "answers"."""

    def logits(self, question: str, texts: Sequence[str]) -> list[float]:
        wanted = {w for w in re.findall(r"[a-z]{4,}", question.lower())}
        return [float(len(wanted & set(re.findall(r"[a-z]{4,}", t.lower()))) - 2) for t in texts]


class ScriptedJudge:
    """A :class:`~assistant.reader.judges.Judge` that answers from a script: P(yes) by
    paragraph text, a reply by the text of the chat's last message that holds it (a
    translation by the question), or raises the failure it is given."""

    name = "scripted"

    def __init__(
        self,
        verdicts: dict[str, float] | None = None,
        failure: Exception | None = None,
        replies: dict[str, str] | None = None,
    ):
        self.verdicts = verdicts or {}
        self.failure = failure
        self.replies = replies or {}
        self.asked: list[tuple[str, str]] = []
        self.chats: list[list[dict[str, str]]] = []
        #: Whether it says it is judging for another question.
        self.occupied = False

    def generate(
        self,
        messages: Sequence[Mapping[str, str]],
        max_tokens: int,
        timeout_s: float,
        stop: Sequence[str] = (),
    ) -> str:
        self.chats.append([dict(m) for m in messages])
        if self.failure is not None:
            raise self.failure
        last = messages[-1]["content"]
        return next((reply for text, reply in self.replies.items() if text in last), "")

    def busy(self) -> bool:
        return self.occupied

    def warm_up(self) -> None:
        if self.failure is not None:
            raise self.failure

    def judge(self, question: str, paragraph_text: str, timeout_s: float) -> float:
        self.asked.append((question, paragraph_text))
        if self.failure is not None:
            raise self.failure
        return self.verdicts.get(paragraph_text, 0.5)

    def verdict(self, messages: Sequence[Mapping[str, str]], timeout_s: float) -> float:
        """P(yes) by a text of ``verdicts`` that the chat's last message holds (a statement
        checked against paragraphs)."""
        self.chats.append([dict(m) for m in messages])
        if self.failure is not None:
            raise self.failure
        last = messages[-1]["content"]
        return next((p for text, p in self.verdicts.items() if text in last), 0.5)
