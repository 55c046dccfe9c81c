"""Write: chunks + vectors -> points in the store, with the registry recording each step.

The new version of a document is written before the old one is removed, so a reader never finds the
document missing; point ids include the version's content hash, so the two versions never share a point
and either can be removed on its own after a crash.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np

from core.errors import DocumentBusy
from core.store.base import VectorStore
from core.types import Chunk, Point, SparseVec
from ingest.registry import Registry, Status

_POINT_NAMESPACE = uuid.UUID("6f1d2c3e-8a4b-5c6d-9e7f-0a1b2c3d4e5f")


def point_id(doc_id: str, content_hash: str, chunk_index: int) -> str:
    return str(uuid.uuid5(_POINT_NAMESPACE, f"{doc_id}\x00{content_hash}\x00{chunk_index}"))


def build_points(
    *,
    tenant: str,
    doc_id: str,
    source: str,
    content_hash: str,
    chunks: Sequence[Chunk],
    dense: np.ndarray,
    sparse: Sequence[SparseVec],
    embedding_model: str,
    metadata: dict[str, Any],
    fingerprint: str = "",
    guard: Sequence[dict[str, Any]] | None = None,
) -> list[Point]:
    if not (len(chunks) == len(dense) == len(sparse)):
        raise ValueError("chunks, dense and sparse vectors differ in number")
    dim = int(dense.shape[1]) if len(dense) else 0
    return [
        Point(
            id=point_id(doc_id, content_hash, c.index),
            dense=d.tolist(),
            sparse=s,
            payload={
                "tenant": tenant,
                "doc_id": doc_id,
                "doc_hash": content_hash,
                "source": source,
                "chunk_index": c.index,
                "text": c.text,
                "pages": list(c.pages),
                "section": c.section,
                "kinds": list(c.kinds),
                "n_tokens": c.n_tokens,
                "language": c.language,
                "metadata": metadata,
                "embedding_model": embedding_model,
                "fingerprint": fingerprint,
                "embedding_dim": dim,
                "guard": g,
            },
        )
        for c, d, s, g in zip(chunks, dense, sparse, guard or [{}] * len(chunks), strict=True)
    ]


def replace_points(
    store: VectorStore, tenant: str, doc_id: str, content_hash: str, points: Sequence[Point]
) -> None:
    """The points of version ``content_hash`` in, then the document's other versions out."""
    store.upsert(points)
    store.delete_document(tenant, doc_id, keep_hash=content_hash)


def delete_document(store: VectorStore, registry: Registry, tenant: str, doc_id: str) -> bool:
    if not registry.begin_delete(tenant, doc_id):
        return False
    # Still ours? A process silent past its lease may have lost the delete (and the document may have
    # been uploaded again since): its points are not this process's to delete any more.
    if not registry.holds(tenant, doc_id, Status.DELETING):
        raise DocumentBusy(f"document {doc_id!r} was taken over by another process while being deleted")
    store.delete_document(tenant, doc_id)
    registry.finish_delete(tenant, doc_id)
    return True
