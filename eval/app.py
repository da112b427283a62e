"""The app's Evaluate tab: the product on an uploaded test set, as ``wsis eval`` runs it.

The app finds :func:`evaluate_tab` through the ``wsis.app_tabs`` entry point and calls it
inside its Blocks, so the assistant never imports evaluation. What the tab shows is
computed by the pure functions of this module (:func:`evaluation_view` and the rows it is
made of), which are tested without a browser; :func:`evaluate_tab` only places components
and wires the ``/evaluate`` endpoint to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.api import Assistant
from assistant.app.uploads import ProgressFn, UploadRejected
from assistant.render import error_html, message_html
from corpus.errors import WSISError
from eval.report import format_metric, returned
from eval.run import ALL, PRODUCT, AssistantSystem, EvalResult, EvalRun, evaluate_systems
from eval.testset import load_testset

if TYPE_CHECKING:
    import pandas as pd

TESTSET_SUFFIXES = (".jsonl", ".csv")
#: Columns of the table of failed questions.
FAILURE_COLUMNS = ("id", "split", "question", "expected", "got", "abstained")


def evaluate_testset(
    assistant: Assistant, path: str | Path, progress: ProgressFn | None = None
) -> EvalRun:
    """The product (``Assistant.ask``, as ``wsis eval`` runs it) on an uploaded test set."""
    path = Path(path)
    if path.suffix.lower() not in TESTSET_SUFFIXES:
        raise UploadRejected(
            f"“{path.name}”: a test set is a .jsonl or .csv file in the eval format"
        )
    items = load_testset(path)

    def step(_system: str, done: int, total: int) -> None:
        if progress:
            progress(done / max(total, 1), f"Question {done} of {total}")

    return evaluate_systems(items, [AssistantSystem(PRODUCT, assistant)], path.name, None, step)


def _overall(run: EvalRun) -> EvalResult:
    """The product's result over all questions (the only split, if the run has one)."""
    results = run.results[PRODUCT]
    return results.get(ALL) or next(iter(results.values()))


def metric_rows(run: EvalRun) -> tuple[list[str], list[list[str]]]:
    """(header, rows): one row per metric, one column per split, of the product."""
    results = run.results[PRODUCT]
    header = ["metric", *results]
    metrics = list(dict.fromkeys(m for r in results.values() for m in r.summary))
    rows = [["questions", *(str(r.n) for r in results.values())]]
    rows += [[m, *(format_metric(m, r.summary.get(m)) for r in results.values())] for m in metrics]
    return header, rows


def failure_rows(run: EvalRun) -> list[list[str]]:
    """The questions the product got wrong, over all questions, in :data:`FAILURE_COLUMNS`."""
    return [
        [
            q.id,
            q.split or "",
            q.question,
            "; ".join(q.expected) or "(abstain)",
            returned(q),
            "yes" if q.abstained else "no",
        ]
        for q in _overall(run).failures
    ]


def evaluation_summary(run: EvalRun) -> str:
    result = _overall(run)
    return (
        f"{run.testset}: {result.n} questions, {len(result.failures)} failed "
        "(wrong about abstaining, or the first citation is not a gold one)."
    )


@dataclass(frozen=True, slots=True)
class EvaluationView:
    """What the tab shows: a status message (HTML), the metrics and the failed questions."""

    html: str
    metrics: pd.DataFrame
    failures: pd.DataFrame


def evaluation_view(
    assistant: Assistant, path: str | Path | None, progress: ProgressFn | None = None
) -> EvaluationView:
    """Metrics and failed questions of the product on an uploaded test set; a message
    instead when there is no file or it is not a test set."""
    import pandas as pd

    empty = pd.DataFrame(columns=list(FAILURE_COLUMNS))
    if not path:
        return EvaluationView(
            error_html("choose a test set to upload first"), pd.DataFrame(), empty
        )
    try:
        run = evaluate_testset(assistant, path, progress)
    except WSISError as exc:
        return EvaluationView(error_html(str(exc)), pd.DataFrame(), empty)
    header, rows = metric_rows(run)
    return EvaluationView(
        message_html(evaluation_summary(run)),
        pd.DataFrame(rows, columns=header),
        pd.DataFrame(failure_rows(run), columns=list(FAILURE_COLUMNS)),
    )


def evaluate_tab(assistant: Assistant) -> None:
    """The Evaluate tab, added to the app's Blocks (the ``wsis.app_tabs`` entry point):
    upload a test set, and the ``/evaluate`` endpoint scores the product on it, one
    evaluation at a time."""
    import gradio as gr

    def evaluate(path: str | None, progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008
        view = evaluation_view(assistant, path, lambda f, d: progress(f, desc=d))
        return view.html, view.metrics, view.failures

    with gr.Tab("Evaluate", id="evaluate"):
        gr.Markdown(
            "Upload a test set (JSONL or CSV in the format of `eval/README.md`); the "
            "product answers every question as `wsis eval` does."
        )
        testset = gr.File(
            label="Test set",
            file_types=list(TESTSET_SUFFIXES),
            type="filepath",
            elem_id="wsis-testset",
        )
        evaluate_button = gr.Button("Evaluate", variant="primary")
        status = gr.HTML(label="Evaluation status", elem_id="wsis-eval-status")
        metrics = gr.Dataframe(label="Metrics", interactive=False)
        failures = gr.Dataframe(
            label="Failed questions",
            interactive=False,
            wrap=True,
            headers=list(FAILURE_COLUMNS),
        )
        evaluate_button.click(
            evaluate,
            testset,
            [status, metrics, failures],
            api_name="evaluate",
            concurrency_limit=1,
        )
