"""Ingestion jobs: an uploaded file -> queued -> parsing -> chunking -> embedding -> indexed | failed.

Job state lives in the registry database (``ingest.jobstore``), so it survives the process, and the
queue is that table: workers are threads of any number of processes (``rag worker``, ``rag serve``),
each taking the next job with one atomic claim (tenants take turns there). A process that submits a job
wakes its own workers; the others find it within RAG_CLUSTER__POLL_S. While a job runs, its process's
lease (``core.lease``) says it is alive, and a watchdog stamps the job every few seconds. A job can be
cancelled from any process; one that runs past its timeout is failed with that reason and told to stop
like a cancelled one (at its next stage; a running parser is killed). A worker that does not come back
soon after is left to finish on its own and another takes its place, so a stuck job never holds the
queue. Jobs whose process died (lease expired; at start, and every half lease) are resumed from the
stored original file by whichever worker claims them (ingestion is idempotent, so redoing a stage is
safe) or, after too many attempts or with the file gone, failed with the reason in words. No job stays
"running" forever.

Each job holds a reference to its original (``ingest.blobs``) until it finishes; the document's own
reference then takes over, or, if it failed, the file goes with the last reference.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from core.lease import process_id
from core.scrub import scrub
from ingest.blobs import BlobStore, Owner
from ingest.jobstore import RUNNING, Job, JobState, JobStore
from ingest.pipeline import Outcome, Source

log = logging.getLogger(__name__)


INTERNAL_ERROR = "the server failed while ingesting this file; the details are in the server log"
DELETED = "the document was deleted before its replacement started; upload it again to index it"
Ingest = Callable[[Source, Callable[[str], None], threading.Event], Outcome]


@dataclass
class _Running:
    job: Job
    thread: threading.Thread
    cancel: threading.Event
    started: float  # monotonic
    stopped: float | None = None  # when it was told to stop (cancel or timeout)
    replaced: bool = False  # another worker took its place


class JobRunner:
    """Worker threads that run queued jobs through ``ingest`` (the runtime's gated ``ingest_one``), one
    document each, tenants taking turns."""

    def __init__(
        self,
        store: JobStore,
        ingest: Ingest,
        blobs: BlobStore,
        *,
        workers: int = 1,
        per_tenant: int | None = None,
        timeout_s: float = 900.0,
        heartbeat_s: float = 5.0,
        max_attempts: int = 3,
        grace_s: float = 10.0,
        poll_s: float = 1.0,
        lease_s: float = 30.0,
        settle: Callable[[str, str], None] | None = None,
        exists: Callable[[str, str], bool] | None = None,
        on_finished: Callable[[Job, dict[str, float]], None] | None = None,
    ) -> None:
        """``per_tenant``: jobs one tenant may run at once, across every process (None: no limit).
        ``poll_s``: how often an idle worker looks for jobs other processes submitted; ``lease_s``: how
        often jobs of dead processes are looked for.
        ``settle(tenant, doc_id)`` lets a document reference the originals it now serves (called
        when one of its jobs ends, before the job's own reference is dropped). ``exists(tenant, doc_id)``
        says whether a document is there: a replacement whose document is gone when it starts fails
        ``cancelled`` instead of writing it again."""
        self.store = store
        self.ingest = ingest
        self.blobs = blobs
        self.workers = workers
        self.timeout_s = timeout_s
        self.heartbeat_s = heartbeat_s
        self.max_attempts = max_attempts
        self.grace_s = grace_s
        self.poll_s = poll_s
        self.lease_s = lease_s
        self.per_tenant = per_tenant
        self.settle = settle
        self.exists = exists
        self.on_finished = on_finished
        self._wake = threading.Condition()
        self._stuck: set[tuple[str, str]] = set()  # documents of workers given up on, still running
        self._swept = 0.0  # when jobs of dead processes were last looked for (monotonic)
        self._orphans: set[Owner] = set()  # job references without a job at the last sweep
        self._running: dict[str, _Running] = {}  # job id -> its worker
        self._retired: set[threading.Thread] = set()  # workers replaced: they exit after their job
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []
        self._watcher: threading.Thread | None = None
        self._spawned = itertools.count()

    def start(self) -> None:
        self.recover()
        for _ in range(self.workers):
            self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="ingest-job-heartbeat", daemon=True)
        self._watcher.start()

    def recover(self) -> None:
        """Settle what dead processes left: their running jobs go back in line (or fail, after too many
        attempts or with the file gone), and the file references of jobs that ended without dropping
        them are dropped. Jobs of live processes are theirs."""
        self._swept = time.monotonic()
        for job in self.store.abandoned():
            if not self.blobs.exists(job.blob):
                self._fail(
                    job.id, "interrupted", "interrupted by a restart, and the original file is missing"
                )
            elif job.attempts >= self.max_attempts:
                self._fail(job.id, "interrupted", f"interrupted by a restart {job.attempts} times; giving up")
            elif self.store.release(job):
                log.warning("resuming job %s (%s) interrupted in state %s", job.id, job.source, job.state)
        owners = self.blobs.owners("job")
        jobs = {j.id: j for j in self.store.get_many([o.id for o in owners])}
        for owner in owners:
            job = jobs.get(owner.id)
            if job is not None and job.finished:
                if self.settle is not None:
                    self.settle(job.tenant, job.doc_id)
                self.blobs.release(owner)
        # A reference without its job: an upload (in any process) holds its file a moment before its
        # job row exists, or crashed in between. Let go only of those still without one a sweep later.
        orphans = {o for o in owners if o.id not in jobs}
        for owner in orphans & self._orphans:
            self.blobs.release(owner)
        self._orphans = orphans

    def alive(self) -> bool:
        with self._lock:
            workers = [t for t in self._workers if t not in self._retired]
        watcher = self._watcher
        return bool(workers) and all(t.is_alive() for t in workers) and bool(watcher and watcher.is_alive())

    def submit(self, job: Job) -> None:
        """A job was queued (in the table): wake this process's idle workers."""
        with self._wake:
            self._wake.notify_all()

    def cancel(self, job_id: str, tenant: str | None = None) -> tuple[Job, str] | None:
        """Cancel a job: a queued one never starts, a running one is told to stop at once (its worker
        returns at the next stage). Returns the job, failed ``cancelled``, and whether it was "queued" or
        "running"; None if it was not found or had already finished."""
        job = self.store.get(job_id, tenant=tenant)
        if job is None or job.finished:
            return None
        # The table first: a worker about to start it then finds it finished and lets go of it. Which
        # state it was failed from is what it was: a worker may hold it, yet not have started it.
        was = None
        for state, states in (("queued", [JobState.QUEUED]), ("running", sorted(RUNNING))):
            if self._fail(job_id, "cancelled", "cancelled on request", only_from=states):
                was = state
                break
        if was is None:
            return None
        with self._lock:
            running = self._running.get(job_id)
            if running is not None:
                running.cancel.set()
                running.stopped = running.stopped or time.monotonic()
        if was == "queued":  # its worker, if one took it meanwhile, lets go of it too (twice is fine)
            self._release(job)
        log.info("job %s (%s) cancelled while %s", job_id, job.source, was)
        return self.store.get(job_id) or job, was

    def wait(self, job_ids: Sequence[str], timeout_s: float) -> list[Job]:
        """The jobs once they have all finished, or as they are after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            jobs = self.store.get_many(job_ids)
            if all(j.finished for j in jobs) or time.monotonic() >= deadline:
                return jobs
            time.sleep(0.05)

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        with self._lock:
            for running in self._running.values():
                running.cancel.set()  # its worker puts it back in line (a clean stop is no attempt)
            threads = [*self._workers, self._watcher]
        deadline = time.monotonic() + timeout_s
        for t in threads:
            if t is not None:
                t.join(timeout=max(0.0, deadline - time.monotonic()))

    def _spawn(self) -> None:
        t = threading.Thread(target=self._work, name=f"ingest-job-{next(self._spawned)}", daemon=True)
        with self._lock:
            self._workers.append(t)
        t.start()

    def _work(self) -> None:
        me = threading.current_thread()
        while not self._stop.is_set():
            with self._lock:
                if me in self._retired:
                    self._workers.remove(me)
                    self._retired.discard(me)
                    return
            job = self._claim()
            if job is None:
                with self._wake:
                    self._wake.wait(self.poll_s)
                continue
            running = _Running(job, me, threading.Event(), time.monotonic())
            with self._lock:
                self._running[job.id] = running
            try:
                self._run(job, running.cancel)
            except Exception:  # noqa: BLE001 - a job fails with the reason; the worker lives on
                log.exception("job %s failed unexpectedly", job.id)
                self._fail(job.id, "internal", INTERNAL_ERROR, mine=True)
                self._finish(job.id, {})
            finally:
                with self._lock:
                    self._running.pop(job.id, None)
                    self._stuck.discard((job.tenant, job.doc_id))
                with self._wake:
                    self._wake.notify_all()  # a job of the same document or tenant may go now

    def _claim(self) -> Job | None:
        """The next job from the table, now this process's; one whose document a worker given up on
        still writes goes back in line (its first attempt was not one)."""
        job = self.store.claim(self.per_tenant)
        if job is None:
            return None
        with self._lock:
            stuck = (job.tenant, job.doc_id) in self._stuck
        if stuck:
            self.store.release(job, attempts=job.attempts - 1)
            return None
        return job

    def _run(self, job: Job, cancel: threading.Event) -> None:
        # Registered before this, a cancel either reached the event or made the job finished here
        # (cancelled between the claim and the registration): then it never starts.
        if self._finished(job.id):
            self._release(job)
            return
        if self._deleted_meanwhile(job):
            if self._fail(job.id, "cancelled", DELETED, only_from=RUNNING):
                log.info("job %s (%s): its document was deleted before it started", job.id, job.source)
            self._finish(job.id, {})
            return
        stages: dict[str, float] = {}  # milliseconds per stage, for the job's trace
        current, started = "read", time.perf_counter()

        def stage(name: str) -> None:
            nonlocal current, started
            now = time.perf_counter()
            stages[current] = round((now - started) * 1000, 3)
            current, started = name, now
            if name != "done" and not self.store.transition(job.id, JobState(name), mine=True):
                cancel.set()  # cancelled, timed out, or no longer this process's: stop at this stage

        try:  # read (from disk or the remote store) when the pipeline asks, never held here
            read, size = partial(self.blobs.get, job.blob), self.blobs.size(job.blob)
            src = Source(job.source, job.tenant, read, size, doc_id=job.doc_id, metadata=job.metadata)
        except OSError as e:
            log.warning("job %s: original %s unreadable: %s", job.id, job.blob, e)
            self._fail(
                job.id, "unreadable", "the stored original file is missing or cannot be read", mine=True
            )
        else:
            outcome = self.ingest(src, stage, cancel)
            if outcome.reason == "cancelled" and self._stop.is_set() and not self._finished(job.id):
                # Queued again as it was, its original still referenced: a worker runs it again, and a
                # clean stop is not one of the attempts a crash loop is counted in.
                self.store.release(job, attempts=job.attempts - 1)
                log.warning("job %s stopped by the shutdown; it runs again on the next start", job.id)
                return
            if outcome.status == "failed":
                reason = outcome.reason or "failed"
                error = (
                    INTERNAL_ERROR
                    if reason == "internal"
                    else scrub(outcome.error or "") or "ingestion failed"
                )
                if not self._fail(job.id, reason, error or "ingestion failed", mine=True) and cancel.is_set():
                    log.info("job %s stopped after it was cancelled or timed out", job.id)
            elif not self.store.transition(
                job.id, JobState.INDEXED, outcome=outcome.status, chunks=outcome.chunks, mine=True
            ):
                # Its last stage was already running: the document was written whole (registry first).
                log.warning(
                    "job %s ended %s after it was cancelled, timed out or taken over; the document is "
                    "indexed",
                    job.id,
                    outcome.status,
                )
        stage("done")
        self._finish(job.id, stages)

    def _deleted_meanwhile(self, job: Job) -> bool:
        """A replacement whose document is gone: deleted after it was submitted (a delete in this process
        waits for the document's job, ``ingest.doclocks``; one in another process does not)."""
        return job.replaces and self.exists is not None and not self.exists(job.tenant, job.doc_id)

    def _finish(self, job_id: str, stages: dict[str, float]) -> None:
        job = self.store.get(job_id)
        if job is None:
            return
        self._release(job)
        if self.on_finished is not None:
            try:
                self.on_finished(job, stages)
            except Exception:  # noqa: BLE001 - a lost trace must not fail the job
                log.exception("job %s: recording its end failed", job.id)

    def _finished(self, job_id: str) -> bool:
        job = self.store.get(job_id)
        return job is None or job.finished

    def _release(self, job: Job) -> None:
        """The document's references take over from the job's (settled first: the file must not go
        between the two)."""
        try:
            if self.settle is not None:
                self.settle(job.tenant, job.doc_id)
            self.blobs.release(Owner.job(job.tenant, job.id))
        except Exception:  # noqa: BLE001 - the next start drops it (recover)
            log.exception("job %s: its original's reference could not be released", job.id)

    def _fail(
        self, job_id: str, reason: str, error: str, only_from: Sequence[JobState] = (), mine: bool = False
    ) -> bool:
        return self.store.transition(
            job_id, JobState.FAILED, only_from, mine=mine, reason=reason, error=error
        )

    def _watch(self) -> None:
        while not self._stop.wait(self.heartbeat_s):
            try:
                self._check()
            except Exception:  # noqa: BLE001 - the watchdog must outlive a database hiccup
                log.exception("job watchdog failed; trying again")

    def _check(self) -> None:
        with self._lock:
            running = list(self._running.items())
        live = [job_id for job_id, r in running if r.stopped is None]
        self.store.beat(live)
        now = time.monotonic()
        # Cancelled by another process, or taken over by one (this one was silent past its lease).
        me = process_id()
        ended = {j.id for j in self.store.get_many(live) if j.finished or j.owner != me}
        for job_id, r in running:
            if r.stopped is None and job_id in ended:
                log.warning("job %s was cancelled or taken over elsewhere; stopping it here", job_id)
                r.stopped = now
                r.cancel.set()
            elif r.stopped is None and now - r.started > self.timeout_s:
                log.error("job %s ran past its timeout of %g s; stopping it", job_id, self.timeout_s)
                r.stopped = now
                # Failed first: the worker, once stopped, would otherwise record "cancelled".
                self._fail(
                    job_id, "timeout", f"ran longer than {self.timeout_s:g} s (RAG_API__JOB_TIMEOUT_S)"
                )
                r.cancel.set()
            elif r.stopped is not None and not r.replaced and now - r.stopped > self.grace_s:
                log.error(
                    "job %s did not stop within %g s of being told to; another worker takes its place",
                    job_id,
                    self.grace_s,
                )
                r.replaced = True
                with self._lock:
                    self._retired.add(r.thread)
                    self._stuck.add((r.job.tenant, r.job.doc_id))
                self._spawn()
        if now - self._swept > self.lease_s / 2:  # a peer that died meanwhile
            self.recover()
