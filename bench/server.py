"""A real ``rag serve`` on loopback for the HTTP benchmarks: a fresh data directory, the scripted LLM, API
keys per tenant, started and stopped around a ``with`` block."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from common import RESULTS, ROOT

sys.path.insert(0, str(ROOT / "tests"))
from llm_server import Reply, ScriptedLLM  # noqa: E402 - the test suite's scripted OpenAI-compatible server
from rag_process import rag_env, rag_serve  # noqa: E402 - rag serve as the tests start it


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
        env = rag_env(
            Path(tmp) / "data",
            RESULTS / "cache" / "models",
            RAG_LLM__BASE_URL=llm.base_url,
            RAG_LLM__MODEL="scripted",
            RAG_API__RATE_PER_MINUTE="1000000",
            RAG_API__RATE_BURST="100000",
            RAG_LOG_LEVEL="ERROR",
        ) | (extra_env or {})
        with rag_serve(env, tuple(tenants), port=port) as s:
            headers = {t: {"Authorization": f"Bearer {k}"} for t, k in s.keys.items()}
            yield Server(s.base_url, headers, s.process)
