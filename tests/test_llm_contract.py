"""The LLM port's contract, run on every adapter: the OpenAI-compatible one against the scripted server on
loopback (real HTTP, the real SDK), the in-process fake (tests/fakes.py), and the embedded SmolLM2 (slow).

What every LLM does: streams text pieces whose join is the completion, reports usage (or has it counted),
stops at max_tokens and says so, raises LLMError with the reason in words, refuses an empty request before
it reaches a model, and stays usable after a consumer stops reading a stream early."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from core.errors import LLMError
from fakes import ScriptedLLM
from llm_server import Reply
from llm_server import ScriptedLLM as ScriptedServer
from rag.llm.base import LLM, Completion, Delta, Options, complete, generate

MESSAGES = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Count from one to five."},
]
LONG = [{"role": "user", "content": "Write a long story about robots."}]


@dataclass
class Harness:
    """An adapter under test, and the script behind it (None for a real model, whose words are its own)."""

    llm: LLM
    script: ScriptedServer | ScriptedLLM | None = None

    def say(self, *replies: Reply) -> None:
        if self.script is not None:
            self.script.queue(*replies)

    def cut_at(self, n: int) -> None:
        """The next reply runs into a limit of n tokens."""
        words = [f" w{i}" for i in range(n + 3)]
        if isinstance(self.script, ScriptedServer):  # an endpoint stops at the limit itself
            self.say(Reply(stream=words[:n], usage=(20, n), finish_reason="length"))
        else:  # the fake cuts its script at the limit
            self.say(Reply(stream=words, usage=(20, n + 3)))

    def fail(self) -> list[dict[str, str]]:
        """Messages the model cannot take: the real one's context overflows, a script fails on cue."""
        self.say(Reply(status=400, error="the request exceeds the available context size"))
        return [{"role": "user", "content": "word " * (self.llm.context_window + 100)}]


def _openai() -> Iterator[Harness]:
    from rag.llm.openai_chat import OpenAIChat

    with ScriptedServer() as server:
        chat = OpenAIChat(
            base_url=server.base_url,
            model="scripted-model",
            api_key=None,
            timeout_s=5.0,
            max_retries=0,
            context_window=4096,
            count_tokens=lambda text: len(text.split()),
        )
        yield Harness(chat, server)
        chat.close()


def _fake() -> Iterator[Harness]:
    with ScriptedLLM() as fake:
        yield Harness(fake, fake)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LLM]:
    from rag.llm.embedded import EmbeddedChat
    from rag.llm.tokens import GgufTokenCounter, packaged_gguf_path

    counter = GgufTokenCounter(packaged_gguf_path(), tmp_path_factory.mktemp("tok"))
    llm = EmbeddedChat(
        packaged_gguf_path(),
        context_window=2048,
        threads=2,
        count_tokens=counter.count,
        special_tokens=counter.special_tokens,
    )
    llm.warm_up()
    yield llm
    llm.close()


