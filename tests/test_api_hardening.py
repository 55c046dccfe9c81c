"""The smaller HTTP defects of issue 12, each probed as an attacker would: made-up methods against the
metrics, a conversation id as an existence oracle, bad keys without limit, pages without security
headers, Swagger UI from a CDN, internals in error messages."""

from __future__ import annotations

import datetime as dt
import random
import re
import string
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.ratelimit import RateLimiter
from api_client import key, serve, upload
from conftest import SAMPLE_DOCS
from core.db import utcnow
from core.errors import ConfigError, InvalidRequest
from llm_server import Reply

HANDBOOK = (SAMPLE_DOCS / "employee-handbook.md").read_bytes()
LEAVE = "How many days of paid annual leave do employees get?"
EXTERNAL = re.compile(r"(?:https?:)?//[a-z0-9.-]+", re.IGNORECASE)


def _label_sets(client: TestClient) -> set[str]:
    text = client.get("/metrics").text
    return {
        line.rsplit(" ", 1)[0]
        for line in text.splitlines()
        if line.startswith(("rag_http_requests_total{", "rag_http_request_duration_seconds_count{"))
    }


def test_made_up_methods_and_paths_add_a_bounded_number_of_label_sets(client) -> None:
    rng = random.Random(12)
    client.get("/metrics")  # the scrape itself is one label set, before and after
    before = _label_sets(client)
    for i in range(200):
        method = "".join(rng.choices(string.ascii_uppercase, k=8))
        path = rng.choice(["/v1/documents", "/healthz", f"/nowhere/{i}", f"/v1/documents/{i}/chunks"])
        assert client.request(method, path).status_code < 500
    for i in range(50):  # unmatched paths with real methods: one route label, whatever the path
        client.get(f"/x/{i}/{'y' * i}")
    added = _label_sets(client) - before
    # other x {/v1/documents, /healthz, unmatched, chunks} x its status, GET x unmatched x 404, latencies.
    assert len(added) <= 12, sorted(added)
    assert not any(m in line for line in added for m in ('method="A', 'method="Z'))


def test_another_tenants_conversation_id_is_like_an_unknown_id(client, llm) -> None:
    a, b = key(client, "acme"), key(client, "globex")
    upload(client, a, ("employee-handbook.md", HANDBOOK))
    upload(client, b, ("employee-handbook.md", HANDBOOK))
    mine = client.post("/v1/query", json={"question": LEAVE}, headers=a).json()
    cid = mine["conversation_id"]
    secret_question = "What does the secret acme merger plan say?"
    assert client.post(
        "/v1/query", json={"question": secret_question, "conversation_id": cid}, headers=a
    ).status_code == (200)

    unknown = client.post(
        "/v1/query", json={"question": LEAVE, "conversation_id": "never-used-by-anyone"}, headers=b
    )
    n_before = len(llm.requests)
    theirs = client.post("/v1/query", json={"question": LEAVE, "conversation_id": cid}, headers=b)
    assert theirs.status_code == unknown.status_code == 200
    assert theirs.json()["conversation_id"] == cid
    # Like any new conversation: no history, so no rewrite of the question with A's turns.
    assert [s["name"] for s in theirs.json()["steps"]] == [s["name"] for s in unknown.json()["steps"]]
    assert "rewrite" not in [s["name"] for s in theirs.json()["steps"]]
    sent = " ".join(m["content"] for r in llm.requests[n_before:] for m in r.messages)
    assert "merger" not in sent
    # B's follow-up sees B's turn only; A's conversation under the same id keeps A's turns only.
    follow = client.post("/v1/query", json={"question": "And then?", "conversation_id": cid}, headers=b)
    assert follow.status_code == 200
    conversations = client.app.state.services.runtime.conversations
    assert [t.question for t in conversations.history("globex", cid)] == [LEAVE, "And then?"]
    assert [t.question for t in conversations.history("acme", cid)] == [LEAVE, secret_question]
    # ...and feedback on A's trace stays A's.
    r = client.post("/v1/feedback", json={"trace_id": mine["trace_id"], "rating": 1}, headers=b)
    assert r.status_code == 404


