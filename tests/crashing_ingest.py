"""An ingest cut off by SIGKILL at a chosen moment, for tests/test_crash.py and test_server.py.

    python tests/crashing_ingest.py CORPUS INDEX_DIR MOMENT N [CHROMA_URL] [--outside]
        [--batch-size B]

MOMENT names a step of the ingest, cut off at its N-th occurrence:

- ``parsing``: a progress report while files are parsed (workers busy on the others);
- ``embedding``: a progress report just before a group of documents is embedded;
- ``batch``: just before a batch of pieces goes through the embedding model (``--batch-size``
  pieces each, so that a small corpus has several);
- ``beginning``: just before register records say which writes are pending;
- ``adding``: halfway through writing the nodes of a group of documents;
- ``committing``: just before register records switch documents to their new versions;
- ``cleaning``: after such a switch (or a removal), before the old nodes go;
- ``deleting``: just before a delete of nodes or of register records;
- ``none``: no fault, the ingest finishes.

At that moment the process kills itself, printing ``killed at MOMENT N``; with ``--outside``
it prints ``stopped at MOMENT N`` and stops, for the caller to kill its whole process group
(parse workers and their fork server too), as an operator or a supervisor would.

Every step passed is printed as ``step MOMENT N``, so that a fault-free run lists the moments
there are to cut off. A write to Chroma that is none of these steps is printed as
``step unknown-write N``: a test then knows the moments no longer cover every write.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("index_dir")
    parser.add_argument("moment")
    parser.add_argument("n", type=int)
    parser.add_argument("chroma_url", nargs="?", default="")
    parser.add_argument("--outside", action="store_true")
    parser.add_argument("--batch-size", type=int, help="pieces per batch through the model")
    args = parser.parse_args()

    from chromadb.api.models.Collection import Collection
    from llama_index.vector_stores.chroma import ChromaVectorStore
    from sentence_transformers import SentenceTransformer

    from corpus.settings import Settings
    from ingest.embedding import SentenceTransformerEmbedder
    from ingest.pipeline import ingest
    from ingest.store import ParagraphIndex
    from ingest.store.chroma import PENDING

    passed: Counter[str] = Counter()

    def reached(step: str) -> bool:
        """Count a step; whether it is the one to cut off."""
        passed[step] += 1
        print(f"step {step} {passed[step]}", flush=True)
        return step == args.moment and passed[step] == args.n

    def cut() -> None:
        if args.outside:
            print(f"stopped at {args.moment} {args.n}", flush=True)
            os.kill(os.getpid(), signal.SIGSTOP)
        else:
            print(f"killed at {args.moment} {args.n}", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    def progress(stage: str, done: int, total: int) -> None:
        if done < total and reached(stage):
            cut()

    forward = SentenceTransformer.forward
    store_add, add = ChromaVectorStore.add, Collection.add
    upsert, update, delete = Collection.upsert, Collection.update, Collection.delete
    finish = ParagraphIndex._finish
    in_store_add = False

    def batch(self: SentenceTransformer, *a: Any, **kw: Any) -> Any:
        if reached("batch"):
            cut()
        return forward(self, *a, **kw)

    def adding(self: ChromaVectorStore, nodes: list, **kwargs: Any) -> list[str]:
        nonlocal in_store_add
        in_store_add = True
        try:
            if reached("adding"):
                store_add(self, nodes[: len(nodes) // 2], **kwargs)
                cut()
            return store_add(self, nodes, **kwargs)
        finally:
            in_store_add = False

    def collection_add(self: Collection, *a: Any, **kw: Any) -> None:
        if not in_store_add and reached("unknown-write"):
            cut()
        add(self, *a, **kw)

    def beginning_or_committing(self: Collection, ids: Any, *a: Any, **kw: Any) -> None:
        if reached("beginning" if str(ids[0]).startswith(PENDING) else "committing"):
            cut()
        upsert(self, ids, *a, **kw)

    def updating(self: Collection, *a: Any, **kw: Any) -> None:
        if reached("unknown-write"):
            cut()
        update(self, *a, **kw)

    def cleaning(self: ParagraphIndex, doc_ids: list[str]) -> None:
        if reached("cleaning"):
            cut()
        finish(self, doc_ids)

    def deleting(self: Collection, *a: Any, **kw: Any) -> None:
        if reached("deleting"):
            cut()
        delete(self, *a, **kw)

    SentenceTransformer.forward = batch  # type: ignore[method-assign]
    ChromaVectorStore.add = adding  # type: ignore[method-assign]
    Collection.add = collection_add  # type: ignore[method-assign]
    Collection.upsert = beginning_or_committing  # type: ignore[method-assign]
    Collection.update = updating  # type: ignore[method-assign]
    ParagraphIndex._finish = cleaning  # type: ignore[method-assign]
    Collection.delete = deleting  # type: ignore[method-assign]

    settings = Settings(
        corpus_dirs=[Path(args.corpus)],
        index_dir=Path(args.index_dir),
        chroma_url=args.chroma_url or None,
    )
    batch_size = args.batch_size or settings.embed_batch_size
    embedder = SentenceTransformerEmbedder(settings.embedding_model, batch_size)
    report = ingest(settings, ParagraphIndex(settings, embedder), progress=progress)
    print(f"done {report.documents} {report.paragraphs}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
