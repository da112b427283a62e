"""The ways of running the embedding model: each loads offline from the installed package and
gives the PyTorch model's vectors, and each names its index apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.settings import Settings
from ingest.embedding import OnnxEmbedder, SentenceTransformerEmbedder, embedder_for
from ingest.index import embedding_text, is_searchable
from ingest.pipeline import parse_file

QUESTIONS = (
    "Will the Internet Governance Forum become permanent?",
    "What is said about the gender digital divide?",
    "submarine cables",
)


@pytest.fixture(scope="module")
def paragraphs(corpus_dir: Path) -> list[str]:
    """A dozen searchable paragraphs of the WSIS+20 outcome, as ingest embeds them."""
    parsed = parse_file(corpus_dir / "A_RES_80_173.pdf")
    searchable = [p for p in parsed.paragraphs if is_searchable(p)]
    return [embedding_text(parsed.document, p, p.text) for p in searchable[::20][:12]]


@pytest.fixture(scope="module")
def torch_embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(Settings().embedding_model)


@pytest.mark.corpus
@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_onnx_vectors_are_the_torch_models(
    backend: str, paragraphs: list[str], torch_embedder: SentenceTransformerEmbedder
) -> None:
    settings = Settings(embedding_backend=backend)
    embedder = embedder_for(
        settings.embedding_model, settings.embedding_backend, 32, settings.model_cache_dir
    )
    assert isinstance(embedder, OnnxEmbedder)
    got = np.asarray(embedder.embed_documents(paragraphs))
    want = np.asarray(torch_embedder.embed_documents(paragraphs))
    assert got.shape == want.shape
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    cosines = (got * want).sum(axis=1)
    assert cosines.mean() > 0.99
    assert cosines.min() > 0.98
    # Every paragraph is still nearest to itself: neighbourhoods survive the change.
    assert ((got @ want.T).argmax(axis=1) == np.arange(len(paragraphs))).all()
    for question in QUESTIONS:
        assert np.dot(embedder.embed_query(question), torch_embedder.embed_query(question)) > 0.98
    for text in paragraphs:
        assert embedder.count_tokens(text) == torch_embedder.count_tokens(text)
    assert embedder.embed_documents([]) == []


def test_each_backend_names_its_index_and_vectors_apart() -> None:
    names = {b: Settings(embedding_backend=b).index_name for b in ("torch", "onnx", "onnx-int8")}
    assert len(set(names.values())) == 3
    assert names["torch"].startswith("all-minilm-l6-v2-parser")
    assert "onnx-int8" in names["onnx-int8"]
    cache = Path("/nonexistent")
    labels = {b: embedder_for("all-MiniLM-L6-v2", b, 32, cache).name for b in names}
    assert len(set(labels.values())) == 3


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError):
        Settings(embedding_backend="tensorflow")
