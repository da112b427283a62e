"""Fetching the default corpus by symbol, against a local stand-in for the UN document server.

The server is real HTTP on 127.0.0.1 and serves the real PDFs from ../shared, so the bytes
that arrive can be checked against the manifests' sha256.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from assistant.cli.corpus import corpus_group
from corpus.model import DocumentKind
from ingest.fetch import (
    DEFAULT_ODS_URL,
    CorpusEntry,
    FetchReport,
    default_documents,
    fetch,
    file_name_for,
    not_a_pdf_reason,
    ods_url,
    parse_documents,
)

pytestmark = pytest.mark.corpus

#: Answered with an HTML page and status 200, as ODS does for a symbol it cannot serve.
HTML_SYMBOL = "A/80/L.999"
#: Answered only after the client has given up.
SLOW_SYMBOL = "A/80/SLOW"
UNKNOWN_SYMBOL = "A/RES/99/999"
#: Two documents of the default list and one distractor (saved under a symbol-derived name).
THREE = ["A/RES/80/173", "A/C.2/80/L.17", "A/RES/80/2"]

HTML_PAGE = b"<!DOCTYPE html><html><body><h1>Document not found</h1></body></html>"


class _FakeODS(ThreadingHTTPServer):
    pdfs: dict[str, Path]
    user_agents: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _FakeODS

    def do_GET(self) -> None:
        self.server.user_agents.append(self.headers.get("User-Agent", ""))
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if (
            url.path != "/api/symbol/access"
            or query.get("l") != ["en"]
            or query.get("t") != ["pdf"]
        ):
            self._send(400, b"bad request", "text/plain")
            return
        symbol = query.get("s", [""])[0]
        if symbol == HTML_SYMBOL:
            self._send(200, HTML_PAGE, "text/html; charset=utf-8")
        elif symbol == SLOW_SYMBOL:
            time.sleep(1.5)
            self._send(200, b"%PDF-1.4 too late", "application/pdf")
        elif symbol in self.server.pdfs:
            self._send(200, self.server.pdfs[symbol].read_bytes(), "application/pdf")
        else:
            self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy set in the environment must not intercept requests to the local server."""
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")


@pytest.fixture(scope="module")
def sha_by_symbol(manifests: list[tuple[Path, dict]]) -> dict[str, str]:
    return {entry["symbol"]: entry["sha256"] for _, entry in manifests if entry["symbol"]}


@pytest.fixture(scope="module")
def ods(manifests: list[tuple[Path, dict]]) -> Iterator[_FakeODS]:
    server = _FakeODS(("127.0.0.1", 0), _Handler)
    server.pdfs = {entry["symbol"]: path for path, entry in manifests if entry["symbol"]}
    server.user_agents = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def base_url(ods: _FakeODS) -> str:
    port = ods.server_address[1]
    return f"http://127.0.0.1:{port}/api/symbol/access?s={{symbol}}&l=en&t=pdf"


def load_manifest(folder: Path) -> list[dict]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _status(report: FetchReport) -> dict[str, str]:
    return {r.symbol: r.status for r in report.results}


# --- the default list ---------------------------------------------------------------------


def test_every_manifest_symbol_is_in_the_default_list(corpus_dir: Path) -> None:
    listed = {e.symbol: e for e in default_documents() if e.symbol}
    for entry in load_manifest(corpus_dir):
        if entry["symbol"]:
            assert entry["symbol"] in listed
            assert listed[entry["symbol"]].file == entry["file"]
            assert listed[entry["symbol"]].kind == entry["kind"]


def test_default_list_mirrors_the_manifest_and_explains_documents_without_symbol(
    corpus_dir: Path,
) -> None:
    manifest = {e["file"]: e for e in load_manifest(corpus_dir)}
    documents = default_documents()
    assert {d.file for d in documents} == set(manifest)
    for document in documents:
        assert document.title == manifest[document.file]["title"]
        assert document.symbol == manifest[document.file]["symbol"]
    without_symbol = [d for d in documents if d.symbol is None]
    assert {d.file for d in without_symbol} == {
        "CIS_inputs_to_WGEC_2016.md",
        "ITU_input_WSIS20_zero_draft.md",
        "UNCTAD_TIR_2025_Overview.en.pdf",
    }
    for document in without_symbol:
        assert "not in the un official document system" in (document.note or "").lower()


def test_an_entry_without_symbol_or_note_is_rejected() -> None:
    with pytest.raises(ValueError, match="no symbol and no note"):
        parse_documents('[[document]]\nfile = "x.pdf"\ntitle = "X"\nkind = "report"\n')


# --- pure helpers -------------------------------------------------------------------------


