"""Metrics and the citation-matching rule on small cases whose numbers are worked out by hand."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from eval.metrics import (
    QuestionTable,
    abstention_scores,
    citation_precision,
    citation_recall,
    confidence_intervals,
    difference_intervals,
    hit_at_k,
    latency_ms,
    mrr,
    ndcg_at_k,
    pair_answers,
    recall_at_k,
    summarize,
    top_citation_accuracy,
    uncited_answer_rate,
)
from eval.testset import GoldItem, TestItem, matches

RES = "A/RES/80/173"


def para(
    label: str,
    symbol: str | None = RES,
    part: str | None = None,
    text: str = "",
    doc_id: str = "doc-1",
) -> dict[str, Any]:
    """A citation or hit in the JSON contract shape."""
    return {
        "doc_id": doc_id,
        "symbol": symbol,
        "title": "Outcome document",
        "paragraph": label,
        "part": part,
        "section": "",
        "page_start": 1,
        "page_end": 1,
        "text": text,
        "score": 0.5,
    }


def answer(
    item_id: str,
    hits: list[dict[str, Any]] | None = None,
    citations: list[dict[str, Any]] | None = None,
    abstained: bool = False,
    total: float | None = 100.0,
) -> dict[str, Any]:
    timings = {"retrieve": 10.0, "answer": 90.0, "total": total} if total is not None else {}
    return {
        "id": item_id,
        "question": "?",
        "answer": "" if abstained else "An answer.",
        "abstained": abstained,
        "citations": citations or [],
        "hits": hits or [],
        "timings_ms": timings,
    }


def answerable(item_id: str, *labels: str) -> TestItem:
    return TestItem(item_id, "?", "answerable", tuple(GoldItem(RES, label) for label in labels))


def unanswerable(item_id: str) -> TestItem:
    return TestItem(item_id, "?", "unanswerable")


# --- Matching -------------------------------------------------------------------------------


def test_label_matches_only_in_the_same_document() -> None:
    gold = GoldItem("a/res/80/173", "99")
    assert matches(para("99"), gold)
    assert not matches(para("98"), gold)
    assert not matches(para("99", symbol="A/RES/79/1", doc_id="doc-2"), gold)


def test_annex_label_does_not_match_the_same_label_in_the_main_body() -> None:
    annex_gold = GoldItem("A/RES/79/1", "5", part="Annex I")
    body_gold = GoldItem("A/RES/79/1", "5")
    body = para("5", symbol="A/RES/79/1")
    annex = para("5", symbol="A/RES/79/1", part="Annex I")
    assert not matches(body, annex_gold)
    assert matches(annex, annex_gold)
    assert matches(para("5", symbol="A/RES/79/1", part="annex  I"), annex_gold)
    assert not matches(para("5", symbol="A/RES/79/1", part="Annex II"), annex_gold)
    assert matches(body, body_gold)
    assert not matches(annex, body_gold)


def test_quote_matches_despite_whitespace_case_curly_quotes_and_dashes() -> None:
    text = "Recognizes that the digital divide’s “many faces” —\n  including gender — persist;"
    gold = GoldItem(RES, quote='DIGITAL divide\'s "many faces" - including   gender')
    assert matches(para("p7", text=text), gold)
    assert not matches(para("p7", text="The digital divide persists."), gold)
    assert not matches(para("p7", symbol="A/RES/79/1", doc_id="doc-2", text=text), gold)


def test_quote_or_label_is_enough_when_gold_gives_both() -> None:
    gold = GoldItem(RES, "12", quote="capacity-building for all")
    assert matches(para("12", text="something else"), gold)
    assert matches(para("13", text="Calls for Capacity–building for all."), gold)


def test_joint_symbol_matches_either_half_and_doc_id() -> None:
    report = para("3", symbol="A/80/62-E/2025/12", doc_id="A_80_62.en")
    assert matches(report, GoldItem("A/80/62", "3"))
    assert matches(report, GoldItem("e/2025/12", "3"))
    assert matches(report, GoldItem("A/80/62-E/2025/12", "3"))
    assert matches(report, GoldItem("a_80_62.EN", "3"))
    assert not matches(report, GoldItem("A/80/6", "3"))
    special = para("3", symbol="A/RES/S-27/2")
    assert matches(special, GoldItem("A/RES/S-27/2", "3"))
    assert not matches(special, GoldItem("A/RES/S", "3"))


# --- Retrieval ------------------------------------------------------------------------------


def test_gold_at_rank_three() -> None:
    # Hits 1, 2, 99, 5 with gold 99: first relevant rank 3, so MRR 1/3;
    # nDCG@10 = (1 / log2(3 + 1)) / (1 / log2(1 + 1)) = 0.5 / 1 = 0.5.
    results = [(answerable("q", "99"), answer("q", hits=[para("1"), para("2"), para("99")]))]
    assert hit_at_k(results, 1).overall == 0.0
    assert hit_at_k(results, 3).overall == 1.0
    assert hit_at_k(results, 5).overall == 1.0
    assert recall_at_k(results, 2).overall == 0.0
    assert recall_at_k(results, 5).overall == 1.0
    assert mrr(results).overall == pytest.approx(1 / 3)
    assert ndcg_at_k(results, 10).overall == pytest.approx(0.5)


def test_two_gold_items_with_a_repeated_hit() -> None:
    # Gold 5 and 9; hits 5, 7, 5, 9. The second 5 credits nothing (gold 5 already found):
    # DCG = 1/log2(2) + 1/log2(5) = 1 + 0.430677 = 1.430677
    # IDCG (two relevant) = 1/log2(2) + 1/log2(3) = 1 + 0.630930 = 1.630930
    # nDCG@10 = 1.430677 / 1.630930 = 0.877215
    results = [
        (answerable("q", "5", "9"), answer("q", hits=[para("5"), para("7"), para("5"), para("9")]))
    ]
    assert hit_at_k(results, 1).overall == 1.0
    assert recall_at_k(results, 3).overall == 0.5
    assert recall_at_k(results, 4).overall == 1.0
    assert mrr(results).overall == 1.0
    assert ndcg_at_k(results, 10).overall == pytest.approx(0.877215, abs=1e-6)
    # With k = 3 only gold 5 is found: DCG = 1, IDCG = 1 + 0.630930, nDCG = 0.613147.
    assert ndcg_at_k(results, 3).overall == pytest.approx(1 / 1.630930, abs=1e-6)


def test_retrieval_ranks_annex_paragraph_not_body_paragraph() -> None:
    item = TestItem("q", "?", "answerable", (GoldItem("A/RES/79/1", "5", part="Annex I"),))
    hits = [para("5", symbol="A/RES/79/1"), para("5", symbol="A/RES/79/1", part="Annex I")]
    assert mrr([(item, answer("q", hits=hits))]).overall == 0.5


def test_no_hits_scores_zero_and_mean_skips_unanswerable() -> None:
    results = [
        (answerable("a", "99"), answer("a", hits=[para("99")])),
        (answerable("b", "99"), answer("b")),
        (unanswerable("u"), answer("u", hits=[para("99")])),
    ]
    score = mrr(results)
    assert score.per_question == {"a": 1.0, "b": 0.0, "u": None}
    assert score.overall == 0.5
    assert ndcg_at_k(results, 10).per_question["b"] == 0.0


def test_k_must_be_positive() -> None:
    with pytest.raises(ValueError, match="k must be at least 1"):
        hit_at_k([], 0)


# --- Citations ------------------------------------------------------------------------------


def test_duplicate_citations_count_once() -> None:
    # Gold 5 and 9; cited 5, 5, 7 -> distinct 5 and 7, one right: precision 1/2;
    # gold found: 5 of {5, 9}: recall 1/2; first citation 5 is right: top accuracy 1.
    results = [
        (answerable("q", "5", "9"), answer("q", citations=[para("5"), para("5"), para("7")]))
    ]
    assert citation_precision(results).overall == 0.5
    assert citation_recall(results).overall == 0.5
    assert top_citation_accuracy(results).overall == 1.0


def test_first_citation_wrong() -> None:
    results = [(answerable("q", "5"), answer("q", citations=[para("7"), para("5")]))]
    assert top_citation_accuracy(results).overall == 0.0
    assert citation_precision(results).overall == 0.5
    assert citation_recall(results).overall == 1.0


def test_no_citations_and_abstained_answerable() -> None:
    results = [
        (answerable("dup", "5", "9"), answer("dup", citations=[para("5"), para("5"), para("7")])),
        (answerable("none", "5"), answer("none")),
        (answerable("refused", "5"), answer("refused", citations=[para("5")], abstained=True)),
    ]
    precision = citation_precision(results)
    assert precision.per_question == {"dup": 0.5, "none": None, "refused": None}
    assert precision.overall == 0.5
    recall = citation_recall(results)
    assert recall.per_question == {"dup": 0.5, "none": 0.0, "refused": 0.0}
    assert recall.overall == pytest.approx((0.5 + 0 + 0) / 3)
    top = top_citation_accuracy(results)
    assert top.per_question == {"dup": 1.0, "none": 0.0, "refused": 0.0}
    uncited = uncited_answer_rate(results)
    assert uncited.per_question == {"dup": 0.0, "none": 1.0, "refused": None}
    assert uncited.overall == 0.5


def test_citation_by_quote() -> None:
    item = TestItem("q", "?", "answerable", (GoldItem(RES, quote="enhanced cooperation"),))
    cited = para("p4", text="Recalls ENHANCED\ncooperation, as agreed.")
    assert citation_recall([(item, answer("q", citations=[cited]))]).overall == 1.0


# --- Abstention -----------------------------------------------------------------------------


def test_abstention_scores() -> None:
    # Unanswerable u1 refused (TP), u2 and u3 answered (FN); answerable a1 refused (FP).
    # precision = 1/2; recall = 1/3; F1 = 2*1 / (2*1 + 1 + 2) = 0.4; false abstention = 1/2.
    results = [
        (unanswerable("u1"), answer("u1", abstained=True)),
        (unanswerable("u2"), answer("u2")),
        (unanswerable("u3"), answer("u3")),
        (answerable("a1", "5"), answer("a1", abstained=True)),
        (answerable("a2", "5"), answer("a2")),
    ]
    scores = abstention_scores(results)
    assert scores.precision == 0.5
    assert scores.recall == pytest.approx(1 / 3)
    assert scores.f1 == pytest.approx(0.4)
    assert scores.false_abstention_rate == 0.5
    assert scores.correct == {"u1": True, "u2": False, "u3": False, "a1": False, "a2": True}


def test_never_abstaining_leaves_precision_undefined() -> None:
    results = [(unanswerable("u"), answer("u")), (answerable("a", "5"), answer("a"))]
    scores = abstention_scores(results)
    assert scores.precision is None
    assert scores.recall == 0.0
    assert scores.f1 == 0.0
    assert scores.false_abstention_rate == 0.0


def test_unanswerable_only_set() -> None:
    # One of two refused: TP 1, FN 1, FP 0 -> precision 1, recall 1/2, F1 2/3;
    # no answerable question, so retrieval, citation and false-abstention numbers are None.
    items = [unanswerable("u1"), unanswerable("u2")]
    answers = [answer("u1", abstained=True), answer("u2", hits=[para("1")], citations=[para("1")])]
    summary = summarize(items, answers)
    for key in ("hit@1", "hit@5", "hit@10", "recall@5", "recall@10", "mrr", "ndcg@10"):
        assert summary[key] is None, key
    for key in ("citation_precision", "citation_recall", "top_citation_accuracy"):
        assert summary[key] is None, key
    assert summary["false_abstention_rate"] is None
    assert summary["abstention_precision"] == 1.0
    assert summary["abstention_recall"] == 0.5
    assert summary["abstention_f1"] == pytest.approx(2 / 3)


# --- Latency and summary --------------------------------------------------------------------


def test_latency_percentiles_interpolate_linearly() -> None:
    # Sorted 10, 20, 30, 40: p50 at position 1.5 -> 25; p95 at position 2.85 -> 30 + 0.85*10.
    results = [(unanswerable(f"u{t}"), answer(f"u{t}", total=float(t))) for t in (40, 10, 30, 20)]
    results.append((unanswerable("untimed"), answer("untimed", total=None)))
    assert latency_ms(results, 50).overall == 25.0
    assert latency_ms(results, 95).overall == pytest.approx(38.5)
    assert latency_ms(results, 50).per_question["untimed"] is None
    assert latency_ms(results, 50, "retrieve").overall == 10.0
    assert latency_ms([], 50).overall is None


def test_summarize_joins_on_id_and_skips_undefined_values() -> None:
    items = [answerable("a", "99"), answerable("b", "5", "9"), unanswerable("u")]
    answers = [
        answer("u", abstained=True, total=300.0),
        answer("b", hits=[para("5"), para("7"), para("5"), para("9")], total=200.0),
        answer("a", hits=[para("1"), para("2"), para("99")], citations=[para("99")]),
    ]
    summary = summarize(items, answers)
    assert list(summary) == [
        "hit@1", "hit@5", "hit@10", "recall@5", "recall@10", "mrr", "ndcg@10",
        "citation_precision", "citation_recall", "top_citation_accuracy", "uncited_answer_rate",
        "abstention_precision", "abstention_recall", "abstention_f1", "false_abstention_rate",
        "latency_p50_ms", "latency_p95_ms", "retrieve_p50_ms", "retrieve_p95_ms",
        "language_p50_ms", "language_p95_ms",
    ]  # fmt: skip
    assert summary["hit@1"] == 0.5  # a: 0, b: 1
    assert summary["mrr"] == pytest.approx((1 / 3 + 1) / 2)
    assert summary["ndcg@10"] == pytest.approx((0.5 + 0.877215) / 2, abs=1e-6)
    assert summary["citation_precision"] == 1.0  # a: 1; b cites nothing -> undefined
    assert summary["citation_recall"] == 0.5  # a: 1, b: 0
    assert summary["uncited_answer_rate"] == 0.5
    assert summary["abstention_f1"] == 1.0
    assert summary["false_abstention_rate"] == 0.0
    assert summary["latency_p50_ms"] == 200.0  # 100, 200, 300


def test_pair_answers_refuses_missing_or_anonymous_answers() -> None:
    items = [answerable("a", "1"), answerable("b", "1")]
    with pytest.raises(ValueError, match=r"missing \['b'\]"):
        pair_answers(items, [answer("a")])
    with pytest.raises(ValueError, match="has no id"):
        pair_answers(items, [{**answer("a"), "id": None}, answer("b")])
    with pytest.raises(ValueError, match="two answers"):
        pair_answers(items, [answer("a"), answer("a"), answer("b")])


# --- Confidence intervals --------------------------------------------------------------------


def _half_right(n: int) -> list[tuple[TestItem, dict[str, Any]]]:
    """n answerable questions, the first half with the gold paragraph first, the rest with
    nothing relevant."""
    return [
        (
            answerable(f"a{i}", "5"),
            answer(
                f"a{i}",
                hits=[para("5" if i < n // 2 else "6")],
                citations=[para("5" if i < n // 2 else "6")],
            ),
        )
        for i in range(n)
    ]


def test_interval_of_a_proportion_matches_its_normal_approximation() -> None:
    # 50 of 100 right: the 95% interval is about 0.5 +/- 1.96 * sqrt(0.25 / 100) = 0.40-0.60.
    intervals = confidence_intervals(_half_right(100))
    low, high = intervals["hit@1"]
    assert low == pytest.approx(0.402, abs=0.02) and high == pytest.approx(0.598, abs=0.02)
    assert intervals["top_citation_accuracy"] == intervals["hit@1"]  # the same draws
    assert confidence_intervals(_half_right(100)) == intervals  # reproducible


def test_interval_narrows_with_more_questions_and_is_a_point_when_all_agree() -> None:
    small, large = confidence_intervals(_half_right(20)), confidence_intervals(_half_right(400))
    width = {name: i[1] - i[0] for name, i in (("small", small["mrr"]), ("large", large["mrr"]))}
    assert width["large"] < width["small"] / 3
    all_right = [(answerable("a", "5"), answer("a", hits=[para("5")]))] * 3
    assert confidence_intervals(all_right)["hit@5"] == (1.0, 1.0)


def test_interval_of_abstention_f1_and_undefined_metrics() -> None:
    # 10 unanswerable (8 refused), 10 answerable (2 refused): F1 = 16 / (16 + 2 + 2) = 0.8.
    results = [(unanswerable(f"u{i}"), answer(f"u{i}", abstained=i < 8)) for i in range(10)] + [
        (answerable(f"a{i}", "5"), answer(f"a{i}", hits=[para("5")], abstained=i < 2))
        for i in range(10)
    ]
    intervals = confidence_intervals(results)
    low, high = intervals["abstention_f1"]
    assert abstention_scores(results).f1 == pytest.approx(0.8)
    assert 0.5 < low < 0.8 < high <= 1.0
    assert "latency_p50_ms" not in intervals
    never = [(unanswerable("u"), answer("u")), (answerable("a", "5"), answer("a"))]
    assert confidence_intervals(never)["abstention_precision"] is None  # nothing refused
    assert confidence_intervals(never[:1])["hit@1"] is None  # no answerable question


def test_a_paired_difference_is_narrower_than_the_runs_own_intervals() -> None:
    # B gets right 20 of the 100 questions A got wrong and changes nothing else: the change is
    # 0.2, and pairing the questions keeps its interval near 0.2 +/- 1.96 * sqrt(0.16 / 100).
    right_a = [i < 50 for i in range(100)]
    right_b = [i < 70 for i in range(100)]

    def table(right: list[bool]) -> QuestionTable:
        return QuestionTable.from_rows([({"hit@1": float(r)}, False, False) for r in right])

    low, high = difference_intervals(table(right_a), table(right_b))["hit@1"]
    assert low == pytest.approx(0.12, abs=0.03) and high == pytest.approx(0.28, abs=0.03)
    own = confidence_intervals(_half_right(100))["hit@1"]
    assert high - low < (own[1] - own[0]) * 0.9
    assert difference_intervals(table(right_a), table(right_a))["hit@1"] == (0.0, 0.0)
    with pytest.raises(ValueError, match="same questions"):
        difference_intervals(table(right_a), table(right_b[:99]))


def test_question_table_gives_the_same_values_as_the_metrics() -> None:
    results = [
        (unanswerable("u1"), answer("u1", abstained=True)),
        (unanswerable("u2"), answer("u2")),
        (answerable("a1", "5"), answer("a1", hits=[para("6"), para("5")], abstained=True)),
        (answerable("a2", "5"), answer("a2", hits=[para("5")], citations=[para("5")])),
    ]
    table, everyone = QuestionTable.of(results), np.arange(4)
    scores = abstention_scores(results)
    assert table.value("abstention_f1", everyone) == pytest.approx(scores.f1)
    assert table.value("false_abstention_rate", everyone) == pytest.approx(0.5)
    assert table.value("mrr", everyone) == pytest.approx(mrr(results).overall)
    assert table.value("citation_precision", everyone) == pytest.approx(1.0)  # a1 undefined
