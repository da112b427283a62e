"""Scale benchmark: ``python -m eval.bench.scale [--sizes 10000 50000 200000]
[--modes embedded server] [--out DIR]``.

Grows one index through the given sizes (searchable paragraphs), in the embedded store and on
a Chroma server started for the run, and reports at each size: write throughput, size on
disk, memory of the serving process (and of the Chroma server), and search/ask p50/p95 over
the questions of the shipped test set. Writes ``scale.json``, ``scale-table.md`` and
``scale.png`` (into ``docs/`` by default; see ``docs/scale.md``).

The corpus is the real one (``../shared/corpus`` and ``../shared/distractors``), parsed once
by the product's parser and replicated under distinct document ids and symbols. Embedding
cost per paragraph does not depend on the size of the index, so each distinct text is
embedded once and its replicas reuse its vector with a little noise (a cosine of about 0.99
to the original): the index then holds distinct vectors with the real corpus's distribution
and neighbourhoods, and building 200,000 paragraphs takes minutes instead of an hour. The
embedding rate is measured in the same run and reported beside the write rate, with the
ingest rate the two give together.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from assistant.api import Assistant
from corpus.model import ParsedDocument
from corpus.settings import SHARED_DIR, Settings
from eval.bench.answering import latencies, repeated_questions
from ingest.embedding import make_embedder
from ingest.pipeline import EMBED_GROUP, assign_doc_ids, corpus_files, parse_many
from ingest.store import ParagraphIndex

NOISE = 0.1 / math.sqrt(384)
PROBE_QUESTIONS = 60


def _replica(parsed: ParsedDocument, copy: int) -> ParsedDocument:
    if copy == 0:
        return parsed
    doc = parsed.document
    doc_id = f"{doc.doc_id}~{copy}"
    document = dataclasses.replace(
        doc,
        doc_id=doc_id,
        symbol=f"{doc.symbol} (copy {copy})" if doc.symbol else None,
        sha256=hashlib.sha256(f"{doc.sha256}{copy}".encode()).hexdigest(),
    )
    paragraphs = tuple(dataclasses.replace(p, doc_id=doc_id) for p in parsed.paragraphs)
    return ParsedDocument(document, paragraphs)


def _noisy(vector: list[float], rng: np.random.Generator) -> list[float]:
    v = np.asarray(vector, dtype=np.float32) + rng.normal(0, NOISE, len(vector))
    return (v / np.linalg.norm(v)).astype(np.float32).tolist()


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def chroma_server(path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    port = _free_port()
    chroma = Path(sys.executable).with_name("chroma")
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        yield url, server
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def probe(settings: Settings) -> dict[str, Any]:
    """Run in a fresh process: load, warm up, time the questions, report memory."""
    started = time.perf_counter()
    assistant = Assistant(settings).warm_up()
    loaded = time.perf_counter() - started
    questions = repeated_questions(PROBE_QUESTIONS)
    search = latencies(lambda q: assistant.search(q), questions)
    ask = latencies(lambda q: assistant.ask(q), questions)
    return {
        "load_s": loaded,
        "paragraphs": len(assistant.catalog.searchable()),
        "search_p50_ms": float(np.percentile(search, 50)),
        "search_p95_ms": float(np.percentile(search, 95)),
        "ask_p50_ms": float(np.percentile(ask, 50)),
        "ask_p95_ms": float(np.percentile(ask, 95)),
        "rss_mb": _rss_mb(os.getpid()),
    }


def _probe_in_new_process(settings: Settings) -> dict[str, Any]:
    args = [sys.executable, "-m", "eval.bench.scale", "--probe", "--index-dir"]
    args.append(str(settings.index_dir))
    if settings.chroma_url:
        args += ["--chroma-url", settings.chroma_url]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def _base_corpus(settings: Settings) -> tuple[list[ParsedDocument], dict[str, list[float]], float]:
    """The real corpus parsed, and the vector of every searchable piece, with the embedding
    rate (pieces per second)."""
    files, _ = corpus_files(settings.corpus_dirs)
    jobs = [(path, doc_id) for doc_id, path in assign_doc_ids(files).items()]
    parsed = [r for r in parse_many(jobs) if isinstance(r, ParsedDocument)]
    index = ParagraphIndex(settings, make_embedder(settings))
    index.embedder.embed_query("warm up")
    started = time.perf_counter()
    vectors: dict[str, list[float]] = {}
    for doc_vectors in index.embed(parsed):
        vectors.update(doc_vectors)
    rate = len(vectors) / (time.perf_counter() - started)
    return parsed, vectors, rate


def _searchable(parsed: ParsedDocument) -> int:
    return sum(1 for p in parsed.paragraphs if p.searchable)


def grow(
    settings: Settings,
    base: list[ParsedDocument],
    vectors: dict[str, list[float]],
    sizes: list[int],
    disk: Path,
    server: subprocess.Popen | None = None,
) -> list[dict[str, Any]]:
    """Write replicas until each size is reached; measure at each."""
    index = ParagraphIndex(settings, make_embedder(settings))
    rng = np.random.default_rng(7)
    pieces = {p.document.doc_id: index.pieces(p) for p in base}
    per_copy = sum(_searchable(p) for p in base)
    rows: list[dict[str, Any]] = []
    written = copies = 0
    for size in sizes:
        started = time.perf_counter()
        paragraphs = 0
        with index.writing():
            index.collection(create=True)
            while written < size:
                batch = []
                for parsed in base:
                    replica = _replica(parsed, copies)
                    version = replica.document.sha256
                    own = {}
                    for original in pieces[parsed.document.doc_id]:
                        if original.node_id in vectors:
                            piece = dataclasses.replace(original, version=version)
                            node_id = piece.node_id.replace(
                                original.paragraph.id,
                                dataclasses.replace(
                                    original.paragraph, doc_id=replica.document.doc_id
                                ).id,
                            )
                            vector = vectors[original.node_id]
                            own[node_id] = _noisy(vector, rng) if copies else vector
                    batch.append((replica, own))
                    paragraphs += _searchable(replica)
                for start in range(0, len(batch), EMBED_GROUP):
                    index.add_documents(batch[start : start + EMBED_GROUP])
                copies += 1
                written += per_copy
        seconds = time.perf_counter() - started
        row: dict[str, Any] = {
            "mode": "server" if settings.chroma_url else "embedded",
            "size": written,
            "documents": copies * len(base),
            "write_paragraphs_per_s": paragraphs / seconds,
            "disk_mb": _dir_size(disk) / 2**20,
        }
        row.update(_probe_in_new_process(settings))
        if server is not None:
            row["server_rss_mb"] = _rss_mb(server.pid)
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def _table(rows: list[dict[str, Any]], embed_rate: float) -> str:
    lines = [
        f"Embedding rate in this run (all-MiniLM-L6-v2, 2 cores): {embed_rate:.0f} "
        "paragraphs/s. Ingest rate = 1 / (1/embedding rate + 1/write rate).",
        "",
        "| mode | paragraphs | documents | write para/s | ingest para/s | disk MB | "
        "serving RSS MB | server RSS MB | load s | search p50 / p95 ms | ask p50 / p95 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ingest_rate = 1 / (1 / embed_rate + 1 / r["write_paragraphs_per_s"])
        server = f"{r['server_rss_mb']:.0f}" if "server_rss_mb" in r else "—"
        lines.append(
            f"| {r['mode']} | {r['paragraphs']:,} | {r['documents']:,} | "
            f"{r['write_paragraphs_per_s']:.0f} | {ingest_rate:.0f} | {r['disk_mb']:.0f} | "
            f"{r['rss_mb']:.0f} | {server} | {r['load_s']:.1f} | "
            f"{r['search_p50_ms']:.1f} / {r['search_p95_ms']:.1f} | "
            f"{r['ask_p50_ms']:.1f} / {r['ask_p95_ms']:.1f} |"
        )
    return "\n".join(lines)


def _plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    panels = [
        ("search p50 / p95 (ms)", ("search_p50_ms", "search_p95_ms")),
        ("serving process memory (MB)", ("rss_mb",)),
        ("write throughput (paragraphs/s)", ("write_paragraphs_per_s",)),
    ]
    for ax, (title, keys) in zip(axes, panels, strict=True):
        for mode, style in (("embedded", "-o"), ("server", "--s")):
            chosen = [r for r in rows if r["mode"] == mode]
            if not chosen:
                continue
            for key in keys:
                label = f"{mode} {key.split('_')[1] if len(keys) > 1 else ''}".strip()
                ax.plot(
                    [r["paragraphs"] for r in chosen], [r[key] for r in chosen], style, label=label
                )
        ax.set_xscale("log")
        ax.set_xlabel("searchable paragraphs")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 200_000])
    parser.add_argument("--modes", nargs="+", default=["embedded", "server"])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--index-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--chroma-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(probe(Settings(index_dir=args.index_dir, chroma_url=args.chroma_url))))
        return
    corpus = [SHARED_DIR / "corpus", SHARED_DIR / "distractors"]
    work = Path(tempfile.mkdtemp(prefix="wsis-scale-"))
    try:
        settings = Settings(corpus_dirs=corpus, index_dir=work / "embedded")
        base, vectors, embed_rate = _base_corpus(settings)
        print(
            f"{len(base)} documents, {len(vectors)} pieces, {embed_rate:.0f} pieces/s", flush=True
        )
        rows: list[dict[str, Any]] = []
        if "embedded" in args.modes:
            rows += grow(settings, base, vectors, args.sizes, work / "embedded")
        if "server" in args.modes:
            with chroma_server(work / "server") as (url, server):
                remote = Settings(corpus_dirs=corpus, index_dir=work / "client", chroma_url=url)
                rows += grow(remote, base, vectors, args.sizes, work / "server", server)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    result = {"embedding_paragraphs_per_s": embed_rate, "rows": rows, "date": time.ctime()}
    (args.out / "scale.json").write_text(json.dumps(result, indent=2))
    table = _table(rows, embed_rate)
    (args.out / "scale-table.md").write_text(table + "\n")
    _plot(rows, args.out / "scale.png")
    print(table)


if __name__ == "__main__":
    main()
