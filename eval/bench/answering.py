"""Question-answering benchmark: ``python -m eval.bench.answering [--index-dir DIR]
[--questions N] [--cold-runs N]``.

Runs the questions of the shipped test set (repeated up to N) warm against an existing index
and reports p50/p95 of ``search`` and ``ask`` (with the reader, and without it as
``--reader none`` answers) next to dense-only and BM25-only search in the same run, plus cold
start: a new process from start to its first answer, the reader's model loaded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.api import Assistant
from corpus.settings import Settings

TESTSET = Path(__file__).resolve().parents[1] / "testsets" / "dev.jsonl"


def repeated_questions(n: int) -> list[str]:
    """The questions of the shipped test set, repeated until there are ``n``."""
    lines = [json.loads(x)["question"] for x in TESTSET.read_text().splitlines() if x.strip()]
    return (lines * (n // len(lines) + 1))[:n]


def latencies(action: Callable[[str], object], questions: list[str]) -> list[float]:
    """Milliseconds each question takes through ``action``, one after another."""
    out = []
    for q in questions:
        started = time.perf_counter()
        action(q)
        out.append((time.perf_counter() - started) * 1000)
    return out


def _cold_start(index_dir: Path | None) -> float:
    setting = f"index_dir=Path({str(index_dir)!r})" if index_dir else ""
    code = (
        "import time;t=time.perf_counter();from pathlib import Path;"
        "from assistant.api import Assistant;from corpus.settings import Settings;"
        f"Assistant(Settings({setting})).warm_up().ask('What did the WSIS+20 outcome decide "
        "about the Internet Governance Forum?');print(time.perf_counter()-t)"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench-ask.json"))
    args = parser.parse_args()
    settings = Settings(**({"index_dir": args.index_dir} if args.index_dir else {}))
    assistant = Assistant(settings).warm_up()
    questions = repeated_questions(args.questions)
    runs = {
        "search (hybrid)": latencies(lambda q: assistant.search(q), questions),
        "search (dense only)": latencies(lambda q: assistant.search(q, mode="dense"), questions),
        "search (BM25 only)": latencies(lambda q: assistant.search(q, mode="bm25"), questions),
        "ask (reader none)": latencies(lambda q: assistant.ask(q, read=False), questions),
        "ask (with the reader)": latencies(lambda q: assistant.ask(q), questions),
    }
    cold = [_cold_start(args.index_dir) for _ in range(args.cold_runs)]
    rows = {
        name: {"p50_ms": float(np.percentile(v, 50)), "p95_ms": float(np.percentile(v, 95))}
        for name, v in runs.items()
    }
    result = {
        "questions": len(questions),
        "paragraphs": len(assistant.catalog.searchable()),
        "latency": rows,
        "cold_start_s": statistics.median(cold),
    }
    args.out.write_text(json.dumps(result, indent=2))
    base = rows["search (dense only)"]["p50_ms"]
    print(f"{len(questions)} questions, {result['paragraphs']} paragraphs\n")
    print("| operation | p50 ms | p95 ms | p50 vs dense-only search |\n|---|---|---|---|")
    for name, row in rows.items():
        print(
            f"| {name} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['p50_ms'] / base:.2f}× |"
        )
    print(
        f"\ncold start (new process to first answer), median of {len(cold)}: "
        f"{result['cold_start_s']:.1f} s"
    )


if __name__ == "__main__":
    main()
