"""``POST /v1/sources``: a website synced into the caller's tenant, in the background (api.site_syncs);
``GET /v1/sources/syncs/{id}``: how that sync went. Folders at fsspec URLs are the operator's to sync
(``rag ingest URL``, ``rag watch DIR``): over HTTP a ``file://`` URL would read the server's own disk."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import Caller, ServicesDep, Started, wait_budget
from api.problems import ApiProblem
from api.schemas import SourceRequest, SyncRunOut
from ingest.listing import is_web
from ingest.syncruns import SyncRun, SyncState

router = APIRouter(prefix="/v1/sources", tags=["sources"])

WaitForSync = Annotated[
    bool, Query(description="Wait for the sync within the request's time (RAG_API__WAIT_TIMEOUT_S at most).")
]


@router.post(
    "",
    response_model=SyncRunOut,
    status_code=202,
    summary="Sync a website",
    description="Crawls the site from `url` (same site, robots.txt obeyed, within the server's depth and "
    "page limits), ingests its pages' main text and files, and deletes the documents of pages gone "
    "since the last sync of the same URL. Private, loopback and link-local addresses are refused unless "
    "the operator allows them (RAG_SOURCES__ALLOW_PRIVATE). The sync runs in the background, its crawl "
    "for at most RAG_SOURCES__CRAWL_TIME_S: 202 with the sync's id to follow at "
    "GET /v1/sources/syncs/{id}; with `wait=true` (the default) the answer waits for it within the "
    "request's time: 200 with the report, or the error that ended it as its status (502 for a site "
    "that cannot be reached, 413 over the quota). 409 while a sync of the site runs; 429 past the "
    "tenant's share of this server's syncs (RAG_SOURCES__API_SYNCS).",
    responses={200: {"model": SyncRunOut, "description": "The sync ended while the request waited."}},
)
def sync_site(
    services: ServicesDep,
    caller: Caller,
    body: SourceRequest,
    started: Started,
    response: Response,
    wait: WaitForSync = True,
) -> SyncRunOut:
    if not is_web(body.url):
        raise ApiProblem(
            422,
            "unsupported source",
            "only web sites (http:// or https://) are synced over the API; folders and buckets are synced "
            "by the operator with `rag ingest URL` or `rag watch DIR`",
        )
    syncs = services.site_syncs
    run = syncs.start(caller.tenant, body.url, body.max_depth, body.max_pages)
    if wait:
        api = services.runtime.settings.api
        syncs.wait(run.id, wait_budget(api.wait_timeout_s, api.request_timeout_s, time.monotonic() - started))
    run = _run(services, caller.tenant, run.id)
    if run.state != SyncState.RUNNING:
        response.status_code = 200
    return _out(run)


@router.get("/syncs/{sync_id}", response_model=SyncRunOut, summary="One website sync")
def get_sync(services: ServicesDep, caller: Caller, sync_id: str) -> SyncRunOut:
    return _out(_run(services, caller.tenant, sync_id))


def _run(services: ServicesDep, tenant: str, run_id: str) -> SyncRun:
    run = services.site_syncs.get(tenant, run_id)
    if run is None:
        raise ApiProblem(404, "sync not found", f"no sync {run_id[:64]!r}")
    return run


def _out(run: SyncRun) -> SyncRunOut:
    return SyncRunOut(
        id=run.id,
        source=run.uri,
        state=run.state.value,
        reason=run.reason,
        error=run.error,
        created_at=run.created_at,
        finished_at=run.finished_at,
        report=run.report,
    )
