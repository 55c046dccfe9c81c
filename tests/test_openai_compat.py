"""The OpenAI-compatible endpoints through the real ``openai`` SDK, bound to the app (no socket): real
Qdrant Edge, the real embedding model, real files, the scripted LLM."""

from __future__ import annotations

import openai
import pytest

from api_client import DEFAULT_REPLY, key, upload
from conftest import SAMPLE_DOCS
from llm_server import Reply

HANDBOOK = (SAMPLE_DOCS / "employee-handbook.md").read_bytes()
LEAVE = "How many days of paid annual leave do employees get?"


def sdk(client, headers: dict[str, str]) -> openai.OpenAI:
    """The SDK sending through the app's TestClient (an httpx.Client), with our API key as its key."""
    secret = headers["Authorization"].removeprefix("Bearer ")
    return openai.OpenAI(api_key=secret, base_url="http://testserver/v1", http_client=client, max_retries=0)


@pytest.fixture
def acme(client):
    a = key(client, "acme")
    upload(client, a, ("employee-handbook.md", HANDBOOK))
    return sdk(client, a)


def test_models_list_rag_and_one_per_answer_template(acme) -> None:
    ids = [m.id for m in acme.models.list().data]
    assert ids[0] == "rag" and {"rag:answer@1", "rag:answer@2"} <= set(ids)
    assert not any("rewrite" in i for i in ids)
    one = acme.models.retrieve("rag:answer@2")
    assert one.id == "rag:answer@2" and one.object == "model"
    with pytest.raises(openai.NotFoundError, match="rag:answer@1"):  # the error lists the known ones
        acme.models.retrieve("gpt-4o")


def test_answer_with_footnotes_citations_usage(acme, llm) -> None:
    r = acme.chat.completions.create(model="rag", messages=[{"role": "user", "content": LEAVE}])
    content = r.choices[0].message.content
    assert content.startswith("Employees get 27 days of paid annual leave [^1].")
    # The footnote says where (file, section) and quotes the evidence.
    where = "employee-handbook.md (Halcyon Robotics Employee Handbook > Leave > Annual leave)"
    assert f'\n\n[^1]: {where} — "' in content and "27 days" in content.split("[^1]:")[1]
    extra = r.model_extra
    assert extra["refused"] is False and extra["citations"][0]["source"] == "employee-handbook.md"
    assert "27 days" in extra["citations"][0]["passage"]
    assert r.usage.prompt_tokens == 700 and r.usage.total_tokens == 712
    assert r.object == "chat.completion" and r.model == "rag"
    # The model names a prompt template: the answer's prompt is that one.
    acme.chat.completions.create(model="rag:answer@2", messages=[{"role": "user", "content": LEAVE}])
    sent = [m["content"] for m in llm.requests[-1].messages]
    assert sent != [m["content"] for m in llm.requests[0].messages]


def test_stream_assembles_to_the_same_content_and_ends_with_done(client, acme, llm) -> None:
    whole = acme.chat.completions.create(model="rag", messages=[{"role": "user", "content": LEAVE}])
    # The marker split across pieces still becomes a footnote reference.
    llm.queue(Reply(stream=["Employees get 27 days ", "of paid annual leave [", "1]."], usage=(700, 12)))
    stream = acme.chat.completions.create(
        model="rag",
        messages=[{"role": "user", "content": LEAVE}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage.total_tokens == 712
    raw = client.post(
        "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": LEAVE}], "stream": True},
        headers={"Authorization": f"Bearer {acme.api_key}"},
    )
    assert raw.headers["content-type"].startswith("text/event-stream")
    assert raw.text.endswith("data: [DONE]\n\n")


def test_follow_up_sees_the_earlier_turns(acme, llm) -> None:
    llm.queue(Reply("How many days of paid annual leave do part-time employees get?"))
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": LEAVE},
        {"role": "assistant", "content": "27 days [^1]."},
        {"role": "user", "content": "And for part-timers?"},
    ]
    r = acme.chat.completions.create(model="rag", messages=messages)
    rewrite = " ".join(m["content"] for m in llm.requests[0].messages)
    assert LEAVE in rewrite and "27 days" in rewrite and "part-timers" in rewrite
    assert r.choices[0].message.content.startswith(DEFAULT_REPLY.text[:-5])


