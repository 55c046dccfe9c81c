"""Many processes on one registry and one index, killed with -9: leases, job claims, reconcile and re-index
take-over hold (issue 16's "done when").

The index is shared as a Qdrant server would share it, and no Qdrant server runs here (Qdrant Edge and
qdrant-client's local mode are one-process only). So the store is ONE object in ONE process shared by all
runtimes: a qdrant-client local-mode engine in a store host process (tests/store_host.py) that every other
process calls over loopback, through the product's server adapter (``core.store.server.ServerVersions``,
which takes it for a remote server: no client-side lock). The workers, the reader and the processes
re-indexing are real processes (tests/chaos_worker.py), each with its own data directory, sharing a
SQLite registry and a blob directory, each loading the real embedding model; they are killed with
SIGKILL and restarted. What they do is logged by each process (flushed and fsynced as it happens), and the
assertions compare those logs with the kill times the test recorded: no job and no document ever ran in
two processes at once, and every document in flight taken over by another process was owned by a
process already dead.

Short leases (3 s, heartbeat 0.5 s) keep the waits short.
"""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import store_host

from app.runtime import Runtime
from core.errors import ReindexError
from core.settings import Settings, load_settings
from ingest.jobstore import FINISHED, RUNNING, JobState, JobStore
from ingest.reconcile import reconcile
from ingest.registry import Status
from ingest.reindex.checkpoint import Checkpoints, RunState
from ingest.uploads import Uploads

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "chaos_worker.py"
LEASE_S = 3.0
HEARTBEAT_S = 0.5
TENANTS = ["acme", "globex", "initech", "umbrella"]  # one running job per tenant at once (per_tenant 1)
SYLLABLES = ["ka", "lo", "mi", "ru", "zen", "tor", "vex", "qui", "bal", "dor", "fep", "gim", "hux", "jor"]
TOPICS = ["battery", "lidar", "warehouse", "firmware", "charging", "safety", "payload", "door", "shelf"]


# ---- the cluster: a store host, a registry, processes ------------------------------------------------


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    started: float
    ended: float | None = None  # when it was seen dead (killed: after the kill returned)
    killed: bool = False

    def events(self, ev: str | None = None) -> list[dict[str, Any]]:
        return [e for e in read_log(self.log) if ev is None or e["ev"] == ev]

    @property
    def owner(self) -> str | None:
        hello = self.events("hello")
        return hello[0]["owner"] if hello else None


def read_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:  # the last line of a process killed while writing it
            continue
    return out


