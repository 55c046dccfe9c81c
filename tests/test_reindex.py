"""Re-index with zero downtime: build beside, verify, switch; writes during the run; resume after kill -9;
rollback; incremental; a mismatched embedding model refused. Real Qdrant Edge (and qdrant-client local
mode for the server adapter), the real model, real files."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from qdrant_client import QdrantClient

from app.runtime import Runtime
from conftest import SAMPLE_DOCS
from core.errors import IndexMismatch, ReindexError
from core.settings import load_settings
from core.store.server import ServerVersions
from core.types import SearchQuery
from ingest.gate import WriteGate
from ingest.pipeline import Source, document_id
from ingest.reindex.checkpoint import Checkpoints, DoneDoc, RunState
from ingest.reindex.options import Options
from ingest.reindex.plan import Wanted, plan
from ingest.reindex.run import Reindexer

ROOT = Path(__file__).resolve().parent.parent


def _sources(tenant: str = "default") -> list[Source]:
    return [Source.from_path(p, p.name, tenant) for p in sorted(SAMPLE_DOCS.iterdir())]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, onnx_cache, embedder, sharing_runtime) -> Path:
    """A data directory with every sample document ingested once (copied for each test)."""
    data = tmp_path_factory.mktemp("seeded") / "data"
    rt = sharing_runtime(load_settings(data_dir=data, embedding={"cache_dir": onnx_cache}))
    rt.embedder = embedder  # type: ignore[misc]
    # In the order a re-index rebuilds them (by document id): the same model batches, the same vectors.
    report = rt.ingestor.ingest(sorted(_sources(), key=lambda s: document_id(s.tenant, s.name)))
    assert not report.failed
    rt.close()
    return data


@pytest.fixture
def kb(seeded, tmp_path, onnx_cache, embedder, sharing_runtime):
    data = tmp_path / "data"
    shutil.copytree(seeded, data)
    rt = sharing_runtime(load_settings(data_dir=data, embedding={"cache_dir": onnx_cache}))
    rt.embedder = embedder  # type: ignore[misc]
    yield rt
    rt.close()


def _reindex(rt: Runtime, opts: Options, on_progress=None):
    checkpoints = Checkpoints(rt.settings.registry_url)
    r = Reindexer(rt, checkpoints, on_progress=on_progress)
    run = r.start(opts)
    return r, (r.execute(run.id) if run is not None else None)


def _consistent(rt: Runtime) -> int:
    """Every indexed document has exactly its chunks in the served version, and nothing else is there."""
    total = 0
    for doc in rt.registry.list():
        if doc.content_hash:
            assert (
                rt.store.count(doc.tenant, doc.id, doc.content_hash) == rt.store.count(doc.tenant, doc.id) > 0
            )
            total += rt.store.count(doc.tenant, doc.id)
    assert rt.store.count() == total
    return total


# ---- pure parts ---------------------------------------------------------------------------------------


def test_plan_writes_what_is_missing_or_changed_and_removes_what_is_gone() -> None:
    want = {
        ("t", "a"): Wanted("t", "a", "a.txt", "h1", {}, 2),
        ("t", "b"): Wanted("t", "b", "b.txt", "h2", {"x": 1}, 2),
        ("t", "c"): Wanted("t", "c", "c.txt", "h3", {}, 2),
    }
    done = {
        ("t", "a"): DoneDoc("h1", {}, 3),  # up to date
        ("t", "b"): DoneDoc("h2", {}, 3),  # metadata changed since
        ("t", "d"): DoneDoc("h9", {}, 1),  # deleted since
    }
    p = plan(want, done)
    assert [w.doc_id for w in p.todo] == ["b", "c"]
    assert p.stale == [("t", "d")]
    assert (p.total, p.done) == (3, 1)


def test_write_gate_holds_writes_back_while_the_switch_waits() -> None:
    gate, order, release = WriteGate(), [], threading.Event()

    def switch() -> None:
        with gate.exclusive():
            order.append("switch")
            release.wait(5)
        order.append("switched")

    def write() -> None:
        with gate.shared():
            order.append("late write")

    with gate.shared():
        switcher = threading.Thread(target=switch)
        switcher.start()
        time.sleep(0.1)
        assert order == []  # a write in flight: the switch waits for it
        late = threading.Thread(target=write)
        late.start()
        time.sleep(0.1)
        assert order == []  # a new write waits behind the waiting switch
    time.sleep(0.1)
    assert order == ["switch"]  # the switch runs alone
    release.set()
    switcher.join(2)
    late.join(2)
    assert order == ["switch", "switched", "late write"]


# ---- zero downtime ------------------------------------------------------------------------------------


def test_queries_never_fail_while_a_reindex_with_another_chunk_size_switches(kb: Runtime) -> None:
    old_version, old_fp = kb.store.version, kb.store.meta.fingerprint
    stop, failures, served = threading.Event(), [], []

    def query() -> None:
        while not stop.is_set():
            try:
                hits = kb.retriever.search(
                    "How long is the warranty on a Porter robot?", tenant="default"
                ).hits
                assert hits, "no hits"
                served.append(hits[0].payload["fingerprint"])
            except Exception as e:  # noqa: BLE001 - counted: the test asserts there are none
                failures.append(repr(e))

    threads = [threading.Thread(target=query) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        _, run = _reindex(kb, Options(chunk_size=64, chunk_overlap=8))
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert run is not None and run.state == RunState.SWITCHED, run
    assert failures == []
    assert len(served) > 20
    assert served[0] == old_fp and served[-1] == run.fingerprint != old_fp
    assert kb.store.version == run.version != old_version
    assert kb.settings.chunking.size_tokens == 64
    chunks = kb.store.chunks("default", document_id("default", "employee-handbook.md"))
    assert chunks and max(c["n_tokens"] for c in chunks) <= 64
    assert run.smoke["found"] == run.smoke["queries"] == len(_sources())
    assert run.chunks == kb.store.count()
    _consistent(kb)


def test_a_reindex_with_the_same_settings_writes_what_ingestion_wrote_and_checks_it_as_served(
    kb: Runtime, monkeypatch
) -> None:
    """Ingestion and re-index run one loop (ingest.batch): the rebuilt points are the ingested ones to the
    byte. The smoke check searches the new version with the configured retriever (DBSF by default)."""
    keys = sorted((d.tenant, d.id) for d in kb.registry.list())
    before = {k: sorted(kb.store.export_document(*k), key=lambda p: p.id) for k in keys}
    queries: list[SearchQuery] = []
    searcher = Runtime.searcher

    class Recording:
        def __init__(self, store) -> None:
            self.store = store

        def search(self, query: SearchQuery, timings=None):  # noqa: ANN202
            queries.append(query)
            return self.store.search(query, timings)

    monkeypatch.setattr(Runtime, "searcher", lambda self, store: searcher(self, Recording(store)))
    _, run = _reindex(kb, Options())
    assert run.state == RunState.SWITCHED and kb.store.version == run.version
    for k in keys:
        after = sorted(kb.store.export_document(*k), key=lambda p: p.id)
        assert [p.payload for p in after] == [p.payload for p in before[k]], k
        assert [(p.id, p.dense, p.sparse) for p in after] == [(p.id, p.dense, p.sparse) for p in before[k]], k
    r = kb.settings.retrieval
    assert run.smoke["found"] == run.smoke["queries"] == len(queries) == len(keys)
    assert {(q.mode, q.fusion, q.prefetch_limit) for q in queries} == {(r.mode, r.fusion, r.prefetch_limit)}
    assert r.fusion == "dbsf"


def test_upload_replace_and_delete_during_the_run_all_end_up_in_the_new_version(
    kb: Runtime, tmp_path
) -> None:
    new = tmp_path / "new-policy.txt"
    new.write_text("Parking policy. Visitors park on level minus two, bays 40 to 60, for free.")
    changed = tmp_path / "travel-policy.md"
    changed.write_text("# Travel policy\n\nThe hotel cap in Lyon is now 190 euros per night.\n")
    writes: list[threading.Thread] = []

    def during(run) -> None:
        if run.phase == "building" and run.done >= 1 and not writes:

            def write() -> None:
                kb.ingest_one(Source.from_path(new, new.name, "default"))
                kb.ingest_one(Source.from_path(changed, changed.name, "default"))
                kb.delete_document("default", document_id("default", "price-list-2026.csv"))

            writes.append(threading.Thread(target=write))
            writes[0].start()

    _, run = _reindex(kb, Options(chunk_size=96), on_progress=during)
    writes[0].join()
    assert run is not None and run.state == RunState.SWITCHED, run.error
    assert kb.store.version == run.version
    doc = kb.registry.get("default", document_id("default", "new-policy.txt"))
    assert doc is not None and kb.store.count("default", doc.id) > 0
    travel = kb.store.chunks("default", document_id("default", "travel-policy.md"))
    assert "190 euros" in " ".join(c["text"] for c in travel)
    assert {c["fingerprint"] for c in travel} == {run.fingerprint}
    assert kb.store.count("default", document_id("default", "price-list-2026.csv")) == 0
    # Each document counted once, also one rebuilt again after its replacement.
    assert run.rebuilt == run.total
    _consistent(kb)


def test_failure_leaves_the_old_version_served_and_removes_the_partial_one(kb: Runtime) -> None:
    old = kb.store.version
    checkpoints = Checkpoints(kb.settings.registry_url)
    r = Reindexer(kb, checkpoints)
    run = r.start(Options(chunk_size=100))
    doc = kb.registry.get("default", document_id("default", "support-faq.html"))
    kb.blobs.delete(doc.content_hash)  # the original vanishes after the checks
    run = r.execute(run.id)
    assert run.state == RunState.FAILED and "support-faq.html" in run.error
    assert kb.store.version == old and kb.versions.all() == [old]
    _consistent(kb)


def test_abort_keeps_the_served_version(kb: Runtime) -> None:
    old = kb.store.version
    checkpoints = Checkpoints(kb.settings.registry_url)
    base = os.getpriority(os.PRIO_PROCESS, 0)
    seen = []

    def abort_once_started(run) -> None:
        if run.done and not run.finished:
            seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
            r.abort(run.id)

    r = Reindexer(kb, checkpoints, on_progress=abort_once_started)
    run = r.execute(r.start(Options(chunk_size=100)).id)
    assert run.state == RunState.ABORTED
    assert kb.store.version == old and kb.versions.all() == [old]
    # The build ran in a thread below the serving threads' priority (RAG_REINDEX__NICE).
    assert seen and seen[0] == min(base + kb.settings.reindex.nice, 19)


# ---- rollback, incremental, versions kept ----------------------------------------------------------------


def test_rollback_serves_the_previous_version_with_later_writes_caught_up(kb: Runtime, tmp_path) -> None:
    first = kb.store.version
    r, run = _reindex(kb, Options(chunk_size=80))
    assert run.state == RunState.SWITCHED
    later = tmp_path / "after-switch.txt"
    later.write_text("The cafeteria closes at 15:00 on Fridays.")
    kb.ingest_one(Source.from_path(later, later.name, "default"))
    assert r.rollback() == first
    assert kb.store.version == first and kb.settings.chunking.size_tokens == 200
    assert kb.store.count("default", document_id("default", later.name)) > 0
    _consistent(kb)
    # Only the served and the previous version are kept.
    _reindex(kb, Options(chunk_size=90))
    assert len(kb.versions.all()) == 2 and first in kb.versions.all()


def test_incremental_copies_documents_already_built_with_the_target_settings(
    kb: Runtime, settings, embedder
) -> None:
    _, nothing = _reindex(kb, Options(incremental=True))
    assert nothing is None  # everything is built with the configured settings
    # One document ingested with chunk size 120; the others stay at 200.
    small = Runtime(
        kb.settings.model_copy(
            update={"chunking": kb.settings.chunking.model_copy(update={"size_tokens": 120})}
        )
    )
    kb.close()
    small.embedder = embedder  # type: ignore[misc]
    extra = SAMPLE_DOCS / "employee-handbook.md"
    small.ingestor.ingest([Source.from_path(extra, "handbook-copy.md", "default")])
    _, run = _reindex(small, Options(chunk_size=120, incremental=True))
    assert run.state == RunState.SWITCHED
    assert (run.copied, run.rebuilt, run.total) == (1, len(_sources()), len(_sources()) + 1)
    _consistent(small)
    small.close()


def test_a_reindex_under_new_guard_settings_refreshes_each_documents_guard_figures(
    kb: Runtime, embedder
) -> None:
    """The registry's per-document guard figures follow the rebuilt points, not the settings they replaced."""
    before = {d.id: (d.guard or {}).get("injection", {}).get("flagged") for d in kb.registry.list()}
    assert set(before.values()) == {0}
    strict = Runtime(
        kb.settings.model_copy(
            update={"guardrails": kb.settings.guardrails.model_copy(update={"injection_threshold": 0.0})}
        )
    )
    kb.close()
    strict.embedder = embedder  # type: ignore[misc]
    _, run = _reindex(strict, Options(incremental=True))
    assert run.state == RunState.SWITCHED and run.rebuilt == len(before)
    after = {d.id: d for d in strict.registry.list()}
    for doc_id, d in after.items():
        assert d.guard["injection"]["flagged"] == d.chunk_count, doc_id  # every chunk scores >= 0
    strict.close()


