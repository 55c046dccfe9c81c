"""Original files: stored once per content, referenced per document and job, deleted with the last
reference, streamed in, measured per tenant. Real files and real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import io
import threading
from pathlib import Path

import pytest

from core.errors import FileTooLarge, QuotaExceeded
from ingest.blobs import BlobStore, Owner


@pytest.fixture
def blobs(tmp_path: Path, db_url: str):
    store = BlobStore(tmp_path / "blobs", db_url)
    yield store
    store.close()


def _threads(n: int, target) -> list:  # noqa: ANN001 - a callable of the thread's index
    """Run ``target(i)`` in ``n`` threads released at the same moment; the exceptions they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def run(i: int) -> None:
        start.wait()
        try:
            target(i)
        except BaseException as e:  # noqa: BLE001 - collected and asserted on by the caller
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_identical_concurrent_puts_all_succeed(blobs: BlobStore) -> None:
    data = b"the same upload " * 200_000  # 3 MB: long enough for writes to overlap
    digest = hashlib.sha256(data).hexdigest()
    for round_ in range(3):
        errors = _threads(8, lambda i, r=round_: blobs.put(data, Owner.job("acme", f"job-{r}-{i}")))
        assert errors == []
        assert blobs.get(digest) == data
        for i in range(8):
            blobs.release(Owner.job("acme", f"job-{round_}-{i}"))
        assert not blobs.exists(digest)  # the next round starts with no file: all eight write it
    assert not list((blobs.root / "tmp").glob("*"))  # no temporary file left behind


def test_a_file_goes_with_its_last_reference_whoever_holds_it(blobs: BlobStore) -> None:
    digest = blobs.put(b"shared bytes", Owner.document("acme", "doc-a"))
    blobs.put(b"shared bytes", Owner.job("globex", "job-b"))
    assert blobs.release(Owner.document("acme", "doc-a")) == []
    assert blobs.exists(digest)  # globex's queued job still needs it
    assert blobs.release(Owner.job("globex", "job-b")) == [digest]
    assert not blobs.exists(digest)


def test_sync_keeps_what_a_document_serves_and_lets_the_old_version_go(blobs: BlobStore) -> None:
    doc = Owner.document("acme", "doc")
    old = blobs.put(b"version 1", doc)
    new = blobs.put(b"version 2", doc)
    assert blobs.sync(doc, {new}) == [old]
    assert blobs.exists(new) and not blobs.exists(old)
    assert blobs.sync(doc, set()) == [new]


def test_a_file_the_registry_still_uses_is_kept(tmp_path: Path, db_url: str) -> None:
    """Documents indexed before references existed have none: ``in_use`` speaks for them."""
    legacy = hashlib.sha256(b"indexed long ago").hexdigest()
    store = BlobStore(tmp_path / "blobs", db_url, in_use=lambda d: d == legacy)
    try:
        store.put(b"indexed long ago", Owner.job("acme", "j"))
        assert store.release(Owner.job("acme", "j")) == []
        assert store.exists(legacy)
    finally:
        store.close()


def test_releasing_while_the_same_bytes_arrive_never_loses_the_file(blobs: BlobStore) -> None:
    data = b"racing bytes " * 50_000
    digest = hashlib.sha256(data).hexdigest()
    for round_ in range(30):
        first, second = Owner.job("acme", f"a{round_}"), Owner.job("globex", f"b{round_}")
        blobs.put(data, first)
        errors = _threads(2, lambda i, a=first, b=second: blobs.release(a) if i == 0 else blobs.put(data, b))
        assert errors == []
        assert blobs.exists(digest), f"lost in round {round_}"
        blobs.release(second)
        assert not blobs.exists(digest)


