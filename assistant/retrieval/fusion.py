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
words ("funding" -> "financing") the question uses. A question asking for a number, a time, a
person or a place ("How many ...?", "By when ...?", "Who chaired ...?", "Which city ...?") ranks
lower the paragraphs that state none (:mod:`.facts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from assistant.answers import Hit
from assistant.catalog import Catalog
from assistant.references import (
    NamedDocument,
    expansions,
    spelled_out_in_place,
    un_wording,
    without_document_names,
)
from assistant.retrieval.facts import Fact, asked_fact, mentions
from assistant.retrieval.lexical import LexicalIndex, tokenize
from assistant.retrieval.linking import DocumentLinker, Filters
from assistant.retrieval.proposals import amended_paragraphs
from assistant.store import ParagraphStore
from corpus.model import DocumentKind, Paragraph
from corpus.wording import text_key
from ingest.embedding import Embedder

MODES = ("hybrid", "dense", "bm25")


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
    #: Subtracted from paragraphs that state no fact of the kind the question asks for (a
    #: number for "how many", a time for "by when", a person for "who chaired", a place for
    #: "which city"): near the question, they do not answer it.
    unstated_fact_penalty: float = 0.1
    candidates: int = 80


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
    #: 1 when the question asks for a number, a time, a person or a place and the best hit
    #: states none.
    unstated: float = 0.0
    #: The kind of fact the question asks for, and the hits returned that state none.
    fact: Fact | None = None
    unstated_hits: frozenset[str] = frozenset()
    named: list[NamedDocument] = field(default_factory=list)
    direct: bool = False

    def missing_fact(self, closest: Sequence[Hit]) -> str | None:
        """The kind of fact the question asks for ("number", "time", "person", "place"), when
        none of these hits states one."""
        if self.fact is None or not closest:
            return None
        if any(h.paragraph.id not in self.unstated_hits for h in closest):
            return None
        return self.fact.value


#: Pieces of the named documents, nearest the question first, over which their dense
#: similarity is rescaled.
NAMED_CANDIDATES = 30


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
    #: The kind of fact the question asks for, and those of that kind it gives itself.
    fact: Fact | None
    given: frozenset[str]
    named: list[NamedDocument]
    named_docs: list[str]
    allowed: np.ndarray | None
    direct: list[Paragraph]
    coverage: float
    cover: float


class HybridRetriever:
    def __init__(
        self,
        store: ParagraphStore,
        catalog: Catalog,
        embedder: Embedder,
        weights: RetrievalWeights | None = None,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.embedder = embedder
        self.weights = weights or RetrievalWeights()
        self.lexical = LexicalIndex(catalog)
        self.linker = DocumentLinker(catalog, self.lexical)
        self._pieces: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        #: The facts of each kind a paragraph states, by (kind, row), read as questions need.
        self._facts: dict[tuple[Fact, int], frozenset[str]] = {}

    def query_terms(self, asked: str, expansions: Sequence[str] = ()) -> dict[str, float]:
        """The question's own terms and those of the expansions of its acronyms and plain
        words, each once at weight 1."""
        terms: dict[str, float] = {}
        for tokens in tokenize([asked, *expansions], self.lexical.stemmer):
            for token in tokens:
                terms.setdefault(token, 1.0)
        return terms

    def signals(
        self, question: str, filters: Filters | None = None, mode: str = "hybrid"
    ) -> Signals:
        """Everything about a question that does not depend on the fusion weights; in the
        single-retriever modes, only what that retriever needs."""
        allowed = self.linker.allowed(filters)
        asked = without_document_names(question)
        extra = expansions(asked)
        query = spelled_out_in_place(asked)
        own = self.lexical.tokens(asked)
        terms = self.query_terms(asked, [*extra, *un_wording(asked)])
        n = len(self.lexical.paragraphs)
        if mode == "dense":
            lexical, ceiling = np.zeros(n, dtype=np.float32), 1.0
        else:
            lexical, ceiling = self.lexical.scores(terms)
        named = self.linker.named(question)
        dense = np.zeros(n, dtype=np.float32)
        floors = np.zeros(n, dtype=np.float32)
        top_dense = 0.0
        if mode != "bm25" and (allowed is None or allowed):
            vector = self.embedder.embed_query(query)
            results = self.store.nearest(vector, self.weights.candidates, allowed)
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
        fact = asked_fact(asked)
        dated_ids = self.linker.dated_documents(question)
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
            fact=fact,
            given=mentions(fact, asked) if fact is not None else frozenset(),
            named=[NamedDocument(d.name, part) for d, part in named],
            named_docs=[d.doc_id for d, _ in named],
            allowed=mask,
            direct=self.linker.direct(question, allowed),
            coverage=self.lexical.coverage(list(terms)),
            cover=self.lexical.best_cover(own, mask),
        )

    def states_asked(self, row: int, signals: Signals) -> bool:
        """Whether the paragraph of this row states a fact of the kind the question asks for,
        besides those the question gives itself."""
        if signals.fact is None:
            return True
        key = (signals.fact, row)
        if key not in self._facts:
            self._facts[key] = mentions(signals.fact, self.lexical.paragraphs[row].text)
        return bool(self._facts[key] - signals.given)

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
        for doc_id, pieces in self.store.piece_vectors(doc_ids).items():
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
        wanted = max(k * 3, k + 10)
        if signals.fact is not None and weights.unstated_fact_penalty:
            fused = self._penalise_unstated(fused, signals, wanted)
        order = _best_rows(fused, wanted)
        ranked = [
            (self.lexical.paragraphs[i], float(fused[i])) for i in order if np.isfinite(fused[i])
        ]
        if signals.direct:
            top = ranked[0][1] if ranked else 1.0
            direct_ids = {d.id for d in signals.direct}
            ranked = [(p, top + 1.0) for p in signals.direct] + [
                (p, s) for p, s in ranked if p.id not in direct_ids
            ]
        hits = self._collapse_identical(ranked, signals.named_docs)
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
            trace.fact = signals.fact
            trace.unstated_hits = frozenset(
                h.paragraph.id
                for h in hits
                if h.paragraph.id in self.lexical.position
                and not self.states_asked(self.lexical.position[h.paragraph.id], signals)
            )
            trace.unstated = float(bool(hits) and hits[0].paragraph.id in trace.unstated_hits)
            trace.top_matched = max(
                (self.lexical.matched_share(signals.tokens, h.paragraph.id) for h in hits[:3]),
                default=0.0,
            )
        return hits

    def _penalise_unstated(self, fused: np.ndarray, signals: Signals, wanted: int) -> np.ndarray:
        """The fused scores with :attr:`RetrievalWeights.unstated_fact_penalty` taken from the
        paragraphs that state no fact of the kind asked. Only the paragraphs that could still
        rank among the ``wanted`` best are read: the penalty never raises a score."""
        penalty = self.weights.unstated_fact_penalty
        best = _best_rows(fused, wanted)
        if not len(best):
            return fused
        floor = fused[best[-1]] - penalty
        fused = fused.copy()
        for row in np.flatnonzero((fused >= floor) & np.isfinite(fused)):
            if not self.states_asked(int(row), signals):
                fused[row] -= penalty
        return fused

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

    @cached_property
    def amendments_by_text(self) -> dict[str, tuple[Hit, ...]]:
        """Proposals of submissions keyed by the text key of the paragraph they amend, as
        :func:`~assistant.retrieval.proposals.amended_paragraphs` matches them: keyed by
        text, a proposal is offered beside word-for-word copies of that paragraph too
        (A/80/L.41 and A/RES/80/173)."""
        out: dict[str, list[Hit]] = {}
        documents = self.catalog.documents
        for proposal, amended in amended_paragraphs(documents, self.catalog.by_doc):
            hit = Hit(proposal, documents[proposal.doc_id], amended.similarity)
            out.setdefault(text_key(amended.paragraph.text), []).append(hit)
        return {key: tuple(items) for key, items in out.items()}

    def _collapse_identical(
        self, ranked: list[tuple[Paragraph, float]], named: Sequence[str] = ()
    ) -> list[Hit]:
        """A final draft and its adopted text can be word for word the same: show the
        paragraph once and note the identical one. It is shown from the document the question
        names ("In draft A/80/L.41, ..."), else from the adopted text."""
        groups: dict[str, list[tuple[Paragraph, float]]] = {}
        for paragraph, score in ranked:
            groups.setdefault(text_key(paragraph.text), []).append((paragraph, score))
        hits = []
        for key, members in groups.items():
            members.sort(key=lambda m: (m[0].doc_id not in named, self._precedence(m[0]), -m[1]))
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
