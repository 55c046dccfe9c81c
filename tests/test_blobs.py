"""Original files: stored once per content, referenced per document and job, deleted with the last
reference, streamed in, measured per tenant; in a local directory and behind an fsspec URL (``memory://``,
fsspec's own in-process filesystem, stands for a remote store). Real files and real databases (SQLite
and PostgreSQL)."""

from __future__ import annotations

import hashlib
import io
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path

import fsspec
import pytest

from core.errors import ConfigError, FileTooLarge, QuotaExceeded
from ingest.blobs import BlobStore, Owner

Make = Callable[..., BlobStore]


@pytest.fixture(params=["directory", "memory"])
def make(request: pytest.FixtureRequest, tmp_path: Path, db_url: str) -> Iterator[Make]:
    """``make(in_use=None)``: a store in a local directory, or at a fresh ``memory://`` URL (files staged
    in a local directory of their own)."""
    made: list[BlobStore] = []
    url = f"memory://blobs-{uuid.uuid4().hex}"

    def make_store(in_use: Callable[[str], bool] | None = None) -> BlobStore:
        refs = db_url
        if request.param == "directory":
            store = BlobStore(tmp_path / "blobs", refs, in_use)
        else:
            store = BlobStore(url, refs, in_use, staging=tmp_path / "staging")
        made.append(store)
        return store

    yield make_store
    for store in made:
        store.close()
    if request.param == "memory":
        with suppress(FileNotFoundError):  # nothing left
            fsspec.filesystem("memory").rm(url, recursive=True)


@pytest.fixture
def blobs(make: Make) -> BlobStore:
    return make()


def _stored(blobs: BlobStore) -> list[str]:
    """Every file under the store's root, temporary ones included."""
    return blobs.fs.find(blobs.base)


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
    assert not list(blobs.temp_dir.glob("*"))  # no temporary file left behind
    assert _stored(blobs) == []  # nor temporary key


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


def test_sync_all_settles_each_owner_as_its_own_sync_would(blobs: BlobStore) -> None:
    """Owners of the same id in two tenants, one with an old version to let go, one with none, one
    that should hold a stored file it does not yet reference: only the old version goes."""
    acme, globex, initech = (Owner.document(t, "doc") for t in ("acme", "globex", "initech"))
    old = blobs.put(b"acme version 1", acme)
    new = blobs.put(b"acme version 2", acme)
    theirs = blobs.put(b"globex's only version", globex)
    assert blobs.sync_all([(acme, {new}), (globex, {theirs}), (initech, {theirs})]) == [old]
    assert not blobs.exists(old) and blobs.exists(new) and blobs.exists(theirs)
    assert blobs.release(globex) == []  # initech now holds it too
    assert blobs.release(initech) == [theirs]
    assert blobs.sync_all([]) == []


def test_a_file_the_registry_still_uses_is_kept(make: Make) -> None:
    """Documents indexed before references existed have none: ``in_use`` speaks for them."""
    legacy = hashlib.sha256(b"indexed long ago").hexdigest()
    store = make(in_use=lambda d: d == legacy)
    store.put(b"indexed long ago", Owner.job("acme", "j"))
    assert store.release(Owner.job("acme", "j")) == []
    assert store.exists(legacy)


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
    assert not list(blobs.temp_dir.glob("*"))

    one, two = blobs.receive(io.BytesIO(data), len(data)), blobs.receive(io.BytesIO(data), len(data))
    assert one.path != two.path and one.digest == two.digest == hashlib.sha256(data).hexdigest()
    assert one.size == len(data) and one.path.parent == blobs.temp_dir
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


def test_a_reader_gets_a_local_file_removed_after_unless_it_is_the_original(blobs: BlobStore) -> None:
    digest = blobs.put(b"parse me from a file", Owner.job("acme", "j"))
    with blobs.local(digest) as path:
        assert path.read_bytes() == b"parse me from a file"
    assert path.exists() == (blobs.root is not None)  # the original itself, or a copy now gone
    assert not list(blobs.temp_dir.glob("*"))
    blobs.delete(digest)
    with pytest.raises(FileNotFoundError), blobs.local(digest):
        pass


def test_temporary_files_a_crash_left_are_cleaned_locally_and_in_the_store(blobs: BlobStore) -> None:
    """An upload killed between its staging and its move leaves a temporary key in a remote store."""
    blobs.receive(io.BytesIO(b"a crash left me here"), 100)
    orphan = f"{blobs.base}/tmp/{uuid.uuid4().hex}.part"
    blobs.fs.pipe_file(orphan, b"half an upload")
    assert blobs.clean_temp(older_than_s=3600) == 0  # too young: an upload may still be writing them
    assert blobs.clean_temp(older_than_s=-1) == 2
    assert not list(blobs.temp_dir.glob("*")) and not blobs.fs.exists(orphan)


