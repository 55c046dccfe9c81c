"""BM25 as sparse vectors for Qdrant.

A document's vector holds, per term, the BM25 term-frequency part
``tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avg_len))``; the query's holds 1.0 per distinct term, and
Qdrant multiplies in the IDF (``Modifier.IDF``) at query time, so no corpus statistics live here. Term
ids are ``abs(murmur3_32(stem(token)))``: no vocabulary to keep, and the same ids as Qdrant Edge's own
BM25 embedder (lower-cased word tokens, the NLTK English stopword list, Snowball English stemming).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from functools import lru_cache

import mmh3
import snowballstemmer

from core.types import SparseVec

# The NLTK English stopword list: the one Qdrant uses for language "english".
ENGLISH_STOPWORDS = frozenset(
    """
    i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves he
    him his himself she she's her hers herself it it's its itself they them their theirs themselves what
    which who whom this that that'll these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about against between
    into through during before after above below to from up down in out on off over under again further
    then once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don don't should should've now d ll m o re ve y ain
    aren aren't couldn couldn't didn didn't doesn doesn't hadn hadn't hasn hasn't haven haven't isn isn't
    ma mightn mightn't mustn mustn't needn needn't shan shan't shouldn shouldn't wasn wasn't weren weren't
    won won't wouldn wouldn't
    """.split()
)

# Word characters except "_": the same split as Rust's char::is_alphanumeric.
_WORD = re.compile(r"[^\W_]+")
_CACHED_WORD_CHARS = 64


class Bm25Encoder:
    """Turns text into BM25 sparse vectors. Stateless apart from a stem cache; safe to share (each thread
    stems with its own Snowball stemmer: one keeps the word being stemmed in itself)."""

    def __init__(self, k1: float = 1.2, b: float = 0.75, avg_len: float = 100.0) -> None:
        if avg_len <= 0:
            raise ValueError("avg_len must be positive")
        self.k1 = k1
        self.b = b
        self.avg_len = avg_len
        self._local = threading.local()
        # Word -> term id (None for a stopword). Words repeat, stemming is the slow part: cache it.
        self._word_id = lru_cache(maxsize=500_000)(self._word_id_uncached)

    @property
    def _stemmer(self):  # noqa: ANN202 - snowballstemmer has no types
        stemmer = getattr(self._local, "stemmer", None)
        if stemmer is None:
            stemmer = self._local.stemmer = snowballstemmer.stemmer("english")
        return stemmer

    def tokens(self, text: str) -> list[str]:
        """Lower-cased, stopword-free, stemmed tokens."""
        words = [w for w in _WORD.findall(text.lower()) if w not in ENGLISH_STOPWORDS]
        return self._stemmer.stemWords(words)

    def _word_id_uncached(self, word: str) -> int | None:
        if word in ENGLISH_STOPWORDS:
            return None
        return abs(mmh3.hash(self._stemmer.stemWord(word), signed=True))

    def term_ids(self, text: str) -> list[int]:
        cached, uncached = self._word_id, self._word_id_uncached
        # Only words of a plausible length are cached: 500,000 distinct 2,000-character "words" (hex dumps,
        # base64) would hold a gigabyte; long ones are rare enough to stem each time.
        return [
            i
            for w in _WORD.findall(text.lower())
            if (i := cached(w) if len(w) <= _CACHED_WORD_CHARS else uncached(w)) is not None
        ]

    def embed_document(self, text: str) -> SparseVec:
        ids = self.term_ids(text)
        if not ids:
            return SparseVec([], [])
        norm = self.k1 * (1 - self.b + self.b * len(ids) / self.avg_len)
        counts = Counter(ids)
        indices = sorted(counts)
        return SparseVec(indices, [counts[i] * (self.k1 + 1) / (counts[i] + norm) for i in indices])

    def embed_query(self, text: str) -> SparseVec:
        indices = sorted(set(self.term_ids(text)))
        return SparseVec(indices, [1.0] * len(indices))
