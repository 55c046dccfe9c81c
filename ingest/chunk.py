"""Chunk: Elements -> Chunks that fit the embedding model's window, measured in the model's own tokens.

Titles open sections (their heading depth nests them into a path such as "Handbook > Leave > Sick
leave"). A section becomes one chunk when it fits; a longer one is split by langchain's recursive splitter
(paragraph, line, sentence, word) with overlap; neighbouring small sections are packed together so a
slide deck or a memo does not turn into a dozen three-word chunks. Every chunk knows its pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from langchain_text_splitters import RecursiveCharacterTextSplitter

from rag.types import Chunk, Element

_SEPARATORS = ["\n\n", "\n", ". ", "; ", ", ", " ", ""]
_JOIN = "\n\n"
_MAX_TITLE_CHARS = 80
_MAX_PATH_DEPTH = 4


class TokenCounter:
    """Counts tokens with the embedding model's tokenizer.json, truncation and special tokens off."""

    def __init__(self, tokenizer_file: Path) -> None:
        self.tokenizer_file = tokenizer_file

    @cached_property
    def _tokenizer(self):  # noqa: ANN202 - tokenizers.Tokenizer
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(self.tokenizer_file))
        tok.no_truncation()  # the file ships with truncation at 128: counting must see everything
        tok.no_padding()
        return tok

    def count(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def split_hard(self, text: str, size: int) -> list[str]:
        """Cut text at token boundaries into pieces of at most ``size`` tokens (last resort)."""
        offsets = self._tokenizer.encode(text, add_special_tokens=False).offsets
        pieces = []
        for start in range(0, len(offsets), size):
            window = offsets[start : start + size]
            pieces.append(text[window[0][0] : window[-1][1]])
        return pieces


@dataclass
class _Section:
    path: str
    parts: list[Element] = field(default_factory=list)


@dataclass
class _Piece:
    text: str
    pages: set[int]
    kinds: set[str]
    n_tokens: int
    whole_section: bool
    # Tokens each section contributed: a packed chunk is cited by the section most of it comes from.
    weights: dict[str, int] = field(default_factory=dict)

    @property
    def section(self) -> str:
        return max(self.weights.items(), key=lambda kv: kv[1])[0]


class Chunker:
    def __init__(self, counter: TokenCounter, size_tokens: int, overlap_tokens: int) -> None:
        if overlap_tokens >= size_tokens:
            raise ValueError("overlap must be smaller than size")
        self.counter = counter
        self.size = size_tokens
        self.overlap = overlap_tokens
        self._splitter = RecursiveCharacterTextSplitter(
            chunk_size=size_tokens,
            chunk_overlap=overlap_tokens,
            length_function=counter.count,
            separators=_SEPARATORS,
            keep_separator="end",
            strip_whitespace=True,
        )

    def chunk(self, elements: Sequence[Element]) -> list[Chunk]:
        pieces: list[_Piece] = []
        for section in _sections(self._split_tables(elements)):
            pieces.extend(self._split_section(section))
        return [
            Chunk(
                index=i,
                text=p.text,
                pages=tuple(sorted(p.pages)),
                section=p.section,
                kinds=tuple(sorted(p.kinds)),
                n_tokens=p.n_tokens,
            )
            for i, p in enumerate(self._pack(pieces))
        ]

    def _split_tables(self, elements: Sequence[Element]) -> list[Element]:
        """Cut a table too long for one chunk into groups of whole rows, each under the header row, so
        every chunk of a price list or a CSV still says what its columns are."""
        out: list[Element] = []
        for e in elements:
            if e.kind != "Table" or self.counter.count(e.text) <= self.size:
                out.append(e)
                continue
            header, *rows = e.text.split("\n")
            budget = self.size - self.counter.count(header) - 1
            if budget < self.size // 4:  # a header that eats the chunk: leave it to the splitter
                out.append(e)
                continue
            group: list[str] = []
            used = 0
            for row in rows:
                n = self.counter.count(row) + 1
                if group and used + n > budget:
                    out.append(Element("\n".join([header, *group]), e.kind, e.page, e.depth))
                    group, used = [], 0
                group.append(row)
                used += n
            if group:
                out.append(Element("\n".join([header, *group]), e.kind, e.page, e.depth))
        return out

    def _split_section(self, section: _Section) -> list[_Piece]:
        text = _JOIN.join(e.text for e in section.parts)
        n = self.counter.count(text)
        if n <= self.size:
            return [_piece(text, section.parts, section.path, n, whole_section=True)]
        # Character span of each element inside the section text, to give every piece its pages.
        spans, pos = [], 0
        for e in section.parts:
            spans.append((pos, pos + len(e.text), e))
            pos += len(e.text) + len(_JOIN)
        out = []
        cursor = 0
        for piece_text in self._splitter.split_text(text):
            # Where the piece sits in the section text (pieces come in order; overlap steps back a little).
            start = text.find(piece_text, max(0, cursor - len(piece_text)))
            if start < 0:
                start = text.find(piece_text[:40], max(0, cursor - len(piece_text)))
            end = start + len(piece_text) if start >= 0 else -1
            if start >= 0:
                cursor = start + 1
            covered = [e for s, t, e in spans if start < t and s < end] if start >= 0 else section.parts
            for piece in self._fit(piece_text):
                out.append(_piece(piece, covered, section.path, self.counter.count(piece), False))
        return out

    def _fit(self, text: str) -> list[str]:
        """The splitter adds token counts of parts, which can exceed the real count: cut what is over."""
        if self.counter.count(text) <= self.size:
            return [text]
        return [p for p in self.counter.split_hard(text, self.size) if p.strip()]

    def _pack(self, pieces: Iterable[_Piece]) -> list[_Piece]:
        """Merge consecutive whole small sections while they fit in one chunk together."""
        packed: list[_Piece] = []
        for p in pieces:
            last = packed[-1] if packed else None
            if (
                last is not None
                and last.whole_section
                and p.whole_section
                and last.n_tokens + p.n_tokens + 1 <= self.size
            ):
                merged = last.text + _JOIN + p.text
                n = self.counter.count(merged)
                if n <= self.size:
                    last.text = merged
                    last.n_tokens = n
                    last.pages |= p.pages
                    last.kinds |= p.kinds
                    for path, n_tokens in p.weights.items():
                        last.weights[path] = last.weights.get(path, 0) + n_tokens
                    continue
            packed.append(p)
        return packed


def _piece(text: str, parts: Sequence[Element], path: str, n: int, whole_section: bool) -> _Piece:
    return _Piece(
        text=text,
        pages={e.page for e in parts if e.page is not None},
        kinds={e.kind for e in parts},
        n_tokens=n,
        whole_section=whole_section,
        weights={path: n},
    )


def _sections(elements: Iterable[Element]) -> list[_Section]:
    """Group elements into sections opened by titles; a title's depth decides what it nests under."""
    sections: list[_Section] = []
    stack: list[tuple[int, str]] = []  # (depth, title)
    current: _Section | None = None
    for e in elements:
        if e.kind == "Title":
            while stack and stack[-1][0] >= e.depth:
                stack.pop()
            stack.append((e.depth, _short(e.text)))
            current = _Section(" > ".join(t for _, t in stack[-_MAX_PATH_DEPTH:]), [e])
            sections.append(current)
            continue
        if current is None:
            current = _Section("")
            sections.append(current)
        current.parts.append(e)
    return sections


def _short(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= _MAX_TITLE_CHARS else title[: _MAX_TITLE_CHARS - 1] + "…"
