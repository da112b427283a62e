"""The app's MCP server through a real MCP client (the ``mcp`` SDK), over streamable HTTP
and SSE, against the real app served on 127.0.0.1 over a real index: the tools listed with
their descriptions and schemas, ``ask`` answering with citations, the other tools, and the
login and loopback checks in front of the MCP routes."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any, get_args

import httpx
import pytest

from assistant.app.tools import TOOL_NAMES, KindName
from assistant.coverage import DEFAULT_COVERAGE_THRESHOLD
from corpus.model import DocumentKind

pytestmark = pytest.mark.corpus

FILES = ("A_RES_80_173.pdf", "A_80_L.41.pdf")
PARA_45 = "What does paragraph 45 of A/RES/80/173 say?"
TIMEOUT = httpx.Timeout(30, read=300)


@pytest.fixture(scope="module")
def assistant(build_assistant):
    return build_assistant("mcp", FILES)


@pytest.fixture(scope="module")
def url(assistant) -> Iterator[str]:
    from assistant.app.ui import create_app
    from eval.bench.app import serve_in_thread

    with serve_in_thread(create_app(assistant)) as address:
        yield address


@asynccontextmanager
async def session(
    url: str, transport: str = "http", headers: dict[str, str] | None = None
) -> AsyncIterator[Any]:
    """An initialised MCP client session with the app at ``url``."""
    from mcp import ClientSession
    from mcp.client.sse import sse_client
    from mcp.client.streamable_http import streamable_http_client

    if transport == "sse":
        async with (
            sse_client(f"{url}gradio_api/mcp/sse", headers=headers, sse_read_timeout=300) as (
                read,
                write,
            ),
            ClientSession(read, write) as client,
        ):
            await client.initialize()
            yield client
        return
    async with (
        httpx.AsyncClient(headers=headers, timeout=TIMEOUT) as http,
        streamable_http_client(f"{url}gradio_api/mcp/", http_client=http) as (read, write, _),
        ClientSession(read, write) as client,
    ):
        await client.initialize()
        yield client


async def list_tools(url: str, transport: str = "http", **kwargs: Any) -> dict[str, Any]:
    async with session(url, transport, **kwargs) as client:
        return {tool.name: tool for tool in (await client.list_tools()).tools}


async def call(
    url: str, name: str, arguments: dict[str, Any], transport: str = "http"
) -> tuple[bool, str]:
    """(whether the call failed, the text it returned)."""
    async with session(url, transport) as client:
        result = await client.call_tool(name, arguments)
    return bool(result.isError), "".join(c.text for c in result.content)


def call_json(url: str, name: str, arguments: dict[str, Any], transport: str = "http") -> Any:
    failed, text = asyncio.run(call(url, name, arguments, transport))
    assert not failed, text
    return json.loads(text)


def test_the_six_tools_are_listed_with_descriptions_and_typed_arguments(url: str) -> None:
    tools = asyncio.run(list_tools(url))
    assert list(tools) == list(TOOL_NAMES)  # the tabs' endpoints are not tools
    for tool in tools.values():
        assert len(tool.description) > 80, tool.name
        for name, schema in tool.inputSchema.get("properties", {}).items():
            assert schema.get("description"), (tool.name, name)

    ask = tools["ask"].inputSchema
    assert ask["required"] == ["question"]
    assert ask["properties"]["question"]["type"] == "string"
    assert ask["properties"]["documents"]["items"] == {"type": "string"}
    kinds = [k.value for k in DocumentKind]
    assert ask["properties"]["kinds"]["items"] == {"enum": kinds}
    assert "(A/RES/80/173, para. 45)" in tools["ask"].description

    search = tools["search"].inputSchema
    assert search["properties"]["k"] == {
        "type": "integer",
        "default": 10,
        "description": "How many paragraphs to return, 1 to 200.",
    }
    assert search["properties"]["mode"]["enum"] == ["hybrid", "dense", "bm25"]
    coverage = tools["coverage"].inputSchema
    assert coverage["properties"]["threshold"]["default"] == DEFAULT_COVERAGE_THRESHOLD
    assert tools["compare"].inputSchema["required"] == ["old", "new"]
    assert tools["amendments"].inputSchema["properties"] == {}
    assert tools["precedent"].inputSchema["required"] == ["phrase"]


def test_the_kinds_a_tool_takes_are_the_document_kinds() -> None:
    assert list(get_args(KindName)) == [k.value for k in DocumentKind]


def test_ask_answers_with_cited_paragraphs(url: str, assistant) -> None:
    answer = call_json(url, "ask", {"question": PARA_45, "documents": ["A/RES/80/173"]})
    paragraph = assistant.catalog.find("A_RES_80_173", "45")
    assert answer["abstained"] is False
    assert "(A/RES/80/173, para. 45)" in answer["answer"]
    cited = answer["citations"][0]
    assert (cited["symbol"], cited["paragraph"]) == ("A/RES/80/173", "45")
    assert cited["paragraph_id"] == paragraph.id
    assert "electronic waste" in cited["text"]


def test_ask_outside_the_documents_abstains(url: str) -> None:
    answer = call_json(url, "ask", {"question": "What is the recipe for apple pie?"})
    assert answer["abstained"] is True and answer["citations"] == []


def test_search_and_coverage(url: str) -> None:
    hits = call_json(url, "search", {"query": "electronic waste", "k": 3, "kinds": ["resolution"]})
    assert len(hits) == 3 and {h["symbol"] for h in hits} == {"A/RES/80/173"}
    assert all(h["paragraph_id"] and h["text"] for h in hits)

    found = call_json(url, "coverage", {"topic": "gender digital divide"})
    assert found["topic"] == "gender digital divide"
    assert found["threshold"] == DEFAULT_COVERAGE_THRESHOLD
    assert found["paragraphs"]
    assert all(p["relevance"] >= DEFAULT_COVERAGE_THRESHOLD for p in found["paragraphs"])
    assert any("gender" in p["text"] for p in found["paragraphs"])


def test_compare_amendments_and_precedent(url: str) -> None:
    comparison = call_json(url, "compare", {"old": "A/80/L.41", "new": "A/RES/80/173"})
    assert comparison["new"]["symbol"] == "A/RES/80/173"
    assert comparison["counts"]["modified"] == 0

    report = call_json(url, "amendments", {})
    assert report["amendments"] == []  # no submission among these documents

    phrase = "the Internet Governance Forum shall be made a permanent forum"
    result = call_json(url, "precedent", {"phrase": phrase, "source": "A/RES/80/173"})
    assert result["verdict"] == "new"
    assert [o["symbol"] for o in result["occurrences"]] == ["A/80/L.41", "A/RES/80/173"]


def test_a_problem_the_caller_can_fix_is_a_tool_error(url: str) -> None:
    failed, text = asyncio.run(call(url, "compare", {"old": "A/RES/1/1", "new": "A/RES/80/173"}))
    assert failed and "no document A/RES/1/1 in the index" in text
    failed, text = asyncio.run(call(url, "search", {"query": "digital", "k": 0}))
    assert failed and "k must be between 1 and 200" in text


def test_over_sse_too(url: str) -> None:
    tools = asyncio.run(list_tools(url, "sse"))
    assert list(tools) == list(TOOL_NAMES)
    answer = call_json(url, "ask", {"question": PARA_45}, transport="sse")
    assert answer["citations"][0]["paragraph"] == "45"


def test_the_tools_are_json_endpoints_of_the_gradio_api_too(url: str) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False, analytics_enabled=False)
    hits = json.loads(client.predict("electronic waste", 2, api_name="/tool_search"))
    assert len(hits) == 2 and hits[0]["symbol"] == "A/RES/80/173"


def test_mcp_answers_only_to_loopback_names(url: str) -> None:
    with httpx.Client(base_url=url, timeout=10) as http:
        assert http.get("/gradio_api/mcp/schema").status_code == 200
        rebound = {"Host": "wsis.example.org"}
        assert http.get("/gradio_api/mcp/schema", headers=rebound).status_code == 403
        page = {"Origin": "http://wsis.example.org"}
        assert http.get("/gradio_api/mcp/schema", headers=page).status_code == 403


def test_mcp_asks_for_the_apps_login(assistant) -> None:
    from assistant.api import Assistant
    from assistant.app.ui import create_app
    from eval.bench.app import serve_in_thread

    settings = assistant.settings.model_copy(
        update={"auth_username": "delegate", "auth_password": "s3cret"}
    )
    guarded = Assistant(settings, embedder=assistant.embedder)
    token = base64.b64encode(b"delegate:s3cret").decode()
    wrong = base64.b64encode(b"delegate:nope").decode()
    with serve_in_thread(create_app(guarded)) as url, httpx.Client(base_url=url) as http:
        for path in (
            "/gradio_api/mcp/",
            "/gradio_api/mcp/sse",
            "/gradio_api/mcp/schema",
            "/gradio_api/mcp/messages/?session_id=0",
            "/gradio_api//mcp/schema",
        ):
            assert http.get(path).status_code == 401, path
        assert http.post("/gradio_api/mcp/", json={}).status_code == 401
        refused = http.get("/gradio_api/mcp/schema", headers={"Authorization": f"Basic {wrong}"})
        assert refused.status_code == 401

        tools = asyncio.run(list_tools(url, headers={"Authorization": f"Basic {token}"}))
        assert list(tools) == list(TOOL_NAMES)

        login = http.post("/login", data={"username": "delegate", "password": "s3cret"})
        assert login.status_code == 200
        schema = http.get("/gradio_api/mcp/schema")  # the app's own API page, logged in
        assert schema.status_code == 200
        assert [tool["name"] for tool in schema.json()] == list(TOOL_NAMES)
