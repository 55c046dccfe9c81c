"""Document lifecycle on a real store and real parsing: idempotent re-ingest, replace, delete, bad files.
The embedder is the deterministic fake (tests/fakes.py, held to the embedder contract): these tests are
about which points exist, not how close vectors are; the real model's tests are the contract suite's and
the answer path's."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from conftest import SAMPLE_DOCS, shared
from fakes import FakeEmbedder
from ingest.identity import unchanged
from ingest.pipeline import Source, document_id
from ingest.reconcile import reconcile
from ingest.registry import DocRecord, Status


@pytest.fixture
def runtime(settings, parser, sharing_runtime) -> Iterator:
    rt = sharing_runtime(settings)
    rt.embedder = FakeEmbedder()  # type: ignore[misc]
    rt.parser = parser  # type: ignore[misc] - the session's parser process
    yield rt
    del rt.parser  # the session's: not closed with this runtime
    rt.close()


def _src(path: Path, tenant: str = "default", **kw) -> Source:
    return Source.from_path(path, path.name, tenant, **kw)


def _consistent(rt) -> None:
    """Every indexed document has exactly its chunks in the store, and nothing else is there."""
    total = 0
    for doc in rt.registry.list():
        assert doc.status in (Status.INDEXED, Status.FAILED), doc
        if doc.status == Status.INDEXED:
            assert rt.store.count(doc.tenant, doc.id) == doc.chunk_count
            assert rt.store.count(doc.tenant, doc.id, doc.content_hash) == doc.chunk_count
            total += doc.chunk_count
    assert rt.store.count() == total


def test_same_file_ten_times_changes_nothing(runtime) -> None:
    path = SAMPLE_DOCS / "employee-handbook.md"
    first = runtime.ingestor.ingest([_src(path)])
    assert first.count("added") == 1 and first.chunks > 0
    chunks = runtime.store.count()
    for _ in range(10):
        again = runtime.ingestor.ingest([_src(path)])
        assert again.count("unchanged") == 1 and again.chunks == 0
    assert runtime.store.count() == chunks
    assert len(runtime.registry.list()) == 1
    _consistent(runtime)


def _record(status: Status = Status.INDEXED, content_hash: str | None = "h1") -> DocRecord:
    now = dt.datetime.now(dt.UTC)
    return DocRecord(
        "t", "d", "a.md", "md", 10, content_hash, 3, None, 0, status, None, {"team": "hr"}, now, now
    )


def test_unchanged_means_the_indexed_version_has_these_bytes_and_metadata() -> None:
    """The one rule ingestion and uploads ask (ingest.identity.unchanged)."""
    assert unchanged(_record(), "h1", {"team": "hr"})
    assert not unchanged(_record(), "h2", {"team": "hr"})  # other bytes
    assert not unchanged(_record(), "h1", {"team": "it"})  # other metadata
    assert not unchanged(_record(), "h1", {})
    assert not unchanged(None, "h1", {"team": "hr"})  # never ingested, or deleted since
    for status in (Status.INDEXING, Status.DELETING, Status.FAILED):  # not served as it is
        assert not unchanged(_record(status), "h1", {"team": "hr"})
    assert not unchanged(_record(Status.FAILED, content_hash=None), "h1", {"team": "hr"})


def test_deleted_then_ingested_again_is_added_again(runtime) -> None:
    path = SAMPLE_DOCS / "travel-policy.md"
    first = runtime.ingestor.ingest([_src(path)])
    assert runtime.delete_document("default", first.outcomes[0].doc_id)
    again = runtime.ingestor.ingest([_src(path)])
    assert again.count("added") == 1 and again.chunks == first.chunks
    _consistent(runtime)


def test_documents_are_indexed_only_once_their_points_are_flushed(runtime, monkeypatch) -> None:
    """An acknowledged write of Qdrant Edge survives a killed process but not a crash of the machine until
    the shard is flushed: the registry may say "indexed" only after. One flush per batch, not per file."""
    seen: list[dict[str, Status]] = []
    real = runtime.store.flush

    def flush() -> None:
        seen.append({d.source: d.status for d in runtime.registry.list()})
        real()

    monkeypatch.setattr(runtime.store, "flush", flush)
    names = ["employee-handbook.md", "travel-policy.md"]
    report = runtime.ingestor.ingest([_src(SAMPLE_DOCS / n) for n in names])
    assert report.count("added") == 2
    assert seen == [dict.fromkeys(names, Status.INDEXING)]
    assert {d.status for d in runtime.registry.list()} == {Status.INDEXED}
    _consistent(runtime)


def test_unchanged_file_is_not_reembedded(runtime) -> None:
    path = SAMPLE_DOCS / "travel-policy.md"
    runtime.ingestor.ingest([_src(path)])
    calls = []
    real = runtime.embedder.embed_documents
    runtime.ingestor.embedder = type(
        "Spy",
        (),
        {
            "embed_documents": lambda s, t: calls.append(t) or real(t),
            "model_name": runtime.embedder.model_name,
        },
    )()
    runtime.ingestor.ingest([_src(path)])
    assert calls == []


def test_changed_file_replaces_its_chunks(runtime, tmp_path: Path) -> None:
    path = tmp_path / "policy.md"
    path.write_text("# Policy\n\nThe office opens at 08:00 and closes at 18:00.\n")
    runtime.ingestor.ingest([_src(path)])
    doc_id = document_id("default", "policy.md")
    old = runtime.registry.get("default", doc_id)
    path.write_text(
        "# Policy\n\nThe office opens at 07:30 and closes at 17:00.\n\n## Parking\n\nFree parking.\n"
    )
    report = runtime.ingestor.ingest([_src(path)])
    assert report.count("updated") == 1
    new = runtime.registry.get("default", doc_id)
    assert new.content_hash != old.content_hash
    texts = " ".join(c["text"] for c in runtime.store.chunks("default", doc_id))
    assert "07:30" in texts and "08:00" not in texts
    assert {c["doc_hash"] for c in runtime.store.chunks("default", doc_id)} == {new.content_hash}
    _consistent(runtime)


def test_metadata_change_rewrites_the_document(runtime) -> None:
    path = SAMPLE_DOCS / "support-faq.html"
    runtime.ingestor.ingest([_src(path, metadata={"team": "support"})])
    report = runtime.ingestor.ingest([_src(path, metadata={"team": "sales"})])
    assert report.count("updated") == 1
    assert all(
        c["metadata"] == {"team": "sales"} for c in runtime.store.chunks("default", report.outcomes[0].doc_id)
    )


def test_delete_leaves_nothing(runtime) -> None:
    report = runtime.ingestor.ingest([_src(SAMPLE_DOCS / "porter-h2-manual.pdf")])
    doc_id = report.outcomes[0].doc_id
    assert runtime.store.count("default", doc_id) > 0
    assert runtime.ingestor.delete("default", doc_id)
    assert runtime.store.count("default", doc_id) == 0
    assert runtime.registry.get("default", doc_id) is None
    assert runtime.retriever.search("lidar obstruction E-17", tenant="default").hits == []
    assert not runtime.ingestor.delete("default", doc_id)


def test_tenants_are_separate_documents(runtime) -> None:
    path = SAMPLE_DOCS / "price-list-2026.csv"
    runtime.ingestor.ingest([_src(path, "acme"), _src(path, "globex")])
    assert document_id("acme", path.name) != document_id("globex", path.name)
    runtime.ingestor.delete("acme", document_id("acme", path.name))
    assert runtime.retriever.search("dock charger price", tenant="globex").hits
    assert runtime.retriever.search("dock charger price", tenant="acme").hits == []


def test_a_failed_update_keeps_the_served_version(runtime, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("The quarterly review is on 12 March.\n")
    runtime.ingestor.ingest([_src(path)])
    path.write_text("   \n")
    report = runtime.ingestor.ingest([_src(path)])
    assert report.count("failed") == 1 and report.failed[0].reason == "empty"
    doc = runtime.registry.get("default", document_id("default", "notes.txt"))
    assert doc.status == Status.INDEXED and "empty" in doc.error
    assert "12 March" in runtime.store.chunks("default", doc.id)[0]["text"]


def test_folder_with_bad_files_ingests_the_good_ones(runtime, tmp_path: Path) -> None:
    runtime.ingestor.ingest([_src(SAMPLE_DOCS / "security-policy.docx")])
    before = runtime.store.count()
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(SAMPLE_DOCS / "support-faq.html", folder)
    shutil.copy(SAMPLE_DOCS / "office-locations.csv", folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "slides.key").write_bytes(b"PK\x03\x04")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 nonsense")
    from ingest.sources import expand

    report = runtime.ingestor.ingest([Source.from_path(p, n, "default") for p, n in expand([str(folder)])])
    assert report.count("added") == 2
    assert {o.source: o.reason for o in report.failed} == {
        "empty.txt": "empty",
        "slides.key": "unsupported_format",
        "broken.pdf": "malformed",
    }
    assert runtime.store.count() > before
    assert (
        runtime.retriever.search("security incident report", tenant="default").hits[0].source
        == "security-policy.docx"
    )
    _consistent(runtime)


@pytest.mark.shared_data
def test_shared_bad_inputs_folder(runtime) -> None:
    folder = shared("bad-inputs")
    sources = [_src(p) for p in sorted(folder.iterdir()) if "1225p" not in p.name]
    report = runtime.ingestor.ingest(sources)
    from test_parse import BAD_INPUTS

    expected_failures = {name for name, error in BAD_INPUTS.items() if error is not None}
    assert {o.source for o in report.failed} == expected_failures
    assert all(o.reason and o.error for o in report.failed)
    assert report.count("added") == len(sources) - len(expected_failures)
    _consistent(runtime)


def test_reconcile_rolls_back_a_half_written_update(runtime, tmp_path: Path) -> None:
    """Simulate a crash between the registry's 'indexing' mark and the end of the point writes."""
    path = tmp_path / "a.md"
    path.write_text("# A\n\nVersion one of the text.\n")
    runtime.ingestor.ingest([_src(path)])
    doc = runtime.registry.get("default", document_id("default", "a.md"))
    runtime.registry.begin_index(
        "default", doc.id, source="a.md", content_hash="f" * 64, chunks=3, fmt="md", size_bytes=1, metadata={}
    )
    import numpy as np

    from core.types import Chunk
    from ingest.write import build_points  # one point of three written, then the "crash"

    pts = build_points(
        tenant="default",
        doc_id=doc.id,
        source="a.md",
        content_hash="f" * 64,
        chunks=[Chunk(0, "partial", (), "", (), 1)],
        dense=np.zeros((1, 384), dtype=np.float32) + 0.05,
        sparse=[runtime.sparse.embed_document("partial")],
        embedding_model="m",
        metadata={},
    )
    runtime.store.upsert(pts)
    assert reconcile(runtime.store, runtime.registry).rolled_back == []  # this live process's write
    with runtime.registry._session() as s:  # the process that was writing it is gone (no lease row)
        s.execute(update(DocRecord).where(DocRecord.id == doc.id).values(owner="elsewhere:1:dead"))
    report = reconcile(runtime.store, runtime.registry)
    assert report.rolled_back == [doc.id]
    after = runtime.registry.get("default", doc.id)
    assert after.status == Status.INDEXED and after.content_hash == doc.content_hash
    assert "interrupted" in after.error
    _consistent(runtime)


