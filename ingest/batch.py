"""Batch: documents -> parse -> chunk (a thread ahead) -> embed, dense and BM25, the chunks of several
documents together -> each document's points, a batch at a time for the caller to write.

The one loop of ingestion (``ingest.pipeline``) and of a re-index (``ingest.reindex.build``): a re-indexed
point is the point ingestion writes with the same settings. The int8 model quantises each model batch
with one scale, so a vector depends on the texts it was embedded with: the batching is one rule,
documents in their order, a batch once ``batch_chunks`` chunks wait, embedded in one call (a call per
``EMBED_SLICE`` chunks measured ~20% slower). Only a job's single document, which can be cancelled while
it is embedded, goes in slices (``encode`` with a cancel).
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np

from core.encode.dense import Embedder
from core.encode.sparse import Bm25Encoder
from core.errors import Cancelled, MalformedDocument, RagError
from core.types import Chunk, Point
from ingest.chunk import Chunker
from ingest.guard import ChunkGuard, ChunkNotes
from ingest.isolate import CancelFlag, Parser
from ingest.parse import describe
from ingest.tag_language import declared_language, tag_languages
from ingest.write import build_points

log = logging.getLogger(__name__)

D = TypeVar("D")  # the caller's document: a source being ingested, a document being rebuilt
F = TypeVar("F")  # the caller's word for a document that failed before embedding, passed on in order
T = TypeVar("T")
R = TypeVar("R")

EMBED_SLICE = 64  # chunks embedded between two looks at a cancel (under a second on 2 cores)


@dataclass(frozen=True)
class Components:
    """The parts that turn a document into points, built from one set of settings."""

    embedder: Embedder
    sparse: Bm25Encoder
    chunker: Chunker
    fingerprint: str  # of those settings (ingest.fingerprint), carried by every point
    batch_chunks: int
    parser: Parser
    guard: ChunkGuard | None = None  # PII and prompt-injection notes per chunk (ingest.guard)


@dataclass(frozen=True)
class Parsed(Generic[D]):
    """A document's chunks, and what its points say of it."""

    item: D
    tenant: str
    doc_id: str
    source: str
    content_hash: str
    metadata: dict[str, Any]
    chunks: list[Chunk]


@dataclass(frozen=True)
class Built(Generic[D]):
    doc: Parsed[D]
    points: list[Point]
    notes: list[ChunkNotes] = field(default_factory=list)  # the guards' notes, one per point


def run(
    parts: Components, prepared: Iterable[Parsed[D] | F], cancel: CancelFlag | None = None
) -> Iterator[F | list[Built[D]]]:
    """``prepared`` (computed one batch ahead in a thread, so the parser fills the gaps the model leaves
    on the cores) -> each failure as it comes, each batch's documents with their points. Raises
    ``Cancelled`` at the next document once ``cancel`` is set.

    The model embeds a batch in a thread of its own (ONNX lets go of the GIL) while this thread gives
    the batch before it its BM25 vectors, guard notes and points, and the caller writes it: one batch
    embedding at a time, each in one call as without the overlap, so the vectors are the same."""
    pool = ThreadPoolExecutor(1, thread_name_prefix="ingest-embed")
    waiting: _Embedding[D] | None = None  # the batch being embedded
    held: list[F] = []  # failures that came after it: passed on after it, in their order
    try:
        batch: list[Parsed[D]] = []
        pending = 0
        for result in ahead(iter(prepared), depth=parts.batch_chunks):
            if cancel is not None and cancel.is_set():
                if waiting is not None:  # formed before the cancel: passed on, as without the overlap
                    yield waiting.finish(parts)
                    yield from held
                raise Cancelled("cancelled")
            if not isinstance(result, Parsed):
                if waiting is None:
                    yield result
                else:
                    held.append(result)
                continue
            batch.append(result)
            pending += len(result.chunks)
            if pending >= parts.batch_chunks:
                done, waiting = waiting, _Embedding.start(parts, batch, pool, waiting)
                if done is not None:
                    yield done.finish(parts)
                    yield from held
                    held = []
                batch, pending = [], 0
        if batch:
            done, waiting = waiting, _Embedding.start(parts, batch, pool, waiting)
            if done is not None:
                yield done.finish(parts)
                yield from held
                held = []
        if waiting is not None:
            done, waiting = waiting, None
            yield done.finish(parts)
            yield from held
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # a batch being embedded is let finish, unused


@dataclass
class _Embedding(Generic[D]):
    """A batch whose dense vectors are being computed in the pool's thread."""

    batch: Sequence[Parsed[D]]
    chunks: _Chunks
    dense: Future[np.ndarray]

    @classmethod
    def start(
        cls,
        parts: Components,
        batch: Sequence[Parsed[D]],
        pool: ThreadPoolExecutor,
        before: _Embedding[D] | None,
    ) -> _Embedding[D]:
        """Embed ``batch`` once the batch ``before`` it has its vectors (one model call at a time)."""
        chunks = _Chunks.of(parts, batch)
        if before is not None:
            before.dense.result()
        return cls(batch, chunks, pool.submit(parts.embedder.embed_documents, chunks.encoded))

    def finish(self, parts: Components) -> list[Built[D]]:
        return _built(parts, self.batch, self.chunks, self.dense.result())


