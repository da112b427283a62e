"""The app's Evaluate tab without a browser: its view functions on a tiny test set over a real
index of four real documents, and the tab it adds to the app's Blocks."""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from eval import app as evaluation
from eval.app import FAILURE_COLUMNS, evaluate_tab, evaluate_testset, evaluation_view

pytestmark = pytest.mark.corpus

FILES = ("A_RES_80_173.pdf", "A_RES_79_277.pdf", "A_80_L.41.pdf", "ITU_input_WSIS20_zero_draft.md")
PARA_45 = "What does paragraph 45 of A/RES/80/173 say?"
OFF_TOPIC = "What is the recipe for apple pie?"
TINY = [
    {
        "id": "t1",
        "question": PARA_45,
        "kind": "answerable",
        "gold": [{"doc": "A/RES/80/173", "paragraph": "45"}],
    },
    {"id": "t2", "question": OFF_TOPIC, "kind": "unanswerable"},
    {
        "id": "t3",
        "question": "What does paragraph 45 of A/RES/80/173 say about e-waste?",
        "kind": "answerable",
        "gold": [{"doc": "A/RES/80/173", "paragraph": "99"}],
    },
]


@pytest.fixture(scope="module")
def assistant(build_assistant):
    """An Assistant over a real Chroma index of four real documents, in a tmp folder."""
    return build_assistant("eval-app", FILES)


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.jsonl"
    path.write_text("".join(json.dumps(i) + "\n" for i in TINY), encoding="utf-8")
    return path


def test_evaluation_of_a_tiny_test_set(assistant, tiny: Path) -> None:
    steps: list[tuple[float, str]] = []
    run = evaluate_testset(assistant, tiny, lambda f, d: steps.append((f, d)))
    result = run.results["product"]["all"]
    assert run.testset == "tiny.jsonl" and result.n == 3
    assert [q.id for q in result.failures] == ["t3"]
    assert steps[0] == (0.0, "Question 0 of 3") and steps[-1] == (1.0, "Question 3 of 3")
    header, rows = evaluation.metric_rows(run)
    assert header == ["metric", "all"] and rows[0] == ["questions", "3"]
    assert [row[0] for row in evaluation.failure_rows(run)] == ["t3"]
    assert evaluation.evaluation_summary(run).startswith("tiny.jsonl: 3 questions, 1 failed")

    view = evaluation_view(assistant, tiny)
    metrics = dict(zip(view.metrics["metric"], view.metrics["all"], strict=True))
    assert metrics["questions"] == "3"
    assert metrics["hit@1"] == "0.500"
    assert list(view.failures.columns) == list(FAILURE_COLUMNS)
    assert list(view.failures["id"]) == ["t3"]
    row = view.failures.iloc[0]
    assert row["expected"] == "A/RES/80/173, para. 99" and row["abstained"] == "no"
    assert "3 questions, 1 failed" in view.html


def test_evaluation_view_explains_what_is_not_a_test_set(assistant, tmp_path: Path) -> None:
    missing = evaluation_view(assistant, None)
    assert "choose a test set to upload first" in missing.html
    assert missing.metrics.empty and list(missing.failures.columns) == list(FAILURE_COLUMNS)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")
    assert "does not follow the test-set format" in evaluation_view(assistant, bad).html
    wrong = tmp_path / "tiny.txt"
    wrong.write_text("<b>x</b>", encoding="utf-8")
    shown = evaluation_view(assistant, wrong).html
    assert ".jsonl or .csv" in shown and "tiny.txt" in shown


def test_the_tab_is_the_declared_app_tab_and_wires_evaluate(assistant, tiny: Path) -> None:
    import gradio as gr

    (tab,) = [ep for ep in entry_points(group="wsis.app_tabs") if ep.name == "evaluate"]
    assert tab.load() is evaluate_tab

    with gr.Blocks() as demo:
        evaluate_tab(assistant)
    blocks = list(demo.blocks.values())
    (evaluate_page,) = [b for b in blocks if isinstance(b, gr.Tab)]
    assert evaluate_page.label == "Evaluate" and evaluate_page.id == "evaluate"
    (testset,) = [b for b in blocks if isinstance(b, gr.File)]
    assert testset.elem_id == "wsis-testset" and testset.file_types == [".jsonl", ".csv"]
    tables = {b.label: b for b in blocks if isinstance(b, gr.Dataframe)}
    assert set(tables) == {"Metrics", "Failed questions"}
    assert tables["Failed questions"].value["headers"] == list(FAILURE_COLUMNS)

    (event,) = demo.fns.values()
    assert event.api_name == "evaluate" and event.concurrency_limit == 1
    assert event.inputs == [testset]
    (status,) = [b for b in blocks if isinstance(b, gr.HTML)]
    assert status.elem_id == "wsis-eval-status"
    assert event.outputs == [status, tables["Metrics"], tables["Failed questions"]]
    html, metrics, failures = event.fn(str(tiny), progress=lambda *_a, **_k: None)
    assert "3 questions, 1 failed" in html
    assert list(failures["id"]) == ["t3"] and "hit@1" in list(metrics["metric"])
