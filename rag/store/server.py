"""Qdrant server (or cluster) adapter through qdrant-client.

An index version is a collection ``<name>_<version>``; the alias ``<name>`` names the one being served,
and switching versions is one atomic alias update. Writes wait for the write consistency the settings
ask for. Calls are serialised with a lock: qdrant-client's local mode, which the tests run this adapter
on, is not thread-safe.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from qdrant_client import QdrantClient
from qdrant_client import models as qm
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from rag.errors import StoreError
from rag.store.base import (
    DENSE,
    KEYWORD_FIELDS,
    SPARSE,
    IndexMeta,
    annotate,
    branches,
    metadata_conditions,
    payload_to_hit,
    request_steps,
    timed,
)
from rag.types import Hit, Point, SearchFilter, SearchQuery

_SCROLL_PAGE = 1000
_FACET_LIMIT = 1_000_000

# ---- pure mapping: our types -> qdrant-client models -----------------------------------------------


def to_filter(f: SearchFilter) -> qm.Filter:
    must: list[Any] = [
        qm.FieldCondition(key=k, match=qm.MatchValue(value=v)) for k, v in metadata_conditions(f)
    ]
    if f.doc_ids:
        must.append(qm.FieldCondition(key="doc_id", match=qm.MatchAny(any=list(f.doc_ids))))
    return qm.Filter(must=must)


def doc_filter(
    tenant: str | None, doc_id: str | None = None, doc_hash: str | None = None
) -> qm.Filter | None:
    must: list[Any] = [
        qm.FieldCondition(key=k, match=qm.MatchValue(value=v))
        for k, v in (("tenant", tenant), ("doc_id", doc_id), ("doc_hash", doc_hash))
        if v is not None
    ]
    return qm.Filter(must=must) if must else None


def to_point(p: Point) -> qm.PointStruct:
    return qm.PointStruct(
        id=p.id,
        vector={
            DENSE: list(p.dense),
            SPARSE: qm.SparseVector(indices=p.sparse.indices, values=p.sparse.values),
        },
        payload=p.payload,
    )


def to_requests(q: SearchQuery) -> tuple[list[qm.QueryRequest], bool, bool]:
    use_dense, use_sparse = branches(q)
    flt = to_filter(q.filter)
    lists: list[tuple[Any, str]] = []
    if use_dense and q.dense is not None:
        lists.append((list(q.dense), DENSE))
    if use_sparse and q.sparse is not None:
        lists.append((qm.SparseVector(indices=q.sparse.indices, values=q.sparse.values), SPARSE))
    requests = [
        qm.QueryRequest(query=v, using=name, filter=flt, limit=q.prefetch_limit, with_payload=False)
        for v, name in lists
    ]
    if len(lists) == 2:
        fusion: Any = (
            qm.FusionQuery(fusion=qm.Fusion.DBSF)
            if q.fusion == "dbsf"
            else qm.RrfQuery(
                rrf=qm.Rrf(k=q.rrf_k, weights=list(q.weights) if q.fusion == "weighted" else None)
            )
        )
        head = qm.QueryRequest(
            prefetch=[
                qm.Prefetch(query=v, using=name, filter=flt, limit=q.prefetch_limit) for v, name in lists
            ],
            query=fusion,
            filter=flt,
            limit=q.limit,
            with_payload=True,
        )
    elif lists:
        v, name = lists[0]
        head = qm.QueryRequest(query=v, using=name, filter=flt, limit=q.limit, with_payload=True)
    else:
        return [], False, False
    return [head, *requests], use_dense, use_sparse


# ---- the adapter -----------------------------------------------------------------------------------


class ServerStore:
    """A VectorStore on a Qdrant collection, found through its alias."""

    def __init__(
        self,
        client: QdrantClient,
        alias: str,
        version: str,
        meta: IndexMeta,
        write_consistency: int = 1,
    ) -> None:
        self._client = client
        self.alias = alias
        self.version = version
        self.meta = meta
        self._ordering = qm.WriteOrdering.STRONG if write_consistency > 1 else None
        self._lock = threading.RLock()

    @property
    def collection(self) -> str:
        return f"{self.alias}_{self.version}"

    @classmethod
    def open(
        cls,
        client: QdrantClient,
        alias: str,
        meta: IndexMeta,
        *,
        shard_number: int = 1,
        replication_factor: int = 1,
        write_consistency_factor: int = 1,
        create: bool = True,
    ) -> ServerStore:
        try:
            target = _alias_target(client, alias)
            if target is None:
                if not create:
                    raise StoreError(
                        f"no collection alias {alias!r} on the Qdrant server: ingest documents first"
                    )
                version = "v0001"
                cls.create_collection(
                    client,
                    f"{alias}_{version}",
                    meta,
                    shard_number,
                    replication_factor,
                    write_consistency_factor,
                )
                client.update_collection_aliases(
                    change_aliases_operations=[
                        qm.CreateAliasOperation(
                            create_alias=qm.CreateAlias(
                                collection_name=f"{alias}_{version}", alias_name=alias
                            )
                        )
                    ]
                )
                return cls(client, alias, version, meta, write_consistency_factor)
            version = target.removeprefix(f"{alias}_")
            stored_raw = client.get_collection(target).config.metadata or {}
        except (UnexpectedResponse, ResponseHandlingException, ValueError) as e:
            raise StoreError(f"Qdrant server: could not open {alias!r}: {e}") from e
        try:
            stored = IndexMeta.from_dict(stored_raw)
        except KeyError as e:
            raise StoreError(f"collection {target} has no index metadata: not created by this product") from e
        stored.check_compatible(meta, f"collection {target}")
        return cls(client, alias, version, stored, write_consistency_factor)

    @staticmethod
    def create_collection(
        client: QdrantClient,
        name: str,
        meta: IndexMeta,
        shard_number: int,
        replication_factor: int,
        write_consistency_factor: int,
    ) -> None:
        client.create_collection(
            name,
            vectors_config={DENSE: qm.VectorParams(size=meta.embedding_dim, distance=qm.Distance.COSINE)},
            sparse_vectors_config={SPARSE: qm.SparseVectorParams(modifier=qm.Modifier.IDF)},
            shard_number=shard_number,
            replication_factor=replication_factor,
            write_consistency_factor=write_consistency_factor,
            metadata=meta.to_dict(),
        )
        client.create_payload_index(
            name,
            "tenant",
            field_schema=qm.KeywordIndexParams(type=qm.KeywordIndexType.KEYWORD, is_tenant=True),
            wait=True,
        )
        for field in KEYWORD_FIELDS[1:]:
            client.create_payload_index(name, field, field_schema=qm.PayloadSchemaType.KEYWORD, wait=True)

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            try:
                return fn(*args, **kwargs)
            except (UnexpectedResponse, ResponseHandlingException, ValueError) as e:
                raise StoreError(f"Qdrant server {what} on {self.collection} failed: {e}") from e

    def upsert(self, points: Sequence[Point]) -> None:
        if points:
            self._call(
                "upsert",
                self._client.upsert,
                self.collection,
                points=[to_point(p) for p in points],
                wait=True,
                ordering=self._ordering,
            )

    def delete_document(self, tenant: str, doc_id: str, keep_hash: str | None = None) -> None:
        flt = doc_filter(tenant, doc_id)
        assert flt is not None
        if keep_hash is not None:
            flt.must_not = [qm.FieldCondition(key="doc_hash", match=qm.MatchValue(value=keep_hash))]
        self._call(
            "delete",
            self._client.delete,
            self.collection,
            points_selector=qm.FilterSelector(filter=flt),
            wait=True,
            ordering=self._ordering,
        )

    def count(self, tenant: str | None = None, doc_id: str | None = None, doc_hash: str | None = None) -> int:
        res = self._call(
            "count",
            self._client.count,
            self.collection,
            count_filter=doc_filter(tenant, doc_id, doc_hash),
            exact=True,
        )
        return res.count

    def doc_point_counts(self, tenant: str | None = None) -> dict[str, int]:
        res = self._call(
            "facet",
            self._client.facet,
            self.collection,
            "doc_id",
            facet_filter=doc_filter(tenant),
            limit=_FACET_LIMIT,
            exact=True,
        )
        return {str(h.value): h.count for h in res.hits}

    def tenants(self) -> list[str]:
        res = self._call(
            "facet", self._client.facet, self.collection, "tenant", limit=_FACET_LIMIT, exact=True
        )
        return [str(h.value) for h in res.hits]

    def chunks(self, tenant: str, doc_id: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        offset = None
        while True:
            records, offset = self._call(
                "scroll",
                self._client.scroll,
                self.collection,
                scroll_filter=doc_filter(tenant, doc_id),
                limit=_SCROLL_PAGE,
                offset=offset,
                with_payload=True,
                with_vectors=False,
            )
            out.extend({"id": str(r.id), **(r.payload or {})} for r in records)
            if offset is None:
                break
        return sorted(out, key=lambda p: p.get("chunk_index", 0))

    def search(self, query: SearchQuery, timings: dict[str, float] | None = None) -> list[Hit]:
        requests, use_dense, use_sparse = to_requests(query)
        if not requests:
            return []
        steps = request_steps(use_dense, use_sparse)
        results = [
            timed(
                timings, n, self._call, "query", self._client.query_points, self.collection, **_query_args(r)
            )
            for n, r in zip(steps, requests, strict=True)
        ]
        hits = [
            payload_to_hit(p.id, p.payload or {}, p.score, i + 1) for i, p in enumerate(results[0].points)
        ]
        lists = [[(str(p.id), p.score) for p in r.points] for r in results[1:]]
        dense = lists.pop(0) if use_dense else []
        sparse = lists.pop(0) if use_sparse else []
        return annotate(hits, dense, sparse)

    def flush(self) -> None:
        """Server writes are acknowledged with wait=True: nothing to flush."""

    def close(self) -> None:
        with self._lock:
            self._client.close()


def _query_args(r: qm.QueryRequest) -> dict[str, Any]:
    """One batch request as the keyword arguments of ``query_points`` (its filter is ``query_filter``)."""
    return {
        "query": r.query,
        "using": r.using,
        "prefetch": r.prefetch,
        "query_filter": r.filter,
        "limit": r.limit,
        "with_payload": r.with_payload,
    }


def _alias_target(client: QdrantClient, alias: str) -> str | None:
    for a in client.get_aliases().aliases:
        if a.alias_name == alias:
            return a.collection_name
    return None
