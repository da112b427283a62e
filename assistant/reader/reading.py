"""Reading the hits of a question: how surely each paragraph answers it.

Each hit's relevance starts from what retrieval knows (its fused score, and how much of the
question's own words one paragraph holds together), calibrated on the development half of
the test set (:class:`ReaderCalibration`); with ``reader_relevance`` on, the trained
cross-encoder's logit joins in. Where that leaves the answer unsure (the best two hits nearly
tied, or the best one's relevance inside :attr:`ReaderCalibration.unsure`), or where its
verdict could decide whether to answer at all (the caller says so), the language-model judge
reads the best paragraph, within the time left, and its yes/no probability is fused in.

A reader that cannot do its part (a judge that is missing, fails or is slow) reads what it can
and says what it could not in :attr:`Reading.notice`: the answer is then made from what is
left, and the user is told.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from assistant.answers import Hit
from assistant.reader.bundled_model import ModelUnavailable
from assistant.reader.judges import Judge, JudgeFailed, make_judge
from assistant.reader.relevance import RelevanceModel, model_folder
from assistant.retrieval.fusion import RetrievalTrace
from corpus.settings import Settings
from corpus.wording import sentence_spans


def logit(p: float) -> float:
    """The log-odds of a probability, held finite."""
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@dataclass(frozen=True, slots=True)
class ReaderCalibration:
    """How relevance is made from what is known of a hit, and when the judge is asked.

    relevance = σ(bias + score_weight × the hit's fused retrieval score + cover_weight × the
    question's best cover + logit_weight × the relevance model's logit, where it is used);
    where the judge read the paragraph, σ(logit(relevance) + judge_weight × logit(P(yes)) +
    judge_bias). Fitted on the development half of the shipped test set by
    ``python -m eval.calibrate_reader``; see eval/README.md.
    """

    bias: float = 0.0
    score_weight: float = 1.0
    cover_weight: float = 0.0
    logit_weight: float = 1.0
    judge_weight: float = 1.0
    judge_bias: float = 0.0
    #: The judge is asked when the best relevance falls in [low, high) ...
    unsure: tuple[float, float] = (0.2, 0.8)
    #: ... or when the best two hits' retrieval scores are closer than this.
    margin: float = 0.0
    #: How many of the best paragraphs the judge reads, at most, when unsure (the best one
    #: alone when asked only for its verdict on whether to answer).
    judged: int = 1

    def relevance(self, score: float, cover: float = 0.0, logit: float = 0.0) -> float:
        return _sigmoid(
            self.bias
            + self.score_weight * score
            + self.cover_weight * cover
            + self.logit_weight * logit
        )

    def with_judge(self, relevance: float, p_yes: float) -> float:
        return _sigmoid(logit(relevance) + self.judge_weight * logit(p_yes) + self.judge_bias)

    def unsure_of(self, hits: Sequence[Hit], relevance: dict[str, float]) -> bool:
        """Whether the judge should read: the best relevance inside :attr:`unsure`, or the
        best two hits nearly tied."""
        if not hits:
            return False
        low, high = self.unsure
        if low <= max(relevance.values()) < high:
            return True
        return len(hits) > 1 and hits[0].score - hits[1].score < self.margin


class Scorer(Protocol):
    """Scores (question, text) pairs: a logit per text, above 0 when it answers."""

    def logits(self, question: str, texts: Sequence[str]) -> list[float]: ...


#: Said when the judge, busy with other questions, is not waited for.
BUSY = "The reader's model was busy with other questions; whether to answer rests on retrieval."

#: The calibration the product reads with (fitted on the development half).
READER_CALIBRATION = ReaderCalibration(
    bias=-4.16,
    score_weight=6.737,
    cover_weight=-0.535,
    judge_weight=0.5,
    judge_bias=0.5,
    unsure=(0.0, 0.0),
    margin=0.03,
    judged=2,
)
#: The calibration with the relevance model's logit (``reader_relevance``), fitted on the
#: development half with the model built from the shipped teacher questions
#: (``python -m eval.calibrate_reader ... --relevance``).
RELEVANCE_CALIBRATION = ReaderCalibration(
    bias=-3.715,
    score_weight=5.625,
    cover_weight=-0.421,
    logit_weight=0.035,
    judge_weight=1.0,
    judge_bias=0.0,
    unsure=(0.0, 0.0),
    margin=0.02,
    judged=1,
)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the reader made of a question's hits."""

    #: Relevance (0-1) of each hit read, by paragraph id.
    relevance: dict[str, float] = field(default_factory=dict)
    #: The judge's P(yes) for the paragraphs it read, by paragraph id, in the order read
    #: (the most relevant first).
    judged: dict[str, float] = field(default_factory=dict)
    #: How surely each sentence answers, for the paragraphs most likely to be quoted.
    sentences: dict[str, list[float]] = field(default_factory=dict)
    #: What the reader could not do, for the user.
    notice: str | None = None
    seconds: float = 0.0

    @property
    def read(self) -> bool:
        return bool(self.relevance)

    @property
    def verdict(self) -> float | None:
        """The judge's P(yes) for the best paragraph found, if it read it: whether the
        documents answer at all."""
        return next(iter(self.judged.values()), None)

    def judge(self, hits: Sequence[Hit]) -> list[Hit]:
        """The hits, each read one carrying its relevance."""
        return [
            replace(h, relevance=self.relevance[h.paragraph.id])
            if h.paragraph.id in self.relevance
            else h
            for h in hits
        ]


