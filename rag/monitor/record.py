"""Record: answers, searches, ingest jobs and failures -> traces (off the request path, on the trace
writer's thread: quality signals, the query embedding and the PII masking of content fields
(rag.monitor.redact, per tenant's ``guardrails.pii_in_traces``) are done there, not while the user waits)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.db import utcnow
from core.encode.dense import Embedder
from core.guard.events import GuardEvent
from core.settings import GuardrailSettings, MonitoringSettings
from core.types import Hit
from rag.answer import Answer
from rag.monitor.redact import masker
from rag.monitor.signals import answer_signals, retrieval_signals
from rag.monitor.slices import slice_attributes
from rag.monitor.trace_writer import TraceWriter
from rag.monitor.traces import Trace, TraceStore, new_id
from rag.retrieve import SearchResult


@dataclass
class _AnswerEvent:
    answer: Answer
    tenant: str
    at: dt.datetime
    request_id: str | None
    metadata: dict[str, Any]


@dataclass
class _SearchEvent:
    result: SearchResult
    query: str
    tenant: str
    at: dt.datetime
    trace_id: str
    request_id: str | None
    metadata: dict[str, Any]


@dataclass
class _JobEvent:
    job_id: str
    tenant: str
    source: str
    state: str
    reason: str | None
    chunks: int
    stage_ms: dict[str, float]
    at: dt.datetime
    flagged: int = 0  # chunks of the document the injection screen flagged


@dataclass
class _ErrorEvent:
    kind: str
    tenant: str
    error: str
    latency_ms: float
    at: dt.datetime
    trace_id: str
    request_id: str | None
    metadata: dict[str, Any] = field(default_factory=dict)


class Recorder:
    def __init__(
        self,
        store: TraceStore,
        embedder: Embedder,
        settings: MonitoringSettings,
        *,
        guardrails: GuardrailSettings | None = None,
        on_written: Callable[[Trace], None] | None = None,
        on_dropped: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.guardrails = guardrails  # None: no PII masking of content (as with pii_in_traces "off")
        self.writer = TraceWriter(
            store,
            prepare=self._prepare,
            queue_size=settings.queue_size,
            retention=dt.timedelta(days=settings.retention_days),
            on_written=on_written,
            on_dropped=on_dropped,
        )
        self.writer.start()

    # ---- what the request path calls (cheap: it only enqueues) ----------------------------------------

    def answer(
        self, answer: Answer, tenant: str, request_id: str | None = None, metadata: dict | None = None
    ) -> str:
        self.writer.submit(_AnswerEvent(answer, tenant, utcnow(), request_id, metadata or {}))
        return answer.trace_id

    def search(
        self,
        result: SearchResult,
        query: str,
        tenant: str,
        request_id: str | None = None,
        metadata: dict | None = None,
    ) -> str:
        trace_id = new_id()
        self.writer.submit(
            _SearchEvent(result, query, tenant, utcnow(), trace_id, request_id, metadata or {})
        )
        return trace_id

    def job(
        self,
        job_id: str,
        tenant: str,
        source: str,
        state: str,
        reason: str | None,
        chunks: int,
        stage_ms: dict[str, float],
        flagged: int = 0,
    ) -> None:
        """``flagged``: chunks of the written document the injection screen flagged (an event when > 0)."""
        self.writer.submit(
            _JobEvent(job_id, tenant, source, state, reason, chunks, stage_ms, utcnow(), flagged)
        )

    def error(
        self,
        kind: str,
        tenant: str,
        error: str,
        latency_ms: float,
        request_id: str | None = None,
        metadata: dict | None = None,
    ) -> str:
        trace_id = new_id()
        self.writer.submit(
            _ErrorEvent(kind, tenant, error, latency_ms, utcnow(), trace_id, request_id, metadata or {})
        )
        return trace_id

    def flush(self) -> None:
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()

    # ---- the writer thread -------------------------------------------------------------------------------

    def _prepare(self, event: Any) -> Trace | None:
        if isinstance(event, _AnswerEvent):
            return self._answer_trace(event)
        if isinstance(event, _SearchEvent):
            return self._search_trace(event)
        if isinstance(event, _JobEvent):
            return Trace(
                id=event.job_id,
                kind="ingest",
                tenant=event.tenant,
                created_at=event.at,
                latency_ms=round(sum(event.stage_ms.values()), 3),
                timings=event.stage_ms,
                status="ok" if event.state == "indexed" else "error",
                error=event.reason,
                metadata={"source": event.source, "chunks": event.chunks},
                guardrails=_job_guardrails(event),
            )
        if isinstance(event, _ErrorEvent):
            return Trace(
                id=event.trace_id,
                kind=event.kind,
                tenant=event.tenant,
                created_at=event.at,
                latency_ms=event.latency_ms,
                request_id=event.request_id,
                status="error",
                error=event.error,
                metadata=event.metadata,
            )
        return None

    def _answer_trace(self, e: _AnswerEvent) -> Trace:
        a = e.answer
        content = self.settings.log_content
        signals = retrieval_signals(a.hits) | answer_signals(a, self.embedder)
        report = a.citations
        prompt = a.prompt or {}
        mask = masker(self.guardrails, e.tenant) if content else None
        steps = [_step(s.to_dict(), content) for s in a.steps]
        question, answer, messages = (a.question, a.text, a.messages) if content else (None, None, None)
        guardrails = [g.to_dict() for g in a.guardrails]
        if mask is not None:
            masked = mask.mask({"q": question, "a": answer, "m": messages, "s": steps})
            question, answer, messages, steps = masked["q"], masked["a"], masked["m"], masked["s"]
            if (event := mask.event()) is not None:
                guardrails.append(event.to_dict())
        return Trace(
            id=a.trace_id,
            kind="query",
            tenant=e.tenant,
            created_at=e.at,
            latency_ms=a.timings_ms.get("total", 0.0),
            timings=a.timings_ms,
            retrieval=_retrieval(a.hits),
            request_id=e.request_id,
            conversation_id=a.conversation_id,
            prompt_name=prompt.get("name"),
            prompt_version=prompt.get("version"),
            prompt_hash=prompt.get("hash"),
            prompt_variant=prompt.get("variant"),
            model=a.model.get("name"),
            tokens_in=a.usage.prompt_tokens,
            tokens_out=a.usage.completion_tokens,
            cost=a.cost,
            refused=a.refused,
            refusal_reason=a.refusal.reason if a.refusal else None,
            citations=[
                {
                    "n": c.n,
                    "doc_id": c.source.hit.doc_id,
                    "chunk_id": c.source.hit.chunk_id,
                    "origin": c.origin,
                }
                for c in (report.citations if report else [])
            ],
            uncited=len(report.uncited) if report else 0,
            signals=signals,
            metadata=e.metadata,
            guardrails=guardrails,
            slices=slice_attributes(a.question, a.hits, e.metadata, self.settings),
            steps=steps,
            question=question,
            answer=answer,
            prompt_messages=messages,
            query_vector=a.query_vector
            if a.query_vector is not None
            else self.embedder.embed_query(a.standalone_question),
        )

    def _search_trace(self, e: _SearchEvent) -> Trace:
        r = e.result
        question = e.query if self.settings.log_content else None
        guardrails = []
        mask = masker(self.guardrails, e.tenant) if question else None
        if mask is not None:
            question = mask.mask({"q": question})["q"]
            if (event := mask.event()) is not None:
                guardrails.append(event.to_dict())
        return Trace(
            id=e.trace_id,
            kind="search",
            tenant=e.tenant,
            created_at=e.at,
            latency_ms=r.latency_ms,
            timings=r.timings_ms,
            retrieval=_retrieval(r.hits),
            request_id=e.request_id,
            signals=retrieval_signals(r.hits),
            metadata=e.metadata | {"mode": r.mode, "fusion": r.fusion},
            slices=slice_attributes(e.query, r.hits, e.metadata, self.settings),
            question=question,
            guardrails=guardrails,
            query_vector=r.query_vector if r.query_vector is not None else self.embedder.embed_query(e.query),
        )


def _job_guardrails(e: _JobEvent) -> list[dict[str, Any]]:
    if not e.flagged:
        return []
    event = GuardEvent(
        "injection",
        "flagged",
        "recorded",
        reason="chunks that look like instructions to the assistant",
        target="chunk",
        detail={"flagged": e.flagged},
    )
    return [event.to_dict()]


def _retrieval(hits: list[Hit]) -> list[dict[str, Any]]:
    return [
        {
            "chunk_id": h.chunk_id,
            "doc_id": h.doc_id,
            "source": h.source,
            "rank": h.rank,
            "score": h.score,
            "dense_rank": h.dense_rank,
            "dense_score": h.dense_score,
            "sparse_rank": h.sparse_rank,
            "sparse_score": h.sparse_score,
        }
        for h in hits
    ]


def _step(step: dict[str, Any], content: bool) -> dict[str, Any]:
    if content:
        return step
    return {k: v for k, v in step.items() if k not in ("input", "output")}
