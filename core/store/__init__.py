"""The vector store: a port (``VectorStore``), its versions (``IndexVersions``) and two adapters, chosen by
``settings.store.backend``; ``ServedIndex`` is the one version being served, switched atomically."""

from __future__ import annotations

from core.settings import Settings
from core.store.base import IndexMeta, IndexVersions, VectorStore

__all__ = ["IndexMeta", "IndexVersions", "VectorStore", "describe_versions", "open_versions"]


def open_versions(settings: Settings) -> IndexVersions:
    if settings.store.backend == "edge":
        from core.store.edge import EdgeVersions
        from core.store.edge_index import EdgeTuning

        return EdgeVersions(settings.data_dir, EdgeTuning.from_settings(settings.store))

    from qdrant_client import QdrantClient

    from core.store.calls import Retries
    from core.store.server import ServerVersions

    s = settings.store
    client = QdrantClient(
        url=s.url,
        api_key=s.api_key.get_secret_value() if s.api_key else None,
        timeout=int(s.timeout_s),
    )
    return ServerVersions(
        client,
        s.collection,
        shard_number=s.shard_number,
        replication_factor=s.replication_factor,
        write_consistency_factor=s.write_consistency_factor,
        retries=Retries(s.read_retries, s.retry_backoff_s),
    )


def describe_versions(versions: IndexVersions) -> list[dict[str, object]]:
    """Every version, oldest first: whether it is served, and what it was built with."""
    current = versions.current()
    out: list[dict[str, object]] = []
    for v in versions.all():
        meta = versions.read_meta(v)
        out.append(
            {
                "version": v,
                "served": v == current,
                "embedding_model": meta.embedding_model,
                "chunk_size": (meta.build.get("chunking") or {}).get("size_tokens"),
                "fingerprint": meta.fingerprint,
            }
        )
    return out
