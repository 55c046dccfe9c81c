"""One contract, two adapters: Qdrant Edge (the default) and qdrant-client (local mode standing in for a
server). Every test here runs against both, and against ``ServedIndex`` (what production reads and writes
through: the served version of an index) on each."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from qdrant_client import QdrantClient

from core.errors import IndexMismatch, StoreError
from core.store.base import IndexMeta, IndexVersions, VectorStore
from core.store.edge import EdgeStore, EdgeVersions
from core.store.served import ServedIndex
from core.store.server import ServerStore, ServerVersions
from core.types import Point, SearchFilter, SearchQuery, SparseVec

META = IndexMeta("test-model", 8, "torch", 1.2, 0.75, 10.0)
RNG = np.random.default_rng(0)


def _vec(seed: int) -> list[float]:
    v = np.random.default_rng(seed).normal(size=8)
    return (v / np.linalg.norm(v)).tolist()


def _point(tenant: str, doc: str, version: str, i: int, terms: list[int], **payload) -> Point:
    return Point(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{tenant}/{doc}/{version}/{i}")),
        dense=_vec(hash((doc, i)) % 10_000),
        sparse=SparseVec(sorted(terms), [1.0] * len(terms)),
        payload={
            "tenant": tenant,
            "doc_id": doc,
            "doc_hash": version,
            "source": f"{doc}.txt",
            "chunk_index": i,
            "text": f"{doc} chunk {i}",
            "pages": [i + 1],
            "section": "S",
            **payload,
        },
    )


@pytest.fixture(params=["edge", "server", "served-edge", "served-server"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    if request.param == "edge":
        s: VectorStore = EdgeStore.open(tmp_path, META)
    elif request.param == "server":
        s = ServerStore.open(QdrantClient(":memory:"), "chunks", META)
    elif request.param == "served-edge":
        s = ServedIndex.open(EdgeVersions(tmp_path), META)
    else:
        s = ServedIndex.open(ServerVersions(QdrantClient(":memory:"), "kb"), META)
    yield s
    s.close()


@pytest.fixture
def filled(store: VectorStore) -> VectorStore:
    points = [_point("acme", "d1", "h1", i, [1, 10 + i]) for i in range(3)]
    points += [_point("acme", "d2", "h2", i, [2, 20 + i], metadata={"team": "ops"}) for i in range(2)]
    points += [_point("globex", "d3", "h3", i, [1, 2, 30 + i]) for i in range(4)]
    store.upsert(points)
    return store


def _q(store_tenant: str = "acme", **kw) -> SearchQuery:
    defaults = dict(
        dense=_vec(hash(("d1", 0)) % 10_000), sparse=SparseVec([1], [1.0]), filter=SearchFilter(store_tenant)
    )
    defaults.update(kw)
    return SearchQuery(**defaults)


def test_counts_by_tenant_document_and_version(filled: VectorStore) -> None:
    assert filled.count() == 9
    assert filled.count("acme") == 5
    assert filled.count("acme", "d1") == 3
    assert filled.count("acme", "d1", "h1") == 3
    assert filled.count("acme", "d1", "other") == 0
    assert filled.doc_point_counts("acme") == {"d1": 3, "d2": 2}
    assert sorted(filled.tenants()) == ["acme", "globex"]


def test_upsert_is_idempotent(filled: VectorStore) -> None:
    filled.upsert([_point("acme", "d1", "h1", i, [1, 10 + i]) for i in range(3)])
    assert filled.count() == 9


def test_new_version_then_old_removed(filled: VectorStore) -> None:
    filled.upsert([_point("acme", "d1", "h9", i, [5]) for i in range(2)])
    assert filled.count("acme", "d1") == 5  # both versions while the new one is written
    filled.delete_document("acme", "d1", keep_hash="h9")
    assert filled.count("acme", "d1") == 2
    assert {c["doc_hash"] for c in filled.chunks("acme", "d1")} == {"h9"}


def test_delete_removes_every_point_of_that_tenant_only(filled: VectorStore) -> None:
    filled.upsert([_point("globex", "d1", "hx", 0, [1])])  # same doc id, other tenant
    filled.delete_document("acme", "d1")
    assert filled.count("acme", "d1") == 0
    assert filled.count("globex", "d1") == 1
    assert filled.chunks("acme", "d1") == []


def test_meta_version_and_export_with_vectors(filled: VectorStore) -> None:
    assert filled.meta == META and filled.version == "v0001"
    exported = sorted(filled.export_document("acme", "d1"), key=lambda p: p.payload["chunk_index"])
    original = [_point("acme", "d1", "h1", i, [1, 10 + i]) for i in range(3)]
    assert [p.id for p in exported] == [p.id for p in original]
    for got, want in zip(exported, original, strict=True):
        assert np.allclose(got.dense, want.dense, atol=1e-6) and got.sparse == want.sparse
        assert got.payload == want.payload
    assert filled.export_document("globex", "d1") == []
    assert filled.doc_counts_with("doc_hash", "h2") == {("acme", "d2"): 2}


def test_chunks_in_order(filled: VectorStore) -> None:
    chunks = filled.chunks("acme", "d1")
    assert [c["chunk_index"] for c in chunks] == [0, 1, 2]
    assert all("id" in c and c["text"].startswith("d1") for c in chunks)


@pytest.mark.parametrize("fusion", ["rrf", "dbsf", "weighted"])
def test_hybrid_search_annotates_both_lists(filled: VectorStore, fusion: str) -> None:
    hits = filled.search(_q(fusion=fusion, weights=(3.0, 1.0), limit=5))
    assert hits and all(h.doc_id in {"d1", "d2"} for h in hits)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:], strict=False))
    top = hits[0]
    assert top.dense_rank is not None and top.dense_score is not None
    assert any(h.sparse_rank is not None for h in hits)
    for h in hits:
        if h.sparse_rank is not None:
            assert h.payload["doc_id"] == "d1"  # only d1 has term 1 in tenant acme


def test_rrf_score_is_the_sum_of_reciprocal_ranks(filled: VectorStore) -> None:
    """Qdrant counts positions from 0: a first place adds 1/k. Our ranks are 1-based."""
    hits = filled.search(_q(fusion="rrf", rrf_k=60, limit=5))
    for h in hits:
        expected = sum(1 / (60 + r - 1) for r in (h.dense_rank, h.sparse_rank) if r is not None)
        assert h.score == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("weights", [(3.0, 1.0), (1.0, 3.0)])
def test_weighted_rrf_follows_qdrants_formula(filled: VectorStore, weights: tuple[float, float]) -> None:
    """Qdrant's weighted RRF divides the 1-based rank by the list's weight: 1 / (rank / w + k - 1).
    The dense weight must act on the dense list and the sparse weight on the sparse list."""
    hits = filled.search(_q(fusion="weighted", weights=weights, rrf_k=2, limit=5))
    for h in hits:
        expected = sum(
            1 / (r / w + 2 - 1)
            for r, w in ((h.dense_rank, weights[0]), (h.sparse_rank, weights[1]))
            if r is not None
        )
        assert h.score == pytest.approx(expected, rel=1e-5)


def test_dense_and_sparse_only_modes(filled: VectorStore) -> None:
    dense = filled.search(_q(mode="dense", limit=3))
    assert [h.dense_rank for h in dense] == [1, 2, 3]
    assert all(h.sparse_rank is None for h in dense)
    assert dense[0].score == pytest.approx(dense[0].dense_score)
    sparse = filled.search(_q(mode="sparse", limit=10))
    assert {h.doc_id for h in sparse} == {"d1"}
    assert all(h.dense_rank is None for h in sparse)


def test_all_stopword_query_falls_back_to_dense(filled: VectorStore) -> None:
    hits = filled.search(_q(sparse=SparseVec([], []), limit=3))
    assert len(hits) == 3 and all(h.sparse_rank is None for h in hits)


def test_filters_tenant_documents_and_metadata(filled: VectorStore) -> None:
    assert {h.doc_id for h in filled.search(_q("globex", limit=10))} == {"d3"}
    assert {h.doc_id for h in filled.search(_q(filter=SearchFilter("acme", doc_ids=("d2",)), limit=10))} == {
        "d2"
    }
    meta = SearchFilter("acme", metadata=(("team", "ops"),))
    assert {h.doc_id for h in filled.search(_q(filter=meta, limit=10))} == {"d2"}
    assert filled.search(_q("nobody", limit=10)) == []


def test_hits_carry_citation_fields(filled: VectorStore) -> None:
    h = filled.search(_q(mode="dense", limit=1))[0]
    assert h.source.endswith(".txt") and h.pages and h.section == "S" and h.text


def test_concurrent_readers_and_a_writer(store: VectorStore) -> None:
    store.upsert([_point("acme", "base", "h", i, [1, i + 100]) for i in range(50)])
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(30):
                assert store.search(_q(limit=5))
        except BaseException as e:  # noqa: BLE001 - collected for the assertion below
            errors.append(e)

    def write() -> None:
        try:
            for i in range(30):
                store.upsert([_point("acme", "w", "h", i, [1])])
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=read) for _ in range(3)] + [threading.Thread(target=write)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.count("acme", "w") == 30


def test_reopen_refuses_another_embedding_model(tmp_path: Path) -> None:
    EdgeStore.open(tmp_path, META).close()
    other = IndexMeta("other-model", 8, "torch", 1.2, 0.75, 10.0)
    with pytest.raises(IndexMismatch, match="other-model"):
        EdgeStore.open(tmp_path, other)
    client = QdrantClient(":memory:")
    ServerStore.open(client, "c", META)
    with pytest.raises(IndexMismatch, match="rebuild the index"):
        ServerStore.open(client, "c", other)


def test_edge_data_survives_reopen_and_version_pointer_is_atomic(tmp_path: Path) -> None:
    s = EdgeStore.open(tmp_path, META)
    s.upsert([_point("acme", "d", "h", i, [1]) for i in range(5)])
    s.close()
    versions = EdgeVersions(tmp_path)
    assert versions.current() == "v0001"
    s = EdgeStore.open(tmp_path, META)
    assert s.count() == 5 and s.version == "v0001"
    s.close()
    EdgeStore.create(tmp_path, "v0002", META).close()
    versions.switch("v0002")
    assert versions.current() == "v0002"
    assert EdgeStore.open(tmp_path, META).count() == 0
    assert [p.name for p in (tmp_path / "index").iterdir() if p.name.startswith(".CURRENT")] == []


def test_server_collection_has_alias_and_payload_indexes() -> None:
    client = QdrantClient(":memory:")
    s = ServerStore.open(client, "kb", META, shard_number=2, replication_factor=1)
    assert s.collection == "kb_v0001"
    assert [(a.alias_name, a.collection_name) for a in client.get_aliases().aliases] == [("kb", "kb_v0001")]
    info = client.get_collection("kb_v0001")
    assert set(info.config.params.vectors) == {"dense"}
    assert set(info.config.params.sparse_vectors) == {"bm25"}
    assert info.config.metadata["embedding_model"] == "test-model"


# ---- IndexVersions: the same contract on both adapters --------------------------------------------------


@pytest.fixture(params=["edge", "server"])
def versions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[IndexVersions]:
    v: IndexVersions = (
        EdgeVersions(tmp_path) if request.param == "edge" else ServerVersions(QdrantClient(":memory:"), "kb")
    )
    yield v
    v.close()


def test_versions_are_built_beside_switched_atomically_and_dropped(versions: IndexVersions) -> None:
    built = IndexMeta(
        "test-model", 8, "torch", 1.2, 0.75, 10.0, fingerprint="f1", build={"chunking": {"size_tokens": 64}}
    )
    assert versions.current() is None and versions.all() == [] and versions.next_name() == "v0001"
    versions.create("v0001", META).close()
    versions.switch("v0001")
    new = versions.create(versions.next_name(), built)
    new.upsert([_point("acme", "d", "h", i, [1]) for i in range(3)])
    new.close()
    assert versions.all() == ["v0001", "v0002"] and versions.current() == "v0001"
    assert versions.read_meta("v0002") == built and versions.read_meta("v0002").build == built.build
    versions.switch("v0002")
    assert versions.current() == "v0002"
    with pytest.raises(StoreError, match="being served"):
        versions.drop("v0002")
    versions.drop("v0001")
    assert versions.all() == ["v0002"] and versions.next_name() == "v0003"
    reopened = versions.open("v0002")
    assert reopened.count("acme") == 3 and reopened.meta.fingerprint == "f1"
    assert len(reopened.export_document("acme", "d")) == 3
    assert reopened.doc_counts_with("doc_hash", "h") == {("acme", "d"): 3}
    reopened.close()


def test_served_index_refuses_a_version_of_another_model_but_stays_up(versions: IndexVersions) -> None:
    versions.create("v0001", IndexMeta("other-model", 8, "torch", 1.2, 0.75, 10.0)).close()
    versions.switch("v0001")
    served = ServedIndex.open(versions, META)
    assert "other-model" in (served.problem or "")
    with pytest.raises(IndexMismatch, match="other-model"):
        served.search(_q())
    versions.create("v0002", META).close()
    served.switch("v0002")
    assert served.problem is None and served.search(_q()) == []
    served.close()
