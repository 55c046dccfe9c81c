"""The vector-store port, and the pure mapping shared by its adapters (no I/O here)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from core.encode.sparse import AUTO
from core.errors import IndexMismatch
from core.store.fusion import fuse
from core.types import Hit, Point, SearchFilter, SearchQuery, SparseVec

DENSE = "dense"
SPARSE = "bm25"

# Payload fields with an index. ``tenant`` is the tenant key (is_tenant on servers).
KEYWORD_FIELDS = ("tenant", "doc_id", "doc_hash", "language")


@dataclass(frozen=True)
class IndexMeta:
    """What an index version was built with; vectors of different settings must not mix."""

    embedding_model: str
    embedding_dim: int
    embedding_backend: str
    bm25_k1: float
    bm25_b: float
    bm25_avg_len: float
    # The settings fingerprint of its points (ingest.fingerprint), and the settings groups that built it
    # ({"embedding": ..., "chunking": ..., "bm25": ...}); empty in indexes made before re-indexing existed.
    fingerprint: str = ""
    build: dict[str, Any] = field(default_factory=dict, compare=False)
    # Decides the term ids, which queries must share with the points; indexes from before it are English.
    bm25_language: str = "english"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> IndexMeta:
        required = (
            "embedding_model",
            "embedding_dim",
            "embedding_backend",
            "bm25_k1",
            "bm25_b",
            "bm25_avg_len",
        )
        missing = [k for k in required if k not in d]
        if missing:
            raise KeyError(", ".join(missing))
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})

    def check_compatible(self, configured: IndexMeta, where: str) -> None:
        if (self.embedding_model, self.embedding_dim) != (
            configured.embedding_model,
            configured.embedding_dim,
        ):
            raise IndexMismatch(
                f"the index at {where} was built with {self.embedding_model} ({self.embedding_dim}-d) but "
                f"{configured.embedding_model} ({configured.embedding_dim}-d) is configured: rebuild the "
                "index with the configured model, or configure the model it was built with"
            )
        if self.embedding_backend != configured.embedding_backend:
            raise IndexMismatch(
                f"the index at {where} holds vectors of the {self.embedding_backend!r} embedding backend "
                f"but {configured.embedding_backend!r} is configured; backends are not mixed in one "
                f"index: set RAG_EMBEDDING__BACKEND={self.embedding_backend} or rebuild the index"
            )
        # The points' BM25 weights were made with these: new documents made with others would not rank
        # alike beside them, and queries of another language would not even share their term ids.
        differ = [k for k in _BM25_FIELDS if getattr(self, k) != getattr(configured, k)]
        if differ == ["bm25_language"] and (self.bm25_language, configured.bm25_language) == (
            "english",
            AUTO,
        ):
            # English text is analysed alike either way: an index from before languages were told opens
            # and serves. Its points carry the old settings fingerprint, so `rag reindex --incremental`
            # rebuilds them all once, and what was in another language gets its own analysis.
            differ = []
        if differ:
            raise IndexMismatch(
                f"the index at {where} was built with BM25 {_bm25(self)} but {_bm25(configured)} is "
                "configured: its term weights would not match new documents and queries. Re-index to "
                "rebuild it with the configured BM25 settings, or configure the ones it was built with ("
                + " ".join(f"RAG_BM25__{k.removeprefix('bm25_').upper()}={getattr(self, k)}" for k in differ)
                + ")"
            )


_BM25_FIELDS = ("bm25_k1", "bm25_b", "bm25_avg_len", "bm25_language")


def _bm25(meta: IndexMeta) -> str:
    return f"k1={meta.bm25_k1}, b={meta.bm25_b}, avg_len={meta.bm25_avg_len}, language={meta.bm25_language}"


class VectorStore(Protocol):
    """Chunks with a dense and a BM25 sparse vector, filtered by tenant on every call."""

    meta: IndexMeta
    version: str

    def upsert(self, points: Sequence[Point]) -> None: ...

    def delete_document(self, tenant: str, doc_id: str, keep_hash: str | None = None) -> None:
        """Remove a document's points, except those of version ``keep_hash`` when given."""
        ...

    def count(
        self, tenant: str | None = None, doc_id: str | None = None, doc_hash: str | None = None
    ) -> int: ...

    def doc_point_counts(self, tenant: str | None = None) -> dict[str, int]:
        """Points per document id: what reconciliation compares to the registry."""
        ...

    def tenants(self) -> list[str]:
        """Every tenant with at least one point."""
        ...

    def chunks(self, tenant: str, doc_id: str) -> list[dict[str, Any]]:
        """Payloads of a document's points, in chunk order."""
        ...

    def export_document(self, tenant: str, doc_id: str) -> list[Point]:
        """A document's points with their vectors, to copy them into another index version."""
        ...

    def doc_counts_with(self, key: str, value: str) -> dict[tuple[str, str], int]:
        """(tenant, doc id) -> number of points whose payload ``key`` equals ``value``."""
        ...

    def search(self, query: SearchQuery, timings: dict[str, float] | None = None) -> list[Hit]:
        """Hits of the fused (or single) list, annotated with their dense/sparse ranks and scores in the
        very lists that were fused; one request to the store, timed in ``timings`` under
        ``request_step`` in milliseconds."""
        ...

    def flush(self) -> None:
        """Put the writes made so far on disk: an acknowledged write may be lost by a crash of the machine
        until then (a killed process loses none). The writers call it before they record a write as done."""
        ...

    def close(self) -> None: ...


