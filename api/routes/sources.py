"""``POST /v1/sources``: a website synced into the caller's tenant (ingest.sync). Folders at fsspec URLs
are the operator's to sync (``rag ingest URL``, ``rag watch DIR``): over HTTP a ``file://`` URL would read
the server's own disk."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter

from api.deps import Caller, ServicesDep
from api.problems import ApiProblem
from api.schemas import SourceRequest, SourceSyncResponse
from app.runtime import Runtime
from core.errors import QuotaExceeded
from core.units import human_bytes
from ingest.listing import canonical, is_web, list_site
from ingest.sync import Listing, sync

router = APIRouter(prefix="/v1/sources", tags=["sources"])


@router.post(
    "",
    response_model=SourceSyncResponse,
    summary="Sync a website",
    description="Crawls the site from `url` (same site, robots.txt obeyed, within the server's depth and "
    "page limits), ingests its pages' main text and files, and deletes the documents of pages gone "
    "since the last sync of the same URL. Private, loopback and link-local addresses are refused unless "
    "the operator allows them (RAG_SOURCES__ALLOW_PRIVATE). The crawl stops at half the request's time "
    "limit; pages it did not reach are synced next time.",
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
    url = canonical(body.url)
    limits = rt.crawl_limits
    # A caller may ask for less than the server allows, never more; and the crawl ends in time for the
    # answer (pages not reached are left for the next sync, and nothing is deleted on their account).
    depth = limits.max_depth if body.max_depth is None else min(limits.max_depth, body.max_depth)
    pages = limits.max_pages if body.max_pages is None else min(limits.max_pages, body.max_pages)
    crawl_s = rt.settings.api.request_timeout_s / 2
    limits = replace(limits, max_depth=depth, max_pages=pages, total_time_s=crawl_s)
    listing = list_site(url, limits, rt.settings.sources.allow_private)
    _check_quota(rt, caller.tenant, url, listing)
    return sync(rt.ingestor, rt.sources, url, caller.tenant, listing, leases=rt.leases).to_dict()


def _check_quota(rt: Runtime, tenant: str, url: str, listing: Listing) -> None:
    """QuotaExceeded when the pages new or changed since the last sync would take the tenant's originals
    over its quota, as an upload would be refused (a page unchanged costs nothing)."""
    known = rt.sources.items(tenant, url)
    new = sum(i.size for i in listing.items if (k := known.get(i.name)) is None or k.version != i.version)
    used, quota = rt.blobs.usage(tenant), rt.settings.api.tenant_quota_bytes
    if new and used + new > quota:
        raise QuotaExceeded(
            f"the site's new pages ({human_bytes(new)}) would take tenant {tenant!r} over its quota of "
            f"{human_bytes(quota)} ({human_bytes(used)} in use; RAG_API__TENANT_QUOTA_MB)"
        )
