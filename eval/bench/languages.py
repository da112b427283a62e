"""The language step benchmark: ``python -m eval.bench.languages [--index-dir DIR]
[--limit N]``.

Asks each question of ``eval/testsets/languages.jsonl`` (French, Spanish, Russian, Chinese and
Arabic) warm, one after another, and reports the p50/p95 of the language step (``language``
in the answer's ``timings_ms``: finding the language and putting the question into English
with the reader's model) and of the whole answer, beside the whole answer to each question's
English original asked in the same run; and how many questions could not be put into
English.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

import numpy as np

from assistant.api import Assistant
from corpus.settings import Settings
from eval.testset import load_testset

TESTSET = Path(__file__).resolve().parents[1] / "testsets" / "languages.jsonl"


def percentiles(values: list[float]) -> tuple[float, float]:
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="The first N questions only.")
    args = parser.parse_args()

    settings = Settings(index_dir=args.index_dir) if args.index_dir else Settings()
    assistant = Assistant(settings).warm_up()
    items = load_testset(TESTSET)[: args.limit]
    step, asked, originals, untranslated = [], [], [], 0
    for item in items:
        answer = assistant.ask(item.question)
        step.append(answer.timings_ms.get("language", 0.0))
        asked.append(answer.timings_ms["total"])
        untranslated += answer.question_en is None
        if item.question_en:
            originals.append(assistant.ask(item.question_en).timings_ms["total"])
    step_p50, step_p95 = percentiles(step)
    asked_p50, asked_p95 = percentiles(asked)
    english_p50, english_p95 = percentiles(originals)
    figures = {
        "questions": len(items),
        "not put into English": untranslated,
        "language step ms p50": round(step_p50, 1),
        "language step ms p95": round(step_p95, 1),
        "ask ms p50 (other languages)": round(asked_p50, 1),
        "ask ms p95 (other languages)": round(asked_p95, 1),
        "ask ms p50 (English originals)": round(english_p50, 1),
        "ask ms p95 (English originals)": round(english_p95, 1),
        "p50 ratio, other languages to English": round(asked_p50 / english_p50, 2),
        "language step ms mean": round(statistics.fmean(step), 1),
    }
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
