"""``POST /v1/sources``: a website synced into the caller's tenant (ingest.sync). Folders at fsspec URLs
are the operator's to sync (``rag ingest URL``, ``rag watch DIR``): over HTTP a ``file://`` URL would read
the server's own disk."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter

from api.deps import Caller, ServicesDep
from api.problems import ApiProblem
from api.schemas import SourceRequest, SourceSyncResponse
from ingest.listing import is_web, list_site
from ingest.sync import sync

router = APIRouter(prefix="/v1/sources", tags=["sources"])


@router.post(
    "",
    response_model=SourceSyncResponse,
    summary="Sync a website",
    description="Crawls the site from `url` (same site, robots.txt obeyed, within the server's depth and "
    "page limits), ingests its pages' main text and files, and deletes the documents of pages gone "
    "since the last sync of the same URL. Private, loopback and link-local addresses are refused unless "
    "the operator allows them (RAG_SOURCES__ALLOW_PRIVATE).",
)
def sync_site(services: ServicesDep, caller: Caller, body: SourceRequest) -> dict:
    if not is_web(body.url):
        raise ApiProblem(
            422,
            "unsupported source",
            "only web sites (http:// or https://) are synced over the API; folders and buckets are synced "
            "by the operator with `rag ingest URL` or `rag watch DIR`",
        )
    rt = services.runtime
    limits = rt.crawl_limits
    # A caller may ask for less than the server allows, never more.
    depth = limits.max_depth if body.max_depth is None else min(limits.max_depth, body.max_depth)
    pages = limits.max_pages if body.max_pages is None else min(limits.max_pages, body.max_pages)
    limits = replace(limits, max_depth=depth, max_pages=pages)
    listing = list_site(body.url, limits, rt.settings.sources.allow_private)
    return sync(rt.ingestor, rt.sources, body.url, caller.tenant, listing, leases=rt.leases).to_dict()