# ---- embedding model mismatch ----------------------------------------------------------------------------


def test_an_index_of_another_embedding_model_is_refused_until_reindexed(
    kb: Runtime, embedder, model_path
) -> None:
    _, run = _reindex(kb, Options(embedding_model="acme/minilm-finetuned", embedding_model_path=model_path))
    assert run.state == RunState.SWITCHED
    assert kb.retriever.search("warranty", tenant="default").hits  # this process adopted the new model
    data = kb.settings.data_dir
    kb.close()
    configured = Runtime(
        load_settings(
            data_dir=data,
            embedding={"cache_dir": kb.settings.embedding.cache_dir},
            store={"hnsw_min_points": 1},  # every point outside a graph would make one due
        )
    )
    configured.embedder = embedder  # type: ignore[misc]
    assert "acme/minilm-finetuned" in configured.store.problem
    # No automatic graph rebuild either: it would re-embed everything under settings nobody chose for it.
    assert not Reindexer(configured, Checkpoints(configured.settings.registry_url)).graph_due(0.1)
    with pytest.raises(IndexMismatch, match="acme/minilm-finetuned.*sentence-transformers/all-MiniLM-L6-v2"):
        configured.retriever.search("warranty", tenant="default")
    # A re-index with the configured model fixes it.
    _, run = _reindex(configured, Options())
    assert run.state == RunState.SWITCHED and configured.store.problem is None
    assert configured.retriever.search("warranty", tenant="default").hits
    configured.close()


