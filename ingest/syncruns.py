"""Sync runs: one row per sync of a website asked for over the API (``POST /v1/sources``), so that a
crawl can outlast the request and any process can say how it went (``GET /v1/sources/syncs/{id}``). In
the registry's database (branch ``registry``).

A run is ``running`` from its creation until the process that runs it ends it ``done`` (with its
report) or ``failed`` (with a reason and the error in words). A source has one running run at a time (a
unique index the database enforces); a run whose process died is ended ``failed`` (``abandoned``) when
it is next looked at, which frees its source for the next sync."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Index, String, Text, delete, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import registry

from core.db import EnumString, SqlStore, UtcDateTime, column, map_record, utcnow
from core.lease import OWNER_LENGTH, process_id
from ingest.sourcestore import source_key
from ingest.sync import SourceBusy

_tables = registry()


class SyncState(enum.StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class SyncRun:
    """One sync of a website over the API, one row of ``sync_runs``."""

    id: str = column(String(32), primary_key=True)
    tenant: str = column(String(64), index=True)
    source: str = column(String(32))  # source_key(uri)
    uri: str = column(String(2048))
    state: SyncState = column(EnumString(SyncState, 16), default=SyncState.RUNNING)
    report: dict[str, Any] | None = column(JSON, default=None)  # ingest.sync.SyncReport.to_dict()
    reason: str | None = column(String(64), default=None)  # why it failed, a short code
    error: str | None = column(Text, default=None)  # ... and in words
    owner: str | None = column(String(OWNER_LENGTH), default=None)  # the process running it
    created_at: dt.datetime = column(UtcDateTime, default_factory=utcnow)
    finished_at: dt.datetime | None = column(UtcDateTime, default=None)


# As migration registry_0007 spells it.
_RUNNING_SQL = text("state = 'running'")

map_record(
    SyncRun,
    "sync_runs",
    _tables,
    Index(
        "one_running_sync_per_source",
        "tenant",
        "source",
        unique=True,
        sqlite_where=_RUNNING_SQL,
        postgresql_where=_RUNNING_SQL,
    ),
)

ABANDONED = (
    "this sync's end was never recorded: the process running it stopped, or could not write to the "
    "database; what it ingested stays; sync again"
)
KEEP_DAYS = 30  # finished runs are deleted after this


class SyncRuns(SqlStore):
    """The runs: begun, ended once (whoever ends a running run first decides how it ended), read back."""

    branch = "registry"

    def __init__(
        self, url: str, *, alive: Callable[[SyncRun], bool] | None = None, auto_upgrade: bool = True
    ) -> None:
        """``alive``: whether a running run is still under way (its process beats and, in this process,
        its thread runs); by default, whether this process owns it."""
        super().__init__(url, auto_upgrade=auto_upgrade)
        self._alive = alive or (lambda run: run.owner == process_id())

    def begin(self, tenant: str, uri: str) -> SyncRun:
        """A new running sync of ``uri`` for ``tenant``, owned by this process; SourceBusy while another
        runs (one no longer under way is ended as abandoned first)."""
        self._prune()
        for _ in range(2):
            run = SyncRun(uuid.uuid4().hex, tenant, source_key(uri), uri[:2048], owner=process_id())
            try:
                with self._session() as s:
                    s.add(run)
                return run
            except IntegrityError:
                self.refuse_if_running(tenant, uri)
        raise SourceBusy(f"{uri} is being synced already; try again when that sync has finished")

    def refuse_if_running(self, tenant: str, uri: str) -> None:
        """SourceBusy, naming the run, while a sync of ``uri`` for ``tenant`` is under way; a run the table
        says is running but is not (its process died) is ended as abandoned."""
        running = self._running(tenant, uri)
        if running is None:
            return
        if self._alive(running):
            raise SourceBusy(
                f"{uri} is being synced already (sync {running.id}); try again when it has finished"
            )
        self.fail(running.id, "abandoned", ABANDONED, owner=running.owner)

    def get(self, tenant: str, run_id: str) -> SyncRun | None:
        """The run, ``tenant``'s only; a running one whose process died is ended as abandoned."""
        with self._session() as s:
            run = s.get(SyncRun, run_id)
        if run is None or run.tenant != tenant:
            return None
        if run.state == SyncState.RUNNING and not self._alive(run):
            self.fail(run.id, "abandoned", ABANDONED, owner=run.owner)
            with self._session() as s:
                run = s.get(SyncRun, run_id)
        return run

    def finish(self, run_id: str, report: dict[str, Any]) -> bool:
        """End a running run of this process as done, with its report; False when it was ended already
        (abandoned by another process that took this one for dead)."""
        return self._end(run_id, process_id(), state=SyncState.DONE, report=report)

    def fail(self, run_id: str, reason: str, error: str, *, owner: str | None = None) -> bool:
        """End a running run as failed; only while ``owner`` (this process by default) still owns it."""
        owner = process_id() if owner is None else owner
        return self._end(run_id, owner, state=SyncState.FAILED, reason=reason, error=error)

    def _end(self, run_id: str, owner: str | None, **values: Any) -> bool:
        q = (
            update(SyncRun)
            .where(SyncRun.id == run_id, SyncRun.state == SyncState.RUNNING, SyncRun.owner == owner)
            .values(finished_at=utcnow(), **values)
        )
        with self._session() as s:
            return s.execute(q).rowcount == 1

    def _prune(self) -> None:
        cutoff = utcnow() - dt.timedelta(days=KEEP_DAYS)
        with self._session() as s:
            s.execute(delete(SyncRun).where(SyncRun.state != SyncState.RUNNING, SyncRun.finished_at < cutoff))

    def _running(self, tenant: str, uri: str) -> SyncRun | None:
        q = select(SyncRun).where(
            SyncRun.tenant == tenant, SyncRun.source == source_key(uri), SyncRun.state == SyncState.RUNNING
        )
        with self._session() as s:
            return s.scalars(q).first()
