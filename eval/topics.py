"""Coverage measured against paragraph lists compiled by hand from the documents
(``eval/topics/topics.jsonl``): ``python -m eval.topics eval/topics/topics.jsonl --index-dir
DIR [--split dev|heldout] [--json]``; ``--fit`` fits :class:`TopicCalibration` on the
development topics instead.

Each topic is one to six words as staff type them, scoped to one document or to the whole
default corpus, with its ``core`` paragraphs (those plainly about it) and its ``listed`` ones
(core, and those that name it among other things). Within one document: the share of core
paragraphs found, and the share of returned paragraphs that are listed. Across the corpus:
the share of listed paragraphs found. Shares are pooled over the topics' paragraphs; the
95% intervals come from a bootstrap over the topics (eval/metrics.py), so a topic with many
paragraphs weighs as much in a draw as it does in the figure.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.api import Assistant
from assistant.coverage import (
    DEFAULT_COVERAGE_THRESHOLD,
    TOPIC_CALIBRATION,
    Method,
    TopicCalibration,
    coverage,
)
from assistant.coverage.calibration import FEATURES, Features
from assistant.coverage.finding import expand
from assistant.coverage.reading import TopicReader, topic_messages
from assistant.reader.reading import READER_CALIBRATION, Reader, logit, make_reader
from assistant.reader.relevance import RelevanceModel
from assistant.render import coverage as shown
from assistant.retrieval import Filters
from corpus.errors import InvalidTestSet
from corpus.settings import Settings
from corpus.wording import text_key
from eval.metrics import RESAMPLES, SEED, Interval, _interval
from eval.testset import SPLITS, GoldItem, gold_matched, matches

STYLES = ("group", "policy", "body", "multi", "category")
#: The figures, and the scope each is measured over.
METRICS = {
    "core_found": "within one document: share of core paragraphs found",
    "returned_listed": "within one document: share of returned paragraphs that are listed",
    "listed_found": "across the corpus: share of listed paragraphs found",
}
TARGETS = {"core_found": 0.85, "returned_listed": 0.80, "listed_found": 0.80}


@dataclass(frozen=True, slots=True)
class TopicItem:
    """One topic with the paragraphs compiled for it."""

    id: str
    topic: str
    #: The documents the topic is looked for in (symbols); None: the whole corpus.
    scope: tuple[str, ...] | None
    core: tuple[GoldItem, ...]
    listed: tuple[GoldItem, ...]
    split: str
    style: str


class _Problem(ValueError):
    """One line's problem, reported with the others."""


def _gold(raw: Any, where: str) -> tuple[GoldItem, ...]:
    if not isinstance(raw, list) or not raw:
        raise _Problem(f"{where}: expected a non-empty list of paragraphs")
    items = []
    for entry in raw:
        if not isinstance(entry, Mapping) or not entry.get("doc") or not entry.get("paragraph"):
            raise _Problem(f"{where}: every paragraph needs doc and paragraph")
        items.append(GoldItem(str(entry["doc"]), str(entry["paragraph"]), entry.get("part")))
    return tuple(items)


def _item(raw: Any, where: str) -> TopicItem:
    if not isinstance(raw, Mapping):
        raise _Problem(f"{where}: expected a JSON object")
    scope = raw.get("scope")
    if scope is not None and not (
        isinstance(scope, list) and scope and all(isinstance(s, str) for s in scope)
    ):
        raise _Problem(f"{where}: scope must be null or a list of symbols")
    if raw.get("split") not in SPLITS:
        raise _Problem(f"{where}: split must be one of {', '.join(SPLITS)}")
    if raw.get("style") not in STYLES:
        raise _Problem(f"{where}: style must be one of {', '.join(STYLES)}")
    if not str(raw.get("topic", "")).strip() or not raw.get("id"):
        raise _Problem(f"{where}: id and topic are required")
    return TopicItem(
        id=str(raw["id"]),
        topic=str(raw["topic"]),
        scope=tuple(scope) if scope is not None else None,
        core=_gold(raw.get("core"), f"{where} core"),
        listed=_gold(raw.get("listed"), f"{where} listed"),
        split=str(raw["split"]),
        style=str(raw["style"]),
    )


def load_topics(path: Path) -> list[TopicItem]:
    """The topics of a JSONL file, every line checked; all problems reported at once."""
    items: list[TopicItem] = []
    problems: list[str] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = _item(json.loads(line), f"line {number}")
        except _Problem as exc:
            problems.append(str(exc))
            continue
        except ValueError as exc:
            problems.append(f"line {number}: not JSON ({exc})")
            continue
        if any(i.id == item.id for i in items):
            problems.append(f"line {number}: id {item.id} is used twice")
        items.append(item)
    if problems:
        raise InvalidTestSet(str(path), problems)
    return items


