"""``rag serve``: the HTTP API on the embedded defaults (or whatever RAG_* says)."""

from __future__ import annotations

import logging
import os
from typing import Annotated

import typer

from core import offline
from core.settings import get_settings


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (default RAG_API__HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default RAG_API__PORT).")] = None,
    no_workers: Annotated[
        bool,
        typer.Option(
            "--no-workers",
            help="Only serve: ingestion jobs, reconcile and re-indexes are left to `rag worker` "
            "processes on the same registry (RAG_API__RUN_JOBS=false).",
        ),
    ] = False,
    processes: Annotated[
        int | None,
        typer.Option(
            min=1, max=64, help="Server processes (default RAG_API__PROCESSES); >1 needs a Qdrant server."
        ),
    ] = None,
) -> None:
    """Serve the HTTP API: upload, query, search, jobs, health and metrics (docs at /docs)."""
    import uvicorn

    offline.set_env()
    # Set in the environment, so the server processes uvicorn starts read the same settings.
    if no_workers:
        os.environ["RAG_API__RUN_JOBS"] = "false"
    if processes is not None:
        os.environ["RAG_API__PROCESSES"] = str(processes)
    get_settings.cache_clear()
    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    common = dict(
        host=host or settings.api.host,
        port=port or settings.api.port,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=settings.api.shutdown_grace_s,
    )
    if settings.api.processes == 1:
        from api.app import create_app

        uvicorn.run(create_app(settings), workers=1, **common)  # type: ignore[arg-type]
    else:  # each process builds its own app (and runtime) from the environment
        uvicorn.run("api.app:create_app", factory=True, workers=settings.api.processes, **common)  # type: ignore[arg-type]
