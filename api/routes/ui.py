"""The pages: the dashboard at /ui, the chat page at /chat and the API reference at /docs (Swagger UI),
static files served from this package (no CDN: the machines are offline). The dashboard and the chat
page call the API with the API key the user types in. All run under the strict Content-Security-Policy
of api/headers.py: no inline script or style, nothing from another origin."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent.parent / "static"


def mount(app: FastAPI) -> None:
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")

    @app.get("/ui", include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(STATIC / "ui.html", media_type="text/html")

    @app.get("/chat", include_in_schema=False)
    def chat() -> FileResponse:
        return FileResponse(STATIC / "chat.html", media_type="text/html")

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(STATIC / "docs.html", media_type="text/html")
