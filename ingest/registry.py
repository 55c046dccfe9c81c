"""The document registry: one row per document, the source of truth for what the index should hold.

SQLAlchemy, SQLite in the data directory by default, any database URL in production. A document moves
``indexing -> indexed`` (or ``failed``) and ``deleting -> (row gone)``; a row left in ``indexing`` or
``deleting`` after a crash is finished or rolled back by ``ingest.reconcile``.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Integer, Select, String, Text, func, select
from sqlalchemy.orm import registry

from core.db import EnumString, SqlStore, UtcDateTime, column, map_record, utcnow
from core.lease import OWNER_LENGTH

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


class Registry(SqlStore):
    branch = "registry"

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
        q = select(DocRecord).where(DocRecord.status.in_([Status.INDEXING.value, Status.DELETING.value]))
        with self._session() as s:
            return list(s.scalars(q))

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
        """Record that version ``content_hash`` is about to be written (before any point is)."""
        with self._session() as s:
            row = s.get(DocRecord, (tenant, doc_id))
            if row is None:
                row = DocRecord(tenant=tenant, id=doc_id, source=source)
                s.add(row)
            row.source = source
            row.format = fmt
            row.size_bytes = size_bytes
            row.metadata = metadata
            row.pending_hash = content_hash
            row.pending_chunks = chunks
            row.status = Status.INDEXING

    def finish_index(self, tenant: str, doc_id: str, guard: dict[str, Any] | None = None) -> None:
        """The pending version is served; ``guard``: its guard figures (None: keep what is recorded, as
        when a crash's leftover is finished by ``ingest.reconcile``)."""
        with self._session() as s:
            row = s.get(DocRecord, (tenant, doc_id))
            if row is None or row.pending_hash is None:
                return
            if guard is not None:
                row.guard = guard
            row.content_hash = row.pending_hash
            row.chunk_count = row.pending_chunks
            row.pending_hash = None
            row.pending_chunks = 0
            row.status = Status.INDEXED
            row.error = None

    def set_guard(self, tenant: str, doc_id: str, guard: dict[str, Any]) -> None:
        """Replace a served document's guard figures (a re-index rebuilt its points under new settings)."""
        with self._session() as s:
            row = s.get(DocRecord, (tenant, doc_id))
            if row is not None:
                row.guard = guard

    def abandon_index(self, tenant: str, doc_id: str, error: str) -> None:
        """The pending version was not written: back to the served version, or failed if there is none."""
        with self._session() as s:
            row = s.get(DocRecord, (tenant, doc_id))
            if row is None:
                return
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
            if row.status != Status.INDEXED:
                row.status = Status.FAILED

    def mark_broken(self, tenant: str, doc_id: str, error: str) -> None:
        with self._session() as s:
            row = s.get(DocRecord, (tenant, doc_id))
            if row is not None:
                row.status = Status.FAILED
                row.content_hash = None
                row.chunk_count = 0
                row.error = error

    def begin_delete(self, tenant: str, doc_id: str) -> bool:
        with self._session() as s:
            row = s.get(DocRecord, (tenant, doc_id))
            if row is None:
                return False
            row.status = Status.DELETING
            return True

    def finish_delete(self, tenant: str, doc_id: str) -> None:
        with self._session() as s:
            row = s.get(DocRecord, (tenant, doc_id))
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
