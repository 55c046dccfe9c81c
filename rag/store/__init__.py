"""The vector store: a port (``VectorStore``) and two adapters, chosen by ``settings.store.backend``."""

from __future__ import annotations

from rag.settings import Settings
from rag.store.base import IndexMeta, VectorStore

__all__ = ["IndexMeta", "VectorStore", "open_store"]


def open_store(settings: Settings, meta: IndexMeta, *, create: bool = True) -> VectorStore:
    """Open the index version being served; ``create`` makes the first one on an empty data dir."""
    if settings.store.backend == "edge":
        from rag.store.edge import EdgeStore

        return EdgeStore.open(settings.data_dir, meta, create=create)

    from qdrant_client import QdrantClient

    from rag.store.server import ServerStore

    s = settings.store
    client = QdrantClient(
        url=s.url,
        api_key=s.api_key.get_secret_value() if s.api_key else None,
        timeout=int(s.timeout_s),
    )
    return ServerStore.open(
        client,
        s.collection,
        meta,
        shard_number=s.shard_number,
        replication_factor=s.replication_factor,
        write_consistency_factor=s.write_consistency_factor,
        create=create,
    )
