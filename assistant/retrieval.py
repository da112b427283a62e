"""Hybrid retrieval: dense (Chroma through llama-index) and lexical (BM25), fused.

Fusion is a weighted sum of scores on absolute scales rather than of ranks: the dense score
is the cosine similarity, and the BM25 score is divided by the best score the query could
reach (every query term at saturation). A lexical list that found nothing then adds almost
nothing, instead of pushing its arbitrary top items level with a strong dense hit, as
rank-based fusion does.

Documents a question names ("the Pact", "resolution 79/277", "the 2025 ICT resolution") are
boosted, searched whole rather than only through the nearest neighbours, and the best
paragraph of each leads the hits; documents dated in a month the question names ("In
December 2023, ...") get a smaller boost. Direct references ("paragraph 45 of A/RES/80/173")
are returned first. BM25 also looks for the spelled-out acronyms and the UN wording of plain
words ("funding" -> "financing") the question uses.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

import numpy as np

from assistant.answers import Hit
from assistant.catalog import Catalog
from assistant.references import (
    NamedDocument,
    NamedSeries,
    NamedSubject,
    expand_acronyms,
    expansions,
    month_year_mentions,
    named_documents,
    named_series,
    named_subjects,
    paragraph_references,
    un_wording,
    without_document_names,
)
from corpus.model import Document, DocumentKind, Paragraph, ParagraphKind

if TYPE_CHECKING:
    from ingest.embedding import Embedder
    from ingest.index import ParagraphIndex

MODES = ("hybrid", "dense", "bm25")


@dataclass(frozen=True, slots=True)
class Filters:
    """Narrow a search: document kinds, specific documents (symbol or id), a date range."""

    kinds: tuple[DocumentKind, ...] = ()
    documents: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    def __bool__(self) -> bool:
        return bool(self.kinds or self.documents or self.date_from or self.date_to)


@dataclass(frozen=True, slots=True)
class RetrievalWeights:
    """Tuned on the development half of the shipped test set (see eval/README.md)."""

    dense: float = 0.4
    lexical: float = 0.6
    named_document_boost: float = 0.2
    #: BM25 is divided by max(best score of the query, lexical_floor x the best score it
    #: could reach): a strong lexical list is scaled to 1, a weak one stays small.
    lexical_floor: float = 0.35
    #: Subtracted from preambular paragraphs: long "Recalling ..." paragraphs name many
    #: topics and otherwise win too often over the operative paragraph that decides.
    preambular_penalty: float = 0.1
    #: Added to documents dated in a month the question names ("In December 2023, ...").
    dated_document_boost: float = 0.2
    candidates: int = 80


#: Words that say how something is asked, not what about: left out of BM25 and of the
#: evidence for abstention, so "What did ... say about ..." weighs only its topic.
QUESTION_WORDS = frozenset(
    [
        "say",
        "says",
        "said",
        "tell",
        "tells",
        "told",
        "ask",
        "asks",
        "asked",
        "mention",
        "mentions",
        "mentioned",
        "cite",
        "cites",
        "quote",
        "quotes",
        "please",
        "anything",
        "something",
        "text",
        "document",
        "documents",
    ]
)


@lru_cache(maxsize=1)
def stop_words() -> list[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return sorted(set(STOPWORDS_EN_PLUS) | QUESTION_WORDS)


def _tokens(text: str, stemmer: object) -> list[str]:
    return _tokenize([text], stemmer)[0]


def _tokenize(texts: Sequence[str], stemmer: object) -> list[list[str]]:
    import bm25s

    return bm25s.tokenize(
        list(texts), stopwords=stop_words(), stemmer=stemmer, return_ids=False, show_progress=False
    )


def lexical_text(document: Document, paragraph: Paragraph) -> str:
    """What BM25 indexes: the paragraph with its document's symbol, title and section."""
    return " ".join(
        x for x in (document.symbol, document.title, paragraph.section, paragraph.text) if x
    )


