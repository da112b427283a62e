"""Citation-accuracy metrics: pure functions over (test item, answer in the JSON contract).

Each metric returns a Score: an overall number and one number per question id, None where
the metric is undefined for that question (retrieval on an unanswerable question, precision
of an answer that cites nothing), so a report can show which questions drag a number down and
undefined cases never count as zeros. Exact definitions are in ``eval/README.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from eval.testset import TestItem, gold_matched, matches

Answer = Mapping[str, Any]
Result = tuple[TestItem, Answer]
PerQuestion = Callable[[TestItem, Answer], float | None]
#: Hits looked at for the hit@k curve and the per-question first-match rank.
MAX_RANK = 10


@dataclass(frozen=True, slots=True)
class Score:
    """A metric over a test set: the overall value and each question's value (None: undefined)."""

    overall: float | None
    per_question: dict[str, float | None]


@dataclass(frozen=True, slots=True)
class AbstentionScores:
    """How well refusals track unanswerable questions ("unanswerable" is the positive class).

    ``correct`` says per question whether the answer abstained exactly when it should have.
    """

    precision: float | None
    recall: float | None
    f1: float | None
    false_abstention_rate: float | None
    correct: dict[str, bool]


# --- Plumbing -------------------------------------------------------------------------------


def pair_answers(items: Sequence[TestItem], answers: Sequence[Answer]) -> list[Result]:
    """Each test item with its answer, joined on ``id`` so that order cannot misalign them."""
    by_id: dict[str, Answer] = {}
    for position, answer in enumerate(answers):
        answer_id = answer.get("id")
        if answer_id is None:
            raise ValueError(
                f"answer {position} has no id; render it with answer_json(answer, question_id)"
            )
        if answer_id in by_id:
            raise ValueError(f"two answers for question {answer_id!r}")
        by_id[answer_id] = answer
    item_ids = {item.id for item in items}
    missing = [item.id for item in items if item.id not in by_id]
    extra = [answer_id for answer_id in by_id if answer_id not in item_ids]
    if missing or extra:
        raise ValueError(f"answers do not fit the test set: missing {missing}, unknown {extra}")
    return [(item, by_id[item.id]) for item in items]


def mean_score(per_question: dict[str, float | None]) -> Score:
    """The mean over the questions where the metric is defined; None if it is defined nowhere."""
    values = [v for v in per_question.values() if v is not None]
    return Score(sum(values) / len(values) if values else None, per_question)


def _answerable_score(results: Sequence[Result], metric: PerQuestion) -> Score:
    """A metric that only means something when there is gold: None for unanswerable items."""
    return mean_score(
        {item.id: metric(item, answer) if item.answerable else None for item, answer in results}
    )


def _passages(answer: Answer, key: str) -> list[Mapping[str, Any]]:
    return list(answer.get(key) or [])


def _is_relevant(passage: Mapping[str, Any], item: TestItem) -> bool:
    return any(matches(passage, gold) for gold in item.gold)


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")


# --- Retrieval over hits (answerable questions) ---------------------------------------------


def hit_at_k(results: Sequence[Result], k: int) -> Score:
    """1 if any of the top k hits matches a gold item: did the answerer see the evidence?"""
    _check_k(k)
    return _answerable_score(
        results,
        lambda item, answer: float(
            any(_is_relevant(h, item) for h in _passages(answer, "hits")[:k])
        ),
    )


def recall_at_k(results: Sequence[Result], k: int) -> Score:
    """Share of gold items matched by the top k hits: all the evidence, not just some."""
    _check_k(k)
    return _answerable_score(
        results,
        lambda item, answer: (
            len(gold_matched(_passages(answer, "hits")[:k], item.gold)) / len(item.gold)
        ),
    )


def mrr(results: Sequence[Result]) -> Score:
    """1 / rank of the first hit matching any gold item over the whole list; 0 if none does."""
    return _answerable_score(results, _reciprocal_rank)


def _reciprocal_rank(item: TestItem, answer: Answer) -> float:
    for rank, hit in enumerate(_passages(answer, "hits"), start=1):
        if _is_relevant(hit, item):
            return 1.0 / rank
    return 0.0


