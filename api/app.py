"""The FastAPI application. Nothing heavy at import time: ``create_app`` returns an app whose lifespan
builds the store, the models and the job workers, and closes them on shutdown."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from starlette.types import Scope

from api import body, openapi, problems
from api.headers import secure
from api.mcp import http as mcp_http
from api.routes import admin, documents, health, jobs, monitor, openai_compat, query, sources, ui
from api.services import Services
from app.runtime import Runtime
from core import offline
from core.settings import Settings, get_settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """``runtime`` lets tests share a loaded model; normally it is built from ``settings`` in the lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        offline.set_env()
        rt = runtime or Runtime(settings or get_settings(), role="serve")
        services = Services.build(rt, working=rt.settings.api.run_jobs)
        await asyncio.to_thread(services.start)
        if not rt.settings.api.auth:
            log.warning(
                "API authentication is OFF (RAG_API__AUTH=false): every caller is admin of tenant %r",
                rt.settings.tenant,
            )
        app.state.services = services
        try:
            async with mcp_http.serving(app):
                yield
        finally:
            await asyncio.to_thread(services.close)

    app = FastAPI(
        title="rag-knowledge",
        version="0.1.0",
        summary="Ask questions of your own documents: upload, cited answers, search, jobs.",
        lifespan=lifespan,
        docs_url=None,  # /docs is served from vendored files (api/routes/ui.py): no CDN, a strict CSP
        redoc_url=None,
        generate_unique_id_function=openapi.operation_id,
    )
    problems.install(app)
    openapi.install(app)
    body.install(app, _body_limit)
    app.include_router(documents.router)
    app.include_router(sources.router)
    app.include_router(jobs.router)
    app.include_router(query.router)
    app.include_router(openai_compat.router)
    app.include_router(monitor.router)
    app.include_router(admin.router)
    app.include_router(health.router)
    ui.mount(app)
    mcp_http.mount(app)

    @app.middleware("http")
    async def measure_limit_and_secure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        services: Services | None = getattr(request.app.state, "services", None)
        t0 = time.perf_counter()
        # Where the request timeout starts, before the body is received: ?wait=true counts from here.
        request.state.started = time.monotonic()
        limit = services.runtime.settings.api.request_timeout_s if services else None
        try:
            # Bounds the time to the response's start: a stream, once started, runs at its own pace.
            response = await asyncio.wait_for(call_next(request), timeout=limit)
        except TimeoutError:
            response = problems.problem(
                504, "request timed out", f"no response within {limit:g} s (RAG_API__REQUEST_TIMEOUT_S)"
            )
        except Exception as e:  # noqa: BLE001 - the outermost boundary of a request
            # Here rather than in Starlette's last-resort handler, so even a 500 is measured and secured.
            response = problems.internal_error(request, e)
        secure(response.headers, request.url.path)
        if services is not None:
            services.metrics.request(
                request.method, _route(request), response.status_code, time.perf_counter() - t0
            )
        return response

    return app


def _body_limit(scope: Scope) -> int | None:
    services: Services | None = getattr(scope["app"].state, "services", None)
    return services.runtime.settings.api.max_body_kb * 1024 if services else None


def _route(request: Request) -> str | None:
    """The matched route's path template, or a mount's prefix (/ui/static/*); None when nothing matched."""
    route = request.scope.get("route")
    if route is not None:
        return route.path
    root = request.scope.get("root_path")
    return f"{root}/*" if root else None
