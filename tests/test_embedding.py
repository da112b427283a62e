"""The ways of running the embedding model: each loads offline from the installed package and
gives the PyTorch model's vectors, and each names its index apart."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from corpus.settings import Settings
from ingest.embedding import (
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    embedder_for,
    make_embedder,
)
from ingest.pipeline import parse_file
from ingest.store.pieces import embedding_text

QUESTIONS = (
    "Will the Internet Governance Forum become permanent?",
    "What is said about the gender digital divide?",
    "submarine cables",
)


@pytest.fixture(scope="module")
def paragraphs(corpus_dir: Path) -> list[str]:
    """A dozen searchable paragraphs of the WSIS+20 outcome, as ingest embeds them."""
    parsed = parse_file(corpus_dir / "A_RES_80_173.pdf")
    searchable = [p for p in parsed.paragraphs if p.searchable]
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


@pytest.mark.corpus
def test_a_pytorch_index_is_served_by_its_float32_export(
    paragraphs: list[str], torch_embedder: SentenceTransformerEmbedder
) -> None:
    """Questions and uploads are embedded by the float32 ONNX export, which gives the
    PyTorch vectors the index was built with, so it searches the same index."""
    serving = make_embedder(Settings(), serving=True)
    assert isinstance(serving, OnnxEmbedder) and not serving.quantized
    assert serving.name == torch_embedder.name
    got = np.asarray(serving.embed_documents(paragraphs))
    assert np.allclose(got, torch_embedder.embed_documents(paragraphs), atol=1e-5)
    for question in QUESTIONS:
        assert np.allclose(
            serving.embed_query(question), torch_embedder.embed_query(question), atol=1e-5
        )
    torch_serving = make_embedder(Settings(serving_backend="torch"), serving=True)
    assert isinstance(torch_serving, SentenceTransformerEmbedder)
    int8 = make_embedder(Settings(embedding_backend="onnx-int8"), serving=True)
    assert isinstance(int8, OnnxEmbedder) and int8.quantized
    assert isinstance(make_embedder(Settings()), SentenceTransformerEmbedder)


@pytest.mark.corpus
def test_a_question_is_answered_without_loading_pytorch(full_assistant, full_settings) -> None:
    """A new process answers from the PyTorch-built index with the export alone, and cites
    what the PyTorch model would."""
    question = "What did the WSIS+20 outcome decide about the Internet Governance Forum?"
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from assistant.api import Assistant\n"
        "from corpus.settings import Settings\n"
        f"settings = Settings(index_dir=Path({str(full_settings.index_dir)!r}))\n"
        "answer = Assistant(settings)"
        f".ask({question!r})\n"
        "print(json.dumps([[h.citation for h in answer.citations], 'torch' in sys.modules,"
        " 'sentence_transformers' in sys.modules]))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    citations, torch_loaded, st_loaded = json.loads(run.stdout.strip().splitlines()[-1])
    assert (torch_loaded, st_loaded) == (False, False)
    assert citations == [h.citation for h in full_assistant.ask(question).citations]


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
