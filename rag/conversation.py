"""Conversations: an id keeps the exchanges of one chat, so a follow-up ("and for part-timers?") can be
rewritten into a standalone question before retrieval. SQLite in the data directory by default.

A conversation belongs to one tenant; another tenant asking with its id is told it does not exist.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from rag.db import SqlStore, utcnow
from rag.errors import ConversationNotFound


class _Base(DeclarativeBase):
    pass


class _Conversation(_Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class _Turn(_Base):
    __tablename__ = "turns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    standalone: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    trace_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True, slots=True)
class Turn:
    question: str
    standalone: str
    answer: str
    trace_id: str
    created_at: dt.datetime


class Conversations(SqlStore):
    def __init__(self, url: str) -> None:
        super().__init__(url, _Base.metadata)

    def open(self, tenant: str, conversation_id: str | None) -> str:
        """The id of an existing conversation of this tenant, or of a new one (a given id is created)."""
        cid = conversation_id or uuid.uuid4().hex
        with self._session() as s:
            row = s.get(_Conversation, cid)
            if row is None:
                s.add(_Conversation(id=cid, tenant=tenant, created_at=utcnow()))
            elif row.tenant != tenant:
                raise ConversationNotFound(f"no conversation {cid!r}")
        return cid

    def history(self, tenant: str, conversation_id: str, last: int | None = None) -> list[Turn]:
        with self._session() as s:
            conv = s.get(_Conversation, conversation_id)
            if conv is None or conv.tenant != tenant:
                raise ConversationNotFound(f"no conversation {conversation_id!r}")
            q = select(_Turn).where(_Turn.conversation_id == conversation_id).order_by(_Turn.id.desc())
            if last is not None:
                q = q.limit(last)
            rows = list(s.scalars(q))
        return [Turn(r.question, r.standalone, r.answer, r.trace_id, r.created_at) for r in reversed(rows)]

    def append(self, conversation_id: str, turn: Turn) -> None:
        with self._session() as s:
            s.add(
                _Turn(
                    conversation_id=conversation_id,
                    question=turn.question,
                    standalone=turn.standalone,
                    answer=turn.answer,
                    trace_id=turn.trace_id,
                    created_at=turn.created_at,
                )
            )

    def trace_exists(self, tenant: str, trace_id: str) -> bool:
        """Whether this tenant got an answer with this trace id."""
        with self._session() as s:
            q = (
                select(_Turn.id)
                .join(_Conversation, _Conversation.id == _Turn.conversation_id)
                .where(_Turn.trace_id == trace_id, _Conversation.tenant == tenant)
            )
            return s.scalars(q).first() is not None
