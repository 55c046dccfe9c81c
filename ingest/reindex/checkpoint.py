"""Re-index runs and their checkpoint, in the registry database: a run's settings, phase and counts, and
one row per document written into the new version (its content hash, metadata and chunk count). A run
killed mid-way resumes from these rows: a document is recorded only after its points are acknowledged.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Index, Integer, String, Text, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import registry

from core.db import EnumString, SqlStore, UtcDateTime, column, map_record, utcnow
from core.errors import ReindexError
from core.lease import abandoned, process_id


class RunState(enum.StrEnum):
    RUNNING = "running"
    SWITCHED = "switched"
    FAILED = "failed"
    ABORTED = "aborted"


FINISHED = frozenset({RunState.SWITCHED, RunState.FAILED, RunState.ABORTED})


_tables = registry()


@dataclass(kw_only=True)
class Run:
    """One re-index run, one row of ``reindex_runs``."""

    id: str = column(String(32), primary_key=True)
    state: RunState = column(EnumString(RunState, 16), index=True, default=RunState.RUNNING)
    phase: str = column(String(32), default="starting")
    version: str = column(String(32))  # the one being built
    served_at_start: str | None = column(String(32))
    build: dict[str, Any] = column(JSON)  # ingest.fingerprint.build_groups
    fingerprint: str = column(String(32))
    incremental: bool = column(Boolean, default=False)
    total: int = column(Integer, default=0)
    done: int = column(Integer, default=0)
    rebuilt: int = column(Integer, default=0)
    copied: int = column(Integer, default=0)
    chunks: int = column(Integer, default=0)
    resumed: int = column(Integer, default=0)
    rate: float = column(Float, default=0.0)  # documents per second, recent
    smoke: dict[str, Any] = column(JSON, default_factory=dict)
    error: str | None = column(Text, default=None)
    owner: str = column(String(128))  # the process running it (core.lease.process_id); "" when paused
    cancel: bool = column(Boolean, default=False)
    started_at: dt.datetime = column(UtcDateTime)
    heartbeat_at: dt.datetime = column(UtcDateTime)
    finished_at: dt.datetime | None = column(UtcDateTime, default=None)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def eta_s(self) -> float | None:
        if self.finished or self.rate <= 0 or self.total <= self.done:
            return None
        return round((self.total - self.done) / self.rate, 1)


_RUNNING_SQL = text("state = 'running'")

# One running re-index, whichever process starts it: the database refuses a second.
map_record(
    Run,
    "reindex_runs",
    _tables,
    Index(
        "one_running_reindex", "state", unique=True, sqlite_where=_RUNNING_SQL, postgresql_where=_RUNNING_SQL
    ),
)


@dataclass
class _Doc:
    """A document written into the run's version: one row of ``reindex_docs``."""

    run_id: str = column(String(32), primary_key=True)
    tenant: str = column(String(64), primary_key=True)
    doc_id: str = column(String(128), primary_key=True)
    content_hash: str = column(String(64))
    metadata: dict[str, Any] = column(JSON, name="doc_metadata")
    chunks: int = column(Integer)
    how: str = column(String(16))  # rebuilt | copied


map_record(_Doc, "reindex_docs", _tables)


@dataclass(frozen=True)
class DoneDoc:
    content_hash: str
    metadata: dict[str, Any]
    chunks: int


