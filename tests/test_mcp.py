"""The MCP server through the SDK's own client: over streamable HTTP against the app served by uvicorn on
loopback (a scripted session: tools, upload, search, ask, follow-ups, a refusal, documents, resources,
tenant isolation, keys), and over stdio against ``rag mcp`` in a process of its own. Real Qdrant Edge,
the real embedding model, real files; the scripted LLM."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import anyio
import httpx
import httpx2
import pytest
from mcp import Client, MCPError, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextResourceContents

from api.app import create_app
from api_client import DEFAULT_REPLY, live_server, serve
from conftest import ROOT, SAMPLE_DOCS
from core.db import utcnow
from core.settings import load_settings
from llm_server import Reply, ScriptedLLM

HANDBOOK = SAMPLE_DOCS / "employee-handbook.md"
LEAVE = "How many days of paid annual leave do employees get?"
TOOLS = {"search", "ask", "list_documents", "get_document"}
T = TypeVar("T")


class Live:
    def __init__(self, base: str, keys: dict[str, str], llm: ScriptedLLM, app: Any) -> None:
        self.base, self.keys, self.llm, self.app = base, keys, llm, app

    def run(self, tenant: str | None, script: Callable[[Client], Awaitable[T]], **headers: str) -> T:
        """``script`` on an SDK client connected to /mcp with ``tenant``'s key (None: no key)."""
        if tenant is not None:
            headers.setdefault("Authorization", f"Bearer {self.keys[tenant]}")

        async def session() -> T:
            async with (
                httpx2.AsyncClient(headers=headers, timeout=60) as http,
                Client(streamable_http_client(f"{self.base}/mcp", http_client=http)) as client,
            ):
                return await script(client)

        return anyio.run(session)

    def call(self, tenant: str, tool: str, **arguments: Any) -> CallToolResult:
        return self.run(tenant, lambda c: c.call_tool(tool, arguments))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, embedder, onnx_cache, sharing_runtime) -> Iterator[Live]:
    with ScriptedLLM(default=DEFAULT_REPLY) as llm:
        settings = load_settings(
            data_dir=tmp_path_factory.mktemp("mcp") / "data",
            embedding={"cache_dir": onnx_cache},
            llm={"base_url": llm.base_url, "model": "scripted", "max_retries": 0},
            api={"rate_per_minute": 100_000, "rate_burst": 10_000},
        )
        rt = sharing_runtime(settings)  # the session's model and parser processes
        app = create_app(runtime=rt)
        with live_server(app) as base:
            keys = app.state.services.keys
            live = Live(base, {t: keys.create(t)[0] for t in ("acme", "globex")}, llm, app)
            r = httpx.post(
                f"{base}/v1/documents",
                params={"wait": "true"},
                files=[("files", (HANDBOOK.name, HANDBOOK.read_bytes()))],
                headers={"Authorization": f"Bearer {live.keys['acme']}"},
                timeout=120,
            )
            assert r.status_code == 200 and r.json()["documents"][0]["status"] == "indexed", r.text
            live.doc_id = r.json()["documents"][0]["document_id"]  # type: ignore[attr-defined]
            yield live


@pytest.fixture
def llm(live: Live) -> ScriptedLLM:
    """The module's scripted LLM, its record of requests cleared for this test."""
    live.llm.requests.clear()
    live.llm.replies.clear()
    return live.llm


def text(result: CallToolResult) -> str:
    return "\n".join(c.text for c in result.content if c.type == "text")