def encode(parts: Components, batch: Sequence[Parsed[D]], cancel: CancelFlag | None = None) -> list[Built[D]]:
    """The points of ``batch``: its chunks embedded together, dense and BM25; with ``cancel``, in slices
    that stop once it is set."""
    chunks = _Chunks.of(parts, batch)
    dense = embed(parts.embedder, chunks.encoded, cancel, batch[0].source if batch else "")
    return _built(parts, batch, chunks, dense)


@dataclass(frozen=True)
class _Chunks:
    """A batch's chunks as they are stored (PII masked where set) and as the encoders see them."""

    chunks: list[Chunk]
    texts: list[str]
    tenants: list[str]
    notes: list[ChunkNotes]
    encoded: list[str]  # what the model embeds
    sparse_texts: list[str]  # what BM25 indexes (the header too with chunking.sparse_header)

    @classmethod
    def of(cls, parts: Components, batch: Sequence[Parsed[Any]]) -> _Chunks:
        texts = [c.text for p in batch for c in p.chunks]
        notes = [ChunkNotes() for _ in texts]
        tenants = [p.tenant for p in batch for _ in p.chunks]
        if parts.guard is not None:
            texts, notes = parts.guard.before_embedding(texts, tenants)
        # Languages are read from the text as parsed; PII masks ("<EMAIL>") would only blur them.
        tagged = (
            c for p in batch for c in tag_languages(p.chunks, parts.sparse, declared_language(p.metadata))
        )
        chunks = [
            c if c.text == t else dataclasses.replace(c, text=t) for c, t in zip(tagged, texts, strict=True)
        ]
        # The encoders see each chunk under its contextual header; the points keep the chunk's own text.
        sources = [p.source for p in batch for _ in p.chunks]
        pairs = [parts.chunker.encoded_texts(c, s) for c, s in zip(chunks, sources, strict=True)]
        return cls(chunks, texts, tenants, notes, [d for d, _ in pairs], [t for _, t in pairs])


def _built(parts: Components, batch: Sequence[Parsed[D]], c: _Chunks, dense: np.ndarray) -> list[Built[D]]:
    """Each document of ``batch`` with its points, given the batch's dense vectors."""
    sparse = [
        parts.sparse.embed_document(t, k.language) for t, k in zip(c.sparse_texts, c.chunks, strict=True)
    ]
    if parts.guard is not None:
        parts.guard.after_embedding(c.texts, c.tenants, dense, c.notes)
    out, at = [], 0
    for p in batch:
        n = len(p.chunks)
        points = build_points(
            tenant=p.tenant,
            doc_id=p.doc_id,
            source=p.source,
            content_hash=p.content_hash,
            chunks=c.chunks[at : at + n],
            dense=dense[at : at + n],
            sparse=sparse[at : at + n],
            embedding_model=parts.embedder.model_name,
            metadata=p.metadata,
            fingerprint=parts.fingerprint,
            guard=[n.payload() for n in c.notes[at : at + n]],
        )
        out.append(Built(p, points, c.notes[at : at + n]))
        at += n
    return out


def embed(embedder: Embedder, texts: list[str], cancel: CancelFlag | None, name: str) -> np.ndarray:
    """Dense vectors, ``EMBED_SLICE`` texts at a time when the work can be cancelled: a book's thousands of
    chunks stop within a slice of a cancel, and nothing is written after it."""
    if cancel is None:
        return embedder.embed_documents(texts)
    parts = []
    for at in range(0, len(texts), EMBED_SLICE):
        if cancel.is_set():
            raise Cancelled(f"{name}: cancelled while embedding")
        parts.append(embedder.embed_documents(texts[at : at + EMBED_SLICE]))
    if cancel.is_set():
        raise Cancelled(f"{name}: cancelled before writing")
    return np.concatenate(parts) if parts else embedder.embed_documents([])


def parse_and_chunk(
    parser: Parser,
    chunker: Chunker,
    data: bytes,
    name: str,
    stage: Callable[[str], None] = lambda _: None,
    cancel: CancelFlag | None = None,
    language: str | None = None,
) -> list[Chunk]:
    """One file's chunks. The file boundary of ingestion and of a re-index: a failure nobody foresaw in
    parsing or chunking one file fails that file (``malformed``), not the batch it came in, the job
    runner or the run; the traceback goes to the log, a sentence to the user."""
    try:
        parsed = parser.parse(data, name, cancel, stage, language)
        stage("chunking")
        return chunker.chunk(parsed.elements)
    except RagError:
        raise
    except Exception as e:  # noqa: BLE001 - one file's failure stays that file's
        log.warning("%s: parsing or chunking failed unexpectedly", name, exc_info=True)
        raise MalformedDocument(f"{name}: could not be read: {describe(e)}") from e


def in_parallel(fn: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """``fn`` over ``items``, results in order, two per worker computed ahead by ``workers`` threads (each
    parse waits on a parser process of its own, so they run side by side). Leaving the loop early
    cancels what has not started and waits for what has."""
    pool = ThreadPoolExecutor(workers, thread_name_prefix="ingest-parse")
    pending: deque[Future[R]] = deque()
    try:
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


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