class Checkpoints(SqlStore):
    branch = "registry"

    def __init__(self, url: str, lease_s: float = 30.0, *, auto_upgrade: bool = True) -> None:
        """``lease_s``: how long a silent process keeps the run it owns (``core.lease``)."""
        super().__init__(url, auto_upgrade=auto_upgrade)
        self.lease_s = lease_s

    def create(
        self,
        version: str,
        served: str | None,
        build: dict[str, Any],
        fingerprint: str,
        incremental: bool,
        owned: bool = True,
    ) -> Run:
        """A new running run, this process's (``owned``) or for a worker to take (owner ""). Raises
        ``ReindexError`` when another is running: the database holds one at a time."""
        now = utcnow()
        run = Run(
            id=uuid.uuid4().hex,
            version=version,
            served_at_start=served,
            build=build,
            fingerprint=fingerprint,
            incremental=incremental,
            owner=process_id() if owned else "",
            started_at=now,
            heartbeat_at=now,
        )
        try:
            with self._session() as s:
                s.add(run)
        except IntegrityError as e:  # one_running_reindex: another process started one first
            raise ReindexError("another re-index has just started; wait for it or abort it") from e
        return run

    def get(self, run_id: str) -> Run | None:
        with self._session() as s:
            return s.get(Run, run_id)

    def unfinished(self) -> Run | None:
        with self._session() as s:
            return s.scalars(
                select(Run).where(Run.state == RunState.RUNNING).order_by(Run.started_at.desc())
            ).first()

    def recent(self, limit: int = 20) -> list[Run]:
        with self._session() as s:
            return list(s.scalars(select(Run).order_by(Run.started_at.desc()).limit(limit)))

    def update(self, run_id: str, **fields: Any) -> None:
        with self._session() as s:
            row = s.get(Run, run_id)
            if row is None:
                return
            for key, value in fields.items():
                setattr(row, key, value)
            row.heartbeat_at = utcnow()
            if fields.get("state") in FINISHED:
                row.finished_at = row.heartbeat_at

    def take_over(self, run_id: str) -> bool:
        """This process continues the run: its own, or one whose process is gone (lease expired, or
        paused at a shutdown). False if another live process runs it (or took it first)."""
        with self._session() as s:
            row = s.get(Run, run_id)
            if row is None or row.owner == process_id():
                return row is not None
            return bool(
                s.execute(
                    update(Run)
                    .where(Run.id == run_id, Run.owner == row.owner, abandoned(Run.owner, self.lease_s))
                    .values(owner=process_id(), resumed=Run.resumed + 1, heartbeat_at=utcnow())
                    .execution_options(synchronize_session=False)
                ).rowcount
            )

    def abandoned(self) -> Run | None:
        """The running run whose process is gone, or that nobody took yet: for this process to run."""
        with self._session() as s:
            return s.scalars(
                select(Run).where(Run.state == RunState.RUNNING, abandoned(Run.owner, self.lease_s))
            ).first()

    def request_cancel(self, run_id: str) -> None:
        self.update(run_id, cancel=True)

    def record(self, run_id: str, tenant: str, doc_id: str, done: DoneDoc, how: str) -> None:
        with self._session() as s:
            row = s.get(_Doc, (run_id, tenant, doc_id))
            if row is None:
                s.add(_Doc(run_id, tenant, doc_id, done.content_hash, done.metadata, done.chunks, how))
                return
            row.content_hash = done.content_hash
            row.metadata = done.metadata
            row.chunks = done.chunks
            row.how = how

    def forget(self, run_id: str, tenant: str, doc_id: str) -> None:
        with self._session() as s:
            s.execute(delete(_Doc).where(_Doc.run_id == run_id, _Doc.tenant == tenant, _Doc.doc_id == doc_id))

    def done(self, run_id: str) -> dict[tuple[str, str], DoneDoc]:
        with self._session() as s:
            rows = s.scalars(select(_Doc).where(_Doc.run_id == run_id))
            return {
                (r.tenant, r.doc_id): DoneDoc(r.content_hash, dict(r.metadata or {}), r.chunks) for r in rows
            }

    def rebuilt(self, run_id: str) -> list[tuple[str, str]]:
        """The documents the run rebuilt (not copied): (tenant, doc id)."""
        with self._session() as s:
            rows = s.execute(
                select(_Doc.tenant, _Doc.doc_id).where(_Doc.run_id == run_id, _Doc.how == "rebuilt")
            )
            return [(t, d) for t, d in rows]

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
