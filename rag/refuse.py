"""Refuse: decide, before any LLM call, that the documents do not hold the answer.

Retrieval confidence is the best cosine similarity between the question and any single sentence of the
top retrieved chunks. Per-sentence rather than per-chunk, because a 200-token chunk that covers five
topics scores low against a question about one of them, while the sentence that answers it scores high:
the same threshold then works for short SQuAD paragraphs and for long handbook chunks.

The threshold (``rag.settings.REFUSAL_THRESHOLD``) is calibrated by ``bench/calibrate_refusal.py`` on
one half of SQuAD 2.0 dev (articles with an even index; the other half is held out for
``bench/answer_quality.py``): the highest threshold that still answers at least 98% of the answerable
questions. Stricter thresholds do not transfer: SQuAD's questions were written looking at their paragraph
and match it more closely than real users' questions match a 200-token chunk (at 90%, two of the
thirteen sample_docs test questions would be refused). SQuAD 2.0's unanswerable questions are written to
look answerable from the paragraph beside them, so this signal separates them only weakly (ROC AUC 0.66,
docs/benchmarks.md): the gate catches questions about things the documents never mention, and the
prompt's "Not found in the documents" instruction is what catches the near misses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ingest.embed import TextEncoder
from rag.sentences import split_sentences
from rag.types import Hit

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
    reason: str  # "no_hits" | "low_confidence" | "llm"
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


def decide(hits: Sequence[Hit], confidence: Confidence, threshold: float) -> Refusal | None:
    """A refusal (with its reason in words) when retrieval says the answer is not there, else None."""
    if not hits:
        return Refusal("no_hits", "nothing was retrieved: no documents are indexed for this tenant or filter")
    if confidence.value < threshold:
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
