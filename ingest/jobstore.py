"""The job table: one row per ingestion job (queued -> parsing -> chunking -> embedding -> indexed |
failed), in the registry database so it survives the process. ``JobStore.transition`` is the only way a
job moves on, and a finished job never moves again: whoever finishes it first (the worker, a cancel, the
timeout) decides how it ended."""

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
    DateTime,
    Float,
    Integer,
    String,
    Text,
    false,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.db import SqlStore, aware, iso, utcnow


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
    # It replaces a document that existed when it was submitted: if that is gone when it starts, it was
    # deleted meanwhile (by another process), and the job must not bring it back.
    replaces: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


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
    replaces: bool = False

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
        replaces=bool(row.replaces),
    )


def new_job_id() -> str:
    return uuid.uuid4().hex


class JobStore(SqlStore):
    def __init__(self, url: str) -> None:
        super().__init__(url, _Base.metadata)
        self._add_replaces()

    def _add_replaces(self) -> None:
        """Job tables made before ``replaces`` existed get it (create_all adds tables, not columns)."""
        if "replaces" in {c["name"] for c in inspect(self.engine).get_columns("jobs")}:
            return
        try:
            with self.engine.begin() as c:
                c.execute(text("ALTER TABLE jobs ADD COLUMN replaces BOOLEAN NOT NULL DEFAULT FALSE"))
        except DBAPIError:  # another process added it first
            if "replaces" not in {c["name"] for c in inspect(self.engine).get_columns("jobs")}:
                raise

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
        row = _Job(
            id=job_id or new_job_id(),
            tenant=tenant,
            doc_id=doc_id,
            source=source,
            blob=blob,
            job_metadata=metadata,
            state=JobState.QUEUED.value,
            progress=0.0,
            created_at=utcnow(),
            replaces=replaces,
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

    def get_many(self, job_ids: Sequence[str]) -> list[Job]:
        """The jobs of ``job_ids`` that exist, in that order, in one query."""
        with self._session() as s:
            rows = {r.id: _job(r) for r in s.scalars(select(_Job).where(_Job.id.in_(list(job_ids))))}
        return [rows[j] for j in job_ids if j in rows]

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

    def transition(
        self, job_id: str, state: JobState, only_from: Collection[JobState] = (), **fields: Any
    ) -> bool:
        """Move a job on, unless it already finished (a timed-out job stays failed), or, with
        ``only_from``, unless it is in none of those states. False if it was not moved.

        One conditional UPDATE, so the check and the write are one step: of two callers racing to finish
        a job (the worker's result, a cancel, the timeout), exactly one gets True. A SELECT ... FOR
        UPDATE first would not do: SQLite ignores it, and pysqlite opens no transaction for a SELECT."""
        now = utcnow()
        values: dict[str, Any] = {"state": state.value, "progress": PROGRESS[state], "heartbeat_at": now}
        if state in RUNNING:
            values["started_at"] = func.coalesce(_Job.started_at, now)
        if state in FINISHED:
            values["finished_at"] = now
        values.update(fields)
        where = [_Job.id == job_id, _Job.state.notin_([x.value for x in FINISHED])]
        if only_from:
            where.append(_Job.state.in_([x.value for x in only_from]))
        with self._session() as s:
            result = s.execute(
                update(_Job).where(*where).values(**values).execution_options(synchronize_session=False)
            )
            return result.rowcount == 1

    def beat(self, job_ids: Sequence[str]) -> None:
        if not job_ids:
            return
        with self._session() as s:
            s.execute(
                update(_Job)
                .where(_Job.id.in_(list(job_ids)), _Job.state.in_([x.value for x in RUNNING]))
                .values(heartbeat_at=utcnow())
                .execution_options(synchronize_session=False)
            )
