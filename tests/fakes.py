"""In-process fakes of the ports, for fast tests of the code around them. Each one passes its port's
contract suite (tests/test_llm_contract.py ...), so a test that uses it tests what the real adapters do."""

from __future__ import annotations

# ---- LLM
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence

from core.errors import LLMError
from llm_server import Reply, Request
from rag.llm.base import Delta, Message, Options, Usage


def count_words(text: str) -> int:
    """The fake's tokenizer: one token a word (a close enough stand-in for budgeting tests)."""
    return len(text.split())


class ScriptedLLM:
    """The LLM port in process: ``ScriptedLLM().queue(Reply("..."))``, then ``llm.requests`` holds what
    was asked. It takes the same ``Reply`` script and records the same ``Request`` as the loopback server
    (tests/llm_server.py), so a test can swap one for the other:

    - ``Reply(stream=[...])`` streams in those pieces (``Reply(text)``: one piece); each piece counts as
      one token against ``max_tokens``, and a reply cut there finishes with "length";
    - ``Reply(status=500, error="...")`` raises ``LLMError`` on cue (no reply left and no default: too);
    - ``Reply(usage=(prompt, completion))`` is the usage reported; ``usage=None`` reports none.

    ``cancelled`` counts the streams whose consumer went away before the end."""

    provider = "scripted"
    demo_quality = False

    def __init__(
        self,
        default: Reply | None = None,
        *,
        model: str = "scripted",
        context_window: int = 8192,
        count_tokens: Callable[[str], int] = count_words,
    ) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[Request] = []
        self.default = default
        self.model = model
        self.context_window = context_window
        self.count_tokens = count_tokens
        self.cancelled = 0
        self.closed = False
        self._lock = threading.Lock()

    def queue(self, *replies: Reply) -> ScriptedLLM:
        self.replies.extend(replies)
        return self

    def __enter__(self) -> ScriptedLLM:  # as the loopback server is used
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stream(self, messages: Sequence[Message], options: Options) -> Iterator[Delta]:
        body = {
            "model": self.model,
            "messages": [dict(m) for m in messages],
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
            "stream": True,
        }
        with self._lock:
            self.requests.append(Request("/v1/chat/completions", {}, body))
            reply = self.replies.popleft() if self.replies else self.default
        if reply is None:
            raise LLMError("the scripted LLM has no reply left")
        if reply.delay_s:
            time.sleep(reply.delay_s)
        if reply.status != 200:
            raise LLMError(f"the scripted LLM answered HTTP {reply.status}: {reply.error}")
        pieces = reply.stream if reply.stream is not None else [reply.text]
        cut = len(pieces) > options.max_tokens
        pieces = pieces[: options.max_tokens]
        usage = None
        if reply.usage is not None:
            prompt, completion = reply.usage
            usage = Usage(prompt, min(completion, len(pieces)) if cut else completion)
        finished = False
        try:
            for piece in pieces:
                yield Delta(text=piece)
            finished = True
            yield Delta(finish_reason="length" if cut else reply.finish_reason, usage=usage, model=self.model)
        finally:
            if not finished:
                self.cancelled += 1

    def close(self) -> None:
        self.closed = True