@dataclass
class Cluster:
    root: Path
    address: store_host.Address
    onnx_cache: Path
    # "each": every process says it runs on a host of its own (CHAOS_HOST), so only leases tell a peer is
    # gone; "one": all on this host, where a process that starts takes over the work of dead ones at once.
    hosts: str = "one"
    procs: list[Proc] = field(default_factory=list)
    _count: int = 0

    @property
    def registry_url(self) -> str:
        return f"sqlite:///{self.root / 'registry.sqlite'}"

    def overrides(self, name: str) -> dict[str, Any]:
        """Every process's settings: the registry and originals shared, the data directory its own."""
        return {
            "data_dir": self.root / name,
            "ingest": {"registry_url": self.registry_url, "parse_workers": 0},
            "api": {
                "blob_dir": self.root / "blobs",
                "heartbeat_s": HEARTBEAT_S,
                "job_workers": 2,
                "job_max_attempts": 20,  # a job killed again and again still ends indexed
            },
            "cluster": {"lease_s": LEASE_S, "poll_s": 0.2},
            "embedding": {"cache_dir": self.onnx_cache, "threads": 1},
        }

    def env(self, name: str, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
        for section, values in self.overrides(name).items():
            if isinstance(values, dict):
                env |= {f"RAG_{section.upper()}__{k.upper()}": str(v) for k, v in values.items()}
            else:
                env[f"RAG_{section.upper()}"] = str(values)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        return env | self.address.env() | extra

    def settings(self, name: str = "test") -> Settings:
        return load_settings(**self.overrides(name))

    def start(self, mode: str, *args: str, **env: str) -> Proc:
        self._count += 1
        name = f"{mode}-{self._count}"
        log = self.root / "logs" / f"{name}.jsonl"
        log.parent.mkdir(exist_ok=True)
        out = (self.root / "logs" / f"{name}.out").open("wb")
        if self.hosts == "each":
            env["CHAOS_HOST"] = f"host-{name}"
        popen = subprocess.Popen(
            [sys.executable, str(SCRIPT), mode, str(log), *args],
            env=self.env(name, **env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        proc = Proc(name, popen, log, time.time())
        self.procs.append(proc)
        return proc

    def kill(self, proc: Proc) -> float:
        """SIGKILL, and the time by which it is surely dead (every line it logged is older)."""
        os.kill(proc.popen.pid, signal.SIGKILL)
        proc.popen.wait()
        proc.ended, proc.killed = time.time(), True
        return proc.ended

    def stop(self, proc: Proc) -> None:
        if proc.popen.poll() is None:
            proc.popen.send_signal(signal.SIGTERM)
            try:
                proc.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill(proc)
                return
        proc.ended = proc.ended or time.time()

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        self._count += 1
        return subprocess.run(
            [sys.executable, str(SCRIPT), "cli", *args],
            env=self.env(f"cli-{self._count}"),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def runtime(self, embedder: Any, name: str = "test") -> Runtime:
        """A runtime in this process on the shared registry and store host (the session's model)."""
        rt = Runtime(self.settings(name), role="serve")
        rt.__dict__["versions"] = store_host.versions(self.address)
        rt.__dict__["embedder"] = embedder
        return rt

    def wait_for(self, what: str, check: Callable[[], Any], timeout: float = 90) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            got = check()
            if got:
                return got
            for p in self.procs:
                if not p.killed and p.ended is None and p.popen.poll() is not None:
                    raise AssertionError(f"{p.name} ended on its own:\n{self.output(p)}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.1)

    def output(self, proc: Proc) -> str:
        return (self.root / "logs" / f"{proc.name}.out").read_text()[-4000:]

    def close(self) -> None:
        for p in self.procs:
            if p.popen.poll() is None:
                self.kill(p)


@pytest.fixture
def cluster(tmp_path: Path, embedder, onnx_cache: Path) -> Iterator[Cluster]:
    """The store host and a registry for a few processes. ``embedder``: the model's ONNX export exists
    in the shared cache before any process loads it."""
    with store_host.running() as address:
        c = Cluster(tmp_path, address, onnx_cache)
        try:
            yield c
        finally:
            c.close()


# ---- documents -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    tenant: str
    name: str
    data: bytes
    phrase: str  # words found in this document only
    good: bool


def _phrases(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    while len(seen) < n:
        seen.add(" ".join("".join(rng.sample(SYLLABLES, 3)) for _ in range(2)))
    return sorted(seen)


def make_docs(n: int, rng: random.Random, paragraphs: int = 1, bad_every: int = 13) -> list[Doc]:
    docs = []
    for i, phrase in enumerate(_phrases(rng, n)):
        tenant = TENANTS[i % len(TENANTS)]
        if bad_every and i % bad_every == bad_every - 1:
            data = b"" if (i // bad_every) % 2 else bytes(rng.randrange(256) for _ in range(600)) + b"\0\0"
            docs.append(Doc(tenant, f"broken-{i:03d}.txt", data, phrase, good=False))
            continue
        body = "\n\n".join(
            f"Record {i}.{j}: the {TOPICS[(i + j) % len(TOPICS)]} crew checked unit {i * 10 + j} "
            f"and filed it under {phrase}. "
            + " ".join(
                f"Step {k} of the {TOPICS[(i * k + j) % len(TOPICS)]} routine passed." for k in range(12)
            )
            for j in range(paragraphs)
        )
        docs.append(
            Doc(tenant, f"note-{i:03d}.txt", f"Note {i} ({phrase})\n\n{body}\n".encode(), phrase, True)
        )
    return docs


class _OtherProcesses:
    """The job runner of an API replica that only serves: the workers, other processes, find its jobs."""

    def submit(self, job: Any) -> None:
        pass


def submit(rt: Runtime, docs: list[Doc]) -> dict[tuple[str, str], Doc]:
    """Upload every document as the API does (a job each, the file kept): (tenant, doc id) -> doc."""
    jobs = JobStore(rt.settings.registry_url, LEASE_S)
    uploads = Uploads(rt.registry, jobs, rt.blobs, _OtherProcesses(), 10**9)  # type: ignore[arg-type]
    out = {}
    try:
        for d in docs:
            incoming = rt.blobs.receive(io.BytesIO(d.data), 10_000_000)
            (accepted,) = uploads.submit(d.tenant, [(d.name, incoming)], {})
            assert accepted.job is not None
            out[(d.tenant, accepted.doc_id)] = d
    finally:
        jobs.close()
    return out


# ---- what the logs prove -----------------------------------------------------------------------------


def intervals(procs: list[Proc], start: str, end: str, key: str) -> dict[str, list[tuple[float, float, str]]]:
    """(start, end, process) of each run of each ``key`` (a job, a document); a run its process did not
    end lasts until the process was seen dead."""
    out: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for p in procs:
        open_: dict[str, list[float]] = defaultdict(list)
        for e in p.events():
            if e["ev"] == start:
                open_[e[key]].append(e["t"])
            elif e["ev"] == end and open_[e[key]]:
                out[e[key]].append((open_[e[key]].pop(0), e["t"], p.name))
        for k, starts in open_.items():
            for t in starts:
                assert p.ended is not None, f"{p.name} still runs {k}"
                out[k].append((t, p.ended, p.name))
    return out


def overlaps(runs: dict[str, list[tuple[float, float, str]]]) -> list[str]:
    found = []
    for k, rs in runs.items():
        rs = sorted(rs)
        for a, b in zip(rs, rs[1:], strict=False):
            if b[0] < a[1]:
                found.append(f"{k}: {a[2]} {a[0]:.3f}-{a[1]:.3f} and {b[2]} {b[0]:.3f}-{b[1]:.3f}")
    return found


def foreign_takeovers(procs: list[Proc], lease_s: float = 0.0) -> tuple[list[dict[str, Any]], list[str]]:
    """Every take-over of a document in flight, and those whose previous owner was not dead by then (with
    ``lease_s``: dead for a lease, less the heartbeat it may have been silent before, and a second for a
    busy machine's late beats)."""
    death = {p.owner: p.ended for p in procs if p.killed and p.owner}
    wait = max(0.0, lease_s - HEARTBEAT_S - 1.0) if lease_s else 0.0
    events = [e | {"by": p.name} for p in procs for e in p.events() if e["ev"] in ("take-over", "begin-over")]
    bad = [
        f"{e['by']} took {e['doc']} at {e['t']:.3f} from {e['prev']} (died {death.get(e['prev'])})"
        for e in events
        if e["prev"] not in death or e["t"] < death[e["prev"]] + wait
    ]
    return events, bad


# ---- 1. chaos ------------------------------------------------------------------------------------------


def _running(p: Proc) -> bool:
    return len(p.events("job-start")) > len(p.events("job-end"))


def _chaos(
    cluster: Cluster, embedder, n_docs: int, rounds: int, delay_s: float, seed: int, hosts: str
) -> dict[str, Any]:
    rng = random.Random(seed)
    cluster.hosts = hosts
    began = time.monotonic()
    rt = cluster.runtime(embedder)
    try:
        expected = submit(rt, make_docs(n_docs, rng))
    finally:
        rt.close()
    jobs = JobStore(cluster.registry_url)

    def all_finished() -> bool:
        counts = jobs.counts()
        return sum(n for s, n in counts.items() if JobState(s) in FINISHED) == len(expected)

    delay = {"CHAOS_DELAY_S": str(delay_s)}
    reader = cluster.start("reader")
    workers = [cluster.start("worker", **delay), cluster.start("worker", **delay)]
    kills: list[tuple[str, float, bool]] = []  # (process, time, a job of it was running)
    for _ in range(rounds):
        for i in rng.sample(range(len(workers)), len(workers)):
            w = workers[i]
            # At a random moment while it runs a job, once it has finished one (its first job loads the
            # parser's libraries for seconds); the pauses keep a document in flight most of the time.
            cluster.wait_for(
                f"{w.name} running a job",
                lambda w=w: all_finished() or (w.events("doc-end") and _running(w)),
                timeout=120,
            )
            if all_finished():
                break
            time.sleep(rng.uniform(0, delay_s))
            running = _running(w)
            kills.append((w.name, cluster.kill(w), running))
            workers[i] = cluster.start("worker", **delay)
    cluster.wait_for("every job finished", all_finished, timeout=60 + n_docs * 3)
    for p in [*workers, reader]:
        cluster.stop(p)
    took_s = time.monotonic() - began

    # Nothing ran twice at once: a job, a document.
    assert not overlaps(intervals(cluster.procs, "job-start", "job-end", "job"))
    assert not overlaps(intervals(cluster.procs, "doc-start", "doc-end", "doc"))
    # Only documents of dead processes were taken over (on other hosts: once their lease expired).
    takeovers, bad = foreign_takeovers(cluster.procs, LEASE_S if hosts == "each" else 0.0)
    assert not bad

    rt = cluster.runtime(embedder, name="check")
    try:
        assert not [j for j in jobs.in_states(sorted(RUNNING | {JobState.QUEUED}))]
        rows = {(d.tenant, d.id): d for d in rt.registry.list()}
        assert rows.keys() == expected.keys()
        by_job = {(j.tenant, j.doc_id): j for j in jobs.in_states(sorted(FINISHED))}
        indexed = set()
        for key, d in expected.items():
            row, job = rows[key], by_job[key]
            if d.good:
                assert row.status == Status.INDEXED, (key, row.status, row.error, job.error)
                assert job.state == JobState.INDEXED, (key, job.reason, job.error)
                assert row.owner is None and row.pending_hash is None
                points = rt.store.chunks(*key)
                assert row.chunk_count == len(points) == rt.store.count(*key, row.content_hash) > 0
                assert sorted(p["chunk_index"] for p in points) == list(range(row.chunk_count))
                indexed.add(key)
            else:
                assert row.status == Status.FAILED and row.error, (key, row.status)
                assert job.state == JobState.FAILED and job.reason and job.error, (key, job.state)
        stored = {(t, doc) for t in rt.store.tenants() for doc in rt.store.doc_point_counts(t)}
        assert stored == indexed  # no point of a document the registry does not list as indexed
        assert rt.store.count() == sum(rows[k].chunk_count for k in indexed)
        for key in rng.sample(sorted(indexed), min(10, len(indexed))):
            hits = rt.retriever.search(expected[key].phrase, tenant=key[0], top_k=3).hits
            assert hits and hits[0].doc_id == key[1], (expected[key].phrase, [h.doc_id for h in hits])
    finally:
        rt.close()
        jobs.close()
    assert len(kills) == rounds * len(workers), kills
    assert any(running for _, _, running in kills)
    return {
        "seconds": round(took_s, 1),
        "kills": len(kills),
        "kills_mid_job": sum(r for _, _, r in kills),
        "takeovers": len(takeovers),
        "jobs_started": sum(len(p.events("job-start")) for p in cluster.procs),
        "reader_rounds": sum(len(p.events("listed")) for p in cluster.procs),
    }


def test_two_workers_killed_again_and_again_and_a_reader(cluster: Cluster, embedder) -> None:
    stats = _chaos(cluster, embedder, n_docs=40, rounds=2, delay_s=1.2, seed=16, hosts="each")
    print("chaos (40 documents):", stats)  # noqa: T201 - the timing, in the test's output


@pytest.mark.slow
def test_two_hundred_documents_with_workers_killed_at_random(cluster: Cluster, embedder) -> None:
    stats = _chaos(cluster, embedder, n_docs=200, rounds=3, delay_s=0.5, seed=1616, hosts="one")
    print("chaos (200 documents):", stats)  # noqa: T201 - the timing, in the test's output


# ---- 3. a live process's document in flight is left alone -------------------------------------------


def test_a_live_process_keeps_its_document_in_flight_until_its_lease_expires(
    cluster: Cluster, embedder
) -> None:
    rt = cluster.runtime(embedder)
    try:
        ((key, _),) = submit(rt, make_docs(1, random.Random(3), paragraphs=8, bad_every=0)).items()
        holder = cluster.start("hold")
        cluster.wait_for("the document half written", lambda: holder.events("held"), timeout=120)
        doc = rt.registry.get(*key)
        assert doc is not None and doc.status == Status.INDEXING and doc.owner == holder.owner
        written = rt.store.count(*key)
        assert 0 < written < doc.pending_chunks  # half of its points

        # Another process opens the index (quick reconcile) and runs the full one: nothing of it moves.
        done = cluster.cli("docs", "reconcile", "--json")
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert not report["rolled_back"] and not report["orphans_removed"] and not report["skipped_full"]
        assert reconcile(rt.store, rt.registry).rolled_back == []
        doc = rt.registry.get(*key)
        assert doc is not None and doc.status == Status.INDEXING and doc.owner == holder.owner
        assert rt.store.count(*key) == written

        # Dead, but its lease not yet expired: still its own.
        died = cluster.kill(holder)
        assert reconcile(rt.store, rt.registry).rolled_back == []
        assert rt.store.count(*key) == written
        # Once it has expired: rolled back by this process.
        time.sleep(max(0.0, died + LEASE_S + 0.3 - time.time()))
        assert reconcile(rt.store, rt.registry).rolled_back == [key[1]]
        doc = rt.registry.get(*key)
        assert doc is not None and doc.status == Status.FAILED and doc.owner is None
        assert "interrupted" in (doc.error or "")
        assert rt.store.count(*key) == 0
    finally:
        rt.close()


# ---- 2. and 4. a re-index whose process is killed ---------------------------------------------------

NEW_CHUNK = 48


@dataclass
class Reindexed:
    cluster: Cluster
    serving: Runtime  # a replica in this process, opened before the re-index
    expected: dict[tuple[str, str], Doc]
    before: dict[tuple[str, str], int]  # each document's chunks in the first version
    killed_at: float
    run_id: str
    second_cli: subprocess.CompletedProcess[str]
    second_db: str
    built_when_killed: int
    taker: Proc


@pytest.fixture(scope="module")
def reindexed(tmp_path_factory, embedder, onnx_cache) -> Iterator[Reindexed]:
    """A re-index started by process A and killed in its build phase, while worker B runs."""
    root = tmp_path_factory.mktemp("reindex")
    with store_host.running() as address:
        cluster = Cluster(root, address, onnx_cache)
        serving = cluster.runtime(embedder)
        try:
            expected = submit(serving, make_docs(16, random.Random(7), paragraphs=3, bad_every=0))
            b = cluster.start("worker")
            jobs = JobStore(cluster.registry_url)
            cluster.wait_for(
                "the documents indexed",
                lambda: jobs.counts().get(JobState.INDEXED.value) == len(expected),
                timeout=180,
            )
            jobs.close()
            before = {key: serving.store.count(*key) for key in expected}  # serving the first version
            a = cluster.start("reindex", str(NEW_CHUNK), CHAOS_REINDEX_DELAY_S="1.0")
            cluster.wait_for("a document rebuilt", lambda: len(a.events("reindex-doc")) >= 2, timeout=120)
            (run_id,) = [e["run"] for e in a.events("reindex-started")]
            # A second start is refused while it runs, from another process: by the CLI (it sees the run)
            # and by the database (one running re-index), whatever a process checked before.
            second_cli = cluster.cli("reindex", "--chunk-size", "64", "--quiet")
            checkpoints = Checkpoints(cluster.registry_url, LEASE_S)
            try:
                checkpoints.create("v0099", "v0001", {}, "x", False)
                second_db = "created"
            except ReindexError as e:
                second_db = str(e)
            run = checkpoints.get(run_id)
            assert run is not None and run.state == RunState.RUNNING and run.phase.startswith("building")
            killed_at = cluster.kill(a)
            built = len(a.events("reindex-doc"))
            cluster.wait_for(
                "the re-index switched",
                lambda: checkpoints.get(run_id).state != RunState.RUNNING,  # type: ignore[union-attr]
                timeout=180,
            )
            checkpoints.close()
            yield Reindexed(
                cluster, serving, expected, before, killed_at, run_id, second_cli, second_db, built, b
            )
        finally:
            serving.close()
            cluster.close()


def test_a_killed_reindex_is_taken_over_once_its_lease_expired(reindexed: Reindexed) -> None:
    r = reindexed
    checkpoints = Checkpoints(r.cluster.registry_url, LEASE_S)
    run = checkpoints.get(r.run_id)
    checkpoints.close()
    assert run is not None and run.state == RunState.SWITCHED, (run and run.error, r.cluster.output(r.taker))
    assert run.resumed >= 1 and run.owner == r.taker.owner
    assert 0 < r.built_when_killed < len(r.expected)

    # B took it, once, only after A's lease ran out (A's last beat was at most a heartbeat before the kill).
    takes = [e for e in r.taker.events("reindex-take") if e["ok"]]
    assert len(takes) == 1
    assert takes[0]["t"] >= r.killed_at + LEASE_S - HEARTBEAT_S - 0.2, takes[0]["t"] - r.killed_at
    assert not [e for e in r.taker.events("reindex-take") if e["t"] < r.killed_at]

    # A second start was refused while it ran, by the CLI and by the database.
    assert r.second_cli.returncode == 1, r.second_cli.stdout + r.second_cli.stderr
    assert "is running" in r.second_cli.stderr and "Traceback" not in r.second_cli.stderr
    assert "another re-index has just started" in r.second_db

    # The served version is the new one, every document in it whole, in chunks of the new size.
    versions = store_host.versions(r.cluster.address)
    assert versions.current() == run.version
    new = versions.open(run.version)
    registry = r.serving.registry
    total = 0
    for key in r.expected:
        doc = registry.get(*key)
        assert doc is not None and doc.status == Status.INDEXED
        chunks = new.chunks(*key)
        assert {c["doc_hash"] for c in chunks} == {doc.content_hash}
        assert {c["fingerprint"] for c in chunks} == {run.fingerprint}
        assert sorted(c["chunk_index"] for c in chunks) == list(range(len(chunks)))
        assert len(chunks) > r.before[key] > 0  # smaller chunks than the first version's: more of them
        total += len(chunks)
    assert new.count() == total

    # A replica that served the old version follows the switch: its answers come from the new one.
    time.sleep(r.serving.store.refresh_s + 0.1)
    key, doc = next(iter(r.expected.items()))
    hits = r.serving.retriever.search(doc.phrase, tenant=key[0], top_k=3).hits
    assert r.serving.store.version == run.version
    assert hits and hits[0].doc_id == key[1]
    assert hits[0].chunk_id in {c["id"] for c in new.chunks(*key)}


def test_a_replica_that_follows_a_switch_adopts_the_new_versions_settings(reindexed: Reindexed) -> None:
    r = reindexed
    time.sleep(r.serving.store.refresh_s + 0.1)
    r.serving.store.count()  # any call looks at the alias
    assert r.serving.store.version != "v0001"
    assert r.serving.settings.chunking.size_tokens == NEW_CHUNK
    # What it writes from now on is built as the served version was: its chunker has the new size.
    assert r.serving.chunker.size == NEW_CHUNK


def test_after_a_reindex_the_registry_counts_the_served_chunks(reindexed: Reindexed) -> None:
    """Last in the module: without the counts, its reconcile would destroy the re-indexed documents."""
    r = reindexed
    versions = store_host.versions(r.cluster.address)
    served = versions.open(versions.current())
    for key in r.expected:
        doc = r.serving.registry.get(*key)
        assert doc is not None and doc.chunk_count == served.count(*key), (key, doc.chunk_count)
    done = r.cluster.cli("docs", "reconcile", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["marked_failed"] == []
