"""Ingestion benchmark: ``python -m eval.bench.parsing [--corpus DIR ...] [--runs N]``.

Measures, in one run on this machine: text extraction by pypdf alone (the baseline), a full
ingest into an empty index (model load included), and re-ingest of the unchanged corpus.
Prints a Markdown table of medians and writes the figures as JSON next to it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus.settings import Settings
from ingest.readers import pdf_pages, read_source


def _time_pypdf(folders: list[Path]) -> float:
    started = time.perf_counter()
    for folder in folders:
        for path in sorted(folder.glob("*.pdf")):
            pdf_pages(read_source(path))
    return time.perf_counter() - started


def _ingest_in_new_process(corpus: list[Path], index_dir: Path) -> dict[str, float]:
    """A fresh process each time, so model load and imports are counted as a user sees them."""
    code = (
        "import json,sys,time;t=time.perf_counter();"
        "from pathlib import Path;"
        "from corpus.settings import Settings;"
        "from ingest.embedding import make_embedder;"
        "from ingest.pipeline import ingest;"
        "from ingest.store import ParagraphIndex;"
        f"s=Settings(corpus_dirs={[str(c) for c in corpus]!r},index_dir=Path({str(index_dir)!r}));"
        "r=ingest(s,ParagraphIndex(s,make_embedder(s)));"
        "print(json.dumps({'seconds':time.perf_counter()-t,'paragraphs':r.paragraphs,"
        "'documents':r.documents,'embedded':r.embedded,'skipped':len(r.skipped)}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", action="append", type=Path, help="Corpus folder(s).")
    parser.add_argument("--runs", type=int, default=3, help="Repetitions of each measurement.")
    parser.add_argument("--out", type=Path, default=Path("bench-ingest.json"))
    args = parser.parse_args()
    corpus = args.corpus or Settings().corpus_dirs

    pypdf = [_time_pypdf(corpus) for _ in range(args.runs)]
    full, again = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            full.append(_ingest_in_new_process(corpus, Path(tmp)))
            again.append(_ingest_in_new_process(corpus, Path(tmp)))
    paragraphs = full[0]["paragraphs"]
    result = {
        "corpus": [str(c) for c in corpus],
        "documents": full[0]["documents"],
        "paragraphs": paragraphs,
        "runs": args.runs,
        "pypdf_extract_s": statistics.median(pypdf),
        "ingest_empty_s": statistics.median(r["seconds"] for r in full),
        "reingest_unchanged_s": statistics.median(r["seconds"] for r in again),
        "reingest_embedded": max(r["embedded"] for r in again),
    }
    result["paragraphs_per_s"] = paragraphs / result["ingest_empty_s"]
    result["ingest_vs_pypdf"] = result["ingest_empty_s"] / result["pypdf_extract_s"]
    args.out.write_text(json.dumps(result, indent=2))
    print(
        "| measure | median |\n|---|---|\n"
        f"| documents / paragraphs | {result['documents']} / {paragraphs} |\n"
        f"| pypdf text extraction alone (baseline) | {result['pypdf_extract_s']:.1f} s |\n"
        f"| ingest into an empty index, model load included | {result['ingest_empty_s']:.1f} s "
        f"({result['ingest_vs_pypdf']:.1f}× the baseline) |\n"
        f"| paragraphs per second | {result['paragraphs_per_s']:.0f} |\n"
        f"| re-ingest of the unchanged corpus | {result['reingest_unchanged_s']:.1f} s "
        f"({result['reingest_embedded']} paragraphs embedded) |"
    )


if __name__ == "__main__":
    main()
