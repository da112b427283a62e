"""``wsis eval``: score the product (and baselines) on a test set, or compare two runs.

The ``wsis`` command finds this command through the ``wsis.commands`` entry point. The test
set is checked before any model or index is loaded, so a typo in it costs a second, not a
model load. Errors of the library become one message and an exit status through
:func:`assistant.cli.common.run_guarded`.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assistant.cli.common import (
    corpus_option,
    index_option,
    make_assistant,
    reader_option,
    run_guarded,
)
from assistant.cli.progress import progress_bar
from eval.baselines import LlamaIndexDefaults
from eval.comparison import Comparison, compare_runs
from eval.metrics import INTERVALS_NOTE
from eval.report import LANGUAGE_COLUMNS, format_metric, language_rows, metric_cell, write_report
from eval.run import SPLIT_CHOICES, EvalRun, evaluate_systems, systems_for
from eval.testset import load_testset

#: The metrics the terminal table shows; the report and --json have all of them.
TABLE_METRICS = (
    "hit@1",
    "hit@5",
    "hit@10",
    "mrr",
    "top_citation_accuracy",
    "citation_precision",
    "abstention_f1",
    "false_abstention_rate",
    "latency_p50_ms",
    "language_p50_ms",
)


@click.command("eval")
@click.argument("testset", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--baselines", is_flag=True, help="Also run bm25, dense and llama-index defaults.")
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write summary.json, report.md and report.html into this folder.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--split",
    type=click.Choice(SPLIT_CHOICES),
    default=None,
    help="Evaluate only this split; default: all questions and each split separately.",
)
@click.option(
    "--compare",
    nargs=2,
    type=click.Path(exists=True, path_type=Path),
    metavar="A.json B.json",
    help="Compare two summary.json files (or report folders) instead of running.",
)
@corpus_option
@index_option
@reader_option
def eval_command(
    testset: Path | None,
    baselines: bool,
    report_dir: Path | None,
    as_json: bool,
    split: str | None,
    compare: tuple[Path, Path] | None,
    corpus_dirs: tuple[Path, ...],
    index_dir: Path | None,
    reader: str | None,
) -> None:
    """Score the assistant on TESTSET (JSONL or CSV), or compare two earlier runs.

    With --baselines, the product is measured beside itself without its reader ("reader
    none"), BM25 and dense retrieval alone, and llama-index's defaults."""
    if compare and testset:
        raise click.UsageError("give either TESTSET or --compare A.json B.json, not both")
    if compare:
        _compare(compare[0], compare[1], as_json)
        return
    if testset is None:
        raise click.UsageError("give a TESTSET to evaluate, or --compare A.json B.json")
    run = run_guarded(
        lambda: _evaluate(testset, baselines, split, corpus_dirs, index_dir, reader, as_json)
    )
    if report_dir is not None:
        files = write_report(run, report_dir)
        click.echo(f"Report written to {files.folder}", err=True)
    if as_json:
        click.echo(json.dumps(run.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_run(run)


def _evaluate(
    testset: Path,
    baselines: bool,
    split: str | None,
    corpus_dirs: tuple[Path, ...],
    index_dir: Path | None,
    reader: str | None,
    quiet: bool,
) -> EvalRun:
    items = load_testset(testset)
    # Loads the models and index now, so the first question's latency is not the load time.
    assistant = make_assistant(corpus_dirs=corpus_dirs, index_dir=index_dir, reader=reader)
    assistant.warm_up()
    originals = any(item.question_en for item in items)
    systems = systems_for(assistant, baselines, originals=originals)
    with progress_bar(disabled=quiet) as progress:
        for system in systems:
            if isinstance(system, LlamaIndexDefaults):
                system.progress = progress
        return evaluate_systems(items, systems, str(testset), split, progress)


def _compare(a: Path, b: Path, as_json: bool) -> None:
    comparison: Comparison = run_guarded(lambda: compare_runs(a, b))
    if as_json:
        click.echo(json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_comparison(comparison, str(a), str(b))


# --- Terminal output -------------------------------------------------------------------------


def print_run(run: EvalRun, console: Console | None = None) -> None:
    """One table per split: the main metrics down, the systems across (so that a narrow
    terminal still shows every number)."""
    console = console or Console()
    for split in run.splits:
        results = {s: by_split[split] for s, by_split in run.results.items() if split in by_split}
        table = Table(title=escape(f"{run.testset} — split: {split}"))
        table.add_column("metric")
        for system in results:
            table.add_column(escape(system), justify="right")
        table.add_row("questions", *(str(r.n) for r in results.values()))
        for metric in TABLE_METRICS:
            table.add_row(metric, *(metric_cell(r, metric) for r in results.values()))
        console.print(table)
        console.print(INTERVALS_NOTE, style="dim")
        languages = language_rows(results)
        if languages:
            table = Table(title=escape(f"By language — split: {split}"))
            for column in LANGUAGE_COLUMNS:
                table.add_column(column, justify="left" if column == "system" else "right")
            for row in languages:
                table.add_row(*(escape(cell) for cell in row))
            console.print(table)


def print_comparison(
    comparison: Comparison, a: str, b: str, console: Console | None = None
) -> None:
    """Metric deltas (B - A) of the main metrics, then every flipped question."""
    console = console or Console()
    table = Table(title=escape(f"B − A   (A = {a}, B = {b})"))
    for column in ("system", "split", "metric", "A", "B", "delta"):
        table.add_column(
            column, justify="left" if column in ("system", "split", "metric") else "right"
        )
    for d in comparison.deltas:
        if d.metric in TABLE_METRICS:
            delta = "–" if d.delta is None else f"{d.delta:+.3f}"
            if d.delta is not None and d.interval is not None:
                delta += f" ({d.interval[0]:+.2f} to {d.interval[1]:+.2f})"
            table.add_row(
                escape(d.system),
                d.split,
                d.metric,
                format_metric(d.metric, d.before),
                format_metric(d.metric, d.after),
                delta,
            )
    console.print(table)
    console.print(
        "In brackets: 95% paired-bootstrap interval of the delta over the questions both runs "
        "answered; one that excludes 0 is a difference this test set shows.",
        style="dim",
    )
    flips = Table(title=f"Flipped questions ({len(comparison.flips)})")
    for column in ("system", "split", "id", "what", "A", "B", "question"):
        flips.add_column(column)
    for f in comparison.flips:
        flips.add_row(
            escape(f.system),
            f.split,
            escape(f.id),
            f.what,
            str(f.before),
            str(f.after),
            escape(f.question),
            style="green" if f.improved else "red",
        )
    console.print(flips)