class LexicalIndex:
    """BM25 (bm25s, Snowball stemming, English stop words) over the searchable paragraphs."""

    def __init__(self, catalog: Catalog, k1: float = 1.2, b: float = 0.5) -> None:
        import bm25s
        import Stemmer

        self.stemmer = Stemmer.Stemmer("english")

        self.paragraphs = [p for p in catalog.paragraphs.values() if p.searchable]
        self.k1 = k1
        corpus = [lexical_text(catalog.documents[p.doc_id], p) for p in self.paragraphs]
        tokenized = bm25s.tokenize(
            corpus,
            stopwords=stop_words(),
            stemmer=self.stemmer,
            return_ids=False,
            show_progress=False,
        )
        self.document_frequency: Counter[str] = Counter()
        self.token_sets = [frozenset(tokens) for tokens in tokenized]
        for tokens in self.token_sets:
            self.document_frequency.update(tokens)
        self.size = len(tokenized)
        self.retriever = bm25s.BM25(k1=k1, b=b)
        if self.size:
            self.retriever.index(tokenized, show_progress=False)
        #: Row of each paragraph, by its id.
        self.position = {p.id: i for i, p in enumerate(self.paragraphs)}
        self.doc_ids = np.array([p.doc_id for p in self.paragraphs], dtype=object)
        #: Each document as a small number, and each paragraph's: masks by document are then
        #: one lookup per paragraph instead of string comparisons.
        self.doc_numbers = {
            d: i for i, d in enumerate(dict.fromkeys(p.doc_id for p in self.paragraphs))
        }
        self.doc_of_row = np.array(
            [self.doc_numbers[p.doc_id] for p in self.paragraphs], dtype=np.int32
        )
        self.parts = np.array([p.part or "" for p in self.paragraphs], dtype=object)
        self.preambular = np.array(
            [p.kind is ParagraphKind.PREAMBULAR for p in self.paragraphs], dtype=np.float32
        )

    def tokens(self, text: str) -> list[str]:
        return _tokens(text, self.stemmer)

    def in_documents(self, doc_ids: Iterable[str]) -> np.ndarray:
        """Whether each paragraph belongs to one of these documents."""
        wanted = np.zeros(len(self.doc_numbers), dtype=bool)
        wanted[[self.doc_numbers[d] for d in doc_ids if d in self.doc_numbers]] = True
        return wanted[self.doc_of_row]

    def idf(self, token: str) -> float:
        df = self.document_frequency.get(token, 0)
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def scores(self, query_tokens: Sequence[str] | Mapping[str, float]) -> tuple[np.ndarray, float]:
        """BM25 of every paragraph, and the best score the query could reach (every term
        present at saturation), which puts scores of different queries on one scale.

        A mapping weighs each term: an expansion the question did not write itself
        ("Internet Governance Forum" for "IGF") counts for less than the question's words.
        """
        if isinstance(query_tokens, Mapping):
            weights = dict(query_tokens)
        else:
            weights = {}
            for token in query_tokens:
                weights[token] = weights.get(token, 0.0) + 1.0
        known = {t: w for t, w in weights.items() if t in self.document_frequency and w > 0}
        scores = np.zeros(self.size, dtype=np.float32)
        if not known or not self.size:
            return scores, 1.0
        index = self.retriever.scores
        vocabulary = self.retriever.vocab_dict
        for token, weight in known.items():
            token_id = vocabulary[token]
            start, end = index["indptr"][token_id], index["indptr"][token_id + 1]
            # a term's postings name each paragraph once, so a plain indexed add is exact
            scores[index["indices"][start:end]] += weight * index["data"][start:end]
        ceiling = sum(w * self.idf(t) for t, w in known.items()) * (self.k1 + 1)
        return scores, ceiling if ceiling > 0 else 1.0

    def matched_share(self, query_tokens: Sequence[str], paragraph_id: str) -> float:
        """IDF-weighted share of the query's terms that one paragraph contains."""
        distinct = set(query_tokens)
        position = self.position.get(paragraph_id)
        if not distinct or position is None:
            return 0.0
        present = self.token_sets[position]
        total = sum(self.idf(t) for t in distinct)
        return sum(self.idf(t) for t in distinct if t in present) / total if total else 0.0

    def best_cover(self, query_tokens: Sequence[str], allowed: np.ndarray | None = None) -> float:
        """The largest idf-weighted share of the query's terms that a single paragraph holds
        together. Terms the corpus lacks count at the highest idf: a question whose distinctive
        words never meet in one paragraph is seldom answered by the documents."""
        distinct = list(dict.fromkeys(query_tokens))
        if not distinct or not self.size:
            return 0.0
        rarest = math.log(1 + (self.size + 0.5) / 0.5)
        weights = {t: self.idf(t) if t in self.document_frequency else rarest for t in distinct}
        held = np.zeros(self.size, dtype=np.float32)
        index = self.retriever.scores
        for token, weight in weights.items():
            token_id = self.retriever.vocab_dict.get(token)
            if token_id is None or token not in self.document_frequency:
                continue
            start, end = index["indptr"][token_id], index["indptr"][token_id + 1]
            held[index["indices"][start:end]] += weight
        if allowed is not None:
            held = np.where(allowed, held, 0.0)
        total = sum(weights.values())
        return float(held.max()) / total if total else 0.0

    def coverage(self, query_tokens: Sequence[str]) -> float:
        """Share of the query's terms that occur anywhere in the corpus."""
        distinct = set(query_tokens)
        if not distinct:
            return 0.0
        return sum(1 for t in distinct if t in self.document_frequency) / len(distinct)


