"""The document registry: one row per document, the source of truth for what the index should hold.

SQLAlchemy, SQLite in the data directory by default, any database URL in production. A document moves
``indexing -> indexed`` (or ``failed``) and ``deleting -> (row gone)``; a row left in ``indexing`` or
``deleting`` after a crash is finished or rolled back by ``ingest.reconcile``.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.db import SqlStore, aware, utcnow


class Status(enum.StrEnum):
    INDEXING = "indexing"
    INDEXED = "indexed"
    FAILED = "failed"
    DELETING = "deleting"


class _Base(DeclarativeBase):
    pass


class _Document(_Base):
    __tablename__ = "documents"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    source: Mapped[str] = mapped_column(String(1024), index=True)
    format: Mapped[str] = mapped_column(String(16), default="")
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    # The version the index serves, and the one being written (None when nothing is in flight).
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    pending_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pending_chunks: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), index=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    doc_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


@dataclass(frozen=True)
class DocRecord:
    tenant: str
    id: str
    source: str
    format: str
    size_bytes: int
    content_hash: str | None
    chunk_count: int
    pending_hash: str | None
    pending_chunks: int
    status: Status
    error: str | None
    metadata: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "tenant": self.tenant,
            "source": self.source,
            "format": self.format,
            "size_bytes": self.size_bytes,
            "content_hash": self.content_hash,
            "chunk_count": self.chunk_count,
            "status": self.status.value,
            "error": self.error,
            "metadata": self.metadata,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def _record(row: _Document) -> DocRecord:
    return DocRecord(
        tenant=row.tenant,
        id=row.id,
        source=row.source,
        format=row.format,
        size_bytes=row.size_bytes,
        content_hash=row.content_hash,
        chunk_count=row.chunk_count,
        pending_hash=row.pending_hash,
        pending_chunks=row.pending_chunks,
        status=Status(row.status),
        error=row.error,
        metadata=dict(row.doc_metadata or {}),
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
    )


class Registry(SqlStore):
    def __init__(self, url: str) -> None:
        super().__init__(url, _Base.metadata)

    def get(self, tenant: str, doc_id: str) -> DocRecord | None:
        with self._session() as s:
            row = s.get(_Document, (tenant, doc_id))
            return _record(row) if row else None

    def list(
        self,
        tenant: str | None = None,
        status: Status | None = None,
        source: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[DocRecord]:
        q = select(_Document).order_by(_Document.tenant, _Document.source, _Document.id)
        if tenant is not None:
            q = q.where(_Document.tenant == tenant)
        if status is not None:
            q = q.where(_Document.status == status.value)
        if source is not None:
            q = q.where(_Document.source == source)
        q = q.offset(offset)
        if limit is not None:
            q = q.limit(limit)
        with self._session() as s:
            return [_record(r) for r in s.scalars(q)]

    def content_hashes(self) -> list[tuple[str, str, str]]:
        """(tenant, document id, content hash) of every document that has one: what its original is."""
        q = select(_Document.tenant, _Document.id, _Document.content_hash).where(
            _Document.content_hash.is_not(None)
        )
        with self._session() as s:
            return [(t, d, h) for t, d, h in s.execute(q)]

    def count(
        self, tenant: str | None = None, status: Status | None = None, source: str | None = None
    ) -> int:
        q = select(func.count()).select_from(_Document)
        if tenant is not None:
            q = q.where(_Document.tenant == tenant)
        if status is not None:
            q = q.where(_Document.status == status.value)
        if source is not None:
            q = q.where(_Document.source == source)
        with self._session() as s:
            return int(s.scalar(q) or 0)

    def unfinished(self) -> list[DocRecord]:
        q = select(_Document).where(_Document.status.in_([Status.INDEXING.value, Status.DELETING.value]))
        with self._session() as s:
            return [_record(r) for r in s.scalars(q)]

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
            row = s.get(_Document, (tenant, doc_id))
            if row is None:
                row = _Document(tenant=tenant, id=doc_id, content_hash=None, chunk_count=0)
                s.add(row)
            row.source = source
            row.format = fmt
            row.size_bytes = size_bytes
            row.doc_metadata = metadata
            row.pending_hash = content_hash
            row.pending_chunks = chunks
            row.status = Status.INDEXING.value

    def finish_index(self, tenant: str, doc_id: str) -> None:
        with self._session() as s:
            row = s.get(_Document, (tenant, doc_id))
            if row is None or row.pending_hash is None:
                return
            row.content_hash = row.pending_hash
            row.chunk_count = row.pending_chunks
            row.pending_hash = None
            row.pending_chunks = 0
            row.status = Status.INDEXED.value
            row.error = None

    def abandon_index(self, tenant: str, doc_id: str, error: str) -> None:
        """The pending version was not written: back to the served version, or failed if there is none."""
        with self._session() as s:
            row = s.get(_Document, (tenant, doc_id))
            if row is None:
                return
            row.pending_hash = None
            row.pending_chunks = 0
            row.status = Status.INDEXED.value if row.content_hash else Status.FAILED.value
            row.error = error

    def record_failure(
        self, tenant: str, doc_id: str, *, source: str, fmt: str, size_bytes: int, error: str
    ) -> None:
        """A new upload could not be parsed. An indexed older version stays served; the error is noted."""
        with self._session() as s:
            row = s.get(_Document, (tenant, doc_id))
            if row is None:
                s.add(
                    _Document(
                        tenant=tenant,
                        id=doc_id,
                        source=source,
                        format=fmt,
                        size_bytes=size_bytes,
                        status=Status.FAILED.value,
                        error=error,
                        doc_metadata={},
                    )
                )
                return
            row.error = error
            if row.status != Status.INDEXED.value:
                row.status = Status.FAILED.value

    def mark_broken(self, tenant: str, doc_id: str, error: str) -> None:
        with self._session() as s:
            row = s.get(_Document, (tenant, doc_id))
            if row is not None:
                row.status = Status.FAILED.value
                row.content_hash = None
                row.chunk_count = 0
                row.error = error

    def begin_delete(self, tenant: str, doc_id: str) -> bool:
        with self._session() as s:
            row = s.get(_Document, (tenant, doc_id))
            if row is None:
                return False
            row.status = Status.DELETING.value
            return True

    def finish_delete(self, tenant: str, doc_id: str) -> None:
        with self._session() as s:
            row = s.get(_Document, (tenant, doc_id))
            if row is not None:
                s.delete(row)

    def uses_hash(self, content_hash: str) -> bool:
        """Whether any document (of any tenant) serves or is writing this content."""
        with self._session() as s:
            q = (
                select(func.count())
                .select_from(_Document)
                .where((_Document.content_hash == content_hash) | (_Document.pending_hash == content_hash))
            )
            return bool(s.scalar(q))

    def tenants(self) -> list[str]:
        with self._session() as s:
            return list(s.scalars(select(_Document.tenant).distinct()))
