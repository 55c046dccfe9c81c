"""Ingestion jobs through the HTTP API: fair turns between tenants, cancel, timeouts that free the
worker, originals kept while anything needs them, quotas, ?wait=true and file names. Real app, model,
Qdrant Edge and files; the only fault injected is a parse stage that waits (``Gate``), so a worker can be
held busy deterministically."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from api.schemas import JobOut
from api_client import key, serve, upload
from core.errors import Cancelled
from ingest.jobstore import JobStore


class Gate:
    """Wraps the runner's ingestion. Files named ``hold*`` wait at the start of parsing until released,
    and stop when cancelled (as the killed parser of a cancelled job does); files named ``stuck*`` wait
    until released whatever happens (a parser that ignores its cancel); files named ``boom*`` fail with
    an exception nobody expected. Records the order files start."""

    def __init__(self, runner) -> None:  # noqa: ANN001 - ingest.jobs.JobRunner
        self.real = runner.ingest
        self.release = threading.Event()
        self.entered = threading.Event()
        self.started: list[str] = []
        runner.ingest = self

    def __call__(self, src, on_stage: Callable[[str], None], cancel: threading.Event | None = None):  # noqa: ANN001, ANN204
        def stage(name: str) -> None:
            on_stage(name)
            if name != "parsing":
                return
            self.started.append(src.name)
            if src.name.startswith("boom"):
                raise RuntimeError(f"<unstructured.Partitioner object at 0x7f3a2b1c4d50> broke on {src.name}")
            if src.name.startswith(("hold", "stuck")):
                self.entered.set()
                while not self.release.wait(0.01):
                    if src.name.startswith("hold") and cancel is not None and cancel.is_set():
                        raise Cancelled(f"{src.name}: cancelled while parsing")

        return self.real(src, stage, cancel) if cancel is not None else self.real(src, stage)


@pytest.fixture
def app(tmp_path: Path, embedder, onnx_cache, llm, sharing_runtime):
    """An app with one job worker and a gate on it: ``app(**api_overrides)`` -> (client, gate). With one
    worker it parses on the session's parser process (already started) rather than starting its own."""
    stack = []

    def start(**api):
        cm = serve(
            tmp_path / "data", embedder, onnx_cache, llm, sharing_runtime, api={"job_workers": 1, **api}
        )
        client = cm.__enter__()
        stack.append((cm, client))
        return client, Gate(client.app.state.services.runner)

    yield start
    for cm, client in stack:
        client.app.state.services.runner.ingest.release.set()
        cm.__exit__(None, None, None)


def _job(client, headers, *files, **kw):  # noqa: ANN001, ANN202
    r = upload(client, headers, *files, wait=False, **kw)
    assert r.status_code == 202, r.text
    return [d["job"] for d in r.json()["documents"]]


def _wait(client, job_ids: list[str], timeout_s: float = 60) -> dict[str, dict]:
    jobs = client.app.state.services.runner.wait(job_ids, timeout_s)
    return {j.id: JobOut.model_validate(j, from_attributes=True).model_dump() for j in jobs}


def _until(check: Callable[[], bool], timeout_s: float) -> float:
    t0 = time.monotonic()
    while not check():
        assert time.monotonic() - t0 < timeout_s, "not within the time"
        time.sleep(0.02)
    return time.monotonic() - t0


def _warm_parser(client) -> None:  # noqa: ANN001
    """Start the parser process before a test with a short job timeout: its first start (it loads its
    models) takes seconds on a busy machine, which would time out the first job that happens to parse."""
    client.app.state.services.runtime.parser.parse(b"Warm up.", "warm-up.txt")


def _blob(client, data: bytes) -> Path:  # noqa: ANN001
    return client.app.state.services.blobs.path(hashlib.sha256(data).hexdigest())


SHARED = b"Both tenants upload this very file. It is about warehouse robots and their docking stations.\n"


