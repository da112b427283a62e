"""Evaluation runs: the product and its baselines answer a test set; the answers are scored.

Every system answers through one function ``TestItem -> answer dict`` in the JSON contract of
:func:`assistant.render.answer_json`, so the product is measured on the same code path as
``wsis ask --json`` and the baselines are scored by exactly the same metrics.

Systems:

- ``product``: ``Assistant.ask(question)`` (hybrid retrieval, extractive answer, abstention).
- ``bm25`` and ``dense``: the same assistant with ``mode="bm25"`` / ``mode="dense"``, to show
  what each half of the hybrid retriever contributes.
- ``llama-index defaults``: what a newcomer builds in an afternoon
  (:class:`eval.baselines.LlamaIndexDefaults`).

Splits: the product is tuned on ``dev`` and reported on ``heldout``; ``all`` is every
question. Each split is evaluated on its own questions only. Runs are compared by
:mod:`eval.comparison` and written out by :mod:`eval.report`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, Protocol

from assistant import render
from assistant.answers import Answer
from assistant.api import Assistant
from corpus.errors import InvalidQuestion
from corpus.settings import Settings
from eval.baselines import LLAMA_INDEX_DEFAULTS, LlamaIndexDefaults
from eval.metrics import (
    MAX_RANK,
    Interval,
    abstention_scores,
    confidence_intervals,
    pair_answers,
    per_question_scores,
    summarize_results,
)
from eval.testset import GoldItem, TestItem, matches

AnswerDict = dict[str, Any]
AnswerFn = Callable[[TestItem], AnswerDict]
Progress = Callable[[int, int], None]

PRODUCT = "product"
#: The product asked each question's English original (test sets of translated questions).
ENGLISH_ORIGINALS = "English originals"
#: The product without its reader: hybrid retrieval and retrieval scores alone.
NO_READER = "reader none"
BASELINE_NAMES = ("bm25", "dense", LLAMA_INDEX_DEFAULTS)
ALL = "all"
SPLIT_CHOICES = (ALL, "dev", "heldout")
SUMMARY_FORMAT = "wsis-eval-summary/1"


# --- Running ---------------------------------------------------------------------------------


def run_testset(
    items: Sequence[TestItem], answer_fn: AnswerFn, progress: Progress | None = None
) -> list[AnswerDict]:
    """Each item's answer dict with ``id`` set to the item's id, in test-set order.

    The id is forced here rather than trusted from ``answer_fn``: scoring joins on it, and a
    system that forgot it would otherwise be scored against the wrong questions.
    """
    answers = []
    for done, item in enumerate(items):
        if progress:
            progress(done, len(items))
        answers.append({**answer_fn(item), "id": item.id})
    if progress:
        progress(len(items), len(items))
    return answers


def refusal(item: TestItem, reason: str) -> AnswerDict:
    """What a system that rejects a question (empty after cleaning, too long) is scored as:
    an abstention, with the reason as its notice, instead of a crash that loses the run."""
    answer = Answer(question=item.question, quotes=(), hits=(), abstained=True, notice=reason)
    return render.answer_json(answer, item.id)


def assistant_answer_fn(
    assistant: Assistant, mode: str = "hybrid", read: bool = True, original: bool = False
) -> AnswerFn:
    """The product path of ``wsis ask``: ``assistant.ask(question, mode=..., read=...)``;
    ``original`` asks a translated question's English original instead."""

    def answer(item: TestItem) -> AnswerDict:
        question = item.question_en if original and item.question_en else item.question
        try:
            answer = assistant.ask(question, mode=mode, read=read)
            return render.answer_json(answer, item.id)
        except InvalidQuestion as exc:
            return refusal(item, str(exc))

    return answer


class System(Protocol):
    """Anything that answers test items in the JSON contract: the product or a baseline."""

    name: str

    def answer(self, item: TestItem) -> AnswerDict: ...


@dataclass
class AssistantSystem:
    """The assistant in one retrieval mode, with or without its reader: the product (hybrid,
    read) or a baseline (without the reader; one-sided retrieval)."""

    name: str
    assistant: Assistant
    mode: str = "hybrid"
    read: bool = True
    #: Ask each question's English original (``question_en``) instead.
    original: bool = False

    def answer(self, item: TestItem) -> AnswerDict:
        return assistant_answer_fn(self.assistant, self.mode, self.read, self.original)(item)


def systems_for(
    assistant: Assistant,
    with_baselines: bool,
    settings: Settings | None = None,
    originals: bool = False,
) -> list[System]:
    """The product, the product on the English originals of translated questions when
    ``originals``, then the baselines when asked for; they share one assistant (one model
    load, one index) so they differ only in what they are meant to differ in."""
    systems: list[System] = [AssistantSystem(PRODUCT, assistant)]
    if originals:
        systems.append(AssistantSystem(ENGLISH_ORIGINALS, assistant, original=True))
    if with_baselines:
        if assistant.reader is not None:
            systems.append(AssistantSystem(NO_READER, assistant, read=False))
        systems += [
            AssistantSystem("bm25", assistant, "bm25", read=False),
            AssistantSystem("dense", assistant, "dense", read=False),
            LlamaIndexDefaults(settings or assistant.settings, assistant.embedder),
        ]
    return systems