class Reader:
    """Reads hits with what retrieval knows, the relevance model where it is used, and, where
    unsure, the judge."""

    def __init__(
        self,
        relevance: Scorer | None,
        judge: Judge | None,
        calibration: ReaderCalibration | None = None,
        *,
        depth: int = 10,
        quoted: int = 3,
        timeout_s: float = 8.0,
        missing: str | None = None,
    ) -> None:
        self.relevance_model = relevance
        self.judge = judge
        self.calibration = calibration or ReaderCalibration()
        self.depth = depth
        #: How many of the best paragraphs have their sentences read.
        self.quoted = quoted
        self.timeout_s = timeout_s
        #: Why the judge is missing, said with every reading.
        self.missing = missing

    def warm_up(self, hits: Sequence[Hit]) -> None:
        """Loads the models now: a first question should not pay for it."""
        if self.relevance_model is not None and hits:
            self.relevance_model.logits("information society", [hits[0].paragraph.text])
        if self.judge is not None:
            try:
                self.judge.warm_up()
            except JudgeFailed as exc:
                self.judge = None
                self.missing = self.missing or f"The reader's model is not available ({exc})."

    def read(
        self,
        question: str,
        hits: Sequence[Hit],
        trace: RetrievalTrace | None = None,
        with_judge: bool = True,
        judge_best: bool = False,
    ) -> Reading:
        """Relevance of the first ``depth`` hits; the judge reads the best of them when
        unsure, or when asked to (``judge_best``: its verdict decides whether to answer), and
        ``with_judge``. With neither a judge nor a relevance model there is nothing to add to
        retrieval: the reading is empty and says why."""
        started = time.perf_counter()
        if not hits or (self.judge is None and self.relevance_model is None):
            return Reading(notice=self.missing, seconds=time.perf_counter() - started)
        read = list(hits[: self.depth])
        texts = [h.paragraph.text for h in read]
        model = self.relevance_model
        logits = model.logits(question, texts) if model is not None else [0.0] * len(read)
        calibration = self.calibration
        cover = trace.cover if trace is not None else 0.0
        relevance = {
            h.paragraph.id: calibration.relevance(h.score, cover, logit)
            for h, logit in zip(read, logits, strict=True)
        }
        judged: dict[str, float] = {}
        notice = self.missing if with_judge else None
        unsure = calibration.unsure_of(read, relevance)
        if with_judge and judge_best and not unsure and self.judge and self.judge.busy():
            # Whether to answer can rest on retrieval: not worth a queue behind others.
            judge_best, notice = False, BUSY
        if with_judge and self.judge is not None and (unsure or judge_best):
            ranked = sorted(read, key=lambda h: -relevance[h.paragraph.id])
            deadline = started + self.timeout_s
            try:
                for hit in ranked[: calibration.judged if unsure else 1]:
                    left = deadline - time.perf_counter()
                    if left <= 0:
                        notice = "The reader's model ran out of time for this question."
                        break
                    p_yes = self.judge.judge(question, hit.paragraph.text, left)
                    pid = hit.paragraph.id
                    judged[pid] = p_yes
                    relevance[pid] = calibration.with_judge(relevance[pid], p_yes)
            except JudgeFailed as exc:
                notice = f"The reader's model could not be used ({exc})."
        sentences = self.sentence_logits(question, read, relevance) if model is not None else {}
        return Reading(relevance, judged, sentences, notice, time.perf_counter() - started)

    def sentence_logits(
        self, question: str, read: Sequence[Hit], relevance: dict[str, float]
    ) -> dict[str, list[float]]:
        """How surely each sentence answers, for the paragraphs likeliest to be quoted (the
        ``quoted`` most relevant), in one batch."""
        assert self.relevance_model is not None
        likeliest = sorted(read, key=lambda h: -relevance[h.paragraph.id])[: self.quoted]
        texts: list[str] = []
        owners: list[str] = []
        for hit in likeliest:
            text = hit.paragraph.text
            for start, end in sentence_spans(text):
                texts.append(text[start:end])
                owners.append(hit.paragraph.id)
        out: dict[str, list[float]] = {}
        for owner, logit in zip(owners, self.relevance_model.logits(question, texts), strict=True):
            out.setdefault(owner, []).append(logit)
        return out


def make_reader(settings: Settings, calibration: ReaderCalibration | None = None) -> Reader | None:
    """The reader the settings ask for (None for ``reader: none``). What is missing (a model
    not built, a server not named) does not stop it: it reads with what it has and says so."""
    if settings.reader == "none":
        return None
    missing = None
    relevance: RelevanceModel | None = None
    if settings.reader_relevance:
        try:
            relevance = RelevanceModel(model_folder(settings))
        except ModelUnavailable as exc:
            missing = f"The relevance model is not available ({exc})."
    judge: Judge | None
    try:
        judge = make_judge(settings)
    except JudgeFailed as exc:
        judge = None
        missing = (
            f"The reader's model is not available ({exc}); the answer rests on retrieval scores."
        )
    if calibration is None:
        calibration = RELEVANCE_CALIBRATION if relevance is not None else READER_CALIBRATION
    return Reader(
        relevance,
        judge,
        calibration,
        timeout_s=settings.reader_timeout_s,
        missing=missing,
    )
