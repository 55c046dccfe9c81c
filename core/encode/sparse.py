"""BM25 as sparse vectors for Qdrant, made by Qdrant Edge's own BM25 embedder (``qdrant_edge.Bm25``).

A document's vector holds, per term, the BM25 term-frequency part
``tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avg_len))``; the query's holds 1.0 per distinct term, and
Qdrant multiplies in the IDF (``Modifier.IDF``) at query time, so no corpus statistics live here. Term
ids are ``abs(murmur3_32(stem(token)))``: no vocabulary to keep. Tokens are lower-cased words without
the language's stopwords, stemmed with the language's Snowball stemmer. For English these are exactly
the vectors of the Python encoder this replaced (bench/bm25_equality.py checks all of SciFact), so
indexes built before stay valid.

With ``language="auto"`` each text is analysed in its own language (core.language): a chunk in the
language ingestion found for it, a question in the one it is written in, and text too short or mixed to
tell in ``default``. Term ids of every language share one space, so one index holds them all; a French
question finds French chunks because both were stemmed by the French stemmer.
"""

from __future__ import annotations

import re
from collections import Counter

import qdrant_edge as qe

from core.language import BM25_NAMES, CJK, detector
from core.types import SparseVec

# The languages qdrant_edge.Bm25 has stopwords (and, for most, a stemmer) for, as its config names them.
LANGUAGES: tuple[str, ...] = tuple(
    sorted(name.lower() for name, v in vars(qe.Language).items() if isinstance(v, qe.Language))
)
AUTO = "auto"  # each text in its own language
# Chinese and Japanese are written without spaces, and Qdrant's BM25 splits words at spaces and
# punctuation only: a clause would be one term. Runs of their characters are indexed as overlapping
# pairs instead ("带薪年假" -> "带薪 薪年 年假"), the usual bigram indexing of CJK search engines.
_CJK_RUN = re.compile(f"[{CJK}]+")
_UNSPACED = frozenset({"chinese", "japanese"})
_CODES = {name: code for code, name in BM25_NAMES.items()}

# A BM25 weight with b=0 and a huge k1 is tf * (k1 + 1) / (tf + k1): the term count, recovered exactly
# below. Qdrant does not expose its tokenizer, and this counts with the very same tokens.
_COUNTING_K = 1e6


class Bm25Encoder:
    """Turns text into BM25 sparse vectors. Stateless; safe to share between threads."""

    def __init__(
        self,
        k1: float = 1.2,
        b: float = 0.75,
        avg_len: float = 100.0,
        language: str = "english",
        default: str = "english",
    ) -> None:
        if avg_len <= 0:
            raise ValueError("avg_len must be positive")
        for name in (language, default):
            if name not in LANGUAGES and name != AUTO:
                raise ValueError(f"unsupported BM25 language {name!r}; supported: {', '.join(LANGUAGES)}")
        for name in (language, default):
            if name not in _CODES and name != AUTO:
                raise ValueError(f"BM25 language {name!r} has no ISO 639-1 code to tag chunks with")
        if default == AUTO:
            raise ValueError("the default BM25 language must be a language, not 'auto'")
        self.k1, self.b, self.avg_len, self.language = k1, b, avg_len, language
        # The language of text that tells none: the fixed one, or with "auto" the default.
        self.default = default if language == AUTO else language
        self.detector = detector() if language == AUTO else None  # the process's one: its model loads once
        self._models: dict[tuple[str, bool], qe.Bm25] = {}

    def warm_up(self) -> None:
        """Load the language detector (0.7 s) with "auto", so that no question waits for it."""
        if self.detector is not None:
            self.detector.warm_up()

    def _model(self, language: str, counting: bool = False) -> qe.Bm25:
        """The BM25 model of one language (its weights term counts when ``counting``); made on first use."""
        model = self._models.get((language, counting))
        if model is None:
            k, b, avg_len = (_COUNTING_K, 0.0, 1.0) if counting else (self.k1, self.b, self.avg_len)
            model = qe.Bm25(qe.Bm25Config(k=k, b=b, avg_len=avg_len, language=language))
            self._models = {**self._models, (language, counting): model}  # replaced whole: readers see one
        return model

    def language_of(self, text: str) -> str:
        """The ISO 639-1 code of the language ``text`` is analysed in: the fixed language, or with "auto"
        the detected one, else the default."""
        if self.detector is not None:
            found = self.detector.detect(text)
            if found is not None:
                return found
        return _CODES[self.default]

    def _name(self, code: str | None) -> str:
        if self.detector is None or code is None:
            return self.default
        name = BM25_NAMES.get(code)
        if name is None:
            raise ValueError(f"no BM25 analyser for language {code!r}")
        return name

    def embed_document(self, text: str, language: str | None = None) -> SparseVec:
        """``text`` analysed in ``language`` (an ISO 639-1 code; with a fixed language, ignored)."""
        name = self._name(language)
        return _sorted(self._model(name).embed_document(_bigrams(text) if name in _UNSPACED else text))

    def embed_query(self, text: str) -> SparseVec:
        """A question analysed in its own language (with "auto"), else the index's."""
        name = self._name(self.language_of(text))
        return _sorted(self._model(name).embed_query(_bigrams(text) if name in _UNSPACED else text))

    def term_counts(self, text: str, language: str | None = None) -> Counter[int]:
        """How often each term id occurs in ``text``; their sum is its BM25 length."""
        name = self._name(language)
        v = self._model(name, counting=True).embed_document(_bigrams(text) if name in _UNSPACED else text)
        k = _COUNTING_K
        return Counter({i: round(w * k / (k + 1 - w)) for i, w in zip(v.indices, v.values, strict=True)})

    def term_ids(self, text: str, language: str | None = None) -> list[int]:
        """The term ids of ``text`` with repeats, in id order (not text order)."""
        return sorted(self.term_counts(text, language).elements())


def _bigrams(text: str) -> str:
    return _CJK_RUN.sub(lambda m: " " + " ".join(_pairs(m.group())) + " ", text)


def _pairs(run: str) -> list[str]:
    return [run] if len(run) < 2 else [run[i : i + 2] for i in range(len(run) - 1)]


def _sorted(v: qe.SparseVector) -> SparseVec:
    pairs = sorted(zip(v.indices, v.values, strict=True))
    return SparseVec([i for i, _ in pairs], [w for _, w in pairs])
