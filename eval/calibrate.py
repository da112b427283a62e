"""Tune fusion weights and abstention thresholds on the development split, never on the
held-out one: ``python -m eval.calibrate eval/testsets/dev.jsonl [--index-dir DIR]``.

Fusion: a grid over the dense/lexical weight and the named-document boost, scored by
hit@5 then MRR. Abstention: every question's retrieval evidence (share of its terms found
anywhere in the corpus, best dense similarity, best lexical score, idf-weighted share of its
terms in the best paragraphs) is recorded once; a grid over the thresholds of
:class:`AbstentionPolicy` picks the one with the best abstention F1 whose false-abstention
rate on answerable questions stays at or under 10%.
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.answer import AbstentionPolicy
from assistant.core import Assistant
from assistant.retrieval import RetrievalTrace, RetrievalWeights, Signals
from assistant.settings import Settings
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
                if any(matches(hit.to_dict(), gold) for gold in item.gold)
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


def best_policy(evidence: Sequence[Evidence]) -> tuple[AbstentionPolicy, float, float]:
    grid = itertools.product(
        [0.5, 0.6, 0.67, 0.75, 0.8, 0.85, 0.9, 1.0],
        [0.0, 0.3, 0.35, 0.4, 0.45, 0.5],
        [0.0, 0.1, 0.15, 0.2, 0.25, 0.3],
        [0.0, 0.25, 0.3, 0.35, 0.4, 0.5],
        [0.0, 0.1, 0.2, 0.3, 0.4],
    )
    best = (AbstentionPolicy(), -1.0, 1.0)
    for coverage, dense, lexical, matched, agreement in grid:
        policy = AbstentionPolicy(coverage, dense, lexical, matched, agreement)
        f1, false_rate = abstention_f1(evidence, policy)
        if false_rate <= MAX_FALSE_ABSTENTION and (f1, -false_rate) > (best[1], -best[2]):
            best = (policy, f1, false_rate)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("testset", type=Path)
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--split", default="dev")
    args = parser.parse_args()
    settings = Settings(**({"index_dir": args.index_dir} if args.index_dir else {}))
    assistant = Assistant(settings).warm_up()
    items = [i for i in load_testset(args.testset) if args.split == "all" or i.split == args.split]

    results = []
    cache: dict[str, Signals] = {}
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

    evidence = collect(assistant, items, weights, cache)
    policy, f1, false_rate = best_policy(evidence)
    print(f"best abstention: {policy} F1={f1:.3f} false-abstention={false_rate:.3f}")
    for e in evidence:
        t = e.trace
        mark = "A" if e.item.answerable else "U"
        print(
            f"{e.item.id} {mark} rank={e.first_relevant_rank} cov={t.coverage:.2f} "
            f"dense={t.top_dense:.2f} lex={t.top_lexical:.2f} matched={t.top_matched:.2f} "
            f"agree={t.agreement:.2f} "
            f"abstains={policy.abstains(t)}"
        )


if __name__ == "__main__":
    main()
