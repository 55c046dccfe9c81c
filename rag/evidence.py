"""Evidence: the source sentences that best answer the question, and the short answer inside them.

Candidates are the sentences of the top ``EVIDENCE_HITS`` hits (the refusal gate has already embedded
them, so through the Answerer's memo their vectors cost nothing). Each is scored on

- the cosine similarity between the question and the sentence (what the refusal gate uses);
- term overlap: the IDF-weighted share of the question's content stems the sentence holds, the IDF taken
  over the candidate sentences themselves (a word every candidate shares says nothing about which one
  answers);
- the hit's rank (the fused retrieval already weighed the whole chunk);
- whether the sentence holds a fact of the kind the question asks for (a duration for "how long").

The weights were tuned on the calibration half of SQuAD (bench/evidence_quality.py --split calibration).
For questions whose kind names a fact (how long, when, who, where, how much ...) the answer span is the
fact of that kind in the sentence that the question does not already state, nearest to the question's
terms.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from ingest.embed import TextEncoder
from rag.question import AnswerKind, answer_kind, content_stems
from rag.sentences import SentenceSpan, sentence_spans
from rag.types import Hit

EVIDENCE_HITS = 3  # sentences of this many top hits compete (the refusal gate embeds the same ones)
MIN_CHARS = 12  # shorter pieces (headings, list markers) are not evidence; the refusal gate's bound too
W_SIMILARITY = 1.0
W_TERMS = 0.5
W_RANK = 0.1
W_KIND = 0.1


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    start: int  # offsets in the chunk's text (Hit.text)
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


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
        }


def select_evidence(
    question: str,
    hits: Sequence[Hit],
    encoder: TextEncoder,
    *,
    k: int = 3,
    query_vector: np.ndarray | None = None,
) -> list[Evidence]:
    """The ``k`` sentences of the top hits that best answer ``question``, best first ([] when none).

    ``query_vector`` is the question's embedding when the caller already has it (the retriever's)."""
    candidates: list[tuple[int, SentenceSpan]] = [
        (i, s) for i, h in enumerate(hits[:EVIDENCE_HITS]) for s in sentence_spans(h.text, MIN_CHARS)
    ]
    if not candidates or k < 1:
        return []
    q = encoder.embed_query(question) if query_vector is None else query_vector
    sims = encoder.embed_documents([s.text for _, s in candidates]) @ q
    kind = answer_kind(question)
    q_stems = content_stems(question)
    stems = [content_stems(s.text) for _, s in candidates]
    terms = _term_overlap(q_stems, stems)
    scores = [
        W_SIMILARITY * float(sims[j])
        + W_TERMS * terms[j]
        + W_RANK / (hits[i].rank if hits[i].rank > 0 else i + 1)
        + (W_KIND if kind != "other" and _has_kind(s.text, kind) else 0.0)
        for j, (i, s) in enumerate(candidates)
    ]
    order = sorted(range(len(candidates)), key=lambda j: -scores[j])[:k]
    out = []
    for j in order:
        i, s = candidates[j]
        hit = hits[i]
        answer = _answer_span(question, q_stems, kind, s) if kind != "other" else None
        out.append(
            Evidence(
                text=s.text,
                chunk_id=hit.chunk_id,
                doc_id=hit.doc_id,
                source=hit.source,
                pages=list(hit.pages),
                section=hit.section,
                start=s.start,
                end=s.end,
                score=scores[j],
                similarity=float(sims[j]),
                answer=answer,
            )
        )
    return out


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


# --- facts of a kind (interim: spaCy's entity recogniser; rag.facts replaces this) -------------------

_NUMERIC = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million)\b")
_LABELS: dict[AnswerKind, set[str]] = {
    "duration": {"DATE", "TIME"},
    "date": {"DATE", "TIME"},
    "money": {"MONEY"},
    "percent": {"PERCENT"},
    "number": {"CARDINAL", "QUANTITY", "MONEY", "PERCENT"},
    "person": {"PERSON"},
    "place": {"GPE", "LOC", "FAC"},
    "organisation": {"ORG"},
}
_DURATION = re.compile(
    r"\b(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centuries|century)\b", re.I
)


def _has_kind(text: str, kind: AnswerKind) -> bool:
    if kind in ("duration", "date", "money", "percent", "number"):
        return bool(_NUMERIC.search(text.lower()))
    return any(c.isupper() for c in text[1:])


def _answer_span(question: str, q_stems: set[str], kind: AnswerKind, sentence: SentenceSpan) -> Span | None:
    doc = _nlp()(sentence.text)
    q_lower = question.lower()
    best: tuple[float, Span] | None = None
    for ent in doc.ents:
        if ent.label_ not in _LABELS[kind]:
            continue
        if kind == "duration" and not _DURATION.search(ent.text):
            continue
        if ent.text.lower() in q_lower:
            continue  # the question already states it: not the answer
        # Nearest to the question's terms: distance in tokens to the closest matching word.
        matches = [t.i for t in doc if content_stems(t.text) & q_stems]
        distance = min((abs(ent.start - m) for m in matches), default=0)
        span = Span(ent.text, sentence.start + ent.start_char, sentence.start + ent.end_char)
        if best is None or distance < best[0]:
            best = (distance, span)
    return best[1] if best else None


@lru_cache(maxsize=1)
def _nlp() -> Any:
    import spacy

    return spacy.load("en_core_web_sm", exclude=["parser", "lemmatizer", "tagger", "attribute_ruler"])
