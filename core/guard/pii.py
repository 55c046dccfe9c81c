"""PII: text -> the personal data in it (Presidio on spaCy's small English model), and the text with each
finding replaced by ``<KIND>``.

Offline: the model is the packaged ``en_core_web_sm`` and the e-mail check uses a ``tldextract`` that
never fetches the public suffix list (bundled snapshot only, plus the reserved and internal TLDs that
business text uses: ``.example``, ``.test``, ``.internal``, ...). The engine is heavy (~1 s to load), so
``detector(...)`` builds one per (entities, min_score) and keeps it for the process.

Long texts are analysed in pieces of at most ``_PIECE`` characters cut at line or word breaks, so a
2 MB text neither exceeds spaCy's ``max_length`` nor costs more than linear time.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

logger = logging.getLogger(__name__)

_PIECE = 5_000  # characters per analysis call: Presidio's context step is quadratic in a call's tokens
_MODEL = "en_core_web_sm"
# Reserved (RFC 2606/6761) and private-use TLDs: real addresses in test data, docs and intranets.
_EXTRA_TLDS = ("example", "test", "invalid", "localhost", "internal", "local", "lan", "corp", "home")


@dataclass(frozen=True)
class PiiSpan:
    kind: str  # Presidio entity type, e.g. EMAIL_ADDRESS
    start: int
    end: int
    score: float


class PiiDetector:
    """Finds and masks the configured entity types in text. Thread-safe once built."""

    def __init__(self, entities: Sequence[str], min_score: float) -> None:
        from core.guard import pii_engine  # heavy imports (presidio, spaCy) only when a detector is built

        self.entities = list(entities)
        self.min_score = min_score
        self._engine = pii_engine.build(self.entities) if self.entities else None

    def find(self, text: str) -> list[PiiSpan]:
        """The PII in ``text``: non-overlapping spans sorted by start (the higher score, then the longer
        span wins an overlap)."""
        if self._engine is None or not text or not text.strip():
            return []
        found: list[PiiSpan] = []
        for offset, piece in _pieces(text, _PIECE):
            spans = [
                PiiSpan(r.entity_type, r.start + offset, r.end + offset, float(r.score))
                for r in self._engine.analyze(piece, self.entities, self.min_score)
            ]
            found += _resolve(spans)  # per piece: overlaps only happen within one
        return found

    def mask(self, text: str, spans: Sequence[PiiSpan] | None = None) -> tuple[str, list[PiiSpan]]:
        """``text`` with each span (found now unless given) replaced by ``<KIND>``, and the spans."""
        found = list(spans) if spans is not None else self.find(text)
        if not found:
            return text, found
        parts: list[str] = []
        at = 0
        for s in sorted(found, key=lambda s: s.start):
            if s.start < at:  # overlapping spans given by the caller: the earlier one already covers it
                continue
            parts.append(text[at : s.start])
            parts.append(f"<{s.kind}>")
            at = s.end
        parts.append(text[at:])
        return "".join(parts), found

    def with_names(self, text: str, spans: list[PiiSpan], names: set[str]) -> list[PiiSpan]:
        """``spans`` plus every occurrence in ``text`` of a name found elsewhere (another field of the same
        trace), where no span is yet."""
        if not names or "PERSON" not in self.entities:
            return spans
        pattern = re.compile(
            r"(?<![\w@.])(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?![\w@])"
        )
        extra = [PiiSpan("PERSON", m.start(), m.end(), 0.6) for m in pattern.finditer(text)]
        return _resolve(
            spans + [e for e in extra if all(e.end <= s.start or e.start >= s.end for s in spans)]
        )

    def counts(self, spans: Sequence[PiiSpan]) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in spans:
            out[s.kind] = out.get(s.kind, 0) + 1
        return out


_lock = threading.Lock()
_detectors: dict[tuple[tuple[str, ...], float], PiiDetector] = {}


def detector(entities: Sequence[str], min_score: float) -> PiiDetector:
    """The process's detector for these settings (built on first use, then shared)."""
    key = (tuple(entities), float(min_score))
    found = _detectors.get(key)
    if found is not None:
        return found
    with _lock:
        found = _detectors.get(key)
        if found is None:
            found = PiiDetector(entities, min_score)
            _detectors[key] = found
        return found


def _resolve(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Overlaps settled: higher score first, then longer, then earlier; the kept spans sorted by start."""
    ranked = sorted(spans, key=lambda s: (-s.score, -(s.end - s.start), s.start))
    kept: list[PiiSpan] = []
    for s in ranked:
        if all(s.end <= k.start or s.start >= k.end for k in kept):
            kept.append(s)
    return sorted(kept, key=lambda s: s.start)


_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?])\s"), re.compile(r"\s"))


def _pieces(text: str, size: int) -> Iterator[tuple[int, str]]:
    """(offset, piece) covering ``text``, each at most ``size`` long, cut at the last paragraph, line,
    sentence or word break in a piece's second half (a hard cut only in a run with no space at all)."""
    at = 0
    n = len(text)
    while n - at > size:
        window = text[at : at + size]
        cut = size
        for pattern in _BREAKS:
            ends = [m.end() for m in pattern.finditer(window, size // 2)]
            if ends:
                cut = ends[-1]
                break
        yield at, text[at : at + cut]
        at += cut
    if at < n:
        yield at, text[at:]
