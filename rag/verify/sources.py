"""The source side of verification: a chunk's text read into sentences, each with its facts, its
content words and, where it is too short to say what it is about, its context.

- A sentence is read with the heading it sits under (a short line of its own that states nothing:
  "Annual leave", "Can I return a robot?"); a short sentence ("Aiko Tanaka owns the migration.",
  "Released 2 June 2026.") also with the sentence before it and the chunk's title line. Their content
  words count towards how related it is to a claim (``related``).
- A table row (a line of cells split by "|", as the parsers write CSV, spreadsheets and Markdown
  tables) is a sentence of its own, read with its header row. A bare figure in a column whose header
  states a unit takes that unit: 6 under "lead_time_weeks" is "6 weeks", 210 under "Nightly cap (EUR)"
  is 210 EUR; anywhere else a bare figure stays a count, which no duration or money claim equals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rag.facts import Fact, extract, normalise
from rag.prompt.context import Source
from rag.question import content_stems
from rag.sentences import cells, pieces

# A sentence with fewer content words than this is read with its context.
SHORT = 6

# Column header words that give a bare figure below them a unit.
_UNIT_WORDS = {
    **{w: w for w in ("year", "month", "week", "day", "hour", "minute", "second")},
    **{w + "s": w for w in ("year", "month", "week", "day", "hour", "minute", "second")},
    "yrs": "year",
    "hrs": "hour",
    "mins": "minute",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "usd": "USD",
    "dollars": "USD",
    "gbp": "GBP",
    "chf": "CHF",
    "jpy": "JPY",
    "percent": "percent",
    "pct": "percent",
}
_UNIT_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "%": "percent"}


@dataclass
class SourceSentence:
    start: int
    end: int
    text: str
    norm: str  # normalise(text), padded with spaces for whole-word lookups
    stems: set[str]
    facts: list[Fact]  # quantities and dates, offsets in the source text; no negations
    clauses: list[tuple[int, int, set[str]]]  # offsets in the source text, content stems
    context: set[str] = field(default_factory=set)  # content stems of its context, if it is short
    header: bool = False  # a table row (its header row is its context)
    names: list[Fact] | None = None  # named entities, offsets in the source text: see with_names

    def with_names(self) -> list[Fact]:
        """The sentence's facts with its named entities, recognised on first need (kept with the
        sentence, which is cached with its chunk's text)."""
        if self.names is None:
            found = [f for f in extract(self.text) if f.kind == "entity"]
            self.names = [
                Fact(f.kind, f.value, f.text, f.start + self.start, f.end + self.start, f.label)
                for f in found
            ]
        return self.facts + self.names


def value_key(fact: Fact) -> str:
    """A figure as one word for relatedness: "4.1" in "firmware 4.1", not the words "4" and "1"."""
    return f"#{fact.kind}:{fact.value}"


def related(claim: set[str], sent: SourceSentence) -> tuple[float, int, int]:
    """How much a source sentence is about what a claim says: the share of the claim's content words
    it holds, itself or in its context; then how many; then how many in the sentence itself."""
    if not claim:
        return 0.0, 0, 0
    own = claim & sent.stems
    common = len(own | (claim & sent.context))
    return common / len(claim), common, len(own)


class SourceView:
    """A source's text split into sentences, each with its facts and content stems."""

    def __init__(self, source: Source) -> None:
        self.n = source.n
        self.text = source.hit.text
        self.norm, self.sentences = read_source(self.text)


@lru_cache(maxsize=1024)
def read_source(text: str) -> tuple[str, tuple[SourceSentence, ...]]:
    # Chunks come back answer after answer: each is read once. Names are recognised later, and only in
    # the sentences a claim's name needs them (with_names): the recogniser is most of the cost.
    facts = [f for f in extract(text, names=False) if f.kind != "negation"]
    first = text.find("\n")
    title = content_stems(text[:first]) if first > 0 else set()
    title_keys = {value_key(f) for f in facts if f.end <= first}
    sentences: list[SourceSentence] = []
    heading: set[str] = set()  # the content words of the heading the sentence sits under
    for s, e, header in pieces(text):
        piece = text[s:e]
        inside = [f for f in facts if s <= f.start < e]
        if header is not None:
            inside = _typed_cells(text, s, e, header, inside)
        sent = SourceSentence(
            s,
            e,
            piece,
            f" {normalise(piece)} ",
            content_stems(piece),
            inside,
            [(s + cs, s + ce, content_stems(piece[cs:ce])) for cs, ce in clauses(piece)],
        )
        if header is not None:
            sent.header = True
            sent.context = content_stems(text[header[0] : header[1]]) | title
        else:
            sent.context = set(heading)
            if len(sent.stems) < SHORT:
                before = sentences[-1].stems if sentences else set()
                sent.context |= before | title | title_keys
            if _is_heading(text, s, e):
                heading = sent.stems
        sent.stems |= {value_key(f) for f in inside}
        sentences.append(sent)
    return f" {normalise(text)} ", tuple(sentences)


def _is_heading(text: str, start: int, end: int) -> bool:
    """A question (an FAQ's answer follows it: "Can I return a robot? Yes: within 30 days"), or a short
    line of its own that states nothing ("Annual leave")."""
    if text[end - 1] == "?":
        return True
    alone = (start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end] == "\n")
    return alone and text[end - 1] not in ".!" and len(text[start:end].split()) <= 12


def _typed_cells(text: str, start: int, end: int, header: tuple[int, int], facts: list[Fact]) -> list[Fact]:
    """Bare figures of a table row given the unit their column header states."""
    heads = cells(text, *header)
    row = cells(text, start, end)
    out = []
    for f in facts:
        col = next((i for i, (cs, ce) in enumerate(row) if cs <= f.start and f.end <= ce), None)
        # Only a cell that is the figure alone: "4-hour on-site response" keeps its own unit.
        alone = col is not None and col < len(heads) and text[slice(*row[col])].strip() == f.text
        unit = _unit(text[slice(*heads[col])]) if alone and col is not None else None
        if f.kind == "number" and not f.label and unit:
            typed = [g for g in extract(f"{f.text} {unit}", names=False) if g.kind != "number"]
            if len(typed) == 1:
                f = Fact(typed[0].kind, typed[0].value, f.text, f.start, f.end)
        out.append(f)
    return out


def _unit(header: str) -> str | None:
    for sym, unit in _UNIT_SYMBOLS.items():
        if sym in header:
            return unit
    for word in re.findall(r"[a-z]+", header.lower()):
        if word in _UNIT_WORDS:
            return _UNIT_WORDS[word]
    return None


# The lookbehind starts a turning word's match only at the first space of a run: without it every space
# of a long blank run (citation markers are blanked with spaces) rescans the rest of the run.
_CLAUSE_BREAK = re.compile(r"[;:,()]\s*|(?<!\s)\s+(?:but|whereas|although|though|instead)\s+", re.IGNORECASE)


def clauses(text: str) -> list[tuple[int, int]]:
    """A sentence's clauses: split at punctuation inside it and at words that turn it ("but")."""
    out, pos = [], 0
    for m in _CLAUSE_BREAK.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return [(s, e) for s, e in out if e > s]
