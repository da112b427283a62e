"""Which paragraph a submission's proposal amends, found by its words.

A submission proposes wording for paragraphs of a draft that may not be in the corpus (ITU's
input amends the Zero Draft) and numbers them as that draft did, so the paragraph a proposal
amends is found by its words, never by its number: first the text the submission amends, the
draft or resolution its proposals on existing paragraphs resemble most as a whole
(:func:`amended_text`); then, in each version of that text, the paragraph each proposal
resembles most, from :data:`MIN_SIMILARITY` on (:func:`counterparts`).

Similarity is the cosine of TF-IDF vectors (scikit-learn) of content words (UN spelling,
Snowball stems, the stop words of BM25), fitted on one version's paragraphs together with
the proposals, so that the words a proposal brings and the version lacks count against the
match. The same matching offers a proposal beside the paragraph it amends in answers and
lists its counterparts in the amendments report. Pure functions over documents and
paragraphs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.retrieval.lexical import english_stemmer, stop_words
from corpus.model import Document, DocumentKind, Paragraph, ParagraphKind, format_citation
from corpus.wording import word_tokens

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

#: A proposal amends the most similar paragraph of a version from this cosine similarity
#: on; below it the version has no counterpart (typical of proposed new paragraphs, which
#: the amended draft did not have). ITU's proposals on existing paragraphs score 0.43 to
#: 0.88 against the paragraph they amend; its new paragraphs 0.25 to 0.27 against one on
#: the same subject (the stocktaking database, children online) and under 0.2 otherwise.
MIN_SIMILARITY = 0.22
#: Kinds of paragraph a proposal can amend.
TEXT_KINDS = frozenset([ParagraphKind.OPERATIVE, ParagraphKind.PREAMBULAR])
#: Kinds of document whose paragraphs proposals amend.
VERSION_KINDS = frozenset([DocumentKind.DRAFT, DocumentKind.RESOLUTION])


@dataclass(frozen=True, slots=True)
class Counterpart:
    """The paragraph of one version of the amended text that a proposal resembles most."""

    document: Document
    paragraph: Paragraph
    similarity: float

    @property
    def citation(self) -> str:
        return format_citation(self.document, self.paragraph)


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    return frozenset(stop_words())


@lru_cache(maxsize=20_000)
def content_terms(text: str) -> tuple[str, ...]:
    """Stemmed words of ``text`` without stop words, in UN spelling."""
    kept = [t.text for t in word_tokens(text) if t.text not in _stop_words()]
    stemmer: Any = english_stemmer()
    return tuple(stemmer.stemWords(kept))


def term_weights(texts: Sequence[str]) -> TfidfVectorizer | None:
    """A TF-IDF model (scikit-learn's ``TfidfVectorizer``) of content terms fitted on
    ``texts``; None when they hold no content word."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=content_terms)
    try:
        vectorizer.fit(texts)
    except ValueError:  # no content word at all: the vocabulary is empty
        return None
    return vectorizer


def similarities(queries: Sequence[str], texts: Sequence[str]) -> np.ndarray:
    """The cosine similarity of each query (rows) to each text (columns), TF-IDF fitted on
    the texts and the queries together."""
    model = term_weights([*texts, *queries]) if queries and texts else None
    if model is None:
        return np.zeros((len(queries), len(texts)))
    # rows are unit vectors, so their dot product is the cosine
    return np.asarray((model.transform(queries) @ model.transform(texts).T).toarray())


def amends_existing(proposal: Paragraph) -> bool:
    """Whether a proposal amends a paragraph of the draft ("44"), not proposes a new one
    ("new 20")."""
    return bool(proposal.target) and not (proposal.target or "").lower().startswith("new")


def _text_paragraphs(
    document: Document, by_doc: Mapping[str, Sequence[Paragraph]]
) -> list[Paragraph]:
    return [p for p in by_doc.get(document.doc_id, []) if p.kind in TEXT_KINDS]


def amended_text(
    proposals: Sequence[Paragraph],
    documents: Mapping[str, Document],
    by_doc: Mapping[str, Sequence[Paragraph]],
) -> Document | None:
    """The draft or resolution that proposals on existing paragraphs resemble most as a
    whole: the largest sum over the proposals of their best similarity in it."""
    queries = [p.text for p in proposals if amends_existing(p)]
    if not queries:
        return None
    totals: dict[str, float] = {}
    for document in documents.values():
        paragraphs = _text_paragraphs(document, by_doc) if document.kind in VERSION_KINDS else []
        if paragraphs:
            scores = similarities(queries, [p.text for p in paragraphs])
            totals[document.doc_id] = float(scores.max(axis=1).sum())
    if not totals:
        return None
    return documents[max(totals, key=lambda d: (totals[d], d))]


def counterparts(
    proposals: Sequence[Paragraph],
    versions: Sequence[Document],
    by_doc: Mapping[str, Sequence[Paragraph]],
) -> list[tuple[Counterpart, ...]]:
    """For each proposal (in order), the paragraph of each version it resembles most, from
    :data:`MIN_SIMILARITY` on (the first in reading order on a tie)."""
    found: list[list[Counterpart]] = [[] for _ in proposals]
    for version in versions:
        paragraphs = _text_paragraphs(version, by_doc)
        scores = similarities([p.text for p in proposals], [p.text for p in paragraphs])
        for k, row in enumerate(scores):
            best = int(np.argmax(row))
            if row[best] >= MIN_SIMILARITY:
                found[k].append(Counterpart(version, paragraphs[best], float(row[best])))
    return [tuple(items) for items in found]


def submissions_proposals(
    by_doc: Mapping[str, Sequence[Paragraph]],
) -> dict[str, list[Paragraph]]:
    """The proposed amendments of each submission, by its doc id, in reading order."""
    out: dict[str, list[Paragraph]] = {}
    for doc_id, paragraphs in by_doc.items():
        proposals = [p for p in paragraphs if p.kind is ParagraphKind.AMENDMENT]
        if proposals:
            out[doc_id] = proposals
    return out


def amended_paragraphs(
    documents: Mapping[str, Document],
    by_doc: Mapping[str, Sequence[Paragraph]],
) -> list[tuple[Paragraph, Counterpart]]:
    """Each proposal on an existing paragraph with the paragraph it amends: the one it
    resembles most in the text its submission amends (:func:`amended_text`). Proposals
    without such a paragraph are left out."""
    out: list[tuple[Paragraph, Counterpart]] = []
    for proposals in submissions_proposals(by_doc).values():
        amended = amended_text(proposals, documents, by_doc)
        if amended is None:
            continue
        matched = counterparts(proposals, [amended], by_doc)
        for proposal, found in zip(proposals, matched, strict=True):
            if amends_existing(proposal):
                out.extend((proposal, counterpart) for counterpart in found)
    return out
