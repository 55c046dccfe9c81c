"""Guardrail events over a window: how often each guard ran, flagged, and what it did, from the traces'
``guardrails`` column (the same events ``rag_guardrail_events_total`` counts)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from rag.monitor.traces import Trace


def guardrails(traces: list[Trace]) -> dict[str, Any]:
    """``guards``: per guard and target, the traces it decided on, the flagged ones and the share, and
    its events by action; ``events``: every (guard, target, action) with its count."""
    events: Counter[tuple[str, str, str]] = Counter()
    checked: dict[tuple[str, str], set[str]] = defaultdict(set)
    flagged: dict[tuple[str, str], set[str]] = defaultdict(set)
    with_events = 0
    for t in traces:
        with_events += bool(t.guardrails)
        for e in t.guardrails or ():
            key = (str(e.get("guard")), str(e.get("target", "answer")))
            events[(*key, str(e.get("action")))] += 1
            checked[key].add(t.id)
            if e.get("verdict") == "flagged":
                flagged[key].add(t.id)
    guards = []
    for key in sorted(checked):
        actions = {a: n for (g, tg, a), n in sorted(events.items()) if (g, tg) == key}
        guards.append(
            {
                "guard": key[0],
                "target": key[1],
                "traces": len(checked[key]),
                "flagged": len(flagged[key]),
                "flagged_rate": round(len(flagged[key]) / len(checked[key]), 4),
                "actions": actions,
            }
        )
    return {
        "traces": len(traces),
        "traces_with_events": with_events,
        "guards": guards,
        "events": [
            {"guard": g, "target": tg, "action": a, "count": n} for (g, tg, a), n in sorted(events.items())
        ],
    }
