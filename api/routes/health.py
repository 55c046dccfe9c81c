"""Liveness, readiness and Prometheus metrics (no API key needed: probes and scrapers have none)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import ServicesDep
from api.schemas import Health

router = APIRouter(tags=["health"])


# Liveness and metrics run on the event loop, not in the worker threads: a pool full of requests waiting
# on a slow model must not make the process look dead to its probe.
@router.get("/healthz", response_model=Health, summary="The process is up")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    summary="Store reachable and models loaded",
    responses={503: {"model": Health}},
)
def readyz(services: ServicesDep) -> JSONResponse:
    checks: dict[str, str] = {}
    rt = services.runtime
    try:
        problem = rt.store.problem
        if problem is None:
            rt.store.count()
        checks["store"] = problem or "ok"
    except Exception as e:  # noqa: BLE001 - reported, not raised: this is the health check
        checks["store"] = f"unreachable: {e}"
    checks["embedding_model"] = "ok" if rt.embedder.loaded else "not loaded"
    if services.working:
        checks["job_workers"] = "ok" if services.runner.alive() else "stopped"
    ok = all(v == "ok" for v in checks.values())
    body = Health(status="ok" if ok else "unavailable", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(services: ServicesDep) -> Response:
    return Response(generate_latest(services.metrics.registry), media_type=CONTENT_TYPE_LATEST)
