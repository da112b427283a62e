"""The bundled model as a teacher: questions written for the corpus's own paragraphs, from
which the reader's fast judge is trained (as InPars, Promptagator and GPL do).

For each paragraph it writes two questions the paragraph answers, in a delegate's own words;
which other paragraphs do not answer them is left to training (the near neighbours BM25
finds). Paragraphs are visited in a fixed order
(stratified over documents, the WSIS texts first), so that any prefix of the output is a
sample of the whole, and every paragraph's line is written as soon as it is done: the run can
be stopped and resumed, and its output is committed as data (``assistant/reader/data``).

    python -m assistant.reader.teacher --index-dir .wsis/dev --limit 1500

Text of the documents goes into the prompt as delimited data, never as instructions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.catalog import Catalog
from assistant.prompts import teacher_chat
from assistant.reader.bundled_model import assemble
from assistant.reader.llama import LlamaModel, LlamaSettings
from corpus.model import Document, Paragraph
from corpus.settings import Settings
from corpus.wording import text_key
from ingest.embedding import make_embedder
from ingest.store import ParagraphIndex

DATA_DIR = Path(__file__).resolve().parent / "data"
QUESTIONS_FILE = DATA_DIR / "questions.jsonl"
#: Longest paragraph text given to the teacher, in characters (the few longer ones are cut).
MAX_PARAGRAPH_CHARS = 1800
_LINE = re.compile(r"^\s*(Q\d)\s*[:.)-]\s*(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Written:
    """What the teacher wrote for one paragraph."""

    paragraph: Paragraph
    document: Document
    questions: tuple[str, ...]
    seconds: float

    def to_dict(self) -> dict[str, object]:
        p = self.paragraph
        return {
            "paragraph_id": p.id,
            "doc_id": p.doc_id,
            "document": self.document.name,
            "label": p.label,
            "part": p.part,
            "questions": list(self.questions),
            "seconds": round(self.seconds, 1),
        }


def parse_questions(reply: str) -> tuple[str, ...]:
    """The questions of the teacher's "Q1: ..." lines."""
    return tuple(text for _, text in _LINE.findall(reply))


def visiting_order(catalog: Catalog, first: Sequence[str] = (), seed: int = 0) -> list[Paragraph]:
    """Searchable paragraphs, one of each text (a draft's copy of its adopted text is left
    out), in an order that takes each document in turn, the documents of ``first`` (doc ids)
    before the others, and a seeded shuffle within each document."""

    def shuffled(items: list[Paragraph]) -> list[Paragraph]:
        return sorted(items, key=lambda p: hashlib.sha1(f"{seed}:{p.id}".encode()).hexdigest())

    seen: set[str] = set()
    by_doc: dict[str, list[Paragraph]] = {}
    for doc_id in sorted(catalog.by_doc):
        for p in catalog.by_doc[doc_id]:
            key = text_key(p.text)
            if p.searchable and key not in seen:
                seen.add(key)
                by_doc.setdefault(doc_id, []).append(p)
    queues = {doc_id: shuffled(items) for doc_id, items in by_doc.items()}
    ordered: list[Paragraph] = []
    for group in ([d for d in queues if d in first], [d for d in queues if d not in first]):
        rounds = max((len(queues[d]) for d in group), default=0)
        for i in range(rounds):
            ordered.extend(queues[d][i] for d in group if i < len(queues[d]))
    return ordered


def write_questions(
    model: LlamaModel, document: Document, paragraph: Paragraph, max_tokens: int = 120
) -> Written:
    """The teacher's questions for one paragraph."""
    started = time.perf_counter()
    reply = model.generate(teacher_chat(paragraph, MAX_PARAGRAPH_CHARS), max_tokens=max_tokens)
    return Written(paragraph, document, parse_questions(reply.text), time.perf_counter() - started)


def done_ids(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    return {json.loads(line)["paragraph_id"] for line in path.read_text().splitlines() if line}


def run(
    catalog: Catalog,
    model: LlamaModel,
    out: Path,
    limit: int,
    first: Sequence[str] = (),
) -> Iterator[Written]:
    """Writes questions for the first ``limit`` paragraphs of the visiting order, skipping
    those ``out`` already has."""
    done = done_ids(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", encoding="utf-8") as sink:
        for paragraph in visiting_order(catalog, first)[:limit]:
            if paragraph.id in done:
                continue
            written = write_questions(model, catalog.documents[paragraph.doc_id], paragraph)
            sink.write(json.dumps(written.to_dict(), ensure_ascii=False) + "\n")
            sink.flush()
            yield written


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-dir", type=Path, help="Index folder (default: the settings').")
    parser.add_argument("--out", type=Path, default=QUESTIONS_FILE)
    parser.add_argument("--limit", type=int, default=1500, help="Paragraphs to visit.")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    settings = Settings(**({"index_dir": args.index_dir} if args.index_dir else {}))
    catalog = Catalog.from_store(ParagraphIndex(settings, make_embedder(settings, serving=True)))
    default_corpus = [d.resolve() for d in Settings().corpus_dirs]
    wsis = {
        d.doc_id
        for d in catalog.documents.values()
        if any(Path(d.path).resolve().is_relative_to(folder) for folder in default_corpus)
    }
    gguf = assemble(settings.model_cache_dir)
    with LlamaModel(gguf, LlamaSettings(n_threads=args.threads, n_ctx=2048)) as model:
        for n, written in enumerate(run(catalog, model, args.out, args.limit, sorted(wsis)), 1):
            print(
                f"{n} {written.document.name} {written.paragraph.label}: "
                f"{len(written.questions)} questions in {written.seconds:.1f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
