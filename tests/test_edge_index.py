"""The HNSW graph and quantization of Qdrant Edge versions (core.store.edge_index): settings reach the
shard and its searches; a graph is built in a child process while the served version keeps answering;
int8 quantization with rescoring finds what exact search finds; an indexed version reopens; a re-index
with ``optimize`` builds a new indexed version even when no document needs rebuilding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT
from core.errors import ConfigError, StoreError
from core.settings import load_settings
from core.store import open_versions
from core.store.base import IndexMeta
from core.store.edge import EdgeStore, EdgeVersions
from core.store.edge_index import EdgeTuning, build_graph
from core.types import Point, SearchFilter, SearchQuery, SparseVec
from ingest.pipeline import Source
from ingest.reindex.checkpoint import Checkpoints, RunState
from ingest.reindex.options import Options
from ingest.reindex.run import Reindexer

META = IndexMeta("test-model", 384, "onnx-int8", 0.9, 0.6, 60.0)
SAMPLE_DOCS = Path(__file__).resolve().parent.parent / "sample_docs"
# Segments of over 64 KB of vectors (about 40 points) get a graph: small indexes exercise it.
SMALL = EdgeTuning(min_points=0, threshold_kb=64, quantization="int8", ef=64)


def test_store_settings_reach_the_versions_and_nonsense_is_refused(settings, monkeypatch) -> None:
    monkeypatch.setenv("RAG_STORE__HNSW_EF", "300")
    monkeypatch.setenv("RAG_STORE__HNSW_M", "32")
    monkeypatch.setenv("RAG_STORE__QUANTIZATION", "int8")
    monkeypatch.setenv("RAG_STORE__HNSW_MIN_POINTS", "5000")
    s = load_settings(data_dir=settings.data_dir)
    versions = open_versions(s)
    assert isinstance(versions, EdgeVersions)
    t = versions.tuning
    assert (t.ef, t.m, t.quantization, t.min_points) == (300, 32, "int8", 5000)
    versions.create("v0001", META).close()
    stored = json.loads((versions.shard_dir("v0001") / "edge_config.json").read_text())
    assert stored["hnsw_config"]["m"] == 32
    assert "int8" in json.dumps(stored["quantization_config"]).lower()
    monkeypatch.setenv("RAG_STORE__QUANTIZATION", "int4")
    with pytest.raises(ConfigError, match="quantization"):
        load_settings(data_dir=settings.data_dir)


def _points(texts: list[str], vectors: np.ndarray) -> list[Point]:
    return [
        Point(
            f"00000000-0000-0000-0000-{i:012d}",
            v.tolist(),
            SparseVec([i % 97 + 1], [1.0]),
            {"tenant": "t", "doc_id": f"d{i}", "source": "s", "text": t},
        )
        for i, (t, v) in enumerate(zip(texts, vectors, strict=True))
    ]


@pytest.fixture(scope="module")
def corpus(embedder) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Real chunks of the sample documents (and variants) with the real model's vectors; queries."""
    lines = [
        line.strip()
        for p in sorted(SAMPLE_DOCS.iterdir())
        if p.suffix in (".md", ".txt")
        for line in p.read_text().splitlines()
        if len(line.strip()) > 30
    ]
    texts = [f"{pre}{line}" for pre in ("", "Note: ", "In short, ") for line in lines][:400]
    queries = [line[: len(line) // 2] for line in lines[:: max(1, len(lines) // 20)]][:20]
    return texts, embedder.embed_documents(texts), embedder.embed_documents(queries)


def _dense(vector: np.ndarray) -> SearchQuery:
    return SearchQuery(
        dense=vector.tolist(), sparse=None, filter=SearchFilter(tenant="t"), mode="dense", limit=5
    )


def test_int8_graph_finds_what_exact_search_finds_and_survives_a_reopen(tmp_path, corpus) -> None:
    texts, vectors, queries = corpus
    versions = EdgeVersions(tmp_path, SMALL)
    store = versions.create("v0001", META)
    store.upsert(_points(texts, vectors))
    exact = [[h.chunk_id for h in store.search(_dense(q))] for q in queries]
    store.close()
    assert versions.index("v0001", len(texts))
    store = versions.open("v0001")
    try:
        info = store.info()
        assert info["points"] == len(texts) and info["indexed_vectors"] >= len(texts)  # a graph was built
        got = [[h.chunk_id for h in store.search(_dense(q))] for q in queries]
        recall = np.mean([len(set(g) & set(e)) / 5 for g, e in zip(got, exact, strict=True)])
        assert recall >= 0.95, recall
        assert [g[0] for g in got] == [e[0] for e in exact]  # rescored: the best hit is the exact one
        same = store.searching(exact=True)
        assert [[h.chunk_id for h in same.search(_dense(q))] for q in queries] == exact
    finally:
        store.close()


def test_a_small_version_is_not_indexed(tmp_path) -> None:
    versions = EdgeVersions(tmp_path, EdgeTuning(min_points=20_000))
    versions.create("v0001", META).close()
    assert not versions.index("v0001", 19_999)
    assert versions.graph_points("v0001") == 0


def test_a_graph_is_due_when_enough_points_were_added_since_it_was_built(tmp_path, corpus) -> None:
    texts, vectors, _ = corpus
    versions = EdgeVersions(tmp_path, replace(SMALL, min_points=100))
    versions.create("v0001", META).close()
    assert not versions.graph_due("v0001", 99, 0.1)  # searched exactly: no graph worth building
    assert versions.graph_due("v0001", 100, 0.1)
    store = versions.create("v0002", META)
    store.upsert(_points(texts, vectors))
    store.close()
    n = len(texts)
    assert versions.index("v0002", n) and versions.graph_points("v0002") == n
    # Both conditions: hnsw_min_points points outside the graph, and the growth share of it.
    assert not versions.graph_due("v0002", n + 99, 0.1)
    assert versions.graph_due("v0002", n + 100, 0.1)
    assert not versions.graph_due("v0002", n + 2 * n - 1, 2.0)
    assert versions.graph_due("v0002", n + 2 * n, 2.0)
    versions.graph_file("v0002").write_text("{not json")
    assert versions.graph_points("v0002") == 0  # unreadable: taken as no graph, the rebuild mends it


def test_queries_keep_answering_while_a_graph_is_built(tmp_path, corpus) -> None:
    texts, vectors, queries = corpus
    served = EdgeStore.open(tmp_path, META, tuning=SMALL)  # v0001, served
    pts = _points(texts, vectors)
    served.upsert(pts)
    versions = EdgeVersions(tmp_path, replace(SMALL, ef_construct=400, m=32))
    rng = np.random.default_rng(0)
    new = versions.create("v0002", META)  # bigger than the served one, so the build takes a while
    for k in range(8):
        noisy = vectors + rng.normal(0, 0.02, vectors.shape).astype(np.float32)
        new.upsert(_points(texts, noisy / np.linalg.norm(noisy, axis=1, keepdims=True)))
        new.upsert([replace(p, id=f"00000000-0000-0000-{k + 1:04d}-{i:012d}") for i, p in enumerate(pts)])
    new.close()
    errors: list[BaseException] = []

    def build() -> None:
        try:
            versions.index("v0002", 10_000)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    builder = threading.Thread(target=build)
    t0 = time.monotonic()
    builder.start()
    answered, slowest = 0, 0.0
    try:
        while builder.is_alive():
            t = time.monotonic()
            assert served.search(_dense(queries[answered % len(queries)]))
            slowest = max(slowest, time.monotonic() - t)
            answered += 1
            time.sleep(0.01)
    finally:
        builder.join()
        served.close()
    took = time.monotonic() - t0
    assert not errors, errors
    # In-process, optimize() holds the GIL: no query at all would be answered until it returned.
    assert answered >= 5 and slowest < max(0.5, took / 3), (answered, slowest, took)
    store = versions.open("v0002")
    try:
        assert store.info()["indexed_vectors"] >= store.count() > len(texts)
    finally:
        store.close()


@pytest.mark.slow
def test_reindex_optimize_builds_an_indexed_version_although_nothing_needs_rebuilding(
    tmp_path, onnx_cache, embedder, sharing_runtime
) -> None:
    rt = sharing_runtime(
        load_settings(
            data_dir=tmp_path / "data", embedding={"cache_dir": onnx_cache}, store={"hnsw_min_points": 0}
        )
    )
    rt.embedder = embedder  # type: ignore[misc]
    try:
        docs = sorted(p for p in SAMPLE_DOCS.iterdir() if p.suffix == ".md")[:4]
        assert not rt.ingestor.ingest([Source.from_path(p, p.name, "default") for p in docs]).failed
        rt.versions.tuning = replace(rt.versions.tuning, threshold_kb=16)  # a graph even for a few chunks
        before = rt.store.version
        reindexer = Reindexer(rt, Checkpoints(rt.settings.registry_url))
        assert reindexer.start(Options(incremental=True)) is None  # nothing to rebuild
        run = reindexer.start(Options(optimize=True))
        assert run is not None
        run = reindexer.execute(run.id)
        assert run.state == RunState.SWITCHED, run.error
        assert rt.store.version != before and run.copied == len(docs) and run.rebuilt == 0
        served = rt.store._current()  # the EdgeStore of the version now served
        assert served.info()["indexed_vectors"] >= served.count() > 0
        hits = rt.retriever.search("vacation days", tenant="default").hits
        assert hits
    finally:
        rt.close()


def test_rag_reindex_optimize_switches_to_a_copied_version(cli, tmp_path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for p in sorted(SAMPLE_DOCS.glob("*.md"))[:2]:
        (folder / p.name).write_bytes(p.read_bytes())
    cli("ingest", str(folder), "-q")
    assert json.loads(cli("reindex", "--incremental", "--json").stdout) == {"state": "up to date"}
    small = cli("reindex", "--optimize")  # below RAG_STORE__HNSW_MIN_POINTS: a copy would build no graph
    assert "search graph is up to date" in small.stdout and "v0002" not in small.stdout
    os.environ["RAG_STORE__HNSW_MIN_POINTS"] = "1"  # cli() cleared RAG_* and restores them
    ran = json.loads(cli("reindex", "--optimize", "--json", "-q").stdout)
    assert ran["state"] == "switched" and ran["version"] == "v0002"
    assert (ran["copied"], ran["rebuilt"]) == (2, 0)  # vectors copied, nothing embedded again
    assert json.loads(cli("reindex", "--optimize", "--json").stdout) == {"state": "up to date"}


def _builders(shard_dir: Path) -> list[int]:
    """Graph-build processes working on ``shard_dir``."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"core.store.edge_index" in cmd and str(shard_dir).encode() in cmd:
            found.append(int(proc.name))
    return found


def _wait_gone(shard_dir: Path, seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := _builders(shard_dir)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_a_build_stops_with_its_run_and_with_its_server(tmp_path, corpus) -> None:
    """Cancelled, the child is killed; its server killed (-9), the kernel takes the child too: a build
    that outlived its server would share the shard with the run the next start resumes."""
    texts, vectors, _ = corpus
    versions = EdgeVersions(tmp_path, replace(SMALL, ef_construct=400, m=32))
    new = versions.create("v0002", META)
    pts = _points(texts, vectors)
    for k in range(30):  # a build of some seconds: long enough to be killed in
        new.upsert([replace(p, id=f"00000000-0000-0000-{k + 1:04d}-{i:012d}") for i, p in enumerate(pts)])
    new.close()
    shard = versions.shard_dir("v0002")
    with pytest.raises(StoreError, match="cancelled"):
        build_graph(shard, 600, cancelled=lambda: True)
    assert _wait_gone(shard) == []
    # A server that builds, killed mid-build.
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from core.store.edge_index import build_graph; "
            "build_graph(Path(sys.argv[1]), 600)",
            str(shard),
        ],
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 30
    while not _builders(shard) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    assert _builders(shard), "the build ended before the test could kill its server"
    server.kill()
    server.wait()
    assert _wait_gone(shard, 0.5) == []  # at once: on its own the build would go on for seconds