def test_ods_url_percent_encodes_the_symbol() -> None:
    assert ods_url("A/80/62-E/2025/12") == (
        "https://documents.un.org/api/symbol/access?s=A%2F80%2F62-E%2F2025%2F12&l=en&t=pdf"
    )
    assert ods_url("A/C.2/80/L.17", "http://h/?s={symbol}") == "http://h/?s=A%2FC.2%2F80%2FL.17"
    assert DEFAULT_ODS_URL.startswith("https://documents.un.org/")


def test_file_name_is_the_listed_name_else_derived_from_the_symbol() -> None:
    entries = [
        CorpusEntry(file="A_80_62.en.pdf", title="t", kind=DocumentKind.REPORT, symbol="A/80/62")
    ]
    assert file_name_for("A/80/62", entries) == "A_80_62.en.pdf"
    assert file_name_for("a/80/62", entries) == "A_80_62.en.pdf"
    assert file_name_for("A/RES/80/2", entries) == "A_RES_80_2.pdf"
    assert "/" not in file_name_for("../../etc/passwd", entries)


def test_not_a_pdf_reason_tells_html_from_pdf() -> None:
    assert not_a_pdf_reason(b"%PDF-1.7\n...") is None
    assert not_a_pdf_reason(b"\n  <!DOCTYPE html><html>") == (
        "server returned an HTML page, not a PDF: check the symbol"
    )
    assert "empty" in (not_a_pdf_reason(b"") or "")
    assert "not a PDF" in (not_a_pdf_reason(b"PK\x03\x04") or "")


# --- downloading --------------------------------------------------------------------------


def test_fetched_files_match_the_manifest_sha256(
    tmp_path: Path, base_url: str, ods: _FakeODS, sha_by_symbol: dict[str, str]
) -> None:
    report = fetch(THREE, tmp_path, base_url=base_url)

    assert report.ok and report.fetched == THREE
    names = {r.symbol: r.path.name for r in report.results if r.path}
    assert names == {
        "A/RES/80/173": "A_RES_80_173.pdf",
        "A/C.2/80/L.17": "A_C.2_80_L.17.pdf",
        "A/RES/80/2": "A_RES_80_2.pdf",
    }
    for symbol in THREE:
        assert _sha256(tmp_path / names[symbol]) == sha_by_symbol[symbol]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names.values())
    assert all(ua.startswith("wsis-assistant/") for ua in ods.user_agents)


def test_a_second_run_reports_present_and_does_not_rewrite(tmp_path: Path, base_url: str) -> None:
    fetch(THREE, tmp_path, base_url=base_url)
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in tmp_path.iterdir()}

    again = fetch(THREE, tmp_path, base_url=base_url)

    assert again.present == THREE and not again.fetched and again.ok
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    assert after == before


def test_a_changed_file_is_replaced(
    tmp_path: Path, base_url: str, sha_by_symbol: dict[str, str]
) -> None:
    stale = tmp_path / "A_RES_80_173.pdf"
    stale.write_bytes(b"%PDF-1.4 an older issue")

    report = fetch(["A/RES/80/173"], tmp_path, base_url=base_url)

    assert report.fetched == ["A/RES/80/173"]
    assert _sha256(stale) == sha_by_symbol["A/RES/80/173"]


def test_an_unknown_symbol_fails_and_the_others_still_arrive(
    tmp_path: Path, base_url: str, sha_by_symbol: dict[str, str]
) -> None:
    report = fetch(["A/RES/80/173", UNKNOWN_SYMBOL, "A/RES/79/277"], tmp_path, base_url=base_url)

    assert _status(report) == {
        "A/RES/80/173": "fetched",
        UNKNOWN_SYMBOL: "failed",
        "A/RES/79/277": "fetched",
    }
    [(symbol, reason)] = report.failed
    assert symbol == UNKNOWN_SYMBOL and "404" in reason and "check the symbol" in reason
    assert _sha256(tmp_path / "A_RES_79_277.pdf") == sha_by_symbol["A/RES/79/277"]
    assert not report.ok


def test_an_html_page_fails_and_leaves_no_partial_file(tmp_path: Path, base_url: str) -> None:
    dest = tmp_path / "corpus"

    report = fetch([HTML_SYMBOL, "A/RES/79/277"], dest, base_url=base_url)

    assert report.failed == [
        (HTML_SYMBOL, "server returned an HTML page, not a PDF: check the symbol")
    ]
    assert [p.name for p in dest.iterdir()] == ["A_RES_79_277.pdf"]


