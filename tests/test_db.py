"""Our databases on SQLite and on a real PostgreSQL (tests/postgres.py): migrations (a new database, one an
older version made without them, two processes opening at once, RAG_DB__AUTO_UPGRADE off, `rag db`),
the stores' types and queries on both, and core.lease's heartbeat, abandoned work and named locks."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from api.keys import KeyStore
from core import migrations
from core.db import advisory_key, make_engine, utcnow
from core.errors import DatabaseBehind, ReindexError
from core.lease import Leases, ProcessRow, abandoned, process_id
from ingest.blobs import _Base as BlobTables
from ingest.jobstore import FINISHED, Job, JobState, JobStore
from ingest.registry import Registry, Status
from ingest.reindex.checkpoint import Checkpoints, DoneDoc, RunState
from ingest.sourcestore import SourceStore
from ingest.syncruns import SyncRuns
from rag.conversation import Conversations, Turn
from rag.monitor.traces import Trace, TraceStore

ROOT = Path(__file__).resolve().parent.parent
RAG = str(Path(sys.executable).with_name("rag"))
BRANCH_STORES = {
    "registry": (Registry, JobStore, KeyStore, Checkpoints, Leases, SourceStore, SyncRuns),
    "conversations": (Conversations,),
    "traces": (TraceStore,),
}
AT = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _models() -> sa.MetaData:
    """Every table our stores map, in one MetaData (what the migrations must build)."""
    from api import keys, ratelimit
    from core import lease
    from ingest import jobstore, registry, sourcestore, syncruns
    from ingest.reindex import checkpoint
    from rag import conversation
    from rag.monitor import traces

    merged = sa.MetaData()
    for md in (lease.METADATA, BlobTables.metadata):
        for t in md.tables.values():
            t.to_metadata(merged)
    for module in (
        keys,
        ratelimit,
        jobstore,
        registry,
        sourcestore,
        syncruns,
        checkpoint,
        conversation,
        traces,
    ):
        for t in module._tables.metadata.tables.values():
            t.to_metadata(merged)
    return merged


# ---- migrations ----------------------------------------------------------------------------------------


def test_heads_name_the_newest_revision_of_each_branch() -> None:
    assert migrations.script_heads() == migrations.HEADS


def test_a_new_database_gets_exactly_the_tables_the_models_map(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    for stores in BRANCH_STORES.values():
        for store in stores:
            store(db_url).close()
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), _models())
    finally:
        engine.dispose()
    # The version tables are the migrations' own; anything else is a model the revisions do not build.
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name.startswith("alembic_version_"))]
    assert diff == []


def test_a_traces_database_gets_only_the_trace_tables(db_url: str) -> None:
    TraceStore(db_url).close()
    assert _tables(db_url) == {"traces", "feedback", "alembic_version_traces"}


# The tables as main before migrations created them (create_all), each lacking what was added since:
# documents without guard and owner, jobs without replaces and owner, traces without the three late columns.
OLD = sa.MetaData()
sa.Table(
    "documents", OLD,
    *(sa.Column(n, sa.String(128), primary_key=True) for n in ("tenant", "id")),
    sa.Column("source", sa.String(1024), nullable=False), sa.Column("format", sa.String(16), nullable=False),
    sa.Column("size_bytes", sa.Integer, nullable=False), sa.Column("content_hash", sa.String(64)),
    sa.Column("chunk_count", sa.Integer, nullable=False), sa.Column("pending_hash", sa.String(64)),
    sa.Column("pending_chunks", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("error", sa.Text), sa.Column("doc_metadata", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)  # fmt: skip
sa.Table(
    "jobs", OLD,
    sa.Column("id", sa.String(32), primary_key=True),
    *(sa.Column(n, sa.String(128), nullable=False) for n in ("tenant", "doc_id", "source", "blob", "state")),
    sa.Column("job_metadata", sa.JSON, nullable=False), sa.Column("progress", sa.Float, nullable=False),
    *(sa.Column(n, sa.String(64)) for n in ("outcome", "reason", "error")),
    sa.Column("chunks", sa.Integer, nullable=False), sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    *(sa.Column(n, sa.DateTime(timezone=True)) for n in ("started_at", "heartbeat_at", "finished_at")),
)  # fmt: skip
sa.Table(
    "traces", OLD,
    sa.Column("id", sa.String(32), primary_key=True),
    *(sa.Column(n, sa.String(64), nullable=False) for n in ("kind", "tenant", "status")),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("latency_ms", sa.Float, nullable=False),
    *(sa.Column(n, sa.Integer, nullable=False) for n in ("tokens_in", "tokens_out", "uncited")),
    sa.Column("refused", sa.Boolean, nullable=False),
    *(sa.Column(n, sa.JSON, nullable=False) for n in ("timings", "retrieval", "citations", "signals",
                                                        "trace_metadata", "steps")),
    *(sa.Column(n, sa.String(64)) for n in ("request_id", "conversation_id", "prompt_name", "prompt_hash",
                                            "prompt_variant", "model", "refusal_reason", "error", "question",
                                            "answer")),
    sa.Column("prompt_version", sa.Integer), sa.Column("cost", sa.Float),
    sa.Column("query_vector", sa.LargeBinary),
)  # fmt: skip


def _old_database(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as c:
        OLD.create_all(c)
        c.execute(
            OLD.tables["documents"].insert(),
            dict(tenant="acme", id="doc", source="a.txt", format="txt", size_bytes=42, content_hash="h1",
                 chunk_count=3, pending_chunks=0, status="indexed", doc_metadata={"k": [1, 2]}, created_at=AT,
                 updated_at=AT),
        )  # fmt: skip
        c.execute(
            OLD.tables["jobs"].insert(),
            dict(id="j1", tenant="acme", doc_id="doc", source="a.txt", blob="0" * 64, state="parsing",
                 job_metadata={"k": 1}, progress=0.1, chunks=0, attempts=1, created_at=AT, started_at=AT),
        )  # fmt: skip
        c.execute(
            OLD.tables["traces"].insert(),
            dict(id="t" * 32, kind="query", tenant="acme", status="ok", created_at=AT, latency_ms=1.5,
                 tokens_in=1, tokens_out=2, uncited=0, refused=False, timings={"search": 3.0}, retrieval=[],
                 citations=[], signals={}, trace_metadata={"team": "hr"}, steps=[]),
        )  # fmt: skip
    engine.dispose()


def test_a_database_an_older_version_made_is_brought_to_head_keeping_its_rows(db_url: str) -> None:
    _old_database(db_url)
    registry, jobs, traces = Registry(db_url), JobStore(db_url), TraceStore(db_url)
    doc = registry.get("acme", "doc")
    assert doc is not None and doc.status == Status.INDEXED and doc.metadata == {"k": [1, 2]}
    assert doc.created_at == AT and doc.owner is None and doc.guard is None  # added, empty
    job = jobs.get("j1")
    assert job is not None and job.state == JobState.PARSING and job.replaces is False and job.owner is None
    # What the second revision adds is there and works: one running job per document.
    with pytest.raises(IntegrityError):
        jobs.create("acme", "doc", "a.txt", "0" * 64, {}, job_id="j2")
        jobs.transition("j2", JobState.PARSING)
    t = traces.get("t" * 32)
    assert t is not None and t.metadata == {"team": "hr"} and t.prompt_messages is None
    traces.write([Trace(id="n" * 32, kind="search", tenant="acme", created_at=AT, guardrails=[{"g": 1}])])
    assert traces.get("n" * 32).guardrails == [{"g": 1}]
    for store in (registry, jobs, traces):
        store.close()
    engine = make_engine(db_url)
    assert {b: migrations.current(engine, b) for b in ("registry", "traces")} == {
        "registry": migrations.HEADS["registry"],
        "traces": migrations.HEADS["traces"],
    }
    engine.dispose()


def test_with_auto_upgrade_off_a_database_behind_is_refused_until_upgraded(db_url: str) -> None:
    with pytest.raises(
        DatabaseBehind, match=r"is at revision none, this version needs registry_\d+: run `rag db "
    ):
        JobStore(db_url, auto_upgrade=False)
    assert "jobs" not in _tables(db_url)
    engine = make_engine(db_url)
    assert migrations.upgrade_branch(engine, "registry") == (None, migrations.HEADS["registry"])
    assert migrations.upgrade_branch(engine, "registry") == (migrations.HEADS["registry"],) * 2
    engine.dispose()
    JobStore(db_url, auto_upgrade=False).close()


def test_a_version_table_another_process_creates_while_it_is_read_is_read(db_url: str) -> None:
    """The table missing at the first read and there at the look that follows (the other process's
    upgrade committed in between): the revision, not an error."""
    engine = make_engine(db_url)
    other = make_engine(db_url)
    done = []

    @sa.event.listens_for(engine, "handle_error")
    def _other_upgrades_meanwhile(_ctx: object) -> None:
        if not done:
            done.append(migrations.upgrade_branch(other, "registry"))

    try:
        assert migrations.current(engine, "registry") == migrations.HEADS["registry"]
        assert done == [(None, migrations.HEADS["registry"])]
    finally:
        engine.dispose()
        other.dispose()


def test_the_setting_reaches_the_cli(tmp_path: Path) -> None:
    env = _env(RAG_DATA_DIR=str(tmp_path / "data"), RAG_DB__AUTO_UPGRADE="false")
    out = subprocess.run([RAG, "keys", "list"], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and "rag db upgrade" in out.stderr and "Traceback" not in out.stderr


MIGRATE_AT_ONCE = """
import logging, sys, time
logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(name)s %(message)s")
from alembic import command
real = command.upgrade
def slow(*args, **kwargs):  # hold the lock a while: the other process arrives meanwhile
    time.sleep(0.5)
    return real(*args, **kwargs)