# --- Scoring (pure) ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TopicOutcome:
    """What coverage returned for one topic, against its lists."""

    item: TopicItem
    #: The returned paragraphs, as the coverage JSON gives them.
    returned: tuple[Mapping[str, Any], ...]
    seconds: float = 0.0

    @property
    def within(self) -> bool:
        return self.item.scope is not None

    @property
    def core_found(self) -> int:
        return len(gold_matched(self.returned, self.item.core))

    @property
    def listed_found(self) -> int:
        return len(gold_matched(self.returned, self.item.listed))

    @property
    def returned_listed(self) -> int:
        return sum(1 for p in self.returned if any(matches(p, g) for g in self.item.listed))

    def missed(self, which: str = "core") -> list[GoldItem]:
        gold = self.item.core if which == "core" else self.item.listed
        found = gold_matched(self.returned, gold)
        return [g for i, g in enumerate(gold) if i not in found]

    def wrong(self) -> list[Mapping[str, Any]]:
        return [p for p in self.returned if not any(matches(p, g) for g in self.item.listed)]


def _counts(outcomes: Sequence[TopicOutcome], metric: str) -> tuple[np.ndarray, np.ndarray]:
    """(numerator, denominator) per topic of a pooled share, over the topics it is
    measured on."""
    rows: list[tuple[int, int]] = []
    for o in outcomes:
        if metric == "core_found" and o.within:
            rows.append((o.core_found, len(o.item.core)))
        elif metric == "returned_listed" and o.within:
            rows.append((o.returned_listed, len(o.returned)))
        elif metric == "listed_found" and not o.within:
            rows.append((o.listed_found, len(o.item.listed)))
    return np.array([r[0] for r in rows], dtype=float), np.array([r[1] for r in rows], dtype=float)


