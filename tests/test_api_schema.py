"""Schemathesis against the OpenAPI schema of a live server on loopback: whatever it sends, no 5xx."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from api.app import create_app
from api_client import live_server
from app.runtime import Runtime
from conftest import SAMPLE_DOCS
from core.settings import load_settings
from llm_server import Reply, ScriptedLLM


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, embedder, onnx_cache):
    with ScriptedLLM(default=Reply("Employees get 27 days [1].")) as llm:
        s = load_settings(
            data_dir=tmp_path_factory.mktemp("schema") / "data",
            embedding={"cache_dir": onnx_cache},
            llm={"base_url": llm.base_url, "model": "scripted", "max_retries": 0},
            api={"rate_per_minute": 1_000_000, "rate_burst": 100_000},
        )
        rt = Runtime(s)
        rt.embedder = embedder  # type: ignore[misc]
        app = create_app(runtime=rt)
        with live_server(app) as base:
            secret, _ = app.state.services.keys.create("acme", admin=True)
            headers = {"Authorization": f"Bearer {secret}"}
            r = httpx.post(
                f"{base}/v1/documents?wait=true",
                files=[
                    ("files", ("employee-handbook.md", (SAMPLE_DOCS / "employee-handbook.md").read_bytes()))
                ],
                headers=headers,
                timeout=60,
            )
            assert r.status_code == 200, r.text
            yield base, headers


def test_no_server_errors(live) -> None:
    base, headers = live
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def check(case) -> None:  # noqa: ANN001 - a schemathesis Case
            response = case.call(base_url=base, headers=headers, timeout=30)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
                )

        check()
    assert operations >= 12
    assert failures == []
