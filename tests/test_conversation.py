"""Conversation history in SQLite and PostgreSQL: order, limits, tenants."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core.db import utcnow
from core.errors import ConversationNotFound
from rag.conversation import Conversations, Turn


def test_history_keeps_order_limits_and_survives_reopening(db_url: str) -> None:
    url = db_url
    conv = Conversations(url)
    cid = conv.open("t1", None)
    assert len(cid) == 32 and conv.history("t1", cid) == []
    for i in range(5):
        conv.append("t1", cid, Turn(f"q{i}", f"s{i}", f"a{i}", f"trace{i}", utcnow()))
    assert [t.question for t in conv.history("t1", cid, last=2)] == ["q3", "q4"]
    conv.close()
    again = Conversations(url)
    assert again.open("t1", cid) == cid and [t.answer for t in again.history("t1", cid)] == [
        f"a{i}" for i in range(5)
    ]
    again.close()


def test_an_id_names_a_conversation_within_one_tenant(db_url: str) -> None:
    conv = Conversations(db_url)
    cid = conv.open("t1", "chosen-by-client")
    assert cid == "chosen-by-client"
    conv.append("t1", cid, Turn("secret?", "secret?", "a1", "trace-1", utcnow()))
    with pytest.raises(ConversationNotFound):
        conv.history("t2", cid)  # t2 has no conversation by that id...
    # ...and opening it gives t2 its own, empty, exactly as for an id never used by anyone.
    assert conv.open("t2", cid) == cid and conv.history("t2", cid) == []
    assert conv.open("t2", "never-used") == "never-used" and conv.history("t2", "never-used") == []
    conv.append("t2", cid, Turn("mine", "mine", "a2", "trace-2", utcnow()))
    assert [t.question for t in conv.history("t1", cid)] == ["secret?"]
    assert [t.question for t in conv.history("t2", cid)] == ["mine"]
    assert conv.trace_exists("t1", "trace-1") and not conv.trace_exists("t2", "trace-1")
    assert conv.open("t1", cid) == cid and len(conv.history("t1", cid)) == 1  # opening again keeps it
    conv.close()


def test_conversations_of_the_first_schema_are_kept(tmp_path: Path) -> None:
    """A data directory from before tenant-scoped ids: its conversations move over, each to its tenant."""
    db = tmp_path / "c.sqlite"
    with sqlite3.connect(db) as c:
        c.executescript(
            """
            CREATE TABLE conversations (id VARCHAR(64) PRIMARY KEY, tenant VARCHAR(64), created_at DATETIME);
            CREATE TABLE turns (id INTEGER PRIMARY KEY AUTOINCREMENT,
                conversation_id VARCHAR(64) REFERENCES conversations(id), question TEXT, standalone TEXT,
                answer TEXT, trace_id VARCHAR(64), created_at DATETIME);
            CREATE INDEX ix_turns_conversation_id ON turns (conversation_id);
            INSERT INTO conversations VALUES ('c1', 't1', '2025-01-01 10:00:00');
            INSERT INTO turns (conversation_id, question, standalone, answer, trace_id, created_at) VALUES
                ('c1', 'q1', 's1', 'a1', 'tr1', '2025-01-01 10:00:01'),
                ('c1', 'q2', 's2', 'a2', 'tr2', '2025-01-01 10:00:02');
            """
        )
    conv = Conversations(f"sqlite:///{db}")
    assert [t.question for t in conv.history("t1", "c1")] == ["q1", "q2"]
    assert conv.trace_exists("t1", "tr2") and not conv.trace_exists("t2", "tr2")
    with pytest.raises(ConversationNotFound):
        conv.history("t2", "c1")
    conv.close()
    with sqlite3.connect(db) as c:
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "conversations" not in tables and "turns" not in tables
    again = Conversations(f"sqlite:///{db}")  # opening again finds nothing left to move
    assert len(again.history("t1", "c1")) == 2
    again.close()


def test_concurrent_first_use_of_one_id_opens_one_conversation(db_url: str) -> None:
    conv = Conversations(db_url)
    barrier = threading.Barrier(8)

    def open_at_once(cid: str) -> str:
        barrier.wait()
        return conv.open("t1", cid)

    with ThreadPoolExecutor(8) as pool:
        for n in range(20):
            cid = f"same-{n}"
            assert list(pool.map(open_at_once, [cid] * 8)) == [cid] * 8
            assert conv.history("t1", cid) == []
    conv.close()
