"""Prompt-injection screen on the answer path: a question, and retrieved hits, -> score, reasons and the
action the settings ask for (``rag.guardrails`` turns these into ``GuardEvent``s).

A hit carries the score its chunk got at ingest (payload ``guard.injection``); a hit from a point written
before scoring existed has none and is screened here, with the patterns and hidden-text checks only (its
vector is not at hand, and embedding it again would cost a model call per hit).
"""

from __future__ import annotations

from typing import Any

from core.guard.injection import InjectionScreen, Screening
from core.types import Hit

QUESTION_REFUSED = (
    "the question looks like an attempt to change the assistant's instructions, so it was not answered"
)


def hit_note(screen: InjectionScreen, hit: Hit, threshold: float) -> dict[str, Any]:
    """The hit's injection note: as stored at ingest, or screened now for a point without one. A stored
    note is judged against today's threshold (the score is kept, the threshold may have moved)."""
    stored = (hit.payload.get("guard") or {}).get("injection")
    score = stored.get("score") if isinstance(stored, dict) else None
    if isinstance(score, int | float) and not isinstance(score, bool):
        reasons = stored.get("reasons")  # type: ignore[union-attr]
        return {
            "score": float(score),
            "flagged": score >= threshold,
            "reasons": [str(r) for r in reasons] if isinstance(reasons, list) else [],
        }
    # No score, or a payload that is not ours to trust: screen the text now.
    return screen.screen(hit.text).note(threshold) | {"screened": "query_time"}


def question_screening(screen: InjectionScreen, question: str) -> Screening:
    """The question's screen: patterns and hidden text, and similarity when the screen has an encoder."""
    if screen.encoder is None:
        return screen.screen(question)
    vector = screen.encoder.embed_documents([question])
    return screen.screen_many([question], vector)[0]
