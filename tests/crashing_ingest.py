"""An ingest that kills itself with SIGKILL at a chosen moment, for tests/test_crash.py.

    python tests/crashing_ingest.py CORPUS INDEX_DIR MOMENT N [CHROMA_URL]

MOMENT names the step that is cut off, at its N-th occurrence:
``parsing`` and ``embedding`` (progress reports of those phases), ``adding`` (halfway
through writing the nodes of a group of documents), ``committing`` (just before their register
records switch to the new versions), ``cleaning`` (after the switch, before the old nodes go),
``deleting`` (before a delete of nodes), or ``none`` (no fault: the process is killed from
outside, or finishes).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any


def _die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _after(n: int) -> Any:
    """A counter that is true from its n-th call on."""
    calls = {"n": 0}

    def hit() -> bool:
        calls["n"] += 1
        return calls["n"] >= n

    return hit


def main() -> None:
    corpus, index_dir, moment, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    chroma_url = sys.argv[5] if len(sys.argv) > 5 else None
    from chromadb.api.models.Collection import Collection
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from corpus.settings import Settings
    from ingest.embedding import SentenceTransformerEmbedder
    from ingest.index import PENDING, ParagraphIndex
    from ingest.pipeline import ingest

    hit = _after(n)

    def progress(stage: str, done: int, total: int) -> None:
        print(f"{stage} {done}/{total}", flush=True)
        if stage == moment and done < total and hit():
            _die()

    add, upsert, delete = ChromaVectorStore.add, Collection.upsert, Collection.delete
    finish = ParagraphIndex._finish

    def adding(self: ChromaVectorStore, nodes: list, **kwargs: Any) -> list[str]:
        if moment == "adding" and hit():
            add(self, nodes[: len(nodes) // 2], **kwargs)
            _die()
        return add(self, nodes, **kwargs)

    def committing(self: Collection, ids: Any, *args: Any, **kwargs: Any) -> None:
        if moment == "committing" and not str(ids[0]).startswith(PENDING) and hit():
            _die()
        upsert(self, ids, *args, **kwargs)

    def cleaning(self: ParagraphIndex, doc_ids: list[str]) -> None:
        if moment == "cleaning" and hit():
            _die()
        finish(self, doc_ids)

    def deleting(self: Collection, *args: Any, **kwargs: Any) -> None:
        if moment == "deleting" and hit():
            _die()
        delete(self, *args, **kwargs)

    ChromaVectorStore.add = adding  # type: ignore[method-assign]
    Collection.upsert = committing  # type: ignore[method-assign]
    ParagraphIndex._finish = cleaning  # type: ignore[method-assign]
    Collection.delete = deleting  # type: ignore[method-assign]

    settings = Settings(
        corpus_dirs=[Path(corpus)], index_dir=Path(index_dir), chroma_url=chroma_url
    )
    embedder = SentenceTransformerEmbedder(settings.embedding_model, settings.embed_batch_size)
    report = ingest(settings, ParagraphIndex(settings, embedder), progress=progress)
    print(f"done {report.documents} {report.paragraphs}", flush=True)


if __name__ == "__main__":
    main()
