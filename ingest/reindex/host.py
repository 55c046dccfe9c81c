"""What a re-index needs of the service it runs in (``Host``; ``app.runtime.Runtime`` is one) and of the
parts it builds a version with (``Parts``): protocols, so ingest/ never imports the runtime above it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from core.settings import Settings
from core.store.base import VectorStore
from ingest.guard import ChunkGuard
from ingest.reindex.verify import Search

if TYPE_CHECKING:
    from core.encode.dense import Embedder
    from core.encode.sparse import Bm25Encoder
    from core.lease import Leases
    from core.store import IndexMeta, IndexVersions
    from core.store.served import ServedIndex
    from ingest.blobs import BlobStore
    from ingest.chunk import Chunker
    from ingest.gate import WriteGate
    from ingest.isolate import Parser
    from ingest.registry import Registry


class Parts(Protocol):
    """What turns documents into points under one set of settings (built from them, closed after)."""

    embedder: Embedder
    sparse: Bm25Encoder
    chunker: Chunker
    parser: Parser
    chunk_guard: ChunkGuard
    index_meta: IndexMeta

    def searcher(self, store: VectorStore) -> Search:
        """Search ``store`` as the service searches with these settings (their retriever)."""
        ...

    def close(self) -> None: ...


class Host(Parts, Protocol):
    """The running service a re-index works in (``app.runtime.Runtime`` is one): its served index,
    registry and originals, the gate writes go through, and a way to build parts for other settings."""

    settings: Settings
    write_gate: WriteGate
    leases: Leases
    registry: Registry
    blobs: BlobStore
    versions: IndexVersions
    store: ServedIndex

    def adopt(self, settings: Settings, embedder: Embedder | None = None) -> None: ...

    def derive(self, settings: Settings) -> Parts: ...
