"""Sentence splitting for answers and chunks: good enough for scoring, no model needed.

``pieces`` reads a chunk's layout as well: the sentences of its prose (wrapped lines rejoined) and each
table row (a line of cells split by "|", as the parsers write CSV, spreadsheets and Markdown tables) with
the span of its header row, which is what says what the row's figures are. Verification and evidence
selection read chunks through it.
"""

from __future__ import annotations

import re

# A sentence ends at . ! ? (optionally followed by a citation like [2] or a closing quote) and a space,
# or at a line break. Abbreviations such as "e.g." may split early; the callers only score sentences.
_BOUNDARY = re.compile(r"(?<=[.!?])(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])*[\"')\]]?\s+|\n+")
_CITATION_TAIL = re.compile(r"(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+")
# A single line break inside a sentence: not after a sentence end or a table cell, not before a heading,
# a list item or a table row.
_WRAPPED = re.compile(r"(?<=[^\s.!?:|])\n(?![\n\s]*(?:[|#*•>-]|\d+[.)]\s))(?=\s*\S)")
_LINE = re.compile(r"[^\n]*")
_RULE = re.compile(r"^[\s|:+-]*$")  # a Markdown table's |---|---| line

Span = tuple[int, int]


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


def pieces(text: str) -> list[tuple[int, int, Span | None]]:
    """(start, end, header span or None): the sentences of the prose, and each table row with the span of
    its header row (the header row itself is not a piece)."""
    out: list[tuple[int, int, Span | None]] = []
    prose_start = 0
    header: Span | None = None
    for m in _LINE.finditer(text):
        s, e = m.start(), m.end()
        line = m.group()
        if line.count("|") < 1 or len([c for c in line.split("|") if c.strip()]) < 2:
            if line.strip():
                header = None
            continue
        if _RULE.match(line):
            continue
        if header is None:
            out += _prose(text, prose_start, s)
            header = (s, e)
        else:
            out.append((s + len(line) - len(line.lstrip()), e - (len(line) - len(line.rstrip())), header))
        prose_start = e
    out += _prose(text, prose_start, len(text))
    return out


def _prose(text: str, start: int, end: int) -> list[tuple[int, int, None]]:
    # Wrapped lines ("is never\nreimbursed") rejoined, same length so offsets hold.
    region = _WRAPPED.sub(" ", text[start:end])
    return [(start + s, start + e, None) for s, e in sentence_spans(region)]


def cells(text: str, start: int, end: int) -> list[Span]:
    """The (start, end) spans of the cells of the table row ``text[start:end]`` (spaces included)."""
    out, pos = [], start
    line = text[start:end]
    for part in line.split("|"):
        out.append((pos, pos + len(part)))
        pos += len(part) + 1
    if line.lstrip().startswith("|"):  # "| Paris | 210 |": no cell before the first bar
        out = out[1:]
    return out
