"""What the routes use, built once in the app's lifespan: the runtime (store, models, answerer), API
keys, the job runner, uploads turned into jobs, the blob store, the rate limiter and the metrics."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from api.keys import KeyStore
from api.ratelimit import RateLimiter
from app.runtime import Runtime
from ingest.blobs import BlobStore, Owner
from ingest.jobs import JobRunner
from ingest.jobstore import Job, JobState, JobStore
from ingest.reindex.checkpoint import Checkpoints, Run
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
    limiter: RateLimiter
    metrics: Metrics
    checkpoints: Checkpoints
    reindexer: Reindexer
    uploads: Uploads
    reindex_thread: threading.Thread | None = None

    @classmethod
    def build(cls, runtime: Runtime) -> Services:
        s = runtime.settings
        jobs = JobStore(s.registry_url, auto_upgrade=s.db.auto_upgrade)
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
        checkpoints = Checkpoints(s.registry_url, auto_upgrade=s.db.auto_upgrade)

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
            reindexer=Reindexer(runtime, checkpoints),
            uploads=Uploads(runtime.registry, jobs, blobs, runner, s.api.tenant_quota_bytes),
            keys=KeyStore(s.registry_url, auto_upgrade=s.db.auto_upgrade),
            jobs=jobs,
            runner=runner,
            blobs=blobs,
            limiter=RateLimiter(s.api.rate_per_minute, s.api.rate_burst),
            metrics=metrics,
        )

    def start(self) -> None:
        self.runtime.store  # noqa: B018 - opens (and reconciles) the index before the first request
        self.runtime.answerer.warm_up()
        self.runtime.recorder  # noqa: B018 - starts the trace writer
        self._adopt_originals()
        self.blobs.clean_temp()
        self.runner.start()
        run = self.reindexer.resumable()
        if run is not None:
            log.warning(
                "resuming re-index %s, interrupted at %d of %d documents", run.id, run.done, run.total
            )
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
        run = self.reindexer.start(opts)
        if run is not None:
            self._run_in_background(run)
        return run

    def _run_in_background(self, run: Run) -> None:
        t = threading.Thread(target=self.reindexer.execute, args=(run.id,), name="reindex", daemon=True)
        t.start()
        self.reindex_thread = t

    def close(self) -> None:
        t = self.reindex_thread
        if t is not None and t.is_alive():
            self.reindexer.pause()  # it stops at the next document and resumes on the next start
            t.join(timeout=60)
        self.runner.stop()
        self.jobs.close()
        self.blobs.close()
        self.keys.close()
        self.checkpoints.close()
        self.runtime.close()


def _flagged(runtime: Runtime, job: Job) -> int:
    """Chunks of the version a job wrote that the injection screen flagged (0 when it wrote none)."""
    if job.state != JobState.INDEXED or job.outcome not in ("added", "updated"):
        return 0
    doc = runtime.registry.get(job.tenant, job.doc_id)
    return int(((doc.guard or {}).get("injection") or {}).get("flagged", 0)) if doc is not None else 0
