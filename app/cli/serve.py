"""``rag serve``: the HTTP API on the embedded defaults (or whatever RAG_* says)."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from core import offline
from core.settings import get_settings


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (default RAG_API__HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default RAG_API__PORT).")] = None,
) -> None:
    """Serve the HTTP API: upload, query, search, jobs, health and metrics (docs at /docs)."""
    import uvicorn

    from api.app import create_app

    offline.set_env()
    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    # One process: Qdrant Edge and the job workers live in it (a second one could not open the index).
    uvicorn.run(
        create_app(settings),
        host=host or settings.api.host,
        port=port or settings.api.port,
        workers=1,
        log_level=settings.log_level.lower(),
    )
