"""Adapt the embedder to the corpus with the teacher's questions, as GPL and InPars do:
``python -m eval.adapt_embedder OUT [--epochs N]``.

Each question the bundled model wrote for a paragraph (``assistant/reader/data/questions.jsonl``,
the relevance model's data) is a training triple with the paragraph it was written from and
the paragraph BM25 ranks highest among the others (a hard negative; a near copy of the source,
such as a draft's adopted text, is passed over). all-MiniLM-L6-v2 is fine-tuned on the triples
with sentence-transformers' MultipleNegativesRankingLoss (the other paragraphs of a batch are
negatives too), the paragraphs embedded as ingestion embeds them (symbol, title and section
before the text), and saved to OUT: a sentence-transformers folder that
``WSIS_EMBEDDING_MODEL=OUT`` indexes and searches with, in an index of its own. Measure it
with ``wsis ingest`` and ``wsis eval --baselines`` on that index (README, "The reader").
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from assistant.catalog import Catalog
from assistant.reader.training import (
    TrainingParameters,
    negatives,
    read_questions,
    training_catalog,
    written_for,
)
from assistant.retrieval.lexical import LexicalIndex
from corpus.model import Paragraph
from ingest.embedding import model_path
from ingest.store.pieces import embedding_text

BATCH_SIZE = 32


def triples(records: list[dict], catalog: Catalog) -> list[dict[str, str]]:
    """(question, its paragraph, BM25's nearest other paragraph), embedded text each."""
    lexical = LexicalIndex(catalog)
    parameters = TrainingParameters(negatives_per_question=1)

    def text(paragraph: Paragraph) -> str:
        return embedding_text(catalog.documents[paragraph.doc_id], paragraph, paragraph.text)

    rows = [
        {"anchor": question, "positive": text(source), "negative": text(other)}
        for question, source in written_for(records, catalog)
        for other in negatives(question, source, lexical, parameters)
    ]
    random.Random(parameters.seed).shuffle(rows)
    return rows


def adapt(rows: list[dict[str, str]], out: Path, epochs: int, learning_rate: float) -> None:
    from datasets import Dataset
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from sentence_transformers.training_args import BatchSamplers

    model = SentenceTransformer(str(model_path("all-MiniLM-L6-v2")), device="cpu")
    arguments = SentenceTransformerTrainingArguments(
        output_dir=str(out.parent / f"{out.name}-trainer"),
        max_steps=epochs * (len(rows) // BATCH_SIZE),
        per_device_train_batch_size=BATCH_SIZE,
        learning_rate=learning_rate,
        warmup_steps=0.1,
        seed=0,
        save_strategy="no",
        logging_steps=10,
        report_to="none",
        disable_tqdm=True,
        use_cpu=True,
        # two questions of one paragraph in a batch would each count the other's as wrong
        batch_sampler=BatchSamplers.NO_DUPLICATES,
    )
    trainer = SentenceTransformerTrainer(
        model=model,
        args=arguments,
        train_dataset=Dataset.from_list(rows),
        loss=MultipleNegativesRankingLoss(model),
    )
    trainer.train()
    model.save(str(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="Folder to save the adapted model in.")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--learning-rate", type=float, default=2e-5)
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        default=None,
        help="Folders of the documents the questions were written for (default: ../shared's).",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    folders = args.corpus or [Path("../shared/corpus"), Path("../shared/distractors")]
    rows = triples(read_questions(), training_catalog(folders))
    print(f"{len(rows)} triples in {time.perf_counter() - started:.0f} s", flush=True)
    adapt(rows, args.out, args.epochs, args.learning_rate)
    print(f"saved {args.out} after {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
