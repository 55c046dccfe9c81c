"""Query (a cited answer, optionally streamed as Server-Sent Events), search (retrieval only), feedback.
Every answer and search is traced (rag.monitor); a failed one too, with its error."""

from __future__ import annotations

import time
from collections.abc import Iterator

from fastapi import APIRouter, Request

from api.deps import Caller, ServicesDep
from api.results import AnswerRecord, search_response
from api.schemas import (
    FeedbackRequest,
    FeedbackResponse,
    QueryRequest,
    QueryResponse,
    SearchRequest,
    SearchResponse,
)
from api.sse import Events, event, event_stream
from core.errors import TraceNotFound
from rag.answer import Answer

router = APIRouter(prefix="/v1", tags=["questions"])

ANSWER_DOC = (
    "A cited answer as JSON, or with stream=true as server-sent events (the 200 response's "
    "text/event-stream). The `answer` field of the final record is what to show: under the `flag` policy "
    "the streamed tokens are the model's words as they come; under `evidence` and `refuse` "
    "(RAG_ANSWER__ON_UNSUPPORTED) the text is held back until verified and arrives as one token."
)


@router.post("/query", response_model=QueryResponse, summary="Ask a question", description=ANSWER_DOC)
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
        languages=body.filters.languages,
    )
    record = AnswerRecord(services.runtime.recorder, caller.tenant, request_id, body.metadata, t0)
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
        languages=body.filters.languages,
    )
    trace_id = services.runtime.recorder.search(
        result, body.query, caller.tenant, request.headers.get("x-request-id"), body.metadata
    )
    return search_response(result, trace_id, services.runtime.settings.chunking.max_chars)


@router.post("/feedback", response_model=FeedbackResponse, summary="Rate an answer")
def feedback(services: ServicesDep, caller: Caller, body: FeedbackRequest) -> FeedbackResponse:
    rt = services.runtime
    if not rt.conversations.trace_exists(caller.tenant, body.trace_id):
        raise TraceNotFound(f"no answer with trace id {body.trace_id!r}")
    rt.traces.add_feedback(caller.tenant, body.trace_id, body.rating, body.comment)
    return FeedbackResponse(trace_id=body.trace_id, recorded=True)


def _sse(pieces: Iterator, record: AnswerRecord) -> Events:
    try:
        for item in pieces:
            if isinstance(item, Answer):
                record.answered(item)
                yield event(item.to_dict(), "answer")
            else:
                yield event({"text": item}, "token")
    except GeneratorExit:
        record.abandoned()
        raise
    except Exception as e:  # noqa: BLE001 - the outermost boundary of a stream: the failure is an event
        yield event(record.stream_failed(e), "error")
