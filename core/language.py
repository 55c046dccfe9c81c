"""Which language a text is in: py3langid's naive Bayes over byte n-grams (its model ships in the wheel:
nothing downloaded), limited to the languages BM25 can analyse (``qdrant_edge.Bm25``: stopwords and a
Snowball stemmer each). About 40 µs for a question, 1 µs a character for longer text, which is why
documents and chunks are read from a sample.

Languages are named by their ISO 639-1 code (``en``, ``fr``, ``de``) on chunks, in filters and in the
API; ``BM25_NAMES`` gives BM25's name for each, ``ISO_639_3`` the three-letter code Tesseract and
unstructured use.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any

# ISO 639-1 -> qdrant_edge.Bm25's language name, for every language both know ("hinglish" has no code).
BM25_NAMES: dict[str, str] = {
    "ar": "arabic", "az": "azerbaijani", "eu": "basque", "bn": "bengali", "ca": "catalan", "zh": "chinese",
    "da": "danish", "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french", "de": "german",
    "el": "greek", "he": "hebrew", "hu": "hungarian", "id": "indonesian", "it": "italian", "ja": "japanese",
    "kk": "kazakh", "ne": "nepali", "no": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian",
    "sl": "slovene", "es": "spanish", "sv": "swedish", "tg": "tajik", "tr": "turkish",
}  # fmt: skip
ISO_639_3: dict[str, str] = {
    "ar": "ara", "az": "aze", "eu": "eus", "bn": "ben", "ca": "cat", "zh": "zho", "da": "dan", "nl": "nld",
    "en": "eng", "fi": "fin", "fr": "fra", "de": "deu", "el": "ell", "he": "heb", "hu": "hun", "id": "ind",
    "it": "ita", "ja": "jpn", "kk": "kaz", "ne": "nep", "no": "nor", "pt": "por", "ro": "ron", "ru": "rus",
    "sl": "slv", "es": "spa", "sv": "swe", "tg": "tgk", "tr": "tur",
}  # fmt: skip
CODES: tuple[str, ...] = tuple(sorted(BM25_NAMES))

# Below this probability (normalised over the candidate languages) a text is not said to be in any:
# "Porter robot" is 4% Slovak. Questions of a few words in one language score 0.57 (German) to 0.99.
MIN_CONFIDENCE = 0.5
# Fewer letters than this say too little to tell ("3 years?", "SKU-1042").
MIN_LETTERS = 12
# Chinese and Japanese characters (kana, CJK ideographs): written without spaces between words, and
# each says as much as a few letters ("带薪年假", paid annual leave, is four).
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"  # and half-width kana
_IDEOGRAPHS = re.compile(f"[{CJK}]")
_SAME = {"wuu": "zh", "yue": "zh", "nn": "no"}
# The most characters read of a text: a chunk's language is plain from its first few hundred.
SAMPLE_CHARS = 2000


class LanguageDetector:
    """Detects languages among ``candidates`` (ISO 639-1 codes). Its model (0.7 s to load) is read on
    first use; safe to share between threads."""

    def __init__(self, candidates: tuple[str, ...] = CODES, min_confidence: float = MIN_CONFIDENCE) -> None:
        unknown = sorted(set(candidates) - set(BM25_NAMES))
        if unknown or not candidates:
            raise ValueError(f"languages without a BM25 analyser: {', '.join(unknown) or '(none given)'}")
        self.candidates = tuple(sorted(set(candidates)))
        self.min_confidence = min_confidence
        self._model: Any = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the model now rather than in the first detection (a query's time)."""
        self._identifier()

    def _identifier(self) -> Any:
        with self._lock:
            if self._model is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                # All of the model's 140 languages, not only the candidates: a Polish text is Polish
                # (so analysed by none of ours: None), not the Slovene it is closest to among them.
                self._model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            return self._model

    def detect(
        self, text: str, sample: int = SAMPLE_CHARS, min_confidence: float | None = None
    ) -> str | None:
        """The ISO 639-1 code of the language ``text`` (its first ``sample`` characters) is written in;
        None when it is too short or too mixed to tell, or in a language not among the candidates."""
        part = text[:sample]
        if len(self.candidates) == 1:
            return self.candidates[0]
        if sum(ch.isalpha() for ch in part) + 2 * len(_IDEOGRAPHS.findall(part)) < MIN_LETTERS:
            return None
        # Varieties the model tells apart but one analyser serves: their shares add up ("带薪年假" is 38%
        # Mandarin, 33% Wu and 24% Cantonese: Chinese).
        shares: dict[str, float] = {}
        for code, p in self._identifier().rank(part)[:8]:
            shares[_SAME.get(code, code)] = shares.get(_SAME.get(code, code), 0.0) + p
        code = max(shares, key=lambda c: shares[c])
        bar = self.min_confidence if min_confidence is None else min_confidence
        return code if code in self.candidates and shares[code] >= bar else None


@functools.cache
def detector() -> LanguageDetector:
    """One detector of every language BM25 analyses, shared by the process (its model loads once)."""
    return LanguageDetector()
