"""Sentence splitting for answers and chunks: good enough for scoring, no model needed."""

from __future__ import annotations

import re
from typing import NamedTuple

# A sentence ends at . ! ? (optionally followed by a citation like [2] or a closing quote) and a space,
# or at a line break. Abbreviations such as "e.g." may split early; the callers only score sentences.
_BOUNDARY = re.compile(r"(?<=[.!?])(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])*[\"')\]]?\s+|\n+")
_CITATION_TAIL = re.compile(r"(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+")


class SentenceSpan(NamedTuple):
    """A sentence and where it sits in the text it came from: ``text[start:end] == span.text``."""

    text: str
    start: int
    end: int


def split_sentences(text: str, min_chars: int = 1) -> list[str]:
    return [s.text for s in sentence_spans(text, min_chars)]


def sentence_spans(text: str, min_chars: int = 1) -> list[SentenceSpan]:
    """The sentences of ``split_sentences`` with their offsets, for evidence that points into a chunk."""
    pieces: list[tuple[int, int]] = []
    pos = 0
    for m in _BOUNDARY.finditer(text):
        # Keep citations that follow the full stop with the sentence they belong to.
        end = m.start()
        tail = _CITATION_TAIL.match(text, m.start())
        if tail:
            end = tail.end()
        pieces.append((pos, end))
        pos = m.end()
    pieces.append((pos, len(text)))
    out: list[SentenceSpan] = []
    for start, end in pieces:
        piece = text[start:end]
        stripped = piece.strip()
        if len(stripped) < min_chars:
            continue
        start += len(piece) - len(piece.lstrip())
        out.append(SentenceSpan(stripped, start, start + len(stripped)))
    return out
