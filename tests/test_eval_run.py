"""Evaluation runs, comparisons and reports, on a scripted answerer whose numbers are worked
out by hand; one slow test runs ``wsis eval --baselines`` end to end on three real PDFs."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from assistant import render
from assistant.answers import Answer, Hit, Quote
from assistant.cli import main
from corpus.errors import InvalidQuestion
from corpus.model import Document, DocumentKind, Paragraph, ParagraphKind
from eval.baselines import map_chunk
from eval.comparison import compare_runs, load_summary
from eval.metrics import INTERVALS_NOTE
from eval.report import document_accuracy, hit_curve, language_rows, write_report
from eval.run import (
    ENGLISH_ORIGINALS,
    AssistantSystem,
    EvalRun,
    assistant_answer_fn,
    by_language,
    evaluate,
    evaluate_split,
    evaluate_systems,
    refusal,
    run_testset,
)
from eval.testset import GoldItem, TestItem, save_testset

RES = "A/RES/80/173"
DOCUMENT = Document(
    "A_RES_80_173", "A_RES_80_173.pdf", "0" * 64, RES, "Outcome", None, DocumentKind.RESOLUTION, 20
)
SCRIPT_QUESTION = "Does <script>alert('x')</script> appear in the outcome?"


def paragraph(label: str, text: str = "", start: int = 0, end: int = 0) -> Paragraph:
    return Paragraph(
        DOCUMENT.doc_id,
        label,
        ParagraphKind.OPERATIVE,
        text or f"Paragraph {label} text.",
        char_start=start,
        char_end=end,
    )


class ScriptedAnswerer:
    """A fake system: for each question id, the paragraph labels it retrieves (in rank order)
    and whether it abstains; it cites its first hit unless it abstains."""

    def __init__(self, name: str, script: dict[str, tuple[Sequence[str], bool]]) -> None:
        self.name = name
        self.script = script

    def answer(self, item: TestItem) -> dict[str, Any]:
        labels, abstain = self.script[item.id]
        hits = tuple(
            Hit(paragraph(label), DOCUMENT, 1.0 - i / 10) for i, label in enumerate(labels)
        )
        cited = () if abstain else hits[:1]
        answer = Answer(
            question=item.question,
            quotes=tuple(Quote(h, ((0, len(h.paragraph.text)),)) for h in cited),
            hits=hits,
            abstained=abstain,
            timings_ms={"retrieve": 5.0, "answer": 1.0, "total": 6.0 + len(labels)},
        )
        return render.answer_json(answer, item.id)


ITEMS = [
    TestItem("q1", "What makes the Forum permanent?", "answerable", (GoldItem(RES, "99"),), "dev"),
    TestItem("q2", "What about the Compact?", "answerable", (GoldItem(RES, "28"),), "dev"),
    TestItem("q3", "Who funds it?", "answerable", (GoldItem(RES, "40"),), "heldout"),
    TestItem("q4", SCRIPT_QUESTION, "unanswerable", (), "heldout"),
    TestItem("q5", "Who chairs the 2031 Forum?", "unanswerable", (), "dev"),
]
BEFORE = ScriptedAnswerer(
    "product",
    {
        "q1": (["99", "12"], False),
        "q2": (["5", "6", "28"], False),
        "q3": ([str(n) for n in range(1, 11)], False),
        "q4": (["7"], False),
        "q5": (["8"], True),
    },
)
AFTER = ScriptedAnswerer("product", {**BEFORE.script, "q3": (["1", "40"], False), "q4": ([], True)})


def test_run_testset_keeps_order_and_sets_ids() -> None:
    answers = run_testset(ITEMS, lambda item: {**BEFORE.answer(item), "id": None})
    assert [a["id"] for a in answers] == ["q1", "q2", "q3", "q4", "q5"]
    assert answers[0]["citations"][0]["paragraph"] == "99"


def test_a_rejected_question_is_scored_as_an_abstention_with_its_reason() -> None:
    reason = "the question has no words; type a question about the documents"

    class Rejecting:
        def ask(self, question: str, mode: str = "hybrid", read: bool = True) -> Answer:
            raise InvalidQuestion(reason)

    item = TestItem("q9", "?!", "unanswerable", (), "dev")
    answer = assistant_answer_fn(Rejecting())(item)  # type: ignore[arg-type]
    assert answer == refusal(item, reason)
    assert answer["id"] == "q9" and answer["abstained"] and answer["notice"] == reason
    assert answer["citations"] == [] and answer["hits"] == []
    assert evaluate([item], [answer]).questions[0].abstention_correct


def test_evaluate_scores_and_flags_each_question() -> None:
    result = evaluate(ITEMS, run_testset(ITEMS, BEFORE.answer))
    assert result.summary["hit@1"] == pytest.approx(1 / 3)
    assert result.summary["hit@5"] == pytest.approx(2 / 3)
    assert result.summary["top_citation_accuracy"] == pytest.approx(1 / 3)
    assert result.summary["abstention_recall"] == pytest.approx(0.5)
    rows = {q.id: q for q in result.questions}
    assert rows["q2"].first_match_rank == 3 and rows["q2"].hit_at_5 == 1.0
    assert rows["q2"].citation_correct is False and rows["q2"].failed
    assert rows["q3"].first_match_rank is None and rows["q3"].hit_at_5 == 0.0
    assert rows["q4"].abstention_correct is False and rows["q4"].failed
    assert rows["q5"].abstained and not rows["q5"].failed
    assert rows["q1"].expected == (f"{RES}, para. 99",) and rows["q1"].got == (f"{RES}, para. 99",)
    assert [q.id for q in result.failures] == ["q2", "q3", "q4"]


def test_each_split_is_scored_on_its_own_questions() -> None:
    answers = run_testset(ITEMS, BEFORE.answer)
    dev, heldout = evaluate_split(ITEMS, answers, "dev"), evaluate_split(ITEMS, answers, "heldout")
    assert [q.id for q in dev.questions] == ["q1", "q2", "q5"]
    assert dev.summary["hit@5"] == 1.0 and dev.summary["hit@1"] == 0.5
    assert heldout.n == 2 and heldout.summary["hit@5"] == 0.0
    run = evaluate_systems(ITEMS, [BEFORE], "fake.jsonl")
    assert run.splits == ["all", "dev", "heldout"]
    assert evaluate_systems(ITEMS, [BEFORE], "fake.jsonl", split="heldout").splits == ["heldout"]


TRANSLATED = [
    TestItem(
        "fr1",
        "Le Forum devient-il permanent ?",
        "answerable",
        (GoldItem(RES, "99"),),
        "dev",
        language="fr",
        question_en="What makes the Forum permanent?",
    ),
    TestItem(
        "fr2",
        "Qu'en est-il du Pacte ?",
        "answerable",
        (GoldItem(RES, "28"),),
        "dev",
        language="fr",
        question_en="What about the Compact?",
    ),
    TestItem(
        "es1",
        "¿Quién lo financia?",
        "answerable",
        (GoldItem(RES, "40"),),
        "dev",
        language="es",
        question_en="Who funds it?",
    ),
]


def test_translated_questions_are_scored_by_language_beside_their_english_originals() -> None:
    """One run gives each language's figures for the product and for the product asked the
    English originals."""
    retrieved = {
        "Le Forum devient-il permanent ?": ["99"],
        "Qu'en est-il du Pacte ?": [],
        "¿Quién lo financia?": ["40"],
        "What makes the Forum permanent?": ["99"],
        "What about the Compact?": ["28"],
        "Who funds it?": ["40"],
    }
    asked: list[str] = []

    class Asking:
        def ask(self, question: str, mode: str = "hybrid", read: bool = True) -> Answer:
            asked.append(question)
            hits = tuple(Hit(paragraph(label), DOCUMENT, 1.0) for label in retrieved[question])
            quotes = tuple(Quote(h, ((0, len(h.paragraph.text)),)) for h in hits[:1])
            return Answer(question, quotes, hits, abstained=not hits)

    fake: Any = Asking()
    systems = [
        AssistantSystem("product", fake),
        AssistantSystem(ENGLISH_ORIGINALS, fake, original=True),
    ]
    run = evaluate_systems(TRANSLATED, systems, "languages.jsonl", split="dev")
    assert asked[3:] == [i.question_en for i in TRANSLATED]
    product, originals = run.results["product"]["dev"], run.results[ENGLISH_ORIGINALS]["dev"]
    french = by_language(product)["fr"]
    assert (french.questions, french.hit_at_5, french.false_refusals) == (2, 0.5, 0.5)
    assert by_language(originals)["fr"].hit_at_5 == 1.0
    assert list(by_language(product)) == ["es", "fr"]
    rows = language_rows({s: r["dev"] for s, r in run.results.items()})
    assert rows[0] == ["product", "es", "1", "1.000", "0.000"]
    assert ["English originals", "fr", "2", "1.000", "0.000"] in rows
    # A test set in English alone has no breakdown.
    english = evaluate(ITEMS, run_testset(ITEMS, BEFORE.answer))
    assert language_rows({"product": english}) == []


def test_plot_numbers() -> None:
    result = evaluate(ITEMS, run_testset(ITEMS, BEFORE.answer))
    curve = hit_curve(result)
    assert curve[:3] == pytest.approx([1 / 3, 1 / 3, 2 / 3]) and len(curve) == 10
    assert curve[4] == pytest.approx(result.summary["hit@5"])
    assert document_accuracy({"product": result}) == {RES: {"product": pytest.approx(1 / 3)}}


def test_compare_reports_deltas_and_flipped_questions() -> None:
    before = evaluate_systems(ITEMS, [BEFORE], "fake.jsonl").to_dict()
    after = evaluate_systems(ITEMS, [AFTER], "fake.jsonl").to_dict()
    comparison = compare_runs(before, after)
    deltas = {(d.split, d.metric): d for d in comparison.deltas}
    assert deltas[("all", "hit@5")].delta == pytest.approx(1 / 3)
    assert deltas[("heldout", "hit@5")].before == 0.0 and deltas[("heldout", "hit@5")].after == 1.0
    flips = {(f.split, f.id, f.what): f for f in comparison.flips}
    assert set(flips) == {
        ("all", "q3", "hit@5"),
        ("heldout", "q3", "hit@5"),
        ("all", "q4", "abstention_correct"),
        ("heldout", "q4", "abstention_correct"),
    }
    assert all(f.improved for f in comparison.flips)
    low, high = deltas[("all", "hit@5")].interval
    assert low <= 1 / 3 <= high
    assert deltas[("all", "latency_p50_ms")].interval is None
    for run in (before, after):  # summaries written before per-question scores were kept
        for result in run["results"]["product"].values():
            for question in result["questions"]:
                del question["scores"]
    assert all(d.interval is None for d in compare_runs(before, after).deltas)


def test_report_files_escape_question_text(tmp_path: Path) -> None:
    run = evaluate_systems(ITEMS, [BEFORE, ScriptedAnswerer("dense", AFTER.script)], "t.jsonl")
    files = write_report(run, tmp_path / "report")
    assert files.summary.is_file() and files.markdown.is_file() and files.html.is_file()
    page = files.html.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script>" not in page
    assert page.count("data:image/png;base64,") == 9  # three plots for each of three splits
    assert f"{RES}, para. 28" in page  # q2 expected para. 28, got para. 5
    markdown = files.markdown.read_text(encoding="utf-8")
    assert "## Split: heldout (2 questions)" in markdown and "| q3 |" in markdown
    assert INTERVALS_NOTE in markdown and INTERVALS_NOTE in page
    summary = load_summary(files.folder)
    assert summary["results"]["dense"]["all"]["metrics"]["hit@5"] == 1.0
    assert EvalRun.from_dict(summary).to_dict() == summary
    same = compare_runs(files.summary, files.summary)
    assert not same.flips and all(d.delta in (0, None) for d in same.deltas)


def test_map_chunk_takes_largest_overlap_else_closest_text() -> None:
    paragraphs = [
        paragraph("1", "We decide to hold a meeting in 2025.", 0, 40),
        paragraph("2", "We request the Secretary-General to report annually.", 41, 100),
        paragraph("3", "We decide to remain seized of the matter.", 101, 140),
    ]
    assert map_chunk("", (30, 110), paragraphs) is paragraphs[1]
    assert map_chunk("", (0, 45), paragraphs) is paragraphs[0]
    chunk = "… the Secretary-General to report annually. We decide to …"
    assert map_chunk(chunk, None, paragraphs) is paragraphs[1]


# --- The command line ------------------------------------------------------------------------


def test_cli_compares_two_summaries(tmp_path: Path) -> None:
    a = write_report(evaluate_systems(ITEMS, [BEFORE], "t.jsonl"), tmp_path / "a").summary
    b = write_report(evaluate_systems(ITEMS, [AFTER], "t.jsonl"), tmp_path / "b").summary
    result = CliRunner().invoke(main, ["eval", "--compare", str(a), str(b), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {(f["id"], f["what"]) for f in data["flips"]} == {
        ("q3", "hit@5"),
        ("q4", "abstention_correct"),
    }
    assert all("delta_interval" in d for d in data["deltas"])
    table = CliRunner().invoke(main, ["eval", "--compare", str(a), str(b)])
    assert table.exit_code == 0 and "q4" in table.stdout and "paired-bootstrap" in table.stdout


def test_cli_needs_a_testset_or_compare(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval"])
    assert result.exit_code == 2 and "give a TESTSET" in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "?", "kind": "maybe"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(bad)])
    assert result.exit_code == 1
    assert "line 1: unknown kind 'maybe'" in result.output and "Traceback" not in result.output
    not_summary = tmp_path / "x.json"
    not_summary.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "--compare", str(not_summary), str(not_summary)])
    assert result.exit_code == 1 and "not a summary written by" in result.output


# --- End to end ------------------------------------------------------------------------------

SMALL_CORPUS = ("A_RES_79_277.pdf", "A_RES_79_322.pdf", "A_RES_79_325.pdf")
SMALL_TESTSET = [
    TestItem(
        "e1",
        "When will the high-level meeting concluding the WSIS review be held?",
        "answerable",
        (GoldItem("A/RES/79/277", "1"),),
        "dev",
    ),
    TestItem(
        "e2",
        "Who appoints the co-facilitators of the WSIS review process?",
        "answerable",
        (GoldItem("A/RES/79/277", "5"),),
        "heldout",
    ),
    TestItem(
        "e3",
        "What metrics should Central Asian countries develop for artificial intelligence?",
        "answerable",
        (GoldItem("A/RES/79/322", "2"),),
        "dev",
    ),
    TestItem(
        "e4",
        "What must candidates for the scientific panel on AI disclose?",
        "answerable",
        (GoldItem("A/RES/79/325", "2"),),
        "heldout",
    ),
    TestItem(
        "e5",
        "How often will the Global Dialogue on AI Governance be convened?",
        "answerable",
        (GoldItem("A/RES/79/325", "5"),),
        "dev",
    ),
    TestItem(
        "e6",
        "Which football club won the 1998 championship of Patagonia?",
        "unanswerable",
        (),
        "heldout",
    ),
]


@pytest.mark.slow
@pytest.mark.corpus
def test_wsis_eval_with_baselines_on_three_pdfs(corpus_dir: Path, tmp_path: Path) -> None:
    from corpus.settings import Settings
    from ingest.embedding import SentenceTransformerEmbedder
    from ingest.pipeline import ingest
    from ingest.store import ParagraphIndex

    documents = tmp_path / "corpus"
    documents.mkdir()
    for name in SMALL_CORPUS:
        os.symlink(corpus_dir / name, documents / name)
    settings = Settings(corpus_dirs=[documents], index_dir=tmp_path / "idx")
    embedder = SentenceTransformerEmbedder(settings.embedding_model, settings.embed_batch_size)
    assert ingest(settings, ParagraphIndex(settings, embedder)).ok
    testset = tmp_path / "small.jsonl"
    save_testset(SMALL_TESTSET, testset)

    args = ["eval", str(testset), "--baselines", "--json", "--report", str(tmp_path / "rep")]
    args += ["--corpus", str(documents), "--index-dir", str(tmp_path / "idx")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["systems"] == ["product", "reader none", "bm25", "dense", "llama-index defaults"]
    for system in summary["systems"]:
        hit5 = summary["results"][system]["all"]["metrics"]["hit@5"]
        assert isinstance(hit5, float) and 0.0 <= hit5 <= 1.0
        assert summary["results"][system]["heldout"]["n"] == 3
    assert summary["results"]["product"]["all"]["metrics"]["hit@5"] >= 0.6
    llama = {q["id"]: q for q in summary["results"]["llama-index defaults"]["all"]["questions"]}
    assert not llama["e6"]["abstained"] and llama["e6"]["failed"]
    assert all(q["top_hits"] for q in llama.values())
    assert (tmp_path / "rep" / "report.html").is_file()
