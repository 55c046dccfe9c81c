"""In-process fakes of the ports whose real adapters are slow or remote, for fast tests of the code
around them: a scripted LLM and a deterministic embedder. Each passes its port's contract suite
(tests/test_llm_contract.py, tests/test_embed_contract.py), is deterministic, and records its calls."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache

import numpy as np

from core.errors import LLMError
from llm_server import Reply, Request
from rag.llm.base import Delta, Message, Options, Usage

# ---- LLM --------------------------------------------------------------------------------------------------


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


# ---- Embedder --------------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")


@lru_cache(maxsize=200_000)
def _bucket(feature: str, dim: int) -> tuple[int, float]:
    """A feature's dimension and sign. blake2b, not ``hash()``: the same in every process and run."""
    h = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
    return h % dim, (1.0 if (h >> 63) & 1 else -1.0)


class FakeEmbedder:
    """An ``Embedder`` without a model: the hashed bag of a text's words and of their character trigrams,
    L2-normalised. Texts sharing words or word stems come out close ("charges"/"charging"), unrelated
    texts near orthogonal; no download, no threads, microseconds a text. Like the real models it reads
    only the first ``max_seq_length`` tokens (words here) and gives the empty text a vector of its own.
    ``fail_on`` makes it raise ``EmbeddingError`` for any batch holding a text containing that string
    (fault injection); ``calls`` records every batch it embedded."""

    backend = "fake"

    def __init__(
        self,
        dim: int = 384,
        model_name: str = "fake/hashed-trigrams",
        max_seq_length: int = 256,
        fail_on: str | None = None,
    ) -> None:
        self.dim = dim
        self.model_name = model_name
        self.max_seq_length = max_seq_length
        self.fail_on = fail_on
        self.calls: list[list[str]] = []
        self._loaded = False
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._loaded

    def warm_up(self) -> None:
        self._loaded = True

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for word in _WORD.findall(text.lower())[: self.max_seq_length]:
            i, sign = _bucket(word, self.dim)
            v[i] += sign
            padded = f"<{word}>"
            for k in range(len(padded) - 2):
                i, sign = _bucket(padded[k : k + 3], self.dim)
                v[i] += 0.5 * sign
        norm = float(np.linalg.norm(v))
        if norm == 0.0:  # no words: one fixed direction, as a model gives "" a vector of its own
            v[_bucket("", self.dim)[0]] = 1.0
            return v
        return v / norm

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        from core.errors import EmbeddingError

        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.fail_on is not None and any(self.fail_on in t for t in texts):
            raise EmbeddingError(f"the fake embedder was told to fail on {self.fail_on!r}")
        self.warm_up()
        with self._lock:
            self.calls.append(texts)
        return np.stack([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]
