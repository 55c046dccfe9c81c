"""A bound on the size of request bodies other than uploads (JSON, MCP messages): a question, a chat, a
tool call fits in far less, and a body of tens of megabytes would only cost memory and parse time. Uploads
(multipart) have their own per-file limits (RAG_INGEST__MAX_FILE_MB), checked as they stream to disk.

A declared Content-Length over the bound is answered 413 before the body is read; a body sent without
one (chunked) is cut off with the same 413 as soon as it passes the bound."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem

TITLE = "request too large"


class BodyTooLarge(HTTPException):
    """Raised while the body is read: an HTTPException, so FastAPI passes it on rather than calling it
    a body it could not parse."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _detail(limit))


def install(app: FastAPI, limit_of: Callable[[Scope], int | None]) -> None:
    app.add_middleware(BodyLimit, limit_of=limit_of)

    @app.exception_handler(BodyTooLarge)
    async def _too_large(_: Request, e: BodyTooLarge) -> JSONResponse:
        return problem(413, TITLE, str(e.detail))


class BodyLimit:
    def __init__(self, app: ASGIApp, limit_of: Callable[[Scope], int | None]) -> None:
        """``limit_of``: the bound in bytes for a request (None: the app is not serving yet)."""
        self.app, self.limit_of = app, limit_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit_of(scope) if scope["type"] == "http" else None
        if limit is None or _is_upload(scope):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await problem(413, TITLE, _detail(limit))(scope, receive, send)
            return
        seen = 0

        async def bounded() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, bounded, send)


def _detail(limit: int) -> str:
    return (
        f"the request body is over {limit // 1024} KiB (RAG_API__MAX_BODY_KB); files go to POST /v1/documents"
    )


def _is_upload(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return value.split(b";", 1)[0].strip().lower() == b"multipart/form-data"
    return False


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None
