"""Refuse: decide, before any LLM call, that the documents do not hold the answer.

Retrieval confidence is the best cosine similarity between the question and any single sentence of the
top retrieved chunks. Per-sentence rather than per-chunk, because a 200-token chunk that covers five
topics scores low against a question about one of them, while the sentence that answers it scores high:
the same threshold then works for short SQuAD paragraphs and for long handbook chunks.

Confidence alone separates answerable from unanswerable questions only weakly (ROC AUC 0.66 on SQuAD
2.0), so it is the floor, not the decision: ``decide`` refuses when nothing was retrieved or the best
sentence is below ``RAG_ANSWER__REFUSAL_THRESHOLD`` (0.42, calibrated by bench/calibrate_refusal.py to
answer 98% of answerable calibration questions: it stops questions nothing in the documents is close
to). Above the floor the answerability model (rag.answerability) decides, with confidence one of its
features, and catches the near misses: a question naming a year, a place or a number the documents give
differently or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.encode.dense import TextEncoder
from core.types import Hit
from rag.sentences import split_sentences

CONFIDENCE_HITS = 3  # sentences of this many top hits are scored
NOT_FOUND = "Not found in the documents."


@dataclass(frozen=True, slots=True)
class Confidence:
    value: float
    sentence: str | None  # the sentence that matched the question best
    chunk_id: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"value": round(self.value, 4), "sentence": self.sentence, "chunk_id": self.chunk_id}


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str  # "no_hits" | "low_confidence" | "unanswerable" | "llm" | "unsupported" | "no_evidence"
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "message": self.message}


def retrieval_confidence(question: str, hits: Sequence[Hit], embedder: TextEncoder) -> Confidence:
    sentences: list[tuple[str, str]] = [
        (s, h.chunk_id) for h in hits[:CONFIDENCE_HITS] for s in split_sentences(h.text, min_chars=12)
    ]
    if not sentences:
        return Confidence(0.0, None, None)
    q = embedder.embed_query(question)
    sims = embedder.embed_documents([s for s, _ in sentences]) @ q
    best = int(np.argmax(sims))
    return Confidence(float(sims[best]), sentences[best][0], sentences[best][1])


def decide(hits: Sequence[Hit], confidence: Confidence, threshold: float | None) -> Refusal | None:
    """A refusal (with its reason in words) when nothing was retrieved or, with a ``threshold``, when the
    best sentence is too far from the question; else None (the answerability model decides next)."""
    if not hits:
        return Refusal("no_hits", "nothing was retrieved: no documents are indexed for this tenant or filter")
    if threshold is not None and confidence.value < threshold:
        return Refusal(
            "low_confidence",
            f"the best matching passage is too far from the question (similarity {confidence.value:.2f}, "
            f"threshold {threshold:.2f}); rephrase, or lower RAG_ANSWER__REFUSAL_THRESHOLD",
        )
    return None


def is_llm_refusal(answer: str) -> bool:
    """The model said, in the words the prompt asks for, that the sources do not hold the answer."""
    text = answer.strip().lower()
    return text.startswith("not found in the documents") or text in {"not found.", "not found"}
