"""The record of one answer: what the Answerer returns, the API sends and the monitoring layer stores.

Besides the text and its citations it carries what makes the answer checkable: the extractive
``evidence`` (source sentences with offsets and a short answer span), the per-sentence ``verification``
of the text against its sources, the ``answerability`` score that let the question through (or not),
and, when the answer policy replaced the model's text, the model's ``draft`` (kept for the trace).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.guard.events import GuardEvent
from core.types import Hit
from rag.answerability import Answerability
from rag.cite import CitationReport
from rag.evidence import Evidence
from rag.llm.base import Message, Usage
from rag.prompt.context import Context
from rag.refuse import Confidence, Refusal
from rag.verify import Verification


@dataclass
class Step:
    """One link of the chain, in the shape the monitoring layer stores."""

    name: str
    latency_ms: float
    input: Any = None
    output: Any = None
    tokens_in: int = 0
    tokens_out: int = 0
    model: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "latency_ms": self.latency_ms,
            "input": self.input,
            "output": self.output,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "model": self.model,
        }


@dataclass
class Answer:
    trace_id: str
    conversation_id: str
    question: str
    standalone_question: str
    text: str
    refusal: Refusal | None
    confidence: Confidence
    hits: list[Hit]
    context: Context | None
    citations: CitationReport | None
    prompt: dict[str, Any] | None
    model: dict[str, Any]
    usage: Usage
    cost: float | None
    timings_ms: dict[str, float]
    steps: list[Step] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    verification: Verification | None = None  # of ``text`` (None: refused before any text was checked)
    answerability: Answerability | None = None  # None: nothing was retrieved to assess
    policy: str | None = None  # what the answer policy did: "kept" | "flagged" | "evidence" | "refused"
    draft: str | None = None  # the model's text when the policy replaced or refused it (for the trace)
    draft_verification: Verification | None = None
    query_vector: np.ndarray | None = field(default=None, repr=False)  # the search's, kept for monitoring
    messages: list[Message] | None = field(default=None, repr=False)  # as sent to the LLM (None: refused)
    clipped: set[str] = field(default_factory=set)  # chunk ids whose text was cut to max_hit_chars
    guardrails: list[GuardEvent] = field(default_factory=list)  # every guard's decision (rag.guardrails)

    @property
    def refused(self) -> bool:
        return self.refusal is not None

    def _shown_draft(self) -> dict[str, Any] | None:
        """The replaced draft, flagged, beside the quoted evidence; under ``refuse`` it stays in the trace
        only (the operator chose that no unverified text reaches the reader)."""
        if self.policy != "evidence" or self.draft is None or self.draft_verification is None:
            return None
        return {"text": self.draft, "verification": self.draft_verification.to_dict()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "trace_id": self.trace_id,
            "conversation_id": self.conversation_id,
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.text,
            "refused": self.refused,
            "refusal": self.refusal.to_dict() if self.refusal else None,
            "confidence": self.confidence.to_dict(),
            "answerability": self.answerability.to_dict() if self.answerability else None,
            **(self.citations.to_dict() if self.citations else _NO_CITATIONS),
            "verification": self.verification.to_dict() if self.verification else None,
            "policy": self.policy,
            "draft": self._shown_draft(),
            "evidence": [e.to_dict() for e in self.evidence],
            "sources": [s.to_dict() for s in self.context.sources] if self.context else [],
            "context": (
                {
                    "tokens": self.context.tokens,
                    "budget": self.context.budget,
                    "dropped": self.context.dropped,
                }
                if self.context
                else None
            ),
            "hits": [h.to_dict() | {"truncated": h.chunk_id in self.clipped} for h in self.hits],
            "prompt": self.prompt,
            "model": self.model,
            "usage": self.usage.to_dict(),
            "cost": self.cost,
            "timings_ms": self.timings_ms,
            "steps": [s.to_dict() for s in self.steps],
            "guardrails": [g.to_dict() for g in self.guardrails],
        }


_NO_CITATIONS: dict[str, Any] = {"citations": [], "invalid_citations": [], "uncited_sentences": []}
