"""Fit the reader's calibration and the answer policy on the development split, never on the
held-out one: ``python -m eval.calibrate_reader eval/testsets/dev.jsonl --index-dir DIR``.

1. Every development question is retrieved once; a logistic regression of "this hit is a gold
   paragraph" on the hit's fused score and the question's best cover (over the first five
   hits) gives :class:`ReaderCalibration`'s relevance. With ``--relevance``, the relevance
   model's logit is a third input, and the printed calibration goes to
   ``RELEVANCE_CALIBRATION`` instead.
2. The judge's verdicts on the best hit of each question come from
   ``eval/calibration/judgements.jsonl`` (question id, paragraph id, P(yes)); ``--judge`` asks
   the bundled model for those missing and adds them to the file.
3. A grid over when to ask the judge (how near the best two hits, which band of relevance)
   and how much its verdict weighs, and then over when to answer, what else to cite and how
   near the best, and then how near the best a named document's best paragraph must come to
   be cited too: each setting is scored by running the real answerer on the recorded hits
   and the product's metrics; the best by top-citation accuracy + citation precision +
   citation recall + abstention F1, among the settings that refuse at most 10% of answerable
   questions and ask the judge for at most 40% of questions (its time budget), wins.
4. Last, how much the judge's verdict on the best paragraph found weighs in whether
   to answer at all, beside the retrieval evidence, the same way, the judge asked for at most
   70% of questions.

Copy the printed values into ``READER_CALIBRATION`` (assistant/reader/reading.py),
``ReadingPolicy`` and ``AbstentionPolicy`` (assistant/answering.py).
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from assistant import render
from assistant.answering import AbstentionPolicy, ExtractiveAnswerer, ReadingPolicy
from assistant.answers import Answer, Hit
from assistant.api import Assistant
from assistant.reader.judges import JudgeFailed, LocalJudge
from assistant.reader.reading import Reader, ReaderCalibration, Reading, Scorer
from assistant.reader.relevance import RelevanceModel, model_folder
from assistant.retrieval import RetrievalTrace
from corpus.settings import Settings
from eval.metrics import summarize
from eval.testset import TestItem, load_testset, matches

MAX_FALSE_ABSTENTION = 0.10
#: Share of questions the judge may be asked about to order the best paragraphs ...
MAX_JUDGED = 0.40
#: ... and paragraphs a question it may read on average for that (about 2 s each on two
#: cores) ...
MAX_JUDGED_PER_QUESTION = 1.0
#: ... and, with its verdict deciding whether to answer, in all.
MAX_VERDICTS = 0.70
#: Hits per question the relevance regression learns from.
FIT_DEPTH = 5
#: The best hits of each question whose verdicts are recorded: as many as the judge may read.
JUDGED_DEPTH = 3
JUDGEMENTS = Path(__file__).resolve().parent / "calibration" / "judgements.jsonl"
#: The product's abstention with the judge's verdict left out, as the stages before the last
#: answer.
RETRIEVAL_ABSTENTION = replace(AbstentionPolicy(), judge_weight=0.0, judge_bias=0.0)


@dataclass
class Recorded:
    """One question as retrieval left it, and the judge's verdicts on its hits."""

    item: TestItem
    hits: list[Hit]
    trace: RetrievalTrace
    gold: list[bool]
    p_yes: dict[str, float] = field(default_factory=dict)


class CachedScorer:
    """The relevance model with its logits kept, so that each (question, text) pair is scored
    once however many settings are tried."""

    def __init__(self, model: Scorer) -> None:
        self.model = model
        self.cache: dict[tuple[str, str], float] = {}

    def logits(self, question: str, texts: Sequence[str]) -> list[float]:
        missing = list(dict.fromkeys(t for t in texts if (question, t) not in self.cache))
        for text, logit in zip(missing, self.model.logits(question, missing), strict=True):
            self.cache[question, text] = logit
        return [self.cache[question, t] for t in texts]


def record(assistant: Assistant, items: Sequence[TestItem]) -> list[Recorded]:
    out = []
    for item in items:
        trace = RetrievalTrace()
        hits = assistant.retriever.search(
            item.question, assistant.settings.top_k, None, "hybrid", trace
        )
        gold = [any(matches(render.hit_json(h), g) for g in item.gold) for h in hits]
        out.append(Recorded(item, hits, trace, gold))
    return out


def load_judgements(recorded: Sequence[Recorded], path: Path) -> None:
    by_question = {r.item.id: r for r in recorded}
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        r = by_question.get(row["question"])
        if r is not None:
            r.p_yes[row["paragraph_id"]] = row["p_yes"]


