"""BM25 over the searchable paragraphs, and the words a question is searched by.

BM25 (bm25s, Snowball stemming, English stop words) is one half of hybrid retrieval; the
same tokens serve abstention (how much of the question one paragraph holds together) and
the matching of resolutions named by title.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import numpy as np

from assistant.catalog import Catalog
from corpus.model import Document, Paragraph, ParagraphKind

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


@lru_cache(maxsize=1)
def english_stemmer() -> object:
    """Snowball's English stemmer, made once."""
    import Stemmer

    return Stemmer.Stemmer("english")


def text_tokens(text: str, stemmer: object) -> list[str]:
    """The BM25 tokens of one text: stemmed, stop words out."""
    return tokenize([text], stemmer)[0]


def tokenize(texts: Sequence[str], stemmer: object) -> list[list[str]]:
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

        self.stemmer = english_stemmer()

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
        return text_tokens(text, self.stemmer)

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