@pytest.fixture(
    params=["openai", "fake", pytest.param("embedded", marks=pytest.mark.slow)],
)
def h(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "embedded":
        yield Harness(request.getfixturevalue("embedded"))
    else:
        yield from (_openai if request.param == "openai" else _fake)()


def test_it_describes_itself(h: Harness) -> None:
    llm = h.llm
    assert llm.provider and isinstance(llm.provider, str) and llm.model and isinstance(llm.model, str)
    assert llm.context_window > 0 and isinstance(llm.demo_quality, bool)
    assert llm.count_tokens("") == 0 < llm.count_tokens("How many days of leave?")


def test_streamed_pieces_join_to_the_completion(h: Harness) -> None:
    h.say(Reply(stream=["One", ", two", ", three."]))
    *pieces, final = generate(h.llm, MESSAGES, Options(max_tokens=12))
    assert pieces and all(isinstance(p, str) and p for p in pieces)
    assert isinstance(final, Completion) and final.text == "".join(pieces)
    assert final.model and final.finish_reason in {"stop", "length"}
    assert final.first_token_ms is not None and 0 <= final.first_token_ms <= final.latency_ms
    if h.script is not None:
        assert pieces == ["One", ", two", ", three."]


def test_the_port_streams_deltas_and_complete_is_their_join(h: Harness) -> None:
    h.say(Reply(stream=["One", ", two"]), Reply(stream=["One", ", two"]))
    deltas = list(h.llm.stream(MESSAGES, Options(max_tokens=12)))
    assert deltas and all(isinstance(d, Delta) for d in deltas)
    c = complete(h.llm, MESSAGES, Options(max_tokens=12))
    assert c.text and "".join(d.text for d in deltas) == c.text  # greedy: the same both times


def test_usage_is_reported(h: Harness) -> None:
    h.say(Reply("One, two.", usage=(31, 4)))
    c = complete(h.llm, MESSAGES, Options(max_tokens=12))
    assert c.usage.prompt_tokens > 0 and 0 < c.usage.completion_tokens <= 12 and not c.usage.counted
    if h.script is not None:
        assert (c.usage.prompt_tokens, c.usage.completion_tokens) == (31, 4)


def test_usage_is_counted_when_the_model_reports_none(h: Harness) -> None:
    if h.script is None:
        pytest.skip("a real model always reports its usage")
    h.say(Reply(stream=["one two", " three"], usage=None))
    c = complete(h.llm, MESSAGES, Options(max_tokens=12))
    count = h.llm.count_tokens
    assert c.usage.counted and c.usage.completion_tokens == count("one two three")
    assert c.usage.prompt_tokens == sum(count(m["content"]) for m in MESSAGES)


def test_it_stops_at_max_tokens_and_says_so(h: Harness) -> None:
    h.cut_at(3)
    c = complete(h.llm, LONG, Options(max_tokens=3))
    assert c.finish_reason == "length" and 0 < c.usage.completion_tokens <= 3
    if h.script is not None:
        assert h.script.requests[-1].body["max_tokens"] == 3


def test_messages_and_options_reach_the_model(h: Harness) -> None:
    if h.script is None:
        pytest.skip("a real model's requests are not recorded")
    h.say(Reply("ok"))
    complete(h.llm, MESSAGES, Options(max_tokens=7, temperature=0.3))
    (req,) = h.script.requests
    assert req.messages == MESSAGES and req.body["max_tokens"] == 7 and req.body["temperature"] == 0.3


def test_a_failure_is_an_llm_error_in_words(h: Harness) -> None:
    messages = h.fail()
    with pytest.raises(LLMError) as e:
        complete(h.llm, messages, Options(max_tokens=3))
    message = str(e.value)
    assert "context size" in message
    assert not re.search(r"0x[0-9a-f]{6,}|Traceback|Error\(", message), message
    h.say(Reply("still here"))
    assert complete(h.llm, MESSAGES, Options(max_tokens=3)).text  # and the model is still usable


def test_an_empty_request_is_refused_before_it_reaches_the_model(h: Harness) -> None:
    with pytest.raises(LLMError, match="no messages"):
        complete(h.llm, [], Options(max_tokens=3))
    if h.script is not None:
        assert h.script.requests == []


def test_a_stream_closed_early_leaves_the_model_usable(h: Harness) -> None:
    h.say(Reply(stream=["Once", " upon", " a", " time"]), Reply("yes"))
    stream = generate(h.llm, LONG, Options(max_tokens=200))
    assert isinstance(next(stream), str)
    stream.close()  # the consumer went away (a client disconnected)
    c = complete(h.llm, [{"role": "user", "content": "Say yes."}], Options(max_tokens=3))
    assert c.text
    if isinstance(h.script, ScriptedLLM):
        assert h.script.cancelled == 1


@pytest.mark.parametrize(("max_tokens", "temperature"), [(0, 0.0), (5, -0.1)])
def test_options_refuse_nonsense(max_tokens: int, temperature: float) -> None:
    with pytest.raises(ValueError, match="max_tokens|temperature"):
        Options(max_tokens, temperature)
