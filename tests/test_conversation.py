"""Conversation history in SQLite: order, limits, tenants."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.conversation import Conversations, Turn
from rag.db import utcnow
from rag.errors import ConversationNotFound


def test_history_keeps_order_limits_and_survives_reopening(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    conv = Conversations(url)
    cid = conv.open("t1", None)
    assert len(cid) == 32 and conv.history("t1", cid) == []
    for i in range(5):
        conv.append(cid, Turn(f"q{i}", f"s{i}", f"a{i}", f"trace{i}", utcnow()))
    assert [t.question for t in conv.history("t1", cid, last=2)] == ["q3", "q4"]
    conv.close()
    again = Conversations(url)
    assert again.open("t1", cid) == cid and [t.answer for t in again.history("t1", cid)] == [
        f"a{i}" for i in range(5)
    ]
    again.close()


def test_a_conversation_is_invisible_to_other_tenants(tmp_path: Path) -> None:
    conv = Conversations(f"sqlite:///{tmp_path / 'c.sqlite'}")
    cid = conv.open("t1", "chosen-by-client")
    assert cid == "chosen-by-client"
    with pytest.raises(ConversationNotFound):
        conv.open("t2", cid)
    with pytest.raises(ConversationNotFound):
        conv.history("t2", cid)
    conv.close()
