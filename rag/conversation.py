"""Conversations: an id keeps the exchanges of one chat, so a follow-up ("and for part-timers?") can be
rewritten into a standalone question before retrieval. SQLite in the data directory by default.

A conversation id names a conversation within one tenant: (tenant, id) is the key. Another tenant using
the same id simply has its own conversation under it, exactly as with any id it has not used before, so
an id reveals nothing about other tenants (not even that it exists) and never their turns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import (
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import registry

from core.db import SqlStore, UtcDateTime, column, map_record, utcnow
from core.errors import ConversationNotFound

log = logging.getLogger(__name__)


_tables = registry()


@dataclass
class _Conversation:
    tenant: str = column(String(64), primary_key=True)
    id: str = column(String(64), primary_key=True)
    created_at: dt.datetime = column(UtcDateTime)


map_record(_Conversation, "tenant_conversations", _tables)


@dataclass
class Turn:
    """One exchange of a conversation, one row of ``conversation_turns`` (which conversation it belongs to
    is set by ``Conversations.append``)."""

    question: str = column(Text)
    standalone: str = column(Text)
    answer: str = column(Text)
    trace_id: str = column(String(64))
    created_at: dt.datetime = column(UtcDateTime)
    tenant: str = column(String(64), default="", kw_only=True)
    conversation_id: str = column(String(64), default="", kw_only=True)
    id: int | None = column(
        Integer, primary_key=True, autoincrement=True, nullable=False, default=None, kw_only=True
    )

    @classmethod
    def given(cls, question: str, answer: str = "") -> Turn:
        """An exchange a client keeps itself and sends as history (never stored)."""
        return cls(question, question, answer, "", utcnow())


map_record(
    Turn,
    "conversation_turns",
    _tables,
    ForeignKeyConstraint(
        ["tenant", "conversation_id"], ["tenant_conversations.tenant", "tenant_conversations.id"]
    ),
    Index("ix_conversation_turns_conversation", "tenant", "conversation_id"),
    Index("ix_conversation_turns_trace", "tenant", "trace_id"),
)


class Conversations(SqlStore):
    branch = "conversations"

    def open(self, tenant: str, conversation_id: str | None) -> str:
        """The id of this tenant's conversation, created if the tenant has none by that id (a new id
        when none is given)."""
        cid = conversation_id or uuid.uuid4().hex
        try:
            with self._session() as s:
                if s.get(_Conversation, (tenant, cid)) is None:
                    s.add(_Conversation(tenant=tenant, id=cid, created_at=utcnow()))
        except IntegrityError:
            pass  # a concurrent request of this tenant created it with the same id: it is there
        return cid

    def history(self, tenant: str, conversation_id: str, last: int | None = None) -> list[Turn]:
        with self._session() as s:
            if s.get(_Conversation, (tenant, conversation_id)) is None:
                raise ConversationNotFound(f"no conversation {conversation_id!r}")
            q = (
                select(Turn)
                .where(Turn.tenant == tenant, Turn.conversation_id == conversation_id)
                .order_by(Turn.id.desc())
            )
            if last is not None:
                q = q.limit(last)
            turns = list(s.scalars(q))
        return turns[::-1]

    def append(self, tenant: str, conversation_id: str, turn: Turn) -> None:
        with self._session() as s:
            s.add(dataclasses.replace(turn, tenant=tenant, conversation_id=conversation_id, id=None))

    def trace_exists(self, tenant: str, trace_id: str) -> bool:
        """Whether this tenant got an answer with this trace id."""
        with self._session() as s:
            q = select(Turn.id).where(Turn.tenant == tenant, Turn.trace_id == trace_id)
            return s.scalars(q).first() is not None
