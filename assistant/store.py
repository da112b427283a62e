"""What answering reads from an index of paragraphs, as an interface.

The Chroma index of :mod:`ingest.store` is the implementation the product runs on; tests
of retrieval and answering use a small in-memory one (``tests/fakes.py``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Protocol

from corpus.model import Document, Paragraph


class ParagraphStore(Protocol):
    def live_documents(self) -> dict[str, Document]:
        """The documents whose current version is in the store, by doc id."""
        ...

    def live_paragraphs(self, documents: Mapping[str, Document]) -> list[Paragraph]:
        """Every paragraph of these documents, whole (pieces joined back), in no set order."""
        ...

    def nearest(
        self, vector: Sequence[float], k: int, doc_ids: Collection[str] | None = None
    ) -> list[tuple[str, float]]:
        """(paragraph id, cosine similarity) of the ``k`` embedded pieces nearest the
        vector, of the given documents only when ``doc_ids`` is not None; a paragraph cut
        into pieces may come more than once."""
        ...

    def piece_vectors(self, doc_ids: Sequence[str]) -> dict[str, list[tuple[str, list[float]]]]:
        """For each document, (paragraph id, vector) of each embedded piece of its searchable
        paragraphs."""
        ...

    def reopen(self) -> None:
        """Forget cached handles, so that the next read sees what other processes wrote."""
        ...
