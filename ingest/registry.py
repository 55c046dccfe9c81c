"""The document registry: one row per document, the source of truth for what the index should hold.

SQLAlchemy, SQLite in the data directory by default, any database URL in production. A document moves
``indexing -> indexed`` (or ``failed``) and ``deleting -> (row gone)``. While ``indexing`` or ``deleting``
a row names the process doing it (``owner``, a lease: ``core.lease``); only that process moves it on, and
another may begin on the document only once that process's lease expired. A row whose owner died is
taken over and finished or rolled back by ``ingest.reconcile``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Integer,
    Select,
    String,
    Text,
    bindparam,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, registry

from core.db import EnumString, SqlStore, UtcDateTime, column, map_record, utcnow
from core.errors import DocumentBusy
from core.lease import OWNER_LENGTH, abandoned, held_elsewhere, process_id

log = logging.getLogger(__name__)


class Status(enum.StrEnum):
    INDEXING = "indexing"
    INDEXED = "indexed"
    FAILED = "failed"
    DELETING = "deleting"


_tables = registry()


@dataclass
class DocRecord:
    """One document, one row of ``documents``."""

    tenant: str = column(String(64), primary_key=True)
    id: str = column(String(128), primary_key=True)
    source: str = column(String(1024), index=True)
    format: str = column(String(16), default="")
    size_bytes: int = column(Integer, default=0)
    # The version the index serves, and the one being written (None when nothing is in flight).
    content_hash: str | None = column(String(64), default=None)
    chunk_count: int = column(Integer, default=0)
    pending_hash: str | None = column(String(64), default=None)
    pending_chunks: int = column(Integer, default=0)
    status: Status = column(EnumString(Status, 16), index=True, default=Status.INDEXING)
    error: str | None = column(Text, default=None)
    metadata: dict[str, Any] = column(JSON, name="doc_metadata", default_factory=dict)
    # The guards' figures for the served version (ingest.guard.document_summary): PII counts by type,
    # flagged chunks and top injection score; counts only, no content.
    guard: dict[str, Any] | None = column(JSON, default_factory=dict)  # None: written before it existed
    # The process writing or deleting it (core.lease), while it is ``indexing`` or ``deleting``.
    owner: str | None = column(String(OWNER_LENGTH), default=None)
    created_at: dt.datetime = column(UtcDateTime, default_factory=utcnow)
    updated_at: dt.datetime = column(UtcDateTime, default_factory=utcnow, onupdate=utcnow)


map_record(DocRecord, "documents", _tables)


def _matching(q: Select[Any], tenant: str | None, status: Status | None, source: str | None) -> Select[Any]:
    """``q`` narrowed to the documents of ``tenant``, in ``status``, named ``source`` (each if given)."""
    if tenant is not None:
        q = q.where(DocRecord.tenant == tenant)
    if status is not None:
        q = q.where(DocRecord.status == status)
    if source is not None:
        q = q.where(DocRecord.source == source)
    return q


_UNFINISHED = (Status.INDEXING.value, Status.DELETING.value)


def _busy(tenant: str, doc_id: str) -> DocumentBusy:
    return DocumentBusy(
        f"document {doc_id!r} of tenant {tenant!r} is being written or deleted by another process; "
        "try again once it has finished"
    )


@dataclass(frozen=True)
class Pending:
    """A document version about to be written (``Registry.begin_indexes``)."""

    tenant: str
    doc_id: str
    source: str
    content_hash: str
    chunks: int
    fmt: str
    size_bytes: int
    metadata: dict[str, Any]

    def values(self) -> dict[str, Any]:
        """The row's columns as ``begin_index`` sets them."""
        return {
            "source": self.source,
            "format": self.fmt,
            "size_bytes": self.size_bytes,
            "metadata": self.metadata,
            "pending_hash": self.content_hash,
            "pending_chunks": self.chunks,
            "status": Status.INDEXING.value,
        }


# Held by a re-index (in any process) for its last catch-up and switch: no document begins meanwhile.
WRITE_GATE = "write-gate"


