"""What the routes use, built once in the app's lifespan: the runtime (store, models, answerer), API
keys, the job runner, uploads turned into jobs, the blob store, the rate limiter and the metrics.

A process has one or both roles: serving (the HTTP API) and working (ingestion jobs, reconciling what
dead processes left, re-indexes). ``rag serve`` has both, ``rag serve --no-workers`` serves only and
``rag worker`` only works; the registry database is what they share (``core.lease``)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from api.keys import KeyStore
from api.ratelimit import Limits
from api.site_syncs import SiteSyncs
from app.runtime import Runtime
from core.errors import ReindexError
from ingest.blobs import BlobStore, Owner
from ingest.jobs import JobRunner
from ingest.jobstore import Job, JobState, JobStore
from ingest.reconcile import reconcile
from ingest.reindex.checkpoint import Checkpoints, Run, RunState
from ingest.reindex.options import Options
from ingest.reindex.run import Reindexer
from ingest.uploads import Uploads
from rag.monitor.metrics import Metrics
from rag.monitor.slice_report import BreachWatch

log = logging.getLogger(__name__)


@dataclass
class Services:
    runtime: Runtime
    keys: KeyStore
    jobs: JobStore
    runner: JobRunner
    blobs: BlobStore
    limits: Limits
    metrics: Metrics
    checkpoints: Checkpoints
    reindexer: Reindexer
    uploads: Uploads
    site_syncs: SiteSyncs
    working: bool = True
    serving: bool = True
    reindex_thread: threading.Thread | None = None
    _tending: threading.Thread | None = None
    _auto_run: str | None = None  # the last automatic graph rebuild this process started
    _stop: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def build(cls, runtime: Runtime, *, working: bool = True, serving: bool = True) -> Services:
        s = runtime.settings
        jobs = JobStore(s.registry_url, s.cluster.lease_s, auto_upgrade=s.db.auto_upgrade)
        blobs = runtime.blobs

        def job_finished(job: Job, stage_ms: dict[str, float]) -> None:
            runtime.recorder.job(
                job.id,
                job.tenant,
                job.source,
                job.state.value,
                job.reason,
                job.chunks,
                stage_ms,
                flagged=_flagged(runtime, job),
            )

        def settle(tenant: str, doc_id: str) -> None:
            runtime.ingestor.settle_originals(tenant, doc_id)

        runner = JobRunner(
            jobs,
            runtime.ingest_one,
            blobs,
            workers=s.api.job_workers,
            per_tenant=s.api.job_workers_per_tenant,
            timeout_s=s.api.job_timeout_s,
            heartbeat_s=s.api.heartbeat_s,
            max_attempts=s.api.job_max_attempts,
            grace_s=s.api.job_grace_s,
            poll_s=s.cluster.poll_s,
            lease_s=s.cluster.lease_s,
            settle=settle,
            exists=lambda tenant, doc_id: runtime.registry.get(tenant, doc_id) is not None,
            on_finished=job_finished,
        )
        metrics = Metrics()
        metrics.watch_states(
            "rag_ingest_jobs", "Ingestion jobs by state", jobs.counts, [x.value for x in JobState]
        )
        runtime.trace_listeners.append(metrics.observe)
        runtime.drop_listeners.append(metrics.traces_dropped.inc)
        metrics.watch_slices(BreachWatch(lambda: runtime.traces, s.monitoring).breaches)
        checkpoints = Checkpoints(s.registry_url, s.cluster.lease_s, auto_upgrade=s.db.auto_upgrade)

        def reindex_progress() -> dict[str, int]:
            run = checkpoints.unfinished()
            return {"total": run.total, "done": run.done} if run else {}

        metrics.watch_states(
            "rag_reindex_documents",
            "Documents of the unfinished re-index, total and done (0 when none runs)",
            reindex_progress,
            ["total", "done"],
        )
        return cls(
            runtime=runtime,
            checkpoints=checkpoints,
            reindexer=Reindexer(runtime, checkpoints, runs_here=working),
            uploads=Uploads(runtime.registry, jobs, blobs, runner, s.api.tenant_quota_bytes),
            site_syncs=SiteSyncs(runtime),
            keys=KeyStore(s.registry_url, auto_upgrade=s.db.auto_upgrade),
            jobs=jobs,
            runner=runner,
            blobs=blobs,
            limits=Limits.build(s.api, s.registry_url, s.db.auto_upgrade),
            metrics=metrics,
            working=working,
            serving=serving,
        )

    def start(self) -> None:
        self.runtime.store  # noqa: B018 - opens (and reconciles) the index before the first request
        if self.serving:
            self.runtime.answerer.warm_up()
        self.runtime.recorder  # noqa: B018 - starts the trace writer
        if not self.working:
            return
        self._adopt_originals()
        self.blobs.clean_temp()
        self.runner.start()
        self._resume_reindex()
        self._tending = threading.Thread(target=self._tend, name="tend", daemon=True)
        self._tending.start()

    def _tend(self) -> None:
        """A worker's rounds, every half lease: settle documents of processes that died meanwhile, and
        take over a re-index whose process died (or that a serving-only replica started)."""
        every = self.runtime.settings.cluster.lease_s / 2
        while not self._stop.wait(every):
            try:
                with self.runtime.write_gate.shared():  # not under this process's own re-index switch
                    reconcile(self.runtime.store, self.runtime.registry)
                self._resume_reindex()
                self._optimize_if_due()
            except Exception:  # noqa: BLE001 - the rounds must outlive a database or store hiccup
                log.exception("worker rounds failed; trying again")

    def _resume_reindex(self) -> None:
        t = self.reindex_thread
        if self._stop.is_set() or (t is not None and t.is_alive()):
            return
        run = self.reindexer.resumable()
        if run is not None:
            log.warning(
                "taking over re-index %s at %d of %d documents (%s)",
                run.id,
                run.done,
                run.total,
                "its process is gone" if run.owner else "started by a serving-only replica",
            )
            self._run_in_background(run)

    def _optimize_if_due(self) -> None:
        """Rebuild the search graph once ingestion has added enough points outside it (store.auto_optimize,
        store.optimize_growth): a re-index with optimize, in the background like any other."""
        t = self.reindex_thread
        store = self.runtime.settings.store
        if not store.auto_optimize or self._stop.is_set() or (t is not None and t.is_alive()):
            return
        last = self.checkpoints.get(self._auto_run) if self._auto_run else None
        if last is not None and last.state == RunState.FAILED:
            return  # its failure was logged; not retried every round (a restart or `rag reindex` does)
        if not self.reindexer.graph_due(store.optimize_growth):
            return
        try:
            run = self.reindexer.start(Options(optimize=True))
        except ReindexError as e:  # one unfinished already (another process's, or a failed one)
            log.info("search graph due, not rebuilt now: %s", e)
            return
        if run is not None:
            log.warning("rebuilding the search graph: re-index %s (version %s)", run.id, run.version)
            self._auto_run = run.id
            self._run_in_background(run)

    def _adopt_originals(self) -> None:
        """Every document references its original (quotas count it), on every start: documents indexed
        before references existed, or whose reference a crash lost, get theirs. Holding what is held
        is cheap (a quarter of a second for 10,000 documents)."""
        hashes = self.runtime.registry.content_hashes()
        before = self.blobs.count("document")
        self.blobs.hold_all((Owner.document(tenant, doc_id), h) for tenant, doc_id, h in hashes)
        added = self.blobs.count("document") - before
        if added:
            log.warning("references added for the originals of %d documents that had none", added)

    def start_reindex(self, opts: Options) -> Run | None:
        """Start a re-index: here when this process works, else by the first worker to see it."""
        run = self.reindexer.start(opts)
        if run is not None and self.working:
            self._run_in_background(run)
        return run

    def _run_in_background(self, run: Run) -> None:
        def execute() -> None:
            try:
                self.reindexer.execute(run.id)
            except ReindexError as e:  # another worker took it first
                log.info("re-index %s not run here: %s", run.id, e)

        t = threading.Thread(target=execute, name="reindex", daemon=True)
        t.start()
        self.reindex_thread = t

    def close(self) -> None:
        self._stop.set()
        if self._tending is not None:
            self._tending.join(timeout=30)
        t = self.reindex_thread
        if t is not None and t.is_alive():
            self.reindexer.pause()  # it stops at the next document and resumes on the next start
            t.join(timeout=60)
        self.site_syncs.close()
        self.runner.stop()
        self.jobs.close()
        self.blobs.close()
        self.keys.close()
        self.checkpoints.close()
        self.limits.close()
        self.runtime.close()


def _flagged(runtime: Runtime, job: Job) -> int:
    """Chunks of the version a job wrote that the injection screen flagged (0 when it wrote none)."""
    if job.state != JobState.INDEXED or job.outcome not in ("added", "updated"):
        return 0
    doc = runtime.registry.get(job.tenant, job.doc_id)
    return int(((doc.guard or {}).get("injection") or {}).get("flagged", 0)) if doc is not None else 0
