"""Tune fusion weights and the abstention model on the development split, never on the
held-out one: ``python -m eval.calibrate eval/testsets/dev.jsonl [--index-dir DIR]
[--abstention-only]``.

Fusion: a grid over the dense/lexical weight, the named-document boost, the BM25 scale floor
and the preambular penalty, scored by hit@5 then MRR, and then, with those, the penalty for
paragraphs that state no fact of the kind asked. Abstention: every question's retrieval
evidence (the best hit's fused score, the largest share of its own words one paragraph holds
together, and whether a question asking for a number, a time or a person finds one stated in
the best hit) is recorded once; a logistic regression on it, with the threshold that gives
the best abstention F1 at a false-abstention rate on answerable questions of at most 10%
(judged leave-one-out), becomes :class:`AbstentionPolicy`. Copy the printed values
into ``RetrievalWeights`` and ``AbstentionPolicy``.
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
from assistant.answering import AbstentionPolicy
from assistant.api import Assistant
from assistant.retrieval import RetrievalTrace, RetrievalWeights
from assistant.retrieval.fusion import Signals
from corpus.settings import Settings
from eval.testset import TestItem, load_testset, matches

MAX_FALSE_ABSTENTION = 0.10


@dataclass(frozen=True, slots=True)
class Evidence:
    item: TestItem
    trace: RetrievalTrace
    first_relevant_rank: int | None


def collect(
    assistant: Assistant,
    items: Sequence[TestItem],
    weights: RetrievalWeights,
    cache: dict[str, Signals],
) -> list[Evidence]:
    retriever = assistant.retriever
    retriever.weights = weights
    out = []
    for item in items:
        if item.id not in cache:
            cache[item.id] = retriever.signals(item.question)
        trace = RetrievalTrace()
        hits = retriever.rank(cache[item.id], 10, "hybrid", trace)
        rank = next(
            (
                i + 1
                for i, hit in enumerate(hits)
                if any(matches(render.hit_json(hit), gold) for gold in item.gold)
            ),
            None,
        )
        out.append(Evidence(item, trace, rank))
    return out


def retrieval_score(evidence: Sequence[Evidence]) -> tuple[float, float]:
    answerable = [e for e in evidence if e.item.answerable]
    hit5 = sum(1 for e in answerable if e.first_relevant_rank and e.first_relevant_rank <= 5)
    rr = sum(1 / e.first_relevant_rank for e in answerable if e.first_relevant_rank)
    return hit5 / len(answerable), rr / len(answerable)


def abstention_f1(evidence: Sequence[Evidence], policy: AbstentionPolicy) -> tuple[float, float]:
    """(F1 on unanswerable questions, false-abstention rate on answerable ones)."""
    tp = fp = fn = 0
    false_abstentions = answerable = 0
    for e in evidence:
        abstains = policy.abstains(e.trace)
        if e.item.answerable:
            answerable += 1
            false_abstentions += abstains
            fp += abstains
        else:
            tp += abstains
            fn += not abstains
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return f1, false_abstentions / max(answerable, 1)


#: The evidence the abstention model weighs, in the order of its weights.
FEATURES = ("top_score", "cover", "unstated")
#: Inverse regularisation strength of the logistic regression: strong, as the development
#: half has few unanswerable questions.
REGULARISATION = 0.3


def features(trace: RetrievalTrace) -> list[float]:
    return [float(getattr(trace, name)) for name in FEATURES]


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Logistic regression of "unanswerable" on standardised features, returned as the
    intercept and weights on the raw features."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    model = LogisticRegression(C=REGULARISATION, class_weight="balanced")
    model.fit((x - mean) / scale, y)
    weights = model.coef_[0] / scale
    return float(model.intercept_[0] - weights @ mean), weights


def _policy(intercept: float, weights: np.ndarray, threshold: float) -> AbstentionPolicy:
    """The policy that abstains when P(unanswerable) reaches ``threshold``: its evidence is
    the log-odds of the question being answerable, shifted by the threshold."""
    shift = math.log(threshold / (1 - threshold))
    top_score, cover, unstated = (-float(w) for w in weights)
    return AbstentionPolicy(
        bias=round(shift - intercept, 3),
        top_score_weight=round(top_score, 3),
        cover_weight=round(cover, 3),
        unstated_weight=round(unstated, 3),
    )


def best_policy(evidence: Sequence[Evidence]) -> tuple[AbstentionPolicy, float, float]:
    """Fits the abstention model on the questions retrieval can be wrong about (not direct
    references, which are always answered). The threshold is the one with the best F1
    whose false-abstention rate stays at or under :data:`MAX_FALSE_ABSTENTION`, judged on
    leave-one-out predictions so that it is not chosen on questions the model was fitted to."""
    fitted = [e for e in evidence if not e.trace.direct]
    x = np.array([features(e.trace) for e in fitted])
    y = np.array([0 if e.item.answerable else 1 for e in fitted])
    if len(set(y.tolist())) < 2:
        return AbstentionPolicy(), 0.0, 0.0
    held_out = np.zeros(len(y))
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        intercept, weights = _fit(x[keep], y[keep])
        held_out[i] = 1 / (1 + math.exp(-(intercept + weights @ x[i])))
    answerable = sum(1 for e in evidence if e.item.answerable)
    best = (0.5, -1.0, 1.0)
    for threshold in np.linspace(0.05, 0.95, 91):
        abstains = held_out >= threshold
        tp = int((abstains & (y == 1)).sum())
        fp = int((abstains & (y == 0)).sum())
        fn = int((~abstains & (y == 1)).sum())
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        false_rate = fp / max(answerable, 1)
        if false_rate <= MAX_FALSE_ABSTENTION and (f1, -false_rate) > (best[1], -best[2]):
            best = (float(threshold), f1, false_rate)
    intercept, weights = _fit(x, y)
    policy = _policy(intercept, weights, best[0])
    f1, false_rate = abstention_f1(evidence, policy)
    return policy, f1, false_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("testset", type=Path)
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--split", default="dev")
    parser.add_argument(
        "--abstention-only",
        action="store_true",
        help="Keep the current fusion weights; refit only the abstention model.",
    )
    args = parser.parse_args()
    settings = Settings(**({"index_dir": args.index_dir} if args.index_dir else {}))
    assistant = Assistant(settings).warm_up()
    items = [i for i in load_testset(args.testset) if args.split == "all" or i.split == args.split]

    cache: dict[str, Signals] = {}
    weights = search_weights(assistant, items, cache) if not args.abstention_only else None
    evidence = collect(assistant, items, weights or assistant.retriever.weights, cache)
    policy, f1, false_rate = best_policy(evidence)
    print(f"best abstention: {policy} F1={f1:.3f} false-abstention={false_rate:.3f}")
    for e in evidence:
        t = e.trace
        mark = "A" if e.item.answerable else "U"
        print(
            f"{e.item.id} {mark} rank={e.first_relevant_rank} top={t.top_score:.2f} "
            f"cover={t.cover:.2f} unstated={t.unstated:.0f} "
            f"evidence={policy.evidence(t):+.2f} abstains={policy.abstains(t)}"
        )


def search_weights(
    assistant: Assistant, items: Sequence[TestItem], cache: dict[str, Signals]
) -> RetrievalWeights:
    """The fusion weights with the best hit@5, then MRR, over a grid."""
    results = []
    dense_weights = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    grid = itertools.product(
        dense_weights, [0.0, 0.05, 0.1, 0.2], [0.2, 0.35, 0.5, 0.7], [0.0, 0.03, 0.06, 0.1]
    )
    for dense, boost, floor, preambular in grid:
        weights = RetrievalWeights(
            dense=dense,
            lexical=1 - dense,
            named_document_boost=boost,
            lexical_floor=floor,
            preambular_penalty=preambular,
        )
        score = retrieval_score(collect(assistant, items, weights, cache))
        results.append((score, weights))
        print(
            f"dense={dense:.2f} boost={boost:.2f} floor={floor:.2f} preambular={preambular:.2f} "
            f"hit@5={score[0]:.3f} mrr={score[1]:.3f}"
        )
    (hit5, mrr), weights = max(results, key=lambda r: r[0])
    print(f"\nbest fusion: {weights} hit@5={hit5:.3f} mrr={mrr:.3f}")
    return unstated_fact_penalty(assistant, items, weights, cache)


def unstated_fact_penalty(
    assistant: Assistant,
    items: Sequence[TestItem],
    weights: RetrievalWeights,
    cache: dict[str, Signals],
) -> RetrievalWeights:
    """The penalty for paragraphs stating no fact of the kind asked, on top of the other
    weights: the smallest with the best hit@5, then MRR."""
    best, (hit5, mrr) = weights, (-1.0, -1.0)
    for penalty in (0.0, 0.05, 0.1, 0.2, 0.3):
        tried = replace(weights, unstated_fact_penalty=penalty)
        score = retrieval_score(collect(assistant, items, tried, cache))
        print(f"unstated fact penalty={penalty:.2f} hit@5={score[0]:.3f} mrr={score[1]:.3f}")
        if score > (hit5, mrr):
            best, (hit5, mrr) = tried, score
    print(f"best with the unstated fact penalty: {best} hit@5={hit5:.3f} mrr={mrr:.3f}")
    return best


if __name__ == "__main__":
    main()
