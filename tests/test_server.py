"""Server mode: a real Chroma server (`chroma run` from the installed package) on a free port
of 127.0.0.1, used by ingest, ask and the app through ``--chroma-url``, and stopped by its
process id. Two app processes sharing the server see each other's uploads; concurrent
ingests are refused with a message naming the holder; a killed ingest is completed by the
next one."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.api import Assistant
from assistant.cli import main
from corpus.errors import IndexBusy, IndexUnreachable
from corpus.settings import Settings
from eval.bench.app import free_port, wait_until_up
from ingest.embedding import SentenceTransformerEmbedder
from ingest.pipeline import ingest
from ingest.store import ParagraphIndex

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

PROJECT = Path(__file__).resolve().parents[1]
FILES = ("A_RES_79_277.pdf", "A_RES_78_311.pdf")
GDC_QUESTION = "What did resolution 79/277 decide about the Global Digital Compact?"


def stop(process: subprocess.Popen) -> None:
    """Stop a server by its process id: SIGTERM, then SIGKILL if it lingers."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    data = tmp_path_factory.mktemp("chroma-server")
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/api/v2/heartbeat", 120, server)
        yield url
    finally:
        stop(server)
    assert server.returncode is not None


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("server-corpus")
    for name in FILES:
        (folder / name).symlink_to(corpus_dir / name)
    return folder


@pytest.fixture(scope="module")
def embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(Settings().embedding_model)