def test_deleting_a_document_keeps_the_file_another_tenants_queued_job_needs(app) -> None:
    client, gate = app()
    a, b = key(client, "acme"), key(client, "globex")
    (mine,) = _job(client, a, ("robots.txt", SHARED))
    assert _wait(client, [mine["id"]])[mine["id"]]["state"] == "indexed"
    _job(client, a, ("hold.txt", b"holds the only worker"))
    assert gate.entered.wait(10)
    (theirs,) = _job(client, b, ("robots.txt", SHARED))  # the same bytes, queued behind the held job
    assert client.delete(f"/v1/documents/{mine['document_id']}", headers=a).status_code == 204
    assert _blob(client, SHARED).exists()
    gate.release.set()
    job = _wait(client, [theirs["id"]])[theirs["id"]]
    assert job["state"] == "indexed", job
    assert client.post("/v1/search", json={"query": "docking stations"}, headers=b).json()["hits"]


def test_eight_identical_concurrent_uploads_are_all_accepted(app) -> None:
    client, gate = app()
    a = key(client, "acme")
    data = b"hold me: the same large upload, eight times at once\n" * 60_000  # 3 MB
    statuses: list[int] = []

    def send() -> None:
        statuses.append(upload(client, a, ("hold-big.txt", data), wait=False).status_code)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [202] * 8
    assert _blob(client, data).read_bytes() == data
    assert not list((client.app.state.services.blobs.root / "tmp").glob("*"))


def test_cancel_a_queued_job_and_a_running_one(app) -> None:
    client, gate = app()
    a, b = key(client, "acme"), key(client, "globex")
    (running,) = _job(client, a, ("hold.txt", b"a long parse"))
    assert gate.entered.wait(10)
    queued, after = _job(
        client, a, ("queued.txt", b"never parsed"), ("after.txt", b"parsed after the cancel")
    )

    assert client.post(f"/v1/jobs/{queued['id']}/cancel", headers=b).status_code == 404  # not theirs
    r = client.post(f"/v1/jobs/{queued['id']}/cancel", headers=a)
    assert r.status_code == 200 and r.json()["was"] == "queued", r.text
    assert r.json()["job"]["state"] == "failed" and r.json()["job"]["reason"] == "cancelled"
    assert not _blob(client, b"never parsed").exists()  # its original went with its job

    runner = client.app.state.services.runner
    t0 = time.monotonic()
    r = client.delete(f"/v1/jobs/{running['id']}", headers=a)
    assert r.status_code == 200 and r.json()["was"] == "running", r.text
    job = client.get(f"/v1/jobs/{running['id']}", headers=a).json()
    assert job["state"] == "failed" and job["reason"] == "cancelled"
    # Not only the table: the worker itself has let go of the job within the second.
    _until(lambda: running["id"] not in runner._running, 1.0)
    assert time.monotonic() - t0 < 1.0
    # The worker is free: the next job runs (the cancelled one never comes back to life).
    assert _wait(client, [after["id"]], 30)[after["id"]]["state"] == "indexed"
    assert gate.started == ["hold.txt", "after.txt"]
    assert client.get(f"/v1/jobs/{running['id']}", headers=a).json()["reason"] == "cancelled"
    r = client.post(f"/v1/jobs/{running['id']}/cancel", headers=a)
    assert r.status_code == 409 and "already ended failed" in r.json()["detail"]


def test_a_timed_out_job_that_will_not_stop_frees_the_worker(app) -> None:
    # The timeout applies to the job behind it too: long enough for a small file on a busy machine.
    client, gate = app(job_timeout_s=1.5, job_grace_s=0.3, heartbeat_s=0.05)
    _warm_parser(client)
    a = key(client, "acme")
    (stuck,) = _job(client, a, ("stuck.txt", b"a parser that ignores its cancel"))
    assert gate.entered.wait(10)
    (nxt,) = _job(client, a, ("next.txt", b"a small file behind it"))
    job = _wait(client, [nxt["id"]], 30)[nxt["id"]]
    assert job["state"] == "indexed", job  # another worker took over while the first is still stuck
    failed = client.get(f"/v1/jobs/{stuck['id']}", headers=a).json()
    assert failed["state"] == "failed" and failed["reason"] == "timeout"
    assert client.get("/readyz").json()["status"] == "ok"
    gate.release.set()  # the stuck worker comes back late: its job stays failed, its document unwritten
    runner = client.app.state.services.runner
    _until(lambda: stuck["id"] not in runner._running, 10)
    assert client.get(f"/v1/jobs/{stuck['id']}", headers=a).json()["reason"] == "timeout"
    doc = client.get(f"/v1/documents/{stuck['document_id']}", headers=a).json()
    assert doc.get("status") != "indexed" and doc.get("chunk_count", 0) == 0


