"""What coverage's reader knows of a candidate paragraph, and how its relevance to a topic is
made from it (:class:`TopicCalibration`, fitted on the development topics)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.coverage.results import Span

Progress = Callable[[float, str], None]

#: Relevance (0-1) a paragraph must reach to be listed, unless the caller asks otherwise.
DEFAULT_COVERAGE_THRESHOLD = 0.5
#: Bumped whenever what a cached result holds, or how it is made, changes.
METHOD_VERSION = 2
#: Longest paragraph text the language model reads, in characters.
MAX_JUDGED_CHARS = 2000
#: Texts the relevance model reads per call: progress is reported between calls.
READ_BATCH = 64


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


@dataclass(frozen=True, slots=True)
class Method:
    """How coverage finds and judges paragraphs; part of every cached result's key."""

    #: The topic put as a question for the relevance model.
    template: str = "What do the documents say about {topic}?"
    #: Paragraphs taken from the top of each query's ranking when the scope is large.
    per_query: int = 60
    #: Dense neighbours taken for the topic and each of its names when the scope is large.
    neighbours: int = 60
    #: A scope of at most this many searchable paragraphs is read whole.
    read_whole: int = 400
    #: At most this many candidates are read (those ranked best first).
    max_read: int = 600
    #: Related terms of the corpus taken for the topic and each part (0: none).
    related: int = 3
    #: Whether a part that names a theme of the matrix (an action line) brings the theme's
    #: topic as another name ("cybersecurity" -> "Building confidence and security in the
    #: use of ICTs").
    themes: bool = True
    #: Seconds the language model may spend on one topic (0: it is not asked).
    judge_seconds: float = 20.0
    #: Seconds a topic should take in all: the language model stops reading at this point
    #: even if its own seconds are not spent.
    budget_seconds: float = 50.0


#: What is known of a candidate before it is judged, in the order of the weights.
FEATURES = (
    "logit",
    "score",
    "phrase",
    "term",
    "dense",
    "heading",
    "cover",
    "top_score",
    "top_dense",
)


@dataclass(frozen=True, slots=True)
class TopicCalibration:
    """How a candidate's relevance is made from what the reader and retrieval saw.

    relevance = σ(bias + Σ weight × feature) over :data:`FEATURES`: the relevance model's best
    logit for the topic and its parts (``logit``), the best hybrid retrieval score for the
    topic or one of its names (``score``), whether one of its names occurs (``phrase``) or a
    related term (``term``), the embedder's cosine similarity of the paragraph (``dense``)
    and of its section heading (``heading``) to the nearest name. Where the language model
    read the paragraph: σ(keep × logit(relevance) + judge_weight × logit(P(yes)) +
    judge_bias). Fitted on the development topics by ``python -m eval.topics --fit``; see
    eval/README.md.
    """

    bias: float = -3.366
    weights: tuple[float, ...] = (0.0, 0.684, 2.344, 0.617, 0.236, 0.575, 1.06, 1.076, 0.9)
    #: The language model reads candidates whose relevance falls in [low, high).
    unsure: tuple[float, float] = (0.3, 0.7)
    keep: float = 1.0
    judge_weight: float = 1.0
    judge_bias: float = 0.0

    def relevance(self, features: Features) -> float:
        values = features.values()
        return sigmoid(self.bias + sum(w * v for w, v in zip(self.weights, values, strict=True)))

    def with_judge(self, relevance: float, p_yes: float) -> float:
        return sigmoid(
            self.keep * logit(relevance) + self.judge_weight * logit(p_yes) + self.judge_bias
        )


#: The calibration coverage reads with (fitted on the development topics).
TOPIC_CALIBRATION = TopicCalibration()
#: The calibration without a relevance model: the same, its logit left out.
FALLBACK_CALIBRATION = TopicCalibration()


@dataclass(slots=True)
class Features:
    """What is known of one candidate before it is judged (see :class:`TopicCalibration`)."""

    logit: float = 0.0
    score: float = 0.0
    phrase: float = 0.0
    term: float = 0.0
    dense: float = 0.0
    heading: float = 0.0
    cover: float = 0.0
    top_score: float = 0.0
    top_dense: float = 0.0
    #: Spans where the topic's wordings occur (the reason, when there are some).
    spans: list[Span] = field(default_factory=list)

    def values(self) -> tuple[float, ...]:
        return tuple(getattr(self, name) for name in FEATURES)


@dataclass(frozen=True, slots=True)
class Judged:
    """A candidate as the reader left it (what the cache keeps)."""

    paragraph_id: str
    score: float
    relevance: float
    reason: tuple[Span, ...]
    judged: float | None = None
