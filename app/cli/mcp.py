"""``rag mcp``: the MCP server on stdio, for desktop agents and IDEs that start it themselves: the same
tools and resources as /mcp on the API, for one tenant, over the local data directory. stdout carries
the protocol only (the SDK points file descriptor 1 at stderr while it serves); logs go to stderr."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app.cli.common import runtime
from core.errors import RagError

if TYPE_CHECKING:
    from api.mcp.server import ToolScope
    from app.runtime import Runtime


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

        _stop_on_signals(rt)
        try:
            build(lambda _request: scope, lifespan=warm).run("stdio")
        except BaseExceptionGroup as group:  # the SDK's task group: our error inside it, said in one line
            ours = group.subgroup(RagError)
            if ours is None:
                raise
            raise _first(ours) from None


def _first(group: BaseExceptionGroup) -> BaseException:
    e: BaseException = group
    while isinstance(e, BaseExceptionGroup):
        e = e.exceptions[0]
    return e


def _stop_on_signals(rt: Runtime) -> None:
    """Ctrl-C or SIGTERM stops it at once, as a terminal user expects: the SDK reads stdin in a thread
    that no cancellation reaches, so asyncio's own handling would wait for the next line. The runtime
    is closed (its lease let go) for up to a few seconds first; nothing it holds needs more (the index
    and the databases survive a kill)."""

    def stop(signum: int, _frame: Any) -> None:
        logging.getLogger(__name__).info("rag mcp: stopping on signal %d", signum)
        closing = threading.Thread(target=rt.close, daemon=True)
        closing.start()
        closing.join(timeout=5)
        os._exit(128 + signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def _warm_up(scope: ToolScope) -> None:
    """Open the index and load the models before the first question rather than during it."""
    scope.runtime.store  # noqa: B018 - opens (and reconciles) the index
    scope.runtime.answerer.warm_up()
