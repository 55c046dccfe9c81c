"""Sync: a source (a folder at any fsspec URL, a website) -> the documents it holds, ingested so that the
index matches it. A source remembers what it ingested (ingest.sourcestore): the next sync reads only the
files whose version (size and modification time, or ETag) changed, and deletes the documents whose file
or page is gone. A sync writes and deletes only the documents it ingested itself: a name that holds an
upload, another source's document or a version uploaded over its own is left alone (a ``conflict``, or
"kept" when the file is gone), unless its content is the same (adopted).

A file read but unchanged in content is "unchanged" (the ingest pipeline compares content hashes), so a
sync after a ``touch`` costs a read and a hash, not a parse.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.errors import DocumentBusy
from core.lease import Leases
from ingest.identity import document_id
from ingest.pipeline import Ingestor, IngestReport, Outcome, Source
from ingest.sourcestore import SourceStore, source_key


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


class SourceBusy(DocumentBusy):
    """Another sync of the same source is running (in this process or another)."""


def sync(
    ingestor: Ingestor,
    store: SourceStore,
    uri: str,
    tenant: str,
    listing: Listing,
    on_outcome: Callable[[Outcome], None] | None = None,
    leases: Leases | None = None,
    stop: Callable[[], bool] | None = None,
) -> SyncReport:
    """Bring the index in line with ``listing``, what the source at ``uri`` holds now. Documents gone from
    it are deleted only when the listing is complete (a crawl cut short by its page limit, or a page
    that timed out, says nothing of what is gone). With ``leases``, one sync of a source at a time.
    ``stop``, asked before each document: once it says so, no more is read and nothing is deleted."""
    if leases is None:
        return _sync(ingestor, store, uri, tenant, listing, on_outcome, stop)
    with leases.hold(f"source-sync:{tenant}:{source_key(uri)}") as taken:
        if not taken:
            raise SourceBusy(f"{uri} is being synced already; try again when that sync has finished")
        return _sync(ingestor, store, uri, tenant, listing, on_outcome, stop)


def _sync(
    ingestor: Ingestor,
    store: SourceStore,
    uri: str,
    tenant: str,
    listing: Listing,
    on_outcome: Callable[[Outcome], None] | None,
    stop: Callable[[], bool] | None,
) -> SyncReport:
    stopped = stop or (lambda: False)
    remembered = store.items(tenant, uri)
    listed = listing.items
    current = {item.name: item for item in listed}
    docs = ingestor.registry.get_many([(tenant, document_id(tenant, i.name)) for i in listed])
    # Read again: what changed, and what the index lost since (a document deleted by hand comes back
    # while its file is there: the source is what the index follows).
    todo = [
        i
        for i in listed
        if (r := remembered.get(i.name)) is None
        or r.version != i.version
        or (tenant, document_id(tenant, i.name)) not in docs
    ]
    ours, adopted, refused = [], [], []
    for item in todo:
        doc = docs.get((tenant, document_id(tenant, item.name)))
        mine = remembered.get(item.name)
        if (
            doc is None
            or doc.content_hash is None
            or (mine is not None and mine.content_hash == doc.content_hash)
        ):
            ours.append(item)
            continue
        # The name holds a document this source did not write (another source's, an upload, or a version
        # uploaded over ours): the same content is adopted, other content left alone and reported.
        try:
            data = item.read()
        except OSError as e:  # gone or unreadable since it was listed: as the pipeline says it
            refused.append(
                Outcome(item.name, doc.id, "failed", reason="unreadable", error=f"{item.name}: {e}")
            )
            continue
        if hashlib.sha256(data).hexdigest() == doc.content_hash:
            adopted.append((item, doc.content_hash))
        else:
            refused.append(
                Outcome(item.name, doc.id, "failed", reason="conflict", error=f"{item.name}: {CONFLICT}")
            )
    versions = {i.name: i.version for i in ours}

    def settled(o: Outcome) -> None:
        # Remembered as each is written, not at the end: a sync killed half-way knows what it wrote.
        # A failed file is not remembered: the next sync tries it again.
        if o.status != "failed" and (doc := ingestor.registry.get(tenant, o.doc_id)) is not None:
            store.remember(tenant, uri, [(o.source, o.doc_id, versions[o.source], doc.content_hash or "")])
        if on_outcome is not None:
            on_outcome(o)

    sources = (Source(i.name, tenant, i.read, i.size) for i in ours)
    report = ingestor.ingest(itertools.takewhile(lambda _: not stopped(), sources), on_outcome=settled)
    report.outcomes += [Outcome(i.name, document_id(tenant, i.name), "unchanged") for i, _ in adopted]
    report.outcomes += refused
    store.remember(tenant, uri, [(i.name, document_id(tenant, i.name), i.version, h) for i, h in adopted])
    gone = sorted(set(remembered) - set(current)) if listing.complete and not stopped() else []
    deleted, kept = [], []
    served = ingestor.registry.get_many(
        [(tenant, remembered[n].doc_id or document_id(tenant, n)) for n in gone]
    )
    for name in gone:
        doc_id = remembered[name].doc_id or document_id(tenant, name)
        doc = served.get((tenant, doc_id))
        if doc is not None and doc.content_hash not in (None, remembered[name].content_hash):
            kept.append(name)  # replaced since by an upload or another source: theirs now
        elif doc is not None and store.held_elsewhere(tenant, uri, doc_id, doc.content_hash or ""):
            kept.append(name)  # another source holds the same file (it moved there): still wanted
        elif doc is not None and ingestor.delete(tenant, doc_id):
            deleted.append(name)
    store.forget(tenant, uri, gone)
    notes = listing.notes + [
        {"url": name, "reason": "kept", "detail": "gone from the source, but another holds its document now"}
        for name in kept
    ]
    return SyncReport(uri, report, deleted, skipped=len(listed) - len(todo), notes=notes)


# What a sync says of a name that holds a document it did not write, with other content.
CONFLICT = (
    "a document of this name was uploaded or synced from another source, with other content; "
    "it is left as it is (delete it, or rename the file, to sync this one)"
)
