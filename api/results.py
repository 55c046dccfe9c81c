"""What every way in that answers or searches shares (the /v1 routes, the OpenAI-compatible route, the
MCP tools): the trace of an answer or of its failure, and a search's response."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from api.problems import reported, told
from rag.answer import Answer
from rag.monitor.record import Recorder
from rag.prompt.context import clip_hits
from rag.retrieve import SearchResult


class AnswerRecord:
    """The trace of one answer, or of its failure, in the words the caller was told (the tenant reads
    its traces: never a class name, never a misconfiguration's details)."""

    def __init__(
        self, recorder: Recorder, tenant: str, request_id: str | None, metadata: dict, t0: float
    ) -> None:
        self.recorder = recorder
        self.tenant, self.request_id, self.metadata, self.t0 = tenant, request_id, metadata, t0
        self.recorded = False

    def answered(self, answer: Answer) -> None:
        self.recorded = True
        self.recorder.answer(answer, self.tenant, self.request_id, self.metadata)

    def failed(self, error: Exception) -> None:
        _, title, detail = told(error)
        self._error(f"{title}: {detail}")

    def abandoned(self) -> None:
        """The client closed the stream before the answer was complete: the work done (retrieval, the
        model's call) still shows in the traces, as an error, unless the answer was already recorded."""
        if not self.recorded:
            self._error("client went away: the stream was closed before the answer was complete")

    def _error(self, message: str) -> None:
        self.recorded = True
        ms = (time.perf_counter() - self.t0) * 1000
        self.recorder.error("query", self.tenant, message, ms, self.request_id, self.metadata)

    def first_answer(self, pieces: Iterator) -> Answer:
        """The answer the stream ends with (text pieces skipped), recorded; a failure recorded, raised."""
        try:
            answer = next(item for item in pieces if isinstance(item, Answer))
        except Exception as e:
            self.failed(e)
            raise
        self.answered(answer)
        return answer

    def stream_failed(self, error: Exception) -> dict[str, Any]:
        """A failure once the headers are sent, recorded (and logged): the problem to send as an event."""
        self.failed(error)
        status, title, detail = reported(error)
        return {"type": "about:blank", "title": title, "status": status, "detail": detail}


def search_response(result: SearchResult, trace_id: str, max_chars: int) -> dict[str, Any]:
    """A search's hits with its trace id; chunks indexed before chunks were bounded in characters can be
    megabytes: cut to ``max_chars`` (``truncated``)."""
    hits, cut = clip_hits(result.hits, max_chars)
    return (
        {"trace_id": trace_id}
        | result.to_dict()
        | {"hits": [h.to_dict() | {"truncated": h.chunk_id in cut} for h in hits]}
    )