@dataclass
class RetrievalTrace:
    """What retrieval saw, for abstention and evaluation."""

    query_tokens: list[str] = field(default_factory=list)
    coverage: float = 0.0
    top_dense: float = 0.0
    top_lexical: float = 0.0
    top_matched: float = 0.0
    agreement: float = 0.0
    #: Fused score of the best hit.
    top_score: float = 0.0
    #: :meth:`LexicalIndex.best_cover` of the question's own words.
    cover: float = 0.0
    named: list[NamedDocument] = field(default_factory=list)
    direct: bool = False


#: Pieces of the named documents, nearest the question first, over which their dense
#: similarity is rescaled.
NAMED_CANDIDATES = 30

#: How close a proposal's text must come to a paragraph (share of the best BM25 score it could
#: reach) to be offered as an amendment of it.
MIN_AMENDMENT_MATCH = 0.1


def _title_key(title: str) -> str:
    """A resolution's title without its number ("80/118. ") or closing punctuation."""
    return _text_key(re.sub(r"^\s*\d+/\d+\.\s*", "", title))


def named_first(hits: list[Hit], named: Sequence[str], after: int = 0) -> list[Hit]:
    """The hits with the best one of each named document (doc ids) moved up, in score
    order, behind the first ``after`` hits: a question that names documents is answered
    from each of them, not only from the one that happens to score best."""
    leaders = []
    for doc_id in dict.fromkeys(named):
        best = next((h for h in hits[after:] if h.paragraph.doc_id == doc_id), None)
        if best is not None:
            leaders.append(best)
    leaders.sort(key=lambda h: -h.score)
    chosen = {id(h) for h in leaders}
    return hits[:after] + leaders + [h for h in hits[after:] if id(h) not in chosen]


@lru_cache(maxsize=8192)
def _text_key(text: str) -> str:
    """Text compared word for word, ignoring case, punctuation and spacing."""
    return re.sub(r"\W+", " ", text.lower()).strip()


def _best_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """The rows of the k highest scores, highest first, without sorting all of them."""
    if len(scores) > k:
        top = np.argpartition(-scores, k)[:k]
        return top[np.argsort(-scores[top], kind="stable")]
    return np.argsort(-scores, kind="stable")


def _agreement(dense: np.ndarray, lexical: np.ndarray, k: int = 10) -> float:
    """Share of the dense top k that BM25 also ranks in its top k: two different views of
    the question agree when the corpus really answers it, and scatter when it does not."""
    if len(dense) <= k:
        return 1.0
    top_dense = set(np.argpartition(-dense, k)[:k].tolist())
    top_lexical = set(np.argpartition(-lexical, k)[:k].tolist())
    return len(top_dense & top_lexical) / k


