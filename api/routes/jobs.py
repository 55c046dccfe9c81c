"""Jobs: the state of an ingestion job, queued -> parsing -> chunking -> embedding -> indexed | failed,
and cancelling one (it ends failed, reason ``cancelled``)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Caller, ServicesDep
from api.problems import ApiProblem
from api.schemas import JobCancelled, JobOut

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


@router.get("/{job_id}", response_model=JobOut, summary="One ingestion job")
def get_job(services: ServicesDep, caller: Caller, job_id: str) -> JobOut:
    job = services.jobs.get(job_id, tenant=caller.tenant)
    if job is None:
        raise ApiProblem(404, "job not found", f"no job {job_id!r}")
    return JobOut.model_validate(job, from_attributes=True)


@router.post("/{job_id}/cancel", response_model=JobCancelled, summary="Cancel an ingestion job")
def cancel_job(services: ServicesDep, caller: Caller, job_id: str) -> JobCancelled:
    """A queued job never starts; a running one stops at once (its parser is killed). Either ends
    ``failed`` with reason ``cancelled``; a document it was replacing keeps its previous version."""
    cancelled = services.runner.cancel(job_id, tenant=caller.tenant)
    if cancelled is None:
        job = services.jobs.get(job_id, tenant=caller.tenant)
        if job is None:
            raise ApiProblem(404, "job not found", f"no job {job_id!r}")
        raise ApiProblem(
            409,
            "job already finished",
            f"job {job_id} already ended {job.state.value}" + (f" ({job.reason})" if job.reason else ""),
            state=job.state.value,
        )
    job, was = cancelled
    return JobCancelled(was=was, job=JobOut.model_validate(job, from_attributes=True))  # type: ignore[arg-type]


@router.delete(
    "/{job_id}", response_model=JobCancelled, summary="Cancel an ingestion job (same as POST .../cancel)"
)
def delete_job(services: ServicesDep, caller: Caller, job_id: str) -> JobCancelled:
    return cancel_job(services, caller, job_id)
