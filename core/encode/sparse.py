"""BM25 as sparse vectors for Qdrant, made by Qdrant Edge's own BM25 embedder (``qdrant_edge.Bm25``).

A document's vector holds, per term, the BM25 term-frequency part
``tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avg_len))``; the query's holds 1.0 per distinct term, and
Qdrant multiplies in the IDF (``Modifier.IDF``) at query time, so no corpus statistics live here. Term
ids are ``abs(murmur3_32(stem(token)))``: no vocabulary to keep. Tokens are lower-cased words without
the language's stopwords, stemmed with the language's Snowball stemmer. For English these are exactly
the vectors of the Python encoder this replaced (bench/bm25_equality.py checks all of SciFact), so
indexes built before stay valid.
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property

import qdrant_edge as qe

from core.types import SparseVec

# The languages qdrant_edge.Bm25 has stopwords (and, for most, a stemmer) for, as its config names them.
LANGUAGES: tuple[str, ...] = tuple(
    sorted(name.lower() for name, v in vars(qe.Language).items() if isinstance(v, qe.Language))
)

# A BM25 weight with b=0 and a huge k1 is tf * (k1 + 1) / (tf + k1): the term count, recovered exactly
# below. Qdrant does not expose its tokenizer, and this counts with the very same tokens.
_COUNTING_K = 1e6


class Bm25Encoder:
    """Turns text into BM25 sparse vectors. Stateless; safe to share between threads."""

    def __init__(
        self, k1: float = 1.2, b: float = 0.75, avg_len: float = 100.0, language: str = "english"
    ) -> None:
        if avg_len <= 0:
            raise ValueError("avg_len must be positive")
        if language not in LANGUAGES:
            raise ValueError(f"unsupported BM25 language {language!r}; supported: {', '.join(LANGUAGES)}")
        self.k1, self.b, self.avg_len, self.language = k1, b, avg_len, language
        self._model = qe.Bm25(qe.Bm25Config(k=k1, b=b, avg_len=avg_len, language=language))

    @cached_property
    def _counter(self) -> qe.Bm25:
        """A second model whose weights are term counts (built for the tools that count, not for serving)."""
        return qe.Bm25(qe.Bm25Config(k=_COUNTING_K, b=0.0, avg_len=1.0, language=self.language))

    def embed_document(self, text: str) -> SparseVec:
        return _sorted(self._model.embed_document(text))

    def embed_query(self, text: str) -> SparseVec:
        return _sorted(self._model.embed_query(text))

    def term_counts(self, text: str) -> Counter[int]:
        """How often each term id occurs in ``text``; their sum is its BM25 length."""
        v = self._counter.embed_document(text)
        k = _COUNTING_K
        return Counter({i: round(w * k / (k + 1 - w)) for i, w in zip(v.indices, v.values, strict=True)})

    def term_ids(self, text: str) -> list[int]:
        """The term ids of ``text`` with repeats, in id order (not text order)."""
        return sorted(self.term_counts(text).elements())


def _sorted(v: qe.SparseVector) -> SparseVec:
    pairs = sorted(zip(v.indices, v.values, strict=True))
    return SparseVec([i for i, _ in pairs], [w for _, w in pairs])
