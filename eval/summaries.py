"""Short answers measured: ``python -m eval.summaries TESTSET [TESTSET ...] --index-dir DIR
[--split dev|heldout] [--skip N] [--limit N] [--out FILE]``.

Every answerable question of the split is asked with ``style="summary"``. For each answer
that quotes, the figures are:

* sentences written by the model, kept, and left out by the product's check;
* cited outside retrieval: kept sentences citing a paragraph that is not among the answer's
  hits (must be 0);
* supported: kept sentences whose cited paragraphs hold every name, acronym and number of the
  sentence and at least ``--cover`` of its content words (stems of words not in a stop
  list). This lexical check is independent of the model's own verdict, which decides what
  is kept, so it can disagree with it;
* the seconds a short answer adds.

``--out`` writes one JSON line per question (question, sentences with the English they were
checked in, their citations and the cited paragraphs' text) for reading by hand.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.answers import Answer
from assistant.api import Assistant
from assistant.render import summary_json
from assistant.summary import document_names, missing_names
from corpus.settings import Settings
from eval.testset import SPLITS, TestItem, load_testset

#: Share of a sentence's content words its cited paragraphs must hold to count as supported.
COVER = 0.6
_STOP = frozenset(
    re.findall(
        r"\w+",
        """
    a an the and or of to in on for by with as at from into that this these those it its
    is are was were be been being has have had do does did will shall should would can
    could may might must not no also which who whom whose what when where how all any
    each other such their there they them than then so both either nor only own same too
    very more most some up out about over under between through during before after
    above below again further once here why just but if because while until against
    document outcome paragraph paragraphs text states stated says said yes
    """,
    )
)


def content_stems(text: str) -> set[str]:
    """The words of ``text`` that carry content, cut to their first five letters."""
    words = re.findall(r"[a-z][a-z-]+", text.lower())
    return {w[:5] for w in words if w not in _STOP and len(w) > 2}


def covered(sentence: str, sources: Sequence[str]) -> float:
    """The share of the sentence's content stems that the sources hold."""
    stems = content_stems(sentence)
    if not stems:
        return 1.0
    held = set().union(*(content_stems(s) for s in sources))
    return len(stems & held) / len(stems)


def measure(answer: Answer, cover: float) -> dict[str, Any]:
    """One answer's short answer: each sentence with the checks of this module."""
    summary = answer.summary
    question = answer.question_en or answer.question
    shown = summary_json(answer) or {}
    retrieved = {h.paragraph.id for h in answer.hits}
    paragraphs = {q.paragraph.id: q for q in answer.quotes}
    sentences = []
    for sentence in summary.sentences if summary else ():
        cited = [paragraphs[i] for i in sentence.paragraph_ids if i in paragraphs]
        texts = [q.paragraph.text for q in cited]
        documents = [document_names(q) for q in cited]
        share = covered(sentence.english, texts)
        missing = missing_names(sentence.english, [*texts, *documents], question)
        sentences.append(
            {
                "text": sentence.text,
                "english": sentence.english,
                "citations": [q.hit.citation for q in cited],
                "outside_retrieval": [i for i in sentence.paragraph_ids if i not in retrieved],
                "support": round(sentence.support, 3),
                "covered": round(share, 3),
                "missing": list(missing),
                "supported": share >= cover and not missing,
                "cited_text": texts,
            }
        )
    return {
        "removed": summary.removed if summary else 0,
        "notice": shown.get("notice"),
        "sentences": sentences,
        "seconds": answer.timings_ms.get("summarize", 0.0) / 1000,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.summaries", description=__doc__)
    parser.add_argument("testsets", nargs="+", type=Path)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--split", choices=SPLITS, default="heldout")
    parser.add_argument("--limit", type=int, default=None, help="The first N questions only.")
    parser.add_argument(
        "--skip", type=int, default=0, help="Leave out the first N questions (read before)."
    )
    parser.add_argument("--cover", type=float, default=COVER)
    parser.add_argument("--out", type=Path, help="One JSON line per question, to read by hand.")
    args = parser.parse_args(argv)

    items: list[TestItem] = [
        item
        for path in args.testsets
        for item in load_testset(path)
        if item.split == args.split and item.kind == "answerable"
    ][args.skip :][: args.limit]
    assistant = Assistant(Settings(index_dir=args.index_dir)).warm_up()
    out = args.out.open("w", encoding="utf-8") if args.out else None
    rows = []
    for number, item in enumerate(items, start=1):
        answer = assistant.ask(item.question, style="summary")
        if answer.abstained or not answer.quotes:
            continue
        row = {"id": item.id, "question": item.question, **measure(answer, args.cover)}
        rows.append(row)
        if out is not None:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            out.flush()
        kept = len(row["sentences"])
        print(
            f"{number}/{len(items)} {item.id}: {kept} kept, {row['removed']} left out",
            file=sys.stderr,
        )
    if out is not None:
        out.close()
    sentences = [s for r in rows for s in r["sentences"]]
    written = len(sentences) + sum(r["removed"] for r in rows)
    figures = {
        "questions": len(items),
        "answers": len(rows),
        "with a short answer": sum(1 for r in rows if r["sentences"]),
        "sentences written": written,
        "sentences kept": len(sentences),
        "sentences left out": written - len(sentences),
        "kept sentences citing outside retrieval": sum(
            1 for s in sentences if s["outside_retrieval"]
        ),
        "kept sentences supported (lexical check)": sum(1 for s in sentences if s["supported"]),
        "share supported": round(sum(1 for s in sentences if s["supported"]) / len(sentences), 3)
        if sentences
        else None,
        "seconds p50": round(statistics.median(r["seconds"] for r in rows), 1) if rows else None,
        "seconds max": round(max(r["seconds"] for r in rows), 1) if rows else None,
    }
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
