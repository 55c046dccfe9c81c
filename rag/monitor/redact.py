"""Redact: a trace's content fields -> the same with PII replaced by ``<KIND>`` (core.guard.pii).

Runs on the trace writer's thread (Recorder._prepare), never on the request path. One ``TraceMasker`` per
trace: every distinct string is analysed once (the question recurs in steps and in the prompt), a name
found in one field is masked in all of them (the model may name in the answer someone a chunk only
mentions by first name), and the counts by type become the trace's ``pii`` GuardEvent.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from core.guard.events import GuardEvent
from core.guard.pii import PiiDetector, PiiSpan, detector
from core.settings import GuardrailSettings

_MIN_NAME_WORD = 3  # a found name's single words are masked elsewhere too, from this length


class TraceMasker:
    def __init__(self, det: PiiDetector) -> None:
        self.det = det
        self.found: dict[str, list[PiiSpan]] = {}
        self.memo: dict[str, str] = {}
        self.counts: Counter[str] = Counter()

    def mask(self, fields: dict[str, Any]) -> dict[str, Any]:
        """``fields`` (JSON-like values) with every string masked; dict keys kept (they are field names)."""
        strings: list[str] = []
        _strings(fields, strings)
        for s in strings:
            if s not in self.found and s.strip():
                self.found[s] = self.det.find(s)
        names: set[str] = set()
        for s, spans in self.found.items():
            for sp in spans:
                if sp.kind == "PERSON":
                    name = s[sp.start : sp.end]
                    names.add(name)
                    names |= {w for w in name.split() if len(w) >= _MIN_NAME_WORD and w[0].isupper()}
        for s, spans in self.found.items():
            spans = self.det.with_names(s, spans, names)
            self.memo[s] = self.det.mask(s, spans)[0]
            self.counts.update(sp.kind for sp in spans)
        return {k: self._apply(v) for k, v in fields.items()}

    def _apply(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.memo.get(value, value)
        if isinstance(value, dict):
            return {k: self._apply(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._apply(v) for v in value]
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


def _strings(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for v in value.values():
            _strings(v, out)
    elif isinstance(value, list | tuple):
        for v in value:
            _strings(v, out)


def masker(settings: GuardrailSettings | None, tenant: str) -> TraceMasker | None:
    """A masker for one trace of ``tenant``, or None when its ``pii_in_traces`` is off."""
    if settings is None:
        return None
    s = settings.for_tenant(tenant)
    if s.pii_in_traces != "mask" or not s.pii_entities:
        return None
    return TraceMasker(detector(s.pii_entities, s.pii_min_score))
