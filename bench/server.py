"""A real ``rag serve`` on loopback for the HTTP benchmarks: a fresh data directory, the scripted LLM, API
keys per tenant, started and stopped around a ``with`` block."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from common import RESULTS, ROOT

sys.path.insert(0, str(ROOT / "tests"))
from llm_server import Reply, ScriptedLLM  # noqa: E402 - the test suite's scripted OpenAI-compatible server

RAG = str(ROOT / ".venv" / "bin" / "rag")


@dataclass(frozen=True)
class Server:
    base: str
    headers: dict[str, dict[str, str]]  # tenant -> Authorization header
    process: subprocess.Popen


@contextmanager
def serve(
    port: int, tenants: list[str], extra_env: dict[str, str] | None = None, reply: Reply | None = None
) -> Iterator[Server]:
    """``reply``: what the scripted LLM answers every time (default: one short cited sentence)."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        ScriptedLLM(default=reply or Reply("Employees get 27 days [1].")) as llm,
    ):
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")} | {
            "RAG_DATA_DIR": f"{tmp}/data",
            "RAG_EMBEDDING__CACHE_DIR": str(RESULTS / "cache" / "models"),
            "RAG_LLM__BASE_URL": llm.base_url,
            "RAG_LLM__MODEL": "scripted",
            "RAG_API__RATE_PER_MINUTE": "1000000",
            "RAG_API__RATE_BURST": "100000",
            "RAG_LOG_LEVEL": "ERROR",
        }
        env |= extra_env or {}
        headers = {t: {"Authorization": f"Bearer {_create_key(t, env)}"} for t in tenants}
        process = subprocess.Popen(
            [RAG, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base, process)
            yield Server(base, headers, process)
        finally:
            process.terminate()
            process.wait(timeout=60)


def _create_key(tenant: str, env: dict[str, str]) -> str:
    created = subprocess.run(
        [RAG, "keys", "create", "--tenant", tenant, "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(created.stdout)["key"]


def _wait_ready(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the server exited: {process.stderr.read() if process.stderr else ''}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    sys.exit("the server did not become ready in 120 s")