def test_full_reconcile_removes_orphans_and_flags_missing_chunks(runtime) -> None:
    report = runtime.ingestor.ingest(
        [_src(SAMPLE_DOCS / "employee-handbook.md"), _src(SAMPLE_DOCS / "travel-policy.md")]
    )
    a, b = (o.doc_id for o in report.outcomes)
    runtime.registry.begin_delete("default", a)  # registry forgot a: its points are orphans
    runtime.registry.finish_delete("default", a)
    runtime.store.delete_document("default", b)  # the store lost b's points
    rec = reconcile(runtime.store, runtime.registry, full=True)
    assert rec.orphans_removed == [a] and rec.marked_failed == [b]
    assert runtime.store.count() == 0
    assert runtime.registry.get("default", b).status == Status.FAILED


def test_every_point_carries_the_settings_fingerprint_and_model(
    runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.fingerprint import settings_fingerprint

    src = SAMPLE_DOCS / "travel-policy.md"
    runtime.ingestor.ingest([Source.from_path(src, src.name, "default")])
    chunks = runtime.store.chunks("default", document_id("default", src.name))
    expected = settings_fingerprint(runtime.settings)
    assert chunks and all(c["fingerprint"] == expected and c["embedding_model"] for c in chunks)
    s = runtime.settings
    assert settings_fingerprint(s.model_copy()) == expected  # same settings, same fingerprint
    for changed in (
        s.model_copy(update={"chunking": s.chunking.model_copy(update={"size_tokens": 120})}),
        s.model_copy(update={"bm25": s.bm25.model_copy(update={"k1": 1.2})}),
        s.model_copy(update={"embedding": s.embedding.model_copy(update={"backend": "torch"})}),
        s.model_copy(update={"chunking": s.chunking.model_copy(update={"max_chars": 4000})}),
    ):
        assert settings_fingerprint(changed) != expected
    # Chunks cut by older chunker code carry another fingerprint, so --incremental rebuilds them.
    monkeypatch.setattr("ingest.fingerprint.CHUNKER_VERSION", -1)
    assert settings_fingerprint(s) != expected
    monkeypatch.undo()
    # Settings that do not change the points do not change the fingerprint.
    assert settings_fingerprint(s.model_copy(update={"tenant": "other", "log_level": "DEBUG"})) == expected


def _poisoned_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "poisoned"
    folder.mkdir()
    shutil.copy(SAMPLE_DOCS / "travel-policy.md", folder)
    shutil.copy(SAMPLE_DOCS / "office-locations.csv", folder)
    (folder / "deep.json").write_bytes(b"[" * 1500 + b"]" * 1500)
    return folder


def test_a_poisoned_json_fails_alone(runtime, tmp_path: Path) -> None:
    from ingest.sources import expand

    folder = _poisoned_folder(tmp_path)
    report = runtime.ingestor.ingest([Source.from_path(p, n, "default") for p, n in expand([str(folder)])])
    assert report.count("added") == 2
    assert [(o.source, o.reason) for o in report.failed] == [("deep.json", "malformed")]
    assert "nested more than 64 levels deep" in report.failed[0].error
    doc = runtime.registry.get("default", document_id("default", "deep.json"))
    assert doc.status == Status.FAILED and doc.error.startswith("malformed")
    _consistent(runtime)


def test_the_cli_ingests_the_rest_of_a_folder_and_names_the_poisoned_file(cli, tmp_path: Path) -> None:
    import json

    folder = _poisoned_folder(tmp_path)
    summary = json.loads(cli("ingest", str(folder), "--json", code=1).stdout)
    assert (summary["added"], summary["failed"]) == (2, 1)
    failed = [d for d in summary["documents"] if d["status"] == "failed"]
    assert failed[0]["source"] == "deep.json" and failed[0]["reason"] == "malformed"
    table = cli("ingest", str(folder), code=1).output
    assert "deep.json" in table and "failed 1" in table


def test_an_unforeseen_failure_fails_that_file_only(runtime, tmp_path: Path) -> None:
    """A library bug while parsing or chunking one file: a failed outcome with a plain sentence (the
    traceback goes to the log), never an exception out of the batch."""

    class Broken:
        def chunk(self, elements):
            raise AttributeError("'NoneType' object has no attribute 'text' at 0x7f00deadbeef")

    good = runtime.chunker
    runtime.ingestor.chunker = Broken()
    path = tmp_path / "a.md"
    path.write_text("# A\n\nSome text.\n")
    report = runtime.ingestor.ingest([_src(path)])
    assert [(o.source, o.reason) for o in report.failed] == [("a.md", "malformed")]
    assert report.failed[0].error == "a.md: could not be read: the parser could not make sense of its content"
    runtime.ingestor.chunker = good
    assert runtime.ingestor.ingest([_src(path)]).count("added") == 1


def test_documents_parsed_in_parallel_come_out_in_order(runtime, tmp_path: Path) -> None:
    """RAG_INGEST__PARSE_CONCURRENCY > 1: the same outcomes, in the same order, and the same chunks as
    parsing one document at a time (the batching, and so every vector, depends on the order)."""
    sources = [_src(p) for p in sorted(SAMPLE_DOCS.iterdir())]
    runtime.ingestor.parse_concurrency = 3
    parallel = runtime.ingestor.ingest(sources)
    chunks = {o.source: runtime.store.chunks("default", o.doc_id) for o in parallel.outcomes}
    for o in parallel.outcomes:
        runtime.ingestor.delete("default", o.doc_id)
    runtime.ingestor.parse_concurrency = 1
    serial = runtime.ingestor.ingest(sources)
    assert [(o.source, o.status, o.chunks) for o in parallel.outcomes] == [
        (o.source, o.status, o.chunks) for o in serial.outcomes
    ]
    assert [o.source for o in serial.outcomes] == [s.name for s in sources]
    for o in serial.outcomes:
        again = runtime.store.chunks("default", o.doc_id)
        assert [c["text"] for c in again] == [c["text"] for c in chunks[o.source]]


def test_in_parallel_overlaps_the_work_and_keeps_the_order() -> None:
    import threading
    import time

    from ingest.batch import in_parallel

    started: list[int] = []

    def slow(i: int) -> int:
        started.append(i)
        time.sleep(0.3 if i % 2 == 0 else 0.05)
        return i * 10

    t = time.monotonic()
    assert list(in_parallel(slow, range(8), workers=4)) == [i * 10 for i in range(8)]
    assert time.monotonic() - t < 1.5  # 8 x 0.175 s one at a time
    # Leaving early: what has not started never starts.
    started.clear()
    gen = in_parallel(slow, range(100), workers=2)
    assert next(gen) == 0
    gen.close()
    assert len(started) <= 6 and threading.active_count() < 50


def test_a_batch_writes_the_registry_in_few_transactions_and_a_busy_document_fails_alone(
    runtime, tmp_path: Path
) -> None:
    """Issue 18: the registry is written per batch, not per document (each commit waits for the disk),
    and a document another live process is writing still fails on its own."""
    from sqlalchemy import event
    from test_leases import playing

    folder = tmp_path / "notes"
    folder.mkdir()
    for i in range(8):
        (folder / f"note{i}.txt").write_text(
            f"Note {i}: the battery of robot {i} passed its check on shelf {i}."
        )
    with playing("writer") as writer:
        runtime.leases.beat()
        runtime.registry.begin_index(
            "default", document_id("default", "note3.txt"), source="note3.txt", content_hash="f" * 64,
            chunks=1, fmt="txt", size_bytes=1, metadata={},
        )  # fmt: skip
    commits = [0]
    event.listen(runtime.registry.engine, "commit", lambda _c: commits.__setitem__(0, commits[0] + 1))
    report = runtime.ingestor.ingest([_src(p) for p in sorted(folder.iterdir())])
    assert report.count("added") == 7
    [busy] = report.failed
    assert (busy.source, busy.reason) == ("note3.txt", "busy")
    assert commits[0] <= 3 * 8  # one at a time: about 9 a document
    docs = {d.source: d for d in runtime.registry.list()}
    assert docs["note3.txt"].owner == writer and docs["note3.txt"].status == Status.INDEXING
    for name, d in docs.items():
        if name != "note3.txt":
            assert d.status == Status.INDEXED
            assert runtime.store.count("default", d.id, d.content_hash) == d.chunk_count > 0


def test_the_next_batch_is_embedded_while_one_is_written_and_outcomes_keep_their_order(
    runtime, tmp_path: Path, monkeypatch
) -> None:
    """Issue 18: the model embeds batch k+1 in a thread of its own while batch k gets its BM25 vectors,
    guard notes and points and is written; outcomes (a file that fails among them too) come in the order
    of the files, as when each batch was embedded and written in turn."""
    import threading
    import time

    folder = tmp_path / "notes"
    folder.mkdir()
    names = ["a.txt", "b.txt", "broken.pdf", "c.txt", "d.txt", "e.txt"]
    for n in names:
        (folder / n).write_text(f"{n}: the charging dock of robot {n[0]} was serviced on Monday.")
    real = runtime.embedder.embed_documents
    spans: list[tuple[float, float, str]] = []
    writes: list[float] = []

    def slow_embed(texts):
        t0 = time.monotonic()
        time.sleep(0.3)
        out = real(texts)
        spans.append((t0, time.monotonic(), threading.current_thread().name))
        return out

    upsert = runtime.store.upsert

    def timed_upsert(points):
        writes.append(time.monotonic())
        return upsert(points)

    runtime.ingestor.embedder = type(
        "Slow", (), {"embed_documents": lambda s, t: slow_embed(t), "model_name": runtime.embedder.model_name}
    )()
    runtime.ingestor.batch_chunks = 1  # each file a batch of its own
    monkeypatch.setattr(runtime.store, "upsert", timed_upsert)
    report = runtime.ingestor.ingest([_src(folder / n) for n in names])
    assert [o.source for o in report.outcomes] == names
    assert [o.status for o in report.outcomes] == ["added"] * 2 + ["failed"] + ["added"] * 3
    assert len(spans) == 5 and all(name != threading.current_thread().name for *_, name in spans)
    assert any(t0 < w < t1 for w in writes for t0, t1, _ in spans)  # a write while a batch embedded
    _consistent(runtime)
