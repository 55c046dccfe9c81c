"""The MCP server on the API at /mcp: streamable HTTP, stateless (every POST stands alone, so any replica
can answer it), JSON responses. A request is authenticated as every /v1 route is (``api.deps``: the API
key as ``Authorization: Bearer`` or ``X-API-Key``, its tenant, the per-key rate limit, 401/429 problem
details); the tools then run for that key's tenant only.

The SDK's session manager runs inside the app's lifespan (``serving``), one per lifespan: an app whose
lifespan runs twice (tests) gets a fresh one each time."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send

from api import problems
from api.deps import key_of, principal_of
from api.mcp.server import ToolScope, build
from api.problems import ApiProblem
from api.services import Services

PATH = "/mcp"
_SCOPE = "rag.mcp.scope"  # the ASGI scope key the endpoint leaves the authenticated caller's ToolScope under


def mount(app: FastAPI) -> None:
    """The endpoint at /mcp (every method: POST for messages, GET and DELETE answered by the SDK). A plain
    route, not in the OpenAPI document: MCP is described by its own protocol."""
    app.add_route(PATH, Endpoint(), include_in_schema=False)


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[None]:
    """Runs the MCP server's session manager while the app serves (inside its lifespan)."""
    server = build(_resolve)
    # Called for its side effect: it creates server.session_manager, which Endpoint hands requests to
    # after our own authentication; the Starlette app it returns is not mounted. Host and Origin are
    # not checked: every request needs an API key (or auth is off, as for the API).
    server.streamable_http_app(
        stateless_http=True,
        json_response=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    manager = server.session_manager
    async with manager.run():
        app.state.mcp = manager
        try:
            yield
        finally:
            app.state.mcp = None


class Endpoint:
    """ASGI app: the caller authenticated, then the request handed to the SDK's session manager."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        services: Services | None = getattr(request.app.state, "services", None)
        manager = getattr(request.app.state, "mcp", None)
        if services is None or manager is None:
            response = problems.problem(503, "not ready", "the server is starting or stopping")
            await response(scope, receive, send)
            return
        try:
            principal = await run_in_threadpool(principal_of, request, services, await key_of(request))
        except ApiProblem as e:
            await problems.problem(e.status, e.title, e.detail, e.headers, **e.extra)(scope, receive, send)
            return
        scope[_SCOPE] = ToolScope(services.runtime, principal.tenant, request.headers.get("x-request-id"))
        refused = await _refused(request)
        if refused is not None:
            await refused(scope, receive, send)
            return
        body = await request.body()  # read once here (bounded by api.body); the SDK reads it again

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        await manager.handle_request(scope, replay, send)


async def _refused(request: Request) -> Response | None:
    """What the SDK would answer in its own words (plain text, or pydantic's validation errors with their
    internals), answered in ours: a problem for the HTTP, a JSON-RPC error for the message. Stateless, the
    server has no stream to offer on GET and no session to end on DELETE."""
    if request.method != "POST":
        return problems.problem(
            405, "method not allowed", "MCP messages are POSTed here (stateless)", {"Allow": "POST"}
        )
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != "application/json":
        return problems.problem(415, "unsupported media type", "an MCP message is application/json")
    try:
        message = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return _rpc_error(-32700, "parse error: the body is not JSON")
    if not (
        isinstance(message, dict)
        and message.get("jsonrpc") == "2.0"
        and (isinstance(message.get("method"), str) or "result" in message or "error" in message)
        and (message.get("id") is None or type(message.get("id")) in (str, int))
    ):
        return _rpc_error(
            -32600,
            "invalid request: one JSON-RPC 2.0 message, with a method and a string or integer id "
            "(batches are not accepted)",
        )
    return None


def _rpc_error(code: int, message: str) -> JSONResponse:
    return JSONResponse({"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": message}}, 400)


def _resolve(request: Any) -> ToolScope:
    scope = request.scope.get(_SCOPE) if request is not None else None
    if scope is None:  # a message that did not come through the endpoint: nobody to answer for
        raise ToolError("not authenticated")
    return scope
