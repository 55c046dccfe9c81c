"""The HTTP API end to end: real Qdrant Edge, the real embedding model, real files, the scripted LLM."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from api_client import DEFAULT_REPLY, key, serve, sse_events, upload
from conftest import SAMPLE_DOCS
from llm_server import Reply

HANDBOOK = (SAMPLE_DOCS / "employee-handbook.md").read_bytes()
FAQ = (SAMPLE_DOCS / "support-faq.html").read_bytes()
LEAVE = "How many days of paid annual leave do employees get?"


def test_upload_job_indexed_then_a_cited_answer(client) -> None:
    a = key(client, "acme")
    r = upload(client, a, ("employee-handbook.md", HANDBOOK), ("support-faq.html", FAQ), wait=False)
    assert r.status_code == 202
    items = r.json()["documents"]
    assert [i["status"] for i in items] == ["queued", "queued"] and all(
        i["job"]["state"] == "queued" for i in items
    )
    jobs = client.app.state.services.runner.wait([i["job"]["id"] for i in items], 60)
    assert [j.state for j in jobs] == ["indexed", "indexed"]
    job = client.get(f"/v1/jobs/{items[0]['job']['id']}", headers=a).json()
    assert (
        job["state"] == "indexed"
        and job["progress"] == 1.0
        and job["chunks"] > 0
        and job["outcome"] == "added"
    )
    assert job["started_at"] <= job["finished_at"] and job["attempts"] == 1

    r = client.post("/v1/query", json={"question": LEAVE}, headers=a)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["answer"] == DEFAULT_REPLY.text and not body["refused"]
    assert (
        body["citations"][0]["source"] == "employee-handbook.md" and body["citations"][0]["origin"] == "model"
    )
    assert body["hits"][0]["dense_score"] is not None and body["hits"][0]["sparse_score"] is not None
    assert body["usage"]["prompt_tokens"] == 700 and len(body["trace_id"]) == 32
    assert {"search", "llm_total", "total"} <= set(body["timings_ms"])

    doc = client.get(f"/v1/documents/{items[0]['document_id']}", headers=a).json()
    assert (
        doc["status"] == "indexed" and doc["chunk_count"] == job["chunks"] and len(doc["content_hash"]) == 64
    )
    chunks = client.get(f"/v1/documents/{doc['id']}/chunks", headers=a).json()["items"]
    assert len(chunks) == doc["chunk_count"] and "annual leave" in " ".join(c["text"] for c in chunks).lower()
    assert "tenant" not in chunks[0]


def test_same_content_again_is_unchanged_and_a_changed_file_replaces(client) -> None:
    a = key(client, "acme")
    first = upload(client, a, ("employee-handbook.md", HANDBOOK)).json()["documents"][0]
    assert first["status"] == "indexed"
    again = upload(client, a, ("employee-handbook.md", HANDBOOK))
    assert again.status_code == 200 and again.json()["documents"][0] == {
        "document_id": first["document_id"],
        "source": "employee-handbook.md",
        "status": "unchanged",
        "job": None,
    }
    changed = HANDBOOK.replace(b"27 days", b"31 days")
    r = client.put(
        f"/v1/documents/{first['document_id']}",
        params={"wait": "true"},
        files={"file": ("x.md", changed)},
        headers=a,
    )
    assert r.status_code == 200 and r.json()["documents"][0]["job"]["outcome"] == "updated"
    text = " ".join(
        c["text"]
        for c in client.get(f"/v1/documents/{first['document_id']}/chunks", headers=a).json()["items"]
    )
    assert "31 days" in text and "27 days" not in text
    listing = client.get("/v1/documents", headers=a).json()
    assert listing["total"] == 1 and listing["items"][0]["source"] == "employee-handbook.md"
    bad = client.put(
        f"/v1/documents/{first['document_id']}", files={"file": ("x.pdf", b"%PDF-1.4")}, headers=a
    )
    assert bad.status_code == 415 and bad.headers["content-type"] == "application/problem+json"
    assert client.put("/v1/documents/nope", files={"file": ("x.md", b"# x")}, headers=a).status_code == 404


def test_delete_leaves_nothing(client) -> None:
    a = key(client, "acme")
    doc = upload(client, a, ("employee-handbook.md", HANDBOOK)).json()["documents"][0]
    blob = client.app.state.services.blobs.path(
        client.get(f"/v1/documents/{doc['document_id']}", headers=a).json()["content_hash"]
    )
    assert blob.exists()
    assert client.delete(f"/v1/documents/{doc['document_id']}", headers=a).status_code == 204
    assert client.get(f"/v1/documents/{doc['document_id']}", headers=a).status_code == 404
    assert client.get(f"/v1/documents/{doc['document_id']}/chunks", headers=a).status_code == 404
    assert client.delete(f"/v1/documents/{doc['document_id']}", headers=a).status_code == 404
    assert client.post("/v1/search", json={"query": "annual leave"}, headers=a).json()["hits"] == []
    assert not blob.exists()
    # The same file again is a new document, not "unchanged": the rule asks the registry, not the blobs.
    again = upload(client, a, ("employee-handbook.md", HANDBOOK)).json()["documents"][0]
    assert again["document_id"] == doc["document_id"] and again["status"] == "indexed"
    assert client.post("/v1/search", json={"query": "annual leave"}, headers=a).json()["hits"]


def test_tenants_never_see_each_other(client, llm) -> None:
    a, b = key(client, "acme"), key(client, "globex")
    doc = upload(client, a, ("employee-handbook.md", HANDBOOK)).json()["documents"][0]
    job_id = doc["job"]["id"]
    did = doc["document_id"]
    assert client.get("/v1/documents", headers=b).json() == {
        "items": [],
        "total": 0,
        "limit": 100,
        "offset": 0,
    }
    assert client.get(f"/v1/documents/{did}", headers=b).status_code == 404
    assert client.get(f"/v1/documents/{did}/chunks", headers=b).status_code == 404
    assert client.get(f"/v1/jobs/{job_id}", headers=b).status_code == 404
    assert client.delete(f"/v1/documents/{did}", headers=b).status_code == 404
    assert (
        client.put(f"/v1/documents/{did}", files={"file": ("x.md", b"# evil")}, headers=b).status_code == 404
    )
    assert client.post("/v1/search", json={"query": "annual leave days"}, headers=b).json()["hits"] == []
    answer = client.post("/v1/query", json={"question": LEAVE}, headers=b).json()
    assert answer["refused"] and answer["refusal"]["reason"] == "no_hits" and llm.requests == []
    # ...and A still has everything.
    assert client.get(f"/v1/documents/{did}", headers=a).json()["status"] == "indexed"
    assert client.post("/v1/search", json={"query": "annual leave days"}, headers=a).json()["hits"]
    # Conversations and feedback are per tenant too.
    mine = client.post("/v1/query", json={"question": LEAVE}, headers=a).json()
    r = client.post(
        "/v1/query", json={"question": LEAVE, "conversation_id": mine["conversation_id"]}, headers=b
    )
    # B's own new conversation under that id, as with any id B never used: no rewrite with A's turns.
    assert r.status_code == 200 and "rewrite" not in [s["name"] for s in r.json()["steps"]]
    assert (
        client.post("/v1/feedback", json={"trace_id": mine["trace_id"], "rating": 1}, headers=b).status_code
        == 404
    )
    ok = client.post(
        "/v1/feedback", json={"trace_id": mine["trace_id"], "rating": 1, "comment": "right"}, headers=a
    )
    assert ok.status_code == 200 and ok.json() == {"trace_id": mine["trace_id"], "recorded": True}


def test_authentication(client) -> None:
    r = client.get("/v1/documents")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json()["title"] == "authentication required"
    assert client.get("/v1/documents", headers={"Authorization": "Bearer rk_nope_nope"}).status_code == 401
    assert client.get("/v1/documents", headers={"X-API-Key": "garbage"}).status_code == 401
    secret, who = client.app.state.services.keys.create("acme")
    assert client.get("/v1/documents", headers={"X-API-Key": secret}).status_code == 200
    client.app.state.services.keys.revoke(who.key_id)
    assert client.get("/v1/documents", headers={"X-API-Key": secret}).status_code == 401
    # Probes and the scraper need no key.
    assert client.get("/healthz").json() == {"status": "ok", "checks": {}}
    assert client.get("/readyz").json()["status"] == "ok"


def test_limits_and_invalid_requests(tmp_path: Path, embedder, onnx_cache, llm) -> None:
    with serve(tmp_path / "data", embedder, onnx_cache, llm, ingest={"max_file_mb": 0.01}) as client:
        a = key(client, "acme")
        big = upload(client, a, ("big.txt", b"word " * 5000))
        assert big.status_code == 413 and "RAG_INGEST__MAX_FILE_MB" in big.json()["detail"]
        exe = upload(client, a, ("tool.exe", b"MZ"))
        assert exe.status_code == 415 and ".exe" in exe.json()["detail"]
        meta = upload(client, a, ("a.txt", b"hello world"), metadata='{"team": ["not", "scalar"]}')
        assert meta.status_code == 422 and meta.json()["title"] == "invalid metadata"
        assert upload(client, a, ("a.txt", b"hello"), metadata="{oops").status_code == 422
        # A refused upload stores nothing, even the valid file beside the bad one.
        assert upload(client, a, ("ok.txt", b"fine text"), ("bad.exe", b"MZ")).status_code == 415
        assert client.get("/v1/documents", headers=a).json()["total"] == 0
        r = client.post("/v1/query", json={"question": "", "top_k": 0, "extra": 1}, headers=a)
        assert r.status_code == 422
        where = {e["where"] for e in r.json()["errors"]}
        assert {"body.question", "body.top_k", "body.extra"} <= where
        assert client.post("/v1/query", json={"question": "   "}, headers=a).status_code == 422
        assert client.get("/v1/nowhere", headers=a).status_code == 404


def test_rate_limit_per_key(tmp_path: Path, embedder, onnx_cache, llm) -> None:
    with serve(
        tmp_path / "data", embedder, onnx_cache, llm, api={"rate_per_minute": 6, "rate_burst": 2}
    ) as client:
        a, b = key(client, "acme"), key(client, "acme")
        assert [client.get("/v1/documents", headers=a).status_code for _ in range(3)] == [200, 200, 429]
        r = client.get("/v1/documents", headers=a)
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 10
        assert client.get("/v1/documents", headers=b).status_code == 200  # another key has its own bucket


def test_unknown_prompt_is_a_422_when_the_llm_would_be_called(client) -> None:
    a = key(client, "acme")
    upload(client, a, ("employee-handbook.md", HANDBOOK))
    r = client.post("/v1/query", json={"question": LEAVE, "prompt": "answer@99"}, headers=a)
    assert r.status_code == 422 and "answer@99" in r.json()["detail"]


def test_llm_down_is_a_502_with_the_reason(client, llm) -> None:
    a = key(client, "acme")
    upload(client, a, ("employee-handbook.md", HANDBOOK))
    llm.queue(Reply(status=503, error="model is loading"))
    r = client.post("/v1/query", json={"question": LEAVE}, headers=a)
    assert r.status_code == 502 and "model is loading" in r.json()["detail"]


def test_streaming_answer_as_server_sent_events(client, llm) -> None:
    a = key(client, "acme")
    upload(client, a, ("employee-handbook.md", HANDBOOK))
    llm.queue(Reply(stream=["Employees ", "get 27 days ", "[1]."], usage=(640, 9)))
    with client.stream("POST", "/v1/query", json={"question": LEAVE, "stream": True}, headers=a) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = sse_events(r.read().decode())
    names = [n for n, _ in events]
    # The output checks release text a checked sentence at a time: one sentence, one token event.
    assert names == ["token", "answer"]
    assert "".join(d["text"] for n, d in events if n == "token") == "Employees get 27 days [1]."
    final = events[-1][1]
    assert (
        final["citations"][0]["source"] == "employee-handbook.md" and final["usage"]["prompt_tokens"] == 640
    )

    llm.queue(Reply(status=500, error="boom"))
    with client.stream("POST", "/v1/query", json={"question": LEAVE, "stream": True}, headers=a) as r:
        ((name, data),) = sse_events(r.read().decode())
    assert name == "error" and data["status"] == 502 and "boom" in data["detail"]


def test_a_silent_stream_gets_keep_alive_comments_that_clients_skip(
    tmp_path: Path, embedder, onnx_cache, llm
) -> None:
    with serve(tmp_path / "data", embedder, onnx_cache, llm, api={"sse_ping_s": 0.2}) as client:
        a = key(client, "acme")
        upload(client, a, ("employee-handbook.md", HANDBOOK))
        for path, body in (
            ("/v1/query", {"question": LEAVE, "stream": True}),
            ("/v1/chat/completions", {"messages": [{"role": "user", "content": LEAVE}], "stream": True}),
        ):
            llm.queue(Reply(stream=["Employees get 27 days ", "[1]."], delay_s=1.0))
            with client.stream("POST", path, json=body, headers=a) as r:
                text = r.read().decode()
            # Proxies must not buffer the stream, and a second without a word keeps it open.
            assert r.headers["x-accel-buffering"] == "no" and r.headers["cache-control"] == "no-store"
            pings = text.count(": ping\n\n")
            assert pings >= 3, text
            assert text.index(": ping") < text.index("27 days"), "the pings come while the model is silent"
            if path == "/v1/query":
                assert [n for n, _ in sse_events(text)] == ["token", "answer"]
        # The OpenAI SDK reads through the comments too.
        sdk = openai.OpenAI(
            api_key=a["Authorization"].removeprefix("Bearer "),
            base_url="http://testserver/v1",
            http_client=client,
            max_retries=0,
        )
        llm.queue(Reply(stream=["Employees get 27 days ", "[1]."], delay_s=1.0))
        chunks = list(sdk.chat.completions.create(model="rag", messages=body["messages"], stream=True))
        assert "27 days" in "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def test_metrics_are_exposed(client) -> None:
    a = key(client, "acme")
    upload(client, a, ("employee-handbook.md", HANDBOOK))
    client.post("/v1/query", json={"question": LEAVE}, headers=a)
    client.post("/v1/query", json={"question": "What is the capital of Peru?"}, headers=a)
    client.app.state.services.runtime.recorder.flush()  # metrics follow traces, written off the request path
    text = client.get("/metrics").text
    assert 'rag_ingest_jobs{state="indexed"} 1.0' in text
    assert 'rag_answers_total{reason="",refused="false"} 1.0' in text
    assert 'rag_answers_total{reason="low_confidence",refused="true"} 1.0' in text
    assert 'rag_llm_tokens_total{direction="input",model="scripted",prompt="answer@1"} 700.0' in text
    assert 'rag_step_duration_seconds_count{kind="query",step="llm_total"} 1.0' in text
    # The model's sentence was checked against its source and held.
    assert 'rag_answer_sentences_total{model="scripted",prompt="answer@1",verdict="supported"} 1.0' in text
    assert 'rag_answer_policy_total{action="kept"} 1.0' in text
    assert "rag_answerability_score_count 2.0" in text  # the refused question was assessed too
    assert 'rag_step_duration_seconds_count{kind="ingest",step="parsing"} 1.0' in text
    assert 'rag_http_requests_total{method="POST",route="/v1/query",status="200"} 2.0' in text
    assert "rag_http_request_duration_seconds_bucket" in text


def test_interrupted_jobs_resume_or_fail_with_a_reason_after_a_restart(
    tmp_path: Path, embedder, onnx_cache, llm
) -> None:
    from core.settings import load_settings
    from ingest.blobs import BlobStore
    from ingest.jobstore import JobState, JobStore

    settings = load_settings(data_dir=tmp_path / "data")
    store, blobs = JobStore(settings.registry_url), BlobStore(settings.blob_dir, settings.registry_url)
    # What a killed process leaves: one job mid-embedding with its file stored, one whose file is gone,
    # one still queued.
    resumable = store.create("acme", "doc-a", "employee-handbook.md", blobs.put(HANDBOOK), {})
    store.transition(resumable.id, JobState.EMBEDDING, attempts=1)
    lost = store.create("acme", "doc-b", "lost.txt", "0" * 64, {})
    store.transition(lost.id, JobState.PARSING, attempts=1)
    queued = store.create("acme", "doc-c", "support-faq.html", blobs.put(FAQ), {})
    store.close()

    with serve(tmp_path / "data", embedder, onnx_cache, llm) as client:
        runner = client.app.state.services.runner
        done = {j.id: j for j in runner.wait([resumable.id, lost.id, queued.id], 60)}
        a = key(client, "acme")
        assert done[resumable.id].state == "indexed" and done[resumable.id].attempts == 2
        assert done[queued.id].state == "indexed"
        assert done[lost.id].state == "failed" and done[lost.id].reason == "interrupted"
        assert "original file is missing" in client.get(f"/v1/jobs/{lost.id}", headers=a).json()["error"]
        assert client.get("/v1/documents/doc-a", headers=a).json()["status"] == "indexed"


def test_a_job_past_its_timeout_fails_and_never_stays_running(
    tmp_path: Path, embedder, onnx_cache, llm
) -> None:
    with serve(
        tmp_path / "data", embedder, onnx_cache, llm, api={"job_timeout_s": 0.0001, "heartbeat_s": 0.05}
    ) as client:
        a = key(client, "acme")
        big = (SAMPLE_DOCS / "porter-h2-manual.pdf").read_bytes()
        job = upload(client, a, ("manual.pdf", big), wait=True).json()["documents"][0]["job"]
        # Either it finished inside one heartbeat or the watchdog failed it: never left running.
        assert job["state"] in ("indexed", "failed")
        if job["state"] == "failed":
            assert job["reason"] == "timeout" and "RAG_API__JOB_TIMEOUT_S" in job["error"]


@pytest.mark.shared_data
def test_every_bad_input_is_a_4xx_or_a_failed_job_never_a_5xx(client) -> None:
    from conftest import shared

    a = key(client, "acme")
    folder = shared("bad-inputs")
    seen = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith("book-"):
            continue  # 1,225 pages: parsed in the slow CLI test
        r = upload(client, a, (path.name, path.read_bytes()))
        assert r.status_code < 500, (path.name, r.text)
        if r.status_code >= 400:
            body = r.json()
            assert body["detail"] and body["status"] == r.status_code
            seen[path.name] = r.status_code
            continue
        (item,) = r.json()["documents"]
        job = item["job"]
        assert job["state"] in ("indexed", "failed"), (path.name, job)
        if job["state"] == "failed":
            assert job["reason"] and job["error"], (path.name, job)
        seen[path.name] = job["state"] if job["state"] == "indexed" else job["reason"]
    assert seen["password.pdf"] == "encrypted" and seen["empty.txt"] == "empty"
    assert seen["password_protected.xlsx"] == "encrypted"  # an .xlsx is accepted now; its password is not
    assert client.get("/healthz").status_code == 200 and client.get("/readyz").json()["status"] == "ok"
    listing = client.get("/v1/documents", params={"limit": 1000}, headers=a).json()
    assert listing["total"] >= len([v for v in seen.values() if v != 415])


def test_auth_can_be_switched_off_only_explicitly_and_it_is_logged(
    tmp_path: Path, embedder, onnx_cache, llm, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    with caplog.at_level(logging.WARNING, logger="api.app"):
        with serve(
            tmp_path / "data", embedder, onnx_cache, llm, api={"auth": False}, tenant="demo"
        ) as client:
            r = upload(client, {}, ("employee-handbook.md", HANDBOOK))
            assert r.status_code == 200
            assert client.get("/v1/documents").json()["items"][0]["tenant"] == "demo"
    assert "authentication is OFF" in caplog.text


def test_a_slow_request_ends_with_504(tmp_path: Path, embedder, onnx_cache, llm) -> None:
    with serve(tmp_path / "data", embedder, onnx_cache, llm) as client:
        a = key(client, "acme")
        job = upload(client, a, ("employee-handbook.md", HANDBOOK)).json()["documents"][0]["job"]
        client.app.state.services.runner.wait([job["id"]], 60)
        # Read per request: lowered once the upload is in, which a loaded machine can keep past 0.5 s.
        client.app.state.services.runtime.settings.api.request_timeout_s = 0.5
        llm.queue(Reply("late", delay_s=2.0))
        r = client.post("/v1/query", json={"question": LEAVE}, headers=a)
        assert r.status_code == 504 and "RAG_API__REQUEST_TIMEOUT_S" in r.json()["detail"]
        assert client.get("/healthz").status_code == 200
