"""In-process fakes for the ports whose real adapters are slow or remote. Each behaves like its port (the
contract suites run on it too), is deterministic, and records its calls."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

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
