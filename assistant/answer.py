"""From retrieved paragraphs to an answer: extractive, verbatim, cited, or an abstention.

The answer step sits behind :class:`AnswerBackend`, so a generative backend can be added
later without touching retrieval. The default backend quotes the most relevant sentences of
the top paragraphs word for word, each followed by its citation, ordered by document and
paragraph; it never paraphrases.

Abstention looks at more than one retrieval score (see :class:`AbstentionPolicy`): whether
the question's terms occur in the corpus at all, how close the best dense match is, and how
much of the question the best lexical match covers.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.retrieval import RetrievalTrace
from assistant.types import Hit

REFUSAL = "The indexed documents do not appear to address this question."
CLOSEST_LABEL = "Closest matches (not answers):"


class AnswerBackend(Protocol):
    """Turns a question and its ranked hits into answer text and the hits it cites."""

    def answer(
        self, question: str, hits: Sequence[Hit], trace: RetrievalTrace
    ) -> tuple[str, tuple[Hit, ...], bool]: ...


@dataclass(frozen=True, slots=True)
class AbstentionPolicy:
    """Thresholds calibrated on the development half of the shipped test set
    (``wsis eval --calibrate``; method in eval/README.md)."""

    min_coverage: float = 0.75
    min_dense: float = 0.0
    min_lexical: float = 0.0
    min_matched: float = 0.25
    min_agreement: float = 0.0

    def abstains(self, trace: RetrievalTrace) -> bool:
        if trace.direct:
            return False
        return (
            trace.coverage < self.min_coverage
            or trace.top_matched < self.min_matched
            or trace.agreement < self.min_agreement
            or (trace.top_dense < self.min_dense and trace.top_lexical < self.min_lexical)
        )


_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+(?=[A-Z(“\"])|\n")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


@dataclass(frozen=True, slots=True)
class ExtractiveAnswerer:
    """Quotes, never paraphrases."""

    policy: AbstentionPolicy = AbstentionPolicy()
    max_paragraphs: int = 2
    relative_cutoff: float = 0.9
    sentences_per_paragraph: int = 2

    def select(self, hits: Sequence[Hit], trace: RetrievalTrace) -> tuple[Hit, ...]:
        """The hits worth citing: the best, and those scoring close to it."""
        if not hits:
            return ()
        if trace.direct:
            return (hits[0],)
        top = hits[0].score
        chosen = [h for h in hits[: self.max_paragraphs] if h.score >= top * self.relative_cutoff]
        return tuple(chosen)

    def quote(self, hit: Hit, query_tokens: Sequence[str], whole: bool) -> str:
        """The paragraph's sentences that share most with the question, in their order."""
        parts = sentences(hit.paragraph.text)
        if whole or len(parts) <= self.sentences_per_paragraph:
            return hit.paragraph.text
        import Stemmer

        from assistant.retrieval import _tokens

        stemmer = Stemmer.Stemmer("english")
        wanted = set(query_tokens)
        scored = [(len(wanted & set(_tokens(s, stemmer))), -i, i) for i, s in enumerate(parts)]
        best = sorted(scored, reverse=True)[: self.sentences_per_paragraph]
        keep = sorted(i for _, _, i in best)
        text = parts[keep[0]]
        for before, i in itertools.pairwise(keep):
            text += (" " if i == before + 1 else " … ") + parts[i]
        return text

    def answer(
        self, question: str, hits: Sequence[Hit], trace: RetrievalTrace
    ) -> tuple[str, tuple[Hit, ...], bool]:
        if not hits or self.policy.abstains(trace):
            return REFUSAL, (), True
        cited = self.select(hits, trace)
        ordered = sorted(cited, key=lambda h: (h.document.name, h.paragraph.order))
        lines = []
        for hit in ordered:
            text = self.quote(hit, trace.query_tokens, whole=trace.direct)
            lines.append(f"“{text}” ({hit.citation})")
            if hit.identical_in:
                lines[-1] += f" [identical text in {', '.join(hit.identical_in)}]"
            for proposal in hit.amendments:
                inserted = " … ".join(proposal.paragraph.inserted) or proposal.paragraph.text
                lines[-1] += f"\n  Proposed amendment ({proposal.citation}): “{inserted}”"
        return "\n\n".join(lines), cited, False
