"""Website syncs asked for over the API (``POST /v1/sources``), run in the background of the process
that took the request, so that a crawl can outlast the request: its Crawl-delay honoured, up to
``RAG_SOURCES__CRAWL_TIME_S``. Each is a row of ``ingest.syncruns``, which any process can read back.

What a caller does wrong is refused before the run begins (not a web address, an address the guard
refuses, a sync of the same site already running); what goes wrong later (the site unreachable, over the
quota) ends the run ``failed`` with its reason, and is raised to a request still waiting for it."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, replace

from api.problems import ApiProblem
from app.runtime import Runtime
from core.errors import DocumentBusy, QuotaExceeded, RagError
from core.lease import process_id
from core.units import human_bytes
from ingest.listing import canonical, list_site
from ingest.sync import Listing, sync
from ingest.syncruns import SyncRun, SyncRuns
from ingest.web import BadURL, CrawlLimits, WebError, guard
from ingest.web.urls import normalise

log = logging.getLogger(__name__)

UNEXPECTED = "the sync failed on an unexpected error; the server's log has the details"
STOPPED = "the server stopped before this sync ended; sync again"
QUEUE_PER_WORKER = 4
FORGET_AFTER_S = 60.0


@dataclass
class _Pending:
    """A run this process runs: whose, its future, and when it ended (monotonic), once it has."""

    tenant: str
    future: Future[None]
    ended: float | None = None


class SiteSyncs:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        s = runtime.settings
        self.runs = SyncRuns(s.registry_url, alive=self._under_way, auto_upgrade=s.db.auto_upgrade)
        self._pool = ThreadPoolExecutor(runtime.settings.sources.api_syncs, thread_name_prefix="site-sync")
        self._futures: dict[str, _Pending] = {}  # by run id
        self._lock = threading.RLock()  # _under_way is asked from begin(), under it
        self._stop = threading.Event()

    def start(self, tenant: str, url: str, max_depth: int | None, max_pages: int | None) -> SyncRun:
        """Begin syncing the site at ``url`` into ``tenant``, within the server's limits (a caller may ask
        for less, never more). Raises BadURL, UnsafeURL, SourceBusy."""
        rt = self.runtime
        uri = canonical(url)
        start = normalise(uri)
        if start is None:
            guard.split(uri)  # says what is wrong with it
            raise BadURL(f"{url!r} is not a web address")
        guard.check(start, allow_private=rt.settings.sources.allow_private)
        limits = rt.crawl_limits
        limits = replace(
            limits,
            max_depth=limits.max_depth if max_depth is None else min(limits.max_depth, max_depth),
            max_pages=limits.max_pages if max_pages is None else min(limits.max_pages, max_pages),
            total_time_s=rt.settings.sources.crawl_time_s,
        )
        with self._lock:
            self._refuse_past_the_queue(tenant)
            run = self.runs.begin(tenant, uri)
            future = self._pool.submit(self._run, run, limits)
            self._futures[run.id] = _Pending(tenant, future)
        future.add_done_callback(lambda _: self._ended(run.id))  # at once when it has ended already
        return run

    def _under_way(self, run: SyncRun) -> bool:
        """Whether a run the table says is running still is: another process's while that process beats,
        one of ours while its thread has not ended (a run whose end could not be written is not)."""
        if run.owner != process_id():
            return self.runtime.leases.alive(run.owner)
        with self._lock:
            pending = self._futures.get(run.id)
            return pending is not None and not pending.future.done()

    def _ended(self, run_id: str) -> None:
        with self._lock:
            if run_id in self._futures:
                self._futures[run_id].ended = time.monotonic()

    def _refuse_past_the_queue(self, tenant: str) -> None:
        """429 when this process has as many syncs as it takes: ``api_syncs`` a tenant, four times that
        in all (each holds a crawl and its spool; the rest of a tenant's sites wait for its turn)."""
        # A request waiting on its run reads the run's error from its future: kept a while after it ends.
        now = time.monotonic()
        for run_id in [i for i, p in self._futures.items() if p.ended and now - p.ended > FORGET_AFTER_S]:
            del self._futures[run_id]
        workers = self.runtime.settings.sources.api_syncs
        pending = [p.tenant for p in self._futures.values() if not p.future.done()]
        if pending.count(tenant) >= workers or len(pending) >= QUEUE_PER_WORKER * workers:
            raise ApiProblem(
                429,
                "too many syncs",
                f"{pending.count(tenant)} syncs of this tenant and {len(pending)} in all are under way here "
                f"(RAG_SOURCES__API_SYNCS={workers}); try again when one has ended",
                {"Retry-After": "30"},
            )

    def wait(self, run_id: str, timeout_s: float) -> None:
        """Wait for a run this process runs, at most ``timeout_s``; raises the RagError that ended it."""
        with self._lock:
            pending = self._futures.get(run_id)
        if pending is None:
            return
        done, _ = wait_for([pending.future], timeout_s)
        error = pending.future.exception() if done else None
        if isinstance(error, RagError):  # anything else was logged, and the run says it failed
            raise error

    def close(self) -> None:
        """Stop: crawls end before their next page (their runs fail as stopped, nothing deleted); syncs
        already ingesting finish; runs not begun fail as stopped."""
        self._stop.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            cancelled = [run_id for run_id, p in self._futures.items() if p.future.cancelled()]
            self._futures.clear()
        for run_id in cancelled:
            self.runs.fail(run_id, "stopped", STOPPED)
        self.runs.close()

    def _run(self, run: SyncRun, limits: CrawlLimits) -> None:
        rt = self.runtime
        try:
            listing = list_site(run.uri, limits, rt.settings.sources.allow_private, stop=self._stop.is_set)
            if self._stop.is_set():
                self.runs.fail(run.id, "stopped", STOPPED)
                return
            self._check_quota(run, listing)
            report = sync(rt.ingestor, rt.sources, run.uri, run.tenant, listing, leases=rt.leases)
        except RagError as e:
            self.runs.fail(run.id, _reason(e), str(e))
            raise
        except Exception:
            log.exception("sync %s of %s failed", run.id, run.uri)
            self.runs.fail(run.id, "internal", UNEXPECTED)
            raise
        self.runs.finish(run.id, report.to_dict())
        log.info("sync %s of %s done", run.id, run.uri)

    def _check_quota(self, run: SyncRun, listing: Listing) -> None:
        """QuotaExceeded when the pages new or changed since the last sync would take the tenant's
        originals over its quota, as an upload would be refused (a page unchanged costs nothing)."""
        rt, tenant = self.runtime, run.tenant
        known = rt.sources.items(tenant, run.uri)
        new = sum(i.size for i in listing.items if (k := known.get(i.name)) is None or k.version != i.version)
        used, quota = rt.blobs.usage(tenant), rt.settings.api.tenant_quota_bytes
        if new and used + new > quota:
            raise QuotaExceeded(
                f"the site's new pages ({human_bytes(new)}) would take tenant {tenant!r} over its quota of "
                f"{human_bytes(quota)} ({human_bytes(used)} in use; RAG_API__TENANT_QUOTA_MB)"
            )


def _reason(e: RagError) -> str:
    if isinstance(e, WebError):
        return e.reason
    if isinstance(e, QuotaExceeded):
        return "quota"
    if isinstance(e, DocumentBusy):
        return "busy"
    return "failed"
