"""Markdown -> Elements, block by block as CommonMark reads them, in one pass over the lines.

ATX (``## Leave``) and setext (a line underlined with ``===`` or ``---``) headings are Titles with depth
level - 1, as unstructured gave them, so the chunker's section path is "Handbook > Leave > Sick leave";
fenced and indented code is one CodeSnippet (a ``#`` line in it is code, not a heading); each list item
is a ListItem (depth: its nesting); a pipe table is a Table, one ``a | b`` line per row like the other
formats' tables; YAML or TOML front matter is kept as text, its ``title`` the document's title when
there is no level-1 heading. Inline markup goes (a link keeps its words, not its address).

Every regular expression is linear in its input: a class that stops at the next delimiter, never a
lazy ``.*?`` that could rescan the rest of a line from every start.
"""

from __future__ import annotations

import re

from core.types import Element

_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+|$)(.*)")
_FENCE = re.compile(r"( {0,3})(`{3,}|~{3,})(.*)")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_ITEM = re.compile(r"([ \t]*)([-*+]|\d{1,9}[.)])(?:[ \t]+|$)(.*)")
# Possessive runs: adjacent optional blanks could otherwise split a long run of spaces every way
# (quadratic in the line's length).
_TABLE_RULE = re.compile(r" {0,3}\|?[ \t]*+:?-++:?[ \t]*+(?:\|[ \t]*+:?-++:?[ \t]*+)*+\|?[ \t]*+")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_QUOTE = re.compile(r" {0,3}>[ \t]?")
_LINK_DEF = re.compile(r" {0,3}\[[^\[\]\n]+\]:[ \t]*\S+.*")
_FRONT_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*[:=][ \t]*(.*)")
_MAX_FRONT_LINES = 200

# Inline markup, in order. Each class stops at the next bracket, star or angle bracket: linear.
_INLINE = [
    (re.compile(r"<((?:https?|mailto|ftp):[^<>\s]*)>"), r"\1"),  # autolink
    (re.compile(r"!?\[([^\[\]\n]*)\]\([^()\n]*\)"), r"\1"),  # [words](address), ![alt](image)
    (re.compile(r"\[([^\[\]\n]+)\]\[[^\[\]\n]*\]"), r"\1"),  # [words][reference]
    (re.compile(r"<!--[^<>]*-->"), ""),
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?/?>"), ""),  # an HTML tag
    (re.compile(r"\*\*(?=\S)([^*\n]*[^*\s])\*\*"), r"\1"),
    (re.compile(r"(?<!\w)__(?=\S)([^_\n]*[^_\s])__(?!\w)"), r"\1"),
    (re.compile(r"(?<!`)`++([^`\n]+)`+"), r"\1"),  # from a run's first backtick only: linear
    (re.compile(r"\\([!-/:-@\[-`{-~])"), r"\1"),  # a backslash escape
]
_MARKUP = frozenset("[<*_`\\")


def _without_closing(heading: str) -> str:
    """An ATX heading's text without its closing hashes ("Title ##"), which count only after a blank
    (string operations: a pattern for it backtracks quadratically on a long line of blanks)."""
    trimmed = heading.rstrip(" \t")
    body = trimmed.rstrip("#")
    if body == trimmed:
        return heading
    if not body or body[-1] in " \t":
        return body.rstrip(" \t")
    return heading


def inline(text: str) -> str:
    """Text without inline Markdown; whitespace runs become one space."""
    if not _MARKUP.isdisjoint(text):
        for pattern, repl in _INLINE:
            text = pattern.sub(repl, text)
    return " ".join(text.split())


