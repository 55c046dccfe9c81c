"""Reconcile: after a crash, make the registry and the store agree again.

Quick (every start, and a worker's every lease period): rows left in ``indexing`` or ``deleting`` by a
process that is gone (its lease expired, ``core.lease``) are taken over, then finished or rolled back.
Another live process's documents in flight are never touched.
Full (before an ingest run, and ``rag docs reconcile``), one process at a time (a leader lock): also
points of unknown documents are removed and indexed documents whose points went missing are marked
failed; documents in flight are left to their owners.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from core.lease import Leases
from core.store.base import VectorStore
from ingest.registry import Registry, Status

log = logging.getLogger(__name__)


@dataclass
class ReconcileReport:
    rolled_forward: list[str] = field(default_factory=list)
    rolled_back: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    orphans_removed: list[str] = field(default_factory=list)
    marked_failed: list[str] = field(default_factory=list)
    # The full check did not run: another process held the leader lock (it runs one).
    skipped_full: bool = False

    @property
    def changed(self) -> bool:
        return any(
            (self.rolled_forward, self.rolled_back, self.deleted, self.orphans_removed, self.marked_failed)
        )


def reconcile(
    store: VectorStore, registry: Registry, full: bool = False, leases: Leases | None = None
) -> ReconcileReport:
    """``leases``: where the leader lock of the full check is taken (None: this process is alone).
    Nothing is done while another process's re-index holds writes back for its switch: what it settled
    would change the registry under the re-index's last catch-up."""
    report = ReconcileReport()
    if registry.gate_closed():
        log.info("reconcile skipped: a re-index in another process is switching")
        return report
    for doc in registry.unfinished():
        if not registry.take_over(doc):  # another process took it first, or its owner is back
            continue
        if doc.status == Status.DELETING:
            store.delete_document(doc.tenant, doc.id)
            registry.finish_delete(doc.tenant, doc.id)
            report.deleted.append(doc.id)
            continue
        assert doc.pending_hash is not None
        written = store.count(doc.tenant, doc.id, doc.pending_hash)
        if written == doc.pending_chunks:
            store.delete_document(doc.tenant, doc.id, keep_hash=doc.pending_hash)
            registry.finish_index(doc.tenant, doc.id)
            report.rolled_forward.append(doc.id)
        else:
            if doc.content_hash:
                store.delete_document(doc.tenant, doc.id, keep_hash=doc.content_hash)
            else:
                store.delete_document(doc.tenant, doc.id)
            registry.abandon_index(
                doc.tenant,
                doc.id,
                "indexing was interrupted"
                + (
                    "; the previous version is still served"
                    if doc.content_hash
                    else "; ingest the file again"
                ),
            )
            report.rolled_back.append(doc.id)
    if full and leases is None:
        _full_check(store, registry, report)
    elif full:
        assert leases is not None
        with leases.hold("reconcile") as leader:
            if leader:
                _full_check(store, registry, report)
            else:
                report.skipped_full = True
                log.info("full reconcile skipped: another process is running one")
    if report.changed:
        log.warning("reconciled registry and index: %s", report)
    return report


def _full_check(store: VectorStore, registry: Registry, report: ReconcileReport) -> None:
    tenants = set(registry.tenants()) | set(store.tenants())
    for tenant in sorted(tenants):
        # Points first, rows second: a document begun in between is in the list (in flight, skipped),
        # one begun after has no points counted here, so no live write is taken for an orphan.
        counts = store.doc_point_counts(tenant)
        docs = {d.id: d for d in registry.list(tenant=tenant)}
        for doc_id in counts.keys() - docs.keys():
            store.delete_document(tenant, doc_id)
            report.orphans_removed.append(doc_id)
        for doc in docs.values():
            if doc.status in (Status.INDEXING, Status.DELETING):  # its owner's (or the quick part's)
                continue
            if doc.status != Status.INDEXED:
                now = registry.get(tenant, doc.id)  # a live process may have begun it since the list
                if counts.get(doc.id) and now is not None and now.status == Status.FAILED:
                    store.delete_document(tenant, doc.id)
                continue
            if counts.get(doc.id, 0) == doc.chunk_count:
                continue
            good = store.count(tenant, doc.id, doc.content_hash)
            if good == doc.chunk_count:
                store.delete_document(tenant, doc.id, keep_hash=doc.content_hash)
            elif registry.mark_broken(  # unless it moved on since the list
                tenant,
                doc.id,
                doc.content_hash,
                f"{good} of {doc.chunk_count} chunks were missing from the index; ingest again",
            ):
                store.delete_document(tenant, doc.id)
                report.marked_failed.append(doc.id)