def test_bad_keys_are_rate_limited_per_address_before_any_key_is_checked(
    tmp_path: Path, embedder, onnx_cache, llm
) -> None:
    # A slow refill (one failure per 30 s), so a slow machine cannot earn a token back mid-test.
    api = {"auth_fail_per_minute": 2, "auth_fail_burst": 10}
    with serve(tmp_path / "data", embedder, onnx_cache, llm, api=api) as client:
        _bad_keys_are_rate_limited(client)


def _bad_keys_are_rate_limited(client: TestClient) -> None:
    keys = client.app.state.services.keys
    valid = key(client, "acme")
    checked: list[str] = []
    verify = keys.verify

    def spy(secret: str):  # noqa: ANN202 - the real lookup, counted
        checked.append(secret)
        return verify(secret)

    keys.verify = spy
    statuses = [
        client.get("/v1/documents", headers={"Authorization": f"Bearer rk_nope_{i}"}).status_code
        for i in range(30)
    ]
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}, statuses
    assert len(checked) == 10  # past its failures, an address's keys are not even looked up
    r = client.get("/v1/documents", headers={"X-API-Key": "garbage"})
    assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 30
    assert "RAG_API__AUTH_FAIL_PER_MINUTE=2" in r.json()["detail"]
    assert client.get("/v1/documents").status_code == 429  # no key at all is a failure too
    # A right guess from that address is refused like a wrong one: guessing on gains nothing.
    assert client.get("/v1/documents", headers=valid).status_code == 429
    assert len(checked) == 10
    # Another address is not affected: its valid key works, its bad keys get their own 401s (the
    # scope's client address, as uvicorn would set it).
    other = TestClient(client.app, client=("127.0.0.2", 40000), raise_server_exceptions=False)
    assert other.get("/v1/documents", headers=valid).status_code == 200
    assert other.get("/v1/documents", headers={"X-API-Key": "garbage"}).status_code == 401
    text = client.get("/metrics").text
    assert "\nrag_auth_failures_total 11.0\n" in text and "\nrag_rate_limited_total 23.0\n" in text


def test_every_response_has_security_headers(client) -> None:
    a = key(client, "acme")
    responses = {
        "/ui": client.get("/ui"),
        "/chat": client.get("/chat"),
        "/docs": client.get("/docs"),
        "/ui/static/ui.js": client.get("/ui/static/ui.js"),
        "/v1/documents": client.get("/v1/documents", headers=a),
        "401": client.get("/v1/documents"),
        "404": client.get("/nowhere"),
        "405": client.request("FOO", "/v1/documents"),
        "/healthz": client.get("/healthz"),
    }
    for name, r in responses.items():
        assert r.headers["x-content-type-options"] == "nosniff", name
        assert r.headers["x-frame-options"] == "DENY", name
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], name
    for page in ("/ui", "/chat", "/docs"):
        csp = responses[page].headers["content-security-policy"]
        assert "default-src 'self'" in csp and "object-src 'none'" in csp and "base-uri 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert responses["/v1/documents"].headers["content-security-policy"].startswith("default-src 'none'")
    assert responses["/v1/documents"].headers["cache-control"] == "no-store"


@pytest.mark.parametrize("page", ["ui.html", "chat.html", "docs.html"])
def test_pages_have_no_inline_script_or_style(page: str) -> None:
    from api.routes.ui import STATIC

    html = (STATIC / page).read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script is a file
    assert "<style" not in html and not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    js = (STATIC / "ui.js").read_text()
    assert "localStorage.setItem" not in js and "sessionStorage.setItem" in js


