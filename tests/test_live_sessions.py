"""Scripted sessions against a live ``rag serve`` process, one per way in: the ``openai`` SDK, our
Python client (rag_client) and the MCP SDK's client over streamable HTTP. Each uploads, asks, follows
up, gets a cited answer and a refusal, and sees that another tenant's key reaches none of it. The LLM is
the scripted one on loopback; everything else is the product as users start it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import openai
import pytest
from mcp import Client, MCPError
from mcp.client.streamable_http import streamable_http_client

from api_client import DEFAULT_REPLY
from conftest import SAMPLE_DOCS
from llm_server import ScriptedLLM
from rag_client import NotFound, RagClient, Unauthorized
from rag_process import RagServer, rag_env, rag_serve

HANDBOOK = SAMPLE_DOCS / "employee-handbook.md"
LEAVE = "How many days of paid annual leave do employees get?"
PERU = "What is the capital of Peru?"


@pytest.fixture(scope="module")
def llm() -> Iterator[ScriptedLLM]:
    with ScriptedLLM(default=DEFAULT_REPLY) as server:
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, embedder, onnx_cache: Path, llm) -> Iterator[RagServer]:  # noqa: ANN001
    """One ``rag serve`` for the module (the ``embedder`` fixture has exported the ONNX model to the
    cache it reads); a tenant per session, and one that owns nothing."""
    env = rag_env(
        tmp_path_factory.mktemp("live") / "data",
        onnx_cache,
        RAG_LLM__BASE_URL=llm.base_url,
        RAG_LLM__MODEL="scripted",
        RAG_LLM__MAX_RETRIES="0",
    )
    with rag_serve(env, ("sdk", "client", "mcp", "stranger")) as s:
        yield s


@pytest.fixture
def fresh(llm: ScriptedLLM) -> ScriptedLLM:
    llm.requests.clear()
    return llm


def _upload(server: RagServer, tenant: str) -> None:
    with RagClient(server.base_url, server.keys[tenant]) as client:
        (job,) = client.upload(HANDBOOK)
        assert job is not None and job.state == "indexed"


def _asked(llm: ScriptedLLM) -> str:
    return " ".join(m["content"] for r in llm.requests for m in r.messages)


def test_openai_sdk_session(server: RagServer, fresh: ScriptedLLM) -> None:
    _upload(server, "sdk")
    sdk = openai.OpenAI(api_key=server.keys["sdk"], base_url=f"{server.base_url}/v1", max_retries=0)
    assert "rag" in [m.id for m in sdk.models.list().data]
    first = sdk.chat.completions.create(model="rag", messages=[{"role": "user", "content": LEAVE}])
    content = first.choices[0].message.content
    assert "27 days" in content and "[^1]: employee-handbook.md" in content
    assert first.model_extra["citations"][0]["source"] == "employee-handbook.md"
    assert first.usage.total_tokens > 0
    # The follow-up, streamed: the earlier turns reach the question's rewrite.
    fresh.requests.clear()
    messages = [
        {"role": "user", "content": LEAVE},
        {"role": "assistant", "content": content},
        {"role": "user", "content": "And for part-timers?"},
    ]
    chunks = list(sdk.chat.completions.create(model="rag", messages=messages, stream=True))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "[^1]" in streamed and chunks[-1].choices[0].finish_reason == "stop"
    assert LEAVE in _asked(fresh) and "part-timers" in _asked(fresh)
    refused = sdk.chat.completions.create(model="rag", messages=[{"role": "user", "content": PERU}])
    assert refused.model_extra["refused"] is True and refused.model_extra["citations"] == []
    # Another tenant's key: the same question finds nothing of this tenant's.
    stranger = openai.OpenAI(api_key=server.keys["stranger"], base_url=f"{server.base_url}/v1", max_retries=0)
    theirs = stranger.chat.completions.create(model="rag", messages=[{"role": "user", "content": LEAVE}])
    assert theirs.model_extra["refused"] is True and "27 days" not in theirs.choices[0].message.content
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(api_key="rk_forged", base_url=f"{server.base_url}/v1", max_retries=0).models.list()


def test_python_client_session(server: RagServer, fresh: ScriptedLLM) -> None:
    with RagClient(server.base_url, server.keys["client"]) as client:
        (job,) = client.upload(HANDBOOK)
        assert job is not None and job.state == "indexed" and job.chunks > 0
        (doc,) = client.documents()  # not the "sdk" tenant's copy, uploaded before
        answer = client.ask(LEAVE)
        assert not answer.refused and "27 days" in answer.answer
        assert answer.citations[0].source == "employee-handbook.md"
        fresh.requests.clear()
        *text, follow = list(
            client.ask_stream("And for part-timers?", conversation_id=answer.conversation_id)
        )
        assert "".join(text).strip() and follow.conversation_id == answer.conversation_id
        assert LEAVE in _asked(fresh)  # the conversation's earlier turn reached the rewrite
        client.feedback(answer.trace_id, 1, "right")
        refused = client.ask(PERU)
        assert refused.refused and refused.refusal and refused.citations == []
    with RagClient(server.base_url, server.keys["stranger"]) as stranger:
        assert stranger.documents() == [] and stranger.search("annual leave") == []
        with pytest.raises(NotFound):
            stranger.document(doc.id)
    with RagClient(server.base_url, "rk_forged") as forged, pytest.raises(Unauthorized):
        forged.documents()


def test_mcp_session(server: RagServer, fresh: ScriptedLLM) -> None:
    _upload(server, "mcp")

    async def session(key: str, script: Any) -> Any:
        headers = {"Authorization": f"Bearer {key}"}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=60) as http,
            Client(streamable_http_client(f"{server.base_url}/mcp", http_client=http)) as client,
        ):
            return await script(client)

    async def ours(c: Client) -> dict[str, Any]:
        tools = {t.name for t in (await c.list_tools()).tools}
        assert {"search", "ask", "list_documents", "get_document"} <= tools
        (doc,) = (await c.call_tool("list_documents", {})).structured_content["items"]
        hits = (await c.call_tool("search", {"query": "paid annual leave"})).structured_content["hits"]
        assert hits[0]["source"] == "employee-handbook.md"
        first = (await c.call_tool("ask", {"question": LEAVE})).structured_content
        assert first["refused"] is False and first["citations"][0]["source"] == "employee-handbook.md"
        fresh.requests.clear()
        follow = await c.call_tool(
            "ask", {"question": "And for part-timers?", "conversation_id": first["conversation_id"]}
        )
        assert not follow.is_error and LEAVE in _asked(fresh)
        refused = (await c.call_tool("ask", {"question": PERU})).structured_content
        assert refused["refused"] is True and refused["citations"] == []
        read = await c.read_resource(f"rag://documents/{doc['id']}")
        assert "27 days" in read.contents[0].text
        return doc

    doc = anyio.run(session, server.keys["mcp"], ours)

    async def theirs(c: Client) -> None:
        assert (await c.call_tool("list_documents", {})).structured_content["items"] == []
        got = await c.call_tool("get_document", {"document_id": doc["id"]})
        assert got.is_error and "document not found" in got.content[0].text
        asked = (await c.call_tool("ask", {"question": LEAVE})).structured_content
        assert asked["refused"] is True and "27 days" not in asked["answer"]
        with pytest.raises(MCPError, match="document not found"):
            await c.read_resource(f"rag://documents/{doc['id']}")

    anyio.run(session, server.keys["stranger"], theirs)
    forged = httpx.post(
        f"{server.base_url}/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"Authorization": "Bearer rk_forged", "Accept": "application/json, text/event-stream"},
    )
    assert forged.status_code == 401 and forged.json()["title"]
