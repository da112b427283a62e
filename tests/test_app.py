"""The app over HTTP: every named API endpoint through gradio_client, the document route,
and the login, against the real app served on 127.0.0.1 over a real index."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from assistant.coverage import DEFAULT_COVERAGE_THRESHOLD
from assistant.prompts import CLOSEST_MATCHES
from assistant.render.coverage import COVERAGE_CSV_COLUMNS
from eval.app import FAILURE_COLUMNS

pytestmark = pytest.mark.corpus

FILES = ("A_RES_80_173.pdf", "A_RES_79_277.pdf", "A_80_L.41.pdf", "ITU_input_WSIS20_zero_draft.md")
ENDPOINTS = {
    "/ask",
    "/context",
    "/coverage",
    "/matrix",
    "/matrix_cell",
    "/compare",
    "/amendments",
    "/precedent",
    "/documents",
    "/document",
    "/upload",
    "/evaluate",
    # The MCP tools (tests/test_mcp.py), which are JSON endpoints of the API as well.
    "/tool_ask",
    "/tool_search",
    "/tool_coverage",
    "/tool_compare",
    "/tool_amendments",
    "/tool_precedent",
}
PARA_45 = "What does paragraph 45 of A/RES/80/173 say?"


@pytest.fixture(scope="module")
def assistant(build_assistant):
    return build_assistant("app", FILES)


@pytest.fixture(scope="module")
def url(assistant) -> Iterator[str]:
    from assistant.app.ui import create_app
    from eval.bench.app import serve_in_thread

    with serve_in_thread(create_app(assistant)) as address:
        assert urlparse(address).hostname == "127.0.0.1"
        yield address


@pytest.fixture(scope="module")
def client(url: str):
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False)


def test_the_named_endpoints_are_exactly_the_documented_ones(client) -> None:
    info = client.view_api(print_info=False, return_format="dict")
    assert set(info["named_endpoints"]) == ENDPOINTS


def test_ask_and_context(client, assistant) -> None:
    html, text, chips, data, markdown, csv_file, context = client.predict(
        PARA_45, [], ["A_RES_80_173"], api_name="/ask"
    )
    paragraph = assistant.catalog.find("A_RES_80_173", "45")
    assert "electronic waste" in html and "(A/RES/80/173, para. 45)" in text
    assert chips["choices"] == [["A/RES/80/173 para. 45", paragraph.id]]
    assert data["citations"][0]["paragraph"] == "45"
    assert Path(markdown).read_text(encoding="utf-8").startswith(f"# {PARA_45}")
    assert "A/RES/80/173,45," in Path(csv_file).read_text(encoding="utf-8")
    assert context == ""

    shown = client.predict(paragraph.id, data, api_name="/context")
    assert "<mark>We are further concerned about the volume of electronic waste" in shown
    assert 'href="/document/A_RES_80_173#page=8"' in shown


def test_ask_for_a_short_answer(client) -> None:
    """The bundled model writes it; the app streams it after the quotes, and the JSON's
    sentences cite only what the answer quotes."""
    question = "Will the Internet Governance Forum become a permanent forum of the United Nations?"
    html, text, _, data, markdown, *_ = client.predict(question, [], [], "summary", api_name="/ask")
    summary = data["summary"]
    assert summary is not None and summary["sentences"], summary
    quoted = {c["paragraph_id"] for c in data["citations"]}
    for sentence in summary["sentences"]:
        assert set(sentence["paragraph_ids"]) <= quoted
        assert sentence["text"] in unescape(html) and sentence["text"] in text
    assert "Short answer" in Path(markdown).read_text(encoding="utf-8")
    assert "summarize" in data["timings_ms"]


def test_ask_with_a_kind_filter_and_an_abstention(client) -> None:
    html, _, chips, data, *_ = client.predict(
        "What is the recipe for apple pie?", ["resolution"], [], api_name="/ask"
    )
    assert data["abstained"] is True
    assert chips["label"] == CLOSEST_MATCHES
    assert CLOSEST_MATCHES in html
    assert all(h["symbol"].startswith("A/RES/") for h in data["hits"])


def test_question_markup_comes_back_escaped(client) -> None:
    html, *_ = client.predict("<script>alert(1)</script>", [], [], api_name="/ask")
    assert "<script>" not in html


def test_coverage(client) -> None:
    threshold = DEFAULT_COVERAGE_THRESHOLD
    html, plot, csv_file, data = client.predict(
        "gender digital divide", threshold, api_name="/coverage"
    )
    assert "are about “gender digital divide”" in html
    assert f"(relevance of at least {threshold:.2f})" in html
    counts = dict(plot["data"])
    assert counts and all(n > 0 for n in counts.values())
    rows = Path(csv_file).read_text(encoding="utf-8").splitlines()
    assert rows[0] == ",".join(COVERAGE_CSV_COLUMNS)
    assert len(rows) - 1 >= sum(counts.values())  # rows with a line break in the text
    assert len(data["paragraphs"]) == sum(counts.values())
    assert all(p["relevance"] >= threshold and p["reason"] for p in data["paragraphs"])
    _, only, _, scoped = client.predict(
        "gender digital divide", threshold, [], ["A/RES/80/173"], api_name="/coverage"
    )
    # One document is read whole, so its count may differ from the whole index's.
    assert list(dict(only["data"])) == ["A/RES/80/173"]
    assert {p["symbol"] for p in scoped["paragraphs"]} == {"A/RES/80/173"}
    assert {p["paragraph"] for p in scoped["paragraphs"]} >= {"22"}


def test_matrix_and_its_cells(client) -> None:
    # the API leaves out the cells' State: image, CSV, PNG, JSON, message
    _, csv_file, png_file, data, message = client.predict(api_name="/matrix")
    assert Path(png_file).read_bytes().startswith(b"\x89PNG")
    assert [t["id"] for t in data["themes"]] == [f"C{n}" for n in range(1, 12)]
    header = Path(csv_file).read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("document,C1 ") and header.endswith(",title")
    assert "Select a cell" in message
    symbols = [d["symbol"] for d in data["documents"]]
    row = data["counts"][symbols.index("A/RES/80/173")]
    html = client.predict("C5", "A/RES/80/173", api_name="/matrix_cell")
    assert "C5 Confidence and security in A/RES/80/173" in html
    assert html.count('class="wsis-para"') == row[4] > 0


def test_compare_amendments_and_precedent(client) -> None:
    html, data = client.predict("A/80/L.41", "A/RES/80/173", True, api_name="/compare")
    assert data["counts"]["modified"] == 0 and data["new"]["symbol"] == "A/RES/80/173"
    assert "<ins>80/173.</ins>" in html
    html, data = client.predict(api_name="/amendments")
    assert data["counts"] == {"full": 2, "partial": 2, "none": 7}
    full = [a["target"] for a in data["amendments"] if a["uptake"] == "full"]
    assert full == ["63", "99"]
    html, data = client.predict(
        "the Internet Governance Forum shall be made a permanent forum",
        "A/RES/80/173",
        api_name="/precedent",
    )
    assert data["verdict"] == "new"
    assert [o["symbol"] for o in data["occurrences"]] == ["A/80/L.41", "A/RES/80/173"]
    assert "New wording in A/RES/80/173" in html


def test_documents_and_document(client) -> None:
    table, filter_choices, _ = client.predict(api_name="/documents")
    symbols = [row[0] for row in table["data"]]
    assert "A/RES/80/173" in symbols
    assert ["A/RES/80/173", "A_RES_80_173"] in filter_choices["choices"]
    out = client.predict("A_RES_80_173", api_name="/document")
    assert "para. 45" in out and "Environmental impacts" in out


def test_upload_then_ask_then_a_bad_upload(client, tmp_path: Path) -> None:
    from gradio_client import handle_file

    source = tmp_path / "ostrava_notes.md"
    source.write_text(
        "# Ostrava notes on lighthouse keepers\n\n"
        "1. The lighthouse keepers of Ostrava publish their tide tables every Thursday.\n",
        encoding="utf-8",
    )
    status, table, *_ = client.predict(handle_file(str(source)), api_name="/upload")
    assert "Added" in status and "ostrava_notes.md" in status
    assert len(table["data"]) == len(FILES) + 1
    _, text, *_ = client.predict(
        "When do the lighthouse keepers of Ostrava publish tide tables?", [], [], api_name="/ask"
    )
    assert "every Thursday" in text

    broken = tmp_path / "broken_minutes.pdf"
    broken.write_bytes(b"%PDF-1.4 not really a PDF")
    status, *_ = client.predict(handle_file(str(broken)), api_name="/upload")
    assert "broken_minutes.pdf" in status and "Nothing was changed" in status
    table, *_ = client.predict(api_name="/documents")
    assert len(table["data"]) == len(FILES) + 1

    from gradio_client.exceptions import AppError

    program = tmp_path / "notes.exe"
    program.write_bytes(b"MZ not a document")
    with pytest.raises(AppError, match="Invalid file type"):
        client.predict(handle_file(str(program)), api_name="/upload")


def test_evaluate(client, tmp_path: Path) -> None:
    from gradio_client import handle_file

    path = tmp_path / "tiny.jsonl"
    items = [
        {
            "id": "a",
            "question": PARA_45,
            "kind": "answerable",
            "gold": [{"doc": "A/RES/80/173", "paragraph": "45"}],
        },
        {"id": "b", "question": "What is the recipe for apple pie?", "kind": "unanswerable"},
    ]
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    status, metrics, failures = client.predict(handle_file(str(path)), api_name="/evaluate")
    assert "2 questions, 0 failed" in status
    assert ["hit@1", "1.000"] in [row[:2] for row in metrics["data"]]
    assert failures["headers"] == list(FAILURE_COLUMNS)


# --- The document route ------------------------------------------------------------------------


def _raw_get(url: str, path: str) -> int:
    """GET a path exactly as written, without the client normalising "..": what an attacker
    would send."""
    parsed = urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def test_document_route_serves_indexed_pdfs(url: str, corpus_dir: Path) -> None:
    response = httpx.get(f"{url}document/A_RES_80_173", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.content == (corpus_dir / "A_RES_80_173.pdf").read_bytes()


def test_document_route_sends_text_formats_as_plain_text(url: str) -> None:
    response = httpx.get(f"{url}document/ITU_input_WSIS20_zero_draft", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["content-security-policy"] == "sandbox"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/document/nope",
        "/document/A_RES_80_173.pdf",
        "/document/../../../../etc/passwd",
        "/document/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/document/%2Fetc%2Fpasswd",
        "/document/..",
        "/document/A_RES_80_173/../../app.py",
        "/document/",
    ],
)
def test_document_route_404s_for_anything_else(url: str, path: str) -> None:
    assert _raw_get(url, path) == 404


def test_login_guards_the_app_and_the_documents(assistant) -> None:
    from gradio_client import Client

    from assistant.api import Assistant
    from assistant.app.ui import create_app
    from eval.bench.app import serve_in_thread

    settings = assistant.settings.model_copy(
        update={"auth_username": "delegate", "auth_password": "s3cret"}
    )
    guarded = Assistant(settings, embedder=assistant.embedder)
    with serve_in_thread(create_app(guarded)) as url:
        assert httpx.get(f"{url}document/A_RES_80_173", timeout=10).status_code == 401
        with pytest.raises(Exception):  # noqa: B017 - gradio_client's error type varies
            Client(url, verbose=False, analytics_enabled=False)
        client = Client(url, auth=("delegate", "s3cret"), verbose=False, analytics_enabled=False)
        _, text, *_ = client.predict(PARA_45, [], [], api_name="/ask")
        assert "electronic waste" in text
        with httpx.Client(base_url=url, timeout=10) as browser:
            wrong = browser.post("/login", data={"username": "delegate", "password": "no"})
            assert wrong.status_code == 400
            login = browser.post("/login", data={"username": "delegate", "password": "s3cret"})
            assert login.status_code == 200
            assert browser.get("/document/A_RES_80_173").status_code == 200


@pytest.mark.slow
def test_fifty_concurrent_questions_are_all_answered(assistant) -> None:
    """Fifty clients ask at once the app served as users run it (``app.py``, its own
    process): every question is answered, none errs."""
    from eval.bench.app import app_process, bench_questions, run_bench

    questions = bench_questions(50)
    with app_process(assistant.settings.index_dir) as app:
        result = run_bench(app.url, questions, clients=50)
    assert result.errors == []
    assert len(result.latencies_ms) == len(questions) == 50


def test_the_app_module_is_light_to_import_again() -> None:
    """Each worker that parses an upload imports the main module (``app.py``) again, as
    multiprocessing does: Gradio and the models must load in ``main()`` only."""
    import subprocess
    import sys

    code = (
        "import runpy, sys; runpy.run_path('app.py', run_name='__mp_main__'); "
        "heavy = ('gradio', 'torch', 'onnxruntime', 'chromadb'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[1]
    run = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
