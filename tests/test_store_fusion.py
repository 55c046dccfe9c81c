"""A hybrid search is one request to the store (both candidate lists in one batch), fused in this process
with Qdrant's formulas: on a real index (the sample documents through the product's pipeline, on Qdrant
Edge, and the same points in qdrant-client's local mode) it gives the scores, order and per-list ranks
that the engine's own fusion and separate list queries gave before."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import qdrant_edge as qe
from qdrant_client import QdrantClient
from qdrant_client import models as qm

from core.store import edge, server
from core.store.base import DENSE, SPARSE, EngineStore
from core.store.fusion import dbsf, fuse, rrf
from core.store.server import ServerStore
from core.types import SearchFilter, SearchQuery

QUESTIONS = [
    "How many days of sick leave do employees get?",
    "What is the price of the Porter H2?",
    "Which office is in Berlin?",
    "What caused the outage in August?",
    "travel expenses hotel limit",
    "firmware 4.1 release bluetooth fix",
]
FUSIONS: list[dict[str, Any]] = [
    {"fusion": "rrf", "rrf_k": 2},
    {"fusion": "rrf", "rrf_k": 60},
    {"fusion": "weighted", "rrf_k": 2, "weights": (1.0, 1.5)},
    {"fusion": "weighted", "rrf_k": 10, "weights": (2.0, 1.0)},
    {"fusion": "dbsf"},
]


# ---- the formulas, without I/O ---------------------------------------------------------------------


def test_rrf_and_weighted_rrf_formulas() -> None:
    lists = [[("a", 0.9), ("b", 0.8)], [("b", 7.0), ("c", 3.0)]]
    assert rrf(lists, 2) == pytest.approx({"a": 1 / 2, "b": 1 / 3 + 1 / 2, "c": 1 / 3})
    # Qdrant divides a 1-based rank by its list's weight: 1 / (r / w + k - 1)
    assert rrf(lists, 2, [2.0, 1.0]) == pytest.approx({"a": 1 / 1.5, "b": 1 / 2 + 1 / 2, "c": 1 / 3})


def test_dbsf_maps_mean_plus_minus_three_sigma_onto_0_1() -> None:
    scores = dbsf([[("a", 3.0), ("b", 2.0), ("c", 1.0)], [("z", 5.0)]])
    # mean 2, sample std 1: low -1, high 5
    assert scores == pytest.approx({"a": 4 / 6, "b": 3 / 6, "c": 2 / 6, "z": 0.5})
    assert dbsf([[("a", 1.0), ("b", 1.0)]]) == {"a": 0.5, "b": 0.5}


def test_fuse_breaks_ties_by_first_appearance_and_cuts_at_limit() -> None:
    lists = [[("a", 0.9), ("b", 0.8)], [("b", 7.0), ("a", 3.0), ("c", 1.0)]]
    assert [p for p, _ in fuse(lists, "rrf", 2, (1.0, 1.0), 10)] == ["a", "b", "c"]
    assert [p for p, _ in fuse(lists[::-1], "rrf", 2, (1.0, 1.0), 2)] == ["b", "a"]


# ---- against the engines' own fusion, on a real index ----------------------------------------------


@pytest.fixture(scope="module")
def engines(kb) -> Iterator[dict[str, EngineStore]]:  # noqa: ANN001 - the indexed sample documents
    served = kb.store
    local = ServerStore.open(QdrantClient(":memory:"), "kb", served.meta)
    for doc_id in served.doc_point_counts("default"):
        local.upsert(served.export_document("default", doc_id))
    yield {"edge": served._current(), "local": local}
    local.close()


def _query(kb, question: str, mode: str = "hybrid", **kw: Any) -> SearchQuery:  # noqa: ANN001
    return SearchQuery(
        dense=kb.embedder.embed_query(question).tolist(),
        sparse=kb.sparse.embed_query(question),
        filter=SearchFilter("default"),
        mode=mode,  # type: ignore[arg-type]
        prefetch_limit=12,  # fewer than the chunks, so the lists are cut as in a big index
        limit=8,
        **kw,
    )


def _engine_lists(store: EngineStore, q: SearchQuery) -> list[list[tuple[str, float]]]:
    """The dense and the sparse list, each asked on its own (how ranks were found before)."""
    out = []
    if isinstance(store, ServerStore):
        sparse = qm.SparseVector(indices=q.sparse.indices, values=q.sparse.values)
        for vec, using in ((q.dense, DENSE), (sparse, SPARSE)):
            res = store._client.query_points(
                store.collection,
                query=vec,
                using=using,
                query_filter=server.to_filter(q.filter),
                limit=q.prefetch_limit,
            )
            out.append([(str(p.id), p.score) for p in res.points])
    else:
        flt = edge.to_filter(q.filter)
        for x in (
            qe.Query.Nearest(list(q.dense), using=DENSE),
            qe.Query.Nearest(qe.SparseVector(q.sparse.indices, q.sparse.values), using=SPARSE),
        ):
            res = store._shard.query(qe.QueryRequest(limit=q.prefetch_limit, query=x, filter=flt))
            out.append([(str(p.id), p.score) for p in res])
    return out


def _engine_fused(store: EngineStore, q: SearchQuery) -> list[tuple[str, float]]:
    """The same search fused inside the engine: prefetches and a fusion query (what searches sent before)."""
    weights = list(q.weights) if q.fusion == "weighted" else None
    if isinstance(store, ServerStore):
        flt = server.to_filter(q.filter)
        fusion: Any = (
            qm.FusionQuery(fusion=qm.Fusion.DBSF)
            if q.fusion == "dbsf"
            else qm.RrfQuery(rrf=qm.Rrf(k=q.rrf_k, weights=weights))
        )
        sparse = qm.SparseVector(indices=q.sparse.indices, values=q.sparse.values)
        res = store._client.query_points(
            store.collection,
            prefetch=[
                qm.Prefetch(query=q.dense, using=DENSE, filter=flt, limit=q.prefetch_limit),
                qm.Prefetch(query=sparse, using=SPARSE, filter=flt, limit=q.prefetch_limit),
            ],
            query=fusion,
            query_filter=flt,
            limit=q.limit,
        )
        return [(str(p.id), p.score) for p in res.points]
    flt = edge.to_filter(q.filter)
    fusion = qe.Fusion.Dbsf() if q.fusion == "dbsf" else qe.Fusion.Rrf(k=q.rrf_k, weights=weights)
    prefetches = [
        qe.Prefetch(limit=q.prefetch_limit, query=qe.Query.Nearest(list(q.dense), using=DENSE), filter=flt),
        qe.Prefetch(
            limit=q.prefetch_limit,
            query=qe.Query.Nearest(qe.SparseVector(q.sparse.indices, q.sparse.values), using=SPARSE),
            filter=flt,
        ),
    ]
    res = store._shard.query(qe.QueryRequest(limit=q.limit, query=fusion, prefetches=prefetches, filter=flt))
    return [(str(p.id), p.score) for p in res]


def _tie_groups(ranked: list[tuple[str, float]]) -> list[tuple[float, frozenset[str]]]:
    """The ranking as groups of equal scores: exact ties are ordered arbitrarily by the engine."""
    groups: list[tuple[float, set[str]]] = []
    for pid, s in ranked:
        if groups and abs(groups[-1][0] - s) <= 1e-6:
            groups[-1][1].add(pid)
        else:
            groups.append((s, {pid}))
    return [(s, frozenset(ids)) for s, ids in groups]


@pytest.mark.parametrize("engine", ["edge", "local"])
def test_one_request_gives_the_engines_fused_scores_and_ranks(engines, kb, engine: str) -> None:  # noqa: ANN001
    store = engines[engine]
    calls: list[int] = []
    batch = store._batch
    store._batch = lambda requests: calls.append(len(requests)) or batch(requests)  # type: ignore[method-assign]
    try:
        for question in QUESTIONS:
            for cfg in FUSIONS:
                q = _query(kb, question, **cfg)
                calls.clear()
                hits = store.search(q)
                assert calls == [2], "a hybrid search is one request holding its two candidate lists"
                ours = [(h.chunk_id, h.score) for h in hits]
                theirs = _engine_fused(store, q)
                assert len(ours) == len(theirs) == q.limit
                # Same scores in the same order, up to the order of exact ties; the last group may be cut
                # at the limit at a different member.
                mine, engine_groups = _tie_groups(ours), _tie_groups(theirs)
                assert [s for s, _ in mine] == pytest.approx([s for s, _ in engine_groups], abs=1e-6)
                assert [ids for _, ids in mine[:-1]] == [ids for _, ids in engine_groups[:-1]]
                dense, sparse = _engine_lists(store, q)
                d_at = {pid: (i + 1, s) for i, (pid, s) in enumerate(dense)}
                s_at = {pid: (i + 1, s) for i, (pid, s) in enumerate(sparse)}
                for h in hits:
                    assert (h.dense_rank, h.dense_score) == pytest.approx(d_at.get(h.chunk_id, (None, None)))
                    assert (h.sparse_rank, h.sparse_score) == pytest.approx(
                        s_at.get(h.chunk_id, (None, None))
                    )
                assert any(h.dense_rank for h in hits) and any(h.sparse_rank for h in hits)
    finally:
        del store._batch


@pytest.mark.parametrize("engine", ["edge", "local"])
def test_single_list_modes_are_one_request_too(engines, kb, engine: str) -> None:  # noqa: ANN001
    store = engines[engine]
    for mode in ("dense", "sparse"):
        q = _query(kb, QUESTIONS[0], mode=mode)
        hits = store.search(q, timings := {})
        dense, sparse = _engine_lists(store, q)
        expected = (dense if mode == "dense" else sparse)[: q.limit]
        assert [h.chunk_id for h in hits] == [p for p, _ in expected]
        assert [h.score for h in hits] == pytest.approx([s for _, s in expected])
        assert list(timings) == ["list_query"]


def test_edge_reads_the_payloads_of_the_kept_hits_only(engines, kb) -> None:  # noqa: ANN001
    store = engines["edge"]
    asked: list[list[str]] = []
    payloads = store._payloads
    store._payloads = lambda ids: asked.append(list(ids)) or payloads(ids)  # type: ignore[method-assign]
    try:
        q = _query(kb, QUESTIONS[1])
        hits = store.search(q, timings := {})
    finally:
        del store._payloads
    assert asked == [[h.chunk_id for h in hits]], "the candidates came without payloads; the kept ones read"
    assert list(timings) == ["fusion", "payloads"]
    stored = {c["id"]: c for doc in {h.doc_id for h in hits} for c in store.chunks("default", doc)}
    assert [h.text for h in hits] == [stored[h.chunk_id]["text"] for h in hits]
    assert all(h.source and h.doc_id for h in hits)


def test_a_point_deleted_between_the_lists_and_its_payload_is_left_out(kb, tmp_path) -> None:  # noqa: ANN001
    served = kb.store
    store = edge.EdgeStore.open(tmp_path, served.meta)
    try:
        for doc_id in served.doc_point_counts("default"):
            store.upsert(served.export_document("default", doc_id))
        q = _query(kb, QUESTIONS[1])
        before = store.search(q)
        gone = before[0].doc_id
        batch = store._batch

        def batch_then_delete(requests: list[Any]) -> list[list[Any]]:
            out = batch(requests)
            store.delete_document("default", gone)  # another writer, between the two reads
            return out

        store._batch = batch_then_delete  # type: ignore[method-assign]
        hits = store.search(q)
        assert hits and all(h.doc_id != gone for h in hits)
        assert all(h.text for h in hits), "no hit without its text"
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    finally:
        store.close()