def test_docs_are_served_offline(client) -> None:
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert not EXTERNAL.search(r.text), EXTERNAL.findall(r.text)
    assets = re.findall(r'(?:src|href)="(/[^"]+)"', r.text)
    assert {"/ui/static/vendor/swagger-ui/swagger-ui-bundle.js", "/ui/static/docs.js"} <= set(assets)
    for asset in assets:
        got = client.get(asset)
        assert got.status_code == 200 and len(got.content) > 100, asset
    assert "SwaggerUIBundle" in client.get("/ui/static/vendor/swagger-ui/swagger-ui-bundle.js").text
    assert "/openapi.json" in client.get("/ui/static/docs.js").text
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/redoc").status_code == 404


def test_errors_name_no_exception_class_address_or_path(client, monkeypatch) -> None:
    a = key(client, "acme")
    retriever = client.app.state.services.runtime.retriever

    def fail(error: Exception):
        def search(*args, **kwargs):
            raise error

        return search

    cases = [
        (RuntimeError("boom in <Store object at 0x7f3a2b1c9d80>"), 500),
        (ConfigError("/srv/secret/models/tokenizer.json is missing"), 500),
        (InvalidRequest("bad filter: ValueError: <Filter object at 0x7f3a2b1c9d80>"), 422),
    ]
    for error, status in cases:
        monkeypatch.setattr(retriever, "search", fail(error))
        r = client.post("/v1/search", json={"query": "leave"}, headers=a)
        assert r.status_code == status, r.text
        assert r.headers["x-content-type-options"] == "nosniff"
        for leak in ("0x7f", "Error:", "RuntimeError", "/srv/secret", "object at"):
            assert leak not in r.text, (leak, r.text)
    assert "bad filter" in r.json()["detail"]


def test_a_streamed_answers_error_event_names_no_internals(client, monkeypatch) -> None:
    """Once a stream has started, a failure travels as an event: scrubbed like any problem detail."""
    from api_client import sse_events
    from core.errors import LLMError

    a = key(client, "acme")
    answerer = client.app.state.services.runtime.answerer

    def stream(*args, **kwargs):
        yield "Employees "
        raise LLMError("upstream <Connection object at 0x7f3a2b1c9d80> said ValueError: nope")

    monkeypatch.setattr(answerer, "stream", stream)
    with client.stream("POST", "/v1/query", json={"question": LEAVE, "stream": True}, headers=a) as r:
        events = sse_events(r.read().decode())
    (name, data) = events[-1]
    assert name == "error" and data["status"] == 502, events
    assert "upstream" in data["detail"] and "nope" in data["detail"]
    for leak in ("0x7f", "ValueError", "object at"):
        assert leak not in data["detail"], data


def test_validation_errors_echo_a_bounded_amount_of_the_request(client) -> None:
    a = key(client, "acme")
    huge = {"question": "q", "x" * 100_000: 1, **{f"extra{i}": i for i in range(500)}}
    r = client.post("/v1/query", json=huge, headers=a)
    assert r.status_code == 422
    assert len(r.content) < 10_000, len(r.content)
    body = r.json()
    assert len(body["errors"]) <= 20 and "more" in body["detail"]


def test_the_failure_limiter_keeps_a_bounded_number_of_addresses() -> None:
    limiter = RateLimiter(per_minute=20, burst=2, max_buckets=100)
    for i in range(10_000):  # a caller varying its address (IPv6 gives plenty)
        limiter.take(f"2001:db8::{i:x}")
    assert len(limiter._buckets) <= 100
    assert [limiter.take("203.0.113.9") > 0 for _ in range(3)] == [False, False, True]


HUGE = "9" * 5000  # past Python's 4,300-digit limit for int(str)


