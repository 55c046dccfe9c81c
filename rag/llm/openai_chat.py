"""Adapter: any OpenAI-compatible chat-completions endpoint (vLLM, Ollama, llama.cpp server, LM Studio,
OpenAI) through the ``openai`` SDK. The SDK retries 408/409/429/5xx and connection errors with
exponential backoff and honours Retry-After; we set how many times and how long to wait."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from core.errors import LLMError
from rag.llm.base import Completion, Message, Usage


class OpenAIChat:
    provider = "openai"
    demo_quality = False

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout_s: float,
        max_retries: int,
        context_window: int,
        count_tokens: Callable[[str], int],
    ) -> None:
        import openai

        self.model = model
        self.context_window = context_window
        self._count = count_tokens
        # An explicit key always: the SDK would otherwise read OPENAI_API_KEY from the environment.
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=max_retries
        )

    def count_tokens(self, text: str) -> int:
        return self._count(text)

    def complete(self, messages: list[Message], *, max_tokens: int, temperature: float) -> Completion:
        t0 = time.perf_counter()
        with _errors(self.model):
            resp = self._client.chat.completions.create(
                model=self.model,
                messages=messages,
                max_tokens=max_tokens,
                temperature=temperature,  # type: ignore[arg-type]
            )
        if not resp.choices:
            raise LLMError(f"the LLM endpoint returned no choices for model {self.model!r}")
        choice = resp.choices[0]
        text = choice.message.content or ""
        usage = (
            Usage(resp.usage.prompt_tokens, resp.usage.completion_tokens)
            if resp.usage
            else self._counted(messages, text)
        )
        return Completion(
            text=text,
            model=resp.model or self.model,
            usage=usage,
            finish_reason=choice.finish_reason,
            latency_ms=_ms(t0),
        )

    def stream(
        self, messages: list[Message], *, max_tokens: int, temperature: float
    ) -> Iterator[str | Completion]:
        t0 = time.perf_counter()
        first: float | None = None
        parts: list[str] = []
        usage: Usage | None = None
        finish: str | None = None
        model = self.model
        with _errors(self.model):
            events = self._client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                max_tokens=max_tokens,
                temperature=temperature,
                stream=True,
                stream_options={"include_usage": True},
            )
            for event in events:
                model = event.model or model
                if event.usage:
                    usage = Usage(event.usage.prompt_tokens, event.usage.completion_tokens)
                for choice in event.choices:
                    finish = choice.finish_reason or finish
                    piece = choice.delta.content if choice.delta else None
                    if piece:
                        if first is None:
                            first = _ms(t0)
                        parts.append(piece)
                        yield piece
        text = "".join(parts)
        yield Completion(
            text=text,
            model=model,
            usage=usage or self._counted(messages, text),
            finish_reason=finish,
            latency_ms=_ms(t0),
            first_token_ms=first,
        )

    def _counted(self, messages: list[Message], text: str) -> Usage:
        prompt = sum(self._count(m["content"]) for m in messages)
        return Usage(prompt, self._count(text), counted=True)

    def close(self) -> None:
        self._client.close()


@contextmanager
def _errors(model: str) -> Iterator[None]:
    """Turns the SDK's exceptions (after its retries) into LLMError with the reason in words."""
    import openai

    try:
        yield
    except openai.APITimeoutError as e:
        raise LLMError("the LLM endpoint timed out (RAG_LLM__TIMEOUT_S) after its retries") from e
    except openai.APIConnectionError as e:
        raise LLMError(f"cannot reach the LLM endpoint: {e.__cause__ or e}") from e
    except openai.APIStatusError as e:
        raise LLMError(
            f"the LLM endpoint answered HTTP {e.status_code} for model {model!r}: {_detail(e)}"
        ) from e
    except openai.OpenAIError as e:
        raise LLMError(f"LLM call failed: {e}") from e


def _detail(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            return str(err.get("message", err))[:300]
        return str(err)[:300]
    return str(exc)[:300]


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)
