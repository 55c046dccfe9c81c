"""The ingestion pipeline: sources -> (unchanged? skip) -> parse -> chunk -> embed -> write.

Chunks of several documents are embedded together (``ingest.batch_chunks``, the loop of ``ingest.batch``)
so small documents still fill the model's batches; a batch's documents are then begun in the registry
together, each one's points written, and all are "indexed" (one transaction) once the store has flushed
their points.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from core.encode.dense import Embedder
from core.encode.sparse import Bm25Encoder
from core.errors import Cancelled, FileTooLarge, IndexSwitched, IngestError
from core.store.base import VectorStore
from core.store.served import ServedIndex
from core.units import human_bytes
from ingest import batch
from ingest.batch import Built, Components, Parsed, parse_and_chunk
from ingest.blobs import BlobStore, Owner
from ingest.chunk import Chunker
from ingest.guard import ChunkGuard, document_summary
from ingest.identity import document_id, unchanged
from ingest.isolate import ParseLimits, Parser
from ingest.parse import format_of
from ingest.registry import DocRecord, Pending, Registry
from ingest.tag_language import declared_language
from ingest.write import delete_document, replace_points

log = logging.getLogger(__name__)

LEASE_LOST = "this process went silent past its lease and another took the document over; upload it again"

OutcomeStatus = Literal["added", "updated", "unchanged", "failed"]


@dataclass(frozen=True)
class Source:
    """One document to ingest: a name (its extension decides the format) and a way to get its bytes."""

    name: str
    tenant: str
    read: Callable[[], bytes]
    size: int
    doc_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_path(cls, path: Path, name: str, tenant: str, **kw: Any) -> Source:
        return cls(name=name, tenant=tenant, read=path.read_bytes, size=path.stat().st_size, **kw)

    @classmethod
    def from_bytes(cls, data: bytes, name: str, tenant: str, **kw: Any) -> Source:
        return cls(name=name, tenant=tenant, read=lambda: data, size=len(data), **kw)


@dataclass
class Outcome:
    source: str
    doc_id: str
    status: OutcomeStatus
    chunks: int = 0
    reason: str | None = None
    error: str | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class IngestReport:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: OutcomeStatus) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def chunks(self) -> int:
        return sum(o.chunks for o in self.outcomes if o.status in ("added", "updated"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.count("added"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "failed": self.count("failed"),
            "chunks_written": self.chunks,
            "seconds": round(self.seconds, 3),
            "documents": [o.to_dict() for o in self.outcomes],
        }


@dataclass(frozen=True)
class _Read:
    """What ingestion knows of a source beside its chunks."""

    source: Source
    fmt: str
    size: int
    existed: bool  # a version of it was served: "updated", not "added"
    started: float


class Ingestor:
    def __init__(
        self,
        *,
        registry: Registry,
        store: VectorStore,
        embedder: Embedder,
        sparse: Bm25Encoder,
        chunker: Chunker,
        max_file_bytes: int,
        batch_chunks: int = 128,
        fingerprint: str = "",
        blobs: BlobStore | None = None,
        parser: Parser | None = None,
        guard: ChunkGuard | None = None,
        parse_concurrency: int = 1,
    ) -> None:
        self.registry = registry
        self.store = store
        self.embedder = embedder
        self.sparse = sparse
        self.chunker = chunker
        self.max_file_bytes = max_file_bytes
        self.batch_chunks = batch_chunks
        self.fingerprint = fingerprint  # of the settings that build the points (ingest.fingerprint)
        self.guard = guard
        self.parse_concurrency = parse_concurrency  # documents parsed at once (RAG_INGEST__PARSE_CONCURRENCY)
        self.blobs = blobs  # originals kept for re-indexing; None keeps none
        # Parser processes with hard limits (the runtime's pool); None parses in this process.
        self.parser = parser or Parser(
            replace(ParseLimits.from_settings(), max_file_bytes=max_file_bytes), workers=0
        )

    def ingest(
        self, sources: Iterable[Source], on_outcome: Callable[[Outcome], None] | None = None
    ) -> IngestReport:
        report = IngestReport()
        t0 = time.perf_counter()
        for outcome in self._run(sources):
            report.outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
        report.seconds = time.perf_counter() - t0
        return report

    @property
    def components(self) -> Components:
        return Components(
            self.embedder,
            self.sparse,
            self.chunker,
            self.fingerprint,
            self.batch_chunks,
            self.parser,
            self.guard,
        )

    def _run(self, sources: Iterable[Source]) -> Iterator[Outcome]:
        seen = self._served_version()
        prepared: Iterable[Parsed[_Read] | Outcome] = map(self._prepare, sources)
        if self.parse_concurrency > 1:
            prepared = batch.in_parallel(self._prepare, sources, self.parse_concurrency)
        for item in batch.run(self.components, prepared):
            if isinstance(item, Outcome):
                yield item
            else:
                yield from self._write(item, seen)

    def ingest_one(
        self,
        src: Source,
        on_stage: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Outcome:
        """One document, reporting each stage ("parsing", "chunking", "embedding") as it starts.
        Once ``cancel`` is set, the next stage does not start: the outcome is failed, ``cancelled``."""

        def stage(name: str) -> None:
            if cancel is not None and cancel.is_set():
                raise Cancelled(f"{src.name}: cancelled before {name}")
            if on_stage is not None:
                on_stage(name)

        seen = self._served_version()
        result = self._prepare(src, stage, cancel)
        if isinstance(result, Outcome):
            return result
        try:
            stage("embedding")
            built = batch.encode(self.components, [result], cancel)
        except Cancelled as e:
            return Outcome(src.name, result.doc_id, "failed", reason=e.reason, error=str(e))
        return next(self._write(built, seen))

    def _prepare(
        self,
        src: Source,
        on_stage: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Parsed[_Read] | Outcome:
        started = time.perf_counter()
        stage = on_stage or (lambda _: None)
        doc_id = src.doc_id or document_id(src.tenant, src.name)
        fmt = ""
        try:
            fmt = format_of(src.name)
            if src.size > self.max_file_bytes:
                raise FileTooLarge(
                    f"{src.name}: {human_bytes(src.size)} is over the limit of "
                    f"{human_bytes(self.max_file_bytes)} (RAG_INGEST__MAX_FILE_MB)"
                )
            data = src.read()
            content_hash = hashlib.sha256(data).hexdigest()
            if self.blobs is not None:  # kept even when unchanged: an older index may lack it
                self.blobs.put(data, Owner.document(src.tenant, doc_id))
            existing = self.registry.get(src.tenant, doc_id)
            if unchanged(existing, content_hash, src.metadata):
                assert existing is not None
                return Outcome(src.name, doc_id, "unchanged", chunks=existing.chunk_count)
            stage("parsing")
            language = declared_language(src.metadata)
            chunks = parse_and_chunk(self.parser, self.chunker, data, src.name, stage, cancel, language)
        except IngestError as e:
            if not isinstance(e, Cancelled):  # a cancel says nothing about the file: no failed document
                self.registry.record_failure(
                    src.tenant,
                    doc_id,
                    source=src.name,
                    fmt=fmt,
                    size_bytes=src.size,
                    error=f"{e.reason}: {e}",
                )
            # Its original was kept before parsing: it goes unless the document still serves it (or a
            # job of it still needs it), so failed files are not kept forever and counted in the quota.
            self.settle_originals(src.tenant, doc_id)
            return Outcome(src.name, doc_id, "failed", reason=e.reason, error=str(e))
        except OSError as e:
            return Outcome(
                src.name, doc_id, "failed", reason="unreadable", error=f"{src.name}: {e.strerror or e}"
            )
        read = _Read(src, fmt, len(data), existing is not None and existing.content_hash is not None, started)
        return Parsed(read, src.tenant, doc_id, src.name, content_hash, src.metadata, chunks)

    def _served_version(self) -> str | None:
        return self.store.version if isinstance(self.store, ServedIndex) else None

    def _same_version(self, seen: str | None) -> None:
        """Raise ``IndexSwitched`` if another process switched the served version since ``seen`` (the
        documents were chunked and embedded for the old one): looked at once the document is begun, so
        a switch after it waits for this write (``Registry`` and the re-index's write gate)."""
        if seen is not None and isinstance(self.store, ServedIndex) and self.store.refresh() != seen:
            raise IndexSwitched("the served index version changed while this document was prepared")

    def _write(self, built: list[Built[_Read]], seen: str | None) -> Iterator[Outcome]:
        """A batch's documents: begun in the registry together (one transaction), the served version
        looked at once, each one's points written, the store flushed, all finished together."""
        pending = [
            Pending(
                b.doc.tenant,
                b.doc.doc_id,
                b.doc.source,
                b.doc.content_hash,
                len(b.points),
                b.doc.item.fmt,
                b.doc.item.size,
                b.doc.metadata,
            )
            for b in built
        ]
        begun = []
        for b, busy in zip(built, self.registry.begin_indexes(pending), strict=True):
            if busy is not None:
                yield Outcome(b.doc.source, b.doc.doc_id, "failed", reason="busy", error=str(busy))
            else:
                begun.append(b)
        try:
            if begun:  # begun, nothing written: a switch from now on waits for these documents
                self._same_version(seen)
        except IndexSwitched as e:
            for b in begun:
                self.registry.abandon_index(b.doc.tenant, b.doc.doc_id, f"{e}; ingest it again")
                yield Outcome(b.doc.source, b.doc.doc_id, "failed", reason="switched", error=str(e))
            begun = []
        for b in begun:
            replace_points(self.store, b.doc.tenant, b.doc.doc_id, b.doc.content_hash, b.points)
        # "Indexed" only once the points are on disk: an unflushed write survives a killed process but
        # not a crash of the machine (measured: ~10 ms a flush, once a batch).
        self.store.flush()
        finished = self.registry.finish_indexes(
            [(b.doc.tenant, b.doc.doc_id, document_summary(b.notes)) for b in begun]
        )
        # The replaced versions' originals go. A document lost to another process (silent past its
        # lease, taken over and rolled back) is that process's to settle, not this one's.
        kept = list(zip(begun, finished, strict=True))
        self.settle_originals_of([(b.doc.tenant, b.doc.doc_id) for b, ok in kept if ok])
        for b, ok in kept:
            d = b.doc
            if not ok:
                log.error("%s: lost the document to another process before it was finished", d.source)
                yield Outcome(d.source, d.doc_id, "failed", reason="lease-lost", error=LEASE_LOST)
                continue
            yield Outcome(
                d.source,
                d.doc_id,
                "updated" if d.item.existed else "added",
                chunks=len(d.chunks),
                seconds=time.perf_counter() - d.item.started,
            )

    def delete(self, tenant: str, doc_id: str) -> bool:
        if not delete_document(self.store, self.registry, tenant, doc_id):
            return False
        self.settle_originals(tenant, doc_id)
        return True

    def settle_originals(self, tenant: str, doc_id: str) -> None:
        """Let the document reference exactly the originals the registry says it serves or is writing.
        Others it referenced (an old version, a failed upload) are deleted unless something else (another
        tenant's document, a queued job) references them."""
        self.settle_originals_of([(tenant, doc_id)])

    def settle_originals_of(self, docs: Sequence[tuple[str, str]]) -> None:
        """``settle_originals`` of several (tenant, id) documents, read and settled together."""
        if self.blobs is None or not docs:
            return
        records = self.registry.get_many(docs)
        self.blobs.sync_all([(Owner.document(*key), _originals(records.get(key))) for key in docs])


def _originals(doc: DocRecord | None) -> set[str]:
    """The originals a document keeps: the version it serves and the one being written."""
    return {h for h in (doc.content_hash, doc.pending_hash) if h} if doc is not None else set()
