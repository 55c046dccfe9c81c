"""Adapter: any OpenAI-compatible chat-completions endpoint (vLLM, Ollama, llama.cpp server, LM Studio,
OpenAI) through the ``openai`` SDK. The SDK retries 408/409/429/5xx and connection errors with
exponential backoff and honours Retry-After; we set how many times and how long to wait."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from core.errors import LLMError
from rag.llm.base import Delta, Message, Options, Usage


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
        self.count_tokens = count_tokens
        # An explicit key always: the SDK would otherwise read OPENAI_API_KEY from the environment.
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=max_retries
        )

    def stream(self, messages: Sequence[Message], options: Options) -> Iterator[Delta]:
        with _errors(self.model):
            events = self._client.chat.completions.create(
                model=self.model,
                messages=list(messages),  # type: ignore[arg-type]
                max_tokens=options.max_tokens,
                temperature=options.temperature,
                stream=True,
                stream_options={"include_usage": True},
            )
            with events:  # closed when the consumer stops early: the connection goes, the server stops
                for event in events:
                    choice = event.choices[0] if event.choices else None  # one choice: n is never set
                    yield Delta(
                        text=(choice.delta.content if choice and choice.delta else None) or "",
                        finish_reason=choice.finish_reason if choice else None,
                        usage=Usage(event.usage.prompt_tokens, event.usage.completion_tokens)
                        if event.usage
                        else None,
                        model=event.model or None,
                    )

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
