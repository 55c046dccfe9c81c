"""Roles: a serving-only app (``rag serve --no-workers``) queues uploads for a worker (``rag worker``),
which runs them; a re-index started through the serving app is run by the worker. The worker here is a
``Services`` without HTTP on the app's own runtime: Qdrant Edge's index belongs to one process, so the
two roles share one store object in one process (test_many_processes.py runs them as processes)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from api.services import Services
from api_client import key, serve, upload
from ingest.jobstore import JobState


def _until(check: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.05)


def test_a_serving_only_replica_queues_and_a_worker_runs(tmp_path: Path, embedder, onnx_cache, llm) -> None:
    with serve(tmp_path / "data", embedder, onnx_cache, llm, api={"run_jobs": False}) as client:
        services: Services = client.app.state.services
        assert not services.working and not services.runner.alive()
        ready = client.get("/readyz")
        assert ready.status_code == 200 and "job_workers" not in ready.json()["checks"]
        a = key(client, "acme")
        r = upload(client, a, ("note.txt", b"The lighthouse keeper logs the fog horn hours."), wait=False)
        assert r.status_code == 202, r.text
        job_id = r.json()["documents"][0]["job"]["id"]
        time.sleep(1.0)  # several polls of a worker, had this process one
        assert services.jobs.get(job_id).state == JobState.QUEUED

        worker = Services.build(services.runtime, serving=False)
        worker.start()
        try:
            _until(lambda: services.jobs.get(job_id).finished, 60)
            assert services.jobs.get(job_id).state == JobState.INDEXED
            hits = client.post("/v1/search", json={"query": "fog horn hours"}, headers=a).json()["hits"]
            assert hits and hits[0]["source"] == "note.txt"

            admin = key(client, "acme", admin=True)
            started = client.post("/v1/admin/reindex", json={"chunk_size": 120}, headers=admin)
            assert started.status_code == 202, started.text
            run_id = started.json()["run"]["id"]
            assert services.checkpoints.get(run_id).owner == ""  # for a worker to take
            _until(lambda: services.checkpoints.get(run_id).finished, 120)  # the worker's rounds took it
            assert services.checkpoints.get(run_id).state.value == "switched"
            assert services.runtime.settings.chunking.size_tokens == 120
        finally:
            worker.close()


def test_more_server_processes_need_a_qdrant_server(tmp_path: Path) -> None:
    rag = str(Path(sys.executable).parent / "rag")
    env = {"RAG_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [rag, "serve", "--processes", "2"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "needs a Qdrant server" in done.stderr and "Traceback" not in done.stderr


def test_a_document_prepared_for_a_version_another_process_replaced_is_prepared_again(
    settings, embedder, parser, sharing_runtime, tmp_path: Path
) -> None:
    """Replica B chunks and embeds a document; meanwhile replica A switches the alias to a version
    built with other chunking. B must not write its old-chunking points into the new version: it
    notices once the document is begun, adopts the new settings and prepares it again."""
    import dataclasses

    from qdrant_client import QdrantClient

    from core.store.server import ServerVersions
    from ingest.fingerprint import build_groups, with_build
    from ingest.pipeline import Source

    client = QdrantClient(":memory:")
    a, b = sharing_runtime(settings), sharing_runtime(settings)
    for rt in (a, b):
        rt.embedder, rt.parser = embedder, parser  # type: ignore[misc]
        rt.__dict__["versions"] = ServerVersions(client, "rag")
    a.store  # noqa: B018 - creates and serves v0001
    b.store.refresh_s = 3600  # B last looked at the alias just now (it follows within 2 s at most)
    smaller = with_build(settings, {"chunking": {"size_tokens": 64, "overlap_tokens": 0}})
    prepare = b.ingestor._prepare

    def prepare_then_switch(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        out = prepare(*args, **kwargs)
        if b.settings.chunking.size_tokens != 64:  # the first time: A re-indexes meanwhile
            name = a.versions.next_name()
            meta = dataclasses.replace(a.index_meta, build=build_groups(smaller), fingerprint="smaller")
            a.versions.create(name, meta).close()
            a.store.switch(name, configured=meta)
        return out

    b.ingestor._prepare = prepare_then_switch  # type: ignore[method-assign]
    text = " ".join(f"Sentence {i} about the lighthouse keeper's logbook and the fog." for i in range(60))
    outcome = b.ingest_one(Source.from_bytes(text.encode(), "log.txt", "default"))
    assert outcome.status == "added", outcome
    assert b.store.version == a.store.version == "v0002"
    assert b.settings.chunking.size_tokens == 64  # adopted
    doc = b.registry.get("default", outcome.doc_id)
    served = a.versions.open("v0002")
    assert doc.chunk_count == served.count("default", outcome.doc_id) >= 10  # 64-token chunks (200: 5)
    assert a.versions.open("v0001").count("default", outcome.doc_id) == 0  # nothing in the old one
    for rt in (a, b):
        del rt.parser
        rt.close()
