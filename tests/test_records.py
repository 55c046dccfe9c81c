"""Each stored record is one dataclass (its fields are its table's columns, ``core.db.map_record``): a
database the earlier row classes wrote keeps working, and the API's models are validated from the records
with the JSON they always had."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import numpy as np

from api.keys import KeyStore
from api.schemas import DocumentOut, JobOut, ReindexRun
from ingest.jobstore import JobState, JobStore
from ingest.registry import Registry, Status
from ingest.reindex.checkpoint import Checkpoints, DoneDoc, RunState
from rag.conversation import Conversations, Turn
from rag.monitor.traces import Trace, TraceStore

# The tables as the row classes before this change created them (SQLite DDL, as SQLAlchemy emitted it).
OLD_DDL = """
CREATE TABLE traces (
    id VARCHAR(32) NOT NULL, kind VARCHAR(16) NOT NULL, tenant VARCHAR(64) NOT NULL,
    request_id VARCHAR(64), conversation_id VARCHAR(64), created_at DATETIME NOT NULL,
    status VARCHAR(16) NOT NULL, error TEXT, latency_ms FLOAT NOT NULL, timings JSON NOT NULL,
    retrieval JSON NOT NULL, prompt_name VARCHAR(64), prompt_version INTEGER, prompt_hash VARCHAR(16),
    prompt_variant VARCHAR(16), model VARCHAR(128), tokens_in INTEGER NOT NULL, tokens_out INTEGER NOT NULL,
    cost FLOAT, refused BOOLEAN NOT NULL, refusal_reason VARCHAR(32), citations JSON NOT NULL,
    uncited INTEGER NOT NULL, signals JSON NOT NULL, trace_metadata JSON NOT NULL, steps JSON NOT NULL,
    question TEXT, answer TEXT, query_vector BLOB, prompt_messages JSON, PRIMARY KEY (id)
);
CREATE INDEX ix_traces_tenant ON traces (tenant);
CREATE INDEX ix_traces_kind ON traces (kind);
CREATE INDEX ix_traces_created_at ON traces (created_at);
CREATE INDEX ix_traces_conversation_id ON traces (conversation_id);
CREATE TABLE feedback (
    id INTEGER NOT NULL, trace_id VARCHAR(32) NOT NULL, tenant VARCHAR(64) NOT NULL, rating INTEGER NOT NULL,
    comment TEXT NOT NULL, created_at DATETIME NOT NULL, PRIMARY KEY (id)
);
CREATE TABLE jobs (
    id VARCHAR(32) NOT NULL, tenant VARCHAR(64) NOT NULL, doc_id VARCHAR(128) NOT NULL,
    source VARCHAR(1024) NOT NULL, blob VARCHAR(64) NOT NULL, job_metadata JSON NOT NULL,
    state VARCHAR(16) NOT NULL, progress FLOAT NOT NULL, outcome VARCHAR(16), reason VARCHAR(64), error TEXT,
    chunks INTEGER NOT NULL, attempts INTEGER NOT NULL, created_at DATETIME NOT NULL, started_at DATETIME,
    heartbeat_at DATETIME, finished_at DATETIME, replaces BOOLEAN DEFAULT 0 NOT NULL, PRIMARY KEY (id)
);
CREATE TABLE documents (
    tenant VARCHAR(64) NOT NULL, id VARCHAR(128) NOT NULL, source VARCHAR(1024) NOT NULL,
    format VARCHAR(16) NOT NULL, size_bytes INTEGER NOT NULL, content_hash VARCHAR(64),
    chunk_count INTEGER NOT NULL, pending_hash VARCHAR(64), pending_chunks INTEGER NOT NULL,
    status VARCHAR(16) NOT NULL, error TEXT, doc_metadata JSON NOT NULL, created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL, PRIMARY KEY (tenant, id)
);
CREATE TABLE reindex_runs (
    id VARCHAR(32) NOT NULL, state VARCHAR(16) NOT NULL, phase VARCHAR(32) NOT NULL,
    version VARCHAR(32) NOT NULL, served_at_start VARCHAR(32), build JSON NOT NULL,
    fingerprint VARCHAR(32) NOT NULL,
    incremental BOOLEAN NOT NULL, total INTEGER NOT NULL, done INTEGER NOT NULL, rebuilt INTEGER NOT NULL,
    copied INTEGER NOT NULL, chunks INTEGER NOT NULL, resumed INTEGER NOT NULL, rate FLOAT NOT NULL,
    smoke JSON NOT NULL, error TEXT, owner VARCHAR(128) NOT NULL, cancel BOOLEAN NOT NULL,
    started_at DATETIME NOT NULL, heartbeat_at DATETIME NOT NULL, finished_at DATETIME, PRIMARY KEY (id)
);
CREATE TABLE reindex_docs (
    run_id VARCHAR(32) NOT NULL, tenant VARCHAR(64) NOT NULL, doc_id VARCHAR(128) NOT NULL,
    content_hash VARCHAR(64) NOT NULL, doc_metadata JSON NOT NULL, chunks INTEGER NOT NULL,
    how VARCHAR(16) NOT NULL, PRIMARY KEY (run_id, tenant, doc_id)
);
CREATE TABLE tenant_conversations (
    tenant VARCHAR(64) NOT NULL, id VARCHAR(64) NOT NULL, created_at DATETIME NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE TABLE conversation_turns (
    id INTEGER NOT NULL, tenant VARCHAR(64) NOT NULL, conversation_id VARCHAR(64) NOT NULL,
    question TEXT NOT NULL, standalone TEXT NOT NULL, answer TEXT NOT NULL, trace_id VARCHAR(64) NOT NULL,
    created_at DATETIME NOT NULL, PRIMARY KEY (id),
    FOREIGN KEY(tenant, conversation_id) REFERENCES tenant_conversations (tenant, id)
);
CREATE TABLE api_keys (
    id VARCHAR(16) NOT NULL, secret_hash VARCHAR(64) NOT NULL, tenant VARCHAR(64) NOT NULL,
    admin BOOLEAN NOT NULL, name VARCHAR(200) NOT NULL, created_at DATETIME NOT NULL, revoked_at DATETIME,
    PRIMARY KEY (id)
);
"""

T0 = "2026-03-01 09:30:00.000000"  # how SQLAlchemy stores a datetime in SQLite: no time zone
AT = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
VEC = np.array([0.5, -0.25, 1.0], dtype=np.float32)


def _old_db(path: Path) -> str:
    with sqlite3.connect(path) as db:
        db.executescript(OLD_DDL)
        db.execute(
            "INSERT INTO traces VALUES (?, 'query', 'acme', 'req-1', 'conv-1', ?, 'ok', NULL, 12.5,"
            " '{\"search\": 3.0}', '[{\"chunk_id\": \"c1\"}]', 'answer', 2, 'abc', 'B', 'm', 10, 5, 0.25,"
            " 0, NULL, '[]', 1, '{\"confidence\": 0.75}', '{\"team\": \"hr\"}', '[]', 'why?', 'because',"
            ' ?, \'[{"role": "user", "content": "why?"}]\')',
            ("a" * 32, T0, VEC.astype(np.float16).tobytes()),
        )
        db.execute("INSERT INTO feedback VALUES (1, ?, 'acme', 1, 'good', ?)", ("a" * 32, T0))
        db.execute(
            "INSERT INTO jobs VALUES ('j1', 'acme', 'doc', 'a.txt', 'blob', '{\"k\": 1}', 'parsing', 0.1,"
            " NULL, NULL, NULL, 0, 1, ?, ?, ?, NULL, 0)",
            (T0, T0, T0),
        )
        db.execute(
            "INSERT INTO documents VALUES ('acme', 'doc', 'a.txt', 'txt', 42, 'h1', 3, NULL, 0, 'indexed',"
            " NULL, '{\"k\": 1}', ?, ?)",
            (T0, T0),
        )
        db.execute(
            "INSERT INTO reindex_runs VALUES ('r1', 'running', 'building', 'v2', 'v1',"
            " '{\"chunk_size\": 256}', 'fp', 1, 10, 4, 3, 1, 30, 0, 2.0, '{}', NULL, 'elsewhere:1', 0,"
            " ?, ?, NULL)",
            (T0, T0),
        )
        db.execute("INSERT INTO reindex_docs VALUES ('r1', 'acme', 'doc', 'h1', '{\"k\": 1}', 3, 'rebuilt')")
        db.execute("INSERT INTO tenant_conversations VALUES ('acme', 'conv-1', ?)", (T0,))
        db.execute(
            "INSERT INTO conversation_turns VALUES (1, 'acme', 'conv-1', 'q', 'sq', 'a', 'tr-1', ?)", (T0,)
        )
        db.execute(
            "INSERT INTO api_keys VALUES ('k1', ?, 'acme', 1, 'ops', ?, NULL)",
            (hashlib.sha256(b"s3cret").hexdigest(), T0),
        )
    return f"sqlite:///{path}"


def test_traces_written_by_the_old_row_class_read_and_write(tmp_path: Path) -> None:
    store = TraceStore(_old_db(tmp_path / "old.sqlite"))
    t = store.get("a" * 32, tenant="acme")
    assert t is not None and t.created_at == AT and t.metadata == {"team": "hr"}
    assert t.prompt_id == "answer@2" and t.signals == {"confidence": 0.75} and t.query_vector is None
    d = t.to_dict()
    assert "query_vector" not in d and d["created_at"] == AT.isoformat() and d["prompt"] == "answer@2"
    assert d["feedback"] == [{"rating": 1, "comment": "good", "created_at": AT.isoformat()}]
    assert d["prompt_messages"] == [{"role": "user", "content": "why?"}] and d["metadata"] == {"team": "hr"}
    (w,) = store.window(AT - dt.timedelta(days=1), with_vectors=True)
    assert np.allclose(w.query_vector, VEC) and w.prompt_messages is None and w.feedback == d["feedback"]
    (w,) = store.window(AT - dt.timedelta(days=1))
    assert w.query_vector is None
    store.write([Trace(id="b" * 32, kind="search", tenant="acme", created_at=AT, query_vector=VEC)])
    store.write([Trace(id="b" * 32, kind="search", tenant="acme", created_at=AT, query_vector=VEC)])
    assert store.count() == 2 and store.get("b" * 32).to_dict()["timings"] == {}
    store.close()


def test_jobs_documents_and_runs_of_an_old_database_validate_into_the_api_models(tmp_path: Path) -> None:
    url = _old_db(tmp_path / "old.sqlite")
    jobs, registry, checkpoints = JobStore(url), Registry(url), Checkpoints(url)
    job = jobs.get("j1")
    assert job is not None and job.state == JobState.PARSING and job.metadata == {"k": 1} and not job.replaces
    assert jobs.counts() == {"parsing": 1} and jobs.in_states([JobState.PARSING]) == [job]
    assert JobOut.model_validate(job, from_attributes=True).model_dump() == {
        "id": "j1",
        "document_id": "doc",
        "source": "a.txt",
        "state": "parsing",
        "progress": 0.1,
        "outcome": None,
        "reason": None,
        "error": None,
        "chunks": 0,
        "attempts": 1,
        "created_at": AT.isoformat(),
        "started_at": AT.isoformat(),
        "heartbeat_at": AT.isoformat(),
        "finished_at": None,
    }
    assert jobs.transition("j1", JobState.INDEXED, outcome="added", chunks=3)
    assert jobs.get("j1").finished and jobs.get("j1").outcome == "added"

    doc = registry.get("acme", "doc")
    assert doc is not None and doc.status == Status.INDEXED and doc.metadata == {"k": 1}
    assert DocumentOut.model_validate(doc, from_attributes=True).model_dump() == {
        "id": "doc",
        "tenant": "acme",
        "source": "a.txt",
        "format": "txt",
        "size_bytes": 42,
        "content_hash": "h1",
        "chunk_count": 3,
        "status": "indexed",
        "error": None,
        "metadata": {"k": 1},
        "created_at": AT.isoformat(),
        "updated_at": AT.isoformat(),
        "guard": {},  # the column an older database gets on open, empty until the document is re-indexed
    }
    registry.begin_index("acme", "doc", source="a.txt", content_hash="h2", chunks=4, fmt="txt", size_bytes=9,
                         metadata={})  # fmt: skip
    registry.finish_index("acme", "doc")
    after = registry.get("acme", "doc")
    assert (after.content_hash, after.chunk_count, after.status) == ("h2", 4, Status.INDEXED)
    assert after.updated_at > AT and registry.list(status=Status.INDEXED) == [after]

    run = checkpoints.get("r1")
    assert run is not None and run.state == RunState.RUNNING and run.eta_s == 3.0
    out = ReindexRun.model_validate(run, from_attributes=True).model_dump()
    assert out["settings"] == {"chunk_size": 256} and out["docs_per_s"] == 2.0 and out["eta_s"] == 3.0
    assert out["state"] == "running" and out["started_at"] == AT.isoformat() and "owner" not in out
    assert checkpoints.done("r1") == {("acme", "doc"): DoneDoc("h1", {"k": 1}, 3)}
    assert checkpoints.tally("r1") == {"rebuilt": 1, "copied": 0, "chunks": 3}
    for store in (jobs, registry, checkpoints):
        store.close()


def test_conversations_and_keys_of_an_old_database_keep_working(tmp_path: Path) -> None:
    url = _old_db(tmp_path / "old.sqlite")
    conversations, keys = Conversations(url), KeyStore(url)
    (turn,) = conversations.history("acme", "conv-1")
    assert (turn.question, turn.standalone, turn.answer, turn.trace_id) == ("q", "sq", "a", "tr-1")
    conversations.append("acme", "conv-1", Turn("q2", "sq2", "a2", "tr-2", AT))
    assert [t.trace_id for t in conversations.history("acme", "conv-1")] == ["tr-1", "tr-2"]
    assert conversations.trace_exists("acme", "tr-2") and not conversations.trace_exists("other", "tr-2")
    who = keys.verify("rk_k1_s3cret")
    assert who is not None and (who.tenant, who.admin) == ("acme", True)
    assert keys.list() == [
        {
            "id": "k1",
            "tenant": "acme",
            "admin": True,
            "name": "ops",
            "created_at": "2026-03-01T09:30:00",
            "revoked": False,
        }  # fmt: skip
    ]
    conversations.close()
    keys.close()