def test_documents_without_a_stored_original_are_named_before_anything_is_built(kb: Runtime) -> None:
    doc = kb.registry.get("default", document_id("default", "support-faq.html"))
    kb.blobs.delete(doc.content_hash)
    with pytest.raises(
        ReindexError, match=r"1 document without a stored original to rebuild from \(support-faq"
    ):
        _reindex(kb, Options(chunk_size=100))
    assert len(kb.versions.all()) == 1
    # Ingesting the same file again stores its original (and changes nothing else); then it works.
    assert kb.ingestor.ingest(_sources()).count("unchanged") == len(_sources())
    _, run = _reindex(kb, Options(chunk_size=100))
    assert run.state == RunState.SWITCHED


# ---- the server adapter: versions are collections behind an alias ----------------------------------------


def test_server_backend_switches_the_alias_and_rolls_back(settings, embedder) -> None:
    rt = Runtime(settings)
    rt.embedder = embedder  # type: ignore[misc]
    client = QdrantClient(":memory:")
    rt.versions = ServerVersions(client, "kb")  # type: ignore[misc]
    rt.ingestor.ingest(_sources()[:4])
    first = rt.store.version
    r, run = _reindex(rt, Options(chunk_size=64))
    assert run.state == RunState.SWITCHED
    alias = {a.alias_name: a.collection_name for a in client.get_aliases().aliases}
    assert alias == {"kb": f"kb_{run.version}"}
    _consistent(rt)
    assert r.rollback() == first
    assert {a.alias_name: a.collection_name for a in client.get_aliases().aliases} == {"kb": f"kb_{first}"}
    _consistent(rt)
    rt.close()