def test_a_timed_out_job_is_stopped_and_says_timeout(app) -> None:
    client, gate = app(job_timeout_s=1.5, heartbeat_s=0.05)
    _warm_parser(client)
    a = key(client, "acme")
    (slow,) = _job(client, a, ("hold.txt", b"stops when told to"))
    (nxt,) = _job(client, a, ("next.txt", b"runs on the same worker after it"))
    jobs = _wait(client, [slow["id"], nxt["id"]], 30)
    assert jobs[slow["id"]]["reason"] == "timeout" and "RAG_API__JOB_TIMEOUT_S" in jobs[slow["id"]]["error"]
    assert jobs[nxt["id"]]["state"] == "indexed"


def test_references_a_crash_left_behind_are_dropped_on_start(
    tmp_path: Path, embedder, onnx_cache, llm
) -> None:
    from core.settings import load_settings
    from ingest.blobs import BlobStore, Owner
    from ingest.jobstore import JobState, JobStore

    settings = load_settings(data_dir=tmp_path / "data")
    jobs, blobs = JobStore(settings.registry_url), BlobStore(settings.blob_dir, settings.registry_url)
    # A job that failed, killed before it let go of its original; and one still queued.
    done = jobs.create(
        "acme", "doc-a", "a.txt", blobs.put(b"failed file", Owner.job("acme", "j-done")), {}, job_id="j-done"
    )
    jobs.transition(done.id, JobState.FAILED, reason="malformed", error="broken")
    queued = jobs.create(
        "acme", "doc-b", "b.txt", blobs.put(b"queued file", Owner.job("acme", "j-q")), {}, job_id="j-q"
    )
    jobs.close()
    blobs.close()
    with serve(tmp_path / "data", embedder, onnx_cache, llm) as client:
        services = client.app.state.services
        assert not services.blobs.exists(done.blob)
        assert services.runner.wait([queued.id], 60)[0].state == "indexed"
        assert services.blobs.exists(queued.blob)  # now the document's


def test_tenants_take_turns(app) -> None:
    client, gate = app()
    a, b = key(client, "acme"), key(client, "globex")
    _job(client, a, ("hold.txt", b"first"))
    assert gate.entered.wait(10)
    many = _job(client, a, *[(f"a{i}.txt", f"acme file {i}".encode()) for i in range(9)])
    (theirs,) = _job(client, b, ("b.txt", b"globex's only file"))
    gate.release.set()
    _wait(client, [j["id"] for j in many] + [theirs["id"]])
    assert gate.started.index("b.txt") == 1, gate.started  # right after the job that was running


def test_deleting_a_document_whose_first_job_is_queued_is_409(app) -> None:
    client, gate = app()
    a = key(client, "acme")
    _job(client, a, ("hold.txt", b"busy"))
    assert gate.entered.wait(10)
    (job,) = _job(client, a, ("new.txt", b"not indexed yet"))
    r = client.delete(f"/v1/documents/{job['document_id']}", headers=a)
    assert r.status_code == 409 and r.json()["title"] == "document busy", r.text
    assert f"/v1/jobs/{job['id']}/cancel" in r.json()["detail"]
    assert client.delete("/v1/documents/never-was", headers=a).status_code == 404


def test_wait_answers_202_before_the_request_times_out(app) -> None:
    client, gate = app(request_timeout_s=2.0)
    a = key(client, "acme")
    t0 = time.monotonic()
    r = upload(client, a, ("hold.txt", b"takes longer than the request may"), wait=True)
    assert r.status_code == 202, r.text
    assert time.monotonic() - t0 < 2.0
    assert r.json()["documents"][0]["job"]["state"] in ("queued", "parsing")
    gate.release.set()
    job_id = r.json()["documents"][0]["job"]["id"]
    assert _wait(client, [job_id])[job_id]["state"] == "indexed"


