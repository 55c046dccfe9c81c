"""Identity: which document a file is (its tenant and name), and whether what arrives for it changes it.

One rule for every way in, the CLI's and job's ingestion (``ingest.pipeline``) and the API's uploads
(``ingest.uploads``): an unchanged file is not parsed, embedded or queued again.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ingest.registry import DocRecord, Status


def document_id(tenant: str, source: str) -> str:
    """Stable id of a document from its tenant and source name: the same file always maps to one id."""
    return hashlib.sha256(f"{tenant}\x00{source}".encode()).hexdigest()[:16]


def unchanged(doc: DocRecord | None, content_hash: str, metadata: dict[str, Any]) -> bool:
    """Whether bytes of ``content_hash`` with ``metadata`` are what ``doc`` already serves. Only an indexed
    document is: one deleted, failed or being written or deleted gets the file written again.

    The settings are not part of it: the registry does not know which settings built a document's
    points (they carry it, ``fingerprint``); ``rag reindex --incremental`` rebuilds those of other
    settings."""
    return (
        doc is not None
        and doc.status == Status.INDEXED
        and doc.content_hash == content_hash
        and doc.metadata == metadata
    )
