"""The Gradio app over :class:`Assistant`: layout and wiring only.

What each tab shows is computed by :mod:`assistant.app.views`; this module places
components, connects events to those functions under named API endpoints, and serves the
indexed source files at ``/document/{doc_id}``. All document and question text reaches the
page escaped (the templates of :mod:`assistant.render` build the HTML), never as markup.

Packages that build on the assistant add tabs of their own through the ``wsis.app_tabs``
entry points (the Evaluate tab of :mod:`eval.app`): each is a function of the assistant,
called inside the app's Blocks.

API endpoints (``gradio_client``): ``/ask``, ``/context``, ``/coverage``, ``/matrix``,
``/matrix_cell``, ``/compare``, ``/amendments``, ``/precedent``, ``/documents``,
``/document``, ``/upload``, those of the added tabs (``/evaluate``), and the JSON endpoints
of the MCP tools (``/tool_ask`` ...); see README "App API".

MCP (README "MCP server"): Gradio serves every public API endpoint of the Blocks as an MCP
tool at ``/gradio_api/mcp/``; the app narrows that to the six tools of
:mod:`assistant.app.tools`, so the tabs' endpoints (HTML, files, uploads) are not tools.
Gradio serves its MCP routes without the app's login, so :class:`MCPGuard` asks for it
there.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import warnings
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import gradio as gr
from fastapi import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.api import Assistant
from assistant.app import views
from assistant.app.tools import ENDPOINT_PREFIX, TOOL_NAMES, mcp_tools
from assistant.coverage import DEFAULT_COVERAGE_THRESHOLD
from corpus.model import DocumentKind
from corpus.settings import Settings
from ingest.readers import SUPPORTED_SUFFIXES

#: Entry points of the functions that add a tab: ``add_tab(assistant)`` inside the Blocks.
TAB_ENTRY_POINTS = "wsis.app_tabs"

if TYPE_CHECKING:
    from fastapi import FastAPI

EXAMPLES = [
    "What did the WSIS+20 outcome decide about the Internet Governance Forum?",
    "What does paragraph 45 of A/RES/80/173 say?",
    "How should the gender digital divide be closed?",
    "GDC paragraph 48",
]
TEXT_SOURCE_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".html", ".htm"})
#: Where Gradio serves MCP: streamable HTTP at ``/gradio_api/mcp/``, SSE at ``.../sse``.
MCP_PATH = "/gradio_api/mcp"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

CSS = """
#wsis-chips .wrap { gap: 6px; }
#wsis-chips label { border-radius: 999px; padding: 2px 12px; cursor: pointer; }
.wsis-answer blockquote { margin: 0 0 12px; padding-left: 12px; border-left: 3px solid #888; }
.wsis-cite { font-weight: 600; }
.wsis-relevance { font-weight: 400; font-size: 0.85em; opacity: 0.8; margin-left: 4px; }
.wsis-notice { font-style: italic; opacity: 0.85; }
.wsis-para { margin: 6px 0; }
.wsis-current { border-left: 4px solid #f59e0b; padding-left: 8px; }
.wsis-label { font-weight: 600; margin-right: 4px; }
.wsis-footnote { font-size: 0.85em; opacity: 0.8; }
.wsis-meta { opacity: 0.85; }
.wsis-error { color: #b91c1c; }
.wsis-context mark { background: #fde68a; color: inherit; }
.wsis-compare-table { width: 100%; border-collapse: collapse; table-layout: fixed; }
.wsis-compare-table td, .wsis-compare-table th { vertical-align: top; padding: 6px 8px;
  border-bottom: 1px solid #e5e7eb; text-align: left; }
.wsis-compare-table th:nth-child(2), .wsis-status { width: 8em; font-size: 0.85em; }
.wsis-compare del, .wsis-precedent del { background: #fee2e2; color: #991b1b; }
.wsis-compare ins, .wsis-amendments ins { background: #dcfce7; color: #166534; }
.wsis-unchanged td { opacity: 0.75; }
.wsis-amendments mark, .wsis-precedent mark { background: #fde68a; color: inherit; }
.wsis-amendment { margin-bottom: 14px; }
"""


def build(assistant: Assistant) -> gr.Blocks:
    """The Blocks of the app; every action is a named API endpoint."""
    kinds = [k.value for k in DocumentKind]
    choices = views.document_choices(assistant)

    def ask(
        question: str,
        kinds: list[str] | None,
        documents: list[str] | None,
        style: str = "quotes",
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> Iterator[tuple]:
        """The answer; with ``style="summary"``, a short answer before the quotes, each
        sentence checked against the paragraphs it cites (streamed as they pass)."""
        for view in views.ask_views(
            assistant, question, kinds, documents, lambda f, d: progress(f, desc=d), style
        ):
            chips = gr.Radio(
                choices=view.chips, value=None, label=view.chips_label, interactive=True
            )
            yield view.html, view.text, chips, view.data, view.markdown_file, view.csv_file, ""

    def context(paragraph_id: str, answer: dict[str, Any] | None = None) -> str:
        """A cited paragraph in its context, with what ``answer`` (the answer JSON of /ask)
        quotes of it highlighted."""
        return views.context_html(assistant, paragraph_id, answer)

    def coverage(
        topic: str,
        threshold: float = DEFAULT_COVERAGE_THRESHOLD,
        kinds: list[str] | None = None,
        documents: list[str] | None = None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple:
        view = views.coverage_view(
            assistant, topic, threshold, kinds, documents, lambda f, d: progress(f, desc=d)
        )
        return view.html, view.frame, view.csv_file, view.data

    def count_matrix(progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008
        view = views.matrix_view(assistant, lambda f, d: progress(f, desc=d))
        return view.image, view.cells, view.csv_file, view.png_file, view.data, view.message

    def matrix_cell(theme: str | None, document: str | None) -> str:
        """The paragraphs of one document about one theme of the matrix (``theme``: C1-C11
        or a theme staff added; ``document``: a symbol or doc id)."""
        return views.matrix_cell_html(assistant, theme, document)

    def select_cell(cells: dict[str, Any] | None, event: gr.SelectData) -> tuple:
        x, y = event.index if isinstance(event.index, list | tuple) else (-1, -1)
        found = views.matrix_cell_at(cells, float(x), float(y))
        if found is None:
            return gr.skip(), gr.skip(), gr.skip()
        theme, doc_id = found
        return theme, doc_id, views.matrix_cell_html(assistant, theme, doc_id)

    def compare(old: str | None, new: str | None, changes_only: bool = False) -> tuple:
        view = views.compare_view(assistant, old, new, changes_only)
        return view.html, view.data

    def amendments() -> tuple:
        view = views.amendments_view(assistant)
        return view.html, view.data

    def precedent(phrase: str, source: str | None = None) -> tuple:
        view = views.precedent_view(assistant, phrase, source)
        return view.html, view.data

    def documents() -> tuple:
        picks = views.document_choices(assistant)
        return (
            views.document_rows(assistant),
            gr.Dropdown(choices=picks),
            gr.Dropdown(choices=picks),
        )

    def document(doc_id: str | None) -> str:
        return views.document_html(assistant, doc_id)

    def open_row(event: gr.SelectData) -> tuple:
        name = str((event.row_value or [""])[0])
        doc = views.find_document(assistant, name)
        doc_id = doc.doc_id if doc else None
        return gr.Dropdown(value=doc_id), views.document_html(assistant, doc_id)

    def upload(path: str | None, progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008
        message, changed = views.upload_view(assistant, path, lambda f, d: progress(f, desc=d))
        if not changed:
            return message, gr.skip(), gr.skip(), gr.skip()
        return (message, *documents())

    with gr.Blocks(title="WSIS Assistant", analytics_enabled=False) as demo:
        gr.Markdown(
            "# WSIS Assistant\nAnswers quoted word for word from WSIS documents, each cited "
            "by paragraph."
        )
        with gr.Tab("Ask", id="ask"):
            question = gr.Textbox(
                label="Question", lines=2, max_length=2000, placeholder="Ask about the documents"
            )
            gr.Examples(EXAMPLES, inputs=question, label="Example questions")
            with gr.Row():
                kind_filter = gr.CheckboxGroup(kinds, label="Document kinds")
                doc_filter = gr.Dropdown(
                    choices, multiselect=True, label="Documents", allow_custom_value=True
                )
            with gr.Row():
                style = gr.Radio(
                    [("Quotes", "quotes"), ("Short answer, then quotes", "summary")],
                    value="quotes",
                    label="Answer",
                    info="A short answer is written by the reader's model; each sentence is "
                    "checked against the paragraphs it cites, and left out if they do not "
                    "state it.",
                    scale=3,
                )
                ask_button = gr.Button("Ask", variant="primary", scale=1)
            answer_html = gr.HTML(label="Answer", elem_id="wsis-answer")
            chips = gr.Radio(
                choices=[], label=views.CITATIONS_LABEL, elem_id="wsis-chips", interactive=True
            )
            context_html = gr.HTML(label="Context", elem_id="wsis-context")
            with gr.Row(equal_height=True):
                answer_copy = gr.Textbox(
                    label="Answer with citations (to copy)",
                    lines=4,
                    max_lines=12,
                    interactive=False,
                    buttons=["copy"],
                    elem_id="wsis-answer-text",
                    scale=4,
                )
                with gr.Column(scale=1, min_width=160):
                    markdown_file = gr.DownloadButton(
                        "Export Markdown", elem_id="wsis-export-md", size="md"
                    )
                    csv_file = gr.DownloadButton("Export CSV", elem_id="wsis-export-csv", size="md")
            with gr.Accordion("Answer JSON (as `wsis ask --json`)", open=False):
                answer_json = gr.JSON(label="Answer JSON")
            gr.on(
                [ask_button.click, question.submit],
                ask,
                [question, kind_filter, doc_filter, style],
                [
                    answer_html,
                    answer_copy,
                    chips,
                    answer_json,
                    markdown_file,
                    csv_file,
                    context_html,
                ],
                api_name="ask",
            )
            # The chips' choices change with every answer, which an API caller cannot see,
            # so the UI event is private and /context is an API endpoint of its own.
            chips.input(
                context,
                [chips, answer_json],
                context_html,
                api_name="chip_context",
                api_visibility="private",
            )
            gr.api(context, api_name="context")

        with gr.Tab("Where is it covered?", id="coverage"):
            with gr.Row():
                topic = gr.Textbox(
                    label="Topic",
                    placeholder="e.g. gender digital divide; children, youth and older persons",
                    scale=3,
                )
                threshold = gr.Slider(
                    0.05,
                    0.95,
                    value=DEFAULT_COVERAGE_THRESHOLD,
                    step=0.05,
                    label="Relevance threshold",
                    info="How surely a paragraph must be about the topic (0–1).",
                    scale=2,
                )
            with gr.Row():
                coverage_kinds = gr.CheckboxGroup(kinds, label="Document kinds")
                coverage_docs = gr.Dropdown(
                    choices, multiselect=True, label="Documents", allow_custom_value=True
                )
            coverage_button = gr.Button("Find coverage", variant="primary")
            coverage_plot = gr.BarPlot(
                x="document",
                y="paragraphs",
                sort="-y",
                y_lim=[0, None],
                x_label_angle=-40,
                label="Paragraphs about the topic per document",
                height=320,
            )
            coverage_csv = gr.DownloadButton("Export CSV", elem_id="wsis-coverage-csv", size="md")
            coverage_html = gr.HTML(label="Coverage", elem_id="wsis-coverage")
            with gr.Accordion("Coverage JSON (as `wsis coverage --json`)", open=False):
                coverage_json = gr.JSON(label="Coverage JSON")
            gr.on(
                [coverage_button.click, topic.submit],
                coverage,
                [topic, threshold, coverage_kinds, coverage_docs],
                [coverage_html, coverage_plot, coverage_csv, coverage_json],
                api_name="coverage",
            )

        with gr.Tab("Action lines", id="matrix"):
            gr.Markdown(
                "How many paragraphs of each document are about each WSIS action line (C1–C11 "
                "of the Geneva Plan of Action) and each theme added in `corpus/themes.toml`. "
                "The first count after documents change reads the whole index once per theme "
                "(minutes); later ones come from the cache. Select a cell to read its "
                "paragraphs."
            )
            matrix_button = gr.Button("Count the paragraphs", variant="primary")
            matrix_message = gr.HTML(elem_id="wsis-matrix-message")
            matrix_image = gr.Image(
                label="Paragraphs per action line and document",
                type="filepath",
                interactive=False,
                elem_id="wsis-matrix",
                buttons=[],
            )
            matrix_cells = gr.State({})
            with gr.Row():
                matrix_csv = gr.DownloadButton("Export CSV", elem_id="wsis-matrix-csv", size="md")
                matrix_png = gr.DownloadButton("Export PNG", elem_id="wsis-matrix-png", size="md")
            with gr.Row():
                cell_theme = gr.Dropdown(
                    views.theme_choices(), label="Theme", value=None, allow_custom_value=True
                )
                cell_document = gr.Dropdown(
                    choices, label="Document", value=None, allow_custom_value=True
                )
                cell_button = gr.Button("Show the paragraphs", size="md")
            cell_html = gr.HTML(label="Paragraphs of the cell", elem_id="wsis-matrix-cell")
            with gr.Accordion("Matrix JSON (as `wsis matrix --json`)", open=False):
                matrix_json = gr.JSON(label="Matrix JSON")
            matrix_button.click(
                count_matrix,
                None,
                [matrix_image, matrix_cells, matrix_csv, matrix_png, matrix_json, matrix_message],
                api_name="matrix",
            )
            matrix_image.select(
                select_cell,
                matrix_cells,
                [cell_theme, cell_document, cell_html],
                api_visibility="private",
            )
            cell_button.click(
                matrix_cell, [cell_theme, cell_document], cell_html, api_name="matrix_cell"
            )

        with gr.Tab("Compare versions", id="compare"):
            gr.Markdown(
                "Two versions of a text side by side (e.g. A/80/L.41 and A/RES/80/173), "
                "paragraphs matched by their words so renumbering is followed; deleted words "
                "struck through, inserted words underlined."
            )
            with gr.Row():
                old_version = gr.Dropdown(
                    choices, label="Earlier version", allow_custom_value=True, value=None
                )
                new_version = gr.Dropdown(
                    choices, label="Later version", allow_custom_value=True, value=None
                )
                changes_only = gr.Checkbox(label="Changes only", value=False)
            compare_button = gr.Button("Compare", variant="primary")
            comparison_html = gr.HTML(label="Comparison", elem_id="wsis-compare")
            with gr.Accordion("Comparison JSON (as `wsis compare --json`)", open=False):
                comparison_json = gr.JSON(label="Comparison JSON")
            compare_button.click(
                compare,
                [old_version, new_version, changes_only],
                [comparison_html, comparison_json],
                api_name="compare",
            )

        with gr.Tab("Amendments", id="amendments"):
            gr.Markdown(
                "Amendments proposed in submissions, by target paragraph, the proposed "
                "wording underlined; the closest paragraph of each later version, and whether "
                "the adopted text took the wording up in full, in part or not at all."
            )
            amendments_button = gr.Button("List the amendments", variant="primary")
            amendments_html = gr.HTML(label="Amendments", elem_id="wsis-amendments")
            with gr.Accordion("Amendments JSON (as `wsis amendments --json`)", open=False):
                amendments_json = gr.JSON(label="Amendments JSON")
            amendments_button.click(
                amendments, None, [amendments_html, amendments_json], api_name="amendments"
            )

        with gr.Tab("Agreed language", id="precedent"):
            gr.Markdown(
                "Where a phrase, or a near-verbatim variant of it, was used before, oldest "
                "first: whether it is agreed language and where it first appeared."
            )
            with gr.Row():
                phrase = gr.Textbox(
                    label="Phrase",
                    placeholder="e.g. a people-centred, inclusive and development-oriented "
                    "information society",
                    scale=3,
                )
                phrase_source = gr.Dropdown(
                    choices,
                    label="From document (optional)",
                    allow_custom_value=True,
                    value=None,
                    scale=1,
                )
            precedent_button = gr.Button("Find earlier uses", variant="primary")
            precedent_html = gr.HTML(label="Occurrences", elem_id="wsis-precedent")
            with gr.Accordion("Occurrences JSON (as `wsis precedent --json`)", open=False):
                precedent_json = gr.JSON(label="Occurrences JSON")
            gr.on(
                [precedent_button.click, phrase.submit],
                precedent,
                [phrase, phrase_source],
                [precedent_html, precedent_json],
                api_name="precedent",
            )

        with gr.Tab("Documents", id="documents"):
            table = gr.Dataframe(
                value=views.document_rows(assistant),
                headers=list(views.DOCUMENT_COLUMNS),
                datatype=["str", "str", "str", "str", "number"],
                wrap=True,
                interactive=False,
                column_widths=["16%", "56%", "10%", "11%", "7%"],
                elem_id="wsis-documents",
                label="Ingested documents (select a row to read it)",
            )
            reader = gr.Dropdown(
                choices, label="Read a document", allow_custom_value=True, value=None
            )
            reading = gr.HTML(label="Document", elem_id="wsis-reading")
            with gr.Accordion("Add a document", open=False):
                limit = assistant.settings.max_upload_mb
                upload_file = gr.File(
                    label=f"PDF, DOCX, HTML or Markdown, at most {limit} MB",
                    file_types=sorted(SUPPORTED_SUFFIXES),
                    type="filepath",
                    elem_id="wsis-upload-file",
                )
                upload_button = gr.Button("Add to the index", variant="primary")
                upload_status = gr.HTML(label="Upload status", elem_id="wsis-upload-status")
            refresh_button = gr.Button("Refresh the list", size="sm")
            reader.input(document, reader, reading, api_name="document")
            table.select(open_row, None, [reader, reading], api_visibility="private")
            refresh_button.click(documents, None, [table, doc_filter, reader], api_name="documents")
            upload_button.click(
                upload,
                upload_file,
                [upload_status, table, doc_filter, reader],
                api_name="upload",
                concurrency_limit=1,
                concurrency_id="index-writes",
            )

        for tab in entry_points(group=TAB_ENTRY_POINTS):
            tab.load()(assistant)

        # Outside the queue: an MCP call then runs in this process, under the guard of
        # create_app, instead of going back through the HTTP API and its login.
        for tool in mcp_tools(assistant):
            gr.api(tool, api_name=ENDPOINT_PREFIX + tool.__name__, queue=False)
    demo.queue(default_concurrency_limit=2)
    return demo


def create_app(assistant: Assistant) -> FastAPI:
    """The FastAPI app: ``/document/{doc_id}`` for indexed source files, and the Gradio app
    at ``/`` (login required when the settings give a password)."""
    from fastapi import FastAPI, HTTPException
    from fastapi.responses import FileResponse
    from gradio.routes import App as GradioApp
    from starlette.routing import Mount

    settings = assistant.settings
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    def gradio_app() -> GradioApp | None:
        for route in app.routes:
            if isinstance(route, Mount) and isinstance(route.app, GradioApp):
                return route.app
        return None

    def logged_in(request: Request) -> bool:
        if not settings.auth_password:
            return True
        inner = gradio_app()
        if inner is None:
            return False
        token = request.cookies.get(f"access-token-{inner.cookie_id}") or request.cookies.get(
            f"access-token-unsecure-{inner.cookie_id}"
        )
        return token is not None and inner.tokens.get(token) is not None

    @app.get("/document/{doc_id}")
    def source_document(doc_id: str, request: Request) -> Response:
        """The source file of an indexed document, found by its id only: never a path the
        client gives. PDFs open inline (``#page=N`` works); text formats are sent as plain
        text so a document's own markup never runs on this origin."""
        if not logged_in(request):
            raise HTTPException(status_code=401, detail="log in first")
        document = assistant.catalog.documents.get(doc_id)
        path = Path(document.path) if document else None
        if path is None or not path.is_file():
            raise HTTPException(status_code=404, detail="no such document in the index")
        headers = {"X-Content-Type-Options": "nosniff"}
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            return FileResponse(
                path,
                media_type="application/pdf",
                filename=path.name,
                content_disposition_type="inline",
                headers=headers,
            )
        if suffix in TEXT_SOURCE_SUFFIXES:
            headers["Content-Security-Policy"] = "sandbox"
            return FileResponse(
                path,
                media_type="text/plain; charset=utf-8",
                filename=path.name,
                content_disposition_type="inline",
                headers=headers,
            )
        return FileResponse(path, filename=path.name, headers=headers)

    credentials = auth_from(settings)

    def mcp_refusal(request: Request) -> Response | None:
        """Why an MCP request is refused, if it is: addressed to another name than the
        loopback one the app is bound to (DNS rebinding), or not logged in."""
        if settings.host in LOOPBACK_HOSTS and not addressed_to_loopback(request):
            return PlainTextResponse(
                "MCP is served to http://127.0.0.1 or http://localhost only", status_code=403
            )
        if credentials and not (basic_auth_matches(request, credentials) or logged_in(request)):
            return PlainTextResponse(
                "log in first: send the app's user name and password with HTTP Basic auth",
                status_code=401,
                headers={"WWW-Authenticate": 'Basic realm="WSIS Assistant"'},
            )
        return None

    app.add_middleware(MCPGuard, refusal=mcp_refusal)
    demo = build(assistant)
    gr.mount_gradio_app(
        app,
        demo,
        path="/",
        server_name=settings.host,
        server_port=settings.port,
        auth=credentials,
        max_file_size=settings.max_upload_mb * 1024 * 1024,
        footer_links=["api"],
        run_history=False,
        css=CSS,
        allowed_paths=[],
        mcp_server=True,
    )
    only_the_tools(demo)
    return app


def only_the_tools(demo: gr.Blocks) -> None:
    """Narrow Gradio's MCP server, which makes a tool of every public API endpoint, to the
    tools of :mod:`assistant.app.tools` under their own names ("ask", not "ask_1" beside
    the Ask tab's endpoint)."""
    server = demo.mcp_server_obj
    if server is None:
        warnings.warn(demo.mcp_error or "Gradio did not start its MCP server", stacklevel=2)
        return
    server.tool_to_endpoint = {name: f"/{ENDPOINT_PREFIX}{name}" for name in TOOL_NAMES}


class MCPGuard:
    """ASGI middleware in front of the MCP routes (``/gradio_api/mcp...``): a request that
    ``refusal`` turns down gets its response, and never reaches Gradio."""

    def __init__(self, app: ASGIApp, refusal: Callable[[Request], Response | None]) -> None:
        self.app = app
        self.refusal = refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_mcp_path(scope["path"]):
            response = self.refusal(Request(scope))
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def is_mcp_path(path: str) -> bool:
    """Whether a request path reaches Gradio's MCP routes (doubled slashes included)."""
    return "/".join(part for part in path.split("/") if part).startswith(MCP_PATH[1:])


def addressed_to_loopback(request: Request) -> bool:
    """Whether the request names a loopback host (``Host``), and comes from a loopback page
    if from a page at all (``Origin``)."""
    host = urlsplit(f"//{request.headers.get('host', '')}").hostname
    origin = request.headers.get("origin")
    from_page = urlsplit(origin).hostname if origin else "localhost"
    return host in LOOPBACK_HOSTS and from_page in LOOPBACK_HOSTS


def basic_auth_matches(request: Request, credentials: tuple[str, str]) -> bool:
    """Whether the request carries ``credentials`` as HTTP Basic auth."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        username, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    name_ok = secrets.compare_digest(username.encode(), credentials[0].encode())
    password_ok = secrets.compare_digest(password.encode(), credentials[1].encode())
    return name_ok and password_ok


def auth_from(settings: Settings) -> tuple[str, str] | None:
    """(username, password) when the settings give a password; the name defaults to
    "admin"."""
    if not settings.auth_password:
        return None
    return (settings.auth_username or "admin", settings.auth_password)
