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

from rag.errors import (
    ConfigError,
    ConversationNotFound,
    DocumentNotFound,
    FileTooLarge,
    IndexMismatch,
    IngestError,
    InvalidRequest,
    LLMError,
    PromptError,
    RagError,
    ReindexError,
    StoreError,
    TraceNotFound,
    UnsupportedFormat,
)

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
_STATUS: list[tuple[type[RagError], int, str]] = [
    (DocumentNotFound, 404, "document not found"),
    (ConversationNotFound, 404, "conversation not found"),
    (TraceNotFound, 404, "trace not found"),
    (UnsupportedFormat, 415, "unsupported file type"),
    (FileTooLarge, 413, "file too large"),
    (IngestError, 422, "document cannot be ingested"),
    (PromptError, 422, "invalid prompt"),
    (InvalidRequest, 422, "invalid request"),
    (LLMError, 502, "language model failed"),
    (IndexMismatch, 409, "index built with another embedding model"),
    (ReindexError, 409, "re-index not possible"),
    (StoreError, 503, "vector store unavailable"),
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
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)


def status_of(error: RagError) -> tuple[int, str]:
    for cls, status, title in _STATUS:
        if isinstance(error, cls):
            return status, title
    return 400, "request failed"


def rag_problem(error: RagError) -> JSONResponse:
    status, title = status_of(error)
    extra = {"reason": error.reason} if isinstance(error, IngestError) else {}
    if status >= 500:
        log.warning("%s: %s", title, error)
    return problem(status, title, str(error), **extra)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiProblem)
    async def _api_problem(_: Request, e: ApiProblem) -> JSONResponse:
        return problem(e.status, e.title, e.detail, e.headers, **e.extra)

    @app.exception_handler(RagError)
    async def _rag_error(_: Request, e: RagError) -> JSONResponse:
        return rag_problem(e)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        errors = [
            {"where": ".".join(str(p) for p in err.get("loc", ())), "message": err.get("msg", "")}
            for err in e.errors()
        ]
        detail = "; ".join(f"{x['where']}: {x['message']}" for x in errors)
        return problem(422, "invalid request", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, e: StarletteHTTPException) -> JSONResponse:
        return problem(e.status_code, str(e.detail), str(e.detail), dict(e.headers or {}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, e: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=e)
        return problem(500, "internal error", "the server failed unexpectedly; the error is in its log")
