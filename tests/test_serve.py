"""``rag serve`` as users start it: a real process on loopback, with its lifespan and job workers."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from conftest import SAMPLE_DOCS
from rag_process import rag_env, rag_serve


@pytest.mark.slow
def test_rag_serve_answers_uploads_and_stops_cleanly(tmp_path: Path, onnx_cache: Path) -> None:
    with rag_serve(rag_env(tmp_path / "data", onnx_cache), ("acme",)) as server:
        base, headers = server.base_url, {"X-API-Key": server.keys["acme"]}
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
    # The lifespan closed the store: another process can open the data directory now.
    listed = server.run("docs", "list", "--tenant", "acme", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [d["source"] for d in json.loads(listed.stdout)] == ["employee-handbook.md"]