def judge_missing(recorded: Sequence[Recorded], judge: LocalJudge, path: Path) -> None:
    """The judge's verdicts on each question's best hits (:data:`JUDGED_DEPTH`), where the
    file lacks them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as sink:
        for r in recorded:
            for hit, gold in zip(r.hits[:JUDGED_DEPTH], r.gold, strict=False):
                if hit.paragraph.id in r.p_yes:
                    continue
                p_yes = judge.judge(r.item.question, hit.paragraph.text, 120.0)
                r.p_yes[hit.paragraph.id] = p_yes
                row = {"question": r.item.id, "paragraph_id": hit.paragraph.id, "p_yes": p_yes}
                sink.write(json.dumps(row) + "\n")
                sink.flush()
                print(r.item.id, round(p_yes, 3), gold, flush=True)


def fit_relevance(recorded: Sequence[Recorded], scorer: Scorer | None = None) -> ReaderCalibration:
    """Relevance from the fused score and the cover, and the relevance model's logit where
    there is one."""
    from sklearn.linear_model import LogisticRegression

    x, y = [], []
    for r in recorded:
        hits = r.hits[:FIT_DEPTH]
        logits = (
            scorer.logits(r.item.question, [h.paragraph.text for h in hits])
            if scorer is not None
            else [0.0] * len(hits)
        )
        for hit, gold, logit in zip(hits, r.gold, logits, strict=False):
            x.append([hit.score, r.trace.cover, logit])
            y.append(int(gold))
    model = LogisticRegression(C=1.0).fit(np.array(x), np.array(y))
    (w_score, w_cover, w_logit), bias = model.coef_[0], model.intercept_[0]
    return ReaderCalibration(
        bias=float(bias),
        score_weight=float(w_score),
        cover_weight=float(w_cover),
        logit_weight=float(w_logit) if scorer is not None else 0.0,
    )


def scorer_alone(recorded: Sequence[Recorded], scorer: Scorer, depth: int = 10) -> dict:
    """The relevance model read without retrieval's scores: how often its best of the first
    ``depth`` hits is gold (questions with a gold paragraph among them) beside retrieval's
    first, and how well its best logit, and retrieval's best score, tell the questions the
    documents answer from the others (ROC AUC)."""
    from sklearn.metrics import roc_auc_score

    model_first, retrieval_first, best_logit, best_score, answerable = [], [], [], [], []
    for r in recorded:
        hits = r.hits[:depth]
        if not hits or r.trace.direct:
            continue
        logits = scorer.logits(r.item.question, [h.paragraph.text for h in hits])
        best_logit.append(max(logits))
        best_score.append(hits[0].score)
        answerable.append(bool(r.item.gold))
        if any(r.gold[:depth]):
            model_first.append(r.gold[int(np.argmax(logits))])
            retrieval_first.append(r.gold[0])
    return {
        "model_first_gold": float(np.mean(model_first)),
        "retrieval_first_gold": float(np.mean(retrieval_first)),
        "auc_model": float(roc_auc_score(answerable, best_logit)),
        "auc_retrieval": float(roc_auc_score(answerable, best_score)),
    }


class RecordedJudge:
    """A :class:`~assistant.reader.judges.Judge` that gives the verdicts recorded for one
    question (P(yes) by paragraph text), so that calibration reads with the product's own
    :class:`Reader`; a verdict not recorded fails as a judge that cannot answer does."""

    name = "recorded"

    def __init__(self) -> None:
        self.verdicts: dict[str, float] = {}
        self.asked = 0

    def busy(self) -> bool:
        return False

    def warm_up(self) -> None:
        pass

    def judge(self, question: str, paragraph_text: str, timeout_s: float) -> float:
        self.asked += 1
        if paragraph_text not in self.verdicts:
            raise JudgeFailed("no recorded verdict")
        return self.verdicts[paragraph_text]

    def verdict(self, messages: Sequence[Mapping[str, str]], timeout_s: float) -> float:
        raise JudgeFailed("only recorded verdicts on answering")

    def generate(
        self,
        messages: Sequence[Mapping[str, str]],
        max_tokens: int,
        timeout_s: float,
        stop: Sequence[str] = (),
    ) -> str:
        raise JudgeFailed("only recorded verdicts on answering")


def read(
    r: Recorded,
    calibration: ReaderCalibration,
    scorer: Scorer | None = None,
    abstention: AbstentionPolicy = RETRIEVAL_ABSTENTION,
) -> tuple[Reading, int]:
    """What the reader makes of a recorded question with this calibration (the judge's
    recorded verdicts standing in for it), and how many paragraphs it asked the judge about."""
    judge = RecordedJudge()
    judge.verdicts = {
        h.paragraph.text: r.p_yes[h.paragraph.id] for h in r.hits if h.paragraph.id in r.p_yes
    }
    if not r.hits or r.trace.direct:
        return Reading(), 0
    reading = Reader(scorer, judge, calibration).read(
        r.item.question, r.hits, r.trace, judge_best=abstention.needs_verdict(r.trace)
    )
    return reading, judge.asked


def answers(
    recorded: Sequence[Recorded],
    calibration: ReaderCalibration | None,
    policy: ReadingPolicy,
    scorer: Scorer | None = None,
    abstention: AbstentionPolicy = RETRIEVAL_ABSTENTION,
) -> tuple[list[dict], float, float]:
    """The answer JSON of every recorded question, answered by the real answerer (without the
    reader when ``calibration`` is None), the share of questions the judge was asked about,
    and the paragraphs it was asked about a question."""
    answerer = ExtractiveAnswerer(abstention, reading=policy)
    out, asked, calls = [], 0, 0
    for r in recorded:
        hits = r.hits
        reading = None
        if calibration is not None:
            reading, judged = read(r, calibration, scorer, abstention)
            asked += judged > 0
            calls += judged
            hits = reading.judge(hits)
        drafted = answerer.answer(r.item.question, hits, r.trace, reading)
        answer = Answer(r.item.question, drafted.quotes, tuple(hits), drafted.abstained)
        out.append(render.answer_json(answer, r.item.id))
    return out, asked / max(len(recorded), 1), calls / max(len(recorded), 1)


KEYS = ("top_citation_accuracy", "citation_precision", "citation_recall", "abstention_f1")


def objective(items: Sequence[TestItem], answered: Sequence[dict]) -> tuple[float, dict]:
    summary = summarize(list(items), list(answered))
    false_rate = summary.get("false_abstention_rate") or 0.0
    total = sum(summary.get(k) or 0.0 for k in KEYS)
    return (total if false_rate <= MAX_FALSE_ABSTENTION else total - 10.0), summary


def scored(
    items: Sequence[TestItem],
    recorded: Sequence[Recorded],
    calibration: ReaderCalibration,
    policy: ReadingPolicy,
    scorer: Scorer | None = None,
    abstention: AbstentionPolicy = RETRIEVAL_ABSTENTION,
) -> tuple[float, dict]:
    """The objective of answering the recorded questions this way, and its summary with the
    share of questions the judge was asked."""
    answered, asked, calls = answers(recorded, calibration, policy, scorer, abstention)
    score, summary = objective(items, answered)
    summary["judged_share"] = asked
    summary["judged_per_question"] = calls
    return score, summary


def best_policy(
    recorded: Sequence[Recorded], calibration: ReaderCalibration, scorer: Scorer | None = None
) -> tuple[ReadingPolicy, float, dict]:
    items = [r.item for r in recorded]
    best: tuple[float, ReadingPolicy, dict] | None = None
    for answer_at, cite_at, share in itertools.product(
        np.arange(0.0, 0.5, 0.05), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0.5, 0.7, 0.8, 0.9]
    ):
        policy = ReadingPolicy(float(answer_at), float(cite_at), float(share))
        answered, _, _ = answers(recorded, calibration, policy, scorer)
        score, summary = objective(items, answered)
        if best is None or score > best[0]:
            best = (score, policy, summary)
    assert best is not None
    for field_, values in (
        ("named_share", (0.3, 0.4, 0.5, 0.6, 0.8, 1.0)),
        ("where_share", (0.2, 0.3, 0.4, 0.5, 0.7, 0.9)),
    ):
        for value in values:
            policy = replace(best[1], **{field_: value})
            answered, _, _ = answers(recorded, calibration, policy, scorer)
            score, summary = objective(items, answered)
            if score > best[0]:
                best = (score, policy, summary)
    return best[1], best[0], best[2]


def best_gate(
    recorded: Sequence[Recorded],
    calibration: ReaderCalibration,
    policy: ReadingPolicy,
    scorer: Scorer | None = None,
) -> tuple[ReaderCalibration, float, dict]:
    """When to ask the judge (how near the best two hits, which band of relevance), how
    many of the best paragraphs it reads and how much its verdict weighs: chosen by what it
    does to the answers, not by calibration."""
    items = [r.item for r in recorded]
    best: tuple[float, ReaderCalibration, dict] | None = None
    for margin, band, judged, weight, bias in itertools.product(
        [0.0, 0.02, 0.03, 0.05],
        [(0.0, 0.0), (0.2, 0.5), (0.3, 0.6)],
        range(1, JUDGED_DEPTH + 1),
        [0.5, 0.75, 1.0, 1.5, 2.0, 3.0],
        [-0.5, 0.0, 0.5],
    ):
        candidate = replace(
            calibration,
            margin=margin,
            unsure=band,
            judged=judged,
            judge_weight=weight,
            judge_bias=bias,
        )
        score, summary = scored(items, recorded, candidate, policy, scorer)
        within = (
            summary["judged_share"] <= MAX_JUDGED
            and summary["judged_per_question"] <= MAX_JUDGED_PER_QUESTION
        )
        if within and (best is None or score > best[0]):
            best = (score, candidate, summary)
    assert best is not None
    return best[1], best[0], best[2]


def best_abstention(
    recorded: Sequence[Recorded],
    calibration: ReaderCalibration,
    policy: ReadingPolicy,
    scorer: Scorer | None = None,
) -> tuple[AbstentionPolicy, float, dict]:
    """How much the judge's verdict on the best paragraph found weighs in whether to
    answer, beside the retrieval evidence (whose weights ``eval.calibrate`` fits): chosen, as
    the gate is, by what it does to the answers, within the judge's share of questions
    (:data:`MAX_VERDICTS`)."""
    items = [r.item for r in recorded]
    best: tuple[float, AbstentionPolicy, dict] | None = None
    for weight, bias in itertools.product(
        [0.0, 0.3, 0.5, 0.7, 0.9, 1.1, 1.3], np.arange(-1.0, 2.01, 0.25)
    ):
        if not weight and bias:
            continue
        candidate = replace(
            RETRIEVAL_ABSTENTION, judge_weight=float(weight), judge_bias=float(bias)
        )
        score, summary = scored(items, recorded, calibration, policy, scorer, candidate)
        if summary["judged_share"] <= MAX_VERDICTS and (best is None or score > best[0]):
            best = (score, candidate, summary)
    assert best is not None
    return best[1], best[0], best[2]


def show(label: str, summary: dict) -> None:
    keys = (*KEYS, "false_abstention_rate", "judged_share", "judged_per_question")
    print(label, {k: round(summary[k], 3) for k in keys if summary.get(k) is not None})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("testset", type=Path)
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--judgements", type=Path, default=JUDGEMENTS)
    parser.add_argument(
        "--judge", action="store_true", help="Ask the bundled model for missing verdicts."
    )
    parser.add_argument(
        "--relevance",
        action="store_true",
        help="Read with the relevance model too (built by `wsis reader build --relevance`).",
    )
    args = parser.parse_args()
    settings = Settings(reader="none", **({"index_dir": args.index_dir} if args.index_dir else {}))
    assistant = Assistant(settings)
    scorer = CachedScorer(RelevanceModel(model_folder(settings))) if args.relevance else None
    items = [i for i in load_testset(args.testset) if args.split == "all" or i.split == args.split]
    recorded = record(assistant, items)
    load_judgements(recorded, args.judgements)
    if args.judge:
        judge_missing(
            recorded, LocalJudge(settings.model_copy(update={"reader": "local"})), args.judgements
        )
    baseline, _, _ = answers(recorded, None, ReadingPolicy())
    show("retrieval only:", summarize(items, baseline))
    if scorer is not None:
        print(
            "relevance model alone:",
            {k: round(v, 3) for k, v in scorer_alone(recorded, scorer).items()},
        )
    calibration = replace(fit_relevance(recorded, scorer), margin=0.0, unsure=(0.0, 0.0))
    policy, _, summary = best_policy(recorded, calibration, scorer)
    show("calibrated retrieval, no judge:", summary)
    gated, _, summary = best_gate(recorded, calibration, policy, scorer)
    show("with the judge:", summary)
    policy, _, _ = best_policy(recorded, gated, scorer)
    show("with the judge, policy refitted:", scored(items, recorded, gated, policy, scorer)[1])
    abstention, _, summary = best_abstention(recorded, gated, policy, scorer)
    show("with the judge's verdict on answering:", summary)
    name = "RELEVANCE_CALIBRATION" if scorer is not None else "READER_CALIBRATION"
    print(f"{name} = {gated}")
    print(f"ReadingPolicy: {policy}")
    print(
        f"AbstentionPolicy: judge_weight={abstention.judge_weight}, "
        f"judge_bias={abstention.judge_bias}"
    )


if __name__ == "__main__":
    main()
