"""Website syncs asked for over the API (``POST /v1/sources``), run in the background of the process
that took the request, so that a crawl can outlast the request: its Crawl-delay honoured, up to
``RAG_SOURCES__CRAWL_TIME_S``. Each is a row of ``ingest.syncruns``, which any process can read back.

What a caller does wrong is refused before the run begins (not a web address, an address the guard
refuses, a sync of the same site already running, more syncs than its share); what goes wrong later (the
site unreachable, over the quota) ends the run ``failed`` with its reason, and is raised to a request
still waiting for it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from api.problems import ApiProblem
from app.runtime import Runtime
from core.errors import DocumentBusy, QuotaExceeded, RagError
from core.lease import process_id
from core.units import human_bytes
from ingest.listing import canonical, list_site
from ingest.sync import Listing, sync
from ingest.syncruns import SyncRun, SyncRuns
from ingest.web import BadURL, CrawlLimits, WebError, checked_start
from ingest.web.spool import SpoolFailed

log = logging.getLogger(__name__)

UNEXPECTED = "the sync failed on an unexpected error; the server's log has the details"
STOPPED = "the server stopped before this sync ended: what it ingested stays, nothing was deleted; sync again"
QUEUE_PER_WORKER = 4  # syncs under way in a process, running or waiting for a thread, per thread
FORGET_AFTER_S = 60.0  # a run's future is kept this long after it ended, for the request waiting on it
END_TRIES = 3  # tries to record a run's end
MAX_URL_CHARS = 2048  # as sync_runs stores a source's URI


@dataclass
class _Pending:
    """A run this process runs: whose, its future (once submitted), when it ended (monotonic)."""

    tenant: str
    future: Future[None] | None = None
    ended: float | None = None

    @property
    def under_way(self) -> bool:
        return self.future is None or not self.future.done()


class SiteSyncs:
    """This process's website syncs: ``start`` one, ``wait`` for it, ``get`` any process's run."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        s = runtime.settings
        self.runs = SyncRuns(s.registry_url, alive=self._under_way, auto_upgrade=s.db.auto_upgrade)
        self._pool = ThreadPoolExecutor(s.sources.api_syncs, thread_name_prefix="site-sync")
        self._pending: dict[str, _Pending] = {}  # by run id
        # Taken around a run's creation and registration, and by _under_way (also from within begin):
        # never while submitting to the pool, whose shutdown holds its own lock while it ends futures.
        self._lock = threading.RLock()
        self._stop = threading.Event()

    def start(self, tenant: str, url: str, max_depth: int | None, max_pages: int | None) -> SyncRun:
        """Begin syncing the site at ``url`` into ``tenant``, within the server's limits (a caller may ask
        for less, never more). Raises BadURL, UnsafeURL, SourceBusy, or 429 past the tenant's share."""
        rt = self.runtime
        uri = canonical(url)
        if len(uri) > MAX_URL_CHARS:
            raise BadURL(f"{url[:200]!r}... is longer than {MAX_URL_CHARS} characters")
        checked_start(uri, allow_private=rt.settings.sources.allow_private)
        limits = rt.crawl_limits
        limits = replace(
            limits,
            max_depth=limits.max_depth if max_depth is None else min(limits.max_depth, max_depth),
            max_pages=limits.max_pages if max_pages is None else min(limits.max_pages, max_pages),
            total_time_s=rt.settings.sources.crawl_time_s,
        )
        with self._lock:
            self.runs.refuse_if_running(tenant, uri)  # 409 for this site before 429 for the tenant
            self._refuse_past_the_queue(tenant)
            run = self.runs.begin(tenant, uri)
            pending = self._pending[run.id] = _Pending(tenant)
        try:
            pending.future = self._pool.submit(self._run, run, limits)
        except RuntimeError:  # the pool is shut down: the service is stopping
            self.runs.fail(run.id, "stopped", STOPPED)
            raise ApiProblem(503, "service stopping", "the server is stopping; sync again") from None
        pending.future.add_done_callback(lambda _: setattr(pending, "ended", time.monotonic()))
        return run

    def get(self, tenant: str, run_id: str) -> SyncRun | None:
        return self.runs.get(tenant, run_id)

    def wait(self, run_id: str, timeout_s: float) -> None:
        """Wait for a run this process runs, at most ``timeout_s``; raises the RagError that ended it."""
        pending = self._pending.get(run_id)
        if pending is None or pending.future is None:
            return
        done, _ = wait_for([pending.future], timeout_s)
        if not done or pending.future.cancelled():
            return
        error = pending.future.exception()
        if isinstance(error, RagError):  # anything else was logged, and the run says it failed
            raise error

    def close(self) -> None:
        """Stop: crawls end before their next page and syncs before their next document (their runs end
        ``stopped``, nothing deleted); runs not begun end ``stopped`` too."""
        self._stop.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            cancelled = [i for i, p in self._pending.items() if p.future is not None and p.future.cancelled()]
            self._pending.clear()
        for run_id in cancelled:
            self.runs.fail(run_id, "stopped", STOPPED)
        self.runs.close()

    def _refuse_past_the_queue(self, tenant: str) -> None:
        """429 when this process has as many syncs as it takes: half its threads a tenant (so one tenant
        never holds them all), four times its threads in all (each holds a crawl and its spool)."""
        now = time.monotonic()
        for run_id in [i for i, p in self._pending.items() if p.ended and now - p.ended > FORGET_AFTER_S]:
            del self._pending[run_id]
        workers = self.runtime.settings.sources.api_syncs
        under_way = [p.tenant for p in self._pending.values() if p.under_way]
        share = max(1, workers // 2)
        if under_way.count(tenant) >= share or len(under_way) >= QUEUE_PER_WORKER * workers:
            raise ApiProblem(
                429,
                "too many syncs",
                f"{under_way.count(tenant)} syncs of this tenant ({share} at most) and {len(under_way)} in "
                f"all are under way here (RAG_SOURCES__API_SYNCS={workers}); try again when one has ended",
                {"Retry-After": "30"},
            )

    def _under_way(self, run: SyncRun) -> bool:
        """Whether a run the table says is running still is: another process's while that process beats,
        one of ours while its thread has not ended (a run whose end could not be written is not)."""
        if run.owner != process_id():
            return self.runtime.leases.alive(run.owner)
        with self._lock:
            pending = self._pending.get(run.id)
            return pending is not None and pending.under_way

    def _run(self, run: SyncRun, limits: CrawlLimits) -> None:
        try:
            report = self._sync(run, limits)
        except RagError as e:
            if self._stop.is_set():  # the stop cut its page short: stopped, whatever the page's error
                self._record(run, partial(self.runs.fail, run.id, "stopped", STOPPED))
            else:
                self._record(run, partial(self.runs.fail, run.id, _reason(e), str(e)))
            raise
        except Exception:
            log.exception("sync %s of %s failed", run.id, run.uri)
            self._record(run, partial(self.runs.fail, run.id, "internal", UNEXPECTED))
            raise
        if report is None:
            self._record(run, partial(self.runs.fail, run.id, "stopped", STOPPED))
        else:
            self._record(run, partial(self.runs.finish, run.id, report))

    def _sync(self, run: SyncRun, limits: CrawlLimits) -> dict[str, Any] | None:
        """The sync's report, or None when the service stopped during it."""
        rt = self.runtime
        listing = list_site(run.uri, limits, rt.settings.sources.allow_private, stop=self._stop)
        if self._stop.is_set():
            return None
        self._check_quota(run, listing)
        report = sync(
            rt.ingestor, rt.sources, run.uri, run.tenant, listing, leases=rt.leases, stop=self._stop.is_set
        )
        log.info("sync %s of %s: %s", run.id, run.uri, report.ingest.to_dict())
        return None if self._stop.is_set() else report.to_dict()

    def _record(self, run: SyncRun, end: Callable[[], bool]) -> None:
        """Write how a run ended, trying again on a database error; a run whose end cannot be written
        reads as abandoned from here (its thread has ended) and from other processes once this one stops."""
        for attempt in range(1, END_TRIES + 1):
            try:
                if not end():
                    log.warning("sync %s of %s was ended by another process meanwhile", run.id, run.uri)
                return
            except Exception:  # noqa: BLE001 - the end of a run outlives a database hiccup, or says so
                log.exception("could not record how sync %s ended (try %d of %d)", run.id, attempt, END_TRIES)
                time.sleep(0.5 * attempt)

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
    """A failed run's reason: a crawl's own (fetch_failed, timeout, unsafe, bad_url...), quota, busy,
    storage (no room for the crawl's pages)."""
    if isinstance(e, WebError):
        return e.reason
    if isinstance(e, QuotaExceeded):
        return "quota"
    if isinstance(e, DocumentBusy):
        return "busy"
    if isinstance(e, SpoolFailed):
        return "storage"
    return "failed"
