"""The ingestion pipeline: sources -> (unchanged? skip) -> parse -> chunk -> embed -> write.

Chunks of several documents are embedded together (``ingest.batch_chunks``) so small documents still
fill the model's batches; each document is then written on its own, registry first.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np

from core.encode.dense import Embedder
from core.encode.sparse import Bm25Encoder
from core.errors import Cancelled, FileTooLarge, IngestError, MalformedDocument, RagError
from core.store.base import VectorStore
from core.types import Chunk
from core.units import human_bytes
from ingest.blobs import BlobStore, Owner
from ingest.chunk import Chunker
from ingest.isolate import CancelFlag, ParseLimits, Parser
from ingest.parse import describe, format_of
from ingest.registry import Registry, Status
from ingest.write import build_points, delete_document, write_document

log = logging.getLogger(__name__)

OutcomeStatus = Literal["added", "updated", "unchanged", "failed"]
T = TypeVar("T")


def document_id(tenant: str, source: str) -> str:
    """Stable id of a document from its tenant and source name: the same file always maps to one id."""
    return hashlib.sha256(f"{tenant}\x00{source}".encode()).hexdigest()[:16]


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


@dataclass
class _Prepared:
    source: Source
    doc_id: str
    content_hash: str
    fmt: str
    size: int
    chunks: list[Chunk]
    previous_hash: str | None
    started: float

    @property
    def existed(self) -> bool:
        return self.previous_hash is not None


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
    ) -> None:
        self.registry = registry
        self.store = store
        self.embedder = embedder
        self.sparse = sparse
        self.chunker = chunker
        self.max_file_bytes = max_file_bytes
        self.batch_chunks = batch_chunks
        self.fingerprint = fingerprint  # of the settings that build the points (ingest.fingerprint)
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

    def _run(self, sources: Iterable[Source]) -> Iterator[Outcome]:
        batch: list[_Prepared] = []
        pending_chunks = 0
        # Parsing (Python, single-threaded) runs one batch ahead of embedding (the model runtime releases
        # the GIL), so the parser fills the gaps the model leaves on the cores.
        for result in ahead(map(self._prepare, sources), depth=self.batch_chunks):
            if isinstance(result, Outcome):
                yield result
                continue
            batch.append(result)
            pending_chunks += len(result.chunks)
            if pending_chunks >= self.batch_chunks:
                yield from self._write(batch)
                batch, pending_chunks = [], 0
        yield from self._write(batch)

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

        result = self._prepare(src, stage, cancel)
        if isinstance(result, Outcome):
            return result
        try:
            return next(self._write([result], stage, cancel))
        except Cancelled as e:
            return Outcome(src.name, result.doc_id, "failed", reason=e.reason, error=str(e))

    def _prepare(
        self,
        src: Source,
        on_stage: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> _Prepared | Outcome:
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
            if (
                existing is not None
                and existing.status == Status.INDEXED
                and existing.content_hash == content_hash
                and existing.metadata == src.metadata
            ):
                return Outcome(src.name, doc_id, "unchanged", chunks=existing.chunk_count)
            stage("parsing")
            chunks = parse_and_chunk(self.parser, self.chunker, data, src.name, stage, cancel)
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
        return _Prepared(
            source=src,
            doc_id=doc_id,
            content_hash=content_hash,
            fmt=fmt,
            size=len(data),
            chunks=chunks,
            previous_hash=existing.content_hash if existing is not None else None,
            started=started,
        )

    def _write(
        self,
        batch: list[_Prepared],
        on_stage: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[Outcome]:
        if not batch:
            return
        if on_stage is not None:
            on_stage("embedding")
        texts = [c.text for p in batch for c in p.chunks]
        dense = self._embed(texts, cancel, batch[0].source.name)
        sparse = [self.sparse.embed_document(t) for t in texts]
        at = 0
        for p in batch:
            n = len(p.chunks)
            points = build_points(
                tenant=p.source.tenant,
                doc_id=p.doc_id,
                source=p.source.name,
                content_hash=p.content_hash,
                chunks=p.chunks,
                dense=dense[at : at + n],
                sparse=sparse[at : at + n],
                embedding_model=self.embedder.model_name,
                metadata=p.source.metadata,
                fingerprint=self.fingerprint,
            )
            at += n
            write_document(
                self.store,
                self.registry,
                tenant=p.source.tenant,
                doc_id=p.doc_id,
                source=p.source.name,
                fmt=p.fmt,
                size_bytes=p.size,
                content_hash=p.content_hash,
                metadata=p.source.metadata,
                points=points,
            )
            self.settle_originals(p.source.tenant, p.doc_id)  # the replaced version's original goes
            yield Outcome(
                p.source.name,
                p.doc_id,
                "updated" if p.existed else "added",
                chunks=n,
                seconds=time.perf_counter() - p.started,
            )

    def _embed(self, texts: list[str], cancel: threading.Event | None, name: str) -> np.ndarray:
        """Dense vectors, a slice at a time when the work can be cancelled: a book's thousands of chunks
        stop within a slice of a cancel, and nothing is written after it."""
        if cancel is None:
            return self.embedder.embed_documents(texts)
        parts = []
        for at in range(0, len(texts), _CANCEL_SLICE):
            if cancel.is_set():
                raise Cancelled(f"{name}: cancelled while embedding")
            parts.append(self.embedder.embed_documents(texts[at : at + _CANCEL_SLICE]))
        if cancel.is_set():
            raise Cancelled(f"{name}: cancelled before writing")
        return np.concatenate(parts) if parts else self.embedder.embed_documents([])

    def delete(self, tenant: str, doc_id: str) -> bool:
        if not delete_document(self.store, self.registry, tenant, doc_id):
            return False
        self.settle_originals(tenant, doc_id)
        return True

    def settle_originals(self, tenant: str, doc_id: str) -> None:
        """Let the document reference exactly the originals the registry says it serves or is writing.
        Others it referenced (an old version, a failed upload) are deleted unless something else (another
        tenant's document, a queued job) references them."""
        if self.blobs is None:
            return
        doc = self.registry.get(tenant, doc_id)
        keep = {h for h in (doc.content_hash, doc.pending_hash) if h} if doc is not None else set()
        self.blobs.sync(Owner.document(tenant, doc_id), keep)


def parse_and_chunk(
    parser: Parser,
    chunker: Chunker,
    data: bytes,
    name: str,
    stage: Callable[[str], None] = lambda _: None,
    cancel: CancelFlag | None = None,
) -> list[Chunk]:
    """One file's chunks. The file boundary of ingestion and of a re-index: a failure nobody foresaw in
    parsing or chunking one file fails that file (``malformed``), not the batch it came in, the job
    runner or the run; the traceback goes to the log, a sentence to the user."""
    try:
        parsed = parser.parse(data, name, cancel)
        stage("chunking")
        return chunker.chunk(parsed.elements)
    except RagError:
        raise
    except Exception as e:  # noqa: BLE001 - one file's failure stays that file's
        log.warning("%s: parsing or chunking failed unexpectedly", name, exc_info=True)
        raise MalformedDocument(f"{name}: could not be read: {describe(e)}") from e


_CANCEL_SLICE = 64  # chunks embedded between two looks at a cancel (under a second on 2 cores)
_DONE = object()


def ahead(items: Iterator[T], depth: int) -> Iterator[T]:
    """Yield ``items`` in order while a worker thread computes up to ``depth`` of them ahead.
    An exception in the worker is raised here; leaving the loop early stops the worker."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def work() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(_DONE)
        except BaseException as e:  # noqa: BLE001 - handed to the consumer, which re-raises it
            q.put(e)

    worker = threading.Thread(target=work, name="ingest-prepare", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)