command.upgrade = slow
from ingest.jobstore import JobStore
url, start = sys.argv[1], float(sys.argv[2])
while time.time() < start:
    time.sleep(0.002)
store = JobStore(url)
store.create("acme", "doc", "a.txt", "0" * 64, {})
store.close()
print("opened")
"""


def test_two_processes_opening_a_new_database_at_once_migrate_it_once(db_url: str) -> None:
    start = str(time.time() + 3)  # both have imported everything by then
    procs = [
        subprocess.Popen([sys.executable, "-c", MIGRATE_AT_ONCE, db_url, start], env=_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]  # fmt: skip
    outs = [p.communicate(timeout=60)[0] for p in procs]
    said = "\n".join(
        f"--- process {i}, exit {p.returncode}:\n{o[-3000:]}"
        for i, (p, o) in enumerate(zip(procs, outs, strict=True))
    )
    assert [p.returncode for p in procs] == [0, 0], said
    assert all(o.rstrip().endswith("opened") for o in outs), outs
    upgraded = [line for o in outs for line in o.splitlines() if "database upgraded from" in line]
    assert upgraded == [
        f"core.migrations registry database upgraded from nothing to {migrations.HEADS['registry']}"
    ]
    store = JobStore(db_url)
    assert store.counts() == {"queued": 2}
    store.close()


def test_rag_db_upgrade_and_current(tmp_path: Path, db_url: str) -> None:
    env = _env(RAG_DATA_DIR=str(tmp_path / "data"), RAG_INGEST__REGISTRY_URL=db_url,
               RAG_ANSWER__CONVERSATIONS_URL=db_url, RAG_MONITORING__TRACES_URL=db_url)  # fmt: skip

    def rag(*args: str) -> str:
        out = subprocess.run([RAG, "db", *args], env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout

    before = json.loads(rag("current", "--json"))
    assert [(r["database"], r["revision"], r["behind"]) for r in before] == [
        (b, None, True) for b in migrations.BRANCHES
    ]
    first = rag("upgrade")
    for b in migrations.BRANCHES:
        assert f"{b} (" in first and f"upgraded nothing -> {migrations.HEADS[b]}" in first
    assert "already at" not in first
    again = rag("upgrade")
    assert again.count("already at") == 3 and "upgraded" not in again
    after = json.loads(rag("current", "--json"))
    assert [(r["revision"], r["behind"]) for r in after] == [
        (migrations.HEADS[b], False) for b in migrations.BRANCHES
    ]
    assert "at head" in rag("current")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (
            "postgresql://rag:s3cret@127.0.0.1:1/rag",
            "cannot open the registry database (postgresql+psycopg://rag:***@",
        ),
        ("postgres:/!!", "is not a SQLAlchemy URL"),
        ("oracle9://x@y/z", "unknown database kind 'oracle9'"),
    ],
)
def test_rag_db_says_in_one_line_what_is_wrong(tmp_path: Path, url: str, says: str) -> None:
    env = _env(RAG_DATA_DIR=str(tmp_path / "data"), RAG_INGEST__REGISTRY_URL=url)
    out = subprocess.run([RAG, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and says in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and "s3cret" not in out.stderr and len(out.stderr.splitlines()) == 1


def test_without_psycopg_a_postgres_url_names_the_extra(tmp_path: Path) -> None:
    code = "import sys; sys.modules['psycopg'] = None; from app.cli import main; main()"
    env = _env(RAG_DATA_DIR=str(tmp_path / "data"), RAG_INGEST__REGISTRY_URL="postgresql://rag@localhost/rag")
    cmd = [sys.executable, "-c", code, "db", "current"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and "pip install 'rag-knowledge[postgres]'" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr


def test_opening_a_store_at_head_is_cheap(db_url: str) -> None:
    JobStore(db_url).close()
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        JobStore(db_url).close()
        times.append(time.perf_counter() - t0)
    assert "alembic.command" not in sys.modules or min(times) < 0.2, times


# ---- the stores' types and queries on both databases -------------------------------------------------


def test_json_times_and_enums_round_trip_and_the_job_queries_work(db_url: str) -> None:
    registry, jobs = Registry(db_url), JobStore(db_url)
    meta = {"team": "hr", "tags": ["a", "b"], "n": 1.5, "nested": {"ok": True, "none": None}}
    registry.begin_index("acme", "doc", source="a.txt", content_hash="h", chunks=2, fmt="txt", size_bytes=9,
                         metadata=meta)  # fmt: skip
    registry.finish_index("acme", "doc", guard={"pii": {"EMAIL": 2}})
    doc = registry.get("acme", "doc")
    assert doc.metadata == meta and doc.guard == {"pii": {"EMAIL": 2}} and doc.status is Status.INDEXED
    assert doc.created_at.tzinfo is dt.UTC and abs(utcnow() - doc.updated_at) < dt.timedelta(minutes=1)
    assert registry.list(status=Status.INDEXED) == [doc] and registry.count(tenant="acme") == 1

    first = jobs.create("acme", "doc", "a.txt", "0" * 64, {"k": [1]})
    assert jobs.active_for("acme", "doc").id == first.id  # Job.state.notin_(sorted(FINISHED))
    for running in (JobState.PARSING, JobState.OCR):  # one running job per document, in any stage
        assert jobs.transition(first.id, running)
        second = jobs.create("acme", "doc", "a.txt", "0" * 64, {})
        with pytest.raises(IntegrityError):
            jobs.transition(second.id, JobState.CHUNKING)
    assert jobs.transition(first.id, JobState.INDEXED, outcome="added", chunks=2)
    assert jobs.get(first.id).state is JobState.INDEXED and jobs.get(first.id).metadata == {"k": [1]}
    assert jobs.in_states(sorted(FINISHED)) == [jobs.get(first.id)]
    with jobs._session() as s:
        assert s.scalars(sa.select(Job.id).where(Job.state.notin_(sorted(FINISHED)))).all() == [
            j.id for j in jobs.in_states([JobState.QUEUED])
        ]
    registry.close()
    jobs.close()


def test_checkpoints_keys_traces_and_conversations_on_both(db_url: str) -> None:
    runs = Checkpoints(db_url)
    run = runs.create("v2", "v1", {"chunk_size": 256}, "fp", incremental=True)
    with pytest.raises(ReindexError, match="another re-index"):  # one running re-index, by the database
        runs.create("v3", "v1", {}, "fp", incremental=False)
    runs.record(run.id, "acme", "doc", DoneDoc("h", {"k": 1}, 3), "rebuilt")
    assert runs.done(run.id) == {("acme", "doc"): DoneDoc("h", {"k": 1}, 3)}
    assert runs.unfinished().build == {"chunk_size": 256} and runs.get(run.id).state is RunState.RUNNING
    runs.close()

    keys = KeyStore(db_url)
    key, who = keys.create("acme", admin=True, name="ops")
    assert keys.verify(key) == who and keys.list()[0]["tenant"] == "acme"
    keys.close()

    traces = TraceStore(db_url)
    vec = np.array([0.5, -0.25, 1.0], dtype=np.float32)
    traces.write([Trace(id="a" * 32, kind="query", tenant="acme", created_at=AT, query_vector=vec,
                        signals={"confidence": 0.75}, slices={"lang": "en"})])  # fmt: skip
    traces.add_feedback("acme", "a" * 32, 1, "good")
    (w,) = traces.window(AT - dt.timedelta(hours=1), with_vectors=True)
    assert np.allclose(w.query_vector, vec) and w.signals == {"confidence": 0.75} and w.created_at == AT
    assert traces.get("a" * 32).feedback[0]["rating"] == 1
    traces.close()

    conv = Conversations(db_url)
    cid = conv.open("acme", None)
    conv.append("acme", cid, Turn("q", "q", "a", "tr", AT))
    assert [t.created_at for t in conv.history("acme", cid)] == [AT]
    conv.close()


# ---- core.lease on both databases --------------------------------------------------------------------


def test_a_beating_process_is_alive_and_its_work_is_abandoned_once_it_falls_silent(db_url: str) -> None:
    leases = Leases(db_url, lease_s=30)
    leases.beat()
    assert [p.id for p in leases.live()] == [process_id()] and leases.alive(process_id())
    jobs = JobStore(db_url)
    for job_id, owner in (("mine", process_id()), ("silent", "host:1:dead"), ("nobody", None)):
        jobs.create("acme", job_id, "a.txt", "0" * 64, {}, job_id=job_id)
        with jobs._session() as s:
            s.execute(sa.update(Job).where(Job.id == job_id).values(owner=owner))
    with leases._session() as s:  # a peer that beat 31 s ago, and its job
        s.add(ProcessRow(id="host:2:late", host="host", pid=2, beat_at=utcnow() - dt.timedelta(seconds=31)))
        s.add(ProcessRow(id="host:3:live", host="host", pid=3))
    for job_id, owner in (("late", "host:2:late"), ("live", "host:3:live")):
        jobs.create("acme", job_id, "a.txt", "0" * 64, {}, job_id=job_id)
        with jobs._session() as s:
            s.execute(sa.update(Job).where(Job.id == job_id).values(owner=owner))
    with jobs._session() as s:
        taken = set(s.scalars(sa.select(Job.id).where(abandoned(Job.owner, 30))))
    assert taken == {"silent", "nobody", "late"}
    assert not leases.alive("host:2:late") and leases.alive("host:3:live")
    jobs.close()
    leases.close()


HOLD = """
import sys, time
from core.lease import Leases
leases = Leases(sys.argv[1], lease_s=1)
leases.start(0.2)
with leases.hold("reconcile") as got:
    print("held" if got else "refused", flush=True)
    time.sleep(60)
