"""Shared fixtures: the real documents in ../shared, a blocked network, offline models."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis.database import DirectoryBasedExampleDatabase

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = PROJECT_ROOT.parent / "shared"
CORPUS_DIR = SHARED / "corpus"
DISTRACTORS_DIR = SHARED / "distractors"

# Property-based tests: failing examples are kept under .wsis/ (not committed) and replayed
# first on the next run; the deadline is generous, since it is there to catch inputs that
# make a parser blow up (exponential regular expressions, quadratic joins), not to time
# code on a busy machine.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(PROJECT_ROOT / ".wsis" / "hypothesis"))
hypothesis_settings.register_profile(
    "wsis",
    database=DirectoryBasedExampleDatabase(str(PROJECT_ROOT / ".wsis" / "hypothesis" / "examples")),
    deadline=5000,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.load_profile("wsis")

_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0", ""}
_real_connect = socket.socket.connect
_real_create_connection = socket.create_connection


def _is_local(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        return host in _LOCAL_HOSTS or host.startswith("127.")
    return True  # Unix sockets


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local(address):
        raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_create_connection(address: tuple[str, int], *args: object, **kwargs: object):
    if not _is_local(address):
        raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_create_connection(address, *args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def block_network() -> Iterator[None]:
    """Any connection off this machine fails loudly, so a hidden model download is caught."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.create_connection = _guarded_create_connection  # type: ignore[assignment]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.create_connection = _real_create_connection


def _require(path: Path) -> Path:
    if not path.is_dir():
        pytest.skip(f"{path} is not present; the corpus tests need ../shared beside the project")
    return path


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return _require(CORPUS_DIR)


@pytest.fixture(scope="session")
def distractors_dir() -> Path:
    return _require(DISTRACTORS_DIR)


def load_manifest(folder: Path) -> list[dict]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def manifests(corpus_dir: Path, distractors_dir: Path) -> list[tuple[Path, dict]]:
    """(file path, manifest entry) for all documents in ../shared."""
    return [
        (folder / entry["file"], entry)
        for folder in (corpus_dir, distractors_dir)
        for entry in load_manifest(folder)
    ]


@pytest.fixture(scope="session")
def full_settings(corpus_dir: Path, distractors_dir: Path):
    """Settings for an index of the WSIS corpus with the distractors, kept under .wsis/ so
    that reruns only re-ingest what changed (ingest is incremental)."""
    from corpus.settings import Settings

    return Settings(
        corpus_dirs=[corpus_dir, distractors_dir],
        index_dir=PROJECT_ROOT / ".wsis" / "test-index",
    )


@pytest.fixture(scope="session")
def full_assistant(full_settings):
    """An Assistant over a real Chroma index of all 49 documents, built by real ingestion."""
    from assistant.api import Assistant
    from ingest.embedding import SentenceTransformerEmbedder
    from ingest.pipeline import ingest
    from ingest.store import ParagraphIndex

    embedder = SentenceTransformerEmbedder(full_settings.embedding_model)
    report = ingest(full_settings, ParagraphIndex(full_settings, embedder))
    assert report.documents == 49, report.skipped
    return Assistant(full_settings, embedder=embedder).warm_up()


@pytest.fixture(scope="session")
def build_assistant(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path):
    """Makes an Assistant over a fresh real index of some documents of ../shared/corpus,
    copied into a folder of its own (with the app's uploads folder), for tests that change
    the corpus or serve the app."""

    def build(name: str, files: tuple[str, ...]):
        import shutil

        from assistant.api import Assistant
        from assistant.app.uploads import with_uploads
        from corpus.settings import Settings
        from ingest.embedding import SentenceTransformerEmbedder
        from ingest.pipeline import ingest
        from ingest.store import ParagraphIndex

        root = tmp_path_factory.mktemp(name)
        corpus = root / "corpus"
        corpus.mkdir()
        for file_name in files:
            shutil.copyfile(corpus_dir / file_name, corpus / file_name)
        settings = with_uploads(Settings(corpus_dirs=[corpus], index_dir=root / "index"))
        embedder = SentenceTransformerEmbedder(settings.embedding_model)
        report = ingest(settings, ParagraphIndex(settings, embedder))
        assert report.documents == len(files), report.skipped
        return Assistant(settings, embedder=embedder).warm_up()

    return build
