"""The Python API: ``Assistant(settings).ask(question)`` and ``.search(query)``."""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from assistant.answer import AnswerBackend, ExtractiveAnswerer
from assistant.catalog import Catalog
from assistant.errors import InvalidQuestion
from assistant.retrieval import Filters, HybridRetriever, RetrievalTrace, RetrievalWeights
from assistant.settings import Settings
from assistant.types import Answer, Document, Hit

MAX_QUESTION_CHARS = 2000
_ENGLISH_HINTS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "what",
        "which",
        "how",
        "does",
        "did",
        "on",
        "for",
        "are",
        "about",
    ]
)
_OTHER_HINTS = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "du",
        "est",
        "que",
        "quel",
        "quelle",
        "sur",
        "dans",
        "el",
        "los",
        "las",
        "del",
        "qué",
        "cuál",
        "sobre",
        "una",
        "por",
    ]
)
NOT_ENGLISH_NOTICE = (
    "The documents are indexed in English; a question in another language may find poor "
    "matches. Ask in English for best results."
)


def clean_question(question: str) -> str:
    """The question with control characters removed and spaces folded; rejects what cannot
    be a question."""
    if question is None:
        raise InvalidQuestion("the question is empty; type a question about the documents")
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in question)
    text = " ".join(text.split())
    if not text:
        raise InvalidQuestion("the question is empty; type a question about the documents")
    if len(text) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(
            f"the question is {len(text):,} characters long; keep it under "
            f"{MAX_QUESTION_CHARS:,} (ask about one topic at a time)"
        )
    if not re.search(r"\w", text):
        raise InvalidQuestion("the question has no words; type a question about the documents")
    return text


def language_notice(question: str) -> str | None:
    words = set(re.findall(r"[a-zà-ÿ]+", question.lower()))
    if len(words & _OTHER_HINTS) >= 2 and len(words & _OTHER_HINTS) > len(words & _ENGLISH_HINTS):
        return NOT_ENGLISH_NOTICE
    return None


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    document: Document
    paragraphs: int


class Assistant:
    """Answers questions from the index with paragraph citations.

    Heavy parts (model, Chroma, BM25) load on first use; ``warm_up()`` loads them now.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: object | None = None,
        backend: AnswerBackend | None = None,
        weights: RetrievalWeights | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self.backend: AnswerBackend = backend or ExtractiveAnswerer()
        self.weights = weights

    @cached_property
    def embedder(self) -> Any:
        if self._embedder is not None:
            return self._embedder
        from ingest.embedding import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(
            self.settings.embedding_model, self.settings.embed_batch_size
        )

    @cached_property
    def index(self) -> Any:
        from ingest.index import ParagraphIndex

        return ParagraphIndex(self.settings, self.embedder)

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog.from_nodes(self.index.iter_nodes())

    @cached_property
    def retriever(self) -> HybridRetriever:
        """Loads the model in a second thread while the catalogue comes out of Chroma and the
        BM25 index is built: on two cores that takes about a second off a cold start."""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as pool:
            loading = pool.submit(lambda: getattr(self.embedder, "model", None))
            retriever = HybridRetriever(self.index, self.catalog, self.embedder, self.weights)
            loading.result()
        return retriever

    def warm_up(self) -> Assistant:
        self.retriever.search("information society", k=1)
        return self

    def refresh(self) -> None:
        """Reload the catalogue and lexical index after the collection changed."""
        for name in ("catalog", "retriever"):
            self.__dict__.pop(name, None)
        self.index._collection = None

    def search(
        self, query: str, k: int | None = None, filters: Filters | None = None, mode: str = "hybrid"
    ) -> list[Hit]:
        return self.retriever.search(clean_question(query), k or self.settings.top_k, filters, mode)

    def ask(
        self,
        question: str,
        filters: Filters | None = None,
        k: int | None = None,
        mode: str = "hybrid",
    ) -> Answer:
        started = time.perf_counter()
        text = clean_question(question)
        trace = RetrievalTrace()
        hits = self.retriever.search(text, k or self.settings.top_k, filters, mode, trace)
        retrieved = time.perf_counter()
        body, cited, abstained = self.backend.answer(text, hits, trace)
        if abstained and hits:
            closest = "\n".join(f"- {h.citation}: {h.paragraph.text[:160]}…" for h in hits[:3])
            from assistant.answer import CLOSEST_LABEL

            body = f"{body}\n\n{CLOSEST_LABEL}\n{closest}"
        done = time.perf_counter()
        return Answer(
            question=text,
            text=body,
            abstained=abstained,
            citations=cited,
            hits=tuple(hits),
            timings_ms={
                "retrieve": (retrieved - started) * 1000,
                "answer": (done - retrieved) * 1000,
                "total": (done - started) * 1000,
            },
            notice=language_notice(text),
        )

    def documents(self) -> list[DocumentSummary]:
        from ingest.index import is_searchable

        out = []
        for doc_id, doc in self.catalog.documents.items():
            count = sum(1 for p in self.catalog.by_doc.get(doc_id, []) if is_searchable(p))
            out.append(DocumentSummary(doc, count))
        return sorted(out, key=lambda s: s.document.name)
