"""The OpenAI-compatible adapter against a scripted server on loopback: real HTTP, the real SDK."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from core.errors import LLMError
from llm_server import Reply, ScriptedLLM
from rag.llm.base import Completion, Options, complete, generate
from rag.llm.openai_chat import OpenAIChat

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello?"}]


def _chat(server: ScriptedLLM, **kw) -> OpenAIChat:
    args = dict(
        base_url=server.base_url,
        model="scripted-model",
        api_key="sk-test",
        timeout_s=5.0,
        max_retries=2,
        context_window=4096,
        count_tokens=lambda text: len(text.split()),
    )
    return OpenAIChat(**(args | kw))


def test_complete_returns_text_usage_and_sends_the_request() -> None:
    with ScriptedLLM() as server:
        server.queue(Reply("Hi there [1].", usage=(42, 7)))
        c = complete(_chat(server), MESSAGES, Options(33))
    assert c.text == "Hi there [1]." and c.model == "scripted-model" and c.finish_reason == "stop"
    assert (c.usage.prompt_tokens, c.usage.completion_tokens, c.usage.counted) == (42, 7, False)
    (req,) = server.requests
    assert req.path == "/v1/chat/completions"
    assert req.headers["authorization"] == "Bearer sk-test"
    assert (
        req.body["messages"] == MESSAGES
        and req.body["max_tokens"] == 33
        and req.body["model"] == "scripted-model"
    )


def test_stream_yields_pieces_then_a_completion_with_usage() -> None:
    with ScriptedLLM() as server:
        server.queue(Reply(stream=["Twenty", "-seven", " days [1]."], usage=(120, 5)))
        items = list(generate(_chat(server), MESSAGES, Options(20)))
    *pieces, final = items
    assert pieces == ["Twenty", "-seven", " days [1]."]
    assert isinstance(final, Completion) and final.text == "Twenty-seven days [1]."
    assert final.usage.prompt_tokens == 120 and final.usage.completion_tokens == 5
    assert final.first_token_ms is not None and final.first_token_ms <= final.latency_ms
    assert server.requests[0].body["stream"] is True


@pytest.mark.parametrize("status", [429, 500, 503])
def test_retries_transient_errors_then_succeeds(status: int) -> None:
    with ScriptedLLM() as server:
        server.queue(
            Reply(status=status, headers={"retry-after-ms": "10"}),
            Reply(status=status, headers={"retry-after-ms": "10"}),
            Reply("recovered"),
        )
        c = complete(_chat(server, max_retries=2), MESSAGES, Options(5))
    assert c.text == "recovered" and len(server.requests) == 3


def test_gives_up_after_its_retries_with_the_status_in_words() -> None:
    with ScriptedLLM(
        default=Reply(status=429, error="slow down", headers={"retry-after-ms": "10"})
    ) as server:
        with pytest.raises(LLMError, match=r"HTTP 429 .*slow down"):
            complete(_chat(server, max_retries=1), MESSAGES, Options(5))
    assert len(server.requests) == 2


def test_client_errors_are_not_retried() -> None:
    with ScriptedLLM() as server:
        server.queue(Reply(status=400, error="model not found"))
        with pytest.raises(LLMError, match="HTTP 400.*model not found"):
            complete(_chat(server), MESSAGES, Options(5))
    assert len(server.requests) == 1


def test_timeout_is_an_llm_error() -> None:
    with ScriptedLLM() as server:
        server.queue(Reply("too late", delay_s=1.0))
        t = time.perf_counter()
        with pytest.raises(LLMError, match="timed out"):
            complete(_chat(server, timeout_s=0.2, max_retries=0), MESSAGES, Options(5))
    assert time.perf_counter() - t < 1.0


def test_unreachable_endpoint_is_an_llm_error(tmp_path: Path) -> None:
    with ScriptedLLM() as server:
        url = server.base_url
    chat = OpenAIChat(
        base_url=url,  # the server is gone: connection refused
        model="m",
        api_key=None,
        timeout_s=1.0,
        max_retries=0,
        context_window=4096,
        count_tokens=len,
    )
    with pytest.raises(LLMError, match="cannot reach"):
        complete(chat, MESSAGES, Options(5))


def test_usage_is_counted_when_the_endpoint_sends_none() -> None:
    with ScriptedLLM() as server:
        server.queue(Reply("one two three", usage=None), Reply(stream=["four ", "five"], usage=None))
        chat = _chat(server)
        c = complete(chat, MESSAGES, Options(5))
        *_, s = generate(chat, MESSAGES, Options(5))
    assert c.usage.counted and c.usage.prompt_tokens == 3 and c.usage.completion_tokens == 3
    assert isinstance(s, Completion) and s.usage.counted and s.usage.completion_tokens == 2
