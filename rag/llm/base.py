"""The LLM port: chat messages in, a stream of text pieces out, with usage and timing derived once.

An adapter implements one essential method, ``stream(messages, options)``, yielding ``Delta``s: pieces of
text as they arrive, and whatever the model reports along the way (finish reason, usage, model name).
Everything a caller wants on top is derived here, once, for every adapter: ``generate`` (pieces, then one
``Completion`` with usage and timing, so a caller can print tokens live and still get usage at the end),
``complete`` (the whole ``Completion``), usage counted with the adapter's tokenizer when the model reports
none, and refusing a request with no messages before it reaches a model.

Closing a ``generate`` (or ``stream``) iterator early tells the adapter the consumer went away: adapters
stop the model in their ``finally`` (the client disconnected).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from core.errors import LLMError

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    counted: bool = False  # True when we counted ourselves because the response carried no usage

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.counted or other.counted,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "counted": self.counted,
        }


@dataclass(frozen=True, slots=True)
class Options:
    """How much to generate and how freely: the same for every adapter."""

    max_tokens: int
    temperature: float = 0.0

    def __post_init__(self) -> None:
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, not {self.max_tokens}")
        if self.temperature < 0:
            raise ValueError(f"temperature must not be negative, not {self.temperature}")


@dataclass(frozen=True, slots=True)
class Delta:
    """One event of a stream: a piece of text and/or what the model reported with it."""

    text: str = ""
    finish_reason: str | None = None  # "stop", "length" ...: the last one reported wins
    usage: Usage | None = None  # as the model reported it; None when it did not
    model: str | None = None  # the model that answered, when the endpoint names it


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    model: str
    usage: Usage
    finish_reason: str | None
    latency_ms: float
    first_token_ms: float | None = None  # None when the model produced no text


class LLM(Protocol):
    """The port. ``stream`` is the one method an adapter writes; ``close`` releases what it holds."""

    provider: str  # "embedded" | "openai" | "scripted"
    model: str
    context_window: int
    demo_quality: bool  # True for the tiny embedded model: answers are for trying the product out
    count_tokens: Callable[[str], int]  # the tokenizer prompts are budgeted in (rag.llm.tokens)

    def stream(self, messages: Sequence[Message], options: Options) -> Iterator[Delta]: ...

    def close(self) -> None: ...


def generate(llm: LLM, messages: Sequence[Message], options: Options) -> Iterator[str | Completion]:
    """The text pieces as the model produces them, then one ``Completion`` of the whole."""
    if not messages:
        raise LLMError("nothing to send to the language model: the request has no messages")
    t0 = time.perf_counter()
    first: float | None = None
    parts: list[str] = []
    usage: Usage | None = None
    finish: str | None = None
    model = llm.model
    deltas = llm.stream(messages, options)
    try:
        for delta in deltas:
            model = delta.model or model
            usage = delta.usage or usage
            finish = delta.finish_reason or finish
            if delta.text:
                if first is None:
                    first = _ms(t0)
                parts.append(delta.text)
                yield delta.text
                if len(parts) >= options.max_tokens:
                    # Every delta holds a token or more: an endpoint still sending past max_tokens ignores
                    # it, and each further piece would cost the checks of everything before it.
                    finish = "length"
                    break
    finally:
        close = getattr(deltas, "close", None)
        if close is not None:  # our consumer went away: let the adapter stop the model now
            close()
    text = "".join(parts)
    yield Completion(
        text=text,
        model=model,
        usage=usage or _counted(llm, messages, text),
        finish_reason=finish,
        latency_ms=_ms(t0),
        first_token_ms=first,
    )


def complete(llm: LLM, messages: Sequence[Message], options: Options) -> Completion:
    """The whole completion at once: ``generate`` drained."""
    for item in generate(llm, messages, options):
        if isinstance(item, Completion):
            return item
    raise AssertionError("generate() always ends with a Completion")


def _counted(llm: LLM, messages: Sequence[Message], text: str) -> Usage:
    prompt = sum(llm.count_tokens(m["content"]) for m in messages)
    return Usage(prompt, llm.count_tokens(text), counted=True)


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)