def test_an_html_page_never_replaces_a_good_file(tmp_path: Path, base_url: str) -> None:
    good = tmp_path / "A_80_L.999.pdf"
    good.write_bytes(b"%PDF-1.4 a good copy")

    report = fetch([HTML_SYMBOL], tmp_path, base_url=base_url)

    assert not report.ok
    assert good.read_bytes() == b"%PDF-1.4 a good copy"
    assert [p.name for p in tmp_path.iterdir()] == [good.name]


def test_a_timeout_is_reported_for_that_symbol_only(tmp_path: Path, base_url: str) -> None:
    report = fetch([SLOW_SYMBOL, "A/RES/79/277"], tmp_path, base_url=base_url, timeout=0.3)

    assert _status(report) == {SLOW_SYMBOL: "failed", "A/RES/79/277": "fetched"}
    assert "no answer within 0.3 s" in report.failed[0][1]
    assert [p.name for p in tmp_path.iterdir()] == ["A_RES_79_277.pdf"]


def test_an_unreachable_server_is_a_reason_not_a_traceback(tmp_path: Path) -> None:
    report = fetch(["A/RES/79/277"], tmp_path, base_url="http://127.0.0.1:9/?s={symbol}")

    [(symbol, reason)] = report.failed
    assert symbol == "A/RES/79/277" and reason.startswith("cannot reach the server")
    assert list(tmp_path.iterdir()) == []


# --- the local mirror ---------------------------------------------------------------------


def test_mirror_copies_from_a_local_folder(
    tmp_path: Path, corpus_dir: Path, sha_by_symbol: dict[str, str]
) -> None:
    # The default base URL is the real ODS: the blocked network proves nothing was downloaded.
    report = fetch(["A/80/62-E/2025/12", "A/RES/80/173"], tmp_path, mirror=corpus_dir)

    assert report.fetched == ["A/80/62-E/2025/12", "A/RES/80/173"]
    assert _sha256(tmp_path / "A_80_62.en.pdf") == sha_by_symbol["A/80/62-E/2025/12"]
    assert (tmp_path / "A_RES_80_173.pdf").read_bytes() == (
        corpus_dir / "A_RES_80_173.pdf"
    ).read_bytes()

    again = fetch(["A/RES/80/173", UNKNOWN_SYMBOL], tmp_path, mirror=corpus_dir)
    assert again.present == ["A/RES/80/173"]
    [(symbol, reason)] = again.failed
    assert symbol == UNKNOWN_SYMBOL and "A_RES_99_999.pdf is not in the mirror" in reason


def test_mirror_fetches_the_whole_default_list_by_default(tmp_path: Path, corpus_dir: Path) -> None:
    report = fetch(None, tmp_path, mirror=corpus_dir)

    with_symbol = [e for e in load_manifest(corpus_dir) if e["symbol"]]
    assert report.ok and len(report.fetched) == len(with_symbol) == 22
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(e["file"] for e in with_symbol)


# --- the command --------------------------------------------------------------------------


def test_the_command_exits_1_and_names_the_failed_symbol(tmp_path: Path, base_url: str) -> None:
    result = CliRunner().invoke(
        corpus_group,
        ["fetch", "A/RES/80/173", UNKNOWN_SYMBOL, "--dest", str(tmp_path), "--base-url", base_url],
    )

    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any(line.startswith(f"failed   {UNKNOWN_SYMBOL}: ") for line in lines)
    assert any(line.startswith("fetched  A/RES/80/173 -> ") for line in lines)
    assert lines[-1] == "1 fetched, 0 already present, 1 failed"
    assert (tmp_path / "A_RES_80_173.pdf").is_file()


def test_the_command_exits_0_when_everything_arrived(tmp_path: Path, corpus_dir: Path) -> None:
    args = ["fetch", "A/RES/79/277", "--dest", str(tmp_path), "--mirror", str(corpus_dir)]
    first = CliRunner().invoke(corpus_group, args)
    second = CliRunner().invoke(corpus_group, args)

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert second.output.splitlines()[0].startswith("present  A/RES/79/277 -> ")


def test_the_command_rejects_a_base_url_without_a_symbol_slot(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        corpus_group, ["fetch", "--dest", str(tmp_path), "--base-url", "http://127.0.0.1/x"]
    )

    assert result.exit_code == 2
    assert "{symbol}" in result.output


def test_an_unwritable_destination_is_a_reason_not_a_traceback(
    tmp_path: Path, corpus_dir: Path
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")

    report = fetch(["A/RES/79/277", "A/RES/80/173"], not_a_folder, mirror=corpus_dir)

    assert [symbol for symbol, _ in report.failed] == ["A/RES/79/277", "A/RES/80/173"]
    assert all(reason.startswith("file error for ") for _, reason in report.failed)
