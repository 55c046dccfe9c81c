"""Ingestion jobs: an uploaded file -> queued -> parsing -> chunking -> embedding -> indexed | failed.

Job state lives in the registry database, so it survives the process. Workers are threads of the
serving process. While a job runs, a heartbeat thread stamps it every few seconds; a job that runs past
its timeout is failed with that reason. On start, jobs a previous process left running are resumed from
the stored original file (ingestion is idempotent, so redoing a stage is safe) or, after too many
attempts or with the file gone, failed with the reason in words. No job stays "running" forever.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Integer, String, Text, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ingest.blobs import BlobStore
from ingest.pipeline import Outcome, Source
from rag.db import SqlStore, aware, iso, utcnow

log = logging.getLogger(__name__)


class JobState(enum.StrEnum):
    QUEUED = "queued"
    PARSING = "parsing"
    CHUNKING = "chunking"
    EMBEDDING = "embedding"
    INDEXED = "indexed"
    FAILED = "failed"


RUNNING = frozenset({JobState.PARSING, JobState.CHUNKING, JobState.EMBEDDING})
FINISHED = frozenset({JobState.INDEXED, JobState.FAILED})
PROGRESS = {
    JobState.QUEUED: 0.0,
    JobState.PARSING: 0.1,
    JobState.CHUNKING: 0.4,
    JobState.EMBEDDING: 0.6,
    JobState.INDEXED: 1.0,
    JobState.FAILED: 1.0,
}


class _Base(DeclarativeBase):
    pass


class _Job(_Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    doc_id: Mapped[str] = mapped_column(String(128), index=True)
    source: Mapped[str] = mapped_column(String(1024))
    blob: Mapped[str] = mapped_column(String(64))
    job_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)  # added | updated | unchanged
    reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    chunks: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


@dataclass(frozen=True)
class Job:
    id: str
    tenant: str
    doc_id: str
    source: str
    blob: str
    metadata: dict[str, Any]
    state: JobState
    progress: float
    outcome: str | None
    reason: str | None
    error: str | None
    chunks: int
    attempts: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    heartbeat_at: dt.datetime | None
    finished_at: dt.datetime | None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "document_id": self.doc_id,
            "source": self.source,
            "state": self.state.value,
            "progress": self.progress,
            "outcome": self.outcome,
            "reason": self.reason,
            "error": self.error,
            "chunks": self.chunks,
            "attempts": self.attempts,
            "created_at": iso(self.created_at),
            "started_at": iso(self.started_at),
            "heartbeat_at": iso(self.heartbeat_at),
            "finished_at": iso(self.finished_at),
        }


def _job(row: _Job) -> Job:
    return Job(
        id=row.id,
        tenant=row.tenant,
        doc_id=row.doc_id,
        source=row.source,
        blob=row.blob,
        metadata=dict(row.job_metadata or {}),
        state=JobState(row.state),
        progress=row.progress,
        outcome=row.outcome,
        reason=row.reason,
        error=row.error,
        chunks=row.chunks,
        attempts=row.attempts,
        created_at=aware(row.created_at),  # type: ignore[arg-type]
        started_at=aware(row.started_at),
        heartbeat_at=aware(row.heartbeat_at),
        finished_at=aware(row.finished_at),
    )


class JobStore(SqlStore):
    def __init__(self, url: str) -> None:
        super().__init__(url, _Base.metadata)

    def create(self, tenant: str, doc_id: str, source: str, blob: str, metadata: dict[str, Any]) -> Job:
        row = _Job(
            id=uuid.uuid4().hex,
            tenant=tenant,
            doc_id=doc_id,
            source=source,
            blob=blob,
            job_metadata=metadata,
            state=JobState.QUEUED.value,
            progress=0.0,
            created_at=utcnow(),
        )
        with self._session() as s:
            s.add(row)
        return _job(row)

    def get(self, job_id: str, tenant: str | None = None) -> Job | None:
        with self._session() as s:
            row = s.get(_Job, job_id)
            if row is None or (tenant is not None and row.tenant != tenant):
                return None
            return _job(row)

    def active_for(self, tenant: str, doc_id: str) -> Job | None:
        """The queued or running job of a document, if any."""
        with self._session() as s:
            row = s.scalars(
                select(_Job)
                .where(
                    _Job.tenant == tenant,
                    _Job.doc_id == doc_id,
                    _Job.state.notin_([x.value for x in FINISHED]),
                )
                .order_by(_Job.created_at.desc())
            ).first()
            return _job(row) if row else None

    def in_states(self, states: Sequence[JobState]) -> list[Job]:
        with self._session() as s:
            rows = s.scalars(
                select(_Job).where(_Job.state.in_([x.value for x in states])).order_by(_Job.created_at)
            )
            return [_job(r) for r in rows]

    def counts(self) -> dict[str, int]:
        with self._session() as s:
            rows = s.execute(select(_Job.state, func.count()).group_by(_Job.state)).all()
        return {state: n for state, n in rows}

    def transition(self, job_id: str, state: JobState, **fields: Any) -> bool:
        """Move a job on, unless it already finished (a timed-out job stays failed). False if it had."""
        with self._session() as s:
            row = s.get(_Job, job_id, with_for_update=True)
            if row is None or JobState(row.state) in FINISHED:
                return False
            now = utcnow()
            row.state = state.value
            row.progress = PROGRESS[state]
            row.heartbeat_at = now
            if state in RUNNING and row.started_at is None:
                row.started_at = now
            if state in FINISHED:
                row.finished_at = now
            for key, value in fields.items():
                setattr(row, key, value)
            return True

    def beat(self, job_ids: Sequence[str]) -> None:
        if not job_ids:
            return
        with self._session() as s:
            for row in s.scalars(select(_Job).where(_Job.id.in_(list(job_ids)))):
                if JobState(row.state) in RUNNING:
                    row.heartbeat_at = utcnow()


class JobRunner:
    """Worker threads that run queued jobs through ``ingest`` (the runtime's gated ``Ingestor.ingest_one``),
    one document each."""

    def __init__(
        self,
        store: JobStore,
        ingest: Callable[[Source, Callable[[str], None]], Outcome],
        blobs: BlobStore,
        *,
        workers: int = 1,
        timeout_s: float = 900.0,
        heartbeat_s: float = 5.0,
        max_attempts: int = 3,
        on_finished: Callable[[Job, dict[str, float]], None] | None = None,
    ) -> None:
        self.store = store
        self.ingest = ingest
        self.blobs = blobs
        self.workers = workers
        self.timeout_s = timeout_s
        self.heartbeat_s = heartbeat_s
        self.max_attempts = max_attempts
        self.on_finished = on_finished
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._active: dict[str, float] = {}  # job id -> monotonic start
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self.recover()
        for i in range(self.workers):
            t = threading.Thread(target=self._work, name=f"ingest-job-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        t = threading.Thread(target=self._watch, name="ingest-job-heartbeat", daemon=True)
        t.start()
        self._threads.append(t)

    def recover(self) -> None:
        """Settle what a previous process left: requeue queued jobs, resume or fail interrupted ones."""
        for job in self.store.in_states(sorted(RUNNING)):
            if not self.blobs.exists(job.blob):
                self._fail(
                    job.id, "interrupted", "interrupted by a restart, and the original file is missing"
                )
            elif job.attempts >= self.max_attempts:
                self._fail(job.id, "interrupted", f"interrupted by a restart {job.attempts} times; giving up")
            else:
                log.warning("resuming job %s (%s) interrupted in state %s", job.id, job.source, job.state)
                self.store.transition(job.id, JobState.QUEUED)
                self._queue.put(job.id)
        for job in self.store.in_states([JobState.QUEUED]):
            if job.id not in self._queue.queue:
                self._queue.put(job.id)

    def alive(self) -> bool:
        return bool(self._threads) and all(t.is_alive() for t in self._threads)

    def submit(self, job: Job) -> None:
        self._queue.put(job.id)

    def wait(self, job_ids: Sequence[str], timeout_s: float) -> list[Job]:
        deadline = time.monotonic() + timeout_s
        while True:
            jobs = [self.store.get(j) for j in job_ids]
            if all(j is None or j.finished for j in jobs) or time.monotonic() >= deadline:
                return [j for j in jobs if j is not None]
            time.sleep(0.05)

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        for _ in range(self.workers):
            self._queue.put(None)
        for t in self._threads:
            t.join(timeout=timeout_s)

    def _work(self) -> None:
        while not self._stop.is_set():
            job_id = self._queue.get()
            if job_id is None:
                return
            job = self.store.get(job_id)
            if job is None or job.state != JobState.QUEUED:
                continue
            with self._lock:
                self._active[job_id] = time.monotonic()
            try:
                self._run(job)
            except Exception as e:  # noqa: BLE001 - a job fails with the reason; the worker lives on
                log.exception("job %s failed unexpectedly", job.id)
                self._fail(job.id, "internal", f"{type(e).__name__}: {e}")
            finally:
                with self._lock:
                    self._active.pop(job_id, None)

    def _run(self, job: Job) -> None:
        stages: dict[str, float] = {}  # milliseconds per stage, for the job's trace
        current, started = "read", time.perf_counter()

        def stage(name: str) -> None:
            nonlocal current, started
            now = time.perf_counter()
            stages[current] = round((now - started) * 1000, 3)
            current, started = name, now
            if name != "done":
                self.store.transition(job.id, JobState(name))

        self.store.transition(job.id, JobState.PARSING, attempts=job.attempts + 1)
        try:
            data = self.blobs.get(job.blob)
        except OSError as e:
            self._fail(job.id, "unreadable", f"the stored original file cannot be read: {e}")
        else:
            src = Source.from_bytes(data, job.source, job.tenant, doc_id=job.doc_id, metadata=job.metadata)
            outcome = self.ingest(src, stage)
            if outcome.status == "failed":
                self._fail(job.id, outcome.reason or "failed", outcome.error or "ingestion failed")
            else:
                self.store.transition(job.id, JobState.INDEXED, outcome=outcome.status, chunks=outcome.chunks)
        stage("done")
        finished = self.store.get(job.id)
        if self.on_finished is not None and finished is not None:
            self.on_finished(finished, stages)

    def _fail(self, job_id: str, reason: str, error: str) -> None:
        self.store.transition(job_id, JobState.FAILED, reason=reason, error=error)

    def _watch(self) -> None:
        while not self._stop.wait(self.heartbeat_s):
            with self._lock:
                active = dict(self._active)
            self.store.beat(list(active))
            now = time.monotonic()
            for job_id, started in active.items():
                if now - started > self.timeout_s:
                    log.error("job %s ran past its timeout of %.0f s", job_id, self.timeout_s)
                    self._fail(
                        job_id, "timeout", f"ran longer than {self.timeout_s:.0f} s (RAG_API__JOB_TIMEOUT_S)"
                    )
