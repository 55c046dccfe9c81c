"""Query (a cited answer, optionally streamed as Server-Sent Events), search (retrieval only), feedback."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from api.deps import Caller, ServicesDep
from api.problems import status_of
from api.schemas import (
    FeedbackRequest,
    FeedbackResponse,
    QueryRequest,
    QueryResponse,
    SearchRequest,
    SearchResponse,
)
from api.services import Services
from rag.answer import Answer
from rag.errors import RagError

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["questions"])

SSE_DOC = (
    'With stream=true the response is text/event-stream: `event: token` with `{"text": ...}` for each piece '
    "of the answer as the model writes it, then one `event: answer` with the whole record (citations, usage, "
    "timings), or `event: error` with a problem object."
)


@router.post("/query", response_model=QueryResponse, summary="Ask a question", description=SSE_DOC)
def query(services: ServicesDep, caller: Caller, body: QueryRequest):  # noqa: ANN201 - JSON or an SSE stream
    kwargs = dict(
        tenant=caller.tenant,
        conversation_id=body.conversation_id,
        prompt=body.prompt,
        top_k=body.top_k,
        doc_ids=body.filters.doc_ids,
        metadata=body.filters.metadata,
    )
    pieces = services.runtime.answerer.stream(body.question, **kwargs)
    if body.stream:
        return StreamingResponse(
            _sse(services, pieces), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )
    answer = None
    for item in pieces:
        if isinstance(item, Answer):
            answer = item
    assert answer is not None
    _count(services, answer)
    return answer.to_dict()


@router.post("/search", response_model=SearchResponse, summary="Retrieve chunks (no LLM)")
def search(services: ServicesDep, caller: Caller, body: SearchRequest) -> dict:
    result = services.runtime.retriever.search(
        body.query,
        tenant=caller.tenant,
        top_k=body.top_k,
        mode=body.mode,
        fusion=body.fusion,
        doc_ids=body.filters.doc_ids,
        metadata=body.filters.metadata,
    )
    return result.to_dict()


@router.post("/feedback", response_model=FeedbackResponse, summary="Rate an answer")
def feedback(services: ServicesDep, caller: Caller, body: FeedbackRequest) -> FeedbackResponse:
    services.runtime.conversations.add_feedback(caller.tenant, body.trace_id, body.rating, body.comment)
    return FeedbackResponse(trace_id=body.trace_id, recorded=True)


def _sse(services: Services, pieces: Iterator) -> Iterator[str]:
    try:
        for item in pieces:
            if isinstance(item, Answer):
                _count(services, item)
                yield _event("answer", item.to_dict())
            else:
                yield _event("token", {"text": item})
    except RagError as e:
        # Headers are already sent: the failure travels as an event, in the problem-details shape.
        status, title = status_of(e)
        yield _event("error", {"type": "about:blank", "title": title, "status": status, "detail": str(e)})
    except Exception:  # noqa: BLE001 - the outermost boundary of a stream
        log.exception("answer stream failed")
        yield _event(
            "error",
            {"type": "about:blank", "title": "internal error", "status": 500, "detail": "see the server log"},
        )


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _count(services: Services, a: Answer) -> None:
    services.metrics.answer(
        a.refusal.reason if a.refusal else None,
        a.model["name"],
        a.usage.prompt_tokens,
        a.usage.completion_tokens,
    )
