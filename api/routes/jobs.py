"""Jobs: the state of an ingestion job, queued -> parsing -> chunking -> embedding -> indexed | failed."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Caller, ServicesDep
from api.problems import ApiProblem
from api.schemas import JobOut

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


@router.get("/{job_id}", response_model=JobOut, summary="One ingestion job")
def get_job(services: ServicesDep, caller: Caller, job_id: str) -> JobOut:
    job = services.jobs.get(job_id, tenant=caller.tenant)
    if job is None:
        raise ApiProblem(404, "job not found", f"no job {job_id!r}")
    return JobOut(**job.to_dict())
