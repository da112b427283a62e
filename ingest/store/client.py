"""Reaching Chroma: a folder on this machine, or a server several machines share.

A server that does not answer is named with the command that starts it. Chroma is given the
project's own embedding model explicitly, so that its default one, which would be
downloaded, can never run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from corpus.errors import IndexUnreachable
from corpus.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from ingest.embedding import Embedder


def connect(settings: Settings) -> ClientAPI:
    """A client of the index the settings name: ``chroma_url`` if set, else ``index_path``."""
    import chromadb

    chroma_settings = chromadb.Settings(anonymized_telemetry=False)
    url = settings.chroma_url
    if not url:
        path = settings.index_path
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    from urllib.parse import urlparse

    parsed = urlparse(url)
    try:
        client = chromadb.HttpClient(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 8000,
            ssl=parsed.scheme == "https",
            settings=chroma_settings,
        )
        client.heartbeat()
    except Exception as exc:
        raise IndexUnreachable(
            f"the Chroma server at {url} does not answer ({type(exc).__name__}); "
            "start it with `chroma run --path DIR --host 127.0.0.1 --port PORT` "
            "or check WSIS_CHROMA_URL"
        ) from exc
    return client


class ModelEmbeddingFunction:
    """Gives Chroma an explicit embedding function, so its default one (which downloads a
    model) can never run, even if a caller forgets to pass embeddings."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: list[str]) -> list[list[float]]:
        return self._embedder.embed_documents(list(input))

    def embed_query(self, input: list[str]) -> list[list[float]]:
        return [self._embedder.embed_query(text) for text in input]

    @staticmethod
    def name() -> str:
        return "wsis-sentence-transformer"

    def is_legacy(self) -> bool:
        return True
