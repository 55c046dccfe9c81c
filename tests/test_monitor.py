"""Monitoring: traces for every path, content logging, quality signals, drift, metrics, OpenTelemetry."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from api_client import DEFAULT_REPLY, key, serve, upload
from conftest import SAMPLE_DOCS
from core.db import utcnow
from core.settings import MonitoringSettings
from rag.monitor.drift import detect
from rag.monitor.traces import Trace, TraceStore

HANDBOOK = (SAMPLE_DOCS / "employee-handbook.md").read_bytes()
LEAVE = "How many days of paid annual leave do employees get?"
SECRET_QUESTION = "How many days of annual leave does the CFO Zanzibar Quixote get?"


def _traces(client) -> TraceStore:
    rt = client.app.state.services.runtime
    rt.recorder.flush()
    return rt.traces


def test_every_path_leaves_a_trace_with_its_steps_and_scores(
    tmp_path: Path, embedder, onnx_cache, llm
) -> None:
    with serve(tmp_path / "data", embedder, onnx_cache, llm) as client:
        a = key(client, "acme")
        job = upload(client, a, ("employee-handbook.md", HANDBOOK)).json()["documents"][0]["job"]
        answer = client.post(
            "/v1/query",
            json={"question": LEAVE, "metadata": {"team": "hr", "ab": 1}},
            headers={**a, "X-Request-ID": "req-7"},
        ).json()
        search = client.post(
            "/v1/search", json={"query": "annual leave", "metadata": {"ui": True}}, headers=a
        ).json()
        refused = client.post(
            "/v1/query", json={"question": "What is the capital of Peru?"}, headers=a
        ).json()
        llm.queue(*[__import__("llm_server").Reply(status=500, error="boom")])
        assert client.post("/v1/query", json={"question": LEAVE}, headers=a).status_code == 502
        store = _traces(client)

        q = store.get(answer["trace_id"], tenant="acme")
        assert (
            q.kind == "query"
            and q.status == "ok"
            and q.request_id == "req-7"
            and q.metadata == {"team": "hr", "ab": 1}
        )
        # One store request per hybrid search (both candidate lists, fused here): timed as "fusion".
        for step in (
            "embed_query",
            "fusion",
            "prompt_build",
            "llm_first_token",
            "llm_total",
            "total",
        ):
            assert step in q.timings, step
        assert q.timings["llm_total"] >= q.timings["llm_first_token"] and q.latency_ms == q.timings["total"]
        top = q.retrieval[0]
        assert top["source"] == "employee-handbook.md" and top["rank"] == 1
        assert top["dense_rank"] is not None and top["sparse_rank"] is not None and top["dense_score"] > 0
        assert (q.prompt_name, q.prompt_version, q.prompt_variant, q.model) == (
            "answer",
            1,
            "default",
            "scripted",
        )
        assert (q.tokens_in, q.tokens_out, q.refused) == (700, 12, False)
        assert q.citations[0]["origin"] == "model" and q.uncited == 0
        s = q.signals
        assert 0 < s["top1_dense"] <= 1 and s["confidence"] >= 0.42 and s["empty"] is False
        assert 0 <= s["overlap_at_5"] <= 1 and s["citation_coverage"] == 1.0 and 0 < s["groundedness"] <= 1
        assert q.query_vector is None  # vectors are read only for drift
        with_vectors = store.window(utcnow() - dt.timedelta(hours=1), with_vectors=True, kind="query")
        assert {x.id: x for x in with_vectors}[q.id].query_vector.shape == (384,)

        t = store.get(search["trace_id"])
        assert t.kind == "search" and t.metadata["ui"] is True and t.retrieval and "fusion" in t.timings

        r = store.get(refused["trace_id"])
        assert (
            r.refused
            and r.refusal_reason == "low_confidence"
            and r.signals["low_confidence"]
            and r.tokens_in == 0
        )

        i = store.get(job["id"])
        assert (
            i.kind == "ingest" and i.status == "ok" and {"parsing", "chunking", "embedding"} <= set(i.timings)
        )
        assert i.metadata["source"] == "employee-handbook.md" and i.metadata["chunks"] > 0

        errors = [x for x in store.window(utcnow() - dt.timedelta(hours=1)) if x.status == "error"]
        assert len(errors) == 1 and "boom" in errors[0].error and errors[0].kind == "query"


@pytest.mark.parametrize("log_content", [False, True])
def test_question_text_is_stored_only_when_content_logging_is_on(
    tmp_path: Path, embedder, onnx_cache, llm, log_content: bool
) -> None:
    # PII masking of trace content off: this is about content logging itself (test_guard_pii masks).
    with serve(
        tmp_path / "data",
        embedder,
        onnx_cache,
        llm,
        monitoring={"log_content": log_content},
        guardrails={"pii_in_traces": "off"},
    ) as client:
        a = key(client, "acme")
        upload(client, a, ("employee-handbook.md", HANDBOOK))
        answer = client.post("/v1/query", json={"question": SECRET_QUESTION}, headers=a).json()
        client.post("/v1/search", json={"query": SECRET_QUESTION}, headers=a)
        t = _traces(client).get(answer["trace_id"])
        listed = _traces(client).window(utcnow() - dt.timedelta(hours=1), kind="query")
        detail = client.get(f"/v1/monitor/traces/{answer['trace_id']}", headers=a).json()
        db = (tmp_path / "data" / "traces.sqlite").read_bytes() + b"".join(
            p.read_bytes() for p in (tmp_path / "data").glob("traces.sqlite-*")
        )
    assert (b"Zanzibar Quixote" in db) is log_content
    assert (t.question == SECRET_QUESTION) is log_content
    assert (t.answer == DEFAULT_REPLY.text) is log_content
    assert all(("input" in step) is log_content for step in t.steps)
    # The messages exactly as the LLM received them (after defusing), with the question and the sources.
    (sent,) = llm.requests
    if log_content:
        assert t.prompt_messages == sent.messages and detail["prompt_messages"] == sent.messages
        assert (
            SECRET_QUESTION in t.prompt_messages[1]["content"]
            and "<source id=" in sent.messages[1]["content"]
        )
    else:
        assert t.prompt_messages is None and detail["prompt_messages"] is None
        assert b"<source id=" not in db
    assert [x.prompt_messages for x in listed] == [None]  # windows and lists leave the prompts in the db


def test_feedback_reaches_the_trace_and_the_summary(tmp_path: Path, embedder, onnx_cache, llm) -> None:
    with serve(tmp_path / "data", embedder, onnx_cache, llm) as client:
        a, b = key(client, "acme"), key(client, "globex")
        upload(client, a, ("employee-handbook.md", HANDBOOK))
        first = client.post("/v1/query", json={"question": LEAVE}, headers=a).json()
        client.post("/v1/query", json={"question": LEAVE}, headers=a)
        client.post(
            "/v1/feedback", json={"trace_id": first["trace_id"], "rating": 4, "comment": "good"}, headers=a
        )
        _traces(client)
        assert _traces(client).get(first["trace_id"]).feedback[0]["rating"] == 4
        mine = client.get("/v1/monitor/summary", headers=a).json()
        assert mine["queries"] == 2 and mine["feedback_rate"] == 0.5 and mine["rating_mean"] == 4
        assert client.get("/v1/monitor/summary", headers=b).json()["requests"] == 0  # tenants see their own
        assert client.get("/v1/monitor/summary?tenant=acme", headers=b).status_code == 403
        admin = key(client, "ops", admin=True)
        assert client.get("/v1/monitor/summary?tenant=acme", headers=admin).json()["queries"] == 2
        series = client.get("/v1/monitor/timeseries?hours=1&bucket_minutes=5", headers=a).json()
        assert sum(p["queries"] for p in series["points"]) == 2 and series["points"][0]["llm_total_p95"] > 0
        assert series["histograms"]["top1_dense"]["n"] >= 2
        prompts = client.get("/v1/monitor/prompts", headers=a).json()["prompts"]
        assert (
            prompts[0]["prompt"] == "answer@1"
            and prompts[0]["answers"] == 2
            and prompts[0]["rating_mean"] == 4
        )
        traces = client.get("/v1/monitor/traces?limit=10&kind=query", headers=a).json()["items"]
        assert len(traces) == 2 and traces[0]["retrieval"]
        assert client.get(f"/v1/monitor/traces/{first['trace_id']}", headers=b).status_code == 404


# ---- drift ------------------------------------------------------------------------------------------

TOPICS = {
    "hr": (
        [
            "How many days of {x} do employees get?",
            "Who approves {x} requests?",
            "What is the policy on {x}?",
            "Can I carry over unused {x}?",
        ],
        [
            "annual leave",
            "sick leave",
            "parental leave",
            "remote work",
            "overtime",
            "travel expenses",
            "home office",
            "training budget",
        ],
    ),
    "other": (
        [
            "What is the best recipe for {x}?",
            "Who won the last {x} championship?",
            "How do I repair a {x}?",
            "Where can I buy {x} cheaply?",
        ],
        [
            "sourdough bread",
            "football",
            "bicycle tyre",
            "garden tools",
            "ice hockey",
            "lasagne",
            "guitar strings",
            "chess",
        ],
    ),
}


def _queries(topic: str, n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    templates, fills = TOPICS[topic]
    return [rng.choice(templates).format(x=rng.choice(fills)) for _ in range(n)]


def _window(questions: list[str], embedder, kb_scores: dict[str, float], start: dt.datetime) -> list[Trace]:
    vectors = embedder.embed_documents(questions)
    return [
        Trace(
            id=f"t{start.timestamp()}-{i}",
            kind="search",
            tenant="t",
            created_at=start + dt.timedelta(minutes=i),
            signals={"top1_dense": kb_scores[q]},
            query_vector=v,
        )
        for i, (q, v) in enumerate(zip(questions, vectors, strict=True))
    ]


@pytest.fixture(scope="module")
def handbook_scores(embedder):
    """Top-1 dense cosine of each drift question against the handbook's sentences (a real score)."""
    from rag.sentences import split_sentences

    sentences = split_sentences(HANDBOOK.decode(), min_chars=12)
    doc = embedder.embed_documents(sentences)
    questions = sorted(
        {
            q
            for topic in TOPICS
            for q in _queries(topic, 400, 1) + _queries(topic, 400, 2) + _queries(topic, 400, 3)
        }
    )
    sims = embedder.embed_documents(questions) @ doc.T
    return dict(zip(questions, sims.max(axis=1).tolist(), strict=True))


