"""Sentence splitting for answers and chunks: good enough for scoring, no model needed."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (optionally followed by a citation like [2] or a closing quote) and a space,
# or at a line break. Abbreviations such as "e.g." may split early; the callers only score sentences.
_BOUNDARY = re.compile(r"(?<=[.!?])(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])*[\"')\]]?\s+|\n+")
_CITATION_TAIL = re.compile(r"(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+")


def split_sentences(text: str, min_chars: int = 1) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text, min_chars)]


def sentence_spans(text: str, min_chars: int = 1) -> list[tuple[int, int]]:
    """The (start, end) offsets in ``text`` of its sentences, stripped, at least ``min_chars`` long."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _BOUNDARY.finditer(text):
        # Keep citations that follow the full stop with the sentence they belong to.
        end = m.start()
        tail = _CITATION_TAIL.match(text, m.start())
        if tail:
            end = tail.end()
        spans.append((pos, end))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for s, e in spans:
        piece = text[s:e]
        stripped = piece.strip()
        if len(stripped) >= min_chars:
            s += len(piece) - len(piece.lstrip())
            out.append((s, s + len(stripped)))
    return out