class EngineStore:
    """The port's read methods both adapters derive from the same few engine calls, so the two engines
    cannot drift apart in what they return: ``_scroll`` (a document's records, page by page),
    ``_doc_facet`` (points per document id under a filter), ``_requests`` and ``_batch`` (a search's
    candidate lists, fetched in one request; a hybrid search fuses them here, ``core.store.fusion``)."""

    def tenants(self) -> list[str]:
        raise NotImplementedError

    def _scroll(self, tenant: str, doc_id: str, with_vectors: bool) -> Iterator[Any]:
        raise NotImplementedError

    def _doc_facet(self, tenant: str, key: str, value: str) -> Iterable[Any]:
        """Facet hits (``value``: a doc id, ``count``) of ``tenant``'s points whose ``key`` is ``value``."""
        raise NotImplementedError

    def _requests(self, query: SearchQuery) -> tuple[list[Any], bool, bool]:
        """The candidate lists of a search: for a hybrid search the dense and the sparse list
        (``prefetch_limit`` each), else the one list (``limit``); and which lists they are. A list may come
        without payloads: those of the hits kept are then fetched by ``_payloads``."""
        raise NotImplementedError

    def _payloads(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """The payloads of these points (a point deleted meanwhile is missing)."""
        raise NotImplementedError

    def _batch(self, requests: list[Any]) -> list[list[Any]]:
        """The scored points of each request, all sent to the engine as one request."""
        raise NotImplementedError

    def chunks(self, tenant: str, doc_id: str) -> list[dict[str, Any]]:
        out = [{"id": str(r.id), **(r.payload or {})} for r in self._scroll(tenant, doc_id, False)]
        return sorted(out, key=lambda p: p.get("chunk_index", 0))

    def export_document(self, tenant: str, doc_id: str) -> list[Point]:
        return [record_to_point(r.id, r.vector, r.payload) for r in self._scroll(tenant, doc_id, True)]

    def doc_counts_with(self, key: str, value: str) -> dict[tuple[str, str], int]:
        return {
            (tenant, str(h.value)): h.count
            for tenant in self.tenants()
            for h in self._doc_facet(tenant, key, value)
        }

    def search(self, query: SearchQuery, timings: dict[str, float] | None = None) -> list[Hit]:
        requests, use_dense, use_sparse = self._requests(query)
        if not requests:
            return []
        t = time.perf_counter()
        results = self._batch(requests)
        lists = [[(str(p.id), float(p.score)) for p in r] for r in results]
        payloads = {str(p.id): p.payload for r in results for p in r if p.payload is not None}
        if len(lists) == 2:
            top = fuse(lists, query.fusion, query.rrf_k, query.weights, query.limit)
        else:
            top = lists[0][: query.limit]
        if timings is not None:
            timings[request_step(use_dense, use_sparse)] = round((time.perf_counter() - t) * 1000, 3)
        missing = [pid for pid, _ in top if pid not in payloads]
        if missing:
            payloads.update(timed(timings, "payloads", self._payloads, missing))
        top = [(pid, s) for pid, s in top if pid in payloads]  # a point deleted since the lists were made
        hits = [payload_to_hit(pid, payloads[pid], s, i + 1) for i, (pid, s) in enumerate(top)]
        return annotate(hits, lists[0] if use_dense else [], lists[-1] if use_sparse else [])


class IndexVersions(Protocol):
    """The versions of one index and which one is served. A re-index builds a new version beside the
    served one and switches to it in one atomic step (Edge: a pointer file; server: a collection alias)."""

    shared: bool  # other processes may switch versions too, so readers should look again now and then

    def current(self) -> str | None: ...

    def all(self) -> list[str]:
        """Every version, oldest first."""
        ...

    def next_name(self) -> str: ...

    def read_meta(self, version: str) -> IndexMeta: ...

    def create(self, version: str, meta: IndexMeta) -> VectorStore: ...

    def open(self, version: str) -> VectorStore: ...

    def switch(self, version: str) -> None: ...

    def index(self, version: str, points: int, cancelled: Callable[[], bool] | None = None) -> bool:
        """Build the search graph of a version that is not served yet (holding ``points`` points), before
        it is switched to; whether one was built (Edge: small versions are searched exactly; a server
        builds its graphs itself, in the background)."""
        ...

    def graph_due(self, version: str, points: int, growth: float) -> bool:
        """Whether enough of a version's ``points`` were added since its search graph was built (and are
        searched without it) that a new graph is worth building: a re-index with ``optimize``."""
        ...

    def drop(self, version: str) -> None:
        """Delete a version that is not served."""
        ...

    def close(self) -> None: ...


def record_to_point(point_id: Any, vectors: Any, payload: dict[str, Any] | None) -> Point:
    """A stored record with its vectors (named ``dense`` list, ``bm25`` with indices/values) as a Point:
    both engines return this shape."""
    sparse = vectors[SPARSE]
    return Point(
        id=str(point_id),
        dense=list(vectors[DENSE]),
        sparse=SparseVec(list(sparse.indices), list(sparse.values)),
        payload=dict(payload or {}),
    )


def payload_to_hit(point_id: Any, payload: dict[str, Any], score: float, rank: int) -> Hit:
    return Hit(
        chunk_id=str(point_id),
        doc_id=payload.get("doc_id", ""),
        source=payload.get("source", ""),
        text=payload.get("text", ""),
        pages=list(payload.get("pages") or []),
        section=payload.get("section", ""),
        language=payload.get("language", ""),
        score=float(score),
        rank=rank,
        payload=payload,
    )


def annotate(
    fused: list[Hit], dense: Sequence[tuple[str, float]], sparse: Sequence[tuple[str, float]]
) -> list[Hit]:
    """Give each fused hit its rank and score in the dense and sparse candidate lists."""
    dense_at = {pid: (i + 1, s) for i, (pid, s) in enumerate(dense)}
    sparse_at = {pid: (i + 1, s) for i, (pid, s) in enumerate(sparse)}
    for h in fused:
        if h.chunk_id in dense_at:
            h.dense_rank, h.dense_score = dense_at[h.chunk_id]
        if h.chunk_id in sparse_at:
            h.sparse_rank, h.sparse_score = sparse_at[h.chunk_id]
    return fused


def request_step(use_dense: bool, use_sparse: bool) -> str:
    """The name a search's one store request is timed under: ``fusion`` for a hybrid search (both
    candidate lists in one batch, then fused here), ``list_query`` for a single list."""
    return "fusion" if use_dense and use_sparse else "list_query"


def timed(timings: dict[str, float] | None, name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    t = time.perf_counter()
    try:
        return fn(*args, **kwargs)
    finally:
        if timings is not None:
            timings[name] = round((time.perf_counter() - t) * 1000, 3)


def branches(query: SearchQuery) -> tuple[bool, bool]:
    """Which candidate lists a query runs: (dense, sparse). An all-stopword query has no sparse list."""
    use_dense = query.mode in ("hybrid", "dense") and query.dense is not None
    use_sparse = (
        query.mode in ("hybrid", "sparse") and query.sparse is not None and bool(query.sparse.indices)
    )
    return use_dense, use_sparse


def metadata_conditions(f: SearchFilter) -> list[tuple[str, Any]]:
    """(payload key, value) pairs every hit must match, tenant first."""
    conds: list[tuple[str, Any]] = [("tenant", f.tenant)]
    conds += [(f"metadata.{k}", v) for k, v in f.metadata]
    return conds
