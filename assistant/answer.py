"""From retrieved paragraphs to an answer: extractive, verbatim, cited, or an abstention.

The answer step sits behind :class:`AnswerBackend`, so a generative backend can be added
later without touching retrieval. The default backend quotes the most relevant sentences of
the top paragraphs word for word, each followed by its citation, ordered by document and
paragraph; it never paraphrases.

Abstention weighs two kinds of evidence (see :class:`AbstentionPolicy`): how well the best
paragraph matches the question, and whether the question's distinctive words occur together
in any one paragraph at all.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.answers import Hit
from assistant.retrieval import RetrievalTrace

REFUSAL = "The indexed documents do not appear to address this question."
CLOSEST_LABEL = "Closest matches (not answers):"


class AnswerBackend(Protocol):
    """Turns a question and its ranked hits into answer text and the hits it cites."""

    def answer(
        self, question: str, hits: Sequence[Hit], trace: RetrievalTrace
    ) -> tuple[str, tuple[Hit, ...], bool]: ...


@dataclass(frozen=True, slots=True)
class AbstentionPolicy:
    """Answers when the evidence that the documents address the question is positive:
    ``bias + top_score_weight x the best hit's fused score + cover_weight x the largest
    share of the question's own words that one paragraph holds together``
    (:attr:`RetrievalTrace.cover`). A question about something the documents never discuss
    (a city's bus timetable, the price of a conference ticket) scores low on both: no paragraph
    matches it well, and its distinctive words never meet in one paragraph.

    The weights are a logistic regression fitted on the development half of the shipped test
    set, with the decision threshold folded into ``bias``; ``python -m eval.calibrate``
    refits them (method in eval/README.md). Direct references are always answered.
    """

    bias: float = -3.219
    top_score_weight: float = 5.043
    cover_weight: float = 3.955

    def evidence(self, trace: RetrievalTrace) -> float:
        return self.bias + self.top_score_weight * trace.top_score + self.cover_weight * trace.cover

    def abstains(self, trace: RetrievalTrace) -> bool:
        if trace.direct:
            return False
        return self.evidence(trace) < 0


_WHERE = re.compile(
    r"^\W*(?:where|in which (?:paragraphs|parts|sections)|which paragraphs)\b", re.I
)


def asks_where(question: str) -> bool:
    """Whether the question asks where a topic is covered rather than what is said."""
    return bool(_WHERE.search(question))


_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+(?=[A-Z(“\"])|\n")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


@dataclass(frozen=True, slots=True)
class ExtractiveAnswerer:
    """Quotes, never paraphrases."""

    policy: AbstentionPolicy = AbstentionPolicy()
    #: Paragraphs quoted for an ordinary question, and how close to the best hit's score
    #: (as a share of it) the others must come.
    max_paragraphs: int = 2
    relative_cutoff: float = 0.8
    #: "Where is X covered?" asks for every place: more paragraphs may be quoted.
    where_paragraphs: int = 3
    where_cutoff: float = 0.75
    #: A question naming several documents gets the best paragraph of each one quoted when it
    #: scores at least this share of the best hit.
    named_cutoff: float = 0.7
    sentences_per_paragraph: int = 2

    def select(
        self, hits: Sequence[Hit], trace: RetrievalTrace, question: str = ""
    ) -> tuple[Hit, ...]:
        """The hits worth citing: the best, those scoring close to it, and the best of each
        document the question names; only from the named documents when it names any."""
        if not hits:
            return ()
        if trace.direct:
            return (hits[0],)
        named = list(dict.fromkeys(n.symbol for n in trace.named))
        if named and any(h.document.name in named for h in hits):
            hits = [h for h in hits if h.document.name in named]
        top = hits[0].score
        most, cutoff = self.max_paragraphs, self.relative_cutoff
        if asks_where(question):
            most, cutoff = self.where_paragraphs, self.where_cutoff
        chosen = [h for h in hits[:most] if h.score >= top * cutoff]
        if len(named) > 1:
            for name in named:
                if any(h.document.name == name for h in chosen):
                    continue
                best = next((h for h in hits if h.document.name == name), None)
                if best is not None and best.score >= top * self.named_cutoff:
                    chosen.append(best)
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
        cited = self.select(hits, trace, question)
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
