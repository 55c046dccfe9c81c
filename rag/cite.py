"""Cite: the model's [n] markers -> citations with document, page and section.

Markers that point at no given source are removed from the answer and reported. Sentences without a
marker are reported too; when ``match`` is on, each such sentence is also pointed at the source sentence
it is most similar to (embedding cosine), marked ``origin="matched"`` so nobody mistakes it for a
citation the model made. Small models rarely cite; this keeps their answers checkable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.encode.dense import TextEncoder
from rag.prompt.context import Source
from rag.sentences import split_sentences

MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")  # a citation marker such as [2] or [1, 3]
MATCH_MIN_SIMILARITY = 0.6


@dataclass
class Citation:
    n: int
    source: Source
    origin: str  # "model" | "matched"
    sentences: list[int] = field(default_factory=list)  # indexes into CitationReport.sentences
    similarity: float | None = None  # matched citations only

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.source.to_dict(),
            "origin": self.origin,
            "sentences": self.sentences,
            "similarity": None if self.similarity is None else round(self.similarity, 4),
        }


@dataclass
class CitationReport:
    answer: str  # with markers to unknown sources removed
    sentences: list[str]
    citations: list[Citation]
    invalid: list[int]  # numbers the model cited that were not given
    uncited: list[int]  # sentences the model gave no citation

    def to_dict(self) -> dict[str, Any]:
        return {
            "citations": [c.to_dict() for c in self.citations],
            "invalid_citations": self.invalid,
            "uncited_sentences": [self.sentences[i] for i in self.uncited],
        }


def cite(answer: str, sources: list[Source], embedder: TextEncoder | None = None) -> CitationReport:
    given = {s.n: s for s in sources}
    invalid: list[int] = []

    def keep_valid(m: re.Match[str]) -> str:
        nums = [int(x) for x in re.split(r"\s*[,;]\s*", m.group(1))]
        ok = [n for n in nums if n in given]
        invalid.extend(n for n in nums if n not in given)
        return f"[{', '.join(map(str, ok))}]" if ok else ""

    cleaned = re.sub(r"(?<![ \t])[ \t]+([.,;!?])", r"\1", MARKER.sub(keep_valid, answer)).strip()
    sentences = split_sentences(cleaned)
    by_n: dict[int, Citation] = {}
    uncited: list[int] = []
    for i, sentence in enumerate(sentences):
        nums = [int(x) for m in MARKER.finditer(sentence) for x in re.split(r"\s*[,;]\s*", m.group(1))]
        if not nums:
            uncited.append(i)
        for n in dict.fromkeys(nums):
            by_n.setdefault(n, Citation(n, given[n], "model")).sentences.append(i)
    citations = sorted(by_n.values(), key=lambda c: c.n)
    if embedder is not None and uncited and sources:
        citations += matched_citations(sentences, uncited, sources, embedder)
    return CitationReport(cleaned, sentences, citations, sorted(set(invalid)), uncited)


def matched_citations(
    sentences: list[str],
    wanted: list[int],
    sources: list[Source],
    embedder: TextEncoder,
    prefer: dict[int, int] | None = None,
) -> list[Citation]:
    """Matched citations for the sentences ``wanted`` (indexes): each to the source sentence it is most
    similar to, or, when ``prefer`` names a source for it (the one verification found its facts in), to
    that source's most similar sentence if it passes the threshold."""
    prefer = prefer or {}
    wanted = [i for i in wanted if len(sentences[i]) >= 12]
    pieces = [(s.n, p) for s in sources for p in split_sentences(s.hit.text, min_chars=12)]
    if not wanted or not pieces:
        return []
    sims = (
        embedder.embed_documents([sentences[i] for i in wanted])
        @ embedder.embed_documents([p for _, p in pieces]).T
    )
    by_n: dict[int, Citation] = {}
    given = {s.n: s for s in sources}
    for row, i in enumerate(wanted):
        col = int(np.argmax(sims[row]))
        if i in prefer:
            own = [k for k, (n, _) in enumerate(pieces) if n == prefer[i]]
            best = max(own, key=lambda k: sims[row, k]) if own else col
            if sims[row, best] >= MATCH_MIN_SIMILARITY:
                col = best
        sim = float(sims[row, col])
        n = pieces[col][0]
        if sim < MATCH_MIN_SIMILARITY:
            continue
        c = by_n.setdefault(n, Citation(n, given[n], "matched", similarity=sim))
        c.sentences.append(i)
        c.similarity = max(c.similarity or 0.0, sim)
    return sorted(by_n.values(), key=lambda c: c.n)
