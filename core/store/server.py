"""Qdrant server (or cluster) adapter through qdrant-client.

An index version is a collection ``<name>_<version>``; the alias ``<name>`` names the one being served,
and switching versions is one atomic alias update. Writes wait for the write consistency the settings
ask for. Calls go through ``core.store.calls``: serialised only in qdrant-client's local mode (which the
tests run this adapter on, and which is not thread-safe), reads retried on transient failures. A search
is one round trip: its dense and sparse candidate lists go in one batch and are fused here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from qdrant_client import QdrantClient
from qdrant_client import models as qm
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

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
from core.store.calls import Caller, Retries
from core.types import Point, SearchFilter, SearchQuery

_SCROLL_PAGE = 1000
_FACET_LIMIT = 1_000_000

# ---- pure mapping: our types -> qdrant-client models -----------------------------------------------


def to_filter(f: SearchFilter) -> qm.Filter:
    must: list[Any] = [
        qm.FieldCondition(key=k, match=qm.MatchValue(value=v)) for k, v in metadata_conditions(f)
    ]
    if f.doc_ids:
        must.append(qm.FieldCondition(key="doc_id", match=qm.MatchAny(any=list(f.doc_ids))))
    if f.languages:
        must.append(qm.FieldCondition(key="language", match=qm.MatchAny(any=list(f.languages))))
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
    """The candidate lists of a search, sent as one batch: the dense and the sparse list of a hybrid
    search (``prefetch_limit`` each, fused by the caller), or the one list of a single-list search."""
    use_dense, use_sparse = branches(q)
    flt = to_filter(q.filter)
    lists: list[tuple[Any, str]] = []
    if use_dense and q.dense is not None:
        lists.append((list(q.dense), DENSE))
    if use_sparse and q.sparse is not None:
        lists.append((qm.SparseVector(indices=q.sparse.indices, values=q.sparse.values), SPARSE))
    limit = q.prefetch_limit if len(lists) == 2 else q.limit
    requests = [
        qm.QueryRequest(query=v, using=name, filter=flt, limit=limit, with_payload=True) for v, name in lists
    ]
    return requests, bool(requests) and use_dense, bool(requests) and use_sparse


# ---- the adapter -----------------------------------------------------------------------------------


class ServerStore(EngineStore):
    """A VectorStore on a Qdrant collection, found through its alias."""

    def __init__(
        self,
        client: QdrantClient,
        alias: str,
        version: str,
        meta: IndexMeta,
        write_consistency: int = 1,
        caller: Caller | None = None,
        owns_client: bool = True,
    ) -> None:
        self._client = client
        self.alias = alias
        self.version = version
        self.meta = meta
        self._ordering = qm.WriteOrdering.STRONG if write_consistency > 1 else None
        self._caller = caller or Caller(client)
        self._owns_client = owns_client

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
        retries: Retries | None = None,
    ) -> ServerStore:
        call = Caller(client, retries)
        try:
            target = call("reading aliases", _alias_target, client, alias, read=True)
            if target is None:
                if not create:
                    raise StoreError(
                        f"no collection alias {alias!r} on the Qdrant server: ingest documents first"
                    )
                version = "v0001"
                try:
                    call(
                        "creating a collection",
                        cls.create_collection,
                        client,
                        f"{alias}_{version}",
                        meta,
                        shard_number,
                        replication_factor,
                        write_consistency_factor,
                        read=False,
                    )
                    create_alias = qm.CreateAlias(collection_name=f"{alias}_{version}", alias_name=alias)
                    call(
                        "creating the alias",
                        client.update_collection_aliases,
                        change_aliases_operations=[qm.CreateAliasOperation(create_alias=create_alias)],
                        read=False,
                    )
                    return cls(client, alias, version, meta, write_consistency_factor, call)
                except (UnexpectedResponse, ValueError) as e:
                    if "already exists" not in str(e):
                        raise
                    # Two processes starting on an empty server both found no alias: the one that lost
                    # the race opens what the other is creating, once its alias is there.
                    target = _awaited_alias(call, client, alias)
                    if target is None:
                        raise
            version = target.removeprefix(f"{alias}_")
            info = call("reading the collection", client.get_collection, target, read=True)
            stored_raw = info.config.metadata or {}
        except (UnexpectedResponse, ResponseHandlingException, ValueError) as e:
            raise StoreError(f"Qdrant server: could not open {alias!r}: {e}") from e
        try:
            stored = IndexMeta.from_dict(stored_raw)
        except KeyError as e:
            raise StoreError(f"collection {target} has no index metadata: not created by this product") from e
        stored.check_compatible(meta, f"collection {target}")
        return cls(client, alias, version, stored, write_consistency_factor, call)

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

    def _call(self, what: str, fn: Any, *args: Any, read: bool = True, **kwargs: Any) -> Any:
        try:
            return self._caller(what, fn, *args, read=read, **kwargs)
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
                read=False,
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
            read=False,
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

    def _scroll(self, tenant: str, doc_id: str, with_vectors: bool) -> Iterator[Any]:
        """Every record of a document, page by page."""
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
                with_vectors=with_vectors,
            )
            yield from records
            if offset is None:
                return

    def _doc_facet(self, tenant: str, key: str, value: str) -> list[Any]:
        flt = qm.Filter(
            must=[
                qm.FieldCondition(key="tenant", match=qm.MatchValue(value=tenant)),
                qm.FieldCondition(key=key, match=qm.MatchValue(value=value)),
            ]
        )
        facet = self._client.facet
        res = self._call(
            "facet", facet, self.collection, "doc_id", facet_filter=flt, limit=_FACET_LIMIT, exact=True
        )
        return res.hits

    def _requests(self, query: SearchQuery) -> tuple[list[qm.QueryRequest], bool, bool]:
        return to_requests(query)

    def _batch(self, requests: list[qm.QueryRequest]) -> list[list[Any]]:
        """Both candidate lists in one round trip (``/points/query/batch``)."""
        responses = self._call("query", self._client.query_batch_points, self.collection, requests)
        return [r.points for r in responses]

    def flush(self) -> None:
        """Server writes are acknowledged with wait=True: nothing to flush."""

    def close(self) -> None:
        if self._owns_client:
            with self._caller.lock:
                self._client.close()


class ServerVersions:
    """Index versions as collections ``<alias>_vNNNN``; the alias names the served one (an
    ``IndexVersions``). Other processes may switch the alias, so the served index looks again now and
    then (``shared``)."""

    shared = True

    def __init__(
        self,
        client: QdrantClient,
        alias: str,
        *,
        shard_number: int = 1,
        replication_factor: int = 1,
        write_consistency_factor: int = 1,
        retries: Retries | None = None,
    ) -> None:
        self.client = client
        self.alias = alias
        self.shard_number = shard_number
        self.replication_factor = replication_factor
        self.write_consistency_factor = write_consistency_factor
        self.call = Caller(client, retries)  # shared by the stores of every version

    def _do(self, what: str, fn: Any, *args: Any, read: bool = True, **kwargs: Any) -> Any:
        try:
            return self.call(what, fn, *args, read=read, **kwargs)
        except (UnexpectedResponse, ResponseHandlingException, ValueError) as e:
            raise StoreError(f"Qdrant server: {what} failed: {e}") from e

    def collection(self, version: str) -> str:
        return f"{self.alias}_{version}"

    def current(self) -> str | None:
        target = self._do("reading aliases", _alias_target, self.client, self.alias)
        return target.removeprefix(f"{self.alias}_") if target else None

    def all(self) -> list[str]:
        names = [c.name for c in self._do("listing collections", self.client.get_collections).collections]
        prefix = f"{self.alias}_v"
        return sorted(
            n.removeprefix(f"{self.alias}_")
            for n in names
            if n.startswith(prefix) and n[len(prefix) :].isdigit()
        )

    def next_name(self) -> str:
        existing = [int(v[1:]) for v in self.all()]
        return f"v{(max(existing) + 1) if existing else 1:04d}"

    def read_meta(self, version: str) -> IndexMeta:
        name = self.collection(version)
        raw = self._do(f"reading {name}", self.client.get_collection, name).config.metadata or {}
        try:
            return IndexMeta.from_dict(raw)
        except KeyError as e:
            raise StoreError(f"collection {name} has no index metadata: not created by this product") from e

    def _store(self, version: str, meta: IndexMeta) -> ServerStore:
        return ServerStore(
            self.client,
            self.alias,
            version,
            meta,
            self.write_consistency_factor,
            self.call,
            owns_client=False,
        )

    def create(self, version: str, meta: IndexMeta) -> ServerStore:
        self._do(
            f"creating {self.collection(version)}",
            ServerStore.create_collection,
            self.client,
            self.collection(version),
            meta,
            self.shard_number,
            self.replication_factor,
            self.write_consistency_factor,
            read=False,
        )
        return self._store(version, meta)

    def open(self, version: str) -> ServerStore:
        return self._store(version, self.read_meta(version))

    def drop(self, version: str) -> None:
        if version == self.current():
            raise StoreError(f"index version {version} is being served: it cannot be deleted")
        name = self.collection(version)
        self._do(f"deleting {name}", self.client.delete_collection, name, read=False)

    def index(self, version: str, points: int, cancelled: Callable[[], bool] | None = None) -> bool:
        """Nothing to do here: a Qdrant server builds its graphs itself, in the background."""
        return False

    def graph_due(self, version: str, points: int, growth: float) -> bool:
        """Never: a Qdrant server indexes new points itself."""
        return False

    def switch(self, version: str) -> None:
        """Point the alias at ``version``: one atomic alias update (delete + create)."""
        ops: list[Any] = []
        if self.current() is not None:
            ops.append(qm.DeleteAliasOperation(delete_alias=qm.DeleteAlias(alias_name=self.alias)))
        ops.append(
            qm.CreateAliasOperation(
                create_alias=qm.CreateAlias(collection_name=self.collection(version), alias_name=self.alias)
            )
        )
        self._do(
            "switching the alias",
            self.client.update_collection_aliases,
            change_aliases_operations=ops,
            read=False,
        )

    def close(self) -> None:
        with self.call.lock:
            self.client.close()


def _awaited_alias(call: Caller, client: QdrantClient, alias: str, wait_s: float = 30.0) -> str | None:
    """The collection ``alias`` names, once another process has created both (None after ``wait_s``)."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        target = call("reading aliases", _alias_target, client, alias, read=True)
        if target is not None:
            return target
        time.sleep(0.2)
    return None


def _alias_target(client: QdrantClient, alias: str) -> str | None:
    for a in client.get_aliases().aliases:
        if a.alias_name == alias:
            return a.collection_name
    return None
