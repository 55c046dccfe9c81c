"""Leases: which process owns a piece of work, and whether that process still lives.

Every process that does work on a registry (an API replica, a worker, a CLI ingest) has a row in
``processes``, stamped every heartbeat. The work it owns (a document being indexed or deleted, a job, a
re-index run, a named lock) names it as owner. Work whose owner has not stamped its row for ``lease_s``
seconds, or has no row (it stopped cleanly), is abandoned: another process takes it over with an UPDATE
conditional on the old owner, so of two processes that both see it abandoned exactly one wins.

One heartbeat per process, not per item: a worker indexing fifty documents writes one row every few
seconds, and a process that dies lets all its work go at once.

Times are the processes' own clocks (UTC): hosts of one cluster must agree within a few seconds, far
less than a lease.

A named lock (``Leases.hold``) lets one process at a time do something (the full reconcile): a session
advisory lock on PostgreSQL, which the server releases if the process dies; a row of ``locks`` on other
databases, taken over when its owner's lease expired.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Integer, String, delete, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, registry

from core.db import SqlStore, UtcDateTime, advisory_key, column, map_record, utcnow

log = logging.getLogger(__name__)

_tables = registry()
OWNER_LENGTH = 96

_identity: tuple[int, str] | None = None


def process_id() -> str:
    """This process's owner id: host, pid and a random part (a container's PID 1 restarted on the same
    host name is another process). A forked child gets its own."""
    global _identity
    pid = os.getpid()
    if _identity is None or _identity[0] != pid:
        _identity = (pid, f"{_host()}:{pid}:{uuid.uuid4().hex[:8]}")
    return _identity[1]


def _host() -> str:
    """This host as far as pids go: its name and its PID namespace (containers that share a host name,
    with host networking, do not see each other's pids)."""
    try:
        namespace = f"#{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:  # not Linux
        namespace = ""
    return f"{socket.gethostname()[:40]}{namespace}"


@dataclass
class ProcessRow:
    """A live (or lately live) process: one row of ``processes``."""

    id: str = column(String(OWNER_LENGTH), primary_key=True)
    role: str = column(String(32), default="")
    host: str = column(String(64), default="")
    pid: int = column(Integer, default=0)
    started_at: dt.datetime = column(UtcDateTime, default_factory=utcnow)
    beat_at: dt.datetime = column(UtcDateTime, default_factory=utcnow, index=True)


@dataclass
class LockRow:
    """A named lock held by a process (databases without advisory locks): one row of ``locks``."""

    name: str = column(String(64), primary_key=True)
    owner: str = column(String(OWNER_LENGTH))
    taken_at: dt.datetime = column(UtcDateTime, default_factory=utcnow)


PROCESSES = map_record(ProcessRow, "processes", _tables)
LOCKS = map_record(LockRow, "locks", _tables)
METADATA = _tables.metadata


def held_elsewhere(name: str, lease_s: float) -> ColumnElement[bool]:
    """SQL: another live process holds the row lock ``name`` (``Leases.hold_row``)."""
    return (
        select(LockRow.name)
        .where(LockRow.name == name, ~abandoned(LockRow.owner, lease_s), LockRow.owner != process_id())
        .exists()
    )


def cutoff(lease_s: float) -> dt.datetime:
    return utcnow() - dt.timedelta(seconds=lease_s)


def abandoned(owner: InstrumentedAttribute[str | None], lease_s: float) -> ColumnElement[bool]:
    """SQL: the work whose ``owner`` column names no live process (none, or one silent for ``lease_s``).
    This process is always alive to itself."""
    live = select(ProcessRow.id).where(ProcessRow.beat_at >= cutoff(lease_s))
    # NULL != me is NULL, not true: an owner of none is tested on its own.
    return or_(owner.is_(None), (owner != process_id()) & or_(owner == "", owner.not_in(live)))


def _pid_runs(pid: object) -> bool:
    """Whether ``pid`` (from a row: may be anything) is a process of this host; unsure: True."""
    try:
        os.kill(int(pid), 0)  # type: ignore[call-overload]
    except ProcessLookupError:
        return False
    except (PermissionError, TypeError, ValueError, OverflowError):  # another user's, or not a pid
        return True
    return True


class Leases(SqlStore):
    """This process's row in ``processes`` and the named locks, in the registry database."""

    branch = "registry"

    def __init__(self, url: str, lease_s: float = 30.0, role: str = "", *, auto_upgrade: bool = True) -> None:
        super().__init__(url, auto_upgrade=auto_upgrade)
        self.lease_s = lease_s
        self.role = role
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_beat: dt.datetime | None = None

    # ---- this process ---------------------------------------------------------------------------------

    def beat(self) -> None:
        """Stamp this process's row (made on the first beat). Warns when the previous stamp is older than
        a lease: others may have taken this process's work for dead meanwhile."""
        me, now = process_id(), utcnow()
        if self._last_beat is not None and (now - self._last_beat).total_seconds() > self.lease_s:
            log.error(
                "this process did not renew its lease for %.0f s (over %g s): other processes may have "
                "taken over its work",
                (now - self._last_beat).total_seconds(),
                self.lease_s,
            )
        with self._session() as s:
            done = s.execute(
                update(ProcessRow).where(ProcessRow.id == me).values(beat_at=now, role=self.role)
            ).rowcount
            if not done:
                host, pid, _ = me.rsplit(":", 2)
                s.execute(
                    insert(ProcessRow).values(
                        id=me, role=self.role, host=host, pid=int(pid), started_at=now, beat_at=now
                    )
                )
        self._last_beat = now

    def start(self, every_s: float) -> None:
        """Beat now, then every ``every_s`` seconds in a thread, until ``close``. The rows of this host's
        processes that are gone go first: their work is taken over at once, not a lease later (a
        restarted container's PID 1 is such a process too: same host and pid, another id)."""
        self._reap_local()
        self.beat()
        if self._thread is None:
            self._thread = threading.Thread(target=self._beating, args=(every_s,), name="lease", daemon=True)
            self._thread.start()

    def _beating(self, every_s: float) -> None:
        while not self._stop.wait(every_s):
            try:
                self.beat()
            except Exception:  # noqa: BLE001 - a database hiccup must not end the heartbeat
                log.exception("lease heartbeat failed; trying again")

    def _reap_local(self) -> None:
        """Rows of processes of this host (and PID namespace) that are gone: their pid runs no more, or
        is this process's own under another id (a container's PID 1, restarted)."""
        me = process_id()
        host, pid, _ = me.rsplit(":", 2)
        with self._session() as s:
            rows = s.scalars(select(ProcessRow).where(ProcessRow.host == host, ProcessRow.id != me))
            gone = [r.id for r in rows if str(r.pid) == pid or not _pid_runs(r.pid)]
            if gone:
                s.execute(delete(ProcessRow).where(ProcessRow.id.in_(gone)))
                log.warning("%d process(es) of this host are gone; their work is taken over", len(gone))

    def alive(self, owner: str | None) -> bool:
        if not owner:
            return False
        if owner == process_id():
            return True
        with self._session() as s:
            row = s.get(ProcessRow, owner)
        return row is not None and row.beat_at >= cutoff(self.lease_s)

    def live(self) -> list[ProcessRow]:
        """The processes whose lease holds, oldest first."""
        with self._session() as s:
            q = select(ProcessRow).where(ProcessRow.beat_at >= cutoff(self.lease_s))
            return list(s.scalars(q.order_by(ProcessRow.started_at)))

    def close(self) -> None:
        """A clean stop: the row goes, so what this process still owns is taken over at once."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            with self._session() as s:
                s.execute(delete(ProcessRow).where(ProcessRow.id == process_id()))
        finally:
            super().close()

    # ---- named locks ------------------------------------------------------------------------------------

    @contextmanager
    def hold(self, name: str) -> Iterator[bool]:
        """Try to take the lock ``name`` for the ``with`` block; yields whether it was taken (never
        waits)."""
        if self.engine.dialect.name == "postgresql":
            with self._advisory(name) as got:
                yield got
            return
        with self.hold_row(name) as got:
            yield got

    @contextmanager
    def hold_row(self, name: str) -> Iterator[bool]:
        """``hold`` with a row of ``locks`` on every database: others can see it (``held_elsewhere``)."""
        got = self._take_row(name)
        try:
            yield got
        finally:
            if got:
                with self._session() as s:
                    s.execute(delete(LockRow).where(LockRow.name == name, LockRow.owner == process_id()))

    @contextmanager
    def _advisory(self, name: str) -> Iterator[bool]:
        key = advisory_key(name)
        with self.engine.connect() as conn:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
            conn.commit()
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()

    def _take_row(self, name: str) -> bool:
        me = process_id()
        self.beat()  # the lock is only as good as this process's lease
        try:
            with self._session() as s:
                s.execute(insert(LockRow).values(name=name, owner=me, taken_at=utcnow()))
            return True
        except IntegrityError:
            pass
        with self._session() as s:
            taken = s.execute(
                update(LockRow)
                .where(LockRow.name == name, abandoned(LockRow.owner, self.lease_s))
                .values(owner=me, taken_at=utcnow())
            ).rowcount
        return bool(taken)
