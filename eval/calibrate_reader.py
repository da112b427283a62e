"""Fit the reader's calibration and the answer policy on the development split, never on the
held-out one: ``python -m eval.calibrate_reader eval/testsets/dev.jsonl --index-dir DIR
[--judge]``.

1. Every development question is retrieved once and its first hits read by the relevance
   model; a logistic regression of "this hit is a gold paragraph" on the relevance model's
   logit and the hit's retrieval score gives :class:`ReaderCalibration`'s relevance.
2. A grid over when to answer, what else to cite and how near the best: each setting is scored
   by running the real answerer on the recorded readings and the product's metrics; the best
   by top-citation accuracy + citation precision + citation recall + abstention F1, among the
   settings that refuse at most 10% of answerable questions, becomes :class:`ReadingPolicy`.
3. With ``--judge``, the bundled model also judges the best paragraph of each question; a
   second regression fuses its P(yes) in, and the band of relevance where asking it pays off
   is chosen the same way.

Copy the printed values into ``READER_CALIBRATION`` (assistant/reader/reading.py) and
``ReadingPolicy`` (assistant/answering.py).
"""

from __future__ import annotations

import argparse
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from assistant import render
from assistant.answering import ExtractiveAnswerer, ReadingPolicy
from assistant.answers import Answer, Hit
from assistant.api import Assistant
from assistant.reader.judges import LocalJudge
from assistant.reader.reading import Reader, ReaderCalibration, Reading
from assistant.retrieval import RetrievalTrace
from corpus.settings import Settings
from eval.metrics import summarize
from eval.testset import TestItem, load_testset, matches

MAX_FALSE_ABSTENTION = 0.10


@dataclass
class Recorded:
    """One question as the reader saw it."""

    item: TestItem
    hits: list[Hit]
    trace: RetrievalTrace
    logits: list[float]
    sentences: dict[str, list[float]]
    gold: list[bool]
    p_yes: float | None = None


def record(assistant: Assistant, reader: Reader, items: Sequence[TestItem]) -> list[Recorded]:
    out = []
    model = reader.relevance_model
    assert model is not None
    for item in items:
        trace = RetrievalTrace()
        hits = assistant.retriever.search(
            item.question, assistant.settings.top_k, None, "hybrid", trace
        )
        read = hits[: reader.depth]
        logits = model.logits(item.question, [h.paragraph.text for h in read])
        plain = {h.paragraph.id: 1 / (1 + math.exp(-x)) for h, x in zip(read, logits, strict=True)}
        sentences = reader.sentence_logits(item.question, read, plain)
        gold = [any(matches(render.hit_json(h), g) for g in item.gold) for h in read]
        out.append(Recorded(item, hits, trace, logits, sentences, gold))
    return out


def fit_relevance(recorded: Sequence[Recorded]) -> ReaderCalibration:
    from sklearn.linear_model import LogisticRegression

    x, y = [], []
    for r in recorded:
        for hit, logit, gold in zip(r.hits, r.logits, r.gold, strict=False):
            x.append([logit, hit.score])
            y.append(int(gold))
    model = LogisticRegression(C=1.0).fit(np.array(x), np.array(y))
    (w_logit, w_score), bias = model.coef_[0], model.intercept_[0]
    return ReaderCalibration(
        bias=float(bias), logit_weight=float(w_logit), score_weight=float(w_score)
    )


def answers(
    recorded: Sequence[Recorded],
    calibration: ReaderCalibration,
    policy: ReadingPolicy,
    judge_band: tuple[float, float] | None = None,
) -> list[dict]:
    """The answer JSON of every recorded question, answered by the real answerer with this
    calibration and policy (and the recorded judge verdicts inside ``judge_band``)."""
    answerer = ExtractiveAnswerer(reading=policy)
    out = []
    for r in recorded:
        relevance = {
            h.paragraph.id: calibration.relevance(logit, h.score)
            for h, logit in zip(r.hits, r.logits, strict=False)
        }
        if judge_band is not None and r.p_yes is not None and relevance:
            best = max(relevance, key=lambda pid: relevance[pid])
            if judge_band[0] <= relevance[best] < judge_band[1]:
                relevance[best] = calibration.with_judge(relevance[best], r.p_yes)
        reading = Reading(relevance, sentences=r.sentences)
        hits = reading.judge(r.hits)
        drafted = answerer.answer(r.item.question, hits, r.trace, reading)
        answer = Answer(r.item.question, drafted.quotes, tuple(hits), drafted.abstained)
        out.append(render.answer_json(answer, r.item.id))
    return out


