"""Traces: one record per request (query, search, ingest job) with what monitoring needs: ids, time per
step, retrieval detail (chunk and document ids, dense/sparse/fused ranks and scores), prompt and model,
tokens, cost, refusal, citations, quality signals, the caller's metadata, and feedback when it arrives.

Question and answer text, the chain steps' inputs and outputs, and the messages exactly as sent to the LLM
(``prompt_messages``, after defusing) are stored only when ``monitoring.log_content`` is on. The prompt is
read with one trace (``get``), not with windows of them. The query's embedding is stored (float16) for
drift detection.

Writing happens on a background thread behind a bounded queue, so monitoring never slows an answer; a
full queue drops the trace and counts it. SQLite by default, any SQLAlchemy URL (Postgres) in production;
traces older than ``monitoring.retention_days`` are deleted.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    String,
    Text,
    delete,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, defer, mapped_column

from core.db import SqlStore, aware, utcnow

log = logging.getLogger(__name__)


class _Base(DeclarativeBase):
    pass


class _Trace(_Base):
    __tablename__ = "traces"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # query | search | ingest
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    conversation_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(16), default="ok")  # ok | error
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    timings: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    retrieval: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    prompt_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    prompt_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    prompt_hash: Mapped[str | None] = mapped_column(String(16), nullable=True)
    prompt_variant: Mapped[str | None] = mapped_column(String(16), nullable=True)
    model: Mapped[str | None] = mapped_column(String(128), nullable=True)
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[float | None] = mapped_column(Float, nullable=True)
    refused: Mapped[bool] = mapped_column(Boolean, default=False)
    refusal_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    uncited: Mapped[int] = mapped_column(Integer, default=0)
    signals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    trace_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    question: Mapped[str | None] = mapped_column(Text, nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    query_vector: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    prompt_messages: Mapped[list[dict[str, str]] | None] = mapped_column(JSON, nullable=True)


# Columns added after the table first shipped: created in an existing database on open.
_ADDED_COLUMNS = ("prompt_messages",)


class _Feedback(_Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trace_id: Mapped[str] = mapped_column(String(32), index=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


@dataclass
class Trace:
    """A trace as written and read. ``signals`` holds the quality signals (rag.monitor.signals)."""

    id: str
    kind: str
    tenant: str
    created_at: dt.datetime
    latency_ms: float = 0.0
    timings: dict[str, float] | None = None
    retrieval: list[dict[str, Any]] | None = None
    request_id: str | None = None
    conversation_id: str | None = None
    status: str = "ok"
    error: str | None = None
    prompt_name: str | None = None
    prompt_version: int | None = None
    prompt_hash: str | None = None
    prompt_variant: str | None = None
    model: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float | None = None
    refused: bool = False
    refusal_reason: str | None = None
    citations: list[dict[str, Any]] | None = None
    uncited: int = 0
    signals: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    steps: list[dict[str, Any]] | None = None
    question: str | None = None
    answer: str | None = None
    query_vector: np.ndarray | None = None
    feedback: list[dict[str, Any]] | None = None
    prompt_messages: list[dict[str, str]] | None = None  # as sent to the LLM; content logging only

    @property
    def prompt_id(self) -> str | None:
        return f"{self.prompt_name}@{self.prompt_version}" if self.prompt_name else None

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if k != "query_vector"}
        d["created_at"] = self.created_at.isoformat()
        d["prompt"] = self.prompt_id
        return d


def new_id() -> str:
    return uuid.uuid4().hex


def _row(t: Trace) -> _Trace:
    vec = t.query_vector.astype(np.float16).tobytes() if t.query_vector is not None else None
    return _Trace(
        id=t.id,
        kind=t.kind,
        tenant=t.tenant,
        request_id=t.request_id,
        conversation_id=t.conversation_id,
        created_at=t.created_at,
        status=t.status,
        error=t.error,
        latency_ms=t.latency_ms,
        timings=t.timings or {},
        retrieval=t.retrieval or [],
        prompt_name=t.prompt_name,
        prompt_version=t.prompt_version,
        prompt_hash=t.prompt_hash,
        prompt_variant=t.prompt_variant,
        model=t.model,
        tokens_in=t.tokens_in,
        tokens_out=t.tokens_out,
        cost=t.cost,
        refused=t.refused,
        refusal_reason=t.refusal_reason,
        citations=t.citations or [],
        uncited=t.uncited,
        signals=t.signals or {},
        trace_metadata=t.metadata or {},
        steps=t.steps or [],
        question=t.question,
        answer=t.answer,
        query_vector=vec,
        prompt_messages=t.prompt_messages,
    )


def _trace(r: _Trace, with_vector: bool = False, with_prompt: bool = False) -> Trace:
    vec = None
    if with_vector and r.query_vector:
        vec = np.frombuffer(r.query_vector, dtype=np.float16).astype(np.float32)
    return Trace(
        id=r.id,
        kind=r.kind,
        tenant=r.tenant,
        created_at=aware(r.created_at),
        latency_ms=r.latency_ms,
        timings=dict(r.timings or {}),
        retrieval=list(r.retrieval or []),
        request_id=r.request_id,
        conversation_id=r.conversation_id,
        status=r.status,
        error=r.error,
        prompt_name=r.prompt_name,
        prompt_version=r.prompt_version,
        prompt_hash=r.prompt_hash,
        prompt_variant=r.prompt_variant,
        model=r.model,
        tokens_in=r.tokens_in,
        tokens_out=r.tokens_out,
        cost=r.cost,
        refused=r.refused,
        refusal_reason=r.refusal_reason,
        citations=list(r.citations or []),
        uncited=r.uncited,
        signals=dict(r.signals or {}),
        metadata=dict(r.trace_metadata or {}),
        steps=list(r.steps or []),
        question=r.question,
        answer=r.answer,
        query_vector=vec,
        prompt_messages=r.prompt_messages if with_prompt else None,
    )


def _add_columns(engine: Engine) -> None:
    """Add the columns a database made by an older version lacks (create_all adds only tables)."""
    have = {c["name"] for c in inspect(engine).get_columns(_Trace.__tablename__)}
    table = _Trace.__table__
    with engine.begin() as conn:
        for name in _ADDED_COLUMNS:
            if name not in have:
                column = table.c[name]
                kind = column.type.compile(dialect=engine.dialect)
                conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}"))
                log.info("trace store: added column %s", name)


class TraceStore(SqlStore):
    def __init__(self, url: str) -> None:
        super().__init__(url, _Base.metadata)
        _add_columns(self.engine)

    def write(self, traces: Sequence[Trace]) -> None:
        with self._session() as s:
            for t in traces:
                s.merge(_row(t))

    def get(self, trace_id: str, tenant: str | None = None) -> Trace | None:
        with self._session() as s:
            r = s.get(_Trace, trace_id)
            if r is None or (tenant is not None and r.tenant != tenant):
                return None
            t = _trace(r, with_prompt=True)
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
        q = select(_Trace).options(defer(_Trace.prompt_messages)).where(_Trace.created_at >= since)
        if until is not None:
            q = q.where(_Trace.created_at < until)
        if kind is not None:
            q = q.where(_Trace.kind == kind)
        if tenant is not None:
            q = q.where(_Trace.tenant == tenant)
        q = q.order_by(_Trace.created_at.desc())
        if limit is not None:
            q = q.limit(limit)
        with self._session() as s:
            rows = list(s.scalars(q))
            traces = [_trace(r, with_vectors) for r in rows]
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
                    {"rating": f.rating, "comment": f.comment, "created_at": aware(f.created_at).isoformat()}
                )
        return out

    def count(self) -> int:
        with self._session() as s:
            return int(s.scalar(select(func.count()).select_from(_Trace)) or 0)

    def purge(self, older_than: dt.datetime) -> int:
        with self._session() as s:
            n = s.execute(delete(_Trace).where(_Trace.created_at < older_than)).rowcount or 0
            s.execute(delete(_Feedback).where(_Feedback.created_at < older_than))
        return n


_STOP = object()


class TraceWriter:
    """Writes traces on a background thread. ``submit`` never blocks: a full queue drops the trace."""

    def __init__(
        self,
        store: TraceStore,
        *,
        prepare: Callable[[Any], Trace | None],
        queue_size: int = 10_000,
        retention: dt.timedelta = dt.timedelta(days=30),
        on_written: Callable[[Trace], None] | None = None,
    ) -> None:
        self.store = store
        self.prepare = prepare
        self.retention = retention
        self.on_written = on_written
        self.dropped = 0
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=queue_size)
        self._thread = threading.Thread(target=self._run, name="trace-writer", daemon=True)
        self._started = False
        self._written = 0

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def submit(self, item: Any) -> bool:
        try:
            self._queue.put_nowait(item)
            return True
        except queue.Full:
            self.dropped += 1
            log.warning("trace queue full: a trace was dropped (%d so far)", self.dropped)
            return False

    def flush(self, timeout_s: float = 30.0) -> None:
        """Wait until everything submitted so far is written (tests, shutdown)."""
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout_s)

    def close(self) -> None:
        if self._started:
            self._queue.put(_STOP)
            self._thread.join(timeout=30)

    def _run(self) -> None:
        self._purge()
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            try:
                trace = self.prepare(item)
                if trace is None:
                    continue
                self.store.write([trace])
                if self.on_written is not None:
                    self.on_written(trace)
            except Exception:  # noqa: BLE001 - monitoring must never take the service down
                log.exception("writing a trace failed")
                continue
            self._written += 1
            if self._written % 1000 == 0:
                self._purge()

    def _purge(self) -> None:
        try:
            n = self.store.purge(utcnow() - self.retention)
            if n:
                log.info("deleted %d traces past retention", n)
        except Exception:  # noqa: BLE001
            log.exception("purging old traces failed")