# ---- kill -9 and resume -------------------------------------------------------------------------------


def _rag(env: dict[str, str], *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "rag"), *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def test_kill_9_mid_run_then_resume_from_the_checkpoint(settings, embedder, tmp_path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(60):
        (docs / f"note-{i:02d}.txt").write_text(
            f"Note {i}. "
            + " ".join(f"Topic {i} item {j} covers subject {j * i} in depth." for j in range(40))
        )
    rt = Runtime(settings)
    rt.embedder = embedder  # type: ignore[misc]
    rt.ingestor.ingest(Source.from_path(p, p.name, "default") for p in sorted(docs.iterdir()))
    old = rt.store.version
    rt.close()
    env = {**os.environ, "RAG_DATA_DIR": str(settings.data_dir), "RAG_INGEST__BATCH_CHUNKS": "16"}
    proc = _rag(env, "reindex", "--chunk-size", "48", "--chunk-overlap", "0", "--threads", "1", "-q")
    checkpoints = Checkpoints(settings.registry_url)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run = checkpoints.unfinished()
        if run is not None and len(checkpoints.done(run.id)) >= 5:
            break
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = len(checkpoints.done(run.id))
    assert 5 <= killed_at < 60

    # Meanwhile the old version is served, whole.
    rt = Runtime(settings)
    rt.embedder = embedder  # type: ignore[misc]
    assert rt.store.version == old
    assert rt.retriever.search("Topic 7 item 3", tenant="default").hits
    assert Reindexer(rt, checkpoints).resumable().id == run.id
    rt.close()

    out, err = _rag(env, "reindex", "--threads", "1", "-q", "--json").communicate(timeout=300)
    assert "resuming re-index" in err, err
    done = checkpoints.get(run.id)
    assert done.state == RunState.SWITCHED and done.resumed == 1, (out, err)
    assert done.version != old and done.total == 60
    rt = Runtime(settings)
    rt.embedder = embedder  # type: ignore[misc]
    rt.settings = rt.settings.model_copy(
        update={"chunking": rt.settings.chunking.model_copy(update={"size_tokens": 48})}
    )
    assert rt.store.version == done.version
    assert max(c["n_tokens"] for c in rt.store.chunks("default", document_id("default", "note-00.txt"))) <= 48
    _consistent(rt)
    rt.close()
    checkpoints.close()


def test_an_abort_stops_a_running_parse_at_once(tmp_path: Path) -> None:
    """The builder hands the run's abort/pause to the parser: a parse of up to 300 s is killed, not
    waited out."""
    import parse_faults

    from ingest.blobs import BlobStore
    from ingest.isolate import ParseLimits, Parser
    from ingest.reindex.build import Builder, Components

    blobs = BlobStore(tmp_path / "blobs", f"sqlite:///{tmp_path / 'refs.db'}")
    digest = blobs.put(b"never ends")
    limits = replace(ParseLimits.from_settings(), timeout_s=10)  # 300 s by default
    with Parser(limits, workers=1, extract=parse_faults.extract, warm_up=False) as parser:
        parser.parse(b"Start the parser first.", "warm.txt")
        parts = Components(None, None, None, "fp", 16, parser)  # type: ignore[arg-type] - never reached
        builder = Builder(parts, None, blobs, None, "run")  # type: ignore[arg-type]
        doc = Wanted("default", "d1", "sleep-forever.txt", digest, {}, 1)
        started = time.monotonic()
        failures = builder.build([doc], lambda _: None, lambda: time.monotonic() - started > 1)
        assert failures == [] and time.monotonic() - started < 3


def test_a_reindex_in_the_api_process_starts_one_parser_process_not_a_pool(settings) -> None:
    rt = Runtime(settings.model_copy(update={"api": settings.api.model_copy(update={"job_workers": 4})}))
    try:
        parts_rt, parts = Reindexer(rt, Checkpoints(rt.settings.registry_url))._parts(rt.settings, "fp")
        parts_rt.close()
        assert rt.parser.workers == 4 and parts.parser.workers == 1
    finally:
        rt.close()