# --- Scoring ---------------------------------------------------------------------------------


def citation_label(passage: Mapping[str, Any]) -> str:
    """A cited or retrieved paragraph as a reader checks it: "A/RES/80/173, para. 99"."""
    name = passage.get("symbol") or passage.get("doc_id") or "?"
    part = f"{passage['part']}, " if passage.get("part") else ""
    return f"{name}, {part}para. {passage.get('paragraph')}"


def gold_label(gold: GoldItem) -> str:
    """A gold item as the test set names it: its label, else the start of its quote."""
    part = f"{gold.part}, " if gold.part else ""
    if gold.paragraph:
        return f"{gold.doc}, {part}para. {gold.paragraph}"
    quote = gold.quote or ""
    return f"{gold.doc}, {part}“{quote[:60]}{'…' if len(quote) > 60 else ''}”"


def first_match_rank(item: TestItem, answer: Mapping[str, Any]) -> int | None:
    """Rank (1-based) of the first hit matching any gold item, within ``MAX_RANK``; None if
    none does or the question has no gold. Enough to draw hit@k for every k."""
    for rank, hit in enumerate(list(answer.get("hits") or [])[:MAX_RANK], start=1):
        if any(matches(hit, gold) for gold in item.gold):
            return rank
    return None


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """One question's outcome, with what was expected and what came back, for reports."""

    id: str
    question: str
    kind: str
    style: str | None
    split: str | None
    expected: tuple[str, ...]
    gold_docs: tuple[str, ...]
    got: tuple[str, ...]
    top_hits: tuple[str, ...]
    first_match_rank: int | None
    hit_at_5: float | None
    abstained: bool
    abstention_correct: bool
    citation_correct: bool | None
    latency_ms: float | None
    #: The question's language (one of the six UN languages).
    language: str = "en"
    #: The question's value of each metric that is a mean over questions (None: undefined),
    #: which lets :func:`~eval.comparison.compare_runs` put an interval on a difference
    #: between runs.
    scores: Mapping[str, float | None] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """Wrong about abstaining, or (answerable) the first citation is not a gold one."""
        return not self.abstention_correct or self.citation_correct is False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "kind": self.kind,
            "style": self.style,
            "split": self.split,
            "expected": list(self.expected),
            "gold_docs": list(self.gold_docs),
            "got": list(self.got),
            "top_hits": list(self.top_hits),
            "first_match_rank": self.first_match_rank,
            "hit@5": self.hit_at_5,
            "abstained": self.abstained,
            "abstention_correct": self.abstention_correct,
            "citation_correct": self.citation_correct,
            "failed": self.failed,
            "latency_ms": self.latency_ms,
            "language": self.language,
            "scores": dict(self.scores),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuestionResult:
        return cls(
            id=data["id"],
            question=data["question"],
            kind=data["kind"],
            style=data.get("style"),
            split=data.get("split"),
            expected=tuple(data.get("expected") or ()),
            gold_docs=tuple(data.get("gold_docs") or ()),
            got=tuple(data.get("got") or ()),
            top_hits=tuple(data.get("top_hits") or ()),
            first_match_rank=data.get("first_match_rank"),
            hit_at_5=data.get("hit@5"),
            abstained=bool(data.get("abstained")),
            abstention_correct=bool(data.get("abstention_correct")),
            citation_correct=data.get("citation_correct"),
            latency_ms=data.get("latency_ms"),
            language=str(data.get("language") or "en"),
            scores=dict(data.get("scores") or {}),
        )


@dataclass(frozen=True, slots=True)
class EvalResult:
    """One system on one split: the metric summary, its 95% confidence intervals
    (:func:`~eval.metrics.confidence_intervals`) and every question's outcome."""

    split: str
    summary: dict[str, float | None]
    questions: tuple[QuestionResult, ...]
    intervals: dict[str, Interval | None] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.questions)

    @property
    def failures(self) -> list[QuestionResult]:
        return [q for q in self.questions if q.failed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "metrics": self.summary,
            "intervals": {m: list(i) if i else None for m, i in self.intervals.items()},
            "questions": [q.to_dict() for q in self.questions],
        }

    @classmethod
    def from_dict(cls, split: str, data: Mapping[str, Any]) -> EvalResult:
        questions = tuple(QuestionResult.from_dict(q) for q in data.get("questions", []))
        intervals = {m: (i[0], i[1]) if i else None for m, i in data.get("intervals", {}).items()}
        return cls(split, dict(data.get("metrics", {})), questions, intervals)