@dataclass(frozen=True)
class Signals:
    """Per-paragraph evidence for one question, aligned with ``LexicalIndex.paragraphs``."""

    tokens: list[str]
    lexical: np.ndarray
    lexical_ceiling: float
    dense: np.ndarray
    top_dense: float
    dense_floor: np.ndarray
    in_named: np.ndarray
    in_dated: np.ndarray
    named: list[NamedDocument]
    named_docs: list[str]
    allowed: np.ndarray | None
    direct: list[Paragraph]
    coverage: float
    cover: float


class HybridRetriever:
    def __init__(
        self,
        index: ParagraphIndex,
        catalog: Catalog,
        embedder: Embedder,
        weights: RetrievalWeights | None = None,
    ) -> None:
        self.index = index
        self.catalog = catalog
        self.embedder = embedder
        self.weights = weights or RetrievalWeights()
        self.lexical = LexicalIndex(catalog)
        self._pieces: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def allowed_documents(self, filters: Filters | None) -> set[str] | None:
        if not filters:
            return None
        allowed = set(self.catalog.documents)
        if filters.kinds:
            allowed &= {d for d, doc in self.catalog.documents.items() if doc.kind in filters.kinds}
        if filters.documents:
            chosen = {
                doc.doc_id
                for name in filters.documents
                if (doc := self.catalog.document_by_symbol(name)) is not None
            }
            allowed &= chosen
        if filters.date_from or filters.date_to:

            def inside(doc: Document) -> bool:
                when = doc.dated
                if when is None:
                    return False
                return (filters.date_from is None or when >= filters.date_from) and (
                    filters.date_to is None or when <= filters.date_to
                )

            allowed &= {d for d, doc in self.catalog.documents.items() if inside(doc)}
        return allowed

    def _named(self, question: str) -> list[tuple[Document, str | None]]:
        out = []
        for named in named_documents(question):
            doc = self.catalog.document_by_symbol(named.symbol)
            if doc is not None:
                out.append((doc, named.part))
        for series in named_series(question):
            for doc in self.series_documents(series):
                if (doc, None) not in out:
                    out.append((doc, None))
        for subject in named_subjects(question):
            found = self.subject_documents(subject)
            if len(found) == 1 and (found[0], None) not in out:
                out.append((found[0], None))
        return out

    def subject_documents(self, subject: NamedSubject) -> list[Document]:
        """The resolutions of the year named whose titles share most words with the subject
        (with its acronyms spelled out): at least two, or all of a shorter subject."""
        wanted = set(self.lexical.tokens(expand_acronyms(subject.subject)))
        scored = []
        for doc, title in self._resolution_titles.get(subject.year, []):
            shared = len(wanted & title)
            if shared >= min(2, len(wanted)) and shared:
                scored.append((shared, doc.name, doc))
        best = max((shared for shared, _, _ in scored), default=0)
        return [doc for shared, _, doc in sorted(scored, key=lambda s: s[1]) if shared == best]

    @cached_property
    def _resolution_titles(self) -> dict[int, list[tuple[Document, frozenset[str]]]]:
        """Year -> each resolution dated then, with its title's words, read once."""
        titles: dict[int, list[tuple[Document, frozenset[str]]]] = {}
        for doc in self.catalog.documents.values():
            when = doc.dated
            if doc.kind is DocumentKind.RESOLUTION and when is not None:
                words = frozenset(self.lexical.tokens(doc.title or ""))
                titles.setdefault(when.year, []).append((doc, words))
        return titles

    def series_documents(self, series: NamedSeries) -> list[Document]:
        """The adopted resolutions of a recurring title, of the year named if any, oldest
        first."""
        wanted = _title_key(series.title)
        found = []
        for doc in self.catalog.documents.values():
            if doc.kind is not DocumentKind.RESOLUTION or _title_key(doc.title or "") != wanted:
                continue
            when = doc.dated
            if series.year is None or (when is not None and when.year == series.year):
                found.append((when or date.max, doc.name, doc))
        return [doc for _, _, doc in sorted(found, key=lambda f: (f[0], f[1]))]

    def dated_documents(self, question: str) -> set[str]:
        """Documents the question's dates point to without naming one: those dated in a month
        it names ("In December 2023, ..."), and the resolutions of a year and subject it
        names when several fit ("the 2024 AI resolution" may be any of three)."""
        out: set[str] = set()
        for subject in named_subjects(question):
            found = self.subject_documents(subject)
            if len(found) > 1:
                out.update(doc.doc_id for doc in found)
        months = set(month_year_mentions(question))
        for doc in self.catalog.documents.values() if months else ():
            when = doc.dated
            if when is not None and (when.year, when.month) in months:
                out.add(doc.doc_id)
        return out

    def query_terms(self, asked: str, expansions: Sequence[str] = ()) -> dict[str, float]:
        """The question's own terms and those of the expansions of its acronyms and plain
        words, each once at weight 1."""
        terms: dict[str, float] = {}
        for tokens in _tokenize([asked, *expansions], self.lexical.stemmer):
            for token in tokens:
                terms.setdefault(token, 1.0)
        return terms

    def signals(
        self, question: str, filters: Filters | None = None, mode: str = "hybrid"
    ) -> Signals:
        """Everything about a question that does not depend on the fusion weights; in the
        single-retriever modes, only what that retriever needs."""
        allowed = self.allowed_documents(filters)
        asked = without_document_names(question)
        extra = expansions(asked)
        query = f"{asked} ({'; '.join(extra)})" if extra else asked
        own = self.lexical.tokens(asked)
        terms = self.query_terms(asked, [*extra, *un_wording(asked)])
        n = len(self.lexical.paragraphs)
        if mode == "dense":
            lexical, ceiling = np.zeros(n, dtype=np.float32), 1.0
        else:
            lexical, ceiling = self.lexical.scores(terms)
        named = self._named(question)
        dense = np.zeros(n, dtype=np.float32)
        floors = np.zeros(n, dtype=np.float32)
        top_dense = 0.0
        if mode != "bm25" and (allowed is None or allowed):
            where = {"doc_id": {"$in": sorted(allowed)}} if allowed is not None else None
            vector = self.embedder.embed_query(query)
            results = self.index.dense_query(vector, self.weights.candidates, where)
            if results:
                top_dense = max(s for _, s in results)
                floors[:] = dense[:] = min(s for _, s in results)
                self._place(results, dense)
            named_ids = sorted(
                {doc.doc_id for doc, _ in named if allowed is None or doc.doc_id in allowed}
            )
            if named_ids:
                self._score_named(named_ids, np.asarray(vector, dtype=np.float32), dense, floors)
        in_named = np.zeros(n, dtype=bool)
        for doc, part in named:
            in_doc = self.lexical.in_documents([doc.doc_id])
            in_named |= in_doc if part is None else in_doc & (self.lexical.parts == part)
        dated_ids = self.dated_documents(question)
        dated = self.lexical.in_documents(dated_ids)
        mask = None
        if allowed is not None:
            mask = self.lexical.in_documents(allowed)
        return Signals(
            tokens=list(terms),
            lexical=lexical,
            lexical_ceiling=ceiling,
            dense=dense,
            top_dense=top_dense,
            dense_floor=floors,
            in_named=in_named,
            in_dated=dated,
            named=[NamedDocument(d.name, part) for d, part in named],
            named_docs=[d.doc_id for d, _ in named],
            allowed=mask,
            direct=self._direct(question, allowed),
            coverage=self.lexical.coverage(list(terms)),
            cover=self.lexical.best_cover(own, mask),
        )

    def _score_named(
        self, doc_ids: Sequence[str], vector: np.ndarray, dense: np.ndarray, floors: np.ndarray
    ) -> None:
        """Dense similarity of the named documents' paragraphs, rescaled among their own
        :data:`NAMED_CANDIDATES` nearest pieces: the nearest-neighbour search over the whole
        corpus may return none of them (a question naming the 2025 ICT resolution and
        asking about the Convention against Cybercrime finds the Convention's 300
        paragraphs first), and a named document is ranked on its own terms."""
        self._read_pieces([d for d in doc_ids if d not in self._pieces], len(vector))
        rows = [self._pieces[doc_id][0] for doc_id in doc_ids]
        vectors = [self._pieces[doc_id][1] for doc_id in doc_ids]
        piece_rows = np.concatenate(rows)
        if not len(piece_rows):
            return
        similarity = np.concatenate(vectors) @ vector
        nearest = np.argsort(-similarity)[:NAMED_CANDIDATES]
        in_named = self.lexical.in_documents(doc_ids)
        floors[in_named] = dense[in_named] = float(similarity[nearest].min())
        for i in nearest:
            row = piece_rows[i]
            dense[row] = max(dense[row], float(similarity[i]))

    def _read_pieces(self, doc_ids: Sequence[str], size: int) -> None:
        """Cache (paragraph row, unit embedding) of each embedded piece of a searchable
        paragraph of these documents, read from the index in one request."""
        if not doc_ids:
            return
        for doc_id, pieces in self.index.piece_embeddings(doc_ids).items():
            kept = [
                (self.lexical.position[pid], vector)
                for pid, vector in pieces
                if pid in self.lexical.position
            ]
            matrix = np.array([v for _, v in kept], dtype=np.float32).reshape(len(kept), size)
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            self._pieces[doc_id] = (
                np.array([row for row, _ in kept], dtype=np.int64),
                matrix / np.maximum(norms, 1e-12),
            )

    def rank(
        self,
        signals: Signals,
        k: int = 10,
        mode: str = "hybrid",
        trace: RetrievalTrace | None = None,
    ) -> list[Hit]:
        """Fuse the signals with the current weights into the top k hits."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        weights = self.weights
        lexical = signals.lexical / max(
            float(signals.lexical.max(initial=0.0)), weights.lexical_floor * signals.lexical_ceiling
        )
        dense = (signals.dense - signals.dense_floor) / np.maximum(1.0 - signals.dense_floor, 1e-6)
        if mode == "bm25":
            fused = lexical
        elif mode == "dense":
            fused = dense
        else:
            fused = weights.dense * dense + weights.lexical * lexical
        fused = fused + weights.named_document_boost * signals.in_named
        fused = fused + weights.dated_document_boost * signals.in_dated
        fused = fused - weights.preambular_penalty * self.lexical.preambular
        if signals.allowed is not None:
            fused = np.where(signals.allowed, fused, -np.inf)
        order = _best_rows(fused, max(k * 3, k + 10))
        ranked = [
            (self.lexical.paragraphs[i], float(fused[i])) for i in order if np.isfinite(fused[i])
        ]
        if signals.direct:
            top = ranked[0][1] if ranked else 1.0
            direct_ids = {d.id for d in signals.direct}
            ranked = [(p, top + 1.0) for p in signals.direct] + [
                (p, s) for p, s in ranked if p.id not in direct_ids
            ]
        hits = self._collapse_identical(ranked)
        if signals.named_docs:
            hits = named_first(hits, signals.named_docs, len(signals.direct))
        hits = hits[:k]
        if trace is not None:
            trace.query_tokens = signals.tokens
            trace.coverage = signals.coverage
            trace.top_lexical = float(signals.lexical.max(initial=0.0)) / signals.lexical_ceiling
            trace.top_dense = signals.top_dense if mode != "bm25" else 1.0
            trace.named = signals.named
            trace.direct = bool(signals.direct)
            trace.agreement = _agreement(dense, lexical)
            trace.top_score = max((h.score for h in hits), default=0.0)
            trace.cover = signals.cover
            trace.top_matched = max(
                (self.lexical.matched_share(signals.tokens, h.paragraph.id) for h in hits[:3]),
                default=0.0,
            )
        return hits

    def search(
        self,
        question: str,
        k: int = 10,
        filters: Filters | None = None,
        mode: str = "hybrid",
        trace: RetrievalTrace | None = None,
    ) -> list[Hit]:
        return self.rank(self.signals(question, filters, mode), k, mode, trace)

    def _place(self, results: Sequence[tuple[str, float]], dense: np.ndarray) -> None:
        """Writes each paragraph's best piece similarity into ``dense``."""
        for pid, score in results:
            i = self.lexical.position.get(pid)
            if i is not None and score > dense[i]:
                dense[i] = score

    def _direct(self, question: str, allowed: set[str] | None) -> list[Paragraph]:
        found = []
        for ref in paragraph_references(question):
            doc = self.catalog.document_by_symbol(ref.document.symbol)
            if doc is None or (allowed is not None and doc.doc_id not in allowed):
                continue
            paragraph = self.catalog.find(doc.doc_id, ref.label, ref.document.part)
            if paragraph is None and ref.document.part is None:
                candidates = [
                    p
                    for p in self.catalog.by_doc.get(doc.doc_id, [])
                    if p.label == ref.label and p.kind is ParagraphKind.OPERATIVE
                ]
                paragraph = candidates[0] if len(candidates) == 1 else None
            if paragraph is not None and paragraph not in found:
                found.append(paragraph)
        return found

    @cached_property
    def amendments_by_text(self) -> dict[str, tuple[Hit, ...]]:
        """Proposals of submissions keyed by the (normalised) text of the paragraph they amend.

        A proposal names a paragraph of a draft that may not be indexed (ITU's input amends
        the Zero Draft), so its target is found by text: first the draft or resolution that
        the submission's proposals resemble most as a whole, then, in it, the paragraph each
        proposal resembles most (BM25 on the proposal's text, at least
        :data:`MIN_AMENDMENT_MATCH` of the best score it could reach). Keying by text offers
        the proposal on word-for-word copies too (A/80/L.41 and A/RES/80/173).
        """
        lexical = self.lexical
        kinds = (DocumentKind.DRAFT, DocumentKind.RESOLUTION)
        candidates = np.array(
            [
                p.kind is ParagraphKind.OPERATIVE and self.catalog.documents[p.doc_id].kind in kinds
                for p in lexical.paragraphs
            ]
        )
        proposals: dict[str, list[Paragraph]] = {}
        for p in lexical.paragraphs:
            if p.kind is ParagraphKind.AMENDMENT and p.target and p.target[:1].isdigit():
                proposals.setdefault(p.doc_id, []).append(p)
        out: dict[str, list[Hit]] = {}
        for items in proposals.values():
            scored = []
            for proposal in items:
                raw, ceiling = lexical.scores(lexical.tokens(proposal.text))
                scored.append((proposal, np.where(candidates, raw / ceiling, 0.0)))
            totals: dict[str, float] = {}
            for _, scores in scored:
                for doc_id in {lexical.paragraphs[int(i)].doc_id for i in np.argsort(-scores)[:1]}:
                    totals[doc_id] = totals.get(doc_id, 0.0) + float(scores.max())
            if not totals:
                continue
            target_doc = max(totals, key=lambda d: totals[d])
            in_doc = lexical.in_documents([target_doc])
            for proposal, scores in scored:
                best = int(np.argmax(np.where(in_doc, scores, -1.0)))
                if scores[best] >= MIN_AMENDMENT_MATCH:
                    key = _text_key(lexical.paragraphs[best].text)
                    document = self.catalog.documents[proposal.doc_id]
                    out.setdefault(key, []).append(Hit(proposal, document, float(scores[best])))
        return {key: tuple(items) for key, items in out.items()}

    def _collapse_identical(self, ranked: list[tuple[Paragraph, float]]) -> list[Hit]:
        """A final draft and its adopted text can be word for word the same: show the adopted
        paragraph once and note the identical draft."""
        groups: dict[str, list[tuple[Paragraph, float]]] = {}
        for paragraph, score in ranked:
            groups.setdefault(_text_key(paragraph.text), []).append((paragraph, score))
        hits = []
        for key, members in groups.items():
            members.sort(key=lambda m: (self._precedence(m[0]), -m[1]))
            best, _ = members[0]
            score = max(s for _, s in members)
            others = tuple(
                self.catalog.documents[p.doc_id].name
                for p, _ in members[1:]
                if p.doc_id != best.doc_id
            )
            hits.append(
                Hit(
                    best,
                    self.catalog.documents[best.doc_id],
                    score,
                    identical_in=others,
                    amendments=self.amendments_by_text.get(key, ()),
                )
            )
        hits.sort(key=lambda h: -h.score)
        return hits

    def _precedence(self, paragraph: Paragraph) -> int:
        kind = self.catalog.documents[paragraph.doc_id].kind
        return {DocumentKind.RESOLUTION: 0, DocumentKind.REPORT: 1, DocumentKind.DRAFT: 2}.get(
            kind, 3
        )
