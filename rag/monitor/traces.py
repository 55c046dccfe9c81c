"""Traces: one record per request (query, search, ingest job) with what monitoring needs: ids, time per
step, retrieval detail (chunk and document ids, dense/sparse/fused ranks and scores), prompt and model,
tokens, cost, refusal, citations, quality signals, the caller's metadata, and feedback when it arrives.

Question and answer text, the chain steps' inputs and outputs, and the messages exactly as sent to the LLM
(``prompt_messages``, after defusing) are stored only when ``monitoring.log_content`` is on. The prompt is
read with one trace (``get``), not with windows of them. The query's embedding is stored (float16) for
drift detection.

This is the storage: ``Trace``, the record (its fields are the table's columns), and ``TraceStore``.
``rag.monitor.trace_writer`` writes them on a background thread. SQLite by default, any SQLAlchemy URL
(Postgres) in production; traces older than ``monitoring.retention_days`` are deleted.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    Integer,
    LargeBinary,
    String,
    Text,
    delete,
    func,
    select,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, defer, registry
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeDecorator

from core.db import SqlStore, UtcDateTime, as_dict, column, map_record, utcnow

log = logging.getLogger(__name__)

_tables = registry()


class Float16Vector(TypeDecorator[np.ndarray]):
    """The query embedding, stored as float16 bytes (half the size; drift detection needs no more)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: np.ndarray | None, dialect: Dialect) -> bytes | None:
        return value.astype(np.float16).tobytes() if value is not None else None

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> np.ndarray | None:
        return np.frombuffer(value, dtype=np.float16).astype(np.float32) if value else None

    def compare_values(self, x: Any, y: Any) -> bool:
        return x is y or (x is not None and y is not None and np.array_equal(x, y))


@dataclass(eq=False)
class Trace:
    """A trace as written and read, one row of ``traces``. ``signals`` holds the quality signals
    (rag.monitor.signals); ``feedback`` is read from its own table."""

    id: str = column(String(32), primary_key=True)
    kind: str = column(String(16), index=True)  # query | search | ingest
    tenant: str = column(String(64), index=True)
    created_at: dt.datetime = column(UtcDateTime, index=True)
    latency_ms: float = column(Float, default=0.0)
    timings: dict[str, float] = column(JSON, default_factory=dict)
    retrieval: list[dict[str, Any]] = column(JSON, default_factory=list)
    request_id: str | None = column(String(64), default=None)
    conversation_id: str | None = column(String(64), default=None, index=True)
    status: str = column(String(16), default="ok")  # ok | error
    error: str | None = column(Text, default=None)
    prompt_name: str | None = column(String(64), default=None)
    prompt_version: int | None = column(Integer, default=None)
    prompt_hash: str | None = column(String(16), default=None)
    prompt_variant: str | None = column(String(16), default=None)
    model: str | None = column(String(128), default=None)
    tokens_in: int = column(Integer, default=0)
    tokens_out: int = column(Integer, default=0)
    cost: float | None = column(Float, default=None)
    refused: bool = column(Boolean, default=False)
    refusal_reason: str | None = column(String(32), default=None)
    citations: list[dict[str, Any]] = column(JSON, default_factory=list)
    uncited: int = column(Integer, default=0)
    signals: dict[str, Any] = column(JSON, default_factory=dict)
    metadata: dict[str, Any] = column(JSON, name="trace_metadata", default_factory=dict)
    steps: list[dict[str, Any]] = column(JSON, default_factory=list)
    question: str | None = column(Text, default=None)
    answer: str | None = column(Text, default=None)
    query_vector: np.ndarray | None = column(Float16Vector, default=None)
    feedback: list[dict[str, Any]] | None = field(default=None)
    # Every guard's decision (core.guard.events.GuardEvent.to_dict): no content, counts and reasons only.
    guardrails: list[dict[str, Any]] = column(JSON, default_factory=list)
    # Slice -> value (rag.monitor.slices): question language and length, document type and metadata, caller.
    slices: dict[str, str] = column(JSON, default_factory=dict)
    # As sent to the LLM; content logging only.
    prompt_messages: list[dict[str, str]] | None = column(JSON, default=None)

    @property
    def prompt_id(self) -> str | None:
        return f"{self.prompt_name}@{self.prompt_version}" if self.prompt_name else None

    def to_dict(self) -> dict[str, Any]:
        return as_dict(self, exclude=("query_vector",)) | {"prompt": self.prompt_id}


