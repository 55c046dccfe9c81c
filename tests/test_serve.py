"""``rag serve`` as users start it: a real process on loopback, with its lifespan and job workers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import SAMPLE_DOCS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_rag_serve_answers_uploads_and_stops_cleanly(tmp_path: Path, onnx_cache: Path) -> None:
    rag = str(Path(sys.executable).parent / "rag")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")} | {
        "RAG_DATA_DIR": str(tmp_path / "data"),
        "RAG_EMBEDDING__CACHE_DIR": str(onnx_cache),
    }
    created = subprocess.run(
        [rag, "keys", "create", "--tenant", "acme", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    headers = {"X-API-Key": json.loads(created.stdout)["key"]}
    port = _free_port()
    server = subprocess.Popen([rag, "serve", "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "not ready in 120 s"
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        files = [("files", ("employee-handbook.md", (SAMPLE_DOCS / "employee-handbook.md").read_bytes()))]
        r = httpx.post(f"{base}/v1/documents?wait=true", files=files, headers=headers, timeout=120)
        assert r.status_code == 200 and r.json()["documents"][0]["status"] == "indexed"
        hits = httpx.post(
            f"{base}/v1/search", json={"query": "annual leave days"}, headers=headers, timeout=30
        ).json()["hits"]
        assert hits[0]["source"] == "employee-handbook.md"
        # The embedded model answers (demo quality: the record says so).
        answer = httpx.post(
            f"{base}/v1/query",
            json={"question": "How many days of paid annual leave do employees get?"},
            headers=headers,
            timeout=120,
        ).json()
        assert answer["answer"] and answer["model"]["demo_quality"] is True
    finally:
        server.terminate()
        # uvicorn shuts down gracefully, then re-raises SIGTERM: -15 is a clean stop.
        assert server.wait(timeout=30) in (0, -15)
    # The lifespan closed the store: another process can open the data directory now.
    listed = subprocess.run(
        [rag, "docs", "list", "--tenant", "acme", "--json"], env=env, capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr
    assert [d["source"] for d in json.loads(listed.stdout)] == ["employee-handbook.md"]