def objective(items: Sequence[TestItem], answered: Sequence[dict]) -> tuple[float, dict]:
    summary = summarize(list(items), list(answered))
    false_rate = summary.get("false_abstention_rate") or 0.0
    keys = ("top_citation_accuracy", "citation_precision", "citation_recall", "abstention_f1")
    total = sum(summary.get(k) or 0.0 for k in keys)
    return (total if false_rate <= MAX_FALSE_ABSTENTION else total - 10.0), summary


def best_policy(
    recorded: Sequence[Recorded], calibration: ReaderCalibration
) -> tuple[ReadingPolicy, dict]:
    items = [r.item for r in recorded]
    best: tuple[float, ReadingPolicy, dict] | None = None
    for answer_at, cite_at, share in itertools.product(
        np.arange(0.05, 0.9, 0.05), [0.3, 0.4, 0.5, 0.6, 0.7, 0.8], [0.5, 0.7, 0.8, 0.9]
    ):
        policy = ReadingPolicy(float(answer_at), float(cite_at), float(share))
        score, summary = objective(items, answers(recorded, calibration, policy))
        if best is None or score > best[0]:
            best = (score, policy, summary)
    assert best is not None
    return best[1], best[2]


def judge_top(
    recorded: Sequence[Recorded], calibration: ReaderCalibration, judge: LocalJudge
) -> None:
    for r in recorded:
        if not r.hits:
            continue
        scores = [calibration.relevance(x, h.score) for h, x in zip(r.hits, r.logits, strict=False)]
        best = r.hits[int(np.argmax(scores))]
        r.p_yes = judge.judge(r.item.question, best.paragraph.text, 60.0)


def best_relevance(r: Recorded, calibration: ReaderCalibration) -> float:
    return max(calibration.relevance(v, h.score) for h, v in zip(r.hits, r.logits, strict=False))


def fit_judge(
    recorded: Sequence[Recorded], calibration: ReaderCalibration, policy: ReadingPolicy
) -> tuple[ReaderCalibration, dict]:
    from sklearn.linear_model import LogisticRegression

    x, y = [], []
    for r in recorded:
        if r.p_yes is None or not r.hits:
            continue
        scores = [calibration.relevance(v, h.score) for h, v in zip(r.hits, r.logits, strict=False)]
        i = int(np.argmax(scores))
        p = min(max(scores[i], 1e-6), 1 - 1e-6)
        q = min(max(r.p_yes, 1e-6), 1 - 1e-6)
        x.append([math.log(p / (1 - p)), math.log(q / (1 - q))])
        y.append(int(r.gold[i]))
    model = LogisticRegression(C=1.0).fit(np.array(x), np.array(y))
    (w_relevance, w_judge), bias = model.coef_[0], model.intercept_[0]
    # with_judge keeps the relevance's own logit at weight 1: fold its fitted weight in.
    fused = replace(
        calibration, judge_weight=float(w_judge / w_relevance), judge_bias=float(bias / w_relevance)
    )
    items = [r.item for r in recorded]
    best: tuple[float, ReaderCalibration, dict] | None = None
    for low, high in itertools.product(np.arange(0.0, 0.8, 0.05), np.arange(0.3, 1.01, 0.05)):
        if high <= low:
            continue
        band = (float(low), float(high))
        candidate = replace(fused, unsure=band)
        score, summary = objective(items, answers(recorded, candidate, policy, band))
        asked = np.mean(
            [
                band[0]
                <= max(fused.relevance(v, h.score) for h, v in zip(r.hits, r.logits, strict=False))
                < band[1]
                for r in recorded
                if r.hits
            ]
        )
        summary["asked_share"] = float(asked)
        if asked <= 0.4 and (best is None or score > best[0]):
            best = (score, candidate, summary)
    assert best is not None
    return best[1], best[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("testset", type=Path)
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--judge", action="store_true", help="Also fit the judge's part.")
    args = parser.parse_args()
    settings = Settings(**({"index_dir": args.index_dir} if args.index_dir else {}))
    assistant = Assistant(settings)
    reader = assistant.reader
    if reader is None or reader.relevance_model is None:
        raise SystemExit("no relevance model: run `wsis reader build` first")
    items = [i for i in load_testset(args.testset) if args.split == "all" or i.split == args.split]
    recorded = record(assistant, reader, items)
    calibration = fit_relevance(recorded)
    policy, summary = best_policy(recorded, calibration)
    print(f"READER_CALIBRATION = {calibration}")
    print(f"ReadingPolicy: {policy}")
    print({k: round(v, 3) for k, v in summary.items() if isinstance(v, float)})
    if args.judge:
        judge_top(recorded, calibration, LocalJudge(settings))
        fused, summary = fit_judge(recorded, calibration, policy)
        print(f"with the judge: {fused}")
        print({k: round(v, 3) for k, v in summary.items() if isinstance(v, float)})


if __name__ == "__main__":
    main()