def ndcg_at_k(results: Sequence[Result], k: int) -> Score:
    """Binary nDCG@k: rewards gold evidence near the top, each gold item credited once.

    A hit is relevant if it matches a gold item no higher-ranked hit has matched yet, so the
    same paragraph retrieved twice (or two hits for one quote) is not rewarded twice and the
    score cannot exceed 1. The ideal ranking puts min(number of gold items, k) relevant hits
    first.
    """
    _check_k(k)
    return _answerable_score(results, lambda item, answer: _ndcg(item, answer, k))


def _ndcg(item: TestItem, answer: Answer, k: int) -> float:
    credited: set[int] = set()
    dcg = 0.0
    for rank, hit in enumerate(_passages(answer, "hits")[:k], start=1):
        new = gold_matched([hit], item.gold) - credited
        if new:
            credited |= new
            dcg += 1.0 / math.log2(rank + 1)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(item.gold), k) + 1))
    return dcg / ideal


# --- Citations (answerable questions) -------------------------------------------------------


def citation_precision(results: Sequence[Result]) -> Score:
    """Share of distinct cited paragraphs that match a gold item: are the citations right?

    None for an abstained answer or one without citations, because precision of nothing is
    undefined; ``uncited_answer_rate`` reports those answers and recall scores them 0.
    """
    return _answerable_score(results, _citation_precision)


def _citation_precision(item: TestItem, answer: Answer) -> float | None:
    cited = _distinct(_passages(answer, "citations"))
    if answer.get("abstained") or not cited:
        return None
    return sum(_is_relevant(c, item) for c in cited) / len(cited)


