"""Where a topic is covered: every paragraph that reaches a relevance for it, grouped by
document, in document order."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.api import Assistant, clean_question
from assistant.retrieval import Filters
from corpus.model import Document, Paragraph
from corpus.wording import text_key

#: Coverage keeps a paragraph when its hybrid retrieval score (``Hit.score`` from
#: :meth:`HybridRetriever.rank`) reaches this. That score is ``RetrievalWeights.dense`` x the
#: cosine similarity rescaled over the nearest dense candidates (weakest 0, perfect 1)
#: + ``RetrievalWeights.lexical`` x BM25 divided by the larger of the best BM25 score and
#: ``lexical_floor`` x the best score the topic could reach, + ``named_document_boost`` when
#: the topic names the paragraph's document, - ``preambular_penalty`` for preambular
#: paragraphs: about 0 to 1. Chosen with the calibrated weights on "gender digital divide",
#: "submarine cables" and "financing": on "gender digital divide" over A/RES/80/173 and its
#: draft, the paragraphs about gender score 0.34 and more, the next ones (paras. 19 and 21,
#: which only share "digital divide") 0.30; below that, paragraphs that only share a word
#: come in. Retuning the weights moves this scale; tests/test_services.py checks
#: that the default still keeps on-topic paragraphs and leaves off-topic ones out.
DEFAULT_COVERAGE_THRESHOLD = 0.32
#: How many ranked paragraphs coverage looks at before the threshold: all of them in
#: practice. Paragraphs outside the nearest dense candidates score on BM25 alone.
COVERAGE_DEPTH = 100_000


@dataclass(frozen=True, slots=True)
class CoverageMatch:
    paragraph: Paragraph
    score: float


@dataclass(frozen=True, slots=True)
class CoverageGroup:
    """The matching paragraphs of one document, in document order."""

    document: Document
    matches: tuple[CoverageMatch, ...]


@dataclass(frozen=True, slots=True)
class Coverage:
    topic: str
    threshold: float
    groups: tuple[CoverageGroup, ...]

    @property
    def total(self) -> int:
        return sum(len(g.matches) for g in self.groups)


def coverage(
    assistant: Assistant,
    topic: str,
    threshold: float = DEFAULT_COVERAGE_THRESHOLD,
    filters: Filters | None = None,
) -> Coverage:
    """Every searchable paragraph whose retrieval score for ``topic`` reaches ``threshold``,
    grouped by document (documents by name, paragraphs in document order).

    Retrieval shows a paragraph found word for word in several documents (a draft and its
    adopted text) once; coverage lists it in each of them, with the same score.
    """
    retriever = assistant.retriever
    catalog = assistant.catalog
    hits = retriever.rank(retriever.signals(clean_question(topic), filters), k=COVERAGE_DEPTH)
    found: dict[str, CoverageMatch] = {}
    copies: dict[str, list[Paragraph]] | None = None
    for hit in hits:
        if hit.score < threshold:
            continue
        found.setdefault(hit.paragraph.id, CoverageMatch(hit.paragraph, hit.score))
        if hit.identical_in:
            if copies is None:
                copies = {}
                for p in catalog.searchable():
                    copies.setdefault(text_key(p.text), []).append(p)
            for twin in copies.get(text_key(hit.paragraph.text), []):
                found.setdefault(twin.id, CoverageMatch(twin, hit.score))
    allowed = retriever.linker.allowed(filters)
    by_doc: dict[str, list[CoverageMatch]] = {}
    for match in found.values():
        if allowed is None or match.paragraph.doc_id in allowed:
            by_doc.setdefault(match.paragraph.doc_id, []).append(match)
    groups = [
        CoverageGroup(
            catalog.documents[doc_id],
            tuple(sorted(matches, key=lambda m: m.paragraph.order)),
        )
        for doc_id, matches in by_doc.items()
    ]
    groups.sort(key=lambda g: g.document.name)
    return Coverage(topic, threshold, tuple(groups))
