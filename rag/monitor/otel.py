"""OpenTelemetry spans from traces, with the GenAI semantic-convention attribute names. Off unless
``monitoring.otel`` is on; spans go to whatever TracerProvider the process configured (an OTLP exporter
in production, an in-memory one in tests). Each trace becomes a root span covering the request and one
child span per step, laid end to end in the order the steps ran (durations exact, start times derived)."""

from __future__ import annotations

from typing import Any

from rag.monitor.traces import Trace

_NS = 1_000_000  # per millisecond
_PARTS = {"total", "search", "llm_first_token"}  # aggregates or points in time, not steps of their own


def emit(trace: Trace, tracer: Any | None = None) -> None:
    from opentelemetry import trace as otel

    tracer = tracer or otel.get_tracer("rag-knowledge")
    end = int(trace.created_at.timestamp() * 1e9)
    start = end - int(trace.latency_ms * _NS)
    root_name = {"query": "rag.query", "search": "rag.search", "ingest": "rag.ingest"}.get(
        trace.kind, f"rag.{trace.kind}"
    )
    root = tracer.start_span(root_name, start_time=start, attributes=_attributes(trace))
    ctx = otel.set_span_in_context(root)
    at = start
    for step, ms in (trace.timings or {}).items():
        if step in _PARTS:
            continue
        dur = int(ms * _NS)
        name = f"chat {trace.model}" if step == "llm_total" else f"rag.{step}"
        attrs: dict[str, Any] = {"rag.step": step}
        if step == "llm_total":
            attrs |= _llm_attributes(trace)
            first = (trace.timings or {}).get("llm_first_token")
            if first is not None:
                attrs["rag.llm.first_token_ms"] = first
        span = tracer.start_span(name, context=ctx, start_time=at, attributes=attrs)
        span.end(end_time=at + dur)
        at += dur
    if trace.status == "error":
        root.set_status(otel.Status(otel.StatusCode.ERROR, trace.error or "error"))
    root.end(end_time=end)


def _llm_attributes(t: Trace) -> dict[str, Any]:
    return {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": t.model or "",
        "gen_ai.response.model": t.model or "",
        "gen_ai.usage.input_tokens": t.tokens_in,
        "gen_ai.usage.output_tokens": t.tokens_out,
    }


def _attributes(t: Trace) -> dict[str, Any]:
    attrs: dict[str, Any] = {"rag.trace_id": t.id, "rag.kind": t.kind, "rag.tenant": t.tenant}
    if t.conversation_id:
        attrs["gen_ai.conversation.id"] = t.conversation_id
    if t.kind == "query":
        attrs |= _llm_attributes(t) if t.model else {}
        attrs |= {"rag.refused": t.refused, "rag.citations": len(t.citations or [])}
        if t.refusal_reason:
            attrs["rag.refusal_reason"] = t.refusal_reason
        if t.prompt_name:
            attrs |= {
                "rag.prompt.id": t.prompt_id,
                "rag.prompt.hash": t.prompt_hash or "",
                "rag.prompt.variant": t.prompt_variant or "",
            }
        if t.cost is not None:
            attrs["rag.cost"] = t.cost
        confidence = (t.signals or {}).get("confidence")
        if confidence is not None:
            attrs["rag.confidence"] = confidence
    return attrs
