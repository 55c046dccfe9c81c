"""The re-index through the HTTP API, in the serving process: searches keep succeeding while it runs and
switches; admin keys only; bad settings 422; one at a time 409; rollback; a clean stop pauses it and the
next start resumes it; an index of another embedding model is refused with 409 until re-indexed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api_client import key, serve, upload
from conftest import SAMPLE_DOCS
from ingest.pipeline import document_id
from llm_server import ScriptedLLM

FILES = [(p.name, p.read_bytes()) for p in sorted(SAMPLE_DOCS.iterdir())]


@pytest.fixture
def llm():
    with ScriptedLLM() as server:
        yield server


def _seed(client: TestClient) -> dict[str, str]:
    admin = key(client, "default", admin=True)
    for i in range(0, len(FILES), 5):
        r = upload(client, admin, *FILES[i : i + 5])
        assert r.status_code == 200 and all(d["status"] == "indexed" for d in r.json()["documents"]), r.text
    return admin


def _wait(client: TestClient, admin: dict[str, str], run_id: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/v1/admin/reindex/{run_id}", headers=admin).json()
        if run["state"] != "running":
            return run
        time.sleep(0.2)
    raise AssertionError(f"re-index {run_id} did not end: {run}")


def test_searches_succeed_throughout_and_rollback(
    tmp_path: Path, embedder, onnx_cache, llm, sharing_runtime
) -> None:
    with serve(tmp_path / "data", embedder, onnx_cache, llm, sharing_runtime) as client:
        admin = _seed(client)
        user = key(client, "default")
        assert client.post("/v1/admin/reindex", json={"chunk_size": 64}, headers=user).status_code == 403
        bad = client.post("/v1/admin/reindex", json={"chunk_size": 32, "chunk_overlap": 40}, headers=admin)
        assert bad.status_code == 422 and "overlap" in bad.json()["detail"]
        unknown = client.post(
            "/v1/admin/reindex", json={"embedding_model": "BAAI/bge-small-en"}, headers=admin
        )
        assert unknown.status_code == 422 and "nothing is downloaded" in unknown.json()["detail"]
        nodir = {"embedding_model": "x/y", "embedding_model_path": "/nonexistent"}
        missing = client.post("/v1/admin/reindex", json=nodir, headers=admin)
        assert (
            missing.status_code == 422
            and "not a sentence-transformers model directory" in missing.json()["detail"]
        )

        r = client.post("/v1/admin/reindex", json={"chunk_size": 64, "chunk_overlap": 8}, headers=admin)
        assert r.status_code == 202, r.text
        run = r.json()["run"]
        again = client.post("/v1/admin/reindex", json={}, headers=admin)
        assert again.status_code == 409 and "running" in again.json()["detail"]
        statuses = []
        while True:
            s = client.post("/v1/search", json={"query": "warranty on a Porter robot"}, headers=user)
            statuses.append(s.status_code if s.status_code != 200 or s.json()["hits"] else "no hits")
            state = client.get(f"/v1/admin/reindex/{run['id']}", headers=admin).json()
            if state["state"] != "running":
                break
        assert state["state"] == "switched", state
        assert set(statuses) == {200} and len(statuses) > 5
        faq = f"/v1/documents/{document_id('default', 'support-faq.html')}/chunks"
        chunks = client.get(faq, headers=user).json()["items"]
        assert {c["fingerprint"] for c in chunks} == {state["fingerprint"]}
        assert max(c["n_tokens"] for c in chunks) <= 64
        status = client.get("/v1/admin/reindex", headers=admin).json()
        assert status["served"] == state["version"] and len(status["versions"]) == 2

        back = client.post("/v1/admin/reindex/rollback", headers=admin)
        assert back.status_code == 200 and back.json() == {
            "served": state["served_at_start"],
            "previous": state["version"],
        }
        chunks = client.get(faq, headers=user).json()["items"]
        assert {c["fingerprint"] for c in chunks} != {state["fingerprint"]}
        assert max(c["n_tokens"] for c in chunks) > 64
        assert client.post("/v1/admin/reindex/nope/abort", headers=admin).status_code == 404


def test_a_clean_stop_pauses_the_run_and_the_next_start_resumes_it(
    tmp_path: Path, embedder, onnx_cache, llm, sharing_runtime
) -> None:
    data = tmp_path / "data"
    with serve(data, embedder, onnx_cache, llm, sharing_runtime, ingest={"batch_chunks": 4}) as client:
        admin = _seed(client)
        notes = [
            (
                f"note-{i}.txt",
                " ".join(f"Note {i} line {j} about subject {i * j}." for j in range(60)).encode(),
            )
            for i in range(30)
        ]
        for i in range(0, len(notes), 10):
            assert upload(client, admin, *notes[i : i + 10]).status_code == 200
        run = client.post("/v1/admin/reindex", json={"chunk_size": 48}, headers=admin).json()["run"]
        deadline = time.monotonic() + 60
        while client.get(f"/v1/admin/reindex/{run['id']}", headers=admin).json()["done"] < 2:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert f'rag_reindex_documents{{state="total"}} {len(FILES) + 30}.0' in client.get("/metrics").text
    with serve(data, embedder, onnx_cache, llm, sharing_runtime) as client:
        admin = key(client, "default", admin=True)
        done = _wait(client, admin, run["id"])
        assert done["state"] == "switched" and done["resumed"] == 1, done
        assert done["total"] == len(FILES) + 30
        assert client.get("/v1/admin/reindex", headers=admin).json()["served"] == done["version"]


def test_an_index_of_another_embedding_model_is_refused_until_reindexed(
    tmp_path: Path, embedder, onnx_cache, llm, model_path, sharing_runtime
) -> None:
    data = tmp_path / "data"
    with serve(data, embedder, onnx_cache, llm, sharing_runtime) as client:
        admin = _seed(client)
        body = {"embedding_model": "acme/minilm-tuned", "embedding_model_path": str(model_path)}
        run = client.post("/v1/admin/reindex", json=body, headers=admin).json()["run"]
        assert _wait(client, admin, run["id"])["state"] == "switched"
        # This process serves the model it switched to.
        assert client.post("/v1/search", json={"query": "warranty"}, headers=admin).status_code == 200
    with serve(
        data, embedder, onnx_cache, llm, sharing_runtime
    ) as client:  # restarted with the configured model
        admin = key(client, "default", admin=True)
        refused = client.post("/v1/search", json={"query": "warranty"}, headers=admin)
        assert refused.status_code == 409
        assert "acme/minilm-tuned" in refused.json()["detail"]
        assert "sentence-transformers/all-MiniLM-L6-v2" in refused.json()["detail"]
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "acme/minilm-tuned" in ready.json()["checks"]["store"]
        run = client.post("/v1/admin/reindex", json={}, headers=admin).json()["run"]
        assert _wait(client, admin, run["id"])["state"] == "switched"
        assert client.post("/v1/search", json={"query": "warranty"}, headers=admin).status_code == 200
        assert client.get("/readyz").status_code == 200


def test_a_worker_rebuilds_the_search_graph_once_enough_points_were_added(
    tmp_path: Path, embedder, onnx_cache, llm, sharing_runtime
) -> None:
    store = {"hnsw_min_points": 3, "optimize_growth": 1.0}
    with serve(
        tmp_path / "data", embedder, onnx_cache, llm, sharing_runtime, store=store, cluster={"lease_s": 3}
    ) as client:
        rt = client.app.state.services.runtime
        admin = key(client, "default", admin=True)

        def runs() -> list[dict]:
            r = client.get("/v1/admin/reindex", headers=admin)
            assert r.status_code == 200, r.text
            return r.json()["runs"]

        def settled(count: int) -> list[dict]:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                r = client.get("/v1/admin/reindex", headers=admin)
                # A moment's refusal while the index switches (it failed once under the full suite's load,
                # its answer unseen) is waited out; what it was is in the failure if the runs never settle.
                now = r.json()["runs"] if r.status_code == 200 else None
                if now is not None and len(now) >= count and all(x["state"] != "running" for x in now):
                    return now
                time.sleep(0.2)
            raise AssertionError(f"no {count} finished runs: {r.status_code} {r.text}")

        r = upload(client, admin, *FILES[:3])
        assert r.status_code == 200, r.text
        first = settled(1)
        assert first[0]["state"] == "switched" and (first[0]["copied"], first[0]["rebuilt"]) == (3, 0)
        points = rt.store.count()
        assert points >= 3 and rt.versions.graph_points(rt.versions.current()) == points

        note = b"The lighthouse keeper logs the fog horn hours every night."  # one point: fewer than 3
        assert upload(client, admin, ("note.txt", note)).status_code == 200
        time.sleep(4.5)  # three rounds of the worker
        assert len(runs()) == 1, "a few points more do not rebuild the graph"
        assert rt.store.version == first[0]["version"]

        r = upload(client, admin, *FILES[3:])
        assert r.status_code == 200, r.text
        final = settled(2)  # the second may start while the upload is still under way: caught up after
        assert all(run["state"] == "switched" for run in final)
        assert rt.versions.graph_points(rt.versions.current()) > points
        assert len(rt.store.doc_point_counts("default")) == len(FILES) + 1
        hits = client.post("/v1/search", json={"query": "fog horn hours"}, headers=admin).json()["hits"]
        assert hits and hits[0]["source"] == "note.txt"
