"""Re-index runs and their checkpoint, in the registry database: a run's settings, phase and counts, and
one row per document written into the new version (its content hash, metadata and chunk count). A run
killed mid-way resumes from these rows: a document is recorded only after its points are acknowledged.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String, Text, delete, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.db import SqlStore, aware, iso, utcnow


class RunState(enum.StrEnum):
    RUNNING = "running"
    SWITCHED = "switched"
    FAILED = "failed"
    ABORTED = "aborted"


FINISHED = frozenset({RunState.SWITCHED, RunState.FAILED, RunState.ABORTED})


class _Base(DeclarativeBase):
    pass


class _Run(_Base):
    __tablename__ = "reindex_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    phase: Mapped[str] = mapped_column(String(32))
    version: Mapped[str] = mapped_column(String(32))  # the one being built
    served_at_start: Mapped[str | None] = mapped_column(String(32), nullable=True)
    build: Mapped[dict[str, Any]] = mapped_column(JSON)  # ingest.fingerprint.build_groups
    fingerprint: Mapped[str] = mapped_column(String(32))
    incremental: Mapped[bool] = mapped_column(Boolean, default=False)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    rebuilt: Mapped[int] = mapped_column(Integer, default=0)
    copied: Mapped[int] = mapped_column(Integer, default=0)
    chunks: Mapped[int] = mapped_column(Integer, default=0)
    resumed: Mapped[int] = mapped_column(Integer, default=0)
    rate: Mapped[float] = mapped_column(Float, default=0.0)  # documents per second, recent
    smoke: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    owner: Mapped[str] = mapped_column(String(128))  # host:pid of the process running it
    cancel: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class _Doc(_Base):
    __tablename__ = "reindex_docs"

    run_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    doc_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    chunks: Mapped[int] = mapped_column(Integer)
    how: Mapped[str] = mapped_column(String(16))  # rebuilt | copied


@dataclass(frozen=True)
class Run:
    id: str
    state: RunState
    phase: str
    version: str
    served_at_start: str | None
    build: dict[str, Any]
    fingerprint: str
    incremental: bool
    total: int
    done: int
    rebuilt: int
    copied: int
    chunks: int
    resumed: int
    rate: float
    smoke: dict[str, Any]
    error: str | None
    owner: str
    cancel: bool
    started_at: dt.datetime
    heartbeat_at: dt.datetime
    finished_at: dt.datetime | None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def eta_s(self) -> float | None:
        if self.finished or self.rate <= 0 or self.total <= self.done:
            return None
        return round((self.total - self.done) / self.rate, 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state.value,
            "phase": self.phase,
            "version": self.version,
            "served_at_start": self.served_at_start,
            "settings": self.build,
            "fingerprint": self.fingerprint,
            "incremental": self.incremental,
            "total": self.total,
            "done": self.done,
            "rebuilt": self.rebuilt,
            "copied": self.copied,
            "chunks": self.chunks,
            "resumed": self.resumed,
            "docs_per_s": round(self.rate, 2),
            "eta_s": self.eta_s,
            "smoke": self.smoke,
            "error": self.error,
            "started_at": iso(self.started_at),
            "heartbeat_at": iso(self.heartbeat_at),
            "finished_at": iso(self.finished_at),
        }


def _run(row: _Run) -> Run:
    return Run(
        id=row.id,
        state=RunState(row.state),
        phase=row.phase,
        version=row.version,
        served_at_start=row.served_at_start,
        build=dict(row.build or {}),
        fingerprint=row.fingerprint,
        incremental=row.incremental,
        total=row.total,
        done=row.done,
        rebuilt=row.rebuilt,
        copied=row.copied,
        chunks=row.chunks,
        resumed=row.resumed,
        rate=row.rate,
        smoke=dict(row.smoke or {}),
        error=row.error,
        owner=row.owner,
        cancel=row.cancel,
        started_at=aware(row.started_at),  # type: ignore[arg-type]
        heartbeat_at=aware(row.heartbeat_at),  # type: ignore[arg-type]
        finished_at=aware(row.finished_at),
    )


@dataclass(frozen=True)
class DoneDoc:
    content_hash: str
    metadata: dict[str, Any]
    chunks: int


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(owner: str) -> bool:
    """Whether the process that owns a run still runs (only knowable on this host; elsewhere assume so)."""
    if not owner:  # released (paused at shutdown)
        return False
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Checkpoints(SqlStore):
    def __init__(self, url: str) -> None:
        super().__init__(url, _Base.metadata)

    def create(
        self, version: str, served: str | None, build: dict[str, Any], fingerprint: str, incremental: bool
    ) -> Run:
        now = utcnow()
        row = _Run(
            id=uuid.uuid4().hex,
            state=RunState.RUNNING.value,
            phase="starting",
            version=version,
            served_at_start=served,
            build=build,
            fingerprint=fingerprint,
            incremental=incremental,
            total=0,
            done=0,
            rebuilt=0,
            copied=0,
            chunks=0,
            resumed=0,
            rate=0.0,
            smoke={},
            owner=this_process(),
            cancel=False,
            started_at=now,
            heartbeat_at=now,
        )
        with self._session() as s:
            s.add(row)
        return _run(row)

    def get(self, run_id: str) -> Run | None:
        with self._session() as s:
            row = s.get(_Run, run_id)
            return _run(row) if row else None

    def unfinished(self) -> Run | None:
        with self._session() as s:
            row = s.scalars(
                select(_Run).where(_Run.state == RunState.RUNNING.value).order_by(_Run.started_at.desc())
            ).first()
            return _run(row) if row else None

    def recent(self, limit: int = 20) -> list[Run]:
        with self._session() as s:
            return [_run(r) for r in s.scalars(select(_Run).order_by(_Run.started_at.desc()).limit(limit))]

    def update(self, run_id: str, **fields: Any) -> None:
        with self._session() as s:
            row = s.get(_Run, run_id)
            if row is None:
                return
            for key, value in fields.items():
                setattr(row, key, value)
            row.heartbeat_at = utcnow()
            if fields.get("state") in FINISHED:
                row.finished_at = row.heartbeat_at

    def take_over(self, run_id: str) -> None:
        """This process continues a run another (dead) process left."""
        with self._session() as s:
            row = s.get(_Run, run_id)
            if row is not None and row.owner != this_process():
                row.owner = this_process()
                row.resumed += 1
                row.heartbeat_at = utcnow()

    def request_cancel(self, run_id: str) -> None:
        self.update(run_id, cancel=True)

    def record(self, run_id: str, tenant: str, doc_id: str, done: DoneDoc, how: str) -> None:
        with self._session() as s:
            row = s.get(_Doc, (run_id, tenant, doc_id))
            if row is None:
                row = _Doc(run_id=run_id, tenant=tenant, doc_id=doc_id)
                s.add(row)
            row.content_hash = done.content_hash
            row.doc_metadata = done.metadata
            row.chunks = done.chunks
            row.how = how

    def forget(self, run_id: str, tenant: str, doc_id: str) -> None:
        with self._session() as s:
            s.execute(delete(_Doc).where(_Doc.run_id == run_id, _Doc.tenant == tenant, _Doc.doc_id == doc_id))

    def done(self, run_id: str) -> dict[tuple[str, str], DoneDoc]:
        with self._session() as s:
            rows = s.scalars(select(_Doc).where(_Doc.run_id == run_id))
            return {
                (r.tenant, r.doc_id): DoneDoc(r.content_hash, dict(r.doc_metadata or {}), r.chunks)
                for r in rows
            }

    def tally(self, run_id: str) -> dict[str, int]:
        """What the new version holds, one count per document: ``rebuilt`` and ``copied`` documents, and
        their ``chunks``."""
        with self._session() as s:
            rows = s.execute(
                select(_Doc.how, func.count(), func.coalesce(func.sum(_Doc.chunks), 0))
                .where(_Doc.run_id == run_id)
                .group_by(_Doc.how)
            ).all()
        by_how = {how: (n, chunks) for how, n, chunks in rows}
        return {
            "rebuilt": by_how.get("rebuilt", (0, 0))[0],
            "copied": by_how.get("copied", (0, 0))[0],
            "chunks": sum(chunks for _, chunks in by_how.values()),
        }

    def clear(self, run_id: str) -> None:
        with self._session() as s:
            s.execute(delete(_Doc).where(_Doc.run_id == run_id))
