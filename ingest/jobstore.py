"""The job table: one row per ingestion job (queued -> parsing -> chunking -> embedding -> indexed |
failed), in the registry database so it survives the process and every process sees one queue.
``JobStore.transition`` is the only way a job moves on, and a finished job never moves again: whoever
finishes it first (the worker, a cancel, the timeout) decides how it ended.

Workers in any number of processes take jobs with ``claim``: one statement picks the next job and makes
it theirs, so two workers never take one job. Tenants take turns (the tenant whose last job started
longest ago goes first), a tenant runs at most ``per_tenant`` jobs at once across all workers, and a
document has at most one running job (a unique index the database enforces). A running job names its
process (``owner``); one whose process's lease expired is put back in line by ``requeue_abandoned``."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    Index,
    Integer,
    Select,
    String,
    Text,
    false,
    func,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, registry
from sqlalchemy.sql.dml import Update

from core.db import EnumString, SqlStore, UtcDateTime, advisory_key, aware, column, map_record, utcnow
from core.lease import OWNER_LENGTH, abandoned, process_id


class JobState(enum.StrEnum):
    QUEUED = "queued"
    PARSING = "parsing"
    OCR = "ocr"  # parsing goes on with scanned pages or an image (ingest.ocr)
    CHUNKING = "chunking"
    EMBEDDING = "embedding"
    INDEXED = "indexed"
    FAILED = "failed"


RUNNING = frozenset({JobState.PARSING, JobState.OCR, JobState.CHUNKING, JobState.EMBEDDING})
FINISHED = frozenset({JobState.INDEXED, JobState.FAILED})
PROGRESS = {
    JobState.QUEUED: 0.0,
    JobState.PARSING: 0.1,
    JobState.OCR: 0.2,
    JobState.CHUNKING: 0.4,
    JobState.EMBEDDING: 0.6,
    JobState.INDEXED: 1.0,
    JobState.FAILED: 1.0,
}


_tables = registry()


@dataclass
class Job:
    """One ingestion job, one row of ``jobs``."""

    id: str = column(String(32), primary_key=True)
    tenant: str = column(String(64), index=True)
    doc_id: str = column(String(128), index=True)
    source: str = column(String(1024))
    blob: str = column(String(64))
    metadata: dict[str, Any] = column(JSON, name="job_metadata", default_factory=dict)
    state: JobState = column(EnumString(JobState, 16), index=True, default=JobState.QUEUED)
    progress: float = column(Float, default=0.0)
    outcome: str | None = column(String(16), default=None)  # added | updated | unchanged
    reason: str | None = column(String(64), default=None)
    error: str | None = column(Text, default=None)
    chunks: int = column(Integer, default=0)
    attempts: int = column(Integer, default=0)
    created_at: dt.datetime = column(UtcDateTime, default_factory=utcnow)
    started_at: dt.datetime | None = column(UtcDateTime, default=None)
    heartbeat_at: dt.datetime | None = column(UtcDateTime, default=None)
    finished_at: dt.datetime | None = column(UtcDateTime, default=None)
    # It replaces a document that existed when it was submitted: if that is gone when it starts, it was
    # deleted meanwhile (by another process), and the job must not bring it back.
    replaces: bool = column(Boolean, default=False, server_default=false())
    # The process running it (core.lease); another takes it over once that one's lease expired.
    owner: str | None = column(String(OWNER_LENGTH), default=None)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


# The running states, as the partial index below (and migration registry_0005) spell them.
_RUNNING_SQL = text(f"state IN ({', '.join(repr(s.value) for s in sorted(RUNNING))})")

# One running job per document, whichever process runs it: the database refuses a second claim.
map_record(
    Job,
    "jobs",
    _tables,
    Index(
        "one_running_job_per_document",
        "tenant",
        "doc_id",
        unique=True,
        sqlite_where=_RUNNING_SQL,
        postgresql_where=_RUNNING_SQL,
    ),
    # The claim's lookups: a tenant's queued jobs oldest first, a tenant's last start.
    Index("ix_jobs_tenant_state_created", "tenant", "state", "created_at"),
    Index("ix_jobs_tenant_started", "tenant", "started_at"),
)


def new_job_id() -> str:
    return uuid.uuid4().hex


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


_RUNNING_VALUES = [s.value for s in sorted(RUNNING)]


class JobStore(SqlStore):
    branch = "registry"

    def __init__(self, url: str, lease_s: float = 30.0, *, auto_upgrade: bool = True) -> None:
        """``lease_s``: how long a silent process keeps the jobs it runs (``core.lease``)."""
        super().__init__(url, auto_upgrade=auto_upgrade)
        self.lease_s = lease_s

    def create(
        self,
        tenant: str,
        doc_id: str,
        source: str,
        blob: str,
        metadata: dict[str, Any],
        job_id: str | None = None,
        replaces: bool = False,
    ) -> Job:
        job = Job(
            id=job_id or new_job_id(),
            tenant=tenant,
            doc_id=doc_id,
            source=source,
            blob=blob,
            metadata=metadata,
            replaces=replaces,
        )
        with self._session() as s:
            s.add(job)
        return job

    def get(self, job_id: str, tenant: str | None = None) -> Job | None:
        with self._session() as s:
            job = s.get(Job, job_id)
            if job is None or (tenant is not None and job.tenant != tenant):
                return None
            return job

    def get_many(self, job_ids: Sequence[str]) -> list[Job]:
        """The jobs of ``job_ids`` that exist, in that order, in one query."""
        with self._session() as s:
            rows = {j.id: j for j in s.scalars(select(Job).where(Job.id.in_(list(job_ids))))}
        return [rows[j] for j in job_ids if j in rows]

    def active_for(self, tenant: str, doc_id: str) -> Job | None:
        """The queued or running job of a document, if any."""
        with self._session() as s:
            return s.scalars(
                select(Job)
                .where(
                    Job.tenant == tenant,
                    Job.doc_id == doc_id,
                    Job.state.notin_(sorted(FINISHED)),
                )
                .order_by(Job.created_at.desc())
            ).first()

    def in_states(self, states: Sequence[JobState]) -> list[Job]:
        with self._session() as s:
            return list(s.scalars(select(Job).where(Job.state.in_(list(states))).order_by(Job.created_at)))

    def counts(self) -> dict[str, int]:
        with self._session() as s:
            rows = s.execute(select(Job.state, func.count()).group_by(Job.state)).all()
        return {state.value: n for state, n in rows}

    def transition(
        self,
        job_id: str,
        state: JobState,
        only_from: Collection[JobState] = (),
        *,
        mine: bool = False,
        **fields: Any,
    ) -> bool:
        """Move a job on, unless it already finished (a timed-out job stays failed), or, with
        ``only_from``, unless it is in none of those states, or, ``mine``, unless this process runs it
        (a worker's own steps: one silent past its lease may have lost the job to another). False if it
        was not moved.

        One conditional UPDATE, so the check and the write are one step: of two callers racing to finish
        a job (the worker's result, a cancel, the timeout), exactly one gets True. A SELECT ... FOR
        UPDATE first would not do: SQLite ignores it, and pysqlite opens no transaction for a SELECT."""
        now = utcnow()
        values: dict[str, Any] = {"state": state.value, "progress": PROGRESS[state], "heartbeat_at": now}
        if state in RUNNING:
            values["started_at"] = func.coalesce(Job.started_at, now)
        if state in FINISHED:
            values["finished_at"] = now
        values.update(fields)
        where = [Job.id == job_id, Job.state.notin_(sorted(FINISHED))]
        if only_from:
            where.append(Job.state.in_(list(only_from)))
        if mine:
            where.append(Job.owner == process_id())
        with self._session() as s:
            result = s.execute(
                update(Job).where(*where).values(**values).execution_options(synchronize_session=False)
            )
            return result.rowcount == 1

    def claim(self, per_tenant: int | None = None) -> Job | None:
        """Take the next job for this process: queued, of the tenant served least recently among those
        under ``per_tenant`` running jobs, whose document has no running job; moved to ``parsing`` with
        one more attempt. None when there is none.

        The pick reads a few rows by index (the tenants with queued jobs, then one tenant's oldest);
        the take is one UPDATE conditional on the job being still queued, so of two workers exactly one
        gets it (the other picks again). PostgreSQL also skips rows another worker is taking
        (``FOR UPDATE SKIP LOCKED``); the database refuses a second running job of one document."""
        for _ in range(5):
            try:
                with self._session() as s:
                    for tenant in self._turns(s, per_tenant):
                        job_id = s.scalar(self._oldest_free(tenant))
                        if job_id is not None:
                            break
                    else:
                        return None
                    if self.engine.dialect.name == "postgresql":  # one cap check per tenant at a time
                        s.execute(text("SELECT pg_advisory_xact_lock(3, :k)"), {"k": advisory_key(tenant)})
                    taken = s.execute(self._take(job_id, tenant, per_tenant)).rowcount
            except IntegrityError:  # another worker started a job of the same document meanwhile
                continue
            if taken:
                return self.get(job_id)
        return None

    def _turns(self, s: Session, per_tenant: int | None) -> list[str]:
        """Tenants with queued jobs, under their cap, the one whose last job started longest ago first."""
        other = aliased(Job)
        waiting = select(Job.tenant).where(Job.state == JobState.QUEUED.value).distinct().subquery()
        running = (
            select(func.count())
            .where(other.tenant == waiting.c.tenant, other.state.in_(_RUNNING_VALUES))
            .scalar_subquery()
        )
        last = select(func.max(other.started_at)).where(other.tenant == waiting.c.tenant).scalar_subquery()
        rows = s.execute(select(waiting.c.tenant, running, last)).all()
        ready = [
            (aware(at) or _EPOCH, tenant) for tenant, n, at in rows if per_tenant is None or n < per_tenant
        ]
        return [tenant for _, tenant in sorted(ready)]

    def _oldest_free(self, tenant: str) -> Select[tuple[str]]:
        other = aliased(Job)
        busy = (
            select(other.id)
            .where(other.tenant == Job.tenant, other.doc_id == Job.doc_id, other.state.in_(_RUNNING_VALUES))
            .exists()
        )
        q = (
            select(Job.id)
            .where(Job.tenant == tenant, Job.state == JobState.QUEUED.value, ~busy)
            .order_by(Job.created_at)
            .limit(1)
        )
        if self.engine.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True, of=Job)
        return q

    def _take(self, job_id: str, tenant: str, per_tenant: int | None) -> Update:
        """The job, if still queued and its tenant still under its cap: checked in the UPDATE itself,
        which runs under the database's write lock (SQLite) or after the tenant's lock (PostgreSQL), so
        two workers picking at once cannot both pass the cap."""
        now = utcnow()
        where = [Job.id == job_id, Job.state == JobState.QUEUED.value]
        if per_tenant is not None:
            other = aliased(Job)
            running = (
                select(func.count())
                .where(other.tenant == tenant, other.state.in_(_RUNNING_VALUES))
                .scalar_subquery()
            )
            where.append(running < per_tenant)
        return (
            update(Job)
            .where(*where)
            .values(
                state=JobState.PARSING.value,
                progress=PROGRESS[JobState.PARSING],
                owner=process_id(),
                attempts=Job.attempts + 1,
                started_at=func.coalesce(Job.started_at, now),
                heartbeat_at=now,
            )
            .execution_options(synchronize_session=False)
        )

    def abandoned(self) -> list[Job]:
        """Running jobs whose process is gone (its lease expired)."""
        with self._session() as s:
            q = select(Job).where(Job.state.in_(sorted(RUNNING)), abandoned(Job.owner, self.lease_s))
            return list(s.scalars(q.order_by(Job.created_at)))

    def release(self, job: Job, **fields: Any) -> bool:
        """Put a job this process runs, or an abandoned one (``abandoned``), back in line: queued, no
        owner. Conditional on its owner being still what ``job`` says, so of two processes settling the
        same abandoned job only one does."""
        owner = Job.owner.is_(None) if job.owner is None else Job.owner == job.owner
        if job.owner != process_id():  # another's: only while it is still abandoned
            owner = owner & abandoned(Job.owner, self.lease_s)
        values = {"state": JobState.QUEUED.value, "progress": 0.0, "owner": None} | fields
        with self._session() as s:
            return bool(
                s.execute(
                    update(Job)
                    .where(Job.id == job.id, Job.state.in_(sorted(RUNNING)), owner)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                ).rowcount
            )

    def beat(self, job_ids: Sequence[str]) -> None:
        if not job_ids:
            return
        with self._session() as s:
            s.execute(
                update(Job)
                .where(Job.id.in_(list(job_ids)), Job.state.in_(sorted(RUNNING)))
                .values(heartbeat_at=utcnow())
                .execution_options(synchronize_session=False)
            )