def test_drift_fires_on_a_shifted_query_set_and_stays_quiet_on_the_same_distribution(
    embedder, handbook_scores
) -> None:
    settings = MonitoringSettings()
    t0 = utcnow() - dt.timedelta(days=2)
    baseline = _window(_queries("hr", 150, 1), embedder, handbook_scores, t0)
    same = _window(_queries("hr", 150, 2), embedder, handbook_scores, t0 + dt.timedelta(days=1))
    shifted = _window(
        _queries("hr", 50, 3) + _queries("other", 100, 3),
        embedder,
        handbook_scores,
        t0 + dt.timedelta(days=1),
    )

    quiet = detect(baseline, same, settings)
    assert quiet.verdict == "no drift", quiet.to_dict()
    loud = detect(baseline, shifted, settings)
    assert loud.verdict == "drift"
    breached = {c.signal for c in loud.checks if c.breach}
    assert {"query_centroid_distance", "query_mmd_p_value", "top1_dense_psi", "top1_dense_ks"} <= breached, (
        loud.to_dict()
    )
    assert detect(baseline[:10], same[:10], settings).verdict == "insufficient data"


def test_refusal_rate_change_is_a_drift_signal() -> None:
    settings = MonitoringSettings(min_samples=20)
    now = utcnow()

    def queries(refused: float, n: int = 100) -> list[Trace]:
        return [
            Trace(id=f"q{refused}-{i}", kind="query", tenant="t", created_at=now, refused=i < refused * n)
            for i in range(n)
        ]

    report = detect(queries(0.05), queries(0.30), settings)
    (check,) = [c for c in report.checks if c.signal == "refusal_rate_change"]
    assert check.breach and check.value == pytest.approx(0.25)
    assert not [c for c in detect(queries(0.05), queries(0.07), settings).checks if c.breach]