def pooled(
    outcomes: Sequence[TopicOutcome], metric: str
) -> tuple[float | None, Interval | None, int]:
    """A pooled share, its 95% bootstrap interval over the topics, and how many topics it
    is measured on."""
    found, total = _counts(outcomes, metric)
    if not len(total) or total.sum() == 0:
        return None, None, len(total)

    def statistic(draw: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return found[draw].sum(axis=-1) / total[draw].sum(axis=-1)

    interval = _interval(statistic, len(total), 0.95, RESAMPLES, SEED)
    return float(found.sum() / total.sum()), interval, len(total)


def summary(outcomes: Sequence[TopicOutcome]) -> dict[str, Any]:
    """Each figure with its interval, counts and the seconds per topic, as JSON."""
    out: dict[str, Any] = {"topics": len(outcomes)}
    for metric in METRICS:
        value, interval, n = pooled(outcomes, metric)
        found, total = _counts(outcomes, metric)
        out[metric] = {
            "value": value,
            "interval": list(interval) if interval else None,
            "of": [int(found.sum()), int(total.sum())],
            "topics": n,
            "target": TARGETS[metric],
        }
    seconds = sorted(o.seconds for o in outcomes if not o.within)
    if seconds:
        out["corpus_seconds"] = {"median": float(np.median(seconds)), "max": seconds[-1]}
    return out


# --- Running ----------------------------------------------------------------------------------


def filters_of(item: TopicItem) -> Filters | None:
    return Filters(documents=item.scope) if item.scope else None


def run(
    assistant: Assistant,
    items: Sequence[TopicItem],
    threshold: float = DEFAULT_COVERAGE_THRESHOLD,
    method: Method | None = None,
    calibration: TopicCalibration | None = None,
    report: Callable[[str], None] = lambda _line: None,
) -> list[TopicOutcome]:
    outcomes = []
    for item in items:
        started = time.perf_counter()
        result = coverage(
            assistant,
            item.topic,
            threshold,
            filters_of(item),
            method=method,
            calibration=calibration,
        )
        seconds = time.perf_counter() - started
        returned = tuple(shown.coverage_json(result)["paragraphs"])
        outcome = TopicOutcome(item, returned, seconds)
        outcomes.append(outcome)
        report(
            f"{item.id} {item.topic!r}: {len(returned)} returned, core {outcome.core_found}/"
            f"{len(item.core)}, listed {outcome.listed_found}/{len(item.listed)}, "
            f"{seconds:.1f} s"
        )
    return outcomes


# --- Fitting the calibration on the development topics ----------------------------------------


@dataclass
class Candidate:
    """A paragraph coverage read for a topic (one per distinct text), what the reader saw of
    it, and whether the topic's lists hold it (or a word-for-word copy of it)."""

    item: TopicItem
    paragraph_id: str
    text: str
    features: Features
    core: bool
    listed: bool
    p_yes: float | None = None


def _gold_keys(assistant: Assistant, gold: Sequence[GoldItem]) -> set[str]:
    """The text keys of gold paragraphs: a copy of a listed paragraph (the adopted text and
    its final draft) is listed too."""
    catalog = assistant.catalog
    keys = set()
    for g in gold:
        document = catalog.document_by_symbol(g.doc)
        found = catalog.find(document.doc_id, g.paragraph or "", g.part) if document else None
        if found is not None:
            keys.add(text_key(found.text))
    return keys


def record(assistant: Assistant, items: Sequence[TopicItem], method: Method) -> list[Candidate]:
    """Every candidate of every topic with what the reader saw of it (no language model)."""
    catalog = assistant.catalog
    quiet = replace(method, judge_seconds=0)
    out = []
    for item in items:
        topic = expand(assistant, item.topic, method=method)
        reader = TopicReader(assistant, quiet, TOPIC_CALIBRATION, lambda _d, _w: None)
        features = reader.candidates(topic, filters_of(item))
        reader.read_logits(topic, features)
        core, listed = _gold_keys(assistant, item.core), _gold_keys(assistant, item.listed)
        for pid, found in features.items():
            text = catalog.paragraphs[pid].text
            key = text_key(text)
            out.append(Candidate(item, pid, text, found, key in core, key in listed))
    return out


def figures(
    candidates: Sequence[Candidate], relevance: Sequence[float], threshold: float
) -> dict[str, float]:
    """The three figures over recorded candidates, as if those reaching ``threshold`` were
    returned (each distinct text once)."""
    by_topic: dict[str, list[tuple[Candidate, float]]] = {}
    for c, r in zip(candidates, relevance, strict=True):
        by_topic.setdefault(c.item.id, []).append((c, r))
    counts = dict.fromkeys(("core", "core_all", "ret_listed", "ret", "listed", "listed_all"), 0)
    for pairs in by_topic.values():
        item = pairs[0][0].item
        kept = [c for c, r in pairs if r >= threshold]
        if item.scope is not None:
            counts["core"] += sum(c.core for c in kept)
            counts["core_all"] += len(item.core)
            counts["ret_listed"] += sum(c.listed for c in kept)
            counts["ret"] += len(kept)
        else:
            counts["listed"] += sum(c.listed for c in kept)
            counts["listed_all"] += len(item.listed)
    return {
        "core_found": counts["core"] / max(counts["core_all"], 1),
        "returned_listed": counts["ret_listed"] / max(counts["ret"], 1),
        "listed_found": counts["listed"] / max(counts["listed_all"], 1),
    }


def fit(
    candidates: Sequence[Candidate], with_model: bool = True
) -> tuple[TopicCalibration, dict[str, float]]:
    """A logistic regression of "the paragraph is listed for the topic" on what the reader
    saw (:data:`~assistant.coverage.calibration.FEATURES`), every topic weighing the same; then
    the threshold that gives the best sum of the three figures on these candidates, moved
    to a relevance of 0.5 (the bias absorbs it). ``with_model=False`` leaves the relevance
    model's logit out (the fallback)."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([c.features.values() for c in candidates], dtype=float)
    if not with_model:
        x[:, FEATURES.index("logit")] = 0.0
    y = np.array([c.listed for c in candidates])
    per_topic: dict[str, int] = {}
    for c in candidates:
        per_topic[c.item.id] = per_topic.get(c.item.id, 0) + 1
    weights = np.array([1.0 / per_topic[c.item.id] for c in candidates]) * len(per_topic)
    model = LogisticRegression(C=1.0, max_iter=1000).fit(x, y, sample_weight=weights)
    probabilities = model.predict_proba(x)[:, 1].tolist()
    grid = [round(0.05 + 0.025 * i, 3) for i in range(23)]
    scored = [(sum(figures(candidates, probabilities, t).values()), -t) for t in grid]
    _, best = max(scored)
    threshold = -best
    calibration = replace(
        TOPIC_CALIBRATION,
        bias=round(float(model.intercept_[0]) - math.log(threshold / (1 - threshold)), 3),
        weights=tuple(
            0.0 if not with_model and n == "logit" else round(float(w), 3)
            for n, w in zip(FEATURES, model.coef_[0], strict=True)
        ),
    )
    shifted = [calibration.relevance(c.features) for c in candidates]
    return calibration, figures(candidates, shifted, 0.5)


def read_unsure(
    assistant: Assistant, candidates: Sequence[Candidate], calibration: TopicCalibration
) -> list[Candidate]:
    """The language model's P(yes) for every candidate whose relevance is unsure (no time
    limit: this is what the limit cuts short)."""
    reader = assistant.reader
    judge = reader.judge if reader is not None else None
    if judge is None:
        return []
    low, high = calibration.unsure
    read = []
    for c in candidates:
        if low <= calibration.relevance(c.features) < high:
            c.p_yes = judge.verdict(topic_messages(c.item.topic, c.text), 120.0)
            read.append(c)
    return read


def fit_judge(read: Sequence[Candidate], calibration: TopicCalibration) -> TopicCalibration:
    """How the language model's P(yes) is fused into the relevance of what it read: a
    logistic regression of "listed" on logit(relevance) and logit(P(yes)), centred so that
    0.5 stays the threshold's place."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([[logit(calibration.relevance(c.features)), logit(c.p_yes or 0.5)] for c in read])
    y = np.array([c.listed for c in read])
    if len(set(y.tolist())) < 2:
        return calibration
    model = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
    keep, judge_weight = (round(float(w), 3) for w in model.coef_[0])
    return replace(
        calibration,
        keep=keep,
        judge_weight=judge_weight,
        judge_bias=round(float(model.intercept_[0]), 3),
    )