map_record(Trace, "traces", _tables)


@dataclass(eq=False, kw_only=True)
class _Feedback:
    id: int | None = column(Integer, primary_key=True, autoincrement=True, nullable=False, default=None)
    trace_id: str = column(String(32), index=True)
    tenant: str = column(String(64), index=True)
    rating: int = column(Integer)
    created_at: dt.datetime = column(UtcDateTime, index=True)
    comment: str = column(Text, default="")


map_record(_Feedback, "feedback", _tables)


def new_id() -> str:
    return uuid.uuid4().hex


def _unloaded(traces: Sequence[Trace], *names: str) -> None:
    """Columns a query left in the database read as None (and not from a closed session)."""
    for t in traces:
        for name in names:
            set_committed_value(t, name, None)


class TraceStore(SqlStore):
    branch = "traces"

    def write(self, traces: Sequence[Trace]) -> None:
        with self._session() as s:
            for t in traces:
                s.merge(t)

    def get(self, trace_id: str, tenant: str | None = None) -> Trace | None:
        with self._session() as s:
            t = s.get(Trace, trace_id, options=[defer(Trace.query_vector)])
            if t is None or (tenant is not None and t.tenant != tenant):
                return None
            _unloaded([t], "query_vector")
            t.feedback = self._feedback(s, [trace_id]).get(trace_id, [])
            return t

    def window(
        self,
        since: dt.datetime,
        until: dt.datetime | None = None,
        kind: str | None = None,
        tenant: str | None = None,
        with_vectors: bool = False,
        limit: int | None = None,
    ) -> list[Trace]:
        # A window feeds summaries and lists: the prompts (kilobytes each) stay in the database.
        unloaded = ["prompt_messages"] if with_vectors else ["prompt_messages", "query_vector"]
        q = (
            select(Trace)
            .options(*(defer(getattr(Trace, c)) for c in unloaded))
            .where(Trace.created_at >= since)
        )
        if until is not None:
            q = q.where(Trace.created_at < until)
        if kind is not None:
            q = q.where(Trace.kind == kind)
        if tenant is not None:
            q = q.where(Trace.tenant == tenant)
        q = q.order_by(Trace.created_at.desc())
        if limit is not None:
            q = q.limit(limit)
        with self._session() as s:
            traces = list(s.scalars(q))
            _unloaded(traces, *unloaded)
            fb = self._feedback(s, [t.id for t in traces])
        for t in traces:
            t.feedback = fb.get(t.id, [])
        return traces

    def add_feedback(self, tenant: str, trace_id: str, rating: int, comment: str = "") -> None:
        with self._session() as s:
            s.add(
                _Feedback(
                    trace_id=trace_id, tenant=tenant, rating=rating, comment=comment, created_at=utcnow()
                )
            )

    def _feedback(self, s: Session, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for chunk in range(0, len(ids), 500):
            q = (
                select(_Feedback)
                .where(_Feedback.trace_id.in_(ids[chunk : chunk + 500]))
                .order_by(_Feedback.id)
            )
            for f in s.scalars(q):
                out.setdefault(f.trace_id, []).append(
                    {"rating": f.rating, "comment": f.comment, "created_at": f.created_at.isoformat()}
                )
        return out

    def count(self) -> int:
        with self._session() as s:
            return int(s.scalar(select(func.count()).select_from(Trace)) or 0)

    def purge(self, older_than: dt.datetime) -> int:
        with self._session() as s:
            n = s.execute(delete(Trace).where(Trace.created_at < older_than)).rowcount or 0
            s.execute(delete(_Feedback).where(_Feedback.created_at < older_than))
        return n
