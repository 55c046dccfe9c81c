"""Guard: a batch's chunk texts -> PII found (and masked, per setting) before embedding, and a prompt
injection score after it (the chunk's own vector is compared with known attack phrasings). What each
chunk earned goes into its point's payload under ``guard`` and is summed per document for the registry.

Stage order matters: masking changes the text that is embedded and stored, so it runs first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.guard.injection import Encoder, InjectionScreen
from core.guard.pii import detector  # cheap: Presidio and spaCy load when a detector is built
from core.settings import GuardrailSettings


@dataclass
class ChunkNotes:
    """What the guards noted of one chunk: stored as the point's ``guard`` payload (no PII in it)."""

    pii: dict[str, int] = field(default_factory=dict)  # entity type -> count
    injection: dict[str, Any] | None = None  # {"score": float, "flagged": bool, "reasons": [str]}

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.pii:
            out["pii"] = dict(self.pii)
        if self.injection is not None:
            out["injection"] = self.injection
        return out


class ChunkGuard:
    """Applies the ingest-time guards to one batch of chunk texts."""

    def __init__(self, settings: GuardrailSettings, encoder: Encoder | None = None) -> None:
        self.settings = settings
        # ``encoder``: the embedder that made the chunks' vectors (their similarity to attack phrasings).
        self.injection = InjectionScreen(encoder)

    def before_embedding(
        self, texts: Sequence[str], tenants: Sequence[str]
    ) -> tuple[list[str], list[ChunkNotes]]:
        """The texts to embed and store (PII masked where the chunk's tenant has pii_at_ingest 'mask'),
        with each chunk's notes (PII counts by type where it is 'flag' or 'mask'). With 'off' for every
        tenant of the batch nothing is loaded or analysed."""
        out, notes = list(texts), [ChunkNotes() for _ in texts]
        by_tenant = {t: self.settings.for_tenant(t) for t in set(tenants)}
        for i, tenant in enumerate(tenants):
            s = by_tenant[tenant]
            if s.pii_at_ingest == "off" or not s.pii_entities:
                continue
            det = detector(s.pii_entities, s.pii_min_score)
            spans = det.find(out[i])
            notes[i].pii = det.counts(spans)
            if s.pii_at_ingest == "mask" and spans:
                out[i] = det.mask(out[i], spans)[0]
        return out, notes

    def after_embedding(
        self, texts: Sequence[str], tenants: Sequence[str], dense: np.ndarray, notes: list[ChunkNotes]
    ) -> None:
        """Add each chunk's injection score to its notes (where its tenant has the injection guard on)."""
        by_tenant = {t: self.settings.for_tenant(t) for t in set(tenants)}
        on = [i for i, t in enumerate(tenants) if by_tenant[t].injection]
        if not on:
            return
        rows = np.asarray(dense)[on] if len(dense) else None
        screened = self.injection.screen_many([texts[i] for i in on], rows)
        for i, s in zip(on, screened, strict=True):
            notes[i].injection = s.note(by_tenant[tenants[i]].injection_threshold)


def document_summary(notes: Sequence[ChunkNotes]) -> dict[str, Any]:
    """A document's guard figures for the registry: PII counts by type, flagged chunk count, top score."""
    pii: dict[str, int] = {}
    for n in notes:
        for kind, count in n.pii.items():
            pii[kind] = pii.get(kind, 0) + count
    scores = [n.injection["score"] for n in notes if n.injection is not None]
    flagged = sum(1 for n in notes if n.injection is not None and n.injection.get("flagged"))
    out: dict[str, Any] = {}
    if pii:
        out["pii"] = pii
    if scores:
        out["injection"] = {"flagged": flagged, "max_score": round(max(scores), 4)}
    return out


def stored_summary(chunks: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """``document_summary`` of a document's stored chunks (payloads), as a re-index leaves them."""
    notes = []
    for c in chunks:
        g = c.get("guard") or {}
        notes.append(ChunkNotes(pii=dict(g.get("pii") or {}), injection=g.get("injection")))
    return document_summary(notes)


def flagged_chunks(chunks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of a document's stored chunks (payloads), those its injection screen flagged: id, index, score and
    reasons (never the text)."""
    out = []
    for c in chunks:
        inj = (c.get("guard") or {}).get("injection") or {}
        if inj.get("flagged"):
            out.append(
                {
                    "chunk_id": str(c.get("id", "")),
                    "chunk_index": c.get("chunk_index"),
                    "score": inj.get("score"),
                    "reasons": list(inj.get("reasons") or []),
                }
            )
    return sorted(out, key=lambda x: (x["chunk_index"] is None, x["chunk_index"] or 0))
