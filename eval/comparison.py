"""Comparing two evaluation runs: how run B differs from run A, metric by metric and
question by question (``wsis eval --compare A B``).

Runs are read from the ``summary.json`` files that ``wsis eval --report`` writes
(:meth:`~eval.run.EvalRun.to_dict`). Each delta of a mean metric gets a paired-bootstrap
interval over the questions both runs answered (:func:`~eval.metrics.difference_intervals`),
and every question whose hit@5 or abstention correctness changed is listed as a flip.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.errors import WSISError
from eval.metrics import Interval, QuestionTable, difference_intervals
from eval.run import SUMMARY_FORMAT


@dataclass(frozen=True, slots=True)
class MetricDelta:
    """One metric of one system on one split: its value in run A (before) and run B (after)."""

    system: str
    split: str
    metric: str
    before: float | None
    after: float | None
    #: 95% paired-bootstrap interval of the delta over the questions both runs answered;
    #: None for latencies, or when a run's summary lacks per-question scores.
    interval: Interval | None = None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class Flip:
    """A question whose hit@5 or abstention correctness changed between two runs."""

    system: str
    split: str
    id: str
    question: str
    what: str
    before: Any
    after: Any

    @property
    def improved(self) -> bool:
        return bool(self.after) and not bool(self.before)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Run B against run A: metric deltas and flipped questions, for systems and splits
    present in both runs."""

    deltas: tuple[MetricDelta, ...]
    flips: tuple[Flip, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "deltas": [
                {
                    "system": d.system,
                    "split": d.split,
                    "metric": d.metric,
                    "a": d.before,
                    "b": d.after,
                    "delta": d.delta,
                    "delta_interval": list(d.interval) if d.interval else None,
                }
                for d in self.deltas
            ],
            "flips": [
                {
                    "system": f.system,
                    "split": f.split,
                    "id": f.id,
                    "question": f.question,
                    "what": f.what,
                    "a": f.before,
                    "b": f.after,
                    "improved": f.improved,
                }
                for f in self.flips
            ],
        }


def load_summary(path: str | Path) -> dict[str, Any]:
    """A ``summary.json`` (or a report folder holding one), checked to be one."""
    path = Path(path)
    if path.is_dir():
        path = path / "summary.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise WSISError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except json.JSONDecodeError as exc:
        raise WSISError(f"{path}: not valid JSON ({exc.msg}); give a summary.json") from exc
    if not isinstance(data, dict) or data.get("format") != SUMMARY_FORMAT:
        raise WSISError(
            f"{path}: not a summary written by `wsis eval --report` (format {SUMMARY_FORMAT})"
        )
    return data


def compare_runs(
    a_json: Mapping[str, Any] | str | Path, b_json: Mapping[str, Any] | str | Path
) -> Comparison:
    """How run B differs from run A (summary dicts, or paths of ``summary.json`` files)."""
    a = load_summary(a_json) if isinstance(a_json, str | Path) else a_json
    b = load_summary(b_json) if isinstance(b_json, str | Path) else b_json
    deltas: list[MetricDelta] = []
    flips: list[Flip] = []
    for system, a_splits in a["results"].items():
        for split, a_result in a_splits.items():
            b_result = b["results"].get(system, {}).get(split)
            if b_result is None:
                continue
            intervals = _delta_intervals(a_result["questions"], b_result["questions"])
            deltas += _metric_deltas(
                system, split, a_result["metrics"], b_result["metrics"], intervals
            )
            flips += _flips(system, split, a_result["questions"], b_result["questions"])
    return Comparison(tuple(deltas), tuple(flips))


def _metric_deltas(
    system: str,
    split: str,
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    intervals: Mapping[str, Interval | None],
) -> list[MetricDelta]:
    return [
        MetricDelta(system, split, m, a.get(m), b.get(m), intervals.get(m))
        for m in dict.fromkeys([*a, *b])
    ]


def _delta_intervals(
    a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]
) -> dict[str, Interval | None]:
    """Paired intervals of B - A over the questions both runs scored, when both summaries
    carry per-question scores (summaries written before they did get none)."""
    after = {q["id"]: q for q in b}
    both = [(q, after[q["id"]]) for q in a if q["id"] in after]
    if not both or not all(q.get("scores") and p.get("scores") for q, p in both):
        return {}

    def table(rows: Sequence[Mapping[str, Any]]) -> QuestionTable:
        return QuestionTable.from_rows(
            [(q["scores"], q["kind"] == "unanswerable", bool(q.get("abstained"))) for q in rows]
        )

    return difference_intervals(table([q for q, _ in both]), table([p for _, p in both]))


def _flips(
    system: str,
    split: str,
    a: Sequence[Mapping[str, Any]],
    b: Sequence[Mapping[str, Any]],
) -> list[Flip]:
    after = {q["id"]: q for q in b}
    flips = []
    for before in a:
        now = after.get(before["id"])
        if now is None:
            continue
        for what in ("hit@5", "abstention_correct"):
            if before.get(what) != now.get(what):
                flips.append(
                    Flip(
                        system,
                        split,
                        before["id"],
                        before["question"],
                        what,
                        before.get(what),
                        now.get(what),
                    )
                )
    return flips