"""


def test_a_named_lock_is_one_process_s_until_that_process_dies(db_url: str) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, db_url], env=_env(), stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        leases = Leases(db_url, lease_s=1)
        with leases.hold("reconcile") as got:
            assert not got
        if db_url.startswith("postgresql"):  # the advisory lock: a second connection cannot take it either
            engine = make_engine(db_url)
            key = sa.text("SELECT pg_try_advisory_lock(:k)")
            with engine.connect() as c:
                assert c.execute(key, {"k": advisory_key("reconcile")}).scalar() is False
            engine.dispose()
        with leases.hold("another") as got:
            assert got
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        # PostgreSQL lets go with the dead connection; elsewhere the row is taken over once the lease ends.
        deadline = time.monotonic() + 10
        while True:
            with leases.hold("reconcile") as got:
                if got:
                    break
            assert time.monotonic() < deadline, "the dead holder's lock was never released"
            time.sleep(0.1)
        waited = 10 - (deadline - time.monotonic())
        assert waited < (1 if db_url.startswith("postgresql") else 3)
        leases.close()
    finally:
        holder.kill()
        holder.wait()


def test_a_password_in_the_query_string_is_hidden_too() -> None:
    shown = migrations.shown("postgresql+psycopg://rag@db/rag?password=TopSecret5&sslmode=require")
    assert "TopSecret5" not in shown and "sslmode=require" in shown
    assert "hunter2" not in migrations.shown("postgresql://rag:hunter2@db/rag")
