"""Scripted sessions against a live ``rag serve`` process, one per way in: the ``openai`` SDK, our
Python client (rag_client) and an MCP client. Each uploads, asks, follows up, gets a cited answer and a
refusal, and sees that another tenant's key reaches none of it. The LLM is the scripted one on loopback;
everything else is the product as users start it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

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
        (doc,) = client.documents()
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
    # The other sessions' tenants own their copies; nothing of theirs shows here either.
    assert (
        httpx.get(
            f"{server.base_url}/v1/documents", headers={"Authorization": f"Bearer {server.keys['stranger']}"}
        ).json()["items"]
        == []
    )
