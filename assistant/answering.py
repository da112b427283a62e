"""From retrieved paragraphs to an answer: extractive, verbatim, cited, or an abstention.

The answer step sits behind :class:`Answerer`, so that other ways of choosing what to quote
can be added without touching retrieval. :class:`ExtractiveAnswerer` quotes the sentences of
the top paragraphs that share most with the question, word for word, ordered by document
and paragraph; it never paraphrases.

Abstention weighs three kinds of evidence (see :class:`AbstentionPolicy`): how well the best
paragraph matches the question, whether the question's distinctive words occur together in
any one paragraph at all, and whether a question asking for a number, a time, a person or a
place finds one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.answers import Hit, Quote
from assistant.reader.reading import Reading, logit
from assistant.retrieval.facts import asks_place
from assistant.retrieval.fusion import RetrievalTrace
from assistant.retrieval.lexical import english_stemmer, text_tokens
from corpus.wording import sentence_spans


@dataclass(frozen=True, slots=True)
class AbstentionPolicy:
    """Answers when the evidence that the documents address the question is positive:
    ``bias + top_score_weight x the best hit's fused score + cover_weight x the largest
    share of the question's own words that one paragraph holds together``
    (:attr:`RetrievalTrace.cover`) ``+ unstated_weight`` when the question asks for a number
    or a time and the best paragraph states none (:attr:`RetrievalTrace.unstated`). A
    question about something the documents never discuss (a city's bus timetable) scores
    low on the first two: no paragraph matches it well, and its distinctive words never meet
    in one paragraph; one asking a detail the documents do not give ("How many States signed
    the Convention in Hanoi?") finds paragraphs on its subject that give no such figure.

    With the reader, the judge's verdict on the best paragraph joins in where it could change
    the decision (:meth:`needs_verdict`).

    The weights are a logistic regression fitted on the development half of the shipped test
    set, with the decision threshold folded into ``bias``; ``python -m eval.calibrate``
    refits them (method in eval/README.md). Direct references are always answered.
    """

    bias: float = -2.439
    top_score_weight: float = 6.656
    cover_weight: float = 1.161
    unstated_weight: float = -3.648
    #: With the reader, the judge's verdict on the best paragraph found joins in:
    #: ``judge_bias + judge_weight x`` its P(yes) as log-odds, held within
    #: ±:data:`VERDICT_RANGE`. Fitted on the development half with the reader
    #: (``python -m eval.calibrate_reader``); 0 leaves the decision to retrieval.
    judge_weight: float = 1.1
    judge_bias: float = 1.5

    def evidence(self, trace: RetrievalTrace, p_yes: float | None = None) -> float:
        found = (
            self.bias
            + self.top_score_weight * trace.top_score
            + self.cover_weight * trace.cover
            + self.unstated_weight * trace.unstated
        )
        if p_yes is None:
            return found
        return found + self.judge_bias + self.judge_weight * verdict_logit(p_yes)

    def abstains(self, trace: RetrievalTrace, p_yes: float | None = None) -> bool:
        if trace.direct:
            return False
        return self.evidence(trace, p_yes) < 0

    def needs_verdict(self, trace: RetrievalTrace) -> bool:
        """Whether the judge's verdict could change whether to answer: the retrieval
        evidence is within the verdict's reach of the threshold."""
        if trace.direct or not self.judge_weight:
            return False
        reach = abs(self.judge_weight) * VERDICT_RANGE
        return abs(self.evidence(trace) + self.judge_bias) < reach


#: The judge's verdict counts as log-odds within this range (P(yes) from 0.05 to 0.95): a
#: small model's near-certainty is not taken at its word.
VERDICT_RANGE = 3.0


def verdict_logit(p_yes: float) -> float:
    return max(-VERDICT_RANGE, min(VERDICT_RANGE, logit(p_yes)))


#: Where a topic is covered: "where" with a verb of dealing with a topic ("Where does the
#: outcome address ...?", "Where is X mentioned?"), or the paragraphs asked for by name
#: ("Which Global Digital Compact paragraphs cover ...?", "In which sections ...?").
_WHERE = re.compile(
    r"^\W*where\b[^?]*?\b(?:deal|dealt|address|cover|discuss|mention|refer|talk|treat|tackle"
    r"|touch|speak|spoke|say|said|state|raise|handle|consider|highlight|emphasi[sz]|stress"
    r"|recogni[sz]|acknowledg|focus)\w*"
    r"|^\W*(?:in which (?:paragraphs|parts|sections)"
    r"|which (?:[\w/+.-]+ ){0,4}?(?:paragraphs|sections)"
    r"(?! (?:of (?:the |a )?)?(?:[\w/+.-]+ ){0,4}?(?:say|says|state|states|decide|decides)\b))\b",
    re.I,
)


def asks_where(question: str) -> bool:
    """Whether the question asks where a topic is covered ("Where does the outcome deal
    with gender?", "Which Global Digital Compact paragraphs cover connectivity?") rather
    than what is said, or where something happens ("Where will the Forum be held?", "Where
    is a regional centre being proposed?")."""
    return bool(_WHERE.search(question)) and not asks_place(question)


class Answerer(Protocol):
    """Chooses, from a question's ranked hits (and the reader's judgement of them, when it
    read them), what to quote, or abstains."""

    def needs_verdict(self, trace: RetrievalTrace) -> bool:
        """Whether the judge should read the best paragraph to decide whether to answer."""
        ...

    def answer(
        self,
        question: str,
        hits: Sequence[Hit],
        trace: RetrievalTrace,
        reading: Reading | None = None,
    ) -> Drafted: ...


@dataclass(frozen=True, slots=True)
class ReadingPolicy:
    """What the reader's relevance decides: whether to answer, what else to cite. Fitted on
    the development half with the reader's calibration (``python -m eval.calibrate
    --reader``)."""

    #: The best paragraph must reach this relevance for the question to be answered at all
    #: (besides the retrieval evidence :class:`AbstentionPolicy` weighs).
    answer_at: float = 0.0
    #: Other paragraphs are cited from this relevance ...
    cite_at: float = 0.2
    #: ... and when they come at least this close to the best one (a share of it).
    cite_share: float = 0.9
    #: A question naming several documents asks about each: the best paragraph of each named
    #: document is cited from this share of the best relevance, whatever its own.
    named_share: float = 0.6
    #: "Where is X covered?" asks for every place: other paragraphs are cited from this
    #: share of the best relevance (and :attr:`cite_at`).
    where_share: float = 0.5


@dataclass(frozen=True, slots=True)
class Drafted:
    """An answerer's choice: the quotes, in the order the answer gives them, or none."""

    quotes: tuple[Quote, ...]
    abstained: bool


@dataclass(frozen=True, slots=True)
class ExtractiveAnswerer:
    """Quotes, never paraphrases."""

    policy: AbstentionPolicy = AbstentionPolicy()
    #: Paragraphs quoted for an ordinary question, and how close to the best hit's score
    #: (as a share of it) the others must come.
    max_paragraphs: int = 2
    relative_cutoff: float = 0.8
    #: "Where is X covered?" asks for every place: more paragraphs may be quoted.
    where_paragraphs: int = 5
    where_cutoff: float = 0.75
    #: A question naming several documents gets the best paragraph of each one quoted when it
    #: scores at least this share of the best hit.
    named_cutoff: float = 0.7
    sentences_per_paragraph: int = 2
    reading: ReadingPolicy = ReadingPolicy()

    def needs_verdict(self, trace: RetrievalTrace) -> bool:
        return self.policy.needs_verdict(trace)

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

    def quote(self, hit: Hit, query_tokens: Sequence[str], whole: bool) -> Quote:
        """The paragraph's sentences that share most with the question, in their order."""
        text = hit.paragraph.text
        spans = sentence_spans(text)
        if whole or len(spans) <= self.sentences_per_paragraph:
            return Quote(hit, ((0, len(text)),))
        stemmer = english_stemmer()
        wanted = set(query_tokens)
        scored = [
            (len(wanted & set(text_tokens(text[start:end], stemmer))), -i, i)
            for i, (start, end) in enumerate(spans)
        ]
        best = sorted(scored, reverse=True)[: self.sentences_per_paragraph]
        return Quote(hit, tuple(spans[i] for i in sorted(i for _, _, i in best)))

    def answer(
        self,
        question: str,
        hits: Sequence[Hit],
        trace: RetrievalTrace,
        reading: Reading | None = None,
    ) -> Drafted:
        if reading is not None and reading.read and not trace.direct:
            return self.answer_from_reading(question, hits, trace, reading)
        if not hits or self.policy.abstains(trace):
            return Drafted((), abstained=True)
        cited = self.select(hits, trace, question)
        return Drafted(
            tuple(self.quote(hit, trace.query_tokens, whole=trace.direct) for hit in cited),
            abstained=False,
        )

    def answer_from_reading(
        self, question: str, hits: Sequence[Hit], trace: RetrievalTrace, reading: Reading
    ) -> Drafted:
        """Cites the paragraphs judged to answer, most relevant first, and quotes the
        sentences of each judged to answer; abstains when none is."""
        relevance = {h.paragraph.id: h.relevance for h in hits if h.relevance is not None}
        read = [h for h in hits if h.paragraph.id in relevance]
        named = list(dict.fromkeys(n.symbol for n in trace.named))
        if named and any(h.document.name in named for h in read):
            read = [h for h in read if h.document.name in named]
        ranked = sorted(read, key=lambda h: -relevance[h.paragraph.id])
        policy = self.reading
        if (
            not ranked
            or self.policy.abstains(trace, reading.verdict)
            or relevance[ranked[0].paragraph.id] < policy.answer_at
        ):
            return Drafted((), abstained=True)
        top = relevance[ranked[0].paragraph.id]
        where = asks_where(question)
        most = self.where_paragraphs if where else self.max_paragraphs
        floor = max(policy.cite_at, top * (policy.where_share if where else policy.cite_share))
        chosen = [ranked[0]] + [h for h in ranked[1:most] if relevance[h.paragraph.id] >= floor]
        if len(named) > 1:
            for name in named:
                if any(h.document.name == name for h in chosen):
                    continue
                best = next((h for h in ranked if h.document.name == name), None)
                if best is not None and relevance[best.paragraph.id] >= top * policy.named_share:
                    chosen.append(best)
        quotes = [
            self.quote_read(h, reading.sentences.get(h.paragraph.id), trace.query_tokens)
            for h in chosen
        ]
        return Drafted(tuple(quotes), abstained=False)

    def quote_read(
        self, hit: Hit, sentence_logits: Sequence[float] | None, query_tokens: Sequence[str]
    ) -> Quote:
        """The paragraph's sentences judged most to answer, in their order; where its
        sentences were not read, those sharing most with the question."""
        text = hit.paragraph.text
        spans = sentence_spans(text)
        if not sentence_logits:
            return self.quote(hit, query_tokens, whole=False)
        if len(spans) <= self.sentences_per_paragraph:
            return Quote(hit, ((0, len(text)),))
        best = sorted(range(len(spans)), key=lambda i: (-sentence_logits[i], i))
        return Quote(hit, tuple(spans[i] for i in sorted(best[: self.sentences_per_paragraph])))
