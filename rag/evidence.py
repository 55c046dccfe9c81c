"""Evidence: the source sentences that best answer the question, and the short answer inside them.

Candidates are the sentences of the top ``EVIDENCE_HITS`` hits (the refusal gate has already embedded
them, so through the Answerer's memo their vectors cost nothing). Each is scored on

- the cosine similarity between the question and the sentence (what the refusal gate uses);
- term overlap: the IDF-weighted share of the question's content stems the sentence holds, the IDF taken
  over the candidate sentences themselves (a word every candidate shares says nothing about which one
  answers);
- the hit's rank (the fused retrieval already weighed the whole chunk);
- whether the sentence holds a fact of the kind the question asks for (a duration for "how long").

The weights were tuned on the calibration half of SQuAD 1.1 (3,076 questions; the optimum is flat:
top sentence 81.4%, any of three 92.1%, against 69.6% / 86.4% for similarity alone). Five hits instead of
three would add under one point to both, for the embedding of two more chunks' sentences.

The short answer span (``answer_span``) is a fact from rag.facts inside the sentence: of the kind the
question asks for (how long, when, who, where, how much ...), not stated in the question, with the most
of the question's words close around it. For "what" questions, whose wording names no kind, there is
none, unless the caller asks for guesses: the fact of any kind chosen the same way, marked ``guess``
(right far less often; numbers in bench/evidence_quality.py's output).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.encode.dense import TextEncoder
from core.types import Hit
from rag.facts import Fact, extract, matches_kind, normalise
from rag.question import AnswerKind, answer_kind, content_stems
from rag.sentences import cells, pieces

EVIDENCE_HITS = 3  # sentences of this many top hits compete (the refusal gate embeds the same ones)
MIN_CHARS = 12  # shorter pieces (headings, list markers) are not evidence; the refusal gate's bound too
# Tuned on the calibration half (module docstring); the optimum is flat around these values.
W_SIMILARITY = 1.0
W_TERMS = 1.0
W_RANK = 0.2
W_KIND = 0.2


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    start: int  # offsets in the chunk's text (Hit.text)
    end: int
    # True when the span is not a fact of the kind the question asks for: the question's wording names no
    # kind ("what ...?") and the span is only the fact nearest its words (select_evidence(guesses=True):
    # calibration F1 0.28 against 0.61 where the kind is named), or a stand-in (any name for a "who").
    # A hint rather than an answer.
    guess: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "guess": self.guess}


@dataclass(frozen=True, slots=True)
class Evidence:
    text: str  # the sentence
    chunk_id: str
    doc_id: str
    source: str
    pages: list[int]
    section: str
    start: int  # the sentence's offsets in Hit.text
    end: int
    score: float  # selection score (higher = better)
    similarity: float  # cosine question . sentence
    answer: Span | None  # the short answer inside the sentence, when the question's kind asks for one
    header: str | None = None  # for a table row, its table's header row: what the row's cells are

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "source": self.source,
            "pages": self.pages,
            "section": self.section,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "similarity": round(self.similarity, 4),
            "answer": self.answer.to_dict() if self.answer else None,
            "header": self.header,
        }


def select_evidence(
    question: str,
    hits: Sequence[Hit],
    encoder: TextEncoder,
    *,
    k: int = 3,
    n_hits: int = EVIDENCE_HITS,
    query_vector: np.ndarray | None = None,
    guesses: bool = False,
) -> list[Evidence]:
    """The ``k`` sentences of the top ``n_hits`` hits that best answer ``question``, best first ([] when
    there are none). ``query_vector`` is the question's embedding when the caller has it already (the
    retriever's); more hits than the refusal gate's three cost the embedding of their sentences. With
    ``guesses``, questions whose wording names no kind of fact get a span too, marked ``guess``."""
    # Sentences of the prose, and table rows (however short: "Lyon | 150") with their header row.
    candidates = [
        (i, s, e, header)
        for i, h in enumerate(hits[:n_hits])
        for s, e, header in pieces(h.text)
        if header is not None or e - s >= MIN_CHARS
    ]
    if not candidates or k < 1:
        return []
    texts = [hits[i].text[s:e] for i, s, e, _ in candidates]
    headers = [hits[i].text[h[0] : h[1]].strip() if h else None for i, _, _, h in candidates]
    # A row is scored as what it says with its header: "City | Nightly cap (EUR)\nLyon | 150".
    read = [f"{h}\n{t}" if h else t for t, h in zip(texts, headers, strict=True)]
    q = encoder.embed_query(question) if query_vector is None else query_vector
    sims = encoder.embed_documents(read) @ q
    kind = answer_kind(question)
    q_stems = content_stems(question)
    terms = _term_overlap(q_stems, [content_stems(t) for t in read])
    q_lower = question.lower()
    scores = [
        W_SIMILARITY * float(sims[j])
        + W_TERMS * terms[j]
        + W_RANK / _rank(hits[i], i)
        + (W_KIND if _may_hold(read[j], kind, q_lower) else 0.0)
        for j, (i, _, _, _) in enumerate(candidates)
    ]
    out: list[Evidence] = []
    for j in sorted(range(len(candidates)), key=lambda j: -scores[j]):
        if len(out) == k:
            break
        if any(texts[j] == o.text for o in out):
            continue  # the same sentence in two chunks (overlap, a duplicated document): say it once
        if texts[j].endswith("?"):
            continue  # a question (an FAQ's heading) resembles the question asked and answers nothing
        i, s, e, _ = candidates[j]
        hit = hits[i]
        out.append(
            Evidence(
                text=texts[j],
                chunk_id=hit.chunk_id,
                doc_id=hit.doc_id,
                source=hit.source,
                pages=list(hit.pages),
                section=hit.section,
                start=s,
                end=e,
                score=scores[j],
                similarity=float(sims[j]),
                answer=_cell_answer(question, hit.text, s, e, candidates[j][3])
                or answer_span(question, hit.text, kind, s, e, guess=guesses),
                header=headers[j],
            )
        )
    return out


def answer_span(
    question: str,
    text: str,
    kind: AnswerKind,
    start: int = 0,
    end: int | None = None,
    *,
    guess: bool = False,
) -> Span | None:
    """The short answer in ``text[start:end]`` (a sentence of a chunk; offsets are in ``text``): the fact
    of the asked kind that the question does not state, with the most of the question's words close
    around it. For an "other" question None, or with ``guess`` the fact of any kind chosen the same way,
    marked as a guess. None when the sentence holds no such fact."""
    if kind == "other" and not guess:
        return None
    end = len(text) if end is None else end
    # Facts of the whole chunk: rag.facts caches them by text, and verification reads the same chunks.
    stated = f" {normalise(question)} "
    fresh = [
        f
        for f in extract(text)
        if start <= f.start and f.end <= end and f.kind not in _NOT_ANSWERS
        if f" {normalise(f.text)} " not in stated
    ]
    if kind == "other":
        facts = fresh
    else:
        facts = [f for f in fresh if matches_kind(f, kind)] or [
            f for f in fresh if f.kind in _STAND_INS.get(kind, ())
        ]
    if not facts:
        return None
    q_stems = content_stems(question)
    words = [
        (m.start(), m.end(), bool(content_stems(m.group()) & q_stems))
        for m in _WORD.finditer(text, start, end)
    ]
    best = max(facts, key=lambda f: (_closeness(f, words) + _PREFERRED.get((kind, f.label), 0.0), -f.start))
    return Span(best.text, best.start, best.end, guess=kind == "other" or not matches_kind(best, kind))


def _cell_answer(
    question: str, text: str, start: int, end: int, header: tuple[int, int] | None
) -> Span | None:
    """For a table row, the cell under the column the question asks about: "How many employees work in
    the Porto office?" is the cell under "employees", "the hotel cap in Lyon" the one under "Nightly cap
    (EUR)"; among columns the question names, one holding the kind of fact it asks for ("when ... opened":
    the year under "opened", not the name under "office"). None for prose, or when no column header shares
    a word with the question."""
    if header is None:
        return None
    asked, kind = content_stems(question), answer_kind(question)
    heads, row = cells(text, *header), cells(text, start, end)
    if len(heads) != len(row):
        return None
    best: tuple[tuple[bool, int], Span] | None = None
    for (hs, he), (cs, ce) in zip(heads, row, strict=True):
        cell = text[cs:ce].strip()
        # A cell the question itself names ("Porto", "Lyon") is how the row was found, not the answer.
        if not cell or content_stems(cell) & asked:
            continue
        overlap = len(content_stems(text[hs:he].replace("_", " ")) & asked)
        if not overlap:
            continue
        of_kind = any(matches_kind(f, kind) for f in extract(cell, names=False))
        cs += text[cs:ce].index(cell)
        if best is None or (of_kind, overlap) > best[0]:
            best = ((of_kind, overlap), Span(cell, cs, cs + len(cell)))
    return best[1] if best else None


_NOT_ANSWERS = frozenset({"negation", "quote"})
# When no fact of the asked kind is there, what may stand in: a "where" answered by a name spaCy labels
# a person, a "how long" answered by a length ("86 km").
_STAND_INS: dict[str, tuple[str, ...]] = {
    "person": ("entity",),
    "place": ("entity",),
    "organisation": ("entity",),
    "duration": ("number",),
}
# "Who" accepts organisations and nationalities too (rag.facts.matches_kind), but a person is likelier.
_PREFERRED: dict[tuple[str, str], float] = {("person", "PERSON"): 0.5, ("person", "ORG"): 0.2}
_DECAY = 0.7  # per word of distance; calibration F1 is flat between 0.4 and 0.85


def _closeness(fact: Fact, words: list[tuple[int, int, bool]]) -> float:
    """How many of the question's words sit near the fact, each counted less the further (in words) it
    is: the answer to "who chaired the subcommittee" is the name beside "chairman ... subcommittee"."""
    inside = [i for i, (s, e, _) in enumerate(words) if s < fact.end and fact.start < e]
    if not inside:
        return 0.0
    lo, hi = inside[0], inside[-1]
    return sum(
        _DECAY ** (lo - i if i < lo else i - hi)
        for i, (_, _, match) in enumerate(words)
        if match and not lo <= i <= hi
    )


def _rank(hit: Hit, index: int) -> int:
    return hit.rank if hit.rank > 0 else index + 1


def _term_overlap(question: set[str], sentences: list[set[str]]) -> list[float]:
    """Per sentence, the IDF-weighted share of the question's stems it holds (0..1), IDF over the
    candidates: BM25's idea without its length normalisation (sentences are all short)."""
    if not question:
        return [0.0] * len(sentences)
    n = len(sentences)
    idf = {t: _idf(sum(t in s for s in sentences), n) for t in question}
    total = sum(idf.values()) or 1.0
    return [sum(idf[t] for t in question & s) / total for s in sentences]


def _idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


# A cheap stand-in for "holds a fact of the asked kind" over every candidate: the entity recogniser costs
# ~5 ms a sentence, and on calibration these patterns gave most of what the real facts did (+0.5 point of
# top-sentence accuracy out of +0.8). The answer span itself comes from rag.facts.
_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|hundred|thousand|million|"
    r"billion|dozen)\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:1\d|20)\d\d\b|\b\d{1,2}(?:st|nd|rd|th) century\b|\b(?:January|February|March|April|May|June|"
    r"July|August|September|October|November|December)\b"
)
_NAME = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z][a-z]+")
_WORD = re.compile(r"\w+(?:['’]\w+)?")


def _may_hold(text: str, kind: AnswerKind, question: str) -> bool:
    if kind == "other":
        return False
    if kind == "date":
        return bool(_DATE.search(text))
    if kind in ("duration", "money", "percent", "number"):
        return bool(_NUMBER.search(text))
    return any(m.group().lower() not in question for m in _NAME.finditer(text))
