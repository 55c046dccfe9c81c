"""``rag serve`` as users start it: a real process on a free loopback port, its keys made with
``rag keys create`` beforehand, waited for until ready, stopped with SIGTERM."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

RAG = str(Path(sys.executable).parent / "rag")


@dataclass
class RagServer:
    base_url: str
    env: dict[str, str]
    keys: dict[str, str]  # tenant -> API key
    process: subprocess.Popen

    def run(self, *args: str) -> subprocess.CompletedProcess:
        """Another ``rag`` command on the same data directory and settings."""
        return subprocess.run([RAG, *args], env=self.env, capture_output=True, text=True)


def rag_env(data_dir: Path, onnx_cache: Path, **settings: str) -> dict[str, str]:
    """This environment without any RAG_ variable of the caller's, then the data directory, the ONNX
    cache and ``settings`` (environment names: RAG_LLM__BASE_URL=...)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    return env | {"RAG_DATA_DIR": str(data_dir), "RAG_EMBEDDING__CACHE_DIR": str(onnx_cache)} | settings


@contextmanager
def rag_serve(
    env: dict[str, str], tenants: tuple[str, ...] = (), *args: str, port: int | None = None
) -> Iterator[RagServer]:
    """``rag serve *args`` on ``port`` (default: a free one), with a key made for each of ``tenants``."""
    keys = {}
    for tenant in tenants:
        made = subprocess.run(
            [RAG, "keys", "create", "--tenant", tenant, "--json"], env=env, capture_output=True, text=True
        )
        assert made.returncode == 0, made.stderr
        keys[tenant] = json.loads(made.stdout)["key"]
    port = port or _free_port()
    # The log goes to a file: a pipe nobody reads fills up and blocks the server mid-test.
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen([RAG, "serve", "--port", str(port), *args], env=env, stderr=log, text=True)
        server = RagServer(f"http://127.0.0.1:{port}", env, keys, process)
        try:
            _wait_ready(server, log)
            yield server
        finally:
            process.terminate()
            try:
                code = process.wait(timeout=30)
            finally:
                if process.poll() is None:
                    process.kill()
        # uvicorn shuts down gracefully, then re-raises SIGTERM: -15 is a clean stop.
        assert code in (0, -15), _tail(log)


def _tail(log: IO[str], chars: int = 4000) -> str:
    log.seek(0)
    return log.read()[-chars:]


def _wait_ready(server: RagServer, log: IO[str]) -> None:
    deadline = time.monotonic() + 120
    while True:
        if server.process.poll() is not None:
            raise AssertionError(_tail(log))
        assert time.monotonic() < deadline, "not ready in 120 s"
        try:
            if httpx.get(f"{server.base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