# --- Command line -----------------------------------------------------------------------------


def _table(outcomes: Sequence[TopicOutcome]) -> str:
    lines = []
    data = summary(outcomes)
    for metric, label in METRICS.items():
        figure = data[metric]
        if figure["value"] is None:
            continue
        low_high = figure["interval"]
        interval = f" [{low_high[0]:.2f}, {low_high[1]:.2f}]" if low_high else ""
        found, total = figure["of"]
        lines.append(
            f"  {label}: {figure['value']:.2f}{interval} ({found} of {total}, "
            f"{figure['topics']} topics; target {figure['target']:.2f})"
        )
    if "corpus_seconds" in data:
        s = data["corpus_seconds"]
        lines.append(f"  seconds per corpus topic: median {s['median']:.1f}, max {s['max']:.1f}")
    return "\n".join(lines)


def _reader(settings: Settings, folder: Path | None, no_model: bool) -> Reader | None:
    """The reader to measure with: the settings' own, or one reading with a given relevance
    model folder, or with none."""
    if folder is None and not no_model:
        return None
    base = make_reader(settings)
    judge = base.judge if base is not None else None
    model = None if no_model or folder is None else RelevanceModel(folder)
    return Reader(model, judge, READER_CALIBRATION, missing="no relevance model (--no-model)")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.topics", description=__doc__)
    parser.add_argument("topics", type=Path)
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--split", choices=SPLITS)
    parser.add_argument("--threshold", type=float, default=DEFAULT_COVERAGE_THRESHOLD)
    parser.add_argument("--no-judge", action="store_true", help="Leave the language model out.")
    parser.add_argument("--no-related", action="store_true", help="No related terms of the corpus.")
    parser.add_argument(
        "--relevance-model",
        type=Path,
        help="A relevance model folder to read with (default: the one built for the current "
        "training questions).",
    )
    parser.add_argument("--no-model", action="store_true", help="Leave the relevance model out.")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    parser.add_argument(
        "--fit", action="store_true", help="Fit the calibration on the dev topics and print it."
    )
    args = parser.parse_args(argv)
    items = load_topics(args.topics)
    settings = Settings(**({"index_dir": args.index_dir} if args.index_dir else {}))
    assistant = Assistant(settings, reader=_reader(settings, args.relevance_model, args.no_model))
    method = Method()
    if args.no_judge:
        method = replace(method, judge_seconds=0.0)
    if args.no_related:
        method = replace(method, related=0)
    if args.fit:
        dev = [i for i in items if i.split == "dev"]
        recorded = record(assistant, dev, method)
        with_model = assistant.reader is not None and assistant.reader.relevance_model is not None
        calibration, dev_figures = fit(recorded, with_model)
        print(f"without the language model, on dev: {dev_figures}", file=sys.stderr)
        if not args.no_judge:
            read = read_unsure(assistant, recorded, calibration)
            calibration = fit_judge(read, calibration)
            print(f"the language model read {len(read)} unsure candidates", file=sys.stderr)
        print(calibration)
        return
    splits = [args.split] if args.split else list(SPLITS)
    chosen = [i for i in items if i.split in splits]
    outcomes = run(
        assistant,
        chosen,
        args.threshold,
        method,
        report=lambda line: print(line, file=sys.stderr, flush=True),
    )
    if args.json:
        print(
            json.dumps(
                {s: summary([o for o in outcomes if o.item.split == s]) for s in splits},
                indent=1,
            )
        )
        return
    for split in splits:
        print(f"{split}:")
        print(_table([o for o in outcomes if o.item.split == split]))


if __name__ == "__main__":
    main()
