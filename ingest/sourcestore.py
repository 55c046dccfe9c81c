"""What each source ingested: one row per (tenant, source, document name) with the version it had then,
so that the next sync of a folder, a bucket or a website reads only what changed and deletes the
documents whose file or page is gone. In the registry's database (branch ``registry``)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import String, delete, select
from sqlalchemy.orm import registry

from core.db import SqlStore, UtcDateTime, column, map_record, utcnow

_tables = registry()


def source_key(uri: str) -> str:
    """A source's key: its URI hashed (a URI may be longer than an index allows)."""
    return hashlib.sha256(uri.encode()).hexdigest()[:32]


@dataclass
class SourceItem:
    """One document a source ingested: which, and the version (size and time, ETag, or hash) it had."""

    tenant: str = column(String(64), primary_key=True)
    source: str = column(String(32), primary_key=True)  # source_key(uri)
    name: str = column(String(1024), primary_key=True)  # the document's name (Source.name)
    doc_id: str = column(String(128), default="")
    version: str = column(String(256), default="")
    content_hash: str = column(String(64), default="")  # of what it ingested: still its own if unchanged
    uri: str = column(String(2048), default="")  # the source's URI, for people reading the table
    synced_at: dt.datetime = column(UtcDateTime, default_factory=utcnow)


map_record(SourceItem, "source_items", _tables)


class SourceStore(SqlStore):
    branch = "registry"

    def items(self, tenant: str, uri: str) -> dict[str, SourceItem]:
        """What the source at ``uri`` ingested for ``tenant``, by document name."""
        q = select(SourceItem).where(SourceItem.tenant == tenant, SourceItem.source == source_key(uri))
        with self._session() as s:
            return {i.name: i for i in s.scalars(q)}

    def remember(self, tenant: str, uri: str, items: Iterable[tuple[str, str, str, str]]) -> None:
        """Record (name, doc_id, version, content hash) of documents the source now holds as ingested."""
        key = source_key(uri)
        with self._session() as s:
            for name, doc_id, version, content_hash in items:
                s.merge(SourceItem(tenant, key, name, doc_id, version, content_hash, uri[:2048], utcnow()))

    def held_elsewhere(self, tenant: str, uri: str, doc_id: str, content_hash: str) -> bool:
        """Whether a source other than ``uri`` remembers ingesting ``doc_id`` as it is now."""
        q = select(SourceItem.name).where(
            SourceItem.tenant == tenant,
            SourceItem.doc_id == doc_id,
            SourceItem.content_hash == content_hash,
            SourceItem.source != source_key(uri),
        )
        with self._session() as s:
            return s.scalars(q.limit(1)).first() is not None

    def forget(self, tenant: str, uri: str, names: Iterable[str]) -> None:
        names = list(names)
        if not names:
            return
        key = source_key(uri)
        with self._session() as s:
            for at in range(0, len(names), 500):
                s.execute(
                    delete(SourceItem).where(
                        SourceItem.tenant == tenant,
                        SourceItem.source == key,
                        SourceItem.name.in_(names[at : at + 500]),
                    )
                )
