"""Errors as RFC 9457 problem details (application/problem+json); never a stack trace.

Our error classes map to statuses here and only here: the library raises RagError subclasses, the HTTP
layer decides what they mean to a client.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import (
    ConfigError,
    ConversationNotFound,
    DocumentBusy,
    DocumentNotFound,
    FileTooLarge,
    IndexMismatch,
    IngestError,
    InvalidRequest,
    LLMError,
    ParserUnavailable,
    PromptError,
    QuotaExceeded,
    RagError,
    ReindexError,
    StoreError,
    TraceNotFound,
    UnsupportedFormat,
)
from core.scrub import scrub
from ingest.listing import SourceUnreadable
from ingest.sync import SourceBusy
from ingest.web import BadURL, UnsafeURL, WebError
from ingest.web.spool import SpoolFailed

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
# What a response may echo of a request: validation messages can quote the client's own input (a field
# name, a value), which must not turn a small bad request into a large answer.
MAX_DETAIL = 2000
MAX_ERRORS = 20
MAX_PART = 100
_STATUS: list[tuple[type[RagError], int, str]] = [
    (DocumentNotFound, 404, "document not found"),
    (SourceBusy, 409, "source busy"),
    (DocumentBusy, 409, "document busy"),
    (ConversationNotFound, 404, "conversation not found"),
    (TraceNotFound, 404, "trace not found"),
    (UnsupportedFormat, 415, "unsupported file type"),
    (FileTooLarge, 413, "file too large"),
    (QuotaExceeded, 413, "storage quota exceeded"),
    (IngestError, 422, "document cannot be ingested"),
    (UnsafeURL, 422, "address not allowed"),
    (BadURL, 422, "not a web address"),
    (WebError, 502, "source unreachable"),
    (SourceUnreadable, 422, "source unreadable"),
    (SpoolFailed, 503, "no room for the crawl"),
    (PromptError, 422, "invalid prompt"),
    (InvalidRequest, 422, "invalid request"),
    (LLMError, 502, "language model failed"),
    (IndexMismatch, 409, "index built with other settings"),
    (ReindexError, 409, "re-index not possible"),
    (StoreError, 503, "vector store unavailable"),
    (ParserUnavailable, 503, "parser unavailable"),
    (ConfigError, 500, "server misconfigured"),
]


class ApiProblem(Exception):
    def __init__(
        self, status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def problem(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": safe(detail), **extra}
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)


def safe(text: str, limit: int = MAX_DETAIL) -> str:
    """``text`` fit for a client (``core.scrub``), at most ``limit`` characters."""
    return scrub(text, limit)


def internal_error(request: Request, error: Exception) -> JSONResponse:
    """The answer to an exception nothing else handled: the details go to the log, never to the client."""
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return problem(*told(error))


def status_of(error: RagError) -> tuple[int, str]:
    for cls, status, title in _STATUS:
        if isinstance(error, cls):
            return status, title
    return 400, "request failed"


def told(error: Exception) -> tuple[int, str, str]:
    """(status, title, detail): what a client is told of ``error``, on every way in (a response, an event
    of a stream, an MCP tool error, the tenant's own traces). A failure of the server's own (a
    misconfiguration's file paths and settings, an unexpected error) is only named: its details are for
    the log (``reported``)."""
    if not isinstance(error, RagError):
        return 500, "internal error", "the server failed unexpectedly; the error is in its log"
    status, title = status_of(error)
    if status == 500:
        return status, title, "the server is misconfigured; the cause is in its log"
    return status, title, safe(str(error))


def reported(error: Exception) -> tuple[int, str, str]:
    """``told``, once the server's own failures are logged: for the one place that answers the client."""
    status, title, detail = told(error)
    if not isinstance(error, RagError):
        log.error("unexpected error", exc_info=error)
    elif status >= 500:
        log.warning("%s: %s", title, error)
    return status, title, detail


def rag_problem(error: RagError) -> JSONResponse:
    extra = {"reason": error.reason} if isinstance(error, IngestError) else {}
    return problem(*reported(error), **extra)


def validation_detail(found: list[dict[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    """Pydantic's errors as one line (``where: message; ...``) and as a bounded list, never echoing more
    than a bounded amount of what was sent."""
    errors = [
        {
            "where": safe(".".join(str(p) for p in err.get("loc", ())), MAX_PART),
            "message": safe(str(err.get("msg", "")), MAX_PART * 2),
        }
        for err in found[:MAX_ERRORS]
    ]
    detail = "; ".join(f"{x['where']}: {x['message']}" for x in errors)
    if len(found) > MAX_ERRORS:
        detail += f"; and {len(found) - MAX_ERRORS} more"
    return detail, errors


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiProblem)
    async def _api_problem(_: Request, e: ApiProblem) -> JSONResponse:
        return problem(e.status, e.title, e.detail, e.headers, **e.extra)

    @app.exception_handler(RagError)
    async def _rag_error(_: Request, e: RagError) -> JSONResponse:
        return rag_problem(e)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        found = e.errors()
        if any("Expected UploadFile" in str(err.get("msg", "")) for err in found):
            # A part without a file name (only "filename*=") arrives as a text field, not as a file.
            return problem(422, "file name missing", "every uploaded file needs a file name")
        detail, errors = validation_detail(list(found))
        return problem(422, "invalid request", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, e: StarletteHTTPException) -> JSONResponse:
        title = safe(str(e.detail), MAX_PART)
        return problem(e.status_code, title, str(e.detail), dict(e.headers or {}))