def evaluate(
    items: Sequence[TestItem], answers: Sequence[Mapping[str, Any]], split: str = ALL
) -> EvalResult:
    """Score answers to exactly these items: summary metrics and one row per question.

    ``split`` only labels the result; use :func:`evaluate_split` to pick a split's items.
    """
    results = pair_answers(items, answers)
    scores = per_question_scores(results)
    top = scores["top_citation_accuracy"].per_question
    hit5 = scores["hit@5"].per_question
    abstention = abstention_scores(results).correct
    rows = tuple(
        QuestionResult(
            id=item.id,
            question=item.question,
            kind=item.kind,
            style=item.style,
            split=item.split,
            expected=tuple(gold_label(g) for g in item.gold),
            gold_docs=tuple(dict.fromkeys(g.doc for g in item.gold)),
            got=tuple(citation_label(c) for c in list(answer.get("citations") or [])[:3]),
            top_hits=tuple(citation_label(h) for h in list(answer.get("hits") or [])[:5]),
            first_match_rank=first_match_rank(item, answer),
            hit_at_5=hit5[item.id],
            abstained=bool(answer.get("abstained")),
            abstention_correct=abstention[item.id],
            citation_correct=None if top[item.id] is None else bool(top[item.id]),
            latency_ms=(answer.get("timings_ms") or {}).get("total"),
            language=item.language or "en",
            scores={name: score.per_question[item.id] for name, score in scores.items()},
        )
        for item, answer in results
    )
    return EvalResult(split, summarize_results(results), rows, confidence_intervals(results))


@dataclass(frozen=True, slots=True)
class LanguageFigures:
    """One language's questions in one result: how many, hit@5 over the answerable ones,
    and the share of answerable ones refused."""

    questions: int
    answerable: int
    hit_at_5: float | None
    false_refusals: float | None


def by_language(result: EvalResult) -> dict[str, LanguageFigures]:
    """The result's figures for each language its questions are in, English first."""
    languages = sorted({q.language for q in result.questions}, key=lambda x: (x != "en", x))
    figures = {}
    for language in languages:
        rows = [q for q in result.questions if q.language == language]
        answerable = [q for q in rows if q.kind == "answerable"]
        hits = [q.hit_at_5 for q in answerable if q.hit_at_5 is not None]
        figures[language] = LanguageFigures(
            len(rows),
            len(answerable),
            sum(hits) / len(hits) if hits else None,
            sum(q.abstained for q in answerable) / len(answerable) if answerable else None,
        )
    return figures


def select_split(items: Iterable[TestItem], split: str) -> list[TestItem]:
    """The items of one split; ``all`` is every item, with or without a split."""
    if split not in SPLIT_CHOICES:
        raise ValueError(f"split must be one of {SPLIT_CHOICES}, got {split!r}")
    return [item for item in items if split == ALL or item.split == split]


def evaluate_split(
    items: Sequence[TestItem], answers: Sequence[Mapping[str, Any]], split: str
) -> EvalResult:
    """Score one split, from answers to the whole test set (other splits' answers ignored)."""
    chosen = select_split(items, split)
    wanted = {item.id for item in chosen}
    return evaluate(chosen, [a for a in answers if a.get("id") in wanted], split)


def splits_present(items: Sequence[TestItem], requested: str | None = None) -> list[str]:
    """The requested split, or ``all`` plus each split that has questions."""
    if requested is not None:
        return [requested]
    return [s for s in SPLIT_CHOICES if s == ALL or any(i.split == s for i in items)]


@dataclass
class EvalRun:
    """Systems x splits of results from one test set: what reports show and runs compare."""

    testset: str
    results: dict[str, dict[str, EvalResult]]
    created: str = field(default_factory=lambda: datetime.now().isoformat(timespec="seconds"))

    @property
    def systems(self) -> list[str]:
        return list(self.results)

    @property
    def splits(self) -> list[str]:
        return list(dict.fromkeys(s for by_split in self.results.values() for s in by_split))

    def to_dict(self) -> dict[str, Any]:
        """The ``summary.json`` shape (``SUMMARY_FORMAT``), read back by
        :func:`~eval.comparison.compare_runs`."""
        return {
            "format": SUMMARY_FORMAT,
            "testset": self.testset,
            "created": self.created,
            "systems": self.systems,
            "splits": self.splits,
            "results": {
                system: {split: r.to_dict() for split, r in by_split.items()}
                for system, by_split in self.results.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvalRun:
        results = {
            system: {split: EvalResult.from_dict(split, r) for split, r in by_split.items()}
            for system, by_split in data["results"].items()
        }
        return cls(str(data.get("testset", "")), results, str(data.get("created", "")))


def evaluate_systems(
    items: Sequence[TestItem],
    systems: Sequence[System],
    testset: str = "",
    split: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> EvalRun:
    """Every system answers the questions of the chosen split(s) once; each split is then
    scored from those answers."""
    splits = splits_present(items, split)
    asked = select_split(items, split or ALL)
    results: dict[str, dict[str, EvalResult]] = {}
    for system in systems:
        report = partial(progress, system.name) if progress else None
        answers = run_testset(asked, system.answer, report)
        results[system.name] = {s: evaluate_split(asked, answers, s) for s in splits}
    return EvalRun(testset, results)
