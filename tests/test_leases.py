"""Leases (core.lease) and what they guard, in one process that plays several: documents in flight,
the job claim, the re-index run, the full reconcile's leader lock and the write gate. Another process is
played by switching this process's owner id (``playing``); its lease is its row's stamp, so a process
"dies" by no longer stamping. The real multi-process kill -9 runs are in test_many_processes.py."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import delete, event, update
from sqlalchemy.exc import IntegrityError

import core.lease as lease
from core.errors import DocumentBusy, ReindexError
from core.lease import Leases, LockRow, ProcessRow, process_id
from core.store.base import IndexMeta
from core.store.edge import EdgeStore
from ingest.blobs import BlobStore, Owner
from ingest.jobs import JobRunner
from ingest.jobstore import RUNNING, JobState, JobStore
from ingest.reconcile import reconcile
from ingest.registry import WRITE_GATE, Pending, Registry, Status
from ingest.reindex.checkpoint import Checkpoints

LEASE_S = 2.0


@contextmanager
def playing(name: str) -> Iterator[str]:
    """Act as another process (another host, so this host's reaping leaves it alone)."""
    saved = lease._identity
    lease._identity = (os.getpid(), f"elsewhere:4242:{name}")
    try:
        yield process_id()
    finally:
        lease._identity = saved


@pytest.fixture
def url(db_url: str) -> str:
    return db_url


@pytest.fixture
def edge_store(tmp_path: Path) -> Iterator[EdgeStore]:
    store = EdgeStore.open(tmp_path / "index", IndexMeta("none", 2, "none", 1.2, 0.75, 60))
    yield store
    store.close()


@pytest.fixture
def leases(url: str) -> Iterator[Leases]:
    leases = Leases(url, LEASE_S)
    yield leases
    leases.close()


def _silence(leases: Leases, owner: str) -> None:
    """``owner`` last stamped its row a lease and more ago (it died)."""
    with leases._session() as s:
        s.execute(
            update(ProcessRow)
            .where(ProcessRow.id == owner)
            .values(beat_at=lease.cutoff(LEASE_S + 1))
            .execution_options(synchronize_session=False)
        )


def _begin(registry: Registry, doc_id: str, content_hash: str = "h1") -> None:
    registry.begin_index(
        "t", doc_id, source=f"{doc_id}.txt", content_hash=content_hash, chunks=1, fmt="txt", size_bytes=3,
        metadata={},
    )  # fmt: skip


def test_a_process_is_alive_while_it_stamps_and_gone_after_a_silent_lease(leases: Leases) -> None:
    with playing("a") as a:
        leases.beat()
    assert leases.alive(a) and leases.alive(process_id())  # this process is alive to itself
    assert not leases.alive("never:1:seen") and not leases.alive(None)
    _silence(leases, a)
    assert not leases.alive(a)
    assert [p.id for p in leases.live()] == []  # this process never stamped


def test_a_clean_stop_lets_its_work_go_at_once(url: str) -> None:
    mine = Leases(url, LEASE_S)
    mine.beat()
    other = Leases(url, LEASE_S)
    me = process_id()
    with playing("observer"):
        assert other.alive(me)
    mine.close()
    with playing("observer"):
        assert not other.alive(me)
    other.close()


def test_rows_of_this_hosts_dead_processes_are_reaped_on_start(leases: Leases) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    dead_pid = int(gone.stdout)
    host = process_id().rsplit(":", 2)[0]  # host name and PID namespace
    other_namespace = host.split("#")[0] + "#1"  # another container with the same host name
    with leases._session() as s:
        s.add(ProcessRow(id=f"{host}:{dead_pid}:deadbeef", host=host, pid=dead_pid))
        s.add(ProcessRow(id=f"{host}:{os.getpid()}:oldself", host=host, pid=os.getpid()))  # PID 1 again
        # Its pids are not ours to look at: however its pid looks from here, its lease decides.
        s.add(ProcessRow(id=f"{other_namespace}:{dead_pid}:x", host=other_namespace, pid=dead_pid))
        s.add(ProcessRow(id="elsewhere:1:abc", host="elsewhere", pid=1))
    leases.start(every_s=60)
    assert {p.id for p in leases.live()} == {
        process_id(),
        f"{other_namespace}:{dead_pid}:x",
        "elsewhere:1:abc",
    }


def test_a_row_lock_is_held_by_one_process_and_taken_from_a_dead_one(leases: Leases, url: str) -> None:
    """(PostgreSQL's advisory lock, ``hold``, goes with its holder's connection: test_db kills one.)"""
    other = Leases(url, LEASE_S)
    with playing("a") as a, other.hold_row("reconcile") as got_a:
        assert got_a
        with playing("b"), other.hold_row("reconcile") as got_b:
            assert not got_b  # a holds it and is alive
        _silence(other, a)
        with playing("b"), other.hold_row("reconcile") as got_b:
            assert got_b  # a went silent: its lock is taken over
    other.close()


def test_a_document_another_live_process_writes_is_busy_until_its_lease_expires(
    url: str, leases: Leases
) -> None:
    registry = Registry(url, LEASE_S)
    with playing("writer") as writer:
        leases.beat()
        _begin(registry, "d1")
    with pytest.raises(DocumentBusy, match="another process"):
        _begin(registry, "d1", "h2")
    with pytest.raises(DocumentBusy):
        registry.begin_delete("t", "d1")
    assert registry.unfinished() == []  # a live process's document is nobody else's to settle
    _silence(leases, writer)
    assert [d.id for d in registry.unfinished()] == ["d1"]
    _begin(registry, "d1", "h2")  # taken over: now this process writes it
    assert registry.get("t", "d1").owner == process_id()
    with playing("writer"):
        assert not registry.finish_index("t", "d1")  # the writer lost it: its finish changes nothing
    assert registry.get("t", "d1").pending_hash == "h2"
    assert registry.finish_index("t", "d1")
    doc = registry.get("t", "d1")
    assert (doc.status, doc.content_hash, doc.owner) == (Status.INDEXED, "h2", None)


def test_reconcile_settles_only_the_documents_of_dead_processes(edge_store, url: str, leases: Leases) -> None:
    registry = Registry(url, LEASE_S)
    with playing("live"):
        leases.beat()
        _begin(registry, "live-doc")
    with playing("dead") as dead:
        leases.beat()
        _begin(registry, "dead-doc")
    _silence(leases, dead)
    report = reconcile(edge_store, registry)
    assert report.rolled_back == ["dead-doc"]
    assert registry.get("t", "live-doc").status == Status.INDEXING
    assert registry.get("t", "dead-doc").status == Status.FAILED  # it had no served version


def test_the_full_reconcile_runs_in_one_process_at_a_time(edge_store, url: str, leases: Leases) -> None:
    registry = Registry(url, LEASE_S)
    with playing("leader"), leases.hold("reconcile") as held:
        assert held
        assert reconcile(edge_store, registry, full=True, leases=leases).skipped_full
    assert not reconcile(edge_store, registry, full=True, leases=leases).skipped_full


def test_a_write_waits_while_another_processs_reindex_holds_the_gate(url: str, leases: Leases) -> None:
    registry = Registry(url, LEASE_S)
    _begin(registry, "d1")
    registry.finish_index("t", "d1")
    with playing("reindexer") as reindexer:  # its gate row, as Leases.hold_row leaves it
        leases.beat()
    with leases._session() as s:
        s.add(LockRow(name=WRITE_GATE, owner=reindexer))
    seen: list[str | None] = []

    def switch_then_open() -> None:
        time.sleep(0.6)
        seen.append(registry.get("t", "d1").pending_hash)  # while the gate is closed: untouched
        with leases._session() as s:
            s.execute(delete(LockRow).where(LockRow.name == WRITE_GATE))

    t = threading.Thread(target=switch_then_open)
    t.start()
    t0 = time.monotonic()
    _begin(registry, "d1", "h2")
    waited = time.monotonic() - t0
    t.join()
    assert seen == [None] and waited >= 0.5
    doc = registry.get("t", "d1")
    assert (doc.pending_hash, doc.content_hash, doc.status) == ("h2", "h1", Status.INDEXING)


def test_a_write_gives_up_with_busy_when_the_gate_stays_closed(url: str, leases: Leases) -> None:
    registry = Registry(url, LEASE_S, gate_wait_s=0.3)
    with playing("reindexer"):
        leases.beat()
        held = leases.hold_row(WRITE_GATE)
        assert held.__enter__()
    with pytest.raises(DocumentBusy, match="re-index"):
        _begin(registry, "new")
    assert registry.get("t", "new") is None  # nothing left behind


def test_claims_take_turns_cap_tenants_and_never_run_two_jobs_of_one_document(url: str) -> None:
    jobs = JobStore(url, LEASE_S)
    for tenant, doc in [("a", "1"), ("a", "1"), ("a", "2"), ("b", "3"), ("a", "4"), ("b", "5")]:
        jobs.create(tenant, doc, f"{doc}.txt", "blob", {})
    first = jobs.claim(per_tenant=1)
    second = jobs.claim(per_tenant=1)
    assert (first.tenant, second.tenant) == ("a", "b")
    assert jobs.claim(per_tenant=1) is None  # both tenants at their cap
    third = jobs.claim(per_tenant=2)
    assert (third.tenant, third.doc_id) == ("a", "2")  # doc 1's second job waits: not the same doc twice
    assert third.owner == process_id() and third.attempts == 1 and third.state == JobState.PARSING
    with jobs._session() as s, pytest.raises(IntegrityError):  # the database refuses it, too
        queued = jobs.in_states([JobState.QUEUED])[0]
        s.execute(
            update(type(queued))
            .where(type(queued).id == queued.id)
            .values(doc_id="2", tenant="a", state="chunking")
            .execution_options(synchronize_session=False)
        )


def test_racing_claims_take_each_job_exactly_once(url: str) -> None:
    jobs = JobStore(url, LEASE_S)
    ids = {jobs.create(f"t{i % 3}", f"d{i}", "x.txt", "blob", {}).id for i in range(60)}
    taken: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        own = JobStore(url, LEASE_S)
        while (job := own.claim()) is not None:
            with lock:
                taken.append(job.id)
        own.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == sorted(ids)  # every job once, none twice


def test_jobs_of_a_dead_process_go_back_in_line(url: str, leases: Leases) -> None:
    jobs = JobStore(url, LEASE_S)
    jobs.create("t", "d", "d.txt", "blob", {})
    with playing("worker") as worker:
        leases.beat()
        job = jobs.claim()
    assert jobs.abandoned() == []
    _silence(leases, worker)
    (lost,) = jobs.abandoned()
    assert jobs.release(lost) and not jobs.release(lost)  # of two settling it, one does
    again = jobs.claim()
    assert again.id == job.id and again.attempts == 2 and again.owner == process_id()


def test_one_running_reindex_and_its_takeover_after_the_lease(url: str, leases: Leases) -> None:
    checkpoints = Checkpoints(url, LEASE_S)
    with playing("a") as a:
        leases.beat()
        run = checkpoints.create("v2", "v1", {}, "fp", False)
    with pytest.raises(ReindexError, match="another re-index"):
        checkpoints.create("v3", "v1", {}, "fp", False)
    assert checkpoints.abandoned() is None and not checkpoints.take_over(run.id)
    _silence(leases, a)
    assert checkpoints.abandoned().id == run.id
    leases.beat()  # a process holds a lease before it takes work
    assert checkpoints.take_over(run.id)
    taken = checkpoints.get(run.id)
    assert (taken.owner, taken.resumed) == (process_id(), 1)
    with playing("a"):
        assert not checkpoints.take_over(run.id)  # back from the dead: it is no longer its run


def test_a_run_started_by_a_serving_only_replica_waits_for_a_worker(url: str) -> None:
    checkpoints = Checkpoints(url, LEASE_S)
    run = checkpoints.create("v2", "v1", {}, "fp", False, owned=False)
    assert checkpoints.abandoned().id == run.id and checkpoints.take_over(run.id)


def test_a_reference_without_its_job_is_dropped_only_a_sweep_later(url: str, tmp_path: Path) -> None:
    """An upload in another process holds its file a moment before its job row exists: a sweep between
    the two must not take the file away."""
    jobs, blobs = JobStore(url, LEASE_S), BlobStore(tmp_path / "blobs", url)
    runner = JobRunner(jobs, ingest=lambda *_: None, blobs=blobs)  # type: ignore[arg-type]
    uploading = blobs.put(b"arriving", Owner.job("t", "j-new"))
    crashed = blobs.put(b"never got its job", Owner.job("t", "j-lost"))
    runner.recover()
    assert blobs.exists(uploading) and blobs.exists(crashed)
    jobs.create("t", "d", "d.txt", uploading, {}, job_id="j-new")  # the upload goes on
    runner.recover()
    assert blobs.exists(uploading) and not blobs.exists(crashed)
    blobs.close()


def test_closing_a_derived_runtime_keeps_the_process_lease(tmp_path: Path) -> None:
    """A re-index builds with a derived runtime and closes it: the process must go on beating."""
    from app.runtime import Runtime
    from core.settings import load_settings

    rt = Runtime(load_settings(data_dir=tmp_path / "data"))
    rt.registry  # noqa: B018 - starts the lease
    child = rt.derive(rt.settings)
    child.close()
    assert rt.leases._thread is not None and rt.leases._thread.is_alive()
    assert process_id() in {p.id for p in rt.leases.live()}
    rt.close()


def test_a_process_back_from_a_long_pause_cannot_finish_what_it_lost(
    edge_store: EdgeStore, url: str, leases: Leases
) -> None:
    """A began deleting d1, then was silent past its lease; B settled the delete and d1 was uploaded
    again. A's late steps must change nothing of the new d1."""
    registry = Registry(url, LEASE_S)
    _begin(registry, "d1")
    registry.finish_index("t", "d1")
    with playing("a") as a:
        leases.beat()
        assert registry.begin_delete("t", "d1")
    _silence(leases, a)
    leases.beat()
    assert reconcile(edge_store, registry).deleted == ["d1"]  # B (this process) finished A's delete
    _begin(registry, "d1", "h2")  # uploaded again
    assert registry.finish_index("t", "d1")
    with playing("a"):
        assert not registry.holds("t", "d1", Status.DELETING)
        registry.finish_delete("t", "d1")
        registry.abandon_index("t", "d1", "late")
        assert not registry.finish_index("t", "d1")
    doc = registry.get("t", "d1")
    assert (doc.status, doc.content_hash, doc.error) == (Status.INDEXED, "h2", None)


def test_a_row_whose_pid_is_not_a_pid_does_not_stop_a_start(leases: Leases) -> None:
    host = process_id().rsplit(":", 2)[0]
    with leases._session() as s:
        s.add(ProcessRow(id=f"{host}:huge:1", host=host, pid=2**31 - 1))
    leases.start(every_s=1)  # kill(2**31 - 1, 0): no such process, reaped; nothing raised
    assert {p.id for p in leases.live()} == {process_id()}


def test_workers_claiming_at_once_cannot_pass_a_tenants_cap(url: str) -> None:
    jobs = JobStore(url, LEASE_S)
    for i in range(12):
        jobs.create("t", f"d{i}", "x.txt", "blob", {})
    start = threading.Barrier(6)
    taken: list[str] = []

    def worker() -> None:
        own = JobStore(url, LEASE_S)
        start.wait()
        if (job := own.claim(per_tenant=1)) is not None:
            taken.append(job.id)
        own.close()

    for _ in range(5):  # rounds: each time the running job ends and the next is taken
        threads = [threading.Thread(target=worker) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        running = jobs.in_states(sorted(RUNNING))
        assert len(running) == 1, running  # never two of the tenant's jobs at once
        jobs.transition(running[0].id, JobState.INDEXED)
    assert len(taken) == 5


def test_a_switch_waits_only_for_documents_live_processes_are_writing(url: str, leases: Leases) -> None:
    registry = Registry(url, LEASE_S)
    _begin(registry, "mine")
    with playing("live"):
        leases.beat()
        _begin(registry, "theirs")
    with playing("dead") as dead:
        leases.beat()
        _begin(registry, "left")
    _silence(leases, dead)
    assert [d.id for d in registry.in_flight_elsewhere()] == ["theirs"]


def _pending(doc_id: str, content_hash: str = "h1") -> Pending:
    return Pending("t", doc_id, f"{doc_id}.txt", content_hash, 1, "txt", 3, {})


def _commits(registry: Registry) -> list[int]:
    n = [0]
    event.listen(registry.engine, "commit", lambda _conn: n.__setitem__(0, n[0] + 1))
    return n


def test_a_batch_begins_and_finishes_together_and_a_busy_document_fails_alone(
    url: str, leases: Leases
) -> None:
    """Issue 18: a batch's documents in one registry transaction each way, with each document's owner
    and lease checks as when they were begun one at a time."""
    registry = Registry(url, LEASE_S)
    with playing("writer") as writer:
        leases.beat()
        _begin(registry, "busy")
    _begin(registry, "old")
    assert registry.finish_index("t", "old")
    commits = _commits(registry)
    out = registry.begin_indexes([_pending("new"), _pending("busy", "h2"), _pending("old", "h2")])
    assert out[0] is None and out[2] is None
    assert isinstance(out[1], DocumentBusy) and "another process" in str(out[1])
    assert commits[0] <= 4  # the gate before and after, the rows as they were, the one write
    new, busy, old = (registry.get("t", d) for d in ("new", "busy", "old"))
    assert (new.status, new.pending_hash, new.owner) == (Status.INDEXING, "h1", process_id())
    assert (busy.pending_hash, busy.owner) == ("h1", writer)  # the other process's, untouched
    assert (old.status, old.content_hash, old.pending_hash) == (Status.INDEXING, "h1", "h2")
    commits[0] = 0
    with playing("writer"):  # a process finishes only what it owns
        assert registry.finish_indexes([("t", "busy", None), ("t", "new", None)]) == [True, False]
    assert registry.finish_indexes([("t", "new", {"pii": {}}), ("t", "old", None)]) == [True, True]
    assert commits[0] == 2
    assert {d.id: (d.status, d.content_hash) for d in registry.list()} == {
        "busy": (Status.INDEXED, "h1"),
        "new": (Status.INDEXED, "h1"),
        "old": (Status.INDEXED, "h2"),
    }


def test_a_batch_waits_for_the_write_gate_and_gives_up_per_document(url: str, leases: Leases) -> None:
    registry = Registry(url, LEASE_S, gate_wait_s=0.3)
    with playing("reindexer"):
        leases.beat()
        held = leases.hold_row(WRITE_GATE)
        assert held.__enter__()
    try:
        out = registry.begin_indexes([_pending("a"), _pending("b")])
    finally:
        with playing("reindexer"):
            held.__exit__(None, None, None)
    assert all(isinstance(o, DocumentBusy) and "re-index" in str(o) for o in out)
    assert registry.list() == []  # nothing left behind