async def _slow_upload(app, headers: dict[str, str], name: str, data: bytes, seconds: float) -> int:  # noqa: ANN001
    """POST /v1/documents?wait=true with a body that arrives in pieces over ``seconds`` (a slow client):
    the ASGI app called directly, since the test client hands the app the whole body at once."""
    import anyio

    body = (
        b'--B0undary\r\nContent-Disposition: form-data; name="files"; filename="'
        + name.encode()
        + b'"\r\nContent-Type: text/plain\r\n\r\n'
        + data
        + b"\r\n--B0undary--\r\n"
    )
    pieces = [body[i : i + 64] for i in range(0, len(body), 64)]
    pause = seconds / len(pieces)
    sent: list[dict] = []
    done = anyio.Event()

    async def receive() -> dict:
        if pieces:
            await anyio.sleep(pause)
            return {"type": "http.request", "body": pieces.pop(0), "more_body": bool(pieces)}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    raw = {k.lower(): v for k, v in headers.items()} | {
        "content-type": "multipart/form-data; boundary=B0undary",
        "content-length": str(len(body)),
        "host": "testserver",
    }
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/documents",
        "raw_path": b"/v1/documents",
        "query_string": b"wait=true",
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in raw.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


def test_wait_counts_the_time_the_upload_took(app) -> None:
    """The request timeout runs from the request's start, the body's upload included: ?wait=true must
    leave for itself only what is left of it."""
    client, gate = app(request_timeout_s=4.0)
    a = key(client, "acme")
    t0 = time.monotonic()
    status = client.portal.call(_slow_upload, client.app, a, "hold.txt", b"a slow client's upload " * 20, 2.5)
    assert status == 202 and time.monotonic() - t0 < 4.0, status


def test_a_failed_uploads_original_is_removed(app) -> None:
    client, _ = app()
    a = key(client, "acme")
    (job,) = _job(client, a, ("empty.txt", b"   \n"))  # not ?wait=true: its budget ends early under load
    assert _wait(client, [job["id"]])[job["id"]]["reason"] == "empty"
    _until(lambda: not _blob(client, b"   \n").exists(), 5)  # released just after the job ends
    assert client.app.state.services.blobs.usage("acme") == 0


def test_the_storage_quota_refuses_an_upload_with_413(app) -> None:
    client, _ = app(tenant_quota_mb=0.01)  # 10 KiB
    a, b = key(client, "acme"), key(client, "globex")
    first = (b"first file, about six kilobytes. " * 180)[:6000]
    second = (b"second file, also six kilobytes. " * 180)[:6000]
    (job,) = _job(client, a, ("first.txt", first))
    _wait(client, [job["id"]])
    r = upload(client, a, ("second.txt", second))
    assert r.status_code == 413 and r.json()["reason"] == "quota", r.text
    detail = r.json()["detail"]
    assert (
        "RAG_API__TENANT_QUOTA_MB" in detail and "5.8 KiB in use" in detail and "quota of 10.2 KiB" in detail
    )
    assert client.get("/v1/documents", headers=a).json()["total"] == 1  # nothing of it kept
    assert upload(client, b, ("first.txt", first)).status_code == 200  # another tenant has its own quota
    assert client.delete(f"/v1/documents/{job['document_id']}", headers=a).status_code == 204
    assert upload(client, a, ("second.txt", second)).status_code == 200