class _Reader:
    """The state of one pass: the lines, where we are, the paragraph being gathered, what came out."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.i = 0
        self.para: list[str] = []
        self.out: list[Element] = []

    def emit(self, text: str, kind: str, depth: int = 0) -> None:
        if text:
            self.out.append(Element(text, kind, depth=depth))

    def flush(self) -> None:
        if self.para:
            self.emit(inline(" ".join(self.para)), "NarrativeText")
            self.para = []


def parse(text: str) -> list[Element]:
    r = _Reader(text)
    title = _front_matter(r)
    lines, n = r.lines, len(r.lines)
    while r.i < n:
        line = lines[r.i]
        stripped = line.strip()
        if not stripped:
            r.flush()
            r.i += 1
        elif m := _FENCE.match(line):
            if m.group(2)[0] == "`" and "`" in m.group(3):
                r.para.append(stripped)  # ```code``` inline, not a fence
                r.i += 1
            else:
                r.flush()
                _fenced(r, len(m.group(1)), m.group(2))
        elif m := _ATX.match(line):
            r.flush()
            r.emit(inline(_without_closing(m.group(2))), "Title", len(m.group(1)) - 1)
            r.i += 1
        elif r.para and _SETEXT.fullmatch(line):
            heading = inline(" ".join(r.para))
            r.para = []
            r.emit(heading, "Title", 0 if stripped[0] == "=" else 1)
            r.i += 1
        elif _RULE.fullmatch(line):
            r.flush()
            r.i += 1
        elif "|" in line and r.i + 1 < n and "-" in lines[r.i + 1] and _TABLE_RULE.fullmatch(lines[r.i + 1]):
            r.flush()
            _table(r)
        elif (m := _ITEM.match(line)) and not (r.para and _continues(m)):
            r.flush()
            _list_item(r, m)
        elif not r.para and line.startswith(("    ", "\t")) and not _after_item(r):
            _indented_code(r)
        elif m := _QUOTE.match(line):
            r.para.append(line[m.end() :].strip())
            r.i += 1
        elif stripped.startswith("<!--") and "-->" not in stripped:
            r.flush()
            while r.i < n and "-->" not in lines[r.i]:
                r.i += 1
            r.i += 1
        elif not r.para and _LINK_DEF.fullmatch(line):
            r.i += 1
        else:
            r.para.append(stripped)
            r.i += 1
    r.flush()
    if title and not any(e.kind == "Title" and e.depth == 0 for e in r.out):
        r.out.insert(0, Element(title, "Title"))
    return r.out


def _continues(m: re.Match[str]) -> bool:
    """A wrapped paragraph line that happens to start with "2024. " is not a list: only "1." opens an
    ordered list inside a paragraph (CommonMark's rule), and only with text after it."""
    marker = m.group(2)
    return marker[0].isdigit() and marker[:-1] != "1" or not m.group(3).strip()


def _after_item(r: _Reader) -> bool:
    """An indented block after a list item continues the item (a loose list), it is not code."""
    return bool(r.out) and r.out[-1].kind == "ListItem"


def _front_matter(r: _Reader) -> str:
    """Skip a leading ``---``/``+++`` block of settings: it becomes one element of ``key: value`` lines.
    Returns its title, if it has one."""
    lines = r.lines
    if not lines or lines[0].strip() not in ("---", "+++"):
        return ""
    close = lines[0].strip()
    for j in range(1, min(len(lines), _MAX_FRONT_LINES)):
        if lines[j].strip() in (close, "..."):
            break
    else:
        return ""
    keys = [m for line in lines[1:j] if (m := _FRONT_KEY.fullmatch(line.strip()))]
    if not keys:
        return ""  # not settings: a rule and a setext heading, read as Markdown
    r.i = j + 1
    body = "\n".join(line.strip() for line in lines[1:j] if line.strip())
    r.emit(body, "UncategorizedText")
    title = next((m.group(2) for m in keys if m.group(1).lower() == "title"), "")
    return inline(title.strip().strip("\"'"))


def _fenced(r: _Reader, indent: int, fence: str) -> None:
    """Lines up to the closing fence (of the same character, at least as long), or to the end."""
    lines = r.lines
    body = []
    r.i += 1
    while r.i < len(lines):
        line = lines[r.i]
        r.i += 1
        s = line.strip()
        if s.startswith(fence) and not s.strip(fence[0]) and len(line) - len(line.lstrip(" ")) < 4:
            break
        body.append(line[min(indent, len(line) - len(line.lstrip(" "))) :])
    r.emit("\n".join(body).strip("\n").rstrip(), "CodeSnippet")


def _indented_code(r: _Reader) -> None:
    lines = r.lines
    body = []
    while r.i < len(lines) and (lines[r.i].startswith(("    ", "\t")) or not lines[r.i].strip()):
        body.append(lines[r.i][4:] if lines[r.i].startswith("    ") else lines[r.i][1:])
        r.i += 1
    r.emit("\n".join(body).strip("\n").rstrip(), "CodeSnippet")


def _table(r: _Reader) -> None:
    """A pipe table: header, rule, rows up to a blank line or a line without a pipe."""
    lines = r.lines
    rows = [_cells(lines[r.i])]
    r.i += 2
    while r.i < len(lines) and lines[r.i].strip() and "|" in lines[r.i]:
        rows.append(_cells(lines[r.i]))
        r.i += 1
    r.emit("\n".join(" | ".join(row) for row in rows if any(row)), "Table")


def _cells(line: str) -> list[str]:
    s = line.strip()
    s = s[1:] if s.startswith("|") else s
    s = s[:-1] if s.endswith("|") and not s.endswith("\\|") else s
    return [inline(c.replace("\\|", "|")) for c in _CELL_SPLIT.split(s)]


def _list_item(r: _Reader, m: re.Match[str]) -> None:
    """One item and its continuation lines (indented, or lazily not); nested items are items of their
    own, at a depth of their indentation."""
    lines = r.lines
    indent = len(m.group(1).expandtabs(4))
    marker = m.group(2)
    parts = [m.group(3).strip()]
    r.i += 1
    while r.i < len(lines):
        line = lines[r.i]
        if not line.strip() or _ITEM.match(line) or _ATX.match(line) or _FENCE.match(line):
            break
        if _RULE.fullmatch(line) or _SETEXT.fullmatch(line):
            break
        parts.append(line.strip())
        r.i += 1
    text = inline(" ".join(parts))
    if marker[0].isdigit():
        text = f"{marker} {text}" if text else ""
    r.emit(text, "ListItem", min(indent // 2, 8))