def test_refusal_is_an_assistant_message_saying_why(acme, llm) -> None:
    r = acme.chat.completions.create(
        model="rag", messages=[{"role": "user", "content": "What is the capital of Peru?"}]
    )
    extra = r.model_extra
    assert extra["refused"] is True and extra["refusal"]["reason"] and llm.requests == []
    assert r.choices[0].message.role == "assistant"
    assert r.choices[0].message.content.endswith(extra["refusal"]["message"])


def test_another_tenant_sees_nothing_of_the_first(client, acme, llm) -> None:
    globex = sdk(client, key(client, "globex"))
    r = globex.chat.completions.create(model="rag", messages=[{"role": "user", "content": LEAVE}])
    assert r.model_extra["refused"] is True and r.model_extra["citations"] == []
    assert "27 days" not in r.choices[0].message.content and llm.requests == []
    with pytest.raises(openai.AuthenticationError):
        sdk(client, {"Authorization": "Bearer nope"}).models.list()


@pytest.mark.parametrize(
    ("model", "messages", "error", "words"),
    [
        ("rag", [], openai.UnprocessableEntityError, "messages"),
        (
            "rag",
            [{"role": "system", "content": "Be brief."}],
            openai.UnprocessableEntityError,
            "user message",
        ),
        ("rag", [{"role": "user", "content": "  "}], openai.UnprocessableEntityError, "user message"),
        ("gpt-4o", [{"role": "user", "content": LEAVE}], openai.NotFoundError, "not 'gpt-4o'"),
        (
            "rag",
            [{"role": "user", "content": "leave? " + "a" * 4000}],
            openai.UnprocessableEntityError,
            "4000",
        ),
        (
            "rag",
            [{"role": "assistant", "content": "x" * 20_001}, {"role": "user", "content": LEAVE}],
            openai.UnprocessableEntityError,
            "at most 20000 characters",
        ),
        (
            "rag",
            [{"role": "user", "content": [{"type": "text", "text": "y" * 15_000}] * 2}],
            openai.UnprocessableEntityError,
            "at most 20000 characters",
        ),
    ],
)
def test_bad_requests_are_clear_api_errors(acme, model, messages, error, words) -> None:
    with pytest.raises(error) as raised:
        acme.chat.completions.create(model=model, messages=messages)
    assert words in str(raised.value) and raised.value.status_code < 500
    assert raised.value.body["detail"] and "Error" not in raised.value.body["detail"]


def test_a_failure_mid_stream_reaches_the_sdk_as_an_api_error(acme, llm) -> None:
    llm.queue(Reply(status=500, error="boom"))
    stream = acme.chat.completions.create(
        model="rag", messages=[{"role": "user", "content": LEAVE}], stream=True
    )
    with pytest.raises(openai.APIError, match="boom"):
        list(stream)


def test_one_choice_a_real_boolean_and_a_bounded_body(client, acme) -> None:
    auth = {"Authorization": f"Bearer {acme.api_key}"}
    ask = {"messages": [{"role": "user", "content": LEAVE}]}
    for extra, words in (({"n": 3}, "n: "), ({"stream": "yes"}, "stream: ")):
        r = client.post("/v1/chat/completions", json=ask | extra, headers=auth)
        assert r.status_code == 422 and words in r.json()["detail"], r.text
    # A body of megabytes is refused before it is read: declared, or sent in chunks without a length.
    huge = {"messages": [{"role": "user", "content": "leave? " + "a" * 5_000_000}]}
    r = client.post("/v1/chat/completions", json=huge, headers=auth)
    assert r.status_code == 413 and "RAG_API__MAX_BODY_KB" in r.json()["detail"]

    def chunks():
        yield b'{"messages": [{"role": "user", "content": "'
        for _ in range(300):
            yield b"a" * 10_000
        yield b'"}]}'

    r = client.post(
        "/v1/chat/completions", content=chunks(), headers=auth | {"content-type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["title"] == "request too large"


def test_brackets_beyond_the_sources_stay_as_written_in_a_stream(acme, llm) -> None:
    llm.queue(Reply(stream=["Employees get 27 days [", "1] since [2024] and [", "7]."], usage=(700, 12)))
    chunks = list(
        acme.chat.completions.create(model="rag", messages=[{"role": "user", "content": LEAVE}], stream=True)
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "[^1]" in text and "[^2024]" not in text and "[^7]" not in text