def test_an_unknown_protocol_is_refused_at_start_with_a_clear_reason(tmp_path: Path) -> None:
    refs = f"sqlite:///{tmp_path / 'r.sqlite'}"
    with pytest.raises(ConfigError) as e:
        BlobStore("nosuch://bucket/originals", refs)
    assert "RAG_API__BLOB_URL" in str(e.value) and "unknown protocol 'nosuch'" in str(e.value)


def test_a_protocol_whose_package_is_missing_names_the_package(tmp_path: Path) -> None:
    """fsspec knows the protocol but its backend is not installed (as s3:// without s3fs)."""
    fsspec.register_implementation(
        "nopkgfs",
        "nosuch_fsspec_backend.NoSuchFileSystem",
        errtxt="Install nosuch-fsspec-backend",
        clobber=True,
    )
    refs = f"sqlite:///{tmp_path / 'r.sqlite'}"
    with pytest.raises(ConfigError) as e:
        BlobStore("nopkgfs://user:hunter2@host/originals", refs)
    message = str(e.value)
    assert "pip install nosuch_fsspec_backend" in message and "Install nosuch-fsspec-backend" in message
    assert "hunter2" not in message and "RAG_API__BLOB_URL" in message
    try:
        import s3fs  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match="pip install s3fs"):
            BlobStore("s3://bucket/originals", refs)


def test_a_remote_store_serves_a_job_from_upload_to_search(
    tmp_path: Path, embedder, onnx_cache, llm, sharing_runtime
) -> None:  # noqa: ANN001
    """RAG_API__BLOB_URL=memory://...: the upload goes to the store, the job parses it from there, and
    deleting the document deletes it there; the local blob directory only stages."""
    from api_client import key, serve, upload

    url = f"memory://e2e-{uuid.uuid4().hex}"
    data = b"The lighthouse keeper logs the fog horn tests every Tuesday at dawn.\n"
    digest = hashlib.sha256(data).hexdigest()
    memory = fsspec.filesystem("memory")
    try:
        with serve(tmp_path / "data", embedder, onnx_cache, llm, sharing_runtime, api={"blob_url": url}) as c:
            a = key(c, "acme")
            r = upload(c, a, ("lighthouse.txt", data))
            assert r.status_code == 200, r.text
            (doc,) = r.json()["documents"]
            assert doc["status"] == "indexed", doc
            assert memory.cat_file(f"{url}/{digest[:2]}/{digest}") == data
            hits = c.post("/v1/search", json={"query": "fog horn tests"}, headers=a).json()["hits"]
            assert hits and "fog horn" in hits[0]["text"]
            assert c.delete(f"/v1/documents/{doc['document_id']}", headers=a).status_code == 204
            assert not memory.exists(f"{url}/{digest[:2]}/{digest}")
        staged = tmp_path / "data" / "blobs"
        assert not [p for p in staged.rglob("*") if p.is_file()]  # nothing kept locally
    finally:
        with suppress(FileNotFoundError):
            memory.rm(url, recursive=True)


def _keep_and_check(url: str, root: str, data: bytes, name: str, rounds: int, out) -> None:  # noqa: ANN001
    """In its own process: reference the file, check it is there, let go of it; ``rounds`` times."""
    store = BlobStore(Path(root), url)
    lost = 0
    for i in range(rounds):
        owner = Owner.job(name, f"{name}{i}")
        digest = store.put(data, owner)
        lost += not store.exists(digest)
        store.release(owner)
    store.close()
    out.put(lost)


def test_two_processes_keeping_and_releasing_one_file_never_lose_it(tmp_path: Path, db_url: str) -> None:
    """Across processes only the database orders a release and a keep of the same file: on PostgreSQL a
    release counting references could miss another process's uncommitted one and delete the file."""
    import multiprocessing

    BlobStore(tmp_path / "blobs", db_url).close()  # the schema, before the race
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    data = b"one file, two processes " * 1000
    procs = [
        ctx.Process(target=_keep_and_check, args=(db_url, str(tmp_path / "blobs"), data, n, 150, out))
        for n in ("a", "b")
    ]
    for p in procs:
        p.start()
    lost = [out.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert lost == [0, 0]