@pytest.fixture(scope="module")
def settings(chroma_url: str, corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    local = tmp_path_factory.mktemp("server-local")
    return Settings(corpus_dirs=[corpus], index_dir=local / "index", chroma_url=chroma_url)


@pytest.fixture(scope="module")
def ingested(settings: Settings, corpus: Path, chroma_url: str) -> Settings:
    """The first ingest, through the command line, as a team member would run it."""
    result = CliRunner().invoke(
        main,
        ["ingest", "--corpus", str(corpus), "--chroma-url", chroma_url, "--quiet"],
        env={"WSIS_INDEX_DIR": str(settings.index_dir)},
    )
    assert result.exit_code == 0, result.output
    assert f"Index {chroma_url}: 2 documents" in result.output
    return settings


def test_ingest_and_ask_through_the_server(ingested: Settings, chroma_url: str) -> None:
    assert not ingested.index_path.exists(), "server mode must not write a local index"
    result = CliRunner().invoke(main, ["ask", GDC_QUESTION, "--json", "--chroma-url", chroma_url])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["abstained"] is False
    assert answer["citations"][0]["symbol"] == "A/RES/79/277"
    assert {h["symbol"] for h in answer["hits"]} <= {"A/RES/79/277", "A/RES/78/311"}


def test_a_second_ingest_finds_nothing_to_do(
    ingested: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    report = ingest(ingested, ParagraphIndex(ingested, embedder))
    assert (report.unchanged, report.embedded, report.documents) == (2, 0, 2)


def test_concurrent_ingest_is_refused_and_a_dead_holder_is_taken_over(
    ingested: Settings, embedder: SentenceTransformerEmbedder, corpus: Path, chroma_url: str
) -> None:
    holder = ParagraphIndex(ingested, embedder)
    with holder.writing():
        with pytest.raises(IndexBusy, match=f"process {os.getpid()} on {socket.gethostname()}"):
            ingest(ingested, ParagraphIndex(ingested, embedder))
        result = CliRunner().invoke(
            main, ["ingest", "--corpus", str(corpus), "--chroma-url", chroma_url, "--quiet"]
        )
        assert result.exit_code == 3
        assert "another ingest is writing" in result.stderr
    # a lock left by a process of this machine that has ended is taken over
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    holder.client.create_collection(
        holder.lock_name,
        metadata={"host": socket.gethostname(), "pid": int(ended.stdout), "since": time.time()},
        embedding_function=None,
    )
    assert ingest(ingested, ParagraphIndex(ingested, embedder)).ok
    # one held on another machine is not, until --break-lock
    holder.client.create_collection(
        holder.lock_name,
        metadata={"host": "elsewhere.example", "pid": 1, "since": time.time()},
        embedding_function=None,
    )
    with pytest.raises(IndexBusy, match=r"elsewhere\.example"):
        ingest(ingested, ParagraphIndex(ingested, embedder))
    result = CliRunner().invoke(
        main,
        ["ingest", "--corpus", str(corpus), "--chroma-url", chroma_url, "--quiet", "--break-lock"],
    )
    assert result.exit_code == 0, result.output


def test_killed_ingest_on_the_server_is_completed(
    ingested: Settings, embedder: SentenceTransformerEmbedder, tmp_path: Path, corpus_dir: Path
) -> None:
    """Cut off after one new document was written, before it went live."""
    folder = tmp_path / "corpus"
    shutil.copytree(ingested.corpus_dirs[0], folder, symlinks=True)
    (folder / "A_RES_78_132.pdf").symlink_to(corpus_dir / "A_RES_78_132.pdf")
    child = subprocess.run(
        [
            sys.executable,
            str(PROJECT / "tests" / "crashing_ingest.py"),
            str(folder),
            str(ingested.index_dir),
            "committing",
            "1",
            ingested.chroma_url or "",
        ],
        env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(PROJECT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr
    changed = ingested.model_copy(update={"corpus_dirs": [folder]})
    assistant = Assistant(changed, embedder=embedder)
    assert sorted(assistant.catalog.documents) == ["A_RES_78_311", "A_RES_79_277"]
    assert assistant.search(GDC_QUESTION, k=1)[0].document.symbol == "A/RES/79/277"
    report = ingest(changed, ParagraphIndex(changed, embedder))
    assert report.added == ["A_RES_78_132"] and report.documents == 3
    index = ParagraphIndex(changed, embedder)
    live = index.indexed_documents()
    assert all(live[m["doc_id"]] == m["sha256"] for _, m, _ in index.iter_nodes(False))
    # back to the module's corpus for the tests that follow
    assert ingest(ingested, ParagraphIndex(ingested, embedder)).removed == ["A_RES_78_132"]


def test_an_unreachable_server_is_named(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    settings = Settings(index_dir=tmp_path / "index", chroma_url=url)
    with pytest.raises(IndexUnreachable, match=f"the Chroma server at {url} does not answer"):
        ParagraphIndex(settings, SentenceTransformerEmbedder(settings.embedding_model)).exists()
    result = CliRunner().invoke(main, ["ask", "the digital divide", "--chroma-url", url])
    assert result.exit_code == 3
    assert "chroma run" in result.stderr


@pytest.fixture
def two_apps(ingested: Settings, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two app processes on the one server, each with its own uploads folder."""
    apps: list[subprocess.Popen] = []
    urls = []
    try:
        for name in ("first", "second"):
            port = free_port()
            env = {
                **os.environ,
                "HF_HUB_OFFLINE": "1",
                "WSIS_REFRESH_SECONDS": "0",
                "WSIS_CORPUS_DIRS": str(ingested.corpus_dirs[0]),
                "WSIS_UPLOADS_DIR": str(tmp_path / name / "uploads"),
            }
            apps.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        str(PROJECT / "app.py"),
                        "--port",
                        str(port),
                        "--chroma-url",
                        ingested.chroma_url or "",
                        "--index-dir",
                        str(tmp_path / name / "index"),
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for url, app in zip(urls, apps, strict=True):
            wait_until_up(f"{url}/gradio_api/info", 180, app)
        yield urls[0], urls[1]
    finally:
        for app in apps:
            stop(app)


def test_two_apps_on_one_server_see_each_others_uploads(
    two_apps: tuple[str, str], tmp_path: Path, ingested: Settings, embedder
) -> None:
    from gradio_client import Client, handle_file

    index = ParagraphIndex(ingested, embedder)
    assert sorted(index.indexed_documents()) == ["A_RES_78_311", "A_RES_79_277"]
    first, second = (Client(u, verbose=False, analytics_enabled=False) for u in two_apps)
    source = tmp_path / "tallinn_minutes.md"
    source.write_text(
        "# Minutes of the Tallinn working group on lighthouse data\n\n"
        "1. The working group agreed to publish lighthouse beam measurements every quarter.\n",
        encoding="utf-8",
    )
    status, *_ = first.predict(handle_file(str(source)), api_name="/upload")
    assert "Added" in status
    question = "How often will the lighthouse beam measurements be published?"
    _, text, _, data, *_ = second.predict(question, [], [], api_name="/ask")
    assert "every quarter" in text
    assert data["citations"][0]["doc_id"] == "tallinn_minutes"
    table, *_ = second.predict(api_name="/documents")
    assert len(table["data"]) == len(FILES) + 1
    # leave the server as the module found it
    with index.writing():
        index.remove_document("tallinn_minutes")