class Registry(SqlStore):
    branch = "registry"

    def __init__(
        self, url: str, lease_s: float = 30.0, gate_wait_s: float = 600.0, *, auto_upgrade: bool = True
    ) -> None:
        """``lease_s``: how long a silent process keeps the documents it writes (``core.lease``);
        ``gate_wait_s``: the longest a write waits for another process's re-index to switch."""
        super().__init__(url, auto_upgrade=auto_upgrade)
        self.lease_s = lease_s
        self.gate_wait_s = gate_wait_s

    def _free(self) -> ColumnElement[bool]:
        """SQL: a document this process may begin on: nobody else's write or delete is under way."""
        return (
            DocRecord.status.notin_(_UNFINISHED)
            | (DocRecord.owner == process_id())
            | abandoned(DocRecord.owner, self.lease_s)
        )

    def _mine(self, tenant: str, doc_id: str, status: Status) -> tuple[ColumnElement[bool], ...]:
        """SQL: this document, in ``status``, while this process owns it (a row settled meanwhile, or
        taken over by another process, is not; rows from before owners are taken over first)."""
        return (
            DocRecord.tenant == tenant,
            DocRecord.id == doc_id,
            DocRecord.owner == process_id(),
            DocRecord.status == status.value,
        )

    def holds(self, tenant: str, doc_id: str, status: Status) -> bool:
        """Whether this process still owns the document in ``status`` (checked before an irreversible
        step: a process that was silent past its lease may have lost it)."""
        with self._session() as s:
            return (
                s.scalars(select(DocRecord.id).where(*self._mine(tenant, doc_id, status))).first() is not None
            )

    def _claim(self, tenant: str, doc_id: str, values: dict[str, Any], new: dict[str, Any] | None) -> bool:
        """``_take``, once no other process's re-index holds the write gate.

        Taken first, the gate looked at second: a re-index closes the gate, then waits until no
        document is in flight. Either it sees this one in flight (and waits for it), or this sees the
        gate closed, lets go of the document (nothing written yet) and waits for the gate to open."""
        deadline = time.monotonic() + self.gate_wait_s
        while True:
            self._wait_for_gate(doc_id, deadline)
            row = self.get(tenant, doc_id)
            took = self._take(tenant, doc_id, values, new)
            if not took or not self.gate_closed():
                return took
            self._restore(row, tenant, doc_id)  # the gate closed in between (rare)

    def _wait_for_gate(self, name: str, deadline: float) -> None:
        """Return once no other process's re-index holds the write gate (waited for without writing
        anything); ``DocumentBusy`` past ``deadline``."""
        waited = False
        while self.gate_closed():
            if not waited:
                log.warning("%s: waiting for another process's re-index to switch", name)
                waited = True
            if time.monotonic() > deadline:
                raise DocumentBusy(
                    f"a re-index in another process kept writes waiting over {self.gate_wait_s:g} s; "
                    "try again"
                )
            time.sleep(0.2)

    def gate_closed(self) -> bool:
        """Whether another process's re-index holds writes back (its last catch-up and switch)."""
        with self._session() as s:
            return bool(s.scalar(select(held_elsewhere(WRITE_GATE, self.lease_s))))

    def _restore(self, before: DocRecord | None, tenant: str, doc_id: str) -> None:
        """Undo ``_take`` (nothing written yet): the row as it was, or none."""
        with self._session() as s:
            row = s.scalars(
                select(DocRecord).where(
                    DocRecord.tenant == tenant, DocRecord.id == doc_id, DocRecord.owner == process_id()
                )
            ).first()
            if row is None:
                return
            if before is None:
                s.delete(row)
                return
            for f in dataclasses.fields(DocRecord):
                setattr(row, f.name, getattr(before, f.name))

    def _take(self, tenant: str, doc_id: str, values: dict[str, Any], new: dict[str, Any] | None) -> bool:
        """Make the document this process's to change (one conditional UPDATE, so of two processes only
        one wins), with ``values``; a missing row is inserted from ``new`` (None: False). Raises
        ``DocumentBusy`` when another live process is writing or deleting it."""
        values = values | {"owner": process_id(), "updated_at": utcnow()}
        with self._session() as s:
            done = s.execute(
                update(DocRecord)
                .where(DocRecord.tenant == tenant, DocRecord.id == doc_id, self._free())
                .values(**values)
                .execution_options(synchronize_session=False)
            ).rowcount
            if done:
                return True
            exists = s.scalar(select(func.count()).where(DocRecord.tenant == tenant, DocRecord.id == doc_id))
        if not exists:
            if new is None:
                return False
            try:
                with self._session() as s:
                    s.add(DocRecord(tenant=tenant, id=doc_id, **new, **values))
                return True
            except IntegrityError:  # another process inserted it first: it is writing it
                pass
        raise _busy(tenant, doc_id)

    def get(self, tenant: str, doc_id: str) -> DocRecord | None:
        with self._session() as s:
            return s.get(DocRecord, (tenant, doc_id))

    def list(
        self,
        tenant: str | None = None,
        status: Status | None = None,
        source: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[DocRecord]:
        q = _matching(select(DocRecord), tenant, status, source)
        q = q.order_by(DocRecord.tenant, DocRecord.source, DocRecord.id).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        with self._session() as s:
            return list(s.scalars(q))

    def content_hashes(self) -> list[tuple[str, str, str]]:
        """(tenant, document id, content hash) of every document that has one: what its original is."""
        q = select(DocRecord.tenant, DocRecord.id, DocRecord.content_hash).where(
            DocRecord.content_hash.is_not(None)
        )
        with self._session() as s:
            return [(t, d, h) for t, d, h in s.execute(q)]

    def count(
        self, tenant: str | None = None, status: Status | None = None, source: str | None = None
    ) -> int:
        q = _matching(select(func.count()).select_from(DocRecord), tenant, status, source)
        with self._session() as s:
            return int(s.scalar(q) or 0)

    def unfinished(self) -> list[DocRecord]:
        """Documents left ``indexing`` or ``deleting`` by a process that is gone (its lease expired)."""
        q = select(DocRecord).where(
            DocRecord.status.in_(_UNFINISHED), abandoned(DocRecord.owner, self.lease_s)
        )
        with self._session() as s:
            return list(s.scalars(q))

    def in_flight_elsewhere(self) -> list[DocRecord]:
        """Documents other live processes are writing or deleting (what a re-index's switch waits for)."""
        q = select(DocRecord).where(
            DocRecord.status.in_(_UNFINISHED),
            DocRecord.owner != process_id(),
            ~abandoned(DocRecord.owner, self.lease_s),
        )
        with self._session() as s:
            return list(s.scalars(q))

    def take_over(self, doc: DocRecord) -> bool:
        """Make an abandoned document (``unfinished``) this process's to settle; False if it is no longer
        abandoned as it was (another process took it, or its owner came back)."""
        owner = DocRecord.owner.is_(None) if doc.owner is None else DocRecord.owner == doc.owner
        with self._session() as s:
            return bool(
                s.execute(
                    update(DocRecord)
                    .where(
                        DocRecord.tenant == doc.tenant,
                        DocRecord.id == doc.id,
                        DocRecord.status == doc.status,
                        owner,
                        abandoned(DocRecord.owner, self.lease_s),
                    )
                    .values(owner=process_id())
                    .execution_options(synchronize_session=False)
                ).rowcount
            )

    def begin_index(
        self,
        tenant: str,
        doc_id: str,
        *,
        source: str,
        content_hash: str,
        chunks: int,
        fmt: str,
        size_bytes: int,
        metadata: dict[str, Any],
    ) -> None:
        """Record that version ``content_hash`` is about to be written (before any point is), by this
        process. Raises ``DocumentBusy`` when another live process writes or deletes the document."""
        pending = Pending(tenant, doc_id, source, content_hash, chunks, fmt, size_bytes, metadata)
        self._claim(tenant, doc_id, pending.values(), new={})

    def begin_indexes(self, docs: Sequence[Pending]) -> list[DocumentBusy | None]:
        """``begin_index`` of several documents in one transaction (one commit, one look at the write gate
        before and after): per document None once begun, or the ``DocumentBusy`` that keeps it from
        beginning (another live process writes or deletes it), which leaves the others begun. One
        document, a document named twice, or another process inserting one of them meanwhile: one
        ``begin_index`` at a time, as without batching."""
        keys = [(d.tenant, d.doc_id) for d in docs]
        if len(docs) > 1 and len(set(keys)) == len(keys):
            deadline = time.monotonic() + self.gate_wait_s
            while True:
                try:
                    self._wait_for_gate(docs[0].doc_id, deadline)
                except DocumentBusy:  # each waits again and gives up on its own, as one at a time
                    break
                before = self.get_many(keys)
                try:
                    out = self._take_many(docs)
                except IntegrityError:  # another process inserted one first: settle each on its own
                    break
                if not self.gate_closed():
                    return out
                for d, busy in zip(docs, out, strict=True):  # the gate closed in between (rare)
                    if busy is None:
                        self._restore(before.get((d.tenant, d.doc_id)), d.tenant, d.doc_id)
        results: list[DocumentBusy | None] = []
        for d in docs:
            try:
                self.begin_index(
                    d.tenant,
                    d.doc_id,
                    source=d.source,
                    content_hash=d.content_hash,
                    chunks=d.chunks,
                    fmt=d.fmt,
                    size_bytes=d.size_bytes,
                    metadata=d.metadata,
                )
                results.append(None)
            except DocumentBusy as e:
                results.append(e)
        return results

    def get_many(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], DocRecord]:
        """The documents of these (tenant, id) keys that exist, read in one transaction."""
        with self._session() as s:
            return {k: row for k in keys if (row := s.get(DocRecord, k)) is not None}

    def _take_many(self, docs: Sequence[Pending]) -> list[DocumentBusy | None]:
        """``_take`` of each document (inserting the missing), all in one transaction; one UPDATE
        statement built once, run per document (its row count says whether the document was free)."""
        fixed = {"owner": process_id(), "updated_at": utcnow()}
        columns = list(docs[0].values())
        take = (
            update(DocRecord)
            .where(DocRecord.tenant == bindparam("k_tenant"), DocRecord.id == bindparam("k_id"), self._free())
            .values({c: bindparam(f"v_{c}") for c in columns} | fixed)
            .execution_options(synchronize_session=False)
        )
        keys = [(d.tenant, d.doc_id) for d in docs]
        out: list[DocumentBusy | None] = []
        with self._session() as s:
            existing = {
                (t, i)
                for t, i in s.execute(
                    select(DocRecord.tenant, DocRecord.id).where(
                        tuple_(DocRecord.tenant, DocRecord.id).in_(keys)
                    )
                )
            }
            for d in docs:
                values = d.values()
                params = {"k_tenant": d.tenant, "k_id": d.doc_id} | {f"v_{c}": values[c] for c in columns}
                if s.execute(take, params).rowcount:
                    out.append(None)
                elif (d.tenant, d.doc_id) not in existing or s.get(DocRecord, (d.tenant, d.doc_id)) is None:
                    # Another process inserting it meanwhile makes the commit fail: then one at a time.
                    s.add(DocRecord(tenant=d.tenant, id=d.doc_id, **values, **fixed))
                    out.append(None)
                else:
                    out.append(_busy(d.tenant, d.doc_id))
        return out

    def finish_index(self, tenant: str, doc_id: str, guard: dict[str, Any] | None = None) -> bool:
        """The pending version is served; ``guard``: its guard figures (None: keep what is recorded, as
        when a crash's leftover is finished by ``ingest.reconcile``). False when this process no longer
        owns the document (its lease expired and another process took it over): nothing changes."""
        with self._session() as s:
            return self._finish(s, tenant, doc_id, guard)

    def finish_indexes(self, docs: Sequence[tuple[str, str, dict[str, Any] | None]]) -> list[bool]:
        """``finish_index`` of several (tenant, document id, guard figures) in one transaction."""
        if len(docs) <= 1:
            return [self.finish_index(*d) for d in docs]
        with self._session() as s:
            return [self._finish(s, tenant, doc_id, guard) for tenant, doc_id, guard in docs]

    def _finish(self, s: Session, tenant: str, doc_id: str, guard: dict[str, Any] | None) -> bool:
        row = s.scalars(select(DocRecord).where(*self._mine(tenant, doc_id, Status.INDEXING))).first()
        if row is None or row.pending_hash is None:
            return False
        if guard is not None:
            row.guard = guard
        row.content_hash = row.pending_hash
        row.chunk_count = row.pending_chunks
        row.pending_hash = None
        row.pending_chunks = 0
        row.status = Status.INDEXED
        row.error = None
        row.owner = None
        return True

    def set_chunk_counts(self, counts: dict[tuple[str, str], tuple[str, int]]) -> None:
        """After a switch to a version built with other chunking: (tenant, doc id) -> (content hash,
        chunks in it); a document whose content changed since keeps its count."""
        with self._session() as s:
            for (tenant, doc_id), (content_hash, n) in counts.items():
                s.execute(
                    update(DocRecord)
                    .where(DocRecord.tenant == tenant, DocRecord.id == doc_id)
                    .where(DocRecord.content_hash == content_hash)
                    .values(chunk_count=n)
                    .execution_options(synchronize_session=False)
                )

    def set_guard(self, tenant: str, doc_id: str, guard: dict[str, Any]) -> None:
        """Replace a served document's guard figures (a re-index rebuilt its points under new settings)."""
        with self._session() as s:
            row = s.get(DocRecord, (tenant, doc_id))
            if row is not None:
                row.guard = guard

    def abandon_index(self, tenant: str, doc_id: str, error: str) -> None:
        """The pending version was not written: back to the served version, or failed if there is none."""
        with self._session() as s:
            row = s.scalars(select(DocRecord).where(*self._mine(tenant, doc_id, Status.INDEXING))).first()
            if row is None:
                return
            row.owner = None
            row.pending_hash = None
            row.pending_chunks = 0
            row.status = Status.INDEXED if row.content_hash else Status.FAILED
            row.error = error

    def record_failure(
        self, tenant: str, doc_id: str, *, source: str, fmt: str, size_bytes: int, error: str
    ) -> None:
        """A new upload could not be parsed. An indexed older version stays served; the error is noted."""
        with self._session() as s:
            row = s.get(DocRecord, (tenant, doc_id))
            if row is None:
                s.add(
                    DocRecord(
                        tenant=tenant,
                        id=doc_id,
                        source=source,
                        format=fmt,
                        size_bytes=size_bytes,
                        status=Status.FAILED,
                        error=error,
                    )
                )
                return
            row.error = error
            if row.status not in (Status.INDEXED, Status.INDEXING, Status.DELETING):  # others' work stays
                row.status = Status.FAILED

    def mark_broken(self, tenant: str, doc_id: str, content_hash: str | None, error: str) -> bool:
        """The served version ``content_hash`` lost points: failed, to ingest again. False (nothing
        changed) if the document moved on meanwhile (another process began a new version)."""
        with self._session() as s:
            row = s.get(DocRecord, (tenant, doc_id))
            if row is None or row.status != Status.INDEXED or row.content_hash != content_hash:
                return False
            if row is not None:
                row.status = Status.FAILED
                row.content_hash = None
                row.chunk_count = 0
                row.error = error
            return True

    def begin_delete(self, tenant: str, doc_id: str) -> bool:
        """Mark the document ``deleting``, by this process; False if there is none. Raises
        ``DocumentBusy`` when another live process writes or deletes it."""
        return self._claim(tenant, doc_id, {"status": Status.DELETING.value}, new=None)

    def finish_delete(self, tenant: str, doc_id: str) -> None:
        with self._session() as s:
            row = s.scalars(select(DocRecord).where(*self._mine(tenant, doc_id, Status.DELETING))).first()
            if row is not None:
                s.delete(row)

    def uses_hash(self, content_hash: str) -> bool:
        """Whether any document (of any tenant) serves or is writing this content."""
        with self._session() as s:
            q = (
                select(func.count())
                .select_from(DocRecord)
                .where((DocRecord.content_hash == content_hash) | (DocRecord.pending_hash == content_hash))
            )
            return bool(s.scalar(q))

    def tenants(self) -> list[str]:
        with self._session() as s:
            return list(s.scalars(select(DocRecord.tenant).distinct()))
