"""Qdrant Edge adapter: Qdrant's engine in-process, one shard directory per index version.

Edge has no collections or aliases. An index version is a directory ``<data>/index/<version>/`` holding
the shard and a ``meta.json``; ``<data>/index/CURRENT`` names the version being served and is replaced
atomically (write, fsync, rename), so a reader sees either the old version or the new one.
One process owns a data directory (the shard's WAL is locked).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import qdrant_edge as qe

from core.errors import StoreError
from core.store.base import (
    DENSE,
    KEYWORD_FIELDS,
    SPARSE,
    EngineStore,
    IndexMeta,
    branches,
    metadata_conditions,
)
from core.store.edge_index import EdgeTuning, build_graph
from core.types import Point, SearchFilter, SearchQuery

log = logging.getLogger(__name__)

_SCROLL_PAGE = 1000
_FACET_LIMIT = 1_000_000


# ---- pure mapping: our types -> qdrant_edge types -------------------------------------------------


def to_filter(f: SearchFilter) -> qe.Filter:
    must: list[Any] = [qe.FieldCondition(key=k, match=qe.MatchValue(v)) for k, v in metadata_conditions(f)]
    if f.doc_ids:
        must.append(qe.FieldCondition(key="doc_id", match=qe.MatchAny(list(f.doc_ids))))
    if f.languages:
        must.append(qe.FieldCondition(key="language", match=qe.MatchAny(list(f.languages))))
    return qe.Filter(must=must)


def doc_filter(
    tenant: str | None, doc_id: str | None = None, doc_hash: str | None = None
) -> qe.Filter | None:
    must = [
        qe.FieldCondition(key=k, match=qe.MatchValue(v))
        for k, v in (("tenant", tenant), ("doc_id", doc_id), ("doc_hash", doc_hash))
        if v is not None
    ]
    return qe.Filter(must=must) if must else None


def to_point(p: Point) -> qe.Point:
    return qe.Point(
        id=p.id,
        vector={DENSE: list(p.dense), SPARSE: qe.SparseVector(p.sparse.indices, p.sparse.values)},
        payload=p.payload,
    )


def to_requests(
    q: SearchQuery, dense_params: qe.SearchParams | None = None
) -> tuple[list[qe.QueryRequest], bool, bool]:
    """The candidate lists of a search, sent as one batch: the dense and the sparse list of a hybrid
    search (``prefetch_limit`` each, fused by the caller), or the one list of a single-list search;
    ``dense_params`` (the graph's ef, quantization) go with the dense search. A hybrid search's lists
    come without payloads: reading the payloads of 2 x 50 candidates cost about 1 ms of a 12 ms search,
    reading the 10 kept after the fusion a quarter of that."""
    use_dense, use_sparse = branches(q)
    flt = to_filter(q.filter)
    lists: list[tuple[Any, qe.SearchParams | None]] = []
    if use_dense and q.dense is not None:
        lists.append((qe.Query.Nearest(list(q.dense), using=DENSE), dense_params))
    if use_sparse and q.sparse is not None:
        lists.append(
            (qe.Query.Nearest(qe.SparseVector(q.sparse.indices, q.sparse.values), using=SPARSE), None)
        )
    hybrid = len(lists) == 2
    limit = q.prefetch_limit if hybrid else q.limit
    requests = [
        qe.QueryRequest(limit=limit, query=x, filter=flt, with_payload=not hybrid, params=p) for x, p in lists
    ]
    return requests, bool(requests) and use_dense, bool(requests) and use_sparse


# ---- version directories ---------------------------------------------------------------------------


class EdgeVersions:
    """The index versions under ``<data>/index`` and the CURRENT pointer (an ``IndexVersions``)."""

    shared = False  # only the process that owns the data directory switches versions

    def __init__(self, data_dir: Path, tuning: EdgeTuning | None = None) -> None:
        self.root = Path(data_dir) / "index"
        self.tuning = tuning or EdgeTuning()

    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    def current(self) -> str | None:
        try:
            name = self.pointer.read_text().strip()
        except FileNotFoundError:
            return None
        return name or None

    def all(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and p.name.startswith("v"))

    def next_name(self) -> str:
        existing = [int(v[1:]) for v in self.all() if v[1:].isdigit()]
        return f"v{(max(existing) + 1) if existing else 1:04d}"

    def shard_dir(self, version: str) -> Path:
        return self.root / version / "shard"

    def meta_file(self, version: str) -> Path:
        return self.root / version / "meta.json"

    def read_meta(self, version: str) -> IndexMeta:
        meta_file = self.meta_file(version)
        try:
            return IndexMeta.from_dict(json.loads(meta_file.read_text()))
        except FileNotFoundError as e:
            raise StoreError(f"index version {version} has no {meta_file.name}: incomplete or foreign") from e
        except (KeyError, ValueError) as e:
            raise StoreError(f"index version {version}: unreadable {meta_file.name} ({e})") from e

    def create(self, version: str, meta: IndexMeta) -> EdgeStore:
        return EdgeStore.create(self.root.parent, version, meta, self.tuning)

    def open(self, version: str) -> EdgeStore:
        return EdgeStore.load(self.root.parent, version, self.tuning)

    def graph_file(self, version: str) -> Path:
        return self.root / version / "graph.json"

    def index(self, version: str, points: int, cancelled: Callable[[], bool] | None = None) -> bool:
        """Build the search graph of a closed version that is not served, in a child process (see
        ``core.store.edge_index``), if it holds at least ``tuning.min_points`` points; whether it did.
        How many points the graph holds is recorded beside it (``graph_due``)."""
        if points < self.tuning.min_points:
            return False
        if version == self.current():
            raise StoreError(f"index version {version} is being served: its graph is built before a switch")
        build_graph(self.shard_dir(version), self.tuning.timeout_s, cancelled=cancelled)
        tmp = self.graph_file(version).with_suffix(".tmp")
        tmp.write_text(json.dumps({"points": points}))
        os.replace(tmp, self.graph_file(version))
        return True

    def graph_points(self, version: str) -> int:
        """Points the version's search graph was built with (0: none was built)."""
        try:
            return int(json.loads(self.graph_file(version).read_text())["points"])
        except FileNotFoundError:
            return 0
        except (KeyError, TypeError, ValueError) as e:
            log.warning("index version %s: unreadable %s (%s); taken as no graph", version, "graph.json", e)
            return 0

    def graph_due(self, version: str, points: int, growth: float) -> bool:
        """Whether a version now holding ``points`` has enough of them outside its search graph (added by
        ingestion since it was built, searched exactly) to build a new graph: at least
        ``tuning.min_points`` of them, and at least ``growth`` times the graph's own points."""
        graph = self.graph_points(version)
        return points - graph >= max(self.tuning.min_points, growth * graph, 1)

    def drop(self, version: str) -> None:
        """Delete a version's files (it must not be open, nor be the current one)."""
        if version == self.current():
            raise StoreError(f"index version {version} is being served: it cannot be deleted")
        shutil.rmtree(self.root / version, ignore_errors=True)

    def close(self) -> None:
        """Nothing held: each version's shard is closed by its store."""

    def switch(self, version: str) -> None:
        """Point CURRENT at ``version`` atomically."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".CURRENT.{os.getpid()}.tmp"
        with open(tmp, "w") as fh:
            fh.write(version + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.pointer)
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# ---- the adapter -----------------------------------------------------------------------------------


class EdgeStore(EngineStore):
    """A VectorStore on one Qdrant Edge shard (one index version)."""

    def __init__(
        self,
        shard: qe.EdgeShard,
        version: str,
        meta: IndexMeta,
        where: Path,
        tuning: EdgeTuning | None = None,
    ) -> None:
        self._shard = shard
        self.tuning = tuning or EdgeTuning()
        self._dense_params = self.tuning.search_params()
        self.version = version
        self.meta = meta
        self.where = where

    @classmethod
    def open(
        cls,
        data_dir: Path,
        meta: IndexMeta,
        version: str | None = None,
        create: bool = True,
        tuning: EdgeTuning | None = None,
    ) -> EdgeStore:
        """Open the served version (or ``version``); create the first one when there is none."""
        versions = EdgeVersions(data_dir, tuning)
        name = version or versions.current()
        if name is None:
            if not create:
                raise StoreError(f"no index under {versions.root}: ingest documents first")
            name = versions.next_name()
            store = cls.create(data_dir, name, meta, tuning)
            versions.switch(name)
            return store
        versions.read_meta(name).check_compatible(meta, str(versions.root / name))
        return cls.load(data_dir, name, tuning)

    @classmethod
    def load(cls, data_dir: Path, version: str, tuning: EdgeTuning | None = None) -> EdgeStore:
        """Open one version as it is, whatever it was built with."""
        versions = EdgeVersions(data_dir)
        stored = versions.read_meta(version)
        try:
            shard = qe.EdgeShard.load(str(versions.shard_dir(version)))
        except Exception as e:  # noqa: BLE001 - the engine raises plain exceptions
            hint = (
                " (another process has it open: one process owns a data directory; while `rag serve` runs, "
                "use the API, e.g. POST /v1/admin/reindex)"
                if "WouldBlock" in str(e)
                else ""
            )
            raise StoreError(f"could not open the index at {versions.shard_dir(version)}: {e}{hint}") from e
        return cls(shard, version, stored, versions.root / version, tuning)

    @classmethod
    def create(
        cls, data_dir: Path, version: str, meta: IndexMeta, tuning: EdgeTuning | None = None
    ) -> EdgeStore:
        tuning = tuning or EdgeTuning()
        versions = EdgeVersions(data_dir)
        shard_dir = versions.shard_dir(version)
        shard_dir.mkdir(parents=True, exist_ok=False)
        config = qe.EdgeConfig(
            vectors={DENSE: qe.EdgeVectorParams(size=meta.embedding_dim, distance=qe.Distance.Cosine)},
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
            **tuning.shard_options(),
        )
        try:
            shard = qe.EdgeShard.create(str(shard_dir), config)
            shard.update(
                qe.UpdateOperation.create_field_index("tenant", qe.KeywordIndexParams(is_tenant=True))
            )
            for name in KEYWORD_FIELDS[1:]:
                shard.update(qe.UpdateOperation.create_field_index(name, qe.PayloadSchemaType.Keyword))
        except Exception as e:  # noqa: BLE001 - the engine raises plain exceptions
            raise StoreError(f"could not create an index at {shard_dir}: {e}") from e
        tmp = versions.meta_file(version).with_suffix(".tmp")
        tmp.write_text(json.dumps(meta.to_dict(), indent=2))
        os.replace(tmp, versions.meta_file(version))
        return cls(shard, version, meta, versions.root / version, tuning)

    def searching(self, tuning: EdgeTuning | None = None, exact: bool = False) -> EdgeStore:
        """This shard searched with other parameters (exact search, another ef): a view sharing the
        shard, for comparisons; close the store it came from, not the view."""
        view = EdgeStore(self._shard, self.version, self.meta, self.where, tuning or self.tuning)
        view._dense_params = view.tuning.search_params(exact)
        return view

    def info(self) -> dict[str, int]:
        """Segments, points and indexed vectors (dense and sparse) of the shard."""
        i = self._call("info", self._shard.info)
        return {
            "segments": i.segments_count,
            "points": i.points_count,
            "indexed_vectors": i.indexed_vectors_count,
        }

    def _call(self, what: str, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except Exception as e:  # noqa: BLE001 - the engine raises plain exceptions
            raise StoreError(f"Qdrant Edge {what} failed: {e}") from e

    def upsert(self, points: Sequence[Point]) -> None:
        if points:
            self._call(
                "upsert", self._shard.update, qe.UpdateOperation.upsert_points([to_point(p) for p in points])
            )

    def delete_document(self, tenant: str, doc_id: str, keep_hash: str | None = None) -> None:
        flt = doc_filter(tenant, doc_id)
        assert flt is not None
        if keep_hash is not None:
            flt = qe.Filter(
                must=flt.must, must_not=[qe.FieldCondition(key="doc_hash", match=qe.MatchValue(keep_hash))]
            )
        self._call("delete", self._shard.update, qe.UpdateOperation.delete_points_by_filter(flt))

    def count(self, tenant: str | None = None, doc_id: str | None = None, doc_hash: str | None = None) -> int:
        return self._call(
            "count",
            self._shard.count,
            qe.CountRequest(exact=True, filter=doc_filter(tenant, doc_id, doc_hash)),
        )

    def doc_point_counts(self, tenant: str | None = None) -> dict[str, int]:
        req = qe.FacetRequest(key="doc_id", limit=_FACET_LIMIT, exact=True, filter=doc_filter(tenant))
        resp = self._call("facet", self._shard.facet, req)
        return {str(h.value): h.count for h in resp}

    def tenants(self) -> list[str]:
        resp = self._call(
            "facet", self._shard.facet, qe.FacetRequest(key="tenant", limit=_FACET_LIMIT, exact=True)
        )
        return [str(h.value) for h in resp]

    def _scroll(self, tenant: str, doc_id: str, with_vector: bool) -> Iterator[Any]:
        """Every record of a document, page by page."""
        offset = None
        flt = doc_filter(tenant, doc_id)
        while True:
            req = qe.ScrollRequest(
                offset=offset, limit=_SCROLL_PAGE, filter=flt, with_payload=True, with_vector=with_vector
            )
            records, offset = self._call("scroll", self._shard.scroll, req)
            yield from records
            if offset is None:
                return

    def _doc_facet(self, tenant: str, key: str, value: str) -> list[Any]:
        flt = qe.Filter(
            must=[
                qe.FieldCondition(key="tenant", match=qe.MatchValue(tenant)),
                qe.FieldCondition(key=key, match=qe.MatchValue(value)),
            ]
        )
        req = qe.FacetRequest(key="doc_id", limit=_FACET_LIMIT, exact=True, filter=flt)
        return self._call("facet", self._shard.facet, req)

    def _requests(self, query: SearchQuery) -> tuple[list[qe.QueryRequest], bool, bool]:
        return to_requests(query, self._dense_params)

    def _batch(self, requests: list[qe.QueryRequest]) -> list[list[Any]]:
        return self._call("query", self._shard.query_batch, qe.QueryBatchRequest(requests))

    def _payloads(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        records = self._call("retrieve", self._shard.retrieve, ids, True, False)
        return {str(r.id): r.payload or {} for r in records}

    def flush(self) -> None:
        self._call("flush", self._shard.flush)

    def close(self) -> None:
        if self._shard is not None:
            try:
                self._shard.flush()
            finally:
                self._shard.close()
                self._shard = None  # type: ignore[assignment]