def test_received_files_are_streamed_limited_and_kept_once(blobs: BlobStore) -> None:
    data = b"x" * 3_000_000
    with pytest.raises(FileTooLarge):
        blobs.receive(io.BytesIO(data), limit=len(data) - 1)
    assert not list((blobs.root / "tmp").glob("*"))

    one, two = blobs.receive(io.BytesIO(data), len(data)), blobs.receive(io.BytesIO(data), len(data))
    assert one.path != two.path and one.digest == two.digest == hashlib.sha256(data).hexdigest()
    assert one.size == len(data) and one.path.parent == blobs.root / "tmp"
    blobs.keep(one, Owner.job("acme", "j1"))
    blobs.keep(two, Owner.job("acme", "j2"))
    assert blobs.get(one.digest) == data and not one.path.exists() and not two.path.exists()
    dropped = blobs.receive(io.BytesIO(b"never kept"), 100)
    blobs.discard(dropped)
    assert not dropped.path.exists()


def test_usage_counts_a_file_once_per_tenant_and_for_each_tenant(blobs: BlobStore) -> None:
    blobs.put(b"a" * 1000, Owner.document("acme", "d1"))
    blobs.put(b"a" * 1000, Owner.job("acme", "j1"))  # the same file again: no more bytes
    blobs.put(b"b" * 500, Owner.job("acme", "j2"))
    blobs.put(b"a" * 1000, Owner.document("globex", "d1"))  # shared: counts for globex too
    assert blobs.usage("acme") == 1500 and blobs.usage("globex") == 1000 and blobs.usage("initech") == 0

    again = blobs.receive(io.BytesIO(b"a" * 1000), 10_000)
    blobs.keep_all([(again, Owner.job("acme", "j3"))], quota=1500)  # already stored for acme: free
    fresh, small = (blobs.receive(io.BytesIO(x), 10_000) for x in (b"c" * 600, b"d" * 100))
    with pytest.raises(QuotaExceeded) as e:  # all or none: the small one alone would fit
        blobs.keep_all([(small, Owner.job("acme", "j4")), (fresh, Owner.job("acme", "j5"))], quota=2000)
    assert e.value.reason == "quota" and "RAG_API__TENANT_QUOTA_MB" in str(e.value)
    assert "to 2.1 KiB, over its quota of 2.0 KiB (1.5 KiB in use" in str(e.value)
    assert blobs.usage("acme") == 1500 and not blobs.exists(small.digest) and small.path.exists()
    assert {o.id for o in blobs.owners("job")} == {"j1", "j2", "j3"}


def test_concurrent_keeps_never_take_a_tenant_over_its_quota(blobs: BlobStore) -> None:
    files = [blobs.receive(io.BytesIO(bytes([65 + i]) * 1000), 10_000) for i in range(8)]
    errors = _threads(8, lambda i: blobs.keep_all([(files[i], Owner.job("acme", f"j{i}"))], quota=3500))
    assert len(errors) == 5 and all(isinstance(e, QuotaExceeded) for e in errors), errors
    assert blobs.usage("acme") == 3000


def test_a_file_the_batch_path_fails_to_parse_leaves_no_original(runtime, tmp_path: Path) -> None:
    """``rag ingest``: an original is kept before parsing; a file that then fails must not stay behind
    (and count in its tenant's quota), while a failed update keeps the version still served."""
    from ingest.pipeline import Source

    bad, notes = tmp_path / "blank.txt", tmp_path / "notes.txt"
    bad.write_bytes(b"   \n")
    notes.write_bytes(b"The quarterly review is on 12 March.\n")
    report = runtime.ingestor.ingest([Source.from_path(p, p.name, "acme") for p in (bad, notes)])
    assert [o.status for o in report.outcomes] == ["failed", "added"]
    served = hashlib.sha256(notes.read_bytes()).hexdigest()
    assert not runtime.blobs.exists(hashlib.sha256(b"   \n").hexdigest())
    assert runtime.blobs.usage("acme") == notes.stat().st_size

    notes.write_bytes(b"  \n\n ")  # the update fails: the served version's original stays
    assert runtime.ingestor.ingest([Source.from_path(notes, "notes.txt", "acme")]).failed
    assert runtime.blobs.exists(served) and not runtime.blobs.exists(hashlib.sha256(b"  \n\n ").hexdigest())
    assert runtime.blobs.usage("acme") == len(b"The quarterly review is on 12 March.\n")
