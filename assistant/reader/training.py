"""Building the reader's fast judge: a cross-encoder trained on the teacher's questions.

The questions the bundled model wrote for the corpus's own paragraphs
(``assistant/reader/data/questions.jsonl``, see :mod:`assistant.reader.teacher`) are the data;
the weights are built from them on the machine, once, and cached under a name derived from
everything that shapes them (data, documents, base model, parameters): nothing is committed
but text. Pairs:

- each question the teacher wrote for a paragraph, with that paragraph: it answers;
- the same question with the paragraphs BM25 ranks highest among the others: they do not,
  unless they hold nearly the same text (a draft and its adopted text, the same paragraph in
  a resolution of another year), which are left out rather than taught as wrong;

The cross-encoder starts from the weights of all-MiniLM-L6-v2 (the embedder already shipped)
with a new one-output head, and learns with binary cross-entropy for one epoch
(sentence-transformers' CrossEncoderTrainer).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.catalog import Catalog
from assistant.reader.teacher import QUESTIONS_FILE
from assistant.retrieval.lexical import LexicalIndex
from corpus.model import Paragraph
from corpus.settings import PARSER_VERSION
from corpus.wording import words
from ingest.pipeline import assign_doc_ids, corpus_files, parse_many
from ingest.readers import ParseLimits

#: Words that make a question lean on its source ("the paragraph says") instead of asking.
_LEANING = re.compile(
    r"\b(paragraph|the text|this text|the passage|the document|the section|this section)\b", re.I
)


@dataclass(frozen=True, slots=True)
class TrainingParameters:
    """What shapes the cross-encoder besides its data; part of its cache key."""

    negatives_per_question: int = 3
    #: A negative sharing this much of the positive's words is a copy, not a negative.
    max_copy_overlap: float = 0.7
    max_length: int = 192
    epochs: int = 1
    batch_size: int = 16
    learning_rate: float = 5e-5
    warmup_ratio: float = 0.1
    seed: int = 0


@dataclass(frozen=True, slots=True)
class Pair:
    question: str
    paragraph: Paragraph
    label: float


def usable(question: str) -> bool:
    """A question worth training on: a real question of sensible length that does not lean
    on "the paragraph"."""
    n = len(question.split())
    return 5 <= n <= 45 and question.rstrip().endswith("?") and not _LEANING.search(question)


def overlap(a: str, b: str) -> float:
    """Share of the shorter text's distinct words that the other holds."""
    first, second = set(words(a)), set(words(b))
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def read_questions(path: Path = QUESTIONS_FILE) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def training_catalog(folders: Sequence[Path], workers: int = 2) -> Catalog:
    """The paragraphs of every document in the folders, parsed as ingestion parses them."""
    files, _ = corpus_files(folders)
    jobs = [(path, doc_id) for doc_id, path in assign_doc_ids(files).items()]
    parsed = [r for r in parse_many(jobs, ParseLimits(), workers) if not isinstance(r, Exception)]
    documents = {p.document.doc_id: p.document for p in parsed}
    return Catalog.from_paragraphs(documents, (q for p in parsed for q in p.paragraphs))


def written_for(records: Iterable[dict], catalog: Catalog) -> Iterator[tuple[str, Paragraph]]:
    """Each usable question with the paragraph it was written for, found by id or, for a
    paragraph whose text changed since, by document, part and label; records whose paragraph
    the catalogue lacks are passed over."""
    by_key = {(p.doc_id, p.part, p.label): p for p in catalog.paragraphs.values()}
    for record in records:
        source = catalog.paragraphs.get(record["paragraph_id"]) or by_key.get(
            (record["doc_id"], record["part"], record["label"])
        )
        if source is not None:
            yield from ((question, source) for question in filter(usable, record["questions"]))


def make_pairs(
    records: Iterable[dict], catalog: Catalog, parameters: TrainingParameters
) -> list[Pair]:
    """The training pairs (see the module docstring)."""
    lexical = LexicalIndex(catalog)
    pairs: list[Pair] = []
    for question, source in written_for(records, catalog):
        pairs.append(Pair(question, source, 1.0))
        pairs += [
            Pair(question, other, 0.0) for other in negatives(question, source, lexical, parameters)
        ]
    return pairs


def negatives(
    question: str, source: Paragraph, lexical: LexicalIndex, parameters: TrainingParameters
) -> list[Paragraph]:
    """The paragraphs BM25 ranks highest for the question besides its source, near copies of
    the source or of each other passed over."""
    scores, _ = lexical.scores(lexical.tokens(question))
    found: list[Paragraph] = []
    for row in scores.argsort()[::-1][:40]:
        other = lexical.paragraphs[int(row)]
        if other.id == source.id or any(
            overlap(other.text, seen.text) >= parameters.max_copy_overlap
            for seen in (source, *found)
        ):
            continue
        found.append(other)
        if len(found) == parameters.negatives_per_question:
            break
    return found


def cache_key(
    questions: Path, folders: Sequence[Path], base_model: Path, parameters: TrainingParameters
) -> str:
    """Names the built model after everything that shapes it: the teacher's questions, the
    training documents' files, the parser, the base model and the parameters. Cheap to
    compute, so that a serving process finds the model without parsing anything."""
    digest = hashlib.sha256()
    digest.update(questions.read_bytes())
    files, _ = corpus_files(folders)
    for doc_id, path in sorted(assign_doc_ids(files).items()):
        digest.update(f"{doc_id}|".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(f"parser{PARSER_VERSION}|{base_model.name}|".encode())
    digest.update(json.dumps(asdict(parameters), sort_keys=True).encode())
    return digest.hexdigest()[:16]


def train(
    pairs: Sequence[Pair], base_model: Path, out: Path, parameters: TrainingParameters
) -> Path:
    """Fine-tunes a cross-encoder on the pairs and saves it to ``out``."""
    from datasets import Dataset
    from sentence_transformers.cross_encoder import (
        CrossEncoder,
        CrossEncoderTrainer,
        CrossEncoderTrainingArguments,
    )
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    rows = [
        {"question": p.question, "paragraph": p.paragraph.text, "label": p.label} for p in pairs
    ]
    random.Random(parameters.seed).shuffle(rows)
    model = CrossEncoder(str(base_model), num_labels=1, max_length=parameters.max_length)
    arguments = CrossEncoderTrainingArguments(
        output_dir=str(out.parent / "trainer"),
        num_train_epochs=parameters.epochs,
        per_device_train_batch_size=parameters.batch_size,
        learning_rate=parameters.learning_rate,
        warmup_ratio=parameters.warmup_ratio,
        seed=parameters.seed,
        save_strategy="no",
        logging_steps=50,
        report_to="none",
        disable_tqdm=True,
        use_cpu=True,
    )
    trainer = CrossEncoderTrainer(
        model=model,
        args=arguments,
        train_dataset=Dataset.from_list(rows),
        loss=BinaryCrossEntropyLoss(model),
    )
    trainer.train()
    model.save_pretrained(str(out))
    return out
