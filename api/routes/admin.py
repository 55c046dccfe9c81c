"""Admin: re-index into a new index version with zero downtime, follow it, abort it, roll back. Admin keys
only. The re-index runs in this process, beside the queries it must not disturb."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import Admin, ServicesDep
from api.problems import ApiProblem
from api.schemas import IndexVersion, ReindexRequest, ReindexRun, ReindexStart, ReindexStatus, RollbackOut
from core.store import describe_versions
from ingest.reindex.options import Options, up_to_date

router = APIRouter(prefix="/v1/admin/reindex", tags=["admin"])


@router.post("", status_code=202, response_model=ReindexStart, summary="Start a re-index")
def start_reindex(services: ServicesDep, _: Admin, body: ReindexRequest, response: Response) -> ReindexStart:
    opts = Options(**body.model_dump())
    run = services.start_reindex(opts)
    if run is None:
        response.status_code = 200
        return ReindexStart(run=None, detail=up_to_date(opts))
    return ReindexStart(
        run=ReindexRun.model_validate(run, from_attributes=True),
        detail=f"building index version {run.version}",
    )


@router.get("", response_model=ReindexStatus, summary="Index versions and recent re-index runs")
def reindex_status(services: ServicesDep, _: Admin) -> ReindexStatus:
    rt = services.runtime
    versions = [IndexVersion(**v) for v in describe_versions(rt.versions)]  # type: ignore[arg-type]
    runs = [ReindexRun.model_validate(r, from_attributes=True) for r in services.checkpoints.recent(20)]
    return ReindexStatus(served=rt.versions.current(), problem=rt.store.problem, versions=versions, runs=runs)


@router.get("/{run_id}", response_model=ReindexRun, summary="One re-index run: phase, counts, rate, ETA")
def get_reindex_run(services: ServicesDep, _: Admin, run_id: str) -> ReindexRun:
    run = services.checkpoints.get(run_id)
    if run is None:
        raise ApiProblem(404, "re-index not found", f"no re-index {run_id!r}")
    return ReindexRun.model_validate(run, from_attributes=True)


@router.post("/{run_id}/abort", status_code=202, response_model=ReindexRun, summary="Abort a re-index")
def abort_reindex(services: ServicesDep, _: Admin, run_id: str) -> ReindexRun:
    if services.checkpoints.get(run_id) is None:
        raise ApiProblem(404, "re-index not found", f"no re-index {run_id!r}")
    return ReindexRun.model_validate(services.reindexer.abort(run_id), from_attributes=True)


@router.post("/rollback", response_model=RollbackOut, summary="Serve the previous index version again")
def rollback_index(services: ServicesDep, _: Admin) -> RollbackOut:
    before = services.runtime.versions.current()
    return RollbackOut(served=services.reindexer.rollback(), previous=before)
