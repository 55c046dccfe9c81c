"""Redact: a trace's content fields -> the same with PII replaced by ``<KIND>`` (core.guard.pii).

Runs on the trace writer's thread (Recorder._prepare), never on the request path. One ``TraceMasker`` per
trace: every distinct string is analysed once (the question recurs in steps and in the prompt), and the
counts by type become the trace's ``pii`` GuardEvent.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from core.guard.events import GuardEvent
from core.guard.pii import PiiDetector, detector
from core.settings import GuardrailSettings


class TraceMasker:
    def __init__(self, det: PiiDetector) -> None:
        self.det = det
        self.memo: dict[str, str] = {}
        self.counts: Counter[str] = Counter()

    def text(self, value: str | None) -> str | None:
        if not value or not value.strip():
            return value
        masked = self.memo.get(value)
        if masked is None:
            masked, spans = self.det.mask(value)
            self.counts.update(s.kind for s in spans)
            self.memo[value] = masked
        return masked

    def value(self, value: Any) -> Any:
        """Strings anywhere in a JSON-like value masked (dict keys kept: they are field names)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value

    def event(self) -> GuardEvent | None:
        if not self.counts:
            return None
        return GuardEvent(
            guard="pii",
            verdict="flagged",
            action="masked",
            target="trace",
            reason="personal data replaced in the stored trace",
            detail=dict(sorted(self.counts.items())),
        )


def masker(settings: GuardrailSettings | None, tenant: str) -> TraceMasker | None:
    """A masker for one trace of ``tenant``, or None when its ``pii_in_traces`` is off."""
    if settings is None:
        return None
    s = settings.for_tenant(tenant)
    if s.pii_in_traces != "mask" or not s.pii_entities:
        return None
    return TraceMasker(detector(s.pii_entities, s.pii_min_score))
