"""Helpers for the HTTP API tests: an app on a real data directory and real models, a scripted LLM."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from app.runtime import Runtime
from core.settings import load_settings
from llm_server import Reply, ScriptedLLM
from rag_client.sse import events

DEFAULT_REPLY = Reply("Employees get 27 days of paid annual leave [1].", usage=(700, 12))


@contextmanager
def serve(
    data_dir: Path,
    embedder: Any,
    onnx_cache: Path,
    llm: ScriptedLLM,
    runtime: type[Runtime] = Runtime,
    **overrides: Any,
) -> Iterator[TestClient]:
    """A running app (lifespan included) on ``data_dir``; ``overrides`` are settings groups; ``runtime``
    the Runtime class (conftest's ``sharing_runtime`` to reuse the session's models in re-indexes)."""
    api = {"rate_per_minute": 100_000, "rate_burst": 10_000, "heartbeat_s": 0.2} | overrides.pop("api", {})
    settings = load_settings(
        data_dir=data_dir,
        embedding={"cache_dir": onnx_cache},
        llm={"base_url": llm.base_url, "model": "scripted", "max_retries": 0, "timeout_s": 5},
        api=api,
        **overrides,
    )
    rt = runtime(settings)
    rt.embedder = embedder  # type: ignore[misc]
    with TestClient(create_app(runtime=rt), raise_server_exceptions=False) as client:
        yield client


def key(client: TestClient, tenant: str, admin: bool = False) -> dict[str, str]:
    secret, _ = client.app.state.services.keys.create(tenant, admin=admin)  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {secret}"}


def upload(
    client: TestClient, headers: dict[str, str], *files: tuple[str, bytes], wait: bool = True, **form: str
):
    return client.post(
        "/v1/documents",
        params={"wait": str(wait).lower()},
        files=[("files", (name, data)) for name, data in files],
        data=form,
        headers=headers,
    )


def sse_events(text: str) -> list[tuple[str, dict]]:
    """A whole event stream's named events (rag_client's reader), their data parsed."""
    return [(name, json.loads(data)) for name, data in events(text.splitlines())]


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port, in a thread: its base URL."""
    import threading
    import time

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        assert thread.is_alive(), "the server stopped while starting"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