@pytest.mark.parametrize(
    "metadata",
    [
        '{"a":' * 1500 + "1" + "}" * 1500,
        '{"a": ' + "[" * 1500 + "]" * 1500 + "}",
        '{"n": ' + HUGE + "}",
        '{"n": ' + "9" * 4000 + "}",
        '{"n": 18446744073709551616}',
    ],
    ids=["deep-object", "deep-list", "5000-digits", "4000-digits", "2**64"],
)
def test_upload_metadata_the_index_cannot_hold_is_a_422(client, metadata: str) -> None:
    """These answered 500, or were accepted and then failed the job 'internal' (or came back a float)."""
    a = key(client, "acme")
    r = upload(client, a, ("note.txt", b"A note."), metadata=metadata)
    assert r.status_code == 422, r.text
    assert r.json()["title"] == "invalid metadata"
    assert client.get("/v1/documents", headers=a).json()["total"] == 0


@pytest.mark.parametrize("route", ["/v1/search", "/v1/query"])
@pytest.mark.parametrize("number", ["18446744073709551616", "9" * 4000, HUGE])
def test_a_metadata_filter_beyond_64_bits_is_refused(client, route: str, number: str) -> None:
    """They answered 500 (an overflow in the store's filter); past 4,300 digits the body is not JSON
    Python reads (400), below it the filter is invalid (422)."""
    a = key(client, "acme")
    field = "query" if route == "/v1/search" else "question"
    body = f'{{"{field}": "warranty", "filters": {{"metadata": {{"n": {number}}}}}}}'
    r = client.post(route, content=body, headers={**a, "Content-Type": "application/json"})
    assert r.status_code == (400 if number == HUGE else 422), r.text


def test_an_offset_beyond_any_page_is_a_422_not_a_database_overflow(client) -> None:
    a = key(client, "acme")
    for offset in ("1e30", str(2**63), str(10**30)):
        r = client.get("/v1/documents", params={"offset": offset}, headers=a)
        assert r.status_code == 422 and "offset" in r.json()["detail"], r.text


def test_a_stream_the_client_leaves_is_traced(tmp_path: Path, onnx_cache, llm, sharing_runtime) -> None:
    """The model was called and the retrieval done: a client that goes away mid-answer leaves an error
    trace saying so, not nothing."""
    import time

    import httpx

    from api.app import create_app
    from api_client import live_server
    from core.settings import load_settings

    settings = load_settings(
        data_dir=tmp_path / "data",
        embedding={"cache_dir": onnx_cache},
        llm={"base_url": llm.base_url, "model": "scripted", "max_retries": 0},
    )
    app = create_app(runtime=sharing_runtime(settings))
    with live_server(app) as base:
        a = {"Authorization": f"Bearer {app.state.services.keys.create('acme')[0]}"}
        files = [("files", ("employee-handbook.md", (SAMPLE_DOCS / "employee-handbook.md").read_bytes()))]
        assert httpx.post(f"{base}/v1/documents?wait=true", files=files, headers=a, timeout=120).is_success
        question = "How many days of leave do employees get?"
        for path, body in (
            ("/v1/query", {"question": question, "stream": True}),
            ("/v1/chat/completions", {"messages": [{"role": "user", "content": question}], "stream": True}),
        ):
            # Checked sentences are released one at a time: the first arrives while the model writes on.
            pieces = ["Employees get 27 days [1]. ", "Unused days ", "carry over [1]."]
            llm.queue(Reply(stream=pieces, pause_s=1.0))
            with httpx.stream("POST", base + path, json=body, headers=a, timeout=30) as r:
                assert r.status_code == 200
                assert any("27 days" in line for line in r.iter_lines())  # the first sentence, then away
        runtime = app.state.services.runtime
        deadline = time.monotonic() + 20
        while True:
            runtime.recorder.flush()
            recent = runtime.traces.window(utcnow() - dt.timedelta(minutes=5))
            left = [t for t in recent if t.status == "error" and "client went away" in (t.error or "")]
            if len(left) == 2 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert len(left) == 2 and all(t.tenant == "acme" for t in left), [(t.status, t.error) for t in recent]