def test_concurrent_uploads_cannot_each_pass_the_quota(app) -> None:
    """Four uploads of 3,000 bytes at once against a quota of three: a barrier holds each request after
    it looked at the document and its jobs, before it keeps its file, so all four have got that far."""
    client, _ = app(tenant_quota_mb=0.01)  # 10,485 bytes
    a = key(client, "acme")
    jobs = client.app.state.services.jobs
    barrier, active_for = threading.Barrier(4), jobs.active_for

    def held(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        try:
            barrier.wait(timeout=5)
        except threading.BrokenBarrierError:
            pass
        return active_for(*args, **kwargs)

    jobs.active_for = held
    statuses: list[int] = []

    def send(i: int) -> None:
        data = bytes([65 + i]) * 3000
        statuses.append(upload(client, a, (f"f{i}.txt", data), wait=False).status_code)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [202, 202, 202, 413], statuses
    assert client.app.state.services.blobs.usage("acme") == 9000


def _raw_upload(client, headers: dict[str, str], filename: bytes, data: bytes):  # noqa: ANN001, ANN202
    """Multipart by hand: httpx percent-escapes control characters in file names, a hostile client
    does not."""
    body = (
        b'--B0undary\r\nContent-Disposition: form-data; name="files"; filename="'
        + filename
        + b'"\r\nContent-Type: text/plain\r\n\r\n'
        + data
        + b"\r\n--B0undary--\r\n"
    )
    return client.post(
        "/v1/documents?wait=true",
        content=body,
        headers={**headers, "Content-Type": "multipart/form-data; boundary=B0undary"},
    )


def test_file_names_lose_control_and_invisible_characters(app) -> None:
    client, _ = app()
    a = key(client, "acme")
    hostile = "re\x00po\x0brt\u202egnp\u2066.\u200bnotes\u2028 cafe\u200d\u0301.txt".encode()
    r = _raw_upload(client, a, hostile, b"quarterly notes")
    assert r.status_code == 200, r.text
    assert r.json()["documents"][0]["source"] == "reportgnp.notes caf\u00e9.txt"  # NFC: one é
    listed = client.get("/v1/documents", headers=a).json()["items"][0]["source"]
    assert listed == "reportgnp.notes caf\u00e9.txt"
    r = _raw_upload(client, a, "\x00\u202e\u200b\x0b".encode(), b"x")
    assert r.status_code == 422 and r.json()["title"] == "file name missing", r.text
    r = client.post(  # only filename*=: the part arrives as a text field, not as a file
        "/v1/documents",
        content=b'--B0undary\r\nContent-Disposition: form-data; name="files"; filename*=\r\n\r\nx\r\n'
        b"--B0undary--\r\n",
        headers={**a, "Content-Type": "multipart/form-data; boundary=B0undary"},
    )
    assert r.status_code == 422 and r.json()["detail"] == "every uploaded file needs a file name", r.text
    r = _raw_upload(client, a, b"evil\x00.exe", b"MZ")
    assert r.status_code == 415 and r.json()["detail"].count("supported:") == 1, r.text


def test_an_unexpected_failure_says_so_in_words_without_internals(
    app, caplog: pytest.LogCaptureFixture
) -> None:
    client, _ = app()
    a = key(client, "acme")
    r = upload(client, a, ("boom.txt", b"anything"), wait=True)
    job = r.json()["documents"][0]["job"]
    assert job["state"] == "failed" and job["reason"] == "internal", job
    assert job["error"] == "the server failed while ingesting this file; the details are in the server log"
    assert "RuntimeError" in caplog.text and "0x7f3a2b1c4d50" in caplog.text  # ...which the log has
    (_, after) = _job(client, a, ("boom2.txt", b"x"), ("fine.txt", b"the worker lives on"))
    assert _wait(client, [after["id"]])[after["id"]]["state"] == "indexed"


def test_only_one_of_two_racing_transitions_finishes_a_job(db_url: str) -> None:
    """The worker's "indexed" and the watchdog's "timeout" at once: one wins, the other is told it lost,
    and the row is one or the other, never a mix. A barrier holds each thread just before its write, so
    both have looked at the row by then (the race, every time)."""
    from sqlalchemy import event

    from ingest.jobstore import JobState, JobStore

    store = JobStore(db_url)
    job = store.create("acme", "doc", "a.txt", "0" * 64, {})
    store.transition(job.id, JobState.EMBEDDING)
    barrier = threading.Barrier(2)

    @event.listens_for(store.engine, "before_cursor_execute")
    def hold(conn, cursor, statement, *args):  # noqa: ANN001, ANN202
        if statement.lstrip().upper().startswith("UPDATE JOBS"):
            try:
                barrier.wait(timeout=2)
            except threading.BrokenBarrierError:
                pass  # only one writer got this far: the other already knows it lost

    won: dict[str, bool] = {}

    def fail() -> None:
        won["timeout"] = store.transition(job.id, JobState.FAILED, reason="timeout", error="too slow")

    def index() -> None:
        won["indexed"] = store.transition(job.id, JobState.INDEXED, outcome="added", chunks=3)

    threads = [threading.Thread(target=fail), threading.Thread(target=index)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    row = store.get(job.id)
    assert sorted(won.values()) == [False, True], won
    if won["timeout"]:
        assert (row.state, row.reason, row.outcome, row.chunks) == ("failed", "timeout", None, 0)
    else:
        assert (row.state, row.reason, row.outcome, row.chunks) == ("indexed", None, "added", 3)
    store.close()


class HeldClaim:
    """The runner's job store, except that a worker's claim of ``job_id`` waits until released: the
    job is the worker's in the table (running), but the runner has not registered it yet."""

    def __init__(self, runner, job_id: str) -> None:  # noqa: ANN001 - ingest.jobs.JobRunner
        self.real, self.job_id = runner.store, job_id
        self.entered, self.release = threading.Event(), threading.Event()
        runner.store = self

    def claim(self, per_tenant: int | None = None):  # noqa: ANN201
        job = self.real.claim(per_tenant)
        if job is not None and job.id == self.job_id and not self.entered.is_set():
            self.entered.set()
            assert self.release.wait(10)
        return job

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self.real, name)


def test_a_cancel_just_as_a_worker_claims_the_job_stops_it_before_it_starts(app) -> None:
    client, gate = app()
    services = client.app.state.services
    a = key(client, "acme")
    _job(client, a, ("hold.txt", b"keeps the worker busy while the next upload is queued"))
    assert gate.entered.wait(10)
    data = b"cancelled between being claimed and being started"
    held = HeldClaim(services.runner, "")
    (job,) = _job(client, a, ("race.txt", data))
    held.job_id = job["id"]
    gate.release.set()
    assert held.entered.wait(10)  # the worker claimed it; the runner has not registered it yet
    r = client.post(f"/v1/jobs/{job['id']}/cancel", headers=a)
    held.release.set()
    assert r.status_code == 200, r.text
    assert r.json()["was"] == "running", r.text  # claimed is running, for every process to see
    _until(lambda: not _blob(client, data).exists(), 5)  # its original went with its job
    assert services.jobs.get(job["id"]).reason == "cancelled"
    assert services.blobs.usage("acme") == len(b"keeps the worker busy while the next upload is queued")
    assert "race.txt" not in gate.started  # never parsed
    assert services.runtime.registry.get("acme", services.jobs.get(job["id"]).doc_id) is None  # nor written


def test_every_start_gives_documents_without_a_reference_theirs(
    tmp_path: Path, embedder, onnx_cache, llm
) -> None:
    """Not only on the first start with references: a document whose reference is missing (indexed by
    an older version, or lost) gets it back though others have theirs, so its original counts."""
    from sqlalchemy import delete

    from ingest.blobs import _Ref

    one, two = b"the first document, referenced", b"the second document, whose reference goes"
    with serve(tmp_path / "data", embedder, onnx_cache, llm) as client:
        a = key(client, "acme")
        assert upload(client, a, ("one.txt", one), ("two.txt", two)).status_code == 200
        blobs = client.app.state.services.blobs
        with blobs._session() as s:
            s.execute(delete(_Ref).where(_Ref.digest == hashlib.sha256(two).hexdigest()))
        assert blobs.usage("acme") == len(one)
    with serve(tmp_path / "data", embedder, onnx_cache, llm) as client:
        assert client.app.state.services.blobs.usage("acme") == len(one) + len(two)


def test_a_clean_stop_does_not_count_as_an_attempt(tmp_path: Path, embedder, onnx_cache, llm) -> None:
    """Graceful restarts during a long parse must not fail the job 'interrupted' after three: a job the
    shutdown stopped goes back to the queue as it was; only a crash (a job left running) counts."""
    from core.settings import load_settings
    from ingest.jobstore import JobStore

    with serve(tmp_path / "data", embedder, onnx_cache, llm) as client:
        gate = Gate(client.app.state.services.runner)
        (job,) = _job(client, key(client, "acme"), ("hold-book.txt", b"a long book"))
        assert gate.entered.wait(30)  # running when the app stops
    jobs = JobStore(load_settings(data_dir=tmp_path / "data").registry_url)
    stored = jobs.get(job["id"])
    jobs.close()
    assert (stored.state, stored.attempts) == ("queued", 0), stored


def test_one_tenant_cannot_hold_every_worker(app) -> None:
    client, gate = app(job_workers=2)
    assert client.app.state.services.runtime.settings.api.job_workers_per_tenant == 1  # the default
    a, b = key(client, "acme"), key(client, "globex")
    held = _job(client, a, *[(f"hold-{i}.txt", f"slow file {i}".encode()) for i in range(3)])
    assert gate.entered.wait(10)
    (theirs,) = _job(client, b, ("note.txt", b"a forty-byte note that must not wait."))
    job = _wait(client, [theirs["id"]], timeout_s=30)[theirs["id"]]
    assert job["state"] == "indexed", job  # while acme's first file still holds its worker
    states = {j["id"]: j["state"] for j in _wait(client, [j["id"] for j in held], timeout_s=0).values()}
    assert sorted(states.values()) == ["parsing", "queued", "queued"], states  # waiting, not failed
    gate.release.set()
    assert {j["state"] for j in _wait(client, list(states)).values()} == {"indexed"}


def _put_and_delete(client, headers: dict[str, str], doc: str, name: str, data: bytes):  # noqa: ANN001, ANN202
    """A PUT replacing ``doc`` and a DELETE of it, sent at once: their responses."""
    answers = {}

    def put() -> None:
        answers["put"] = client.put(f"/v1/documents/{doc}", files={"file": (name, data)}, headers=headers)

    def delete() -> None:
        answers["delete"] = client.delete(f"/v1/documents/{doc}", headers=headers)

    threads = [threading.Thread(target=put), threading.Thread(target=delete)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers["put"], answers["delete"]


def test_a_replacement_racing_a_delete_never_brings_the_document_back(app) -> None:
    client, _ = app()
    a = key(client, "acme")
    services = client.app.state.services
    # Fault injection: each look for a document's job takes a little longer, so the DELETE's "no job"
    # and the PUT's new job overlap as they would under load.
    active_for = services.jobs.active_for

    def slow_active_for(tenant: str, doc_id: str):  # noqa: ANN202
        found = active_for(tenant, doc_id)
        time.sleep(0.03)
        return found

    services.jobs.active_for = slow_active_for
    for i in range(8):
        r = upload(client, a, (f"race-{i}.txt", f"The first version of note {i}.".encode()))
        assert r.status_code == 200, r.text
        doc = r.json()["documents"][0]["document_id"]
        p, d = _put_and_delete(client, a, doc, f"race-{i}.txt", f"The replacement of note {i}.".encode())
        assert p.status_code in (202, 404) and d.status_code in (204, 409), (p.text, d.text)
        if p.status_code == 202:
            _wait(client, [p.json()["documents"][0]["job"]["id"]])
        exists = client.get(f"/v1/documents/{doc}", headers=a).status_code == 200
        assert not (p.status_code == 202 and d.status_code == 204 and exists), (i, p.text)
        assert exists == (d.status_code == 409), (i, p.status_code, d.status_code)


def test_a_replacement_whose_document_was_deleted_before_it_started_fails_cancelled(app) -> None:
    client, gate = app()
    a = key(client, "acme")
    r = upload(client, a, ("policy.txt", b"Old policy: badges are blue."))
    doc = r.json()["documents"][0]["document_id"]
    _job(client, a, ("hold.txt", b"holds the only worker"))
    assert gate.entered.wait(10)
    r = client.put(
        f"/v1/documents/{doc}", files={"file": ("policy.txt", b"New policy: badges are red.")}, headers=a
    )
    assert r.status_code == 202, r.text
    job_id = r.json()["documents"][0]["job"]["id"]
    # Another process deletes it meanwhile: the route of this one would wait for the job (409).
    assert client.app.state.services.runtime.delete_document("acme", doc)
    gate.release.set()
    job = _wait(client, [job_id])[job_id]
    assert job["state"] == "failed" and job["reason"] == "cancelled", job
    assert "deleted" in job["error"], job
    assert client.get(f"/v1/documents/{doc}", headers=a).status_code == 404
    assert not _blob(client, b"New policy: badges are red.").exists()


def test_a_job_table_from_before_replacements_were_recorded_gets_the_column(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    old = JobStore(url)
    queued = old.create("acme", "doc", "a.txt", "0" * 64, {})
    with old.engine.begin() as c:  # as the table was made before, and before migrations
        c.execute(text("ALTER TABLE jobs DROP COLUMN replaces"))
        c.execute(text("DROP TABLE alembic_version_registry"))
    old.close()
    store = JobStore(url)
    assert store.get(queued.id).replaces is False
    assert store.create("acme", "doc", "a.txt", "0" * 64, {}, replaces=True).replaces
    assert JobStore(url).get(queued.id) is not None  # a second start finds it there
