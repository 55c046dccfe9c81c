"""The dashboard at /ui: one static page and its assets, served from this package (no CDN: the
machines are offline). The page reads the monitoring API with the API key the user types in."""

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
