"""Uploaded files -> ingestion jobs (the HTTP API's uploads and replacements; the CLI ingests directly).

Per file: the same bytes and metadata as the indexed document is "unchanged" (``ingest.identity``), no
job; the same as the document's queued or running job is that job; anything else gets a new job. The
files of new jobs are kept all at once, within the tenant's storage quota (``BlobStore.keep_all``,
checked in the lock that adds them), each under a reference of its job before the job exists, so a job
never lacks its file; then the jobs are created and queued. All of it under the documents' locks
(``ingest.doclocks``), which a delete takes too: a replacement and a delete of one document happen one
after the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from core.errors import DocumentNotFound
from ingest.blobs import BlobStore, Incoming, Owner
from ingest.doclocks import DocLocks
from ingest.identity import document_id, unchanged
from ingest.jobs import JobRunner
from ingest.jobstore import Job, JobStore, new_job_id
from ingest.registry import Registry


@dataclass(frozen=True)
class Accepted:
    """What became of one uploaded file: its document, and its job (None: unchanged, nothing to do)."""

    doc_id: str
    source: str
    job: Job | None

    @property
    def status(self) -> str:
        return self.job.state.value if self.job is not None else "unchanged"


@dataclass(frozen=True)
class Uploads:
    registry: Registry
    jobs: JobStore
    blobs: BlobStore
    runner: JobRunner
    quota_bytes: int
    locks: DocLocks = field(default_factory=DocLocks)

    def submit(
        self,
        tenant: str,
        files: Sequence[tuple[str, Incoming]],
        metadata: dict[str, Any],
        doc_id: str | None = None,
    ) -> list[Accepted]:
        """Accept ``files`` (name, received file) for ``tenant``, as one document each (``doc_id``, or
        the id of the name). All or none: QuotaExceeded, nothing kept, if their new bytes do not fit.
        With ``doc_id`` it is a replacement: DocumentNotFound if that document is not there (any more)."""
        named = [(doc_id or document_id(tenant, name), name, incoming) for name, incoming in files]
        with self.locks.hold(tenant, [did for did, _, _ in named]):
            if doc_id is not None and self.registry.get(tenant, doc_id) is None:
                raise DocumentNotFound(f"no document {doc_id!r}")
            accepted: list[Accepted | None] = []
            new: list[tuple[int, str, str, Incoming, str]] = []  # (position, doc id, name, file, job id)
            for did, name, incoming in named:
                already = self._already(tenant, did, name, incoming.digest, metadata)
                if already is None:
                    new.append((len(accepted), did, name, incoming, new_job_id()))
                accepted.append(already)
            self.blobs.keep_all(
                [(incoming, Owner.job(tenant, job_id)) for _, _, _, incoming, job_id in new],
                self.quota_bytes,
            )
            for at, did, name, incoming, job_id in new:
                job = self.jobs.create(
                    tenant, did, name, incoming.digest, metadata, job_id=job_id, replaces=doc_id is not None
                )
                self.runner.submit(job)
                accepted[at] = Accepted(did, name, job)
        return [a for a in accepted if a is not None]

    def _already(
        self, tenant: str, doc_id: str, name: str, digest: str, metadata: dict[str, Any]
    ) -> Accepted | None:
        """The document already indexed with these bytes and metadata, or its job underway with them;
        None if neither."""
        if unchanged(self.registry.get(tenant, doc_id), digest, metadata):
            return Accepted(doc_id, name, None)
        active = self.jobs.active_for(tenant, doc_id)
        if active is not None and active.blob == digest and active.metadata == metadata:
            return Accepted(doc_id, name, active)
        return None
