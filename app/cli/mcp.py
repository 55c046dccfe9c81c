"""``rag mcp``: the MCP server on stdio, for desktop agents and IDEs that start it themselves: the same
tools and resources as /mcp on the API, for one tenant, over the local data directory. stdout carries
the protocol only (the SDK points file descriptor 1 at stderr while it serves); logs go to stderr."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app.cli.common import runtime

if TYPE_CHECKING:
    from api.mcp.server import ToolScope


def mcp(
    tenant: Annotated[
        str | None,
        typer.Option(help="The tenant whose documents the tools see (default: RAG_TENANT)."),
    ] = None,
) -> None:
    """Serve the documents to an MCP client over stdin and stdout: the tools search, ask,
    list_documents and get_document, and each document as the resource rag://documents/ID.
    For desktop agents that start the server themselves (Claude Desktop, IDEs); the HTTP API
    serves the same at /mcp."""
    import anyio.to_thread

    from api.mcp.server import ToolScope, build

    with runtime() as rt:
        scope = ToolScope(rt, tenant or rt.settings.tenant)

        @asynccontextmanager
        async def warm(_server: Any) -> AsyncIterator[dict]:
            # Inside the transport: whatever loading prints, it goes to stderr, not into the protocol.
            await anyio.to_thread.run_sync(_warm_up, scope)
            yield {}

        build(lambda _request: scope, lifespan=warm).run("stdio")


def _warm_up(scope: ToolScope) -> None:
    """Open the index and load the models before the first question rather than during it."""
    scope.runtime.store  # noqa: B018 - opens (and reconciles) the index
    scope.runtime.answerer.warm_up()
