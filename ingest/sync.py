"""Sync: a source (a folder at any fsspec URL, a website) -> the documents it holds, ingested so that the
index matches it. A source remembers what it ingested (ingest.sourcestore): the next sync reads only the
files whose version (size and modification time, or ETag) changed, and deletes the documents whose file
or page is gone. Only documents the source itself ingested are ever deleted.

A file read but unchanged in content is "unchanged" (the ingest pipeline compares content hashes), so a
sync after a ``touch`` costs a read and a hash, not a parse.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingest.identity import document_id
from ingest.pipeline import Ingestor, IngestReport, Outcome, Source
from ingest.sourcestore import SourceStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Listed:
    """One document a source holds now: its name, a version that changes when it does, its bytes."""

    name: str
    version: str
    size: int
    read: Callable[[], bytes]


@dataclass
class Listing:
    """What a source holds now; ``complete`` when nothing it holds may be missing from ``items``."""

    items: list[Listed]
    complete: bool = True
    notes: list[dict[str, str]] = field(default_factory=list)


@dataclass
class SyncReport:
    uri: str
    ingest: IngestReport
    deleted: list[str] = field(default_factory=list)
    skipped: int = 0  # listed with the version already ingested: not read
    notes: list[dict[str, str]] = field(default_factory=list)  # pages not taken, and why (web sources)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.uri,
            **self.ingest.to_dict(),
            "not_read": self.skipped,
            "deleted": len(self.deleted),
            "deleted_documents": self.deleted,
            "notes": self.notes,
        }


def sync(
    ingestor: Ingestor,
    memory: SourceStore,
    uri: str,
    tenant: str,
    listing: Listing,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> SyncReport:
    """Bring the index in line with ``listing``, what the source at ``uri`` holds now. Documents gone from
    it are deleted only when the listing is complete (a crawl cut short by its page limit, or a page
    that timed out, says nothing of what is gone)."""
    listed = listing.items
    remembered = memory.items(tenant, uri)
    current = {item.name: item for item in listed}
    todo = [i for i in listed if (r := remembered.get(i.name)) is None or r.version != i.version]
    sources = [Source(name=i.name, tenant=tenant, read=i.read, size=i.size) for i in todo]
    report = ingestor.ingest(sources, on_outcome=on_outcome)
    ok = {o.source: o for o in report.outcomes if o.status != "failed"}
    # A failed file is not remembered: the next sync tries it again.
    memory.remember(tenant, uri, [(i.name, ok[i.name].doc_id, i.version) for i in todo if i.name in ok])
    gone = sorted(set(remembered) - set(current)) if listing.complete else []
    deleted = []
    for name in gone:
        doc_id = remembered[name].doc_id or document_id(tenant, name)
        if ingestor.delete(tenant, doc_id):
            deleted.append(name)
        else:
            log.info("%s: %s was no longer indexed", uri, name)
    memory.forget(tenant, uri, gone)
    return SyncReport(uri, report, deleted, skipped=len(listed) - len(todo), notes=listing.notes)