def _distinct(citations: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Citations with repeats of the same paragraph (document, part, label) dropped."""
    seen: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for c in citations:
        key = (c.get("doc_id"), c.get("symbol"), c.get("part"), c.get("paragraph"))
        seen.setdefault(key, c)
    return list(seen.values())


def citation_recall(results: Sequence[Result]) -> Score:
    """Share of gold items matched by some citation; 0 for an abstained answer."""
    return _answerable_score(
        results,
        lambda item, answer: (
            0.0
            if answer.get("abstained")
            else len(gold_matched(_passages(answer, "citations"), item.gold)) / len(item.gold)
        ),
    )


def top_citation_accuracy(results: Sequence[Result]) -> Score:
    """1 if the first citation, the one a reader checks, matches a gold item; 0 if none."""
    return _answerable_score(results, _top_citation_correct)


def _top_citation_correct(item: TestItem, answer: Answer) -> float:
    citations = _passages(answer, "citations")
    if answer.get("abstained") or not citations:
        return 0.0
    return float(_is_relevant(citations[0], item))


def uncited_answer_rate(results: Sequence[Result]) -> Score:
    """Share of non-abstained answers to answerable questions that cite nothing.

    Reported beside citation precision, which leaves those answers out.
    """
    return _answerable_score(
        results,
        lambda item, answer: (
            None if answer.get("abstained") else float(not _passages(answer, "citations"))
        ),
    )


# --- Abstention -----------------------------------------------------------------------------


def abstention_scores(results: Sequence[Result]) -> AbstentionScores:
    """Precision, recall and F1 of abstaining on unanswerable questions, and how often
    answerable questions were wrongly refused; None where a denominator is 0."""
    should = [not item.answerable for item, _ in results]
    did = [bool(answer.get("abstained")) for _, answer in results]
    true_pos = sum(s and d for s, d in zip(should, did, strict=True))
    false_pos = sum(d and not s for s, d in zip(should, did, strict=True))
    false_neg = sum(s and not d for s, d in zip(should, did, strict=True))
    answerable = len(results) - sum(should)
    return AbstentionScores(
        precision=_ratio(true_pos, true_pos + false_pos),
        recall=_ratio(true_pos, true_pos + false_neg),
        f1=_ratio(2 * true_pos, 2 * true_pos + false_pos + false_neg),
        false_abstention_rate=_ratio(false_pos, answerable),
        correct={item.id: s == d for (item, _), s, d in zip(results, should, did, strict=True)},
    )


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


# --- Latency --------------------------------------------------------------------------------


def latency_ms(results: Sequence[Result], percentile: float, stage: str = "total") -> Score:
    """A percentile of ``timings_ms[stage]`` over all questions, linearly interpolated
    (numpy's default); per question the raw time, None when it was not recorded."""
    per_question = {item.id: _timing(answer, stage) for item, answer in results}
    values = [v for v in per_question.values() if v is not None]
    overall = float(np.percentile(values, percentile)) if values else None
    return Score(overall, per_question)


def _timing(answer: Answer, stage: str) -> float | None:
    value = (answer.get("timings_ms") or {}).get(stage)
    return float(value) if isinstance(value, int | float) else None


# --- Summary --------------------------------------------------------------------------------


def summarize(items: Sequence[TestItem], answers: Sequence[Answer]) -> dict[str, float | None]:
    """Every metric's overall value under a stable key, for reports and run comparisons."""
    return summarize_results(pair_answers(items, answers))


def per_question_scores(results: Sequence[Result]) -> dict[str, Score]:
    """The summary metrics that are means of per-question values, by summary key."""
    return {
        "hit@1": hit_at_k(results, 1),
        "hit@5": hit_at_k(results, 5),
        "hit@10": hit_at_k(results, 10),
        "recall@5": recall_at_k(results, 5),
        "recall@10": recall_at_k(results, 10),
        "mrr": mrr(results),
        "ndcg@10": ndcg_at_k(results, 10),
        "citation_precision": citation_precision(results),
        "citation_recall": citation_recall(results),
        "top_citation_accuracy": top_citation_accuracy(results),
        "uncited_answer_rate": uncited_answer_rate(results),
    }


def summarize_results(results: Sequence[Result]) -> dict[str, float | None]:
    """``summarize`` for results already paired."""
    abstention = abstention_scores(results)
    return {
        **{name: score.overall for name, score in per_question_scores(results).items()},
        "abstention_precision": abstention.precision,
        "abstention_recall": abstention.recall,
        "abstention_f1": abstention.f1,
        "false_abstention_rate": abstention.false_abstention_rate,
        "latency_p50_ms": latency_ms(results, 50).overall,
        "latency_p95_ms": latency_ms(results, 95).overall,
        "retrieve_p50_ms": latency_ms(results, 50, "retrieve").overall,
        "retrieve_p95_ms": latency_ms(results, 95, "retrieve").overall,
        "language_p50_ms": latency_ms(results, 50, "language").overall,
        "language_p95_ms": latency_ms(results, 95, "language").overall,
    }


# --- Confidence intervals --------------------------------------------------------------------

Interval = tuple[float, float]
ABSTENTION_METRICS = (
    "abstention_precision",
    "abstention_recall",
    "abstention_f1",
    "false_abstention_rate",
)
#: Bootstrap resamples behind each interval, and the seed that makes a report reproducible.
RESAMPLES = 2000
SEED = 0
#: How reports explain the intervals they show.
INTERVALS_NOTE = (
    f"In brackets: 95% bootstrap interval over the questions ({RESAMPLES:,} resamples). "
    "A difference between runs well inside it is not evidence that one is better."
)


@dataclass(frozen=True)
class QuestionTable:
    """The per-question values behind the score metrics, one row per question in a fixed
    order: what a bootstrap draws from. ``means`` holds each mean metric's values (NaN where
    undefined for a question); ``unanswerable`` and ``abstained`` give the abstention ones."""

    means: dict[str, np.ndarray]
    unanswerable: np.ndarray
    abstained: np.ndarray

    @classmethod
    def of(cls, results: Sequence[Result]) -> QuestionTable:
        scores = per_question_scores(results)
        return cls.from_rows(
            [
                (
                    {name: score.per_question[item.id] for name, score in scores.items()},
                    not item.answerable,
                    bool(answer.get("abstained")),
                )
                for item, answer in results
            ]
        )

    @classmethod
    def from_rows(
        cls, rows: Sequence[tuple[Mapping[str, float | None], bool, bool]]
    ) -> QuestionTable:
        """From (mean metrics' values, unanswerable, abstained) per question."""
        names = list(dict.fromkeys(name for scores, _, _ in rows for name in scores))
        means = {
            name: np.array(
                [np.nan if (v := scores.get(name)) is None else v for scores, _, _ in rows]
            )
            for name in names
        }
        unanswerable = np.array([row[1] for row in rows], dtype=bool)
        return cls(means, unanswerable, np.array([row[2] for row in rows], dtype=bool))

    def __len__(self) -> int:
        return len(self.unanswerable)

    @property
    def metrics(self) -> list[str]:
        return [*self.means, *ABSTENTION_METRICS]

    def value(self, metric: str, draw: np.ndarray) -> np.ndarray:
        """The metric on each draw: ``draw`` holds row numbers, one draw per last-axis row."""
        with np.errstate(invalid="ignore", divide="ignore"):
            if metric in self.means:
                column = self.means[metric][draw]
                return np.nansum(column, axis=-1) / (~np.isnan(column)).sum(axis=-1)
            should, did = self.unanswerable[draw], self.abstained[draw]
            tp, fp, fn = (
                (a & b).sum(axis=-1) for a, b in ((should, did), (~should, did), (should, ~did))
            )
            if metric == "abstention_precision":
                return tp / (tp + fp)
            if metric == "abstention_recall":
                return tp / (tp + fn)
            if metric == "abstention_f1":
                return 2 * tp / (2 * tp + fp + fn)
            if metric == "false_abstention_rate":
                return fp / (~should).sum(axis=-1)
        raise KeyError(metric)


#: A metric undefined on more than this share of draws (abstention precision when almost
#: nothing is refused) gets no interval; below it, the undefined draws are left out.
MAX_UNDEFINED_DRAWS = 0.1


def _interval(
    statistic: Callable[[np.ndarray], np.ndarray], n: int, level: float, resamples: int, seed: int
) -> Interval | None:
    """Percentile-bootstrap interval of a statistic of n rows: ``resamples`` draws of n row
    numbers with replacement, the statistic on each, and the central ``level`` of them."""
    if n < 2:
        return None
    draws = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
    values = statistic(draws)
    defined = values[np.isfinite(values)]
    if len(defined) < (1 - MAX_UNDEFINED_DRAWS) * resamples:
        return None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(defined, [tail, 100 - tail])
    return float(low), float(high)


def confidence_intervals(
    results: Sequence[Result], level: float = 0.95, resamples: int = RESAMPLES, seed: int = SEED
) -> dict[str, Interval | None]:
    """Percentile-bootstrap intervals of the score metrics (latencies have none): the
    questions are drawn with replacement, the same draws for every metric, and each metric
    is computed again on each draw from its per-question values. None where the metric is
    undefined, or undefined in many draws (:data:`MAX_UNDEFINED_DRAWS`). With a few dozen
    questions the intervals are wide: a difference between two runs well inside them is not
    evidence that one is better."""
    table = QuestionTable.of(results)
    everyone = np.arange(len(table))
    return {
        metric: _interval(partial(table.value, metric), len(table), level, resamples, seed)
        if np.isfinite(table.value(metric, everyone))
        else None
        for metric in table.metrics
    }


def difference_intervals(
    before: QuestionTable,
    after: QuestionTable,
    level: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> dict[str, Interval | None]:
    """Paired-bootstrap intervals of ``after - before`` for each metric both tables hold,
    whose rows are the same questions in the same order: each draw takes the same questions
    from both runs, so questions both runs find easy or hard do not widen the interval. An
    interval that excludes 0 is a difference the test set shows."""
    if len(before) != len(after):
        raise ValueError("the two tables must hold the same questions in the same order")

    def change(metric: str) -> Callable[[np.ndarray], np.ndarray]:
        return lambda draw: after.value(metric, draw) - before.value(metric, draw)

    return {
        metric: _interval(change(metric), len(before), level, resamples, seed)
        for metric in before.metrics
        if metric in after.metrics
    }
