"""Query (a cited answer, optionally streamed as Server-Sent Events), search (retrieval only), feedback.
Every answer and search is traced (rag.monitor); a failed one too, with its error."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.sse import ServerSentEvent

from api.deps import Caller, ServicesDep
from api.problems import safe, status_of
from api.schemas import (
    FeedbackRequest,
    FeedbackResponse,
    QueryRequest,
    QueryResponse,
    SearchRequest,
    SearchResponse,
)
from api.services import Services
from api.sse import event_stream
from core.errors import RagError, TraceNotFound
from rag.answer import Answer
from rag.prompt.context import clip_hits

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["questions"])

SSE_DOC = (
    'With stream=true the response is text/event-stream: `event: token` with `{"text": ...}` for each piece '
    "of the answer as the model writes it, then one `event: answer` with the whole record (citations, "
    "evidence, verification, usage, timings), or `event: error` with a problem object. The `answer` field "
    "of the final record is what to show: under the `flag` policy the tokens are the model's words as they "
    "come; under `evidence` and `refuse` (RAG_ANSWER__ON_UNSUPPORTED) the text is held back until verified "
    "and arrives as one token."
)


@router.post("/query", response_model=QueryResponse, summary="Ask a question", description=SSE_DOC)
def query(services: ServicesDep, caller: Caller, body: QueryRequest, request: Request):  # noqa: ANN201 - JSON or SSE
    t0 = time.perf_counter()
    request_id = request.headers.get("x-request-id")
    pieces = services.runtime.answerer.stream(
        body.question,
        tenant=caller.tenant,
        conversation_id=body.conversation_id,
        prompt=body.prompt,
        top_k=body.top_k,
        doc_ids=body.filters.doc_ids,
        metadata=body.filters.metadata,
    )
    record = AnswerRecord(services, caller.tenant, request_id, body.metadata, t0)
    if body.stream:
        return event_stream(_sse(pieces, record), services.runtime.settings.api.sse_ping_s)
    return record.first_answer(pieces).to_dict()


@router.post("/search", response_model=SearchResponse, summary="Retrieve chunks (no LLM)")
def search(services: ServicesDep, caller: Caller, body: SearchRequest, request: Request) -> dict:
    result = services.runtime.retriever.search(
        body.query,
        tenant=caller.tenant,
        top_k=body.top_k,
        mode=body.mode,
        fusion=body.fusion,
        doc_ids=body.filters.doc_ids,
        metadata=body.filters.metadata,
    )
    trace_id = services.runtime.recorder.search(
        result, body.query, caller.tenant, request.headers.get("x-request-id"), body.metadata
    )
    # Chunks indexed before chunks were bounded in characters can be megabytes: cut them here too.
    hits, cut = clip_hits(result.hits, services.runtime.settings.chunking.max_chars)
    return (
        {"trace_id": trace_id}
        | result.to_dict()
        | {"hits": [h.to_dict() | {"truncated": h.chunk_id in cut} for h in hits]}
    )


@router.post("/feedback", response_model=FeedbackResponse, summary="Rate an answer")
def feedback(services: ServicesDep, caller: Caller, body: FeedbackRequest) -> FeedbackResponse:
    rt = services.runtime
    if not rt.conversations.trace_exists(caller.tenant, body.trace_id):
        raise TraceNotFound(f"no answer with trace id {body.trace_id!r}")
    rt.traces.add_feedback(caller.tenant, body.trace_id, body.rating, body.comment)
    return FeedbackResponse(trace_id=body.trace_id, recorded=True)


class AnswerRecord:
    """The trace of one answer, or of its failure (both routes that answer: query, chat completions)."""

    def __init__(
        self, services: Services, tenant: str, request_id: str | None, metadata: dict, t0: float
    ) -> None:
        self.recorder = services.runtime.recorder
        self.tenant, self.request_id, self.metadata, self.t0 = tenant, request_id, metadata, t0

    def answered(self, answer: Answer) -> None:
        self.recorder.answer(answer, self.tenant, self.request_id, self.metadata)

    def failed(self, error: Exception) -> None:
        ms = (time.perf_counter() - self.t0) * 1000
        # The tenant reads its traces: the same words as the problem it was sent, never class names.
        title = status_of(error)[1] if isinstance(error, RagError) else "internal error"
        self.recorder.error(
            "query", self.tenant, f"{title}: {safe(str(error))}", ms, self.request_id, self.metadata
        )

    def first_answer(self, pieces: Iterator) -> Answer:
        """The answer the stream ends with (text pieces skipped), recorded; a failure recorded, raised."""
        try:
            answer = next(item for item in pieces if isinstance(item, Answer))
        except RagError as e:
            self.failed(e)
            raise
        self.answered(answer)
        return answer

    def stream_failed(self, error: Exception) -> dict[str, Any]:
        """A failure once the headers are sent, recorded: the problem to send as an event (an unexpected
        error's details go to the log only)."""
        self.failed(error)
        if isinstance(error, RagError):
            status, title = status_of(error)
            return {"type": "about:blank", "title": title, "status": status, "detail": safe(str(error))}
        log.error("answer stream failed", exc_info=error)
        return {
            "type": "about:blank",
            "title": "internal error",
            "status": 500,
            "detail": "see the server log",
        }


def _sse(pieces: Iterator, record: AnswerRecord) -> Iterator[ServerSentEvent]:
    try:
        for item in pieces:
            if isinstance(item, Answer):
                record.answered(item)
                yield ServerSentEvent(event="answer", data=item.to_dict())
            else:
                yield ServerSentEvent(event="token", data={"text": item})
    except Exception as e:  # noqa: BLE001 - the outermost boundary of a stream: the failure is an event
        yield ServerSentEvent(event="error", data=record.stream_failed(e))
