"""Evaluation reports: one folder per run, readable by people and by the next run.

- ``summary.json``: every system's metrics and per-question results per split, the shape of
  ``EvalRun.to_dict()``; ``wsis eval --compare A B`` reads two of them
  (:func:`eval.comparison.compare_runs`).
- ``report.md``: metric tables per split and the failed questions, for a pull request.
- ``report.html``: the same, self-contained (inline CSS, plots as inline PNG) so it can be
  mailed or archived as one file: hit@k curves, accuracy per gold document, latency.

The numbers behind the plots are pure functions (:func:`hit_curve`, :func:`document_accuracy`)
so they can be tested without drawing anything.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from eval.metrics import INTERVALS_NOTE, MAX_RANK, Interval
from eval.run import EvalResult, EvalRun, QuestionResult, by_language

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SUMMARY_FILE = "summary.json"
MARKDOWN_FILE = "report.md"
HTML_FILE = "report.html"
ABSTAINED = "(abstained)"
NOTHING = "(nothing)"


@dataclass(frozen=True, slots=True)
class ReportFiles:
    folder: Path
    summary: Path
    markdown: Path
    html: Path


def write_report(run: EvalRun, folder: str | Path) -> ReportFiles:
    """Write the three report files into ``folder`` (created if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(folder, folder / SUMMARY_FILE, folder / MARKDOWN_FILE, folder / HTML_FILE)
    summary = json.dumps(run.to_dict(), ensure_ascii=False, indent=2)
    files.summary.write_text(summary + "\n", encoding="utf-8")
    files.markdown.write_text(render_markdown(run), encoding="utf-8")
    files.html.write_text(render_html(run), encoding="utf-8")
    return files


# --- Numbers behind tables and plots ---------------------------------------------------------


def format_metric(metric: str, value: float | None, interval: Interval | None = None) -> str:
    """Scores to three decimals, with their 95% interval to two when there is one ("0.727
    (0.59–0.86)"); times to one decimal of a millisecond; undefined as "–"."""
    if value is None:
        return "–"
    if metric.endswith("_ms"):
        return f"{value:.1f}"
    if interval is None:
        return f"{value:.3f}"
    return f"{value:.3f} ({interval[0]:.2f}–{interval[1]:.2f})"


def metric_cell(result: EvalResult, metric: str) -> str:
    return format_metric(metric, result.summary.get(metric), result.intervals.get(metric))


def metric_names(results: Mapping[str, EvalResult]) -> list[str]:
    """The metrics in ``summarize`` order, as every system reports the same keys."""
    return list(dict.fromkeys(m for r in results.values() for m in r.summary))


def by_split(run: EvalRun, split: str) -> dict[str, EvalResult]:
    """system -> result on one split, for the systems that were scored on it."""
    return {s: splits[split] for s, splits in run.results.items() if split in splits}


def hit_curve(result: EvalResult, max_k: int = MAX_RANK) -> list[float]:
    """hit@k for k = 1..max_k over the answerable questions: how deep the evidence sits."""
    ranks = [q.first_match_rank for q in result.questions if q.kind == "answerable"]
    if not ranks:
        return []
    return [
        sum(1 for r in ranks if r is not None and r <= k) / len(ranks) for k in range(1, max_k + 1)
    ]


def document_accuracy(results: Mapping[str, EvalResult]) -> dict[str, dict[str, float]]:
    """gold document -> system -> top-citation accuracy of the answerable questions whose
    gold is (partly) in that document: which documents the systems get wrong."""
    out: dict[str, dict[str, float]] = {}
    for system, result in results.items():
        tallies: dict[str, list[bool]] = {}
        for q in result.questions:
            if q.citation_correct is None:
                continue
            for doc in q.gold_docs:
                tallies.setdefault(doc, []).append(q.citation_correct)
        for doc, flags in tallies.items():
            out.setdefault(doc, {})[system] = sum(flags) / len(flags)
    return dict(sorted(out.items()))


def returned(q: QuestionResult) -> str:
    """What a system gave back for a question, as one line."""
    if q.abstained:
        return ABSTAINED
    return "; ".join(q.got) or NOTHING


# --- Markdown --------------------------------------------------------------------------------


def _md(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _md_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(_md(h) for h in header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return lines


LANGUAGE_COLUMNS = ("system", "language", "questions", "hit@5", "false refusals")


def language_rows(results: Mapping[str, EvalResult]) -> list[list[str]]:
    """Each system's figures by the language of the questions, when they are in more than
    one (a test set of translations beside their English originals); none otherwise."""
    rows = []
    for system, result in results.items():
        figures = by_language(result)
        if len(figures) < 2 and "en" in figures:
            continue
        for language, f in figures.items():
            rows.append(
                [
                    system,
                    language,
                    str(f.questions),
                    format_metric("hit@5", f.hit_at_5),
                    format_metric("false_refusal_rate", f.false_refusals),
                ]
            )
    return rows


def render_markdown(run: EvalRun) -> str:
    """Metric tables (metrics x systems) and failed questions, one section per split."""
    lines = [
        "# WSIS Assistant evaluation",
        "",
        f"Test set: `{run.testset}` · run {run.created} · systems: {', '.join(run.systems)}",
    ]
    for split in run.splits:
        results = by_split(run, split)
        n = next(iter(results.values())).n if results else 0
        lines += ["", f"## Split: {split} ({n} questions)", ""]
        rows = [[m, *(metric_cell(r, m) for r in results.values())] for m in metric_names(results)]
        lines += _md_table(["metric", *results], rows)
        lines += ["", INTERVALS_NOTE]
        languages = language_rows(results)
        if languages:
            lines += ["", "### By language", ""]
            lines += _md_table(list(LANGUAGE_COLUMNS), languages)
        for system, result in results.items():
            lines += ["", f"### Failed questions: {system} ({len(result.failures)} of {n})", ""]
            if not result.failures:
                lines.append("None.")
                continue
            lines += _md_table(
                ["id", "question", "expected", "got", "top hits"],
                [
                    [
                        q.id,
                        q.question,
                        "; ".join(q.expected) or "(abstain)",
                        returned(q),
                        "; ".join(q.top_hits),
                    ]
                    for q in result.failures
                ],
            )
    return "\n".join(lines) + "\n"


# --- HTML ------------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }
h1, h2, h3 { color: #0b3d6b; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccd; padding: 0.25rem 0.5rem; vertical-align: top; text-align: left; }
th { background: #eef2f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.plots img { max-width: 100%; margin: 0.5rem 0; border: 1px solid #eee; }
.muted { color: #666; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int) -> str:
    """A table whose cells are escaped; columns from ``numeric_from`` are right-aligned."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_e(c)}</td>' if i >= numeric_from else f"<td>{_e(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_failures(system: str, result: EvalResult) -> str:
    title = f"<h3>Failed questions: {_e(system)} ({len(result.failures)} of {result.n})</h3>"
    if not result.failures:
        return title + "<p class='muted'>None.</p>"
    rows = [
        [
            q.id,
            q.question,
            q.style or "",
            "; ".join(q.expected) or "(abstain)",
            returned(q),
            "; ".join(q.top_hits),
        ]
        for q in result.failures
    ]
    header = ["id", "question", "style", "expected", "returned citations", "top hits"]
    return title + _html_table(header, rows, numeric_from=len(header))


def _html_plots(results: Mapping[str, EvalResult]) -> str:
    images = [
        ("hit@k", plot_hit_curve(results)),
        ("Top-citation accuracy by gold document", plot_document_accuracy(results)),
        ("Latency", plot_latency(results)),
    ]
    return (
        "<div class='plots'>"
        + "".join(
            f'<img alt="{_e(alt)}" src="data:image/png;base64,{png}">' for alt, png in images if png
        )
        + "</div>"
    )


def render_html(run: EvalRun) -> str:
    """A self-contained page: metric tables, plots and failed questions per split."""
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>WSIS Assistant evaluation: {_e(run.testset)}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>WSIS Assistant evaluation</h1>",
        f"<p class='muted'>Test set {_e(run.testset)} · run {_e(run.created)} · "
        f"systems: {_e(', '.join(run.systems))}</p>",
    ]
    for split in run.splits:
        results = by_split(run, split)
        n = next(iter(results.values())).n if results else 0
        rows = [[m, *(metric_cell(r, m) for r in results.values())] for m in metric_names(results)]
        parts += [
            f"<h2>Split: {_e(split)} ({n} questions)</h2>",
            _html_table(["metric", *results], rows, numeric_from=1),
            f"<p class='muted'>{_e(INTERVALS_NOTE)}</p>",
            _html_plots(results),
            *(_html_failures(system, result) for system, result in results.items()),
        ]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# --- Plots -----------------------------------------------------------------------------------


def _figure(width: float = 7.0, height: float = 3.6) -> Figure:
    """A figure drawn by the Agg canvas directly: no pyplot state, no display needed."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def plot_hit_curve(results: Mapping[str, EvalResult]) -> str:
    """hit@k for k = 1..10 per system, as base64 PNG; "" when nothing is answerable."""
    curves = {s: c for s, r in results.items() if (c := hit_curve(r))}
    if not curves:
        return ""
    figure = _figure()
    axes = figure.add_subplot()
    for system, curve in curves.items():
        axes.plot(range(1, len(curve) + 1), curve, marker="o", label=system)
    axes.set(xlabel="k (hits looked at)", ylabel="hit@k", ylim=(0, 1.02), title="hit@k")
    axes.set_xticks(range(1, MAX_RANK + 1))
    axes.grid(alpha=0.3)
    axes.legend()
    return _png(figure)


def plot_document_accuracy(results: Mapping[str, EvalResult]) -> str:
    """Grouped horizontal bars: top-citation accuracy per gold document and system."""
    table = document_accuracy(results)
    if not table:
        return ""
    systems = list(results)
    figure = _figure(height=max(2.5, 0.25 * len(table) * max(1, len(systems) / 2) + 1))
    axes = figure.add_subplot()
    width = 0.8 / len(systems)
    for i, system in enumerate(systems):
        positions = [row + i * width for row in range(len(table))]
        values = [by_system.get(system, 0.0) for by_system in table.values()]
        axes.barh(positions, values, height=width, label=system)
    axes.set_yticks([row + 0.4 - width / 2 for row in range(len(table))], list(table))
    axes.invert_yaxis()
    axes.set(xlabel="top-citation accuracy", xlim=(0, 1), title="Accuracy by gold document")
    axes.legend(fontsize="small")
    return _png(figure)


def plot_latency(results: Mapping[str, EvalResult]) -> str:
    """Histogram of total answer time per question and system, as base64 PNG."""
    values = {
        s: [q.latency_ms for q in r.questions if q.latency_ms is not None]
        for s, r in results.items()
    }
    values = {s: v for s, v in values.items() if v}
    if not values:
        return ""
    figure = _figure()
    axes = figure.add_subplot()
    axes.hist(list(values.values()), bins=20, label=list(values), alpha=0.8)
    axes.set(xlabel="total time per question (ms)", ylabel="questions", title="Latency")
    axes.legend()
    return _png(figure)
