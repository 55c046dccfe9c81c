"""Aggregates over traces: time series for the dashboard, quality summaries, prompt-variant comparison."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np

from rag.monitor.traces import Trace
from rag.verify import VERDICTS

# A hybrid search is one request of both candidate lists, timed as "fusion", then a read of the kept
# hits' payloads ("payloads"); a single list is "list_query". (Traces from before that had the lists' own
# "dense_prefetch" and "sparse_prefetch".)
STEPS = (
    "embed_query",
    "list_query",
    "fusion",
    "payloads",
    "prompt_build",
    "llm_first_token",
    "llm_total",
    "total",
)


def _mean(values: Iterable[float | None]) -> float | None:
    v = [float(x) for x in values if x is not None]
    return float(np.mean(v)) if v else None


def _pct(values: list[float], p: float) -> float | None:
    return float(np.percentile(values, p)) if values else None


def summary(traces: list[Trace]) -> dict[str, Any]:
    """Quality signals over a set of traces (a window, a prompt variant ...)."""
    queries = [t for t in traces if t.kind == "query" and t.status == "ok"]
    retrievals = [t for t in traces if t.kind in ("query", "search") and t.status == "ok"]
    signals = [t.signals or {} for t in retrievals]
    rated = [f["rating"] for t in queries for f in (t.feedback or [])]
    return {
        "requests": len(traces),
        "queries": len(queries),
        "searches": sum(t.kind == "search" for t in traces),
        "errors": sum(t.status == "error" for t in traces),
        "top1_mean": _mean(s.get("top1") for s in signals),
        "top1_dense_mean": _mean(s.get("top1_dense") for s in signals),
        "mean_fused_mean": _mean(s.get("mean_fused") for s in signals),
        "overlap_at_5_mean": _mean(s.get("overlap_at_5") for s in signals),
        "empty_rate": _mean(float(bool(s.get("empty"))) for s in signals),
        "low_confidence_rate": _mean(float(bool((t.signals or {}).get("low_confidence"))) for t in queries),
        "refusal_rate": _mean(float(t.refused) for t in queries),
        "citation_coverage_mean": _mean((t.signals or {}).get("citation_coverage") for t in queries),
        "groundedness_mean": _mean((t.signals or {}).get("groundedness") for t in queries),
        **verdict_shares(queries),
        "answerability_mean": _mean((t.signals or {}).get("answerability") for t in queries),
        "feedback_rate": (sum(1 for t in queries if t.feedback) / len(queries)) if queries else None,
        "rating_mean": _mean(rated),
        "tokens_in": sum(t.tokens_in for t in queries),
        "tokens_out": sum(t.tokens_out for t in queries),
        "cost": sum(t.cost or 0.0 for t in queries),
        "latency_ms_p50": _pct([t.latency_ms for t in retrievals], 50),
        "latency_ms_p95": _pct([t.latency_ms for t in retrievals], 95),
    }


def verdict_shares(queries: list[Trace]) -> dict[str, Any]:
    """Share of the model's answer sentences per verification verdict, and of answers the policy changed."""
    totals = dict.fromkeys(VERDICTS, 0)
    for t in queries:
        for verdict, n in ((t.signals or {}).get("verdicts") or {}).items():
            if verdict in totals:
                totals[verdict] += int(n)
    sentences = sum(totals.values())
    policies = [p for t in queries if (p := (t.signals or {}).get("policy"))]
    return {f"sentences_{v}_rate": (totals[v] / sentences if sentences else None) for v in VERDICTS} | {
        "sentences_checked": sentences,
        "flagged_rate": (sum(p != "kept" for p in policies) / len(policies)) if policies else None,
    }


def timeseries(traces: list[Trace], bucket: dt.timedelta) -> list[dict[str, Any]]:
    """One point per time bucket: latency p50/p95 per step, score and quality signals, tokens and cost."""
    by_bucket: dict[int, list[Trace]] = defaultdict(list)
    size = bucket.total_seconds()
    for t in traces:
        by_bucket[int(t.created_at.timestamp() // size)].append(t)
    out = []
    for key in sorted(by_bucket):
        group = by_bucket[key]
        point: dict[str, Any] = {"t": key * size} | summary(group)
        for step in STEPS:
            values = [(t.timings or {})[step] for t in group if step in (t.timings or {})]
            point[f"{step}_p50"] = _pct(values, 50)
            point[f"{step}_p95"] = _pct(values, 95)
        out.append(point)
    return out


def histogram(
    traces: list[Trace], signal: str, bins: int = 20, lo: float = 0.0, hi: float = 1.0
) -> dict[str, Any]:
    values = [v for t in traces if (v := (t.signals or {}).get(signal)) is not None]
    counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
    return {"signal": signal, "edges": edges.tolist(), "counts": counts.tolist(), "n": len(values)}


def prompts(traces: list[Trace]) -> list[dict[str, Any]]:
    """Prompt variants and models side by side: latency, tokens, cost, refusals, groundedness, verification
    verdicts, feedback."""
    groups: dict[tuple[str, str, str], list[Trace]] = defaultdict(list)
    for t in traces:
        if t.kind == "query" and t.status == "ok" and t.prompt_name:
            groups[(t.prompt_id or "", t.prompt_hash or "", t.model or "")].append(t)
    rows = []
    for (prompt, phash, model), group in sorted(groups.items()):
        s = summary(group)
        llm = [(t.timings or {}).get("llm_total") for t in group]
        rows.append(
            {
                "prompt": prompt,
                "hash": phash,
                "model": model,
                "variants": sorted({t.prompt_variant or "" for t in group}),
                "answers": len(group),
                "latency_ms_p50": s["latency_ms_p50"],
                "latency_ms_p95": s["latency_ms_p95"],
                "llm_ms_mean": _mean(llm),
                "tokens_in_mean": _mean(t.tokens_in for t in group),
                "tokens_out_mean": _mean(t.tokens_out for t in group),
                "cost": s["cost"],
                "refusal_rate": s["refusal_rate"],
                "citation_coverage_mean": s["citation_coverage_mean"],
                "groundedness_mean": s["groundedness_mean"],
                **{k: s[k] for k in s if k.startswith("sentences_") or k == "flagged_rate"},
                "feedback_rate": s["feedback_rate"],
                "rating_mean": s["rating_mean"],
            }
        )
    return rows
