"""Build: the documents of a plan -> points in the new index version, each recorded in the checkpoint once
its points are written.

A document is rebuilt from its stored original (parse -> chunk -> embed, with the new settings), or, in
an incremental run, copied with its vectors from the served version when its points already carry the
new settings' fingerprint. Parsing runs ahead of embedding, and chunks of several documents share the
model's batches, as in ``ingest.pipeline``. The registry is only read: the served index is untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from core.encode.dense import Embedder
from core.encode.sparse import Bm25Encoder
from core.errors import IngestError
from core.store.base import VectorStore
from core.types import Chunk
from ingest.blobs import BlobStore
from ingest.chunk import Chunker
from ingest.isolate import Parser
from ingest.pipeline import ahead, parse_and_chunk
from ingest.reindex.checkpoint import Checkpoints, DoneDoc
from ingest.reindex.plan import Key, Wanted
from ingest.write import build_points

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    doc: Wanted
    reason: str

    def __str__(self) -> str:
        return f"{self.doc.source} ({self.doc.tenant}): {self.reason}"


@dataclass(frozen=True)
class Components:
    """The parts that turn a document into points, built from the new version's settings."""

    embedder: Embedder
    sparse: Bm25Encoder
    chunker: Chunker
    fingerprint: str
    batch_chunks: int
    parser: Parser  # the parser processes of the run's runtime (one, with the file size limit)


class _Flag:
    """``cancelled`` as the flag a parse watches: an abort or a pause kills a running parse at once."""

    def __init__(self, cancelled: Callable[[], bool]) -> None:
        self.is_set = cancelled


class Builder:
    def __init__(
        self,
        parts: Components,
        target: VectorStore,
        blobs: BlobStore,
        checkpoints: Checkpoints,
        run_id: str,
        *,
        copy_from: VectorStore | None = None,
    ) -> None:
        self.parts = parts
        self.target = target
        self.blobs = blobs
        self.checkpoints = checkpoints
        self.run_id = run_id
        self.copy_from = copy_from  # incremental: the served version, to copy up-to-date documents from

    def remove(self, stale: Sequence[Key]) -> None:
        for tenant, doc_id in stale:
            self.target.delete_document(tenant, doc_id)
            self.checkpoints.forget(self.run_id, tenant, doc_id)

    def build(
        self,
        docs: Sequence[Wanted],
        on_doc: Callable[[str], None],
        cancelled: Callable[[], bool] = lambda: False,
    ) -> list[Failure]:
        """Write ``docs`` into the target; ``on_doc`` gets "rebuilt", "copied" or "failed" per document."""
        failures: list[Failure] = []
        rebuild = list(docs)
        if self.copy_from is not None and docs:
            copyable = self.copy_from.doc_counts_with("fingerprint", self.parts.fingerprint)
            rebuild = []
            for d in docs:
                if cancelled():
                    return failures
                if copyable.get(d.key) == d.chunk_count and self._copy(d):
                    on_doc("copied")
                else:
                    rebuild.append(d)
        for item in self._rebuild(rebuild, cancelled):
            if isinstance(item, Failure):
                failures.append(item)
                on_doc("failed")
            else:
                on_doc("rebuilt")
        return failures

    def _copy(self, d: Wanted) -> bool:
        assert self.copy_from is not None
        points = [
            p
            for p in self.copy_from.export_document(d.tenant, d.doc_id)
            if p.payload.get("doc_hash") == d.content_hash
        ]
        if len(points) != d.chunk_count:
            return False
        self.target.upsert(points)
        self.target.delete_document(d.tenant, d.doc_id, keep_hash=d.content_hash)
        self.checkpoints.record(
            self.run_id, d.tenant, d.doc_id, DoneDoc(d.content_hash, d.metadata, len(points)), "copied"
        )
        return True

    def _prepare(self, d: Wanted, cancel: _Flag) -> tuple[Wanted, list[Chunk]] | Failure:
        try:
            data = self.blobs.get(d.content_hash)
        except (OSError, ValueError) as e:
            log.warning("%s: stored original %s unreadable: %s", d.source, d.content_hash, e)
            return Failure(d, "the stored original file is missing or unreadable; ingest it again")
        try:
            return d, parse_and_chunk(self.parts.parser, self.parts.chunker, data, d.source, cancel=cancel)
        except IngestError as e:  # a cancelled parse too: the run stops before it looks at the failure
            return Failure(d, f"{e.reason}: {e}")

    def _rebuild(self, docs: Sequence[Wanted], cancelled: Callable[[], bool]) -> Iterator[Wanted | Failure]:
        batch: list[tuple[Wanted, list[Chunk]]] = []
        pending = 0
        flag = _Flag(cancelled)
        prepared = (self._prepare(d, flag) for d in docs)
        for result in ahead(prepared, depth=self.parts.batch_chunks):
            if cancelled():
                return
            if isinstance(result, Failure):
                yield result
                continue
            batch.append(result)
            pending += len(result[1])
            if pending >= self.parts.batch_chunks:
                yield from self._write(batch)
                batch, pending = [], 0
        yield from self._write(batch)

    def _write(self, batch: list[tuple[Wanted, list[Chunk]]]) -> Iterator[Wanted]:
        if not batch:
            return
        texts = [c.text for _, chunks in batch for c in chunks]
        dense = self.parts.embedder.embed_documents(texts)
        sparse = [self.parts.sparse.embed_document(t) for t in texts]
        at = 0
        for d, chunks in batch:
            n = len(chunks)
            points = build_points(
                tenant=d.tenant,
                doc_id=d.doc_id,
                source=d.source,
                content_hash=d.content_hash,
                chunks=chunks,
                dense=dense[at : at + n],
                sparse=sparse[at : at + n],
                embedding_model=self.parts.embedder.model_name,
                metadata=d.metadata,
                fingerprint=self.parts.fingerprint,
            )
            at += n
            self.target.upsert(points)
            self.target.delete_document(d.tenant, d.doc_id, keep_hash=d.content_hash)
            self.checkpoints.record(
                self.run_id, d.tenant, d.doc_id, DoneDoc(d.content_hash, d.metadata, n), "rebuilt"
            )
            yield d
