"""Monitoring: summaries, time series, recent traces, drift, prompt comparison, slices, guardrail
decisions. A key sees its own tenant; an admin key sees every tenant, or one with ?tenant=."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import Caller, ServicesDep
from api.keys import Principal
from api.problems import ApiProblem
from core.db import utcnow
from rag.monitor import aggregate, guard_events
from rag.monitor.drift import check_windows
from rag.monitor.slice_report import report_window

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/monitor", tags=["monitoring"])

Hours = Annotated[float, Query(gt=0, le=24 * 90, description="Window: the last N hours.")]
SliceHours = Annotated[
    float | None,
    Query(
        gt=0, le=24 * 90, description="Window: the last N hours (default RAG_MONITORING__SLICE_WINDOW_HOURS)."
    ),
]
TenantParam = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="Admin keys only.")]


def _tenant(caller: Principal, tenant: str | None) -> str | None:
    if tenant is not None and not caller.admin and tenant != caller.tenant:
        raise ApiProblem(403, "admin key required", "only admin keys may look at another tenant")
    return tenant if tenant is not None else (None if caller.admin else caller.tenant)


@router.get("/summary", summary="Quality signals over a window")
def monitor_summary(
    services: ServicesDep, caller: Caller, hours: Hours = 24, tenant: TenantParam = None
) -> dict[str, Any]:
    since = utcnow() - dt.timedelta(hours=hours)
    traces = services.runtime.traces.window(since, tenant=_tenant(caller, tenant))
    return {"since": since.isoformat(), **aggregate.summary(traces)}


@router.get("/timeseries", summary="Signals per time bucket, score histograms")
def monitor_timeseries(
    services: ServicesDep,
    caller: Caller,
    hours: Hours = 24,
    bucket_minutes: Annotated[float, Query(ge=0.1, le=24 * 60)] = 60,
    tenant: TenantParam = None,
) -> dict[str, Any]:
    since = utcnow() - dt.timedelta(hours=hours)
    traces = services.runtime.traces.window(since, tenant=_tenant(caller, tenant))
    return {
        "since": since.isoformat(),
        "bucket_s": bucket_minutes * 60,
        "points": aggregate.timeseries(traces, dt.timedelta(minutes=bucket_minutes)),
        "histograms": {
            s: aggregate.histogram(traces, s)
            for s in ("top1_dense", "confidence", "groundedness", "overlap_at_5")
        },
    }


@router.get("/traces", summary="Recent traces")
def list_traces(
    services: ServicesDep,
    caller: Caller,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    kind: Annotated[str | None, Query(pattern=r"^(query|search|ingest)$")] = None,
    tenant: TenantParam = None,
) -> dict[str, Any]:
    since = utcnow() - dt.timedelta(days=3650)
    found = services.runtime.traces.window(since, kind=kind, tenant=_tenant(caller, tenant), limit=limit)
    return {"items": [t.to_dict() for t in found]}


@router.get("/traces/{trace_id}", summary="One trace")
def get_trace(services: ServicesDep, caller: Caller, trace_id: str) -> dict[str, Any]:
    t = services.runtime.traces.get(trace_id, tenant=None if caller.admin else caller.tenant)
    if t is None:
        raise ApiProblem(404, "trace not found", f"no trace {trace_id!r}")
    return t.to_dict()


@router.get("/drift", summary="Drift of the recent window against the baseline")
def monitor_drift(services: ServicesDep, caller: Caller, tenant: TenantParam = None) -> dict[str, Any]:
    rt = services.runtime
    report = check_windows(rt.traces, rt.settings.monitoring, tenant=_tenant(caller, tenant))
    for c in report.checks:
        if c.value is not None:
            services.metrics.drift.labels(c.signal).set(c.value)
        services.metrics.drift_breach.labels(c.signal).set(float(c.breach))
        if c.breach:
            log.warning("drift: %s = %.4f beyond %.4f (%s)", c.signal, c.value or 0.0, c.threshold, c.detail)
    return report.to_dict()


@router.get("/prompts", summary="Prompt variants compared")
def monitor_prompts(
    services: ServicesDep, caller: Caller, hours: Hours = 24 * 7, tenant: TenantParam = None
) -> dict[str, Any]:
    since = utcnow() - dt.timedelta(hours=hours)
    traces = services.runtime.traces.window(since, kind="query", tenant=_tenant(caller, tenant))
    return {"since": since.isoformat(), "prompts": aggregate.prompts(traces)}


@router.get(
    "/slices", summary="Quality per slice (document type and metadata, question, caller) against the rest"
)
def monitor_slices(
    services: ServicesDep, caller: Caller, hours: SliceHours = None, tenant: TenantParam = None
) -> dict[str, Any]:
    rt = services.runtime
    report = report_window(rt.traces, rt.settings.monitoring, hours=hours, tenant=_tenant(caller, tenant))
    for key, value, signal in report.breaches():
        log.info("slice %s=%r: %s worse than the rest", key, value, signal)
    return report.to_dict()


@router.get("/guardrails", summary="Guardrail decisions over a window")
def monitor_guardrails(
    services: ServicesDep, caller: Caller, hours: Hours = 24, tenant: TenantParam = None
) -> dict[str, Any]:
    since = utcnow() - dt.timedelta(hours=hours)
    traces = services.runtime.traces.window(since, tenant=_tenant(caller, tenant))
    return {"since": since.isoformat(), **guard_events.guardrails(traces)}
