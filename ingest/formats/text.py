"""Plain text -> Elements: paragraphs are the blocks between blank lines; no model guesses what is what.

A heading is decided by cheap rules a person would use (``heading``): a short line that does not end a
sentence, starts with a capital or a section number, and is a block of its own or the first line of a
block whose next lines are longer (``Summary`` above its paragraph), or a line underlined with ``===``
or ``---``. A run of three or more such blocks is a list of short lines, not headings. The first
block, when it is a heading, is the document's title (depth 0); other headings are depth 1, or the
count of their section numbers ("2.3 Results" is depth 2), so the chunker's section path nests them.

Wrapped lines of a paragraph are joined with spaces (the chunker then cuts at sentence ends, not at
the wrap), while a line that stops well short of the block's width keeps its break (a list of facts, an
address); bullet and numbered lines are list items of their own; a block that looks laid out (columns
aligned with runs of spaces, tabs or pipes) keeps its lines. Every step is a split or a bounded test of
a line: linear in the input.
"""

from __future__ import annotations

import itertools
import re

from core.types import Element

_MAX_HEADING_CHARS = 100
_MAX_HEADING_WORDS = 12
_MAX_LEAD_HEADING_CHARS = 60  # a heading line at the top of a block of text is shorter
_MIN_RUN_OF_SHORT_LINES = 3
_NUMBERED = re.compile(r"(\d{1,3}(?:\.\d{1,3}){0,5})[.)]?\s+(?=\S)")
_BULLET = re.compile(r"\s*(?:[-*+\u2022\u2023\u25e6\u2043\u2219]|\d{1,3}[.)]|[a-z][.)])\s+(?=\S)")
_UNDERLINE = re.compile(r"\s*(?:={3,}|-{3,})\s*")
_WRAPPED_SHARE = 0.6
_SENTENCE_END = ".,;!?"


def parse(text: str) -> list[Element]:
    blocks = _blocks(text)
    # Per block: the heading depth of its first line (None when it is not a heading).
    marks = [_heading_mark(b, i, len(blocks)) for i, b in enumerate(blocks)]
    _drop_runs(marks, blocks)
    elements: list[Element] = []
    for i, (block, mark) in enumerate(zip(blocks, marks, strict=True)):
        body = block
        if mark is not None:
            title, body = _title_and_body(block)
            elements.append(Element(title, "Title", depth=0 if i == 0 and mark == 1 else mark))
        elements.extend(_body(body))
    return elements


def _blocks(text: str) -> list[list[str]]:
    """Runs of non-blank lines, right-stripped."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip()
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def heading(line: str, max_chars: int = _MAX_HEADING_CHARS) -> int | None:
    """The depth of ``line`` as a heading (1, or its count of section numbers), or None."""
    s = line.strip()
    if not s or len(s) > max_chars or s[-1] in _SENTENCE_END or len(s.split()) > _MAX_HEADING_WORDS:
        return None
    depth = 1
    if m := _NUMBERED.match(s):
        depth = m.group(1).count(".") + 1
        s = s[m.end() :]
    elif _BULLET.match(s):
        return None
    first = next((c for c in s if c.isalpha()), "")
    if not first.isupper() or (s[0] != first and not s[0].isdigit() and s[0] not in "\"'("):
        return None
    return depth


def _heading_mark(block: list[str], index: int, count: int) -> int | None:
    if len(block) >= 2 and _UNDERLINE.fullmatch(block[1]) and heading(block[0]) is not None:
        return 1
    if len(block) == 1:
        return heading(block[0]) if index < count - 1 else None  # a last line heads nothing
    depth = heading(block[0], _MAX_LEAD_HEADING_CHARS)
    if depth is None or _BULLET.match(block[0]):
        return None
    # "Summary" above its paragraph, "Action items" above a list: the next line is longer or a list item.
    nxt = block[1]
    return depth if len(nxt.strip()) > len(block[0].strip()) or _BULLET.match(nxt) else None


def _drop_runs(marks: list[int | None], blocks: list[list[str]]) -> None:
    """Three or more one-line "headings" in a row are short lines of a list or a poem."""
    i = 0
    while i < len(marks):
        j = i
        while j < len(marks) and marks[j] is not None and len(blocks[j]) == 1:
            j += 1
        if j - i >= _MIN_RUN_OF_SHORT_LINES:
            marks[i:j] = [None] * (j - i)
        i = max(j, i + 1)


def _title_and_body(block: list[str]) -> tuple[str, list[str]]:
    body = block[1:]
    if body and _UNDERLINE.fullmatch(body[0]):
        body = body[1:]
    return " ".join(block[0].split()), body


def _body(lines: list[str]) -> list[Element]:
    if not lines:
        return []
    if len(lines) >= 2 and sum(1 for line in lines if _laid_out(line)) * 2 > len(lines):
        return [Element("\n".join(line.strip() for line in lines), "NarrativeText")]
    # A line that stops well short of the block's width ended on purpose: its break stays.
    wrap = _WRAPPED_SHARE * max(len(line) for line in lines)
    out: list[Element] = []
    kind = "ListItem" if _BULLET.match(lines[0]) else "NarrativeText"
    parts = [lines[0].strip()]
    for prev, line in itertools.pairwise(lines):
        s = line.strip()
        if _BULLET.match(line):
            out.append(Element("".join(parts), kind))
            kind, parts = "ListItem", [s]
        else:
            parts.append((" " if len(prev) >= wrap else "\n") + s)
    out.append(Element("".join(parts), kind))
    return [_strip_bullet(e) for e in out]


def _laid_out(line: str) -> bool:
    """Columns: a tab, a run of three spaces or a pipe between words (plain substring tests: fast)."""
    s = line.strip()
    return "\t" in s or "   " in s or " | " in s


def _strip_bullet(e: Element) -> Element:
    """A bullet says nothing ("- Tomasz: fix it" -> "Tomasz: fix it"); a number says the order: kept."""
    if e.kind == "ListItem" and e.text[:1] in "-*+\u2022\u2023\u25e6\u2043\u2219":
        return Element(e.text[1:].strip(), e.kind, e.page, e.depth)
    return e