def test_drift_endpoint_sets_gauges_and_logs_a_breach(
    tmp_path: Path, embedder, onnx_cache, llm, handbook_scores, caplog
) -> None:
    import logging

    with serve(tmp_path / "data", embedder, onnx_cache, llm, monitoring={"min_samples": 20}) as client:
        store = client.app.state.services.runtime.traces
        now = utcnow()
        baseline = _window(_queries("hr", 60, 1), embedder, handbook_scores, now - dt.timedelta(days=3))
        recent = _window(_queries("other", 60, 3), embedder, handbook_scores, now - dt.timedelta(hours=2))
        for t in baseline + recent:
            t.tenant = "acme"
        store.write(baseline + recent)
        a = key(client, "acme")
        with caplog.at_level(logging.WARNING, logger="api.routes.monitor"):
            report = client.get("/v1/monitor/drift", headers=a).json()
        assert report["verdict"] == "drift" and report["baseline"]["n"] == 60 and report["recent"]["n"] == 60
        assert "drift: query_centroid_distance" in caplog.text
        metrics = client.get("/metrics").text
        assert 'rag_drift_breach{signal="query_centroid_distance"} 1.0' in metrics


def test_a_trace_store_made_before_the_prompt_column_gets_it(tmp_path: Path) -> None:
    path = tmp_path / "traces.sqlite"
    TraceStore(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as db:  # the table as older versions created it, before migrations
        db.execute("ALTER TABLE traces DROP COLUMN prompt_messages")
        db.execute("DROP TABLE alembic_version_traces")
    store = TraceStore(f"sqlite:///{path}")
    sent = [
        {"role": "system", "content": "Answer from the sources."},
        {"role": "user", "content": "‹|im_end|>"},
    ]
    store.write([Trace(id="a" * 32, kind="query", tenant="t", created_at=utcnow(), prompt_messages=sent)])
    assert store.get("a" * 32).prompt_messages == sent
    store.close()


def test_old_traces_are_purged(db_url: str) -> None:
    store = TraceStore(db_url)
    old = Trace(id="old", kind="search", tenant="t", created_at=utcnow() - dt.timedelta(days=40))
    new = Trace(id="new", kind="search", tenant="t", created_at=utcnow())
    store.write([old, new])
    assert store.purge(utcnow() - dt.timedelta(days=30)) == 1
    assert store.get("old") is None and store.get("new") is not None
    store.close()


def test_opentelemetry_spans_use_the_genai_names() -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from rag.monitor.otel import emit

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    t = Trace(
        id="abc",
        kind="query",
        tenant="acme",
        created_at=utcnow(),
        latency_ms=900.0,
        timings={
            "embed_query": 5.0,
            "fusion": 3.0,
            "prompt_build": 2.0,
            "llm_first_token": 300.0,
            "llm_total": 800.0,
            "total": 900.0,
        },
        conversation_id="conv-1",
        model="scripted",
        prompt_name="answer",
        prompt_version=1,
        tokens_in=700,
        tokens_out=12,
        signals={"confidence": 0.8},
    )
    emit(t, provider.get_tracer("test"))
    spans = {s.name: s for s in exporter.get_finished_spans()}
    root = spans["rag.query"]
    assert (
        root.attributes["gen_ai.usage.input_tokens"] == 700
        and root.attributes["gen_ai.conversation.id"] == "conv-1"
    )
    assert root.attributes["rag.prompt.id"] == "answer@1" and root.attributes["rag.confidence"] == 0.8
    llm = spans["chat scripted"]
    assert llm.parent.span_id == root.context.span_id and llm.attributes["gen_ai.usage.output_tokens"] == 12
    assert (llm.end_time - llm.start_time) == pytest.approx(800e6, rel=1e-6)
    assert {"rag.embed_query", "rag.fusion", "rag.prompt_build"} <= set(spans)
    assert np.isclose((root.end_time - root.start_time) / 1e6, 900.0)


def test_otel_setting_emits_spans_from_real_traces(tmp_path: Path, embedder, onnx_cache, llm) -> None:
    from opentelemetry import trace as otel
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    otel.set_tracer_provider(provider)  # once per process: the global provider
    with serve(tmp_path / "data", embedder, onnx_cache, llm, monitoring={"otel": True}) as client:
        a = key(client, "acme")
        upload(client, a, ("employee-handbook.md", HANDBOOK))
        client.post("/v1/query", json={"question": LEAVE}, headers=a)
        _traces(client)
    names = [s.name for s in exporter.get_finished_spans()]
    assert "rag.query" in names and "rag.ingest" in names and "chat scripted" in names


def test_a_full_trace_queue_counts_each_dropped_trace_in_the_metric(
    tmp_path: Path, embedder, onnx_cache, llm
) -> None:
    import threading

    with serve(tmp_path / "data", embedder, onnx_cache, llm, monitoring={"queue_size": 1}) as client:
        rt = client.app.state.services.runtime
        writing, release = threading.Event(), threading.Event()
        rt.trace_listeners.append(lambda _t: (writing.set(), release.wait(10)))
        try:
            rt.recorder.error("query", "t", "first", 1.0)  # taken by the writer, which then waits
            assert writing.wait(10)
            rt.recorder.error("query", "t", "queued", 1.0)  # fills the queue of one
            for _ in range(3):
                rt.recorder.error("query", "t", "dropped", 1.0)
            assert rt.recorder.writer.dropped == 3
            assert "rag_traces_dropped_total 3.0" in client.get("/metrics").text
        finally:
            release.set()
