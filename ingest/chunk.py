"""Chunk: Elements -> Chunks that fit the embedding model's window, measured in the model's own tokens,
and at most ``max_chars`` characters.

Titles open sections (their heading depth nests them into a path such as "Handbook > Leave > Sick
leave"). A section becomes one chunk when it fits; a longer one is split by langchain's recursive splitter
(paragraph, line, sentence, word) with overlap; neighbouring small sections are packed together so a
slide deck or a memo does not turn into a dozen three-word chunks. Every chunk knows its pages.

Tokens alone do not bound a chunk: the WordPiece tokenizer makes one [UNK] of any "word" over 100
characters, so 20 MiB of "x" was one token and one chunk. So the splitter measures a piece as the larger of
its tokens and its characters scaled to the token size, a word still too long is cut at token boundaries
and then at ``max_chars``; and before any of that, a run of one repeated character longer than
``_MAX_RUN`` (a stuck key, padding, a filler line) is cut to that length with a note saying how much was
dropped, since a thousand chunks of "xxxx" would only crowd the index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

from langchain_text_splitters import RecursiveCharacterTextSplitter

from core.settings import DEFAULT_MAX_CHUNK_CHARS, MIN_CHUNK_CHARS
from core.types import Chunk, Element

# Part of the settings fingerprint (ingest.fingerprint): raise it whenever the same elements and settings
# give other chunks than before, so ``rag reindex --incremental`` rebuilds what older code chunked.
# 2: chunks bounded in characters, runs of one character cut, a piece cut once at max_chars.
CHUNKER_VERSION = 2
# Also in the fingerprint, when headers are on: raise it whenever ``encoded_text`` changes.
HEADER_VERSION = 1

# No "" (character by character) at the end: a piece with no separator left is cut by ``_fit`` instead,
# in one tokenizer call, where langchain would call the length function once per character.
_SEPARATORS = ["\n\n", "\n", ". ", "; ", ", ", " "]
_JOIN = "\n\n"
_REMEMBERED_COUNTS = 8192  # token counts of recent texts (see TokenCounter)
_REMEMBERED_CHARS = DEFAULT_MAX_CHUNK_CHARS
_MAX_TITLE_CHARS = 80
_MAX_PATH_DEPTH = 4
# Characters of one repeated character kept (a separator line of dashes is shorter); settings refuse a
# max_chars with no room for two such runs.
_MAX_RUN = MIN_CHUNK_CHARS // 2
_RUN_START = re.compile(rf"(.)\1{{{_MAX_RUN}}}", re.DOTALL)  # a run longer than _MAX_RUN starts here
# A contextual header stays short: 200 tokens of chunk plus it must fit the model's 256-token window.
_MAX_HEADER_CHARS = 160


class TokenCounter:
    """Counts tokens with the embedding model's tokenizer.json, truncation and special tokens off."""

    def __init__(self, tokenizer_file: Path) -> None:
        self.tokenizer_file = tokenizer_file
        # The splitter asks about the same text more than once (a sentence when splitting, again when
        # merging): 8,623 counts of 3,901 texts for 300 SciFact documents. Remembered, chunking costs 30%
        # less. Only texts up to a chunk's default size are remembered: 16 MB at most.
        self._remembered = lru_cache(maxsize=_REMEMBERED_COUNTS)(self._count)

    @cached_property
    def _tokenizer(self):  # noqa: ANN202 - tokenizers.Tokenizer
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(self.tokenizer_file))
        tok.no_truncation()  # the file ships with truncation at 128: counting must see everything
        tok.no_padding()
        return tok

    def count(self, text: str) -> int:
        return self._remembered(text) if len(text) <= _REMEMBERED_CHARS else self._count(text)

    def _count(self, text: str) -> int:
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
    def __init__(
        self,
        counter: TokenCounter,
        size_tokens: int,
        overlap_tokens: int,
        max_chars: int = DEFAULT_MAX_CHUNK_CHARS,
        context_header: bool = False,
        sparse_header: bool = False,
    ) -> None:
        if overlap_tokens >= size_tokens:
            raise ValueError("overlap must be smaller than size")
        if max_chars < 2 * _MAX_RUN:
            raise ValueError(f"max_chars must be at least {2 * _MAX_RUN}")
        self.counter = counter
        self.size = size_tokens
        self.overlap = overlap_tokens
        self.max_chars = max_chars
        self.context_header = context_header
        self.sparse_header = sparse_header
        self._splitter = RecursiveCharacterTextSplitter(
            chunk_size=size_tokens,
            chunk_overlap=overlap_tokens,
            length_function=self._length,
            separators=_SEPARATORS,
            keep_separator="end",
            strip_whitespace=True,
        )

    def encoded_texts(self, chunk: Chunk, source: str) -> tuple[str, str]:
        """What the dense encoder and BM25 see of ``chunk`` of document ``source`` (``encoded_texts``)."""
        return encoded_texts(chunk, source, self.context_header, self.sparse_header)

    def _length(self, text: str) -> int:
        """Tokens, or characters scaled so that ``max_chars`` weighs as much as ``size`` tokens: whichever
        bound the text is nearer to. Text over ``max_chars`` is not tokenized (megabytes take seconds)."""
        by_chars = -(-len(text) * self.size // self.max_chars)
        return by_chars if by_chars > self.size else max(self.counter.count(text), by_chars)

    def _fits(self, text: str) -> bool:
        return len(text) <= self.max_chars and self.counter.count(text) <= self.size

    def chunk(self, elements: Sequence[Element]) -> list[Chunk]:
        pieces: list[_Piece] = []
        elements = [replace(e, text=t) if (t := collapse_runs(e.text)) is not e.text else e for e in elements]
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
            if e.kind != "Table" or self._fits(e.text):
                out.append(e)
                continue
            header, *rows = e.text.split("\n")
            budget = self.size - self.counter.count(header) - 1
            char_budget = self.max_chars - len(header) - 1
            if budget < self.size // 4 or char_budget < self.max_chars // 4:
                out.append(e)  # a header that eats the chunk: leave it to the splitter
                continue
            group: list[str] = []
            used = used_chars = 0
            for row in rows:
                n = self.counter.count(row) + 1
                if group and (used + n > budget or used_chars + len(row) + 1 > char_budget):
                    out.append(Element("\n".join([header, *group]), e.kind, e.page, e.depth))
                    group, used, used_chars = [], 0, 0
                group.append(row)
                used += n
                used_chars += len(row) + 1
            if group:
                out.append(Element("\n".join([header, *group]), e.kind, e.page, e.depth))
        return out

    def _split_section(self, section: _Section) -> list[_Piece]:
        text = _JOIN.join(e.text for e in section.parts)
        if len(text) <= self.max_chars and (n := self.counter.count(text)) <= self.size:
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
            for piece, n in self._fit(piece_text):
                out.append(_piece(piece, covered, section.path, n, False))
        return out

    def _fit(self, text: str) -> list[tuple[str, int]]:
        """The splitter adds token counts of parts, which can exceed the real count, and leaves a word with
        no separator in it whole: cut what is over, at ``max_chars``, then at token boundaries. Each piece
        comes with its token count."""
        out = []
        for piece in _cut_chars(text, self.max_chars):  # first: cheap, and megabytes are never tokenized
            n = self.counter.count(piece)
            if n <= self.size:
                out.append((piece, n))
            else:
                out.extend((p, self.counter.count(p)) for p in self.counter.split_hard(piece, self.size))
        return [(p, n) for p, n in out if p.strip()]

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
                and len(last.text) + len(_JOIN) + len(p.text) <= self.max_chars
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


def collapse_runs(text: str) -> str:
    """``text`` with every run of one repeated character longer than ``_MAX_RUN`` cut to that length and,
    unless it is whitespace, a note of how many were dropped. The same object back when nothing changed."""
    m = _RUN_START.search(text)
    if m is None:
        return text
    out: list[str] = []
    pos = 0
    while m is not None:
        c, start = m.group(1), m.start()
        end = re.compile(re.escape(c) + "+").match(text, start).end()  # type: ignore[union-attr]
        out.append(text[pos : start + _MAX_RUN])
        if not c.isspace():
            out.append(f" [… {end - start - _MAX_RUN:,} more {c!r}]")
        pos = end
        m = _RUN_START.search(text, pos)
    out.append(text[pos:])
    return "".join(out)


def _cut_chars(text: str, max_chars: int) -> list[str]:
    """Pieces of at most ``max_chars``, cut at the last whitespace of each window when there is one in its
    second half, else hard."""
    pieces: list[str] = []
    pos = 0
    while len(text) - pos > max_chars:
        end = pos + max_chars
        cut = max(text.rfind(" ", pos, end + 1), text.rfind("\n", pos, end + 1))
        cut = cut if cut > pos + max_chars // 2 else end
        pieces.append(text[pos:cut].strip())
        pos = cut
    pieces.append(text[pos:].strip())
    return pieces


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


def encoded_text(chunk: Chunk, source: str = "", header: bool = False) -> str:
    """What the encoders (dense and BM25) see of a chunk: its text under a contextual header naming the
    document and the section it comes from, so a chunk deep in a document still carries its title's words
    (a small model cannot guess them). Only the vectors see it: the payload, what search returns and what
    answers cite, keeps ``chunk.text`` as it is. A heading the chunk already opens with is not repeated."""
    if not header:
        return chunk.text
    path = chunk.section.split(" > ") if chunk.section else []
    if path and chunk.text.startswith(path[-1].rstrip("…")):
        path = path[:-1]  # the chunk holds its own heading; its parents still say where it is
    title = doc_title(source)
    if title and not (chunk.section.lower().startswith(title.lower()) or chunk.text.startswith(title)):
        path.insert(0, title)
    head = " > ".join(path)
    if not head:
        return chunk.text
    return _short_to(head, _MAX_HEADER_CHARS) + "\n\n" + chunk.text


def encoded_texts(
    chunk: Chunk, source: str = "", header: bool = False, sparse_header: bool = False
) -> tuple[str, str]:
    """What the dense encoder and what BM25 see of a chunk: ``encoded_text`` with ``header`` for the
    dense text, and with the header also when ``sparse_header`` for the BM25 text (the title's words as
    terms, without moving the small model's vector away from what the chunk says)."""
    dense = encoded_text(chunk, source, header)
    return dense, (encoded_text(chunk, source, True) if sparse_header and not header else dense)


def doc_title(source: str) -> str:
    """A document's name as words: ``reports/Annual_report-2024.pdf`` -> "Annual report 2024"; nothing
    for a name without letters (an id, a number)."""
    stem = Path(source).stem if source else ""
    words = " ".join(re.sub(r"[_\-.]+", " ", stem).split())
    return words if any(c.isalpha() for c in words) else ""


def _short_to(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
