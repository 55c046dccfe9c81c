"""The LLM port: chat messages in, text out (whole or streamed), with usage and timing.

Both adapters speak the OpenAI chat-completions shape. ``stream`` yields text pieces as they arrive and
ends with one ``Completion`` (the same object ``complete`` returns), so a caller can print tokens live and
still get usage and timing at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

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
class Completion:
    text: str
    model: str
    usage: Usage
    finish_reason: str | None
    latency_ms: float
    first_token_ms: float | None = None  # streaming only
    extra: dict[str, Any] = field(default_factory=dict)


class LLM(Protocol):
    provider: str  # "embedded" | "openai"
    model: str
    context_window: int
    demo_quality: bool  # True for the tiny embedded model: answers are for trying the product out

    def complete(self, messages: list[Message], *, max_tokens: int, temperature: float) -> Completion: ...

    def stream(
        self, messages: list[Message], *, max_tokens: int, temperature: float
    ) -> Iterator[str | Completion]: ...

    def count_tokens(self, text: str) -> int: ...

    def close(self) -> None: ...