def test_tools_are_listed_with_descriptions_and_schemas(live: Live) -> None:
    tools = {t.name: t for t in live.run("acme", lambda c: c.list_tools()).tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert len(tool.description or "") > 80 and "\n    " not in (tool.description or "")
        assert tool.output_schema is not None
        params = tool.input_schema["properties"]
        assert all(p.get("description") for p in params.values()), (tool.name, params)
    assert tools["ask"].input_schema["required"] == ["question"]
    assert {"conversation_id", "history", "document_ids", "metadata"} <= set(
        tools["ask"].input_schema["properties"]
    )
    assert tools["search"].annotations.read_only_hint is True


def test_search_finds_the_passage_with_its_source(live: Live, llm: ScriptedLLM) -> None:
    r = live.call("acme", "search", query="paid annual leave", top_k=3)
    assert not r.is_error, text(r)
    hits = r.structured_content["hits"]
    assert 0 < len(hits) <= 3 and hits[0]["source"] == HANDBOOK.name and hits[0]["doc_id"] == live.doc_id
    assert "27 days" in text(r) and HANDBOOK.name in text(r) and r.structured_content["trace_id"] in text(r)
    assert llm.requests == []  # retrieval only
    only = live.call("acme", "search", query="paid annual leave", document_ids=["nope"])
    assert only.structured_content["hits"] == [] and not only.is_error
    # The handbook is English: a filter on its language keeps it, another finds nothing.
    english = live.call("acme", "search", query="paid annual leave", languages=["en"])
    assert {h["language"] for h in english.structured_content["hits"]} == {"en"}
    french = live.call("acme", "search", query="paid annual leave", languages=["fr"])
    assert french.structured_content["hits"] == [] and not french.is_error


def test_ask_answers_with_citations_verification_and_trace(live: Live, llm: ScriptedLLM) -> None:
    r = live.call("acme", "ask", question=LEAVE)
    assert not r.is_error, text(r)
    out = r.structured_content
    assert out["refused"] is False and out["answer"].startswith("Employees get 27 days")
    (cited,) = out["citations"]
    assert cited["n"] == 1 and cited["source"] == HANDBOOK.name and "27 days" in cited["passage"]
    assert out["verification"]["sentences"] and out["trace_id"] and out["conversation_id"]
    words = text(r)
    assert words.startswith("Employees get 27 days") and f"[1] {HANDBOOK.name}" in words
    assert cited["passage"] in words and out["trace_id"] in words and "Verification" in words
    # The trace is the tenant's, marked as coming through MCP.
    runtime = live.app.state.services.runtime
    runtime.recorder.flush()  # traces are written off the request path
    trace = runtime.traces.get(out["trace_id"], "acme")
    assert trace is not None and trace.metadata == {"via": "mcp"}


def test_a_follow_up_in_the_conversation_reaches_the_rewrite(live: Live, llm: ScriptedLLM) -> None:
    first = live.call("acme", "ask", question=LEAVE).structured_content
    llm.requests.clear()
    llm.queue(Reply("How many days of paid annual leave do part-time employees get?"))
    r = live.call("acme", "ask", question="And for part-timers?", conversation_id=first["conversation_id"])
    assert not r.is_error, text(r)
    rewrite = " ".join(m["content"] for m in llm.requests[0].messages)
    assert LEAVE in rewrite and "part-timers" in rewrite
    assert r.structured_content["conversation_id"] == first["conversation_id"]
    assert r.structured_content["standalone_question"].endswith("part-time employees get?")


def test_a_follow_up_with_the_clients_own_history(live: Live, llm: ScriptedLLM) -> None:
    llm.queue(Reply("How many days of paid annual leave do part-time employees get?"))
    history = [{"question": LEAVE, "answer": "27 days [1]."}]
    r = live.call("acme", "ask", question="And for part-timers?", history=history)
    assert not r.is_error, text(r)
    rewrite = " ".join(m["content"] for m in llm.requests[0].messages)
    assert LEAVE in rewrite and "27 days" in rewrite and "part-timers" in rewrite


def test_a_question_the_documents_cannot_answer_is_refused(live: Live, llm: ScriptedLLM) -> None:
    r = live.call("acme", "ask", question="What is the capital of Peru?")
    assert not r.is_error  # a refusal is an answer, not an error
    out = r.structured_content
    assert out["refused"] is True and out["refusal"]["reason"] and out["citations"] == []
    assert text(r).startswith(f"Not answered ({out['refusal']['reason']}): ") and llm.requests == []


def test_documents_are_listed_read_and_offered_as_resources(live: Live) -> None:
    page = live.call("acme", "list_documents", limit=10)
    assert page.structured_content["total"] == 1 and page.structured_content["items"][0]["id"] == live.doc_id
    assert f"{live.doc_id}: {HANDBOOK.name}" in text(page)
    empty = live.call("acme", "list_documents", offset=1)
    assert empty.structured_content["items"] == [] and empty.structured_content["total"] == 1

    doc = live.call("acme", "get_document", document_id=live.doc_id)
    assert not doc.is_error, text(doc)
    out = doc.structured_content
    assert out["document"]["source"] == HANDBOOK.name and out["chunk_total"] == len(out["chunks"]) > 0
    assert "27 days" in text(doc) and out["chunks"][0]["chunk_index"] == 0
    two = live.call("acme", "get_document", document_id=live.doc_id, chunk_offset=1, chunk_limit=1)
    assert [c["chunk_index"] for c in two.structured_content["chunks"]] == [1]

    async def resources(c: Client) -> tuple[Any, Any, Any]:
        return await c.list_resources(), await c.list_resource_templates(), await c.read_resource(uri)

    uri = f"rag://documents/{live.doc_id}"
    listed, templates, read = live.run("acme", resources)
    assert [(str(r.uri), r.name) for r in listed.resources] == [(uri, HANDBOOK.name)]
    assert [t.uri_template for t in templates.resource_templates] == ["rag://documents/{document_id}"]
    (content,) = read.contents
    assert isinstance(content, TextResourceContents) and content.mime_type == "text/plain"
    assert "27 days" in content.text and content.text.startswith(out["chunks"][0]["text"])


def test_another_tenant_sees_none_of_the_first_tenants_documents(live: Live, llm: ScriptedLLM) -> None:
    assert live.call("globex", "list_documents").structured_content["total"] == 0
    assert live.call("globex", "search", query="paid annual leave").structured_content["hits"] == []
    asked = live.call("globex", "ask", question=LEAVE).structured_content
    assert asked["refused"] is True and "27 days" not in asked["answer"] and llm.requests == []
    got = live.call("globex", "get_document", document_id=live.doc_id)
    assert got.is_error and text(got).endswith(f"document not found: no document '{live.doc_id}'")

    async def resources(c: Client) -> Any:
        listed = await c.list_resources()
        with pytest.raises(MCPError, match="document not found"):
            await c.read_resource(f"rag://documents/{live.doc_id}")
        return listed

    assert live.run("globex", resources).resources == []


@pytest.mark.parametrize(
    ("tool", "arguments", "words"),
    [
        ("ask", {"question": ""}, "invalid arguments: question: String should have at least 1 character"),
        ("search", {"query": "leave", "top_k": 500}, "invalid arguments: top_k: "),
        ("get_document", {"document_id": "../etc"}, "invalid arguments: document_id: "),
        ("get_document", {"document_id": "0" * 32}, "document not found: no document"),
        ("ask", {"question": "   "}, "invalid request: the question is empty"),
        ("search", {"query": "x", "metadata": {"bad key": 1}}, "invalid arguments: metadata.bad key"),
        (
            "ask",
            {"question": "and then?", "conversation_id": "a" * 32, "history": [{"question": "q"}]},
            "invalid request: give conversation_id or history, not both",
        ),
    ],
)
def test_bad_arguments_are_tool_errors_saying_what_is_wrong(live: Live, tool, arguments, words) -> None:
    r = live.call("acme", tool, **arguments)
    assert r.is_error and words in text(r), text(r)
    assert "Error:" not in text(r) and "Traceback" not in text(r) and "0x" not in text(r)


def test_a_failing_language_model_is_a_tool_error(live: Live, llm: ScriptedLLM) -> None:
    llm.queue(Reply(status=500, error="boom"))
    r = live.call("acme", "ask", question=LEAVE)
    assert r.is_error and "language model failed" in text(r), text(r)
    assert "Traceback" not in text(r) and "LLMError" not in text(r)
    # The failure is traced for the tenant, in the words it was told, marked as coming through MCP.
    runtime = live.app.state.services.runtime
    runtime.recorder.flush()
    recent = runtime.traces.window(utcnow() - dt.timedelta(minutes=5))
    (failed,) = [t for t in recent if t.status == "error" and "boom" in t.error]
    assert failed.tenant == "acme" and failed.metadata == {"via": "mcp"}
    assert failed.error.startswith("language model failed: ")


def test_no_key_or_a_bad_key_is_refused_with_a_problem(live: Live) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    accept = {"Accept": "application/json, text/event-stream"}
    none = httpx.post(f"{live.base}/mcp", json=body, headers=accept)
    assert none.status_code == 401 and none.headers["content-type"] == "application/problem+json"
    assert none.json()["title"] == "authentication required" and none.headers["www-authenticate"] == "Bearer"
    bad = httpx.post(f"{live.base}/mcp", json=body, headers=accept | {"X-API-Key": "rk_nope_nope"})
    assert bad.status_code == 401 and bad.json()["title"] == "invalid API key"
    good = httpx.post(f"{live.base}/mcp", json=body, headers=accept | {"X-API-Key": live.keys["acme"]})
    assert good.status_code == 200 and good.headers["cache-control"] == "no-store"
    for headers in ({}, {"Authorization": "Bearer rk_nope_nope"}):  # the SDK's client gets no further
        with pytest.raises(ExceptionGroup) as raised:
            live.run(None, lambda c: c.list_tools(), **headers)
        assert raised.group_contains(MCPError, match="error response", depth=2)


def test_without_auth_the_default_tenant_answers_within_the_rate_limit(
    tmp_path: Path, embedder, onnx_cache, llm: ScriptedLLM, sharing_runtime
) -> None:
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call"}
    call["params"] = {"name": "search", "arguments": {"query": "annual leave"}}
    accept = {"Accept": "application/json, text/event-stream"}
    api = {"auth": False, "rate_per_minute": 1, "rate_burst": 1}
    with serve(tmp_path / "data", embedder, onnx_cache, llm, sharing_runtime, api=api) as client:
        first = client.post("/mcp", json=call, headers=accept)
        assert first.status_code == 200, first.text
        result = first.json()["result"]
        assert not result.get("isError") and result["structuredContent"]["hits"] == []
        runtime = client.app.state.services.runtime
        runtime.recorder.flush()
        trace = runtime.traces.get(result["structuredContent"]["trace_id"], runtime.settings.tenant)
        assert trace is not None and trace.tenant == "default" and trace.metadata["via"] == "mcp"
        again = client.post("/mcp", json=call, headers=accept)
        assert again.status_code == 429 and again.json()["title"] == "rate limit exceeded"
        assert int(again.headers["retry-after"]) > 0


def test_what_is_not_one_mcp_message_is_refused_in_our_words(live: Live) -> None:
    auth = {"Authorization": f"Bearer {live.keys['acme']}", "Accept": "application/json, text/event-stream"}
    url = f"{live.base}/mcp"
    # Stateless: no stream to offer on GET (it used to hang until the client left), no session to end.
    for method in ("GET", "DELETE"):
        r = httpx.request(method, url, headers=auth, timeout=10)
        assert r.status_code == 405 and r.headers["allow"] == "POST" and r.json()["title"]
    r = httpx.post(url, content=b"tools/list", headers=auth | {"Content-Type": "text/plain"})
    assert r.status_code == 415 and r.json()["title"] == "unsupported media type"
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    for body in ([call, call], [], {"jsonrpc": "1.0", "id": 1, "method": "tools/list"}, {"id": 1}, "x"):
        r = httpx.post(url, json=body, headers=auth)
        error = r.json()["error"]
        assert r.status_code == 400 and error["code"] == -32600, r.text
        assert "pydantic" not in r.text and "validation error" not in r.text
    r = httpx.post(url, content=b"{not json", headers=auth | {"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == -32700
    big = call | {"params": {"padding": "x" * 2_000_000}}
    r = httpx.post(url, json=big, headers=auth)
    assert r.status_code == 413 and r.json()["title"] == "request too large"
    # And a good message still goes through after all that.
    assert live.run("acme", lambda c: c.list_tools()).tools


def test_the_mount_leaves_the_openapi_document_alone(live: Live) -> None:
    paths = httpx.get(f"{live.base}/openapi.json").json()["paths"]
    assert "/mcp" not in paths and "/v1/query" in paths


# -- stdio ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stdio(
    tmp_path_factory: pytest.TempPathFactory, onnx_cache, sharing_runtime
) -> Iterator[tuple[dict, Any]]:
    """A data directory with the handbook indexed for tenant acme, and the scripted LLM: what
    ``rag mcp --tenant acme`` is started on."""
    from ingest.pipeline import Source

    data = tmp_path_factory.mktemp("mcp-stdio") / "data"
    with ScriptedLLM(default=DEFAULT_REPLY) as llm:
        rt = sharing_runtime(load_settings(data_dir=data, embedding={"cache_dir": onnx_cache}))
        rt.ingestor.ingest([Source.from_path(HANDBOOK, HANDBOOK.name, "acme")])
        rt.close()
        env = {
            "PYTHONPATH": str(ROOT),
            "RAG_DATA_DIR": str(data),
            "RAG_EMBEDDING__CACHE_DIR": str(onnx_cache),
            "RAG_EMBEDDING__THREADS": "2",
            "RAG_LLM__BASE_URL": llm.base_url,
            "RAG_LLM__MODEL": "scripted",
            "RAG_LLM__MAX_RETRIES": "0",
        }
        yield env, llm


def test_rag_mcp_serves_the_tools_on_stdio(stdio: tuple[dict, Any]) -> None:
    env, llm = stdio
    rag = str(Path(sys.executable).with_name("rag"))
    params = StdioServerParameters(command=rag, args=["mcp", "--tenant", "acme"], env=env, cwd=str(ROOT))

    stray: list[Exception] = []  # lines on stdout that are not the protocol's

    async def note(message: Any) -> None:
        if isinstance(message, Exception):
            stray.append(message)

    async def session() -> tuple[Any, ...]:
        async with Client(params, message_handler=note) as c:
            tools = await c.list_tools()
            found = await c.call_tool("search", {"query": "paid annual leave", "top_k": 2})
            asked = await c.call_tool("ask", {"question": LEAVE})
            docs = await c.call_tool("list_documents", {})
            return tools, found, asked, docs

    tools, found, asked, docs = anyio.run(session)
    assert stray == []
    assert {t.name for t in tools.tools} == TOOLS
    assert found.structured_content["hits"][0]["source"] == HANDBOOK.name, text(found)
    assert asked.structured_content["citations"][0]["source"] == HANDBOOK.name, text(asked)
    assert "27 days" in asked.structured_content["answer"] and len(llm.requests) == 1
    assert docs.structured_content["total"] == 1 and docs.structured_content["items"][0]["tenant"] == "acme"


def test_rag_mcp_says_in_one_line_why_it_cannot_start(stdio: tuple[dict, Any]) -> None:
    env, _ = stdio
    rag = str(Path(sys.executable).with_name("rag"))
    # Another process holds the index open, as a running rag serve would.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from app.runtime import Runtime; from core.settings import load_settings; "
            "rt = Runtime(load_settings()); rt.store; print('open', flush=True); time.sleep(60)",
        ],
        env=os.environ | env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        r = subprocess.run(
            [rag, "mcp", "--tenant", "acme"],
            env=os.environ | env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        holder.kill()
        holder.wait()
    assert r.returncode == 1 and r.stdout == ""
    assert "error:" in r.stderr and "index" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_ctrl_c_stops_rag_mcp_at_once(stdio: tuple[dict, Any]) -> None:
    env, _ = stdio
    rag = str(Path(sys.executable).with_name("rag"))
    server = subprocess.Popen(
        [rag, "mcp", "--tenant", "acme"],
        env=os.environ | env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        hello = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"},
            },
        }
        assert server.stdin is not None and server.stdout is not None
        server.stdin.write((json.dumps(hello) + "\n").encode())
        server.stdin.flush()
        assert json.loads(server.stdout.readline())["id"] == 1  # up and answering, stdin still open
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=15) == 128 + signal.SIGINT
    finally:
        if server.poll() is None:
            server.kill()
