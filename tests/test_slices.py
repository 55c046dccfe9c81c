"""Slice monitoring (rag.monitor.slices, rag.monitor.slice_report): the attributes a trace gets, a degraded
document type reported against the rest while healthy slices are not, the statistics against a hand
computation, and the surfaces: ``rag monitor slices``, ``GET /v1/monitor/slices``, ``rag_slice_breach``."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
from pathlib import Path

import pytest

from answering import answerer
from api_client import key as api_key
from api_client import serve
from conftest import SAMPLE_DOCS
from core.db import utcnow
from core.settings import MonitoringSettings, load_settings
from fakes import ScriptedLLM
from ingest.pipeline import Source
from llm_server import Reply
from rag.monitor.record import Recorder
from rag.monitor.slice_report import (
    BreachWatch,
    analyse,
    bh_adjust,
    mann_whitney,
    proportion_test,
    report_window,
)
from rag.monitor.slices import first, length_bucket, question_language
from rag.monitor.traces import Trace, TraceStore, new_id

TYPES = ("md", "docx", "html", "pdf")


def _trace(
    doc_type: str,
    *,
    refused: bool,
    confidence: float,
    team: str | None = None,
    at: dt.datetime | None = None,
    tenant: str = "acme",
    **signals: object,
) -> Trace:
    slices = {"doc_type": doc_type, "question_length": "medium"}
    if team:
        slices["doc.team"] = team
    return Trace(
        id=new_id(),
        kind="query",
        tenant=tenant,
        created_at=at or utcnow() - dt.timedelta(hours=1),
        refused=refused,
        signals={"confidence": confidence, "empty": False, "top1_dense": confidence, **signals},
        slices=slices,
    )


def _traffic(seed: int = 7, per_type: int = 60, small: int = 10, tenant: str = "acme") -> list[Trace]:
    """Healthy md, docx and html answers; pdf retrieving badly (low confidence, refused six times in ten);
    a handful of eml answers (too few for a verdict); teams spread over every type at random."""
    rng = random.Random(seed)
    out = []
    for doc_type in TYPES:
        bad = doc_type == "pdf"
        for _ in range(per_type):
            out.append(
                _trace(
                    doc_type,
                    refused=rng.random() < (0.6 if bad else 0.08),
                    confidence=rng.uniform(0.15, 0.45) if bad else rng.uniform(0.45, 0.9),
                    team=rng.choice(["hr", "robotics", "sales"]),
                    tenant=tenant,
                )
            )
    for _ in range(small):
        out.append(_trace("eml", refused=True, confidence=0.1, tenant=tenant))
    return out


def _slice(report: dict, key: str, value: str) -> dict:
    (row,) = [s for s in report["slices"] if (s["key"], s["value"]) == (key, value)]
    return row


# ---- a degraded slice is reported, a healthy one not -----------------------------------------------------


def test_a_document_type_retrieving_badly_is_reported_and_healthy_slices_are_not(db_url: str) -> None:
    store = TraceStore(db_url)
    store.write(_traffic())
    report = report_window(store, MonitoringSettings(), hours=24).to_dict()
    store.close()

    pdf = _slice(report, "doc_type", "pdf")
    assert pdf["verdict"] == "breach" and pdf["volume"] == 60
    for signal in ("confidence", "refusal_rate", "top1_dense"):
        check = pdf["signals"][signal]
        assert check["verdict"] == "breach", (signal, check)
        assert check["q"] < 0.01 and check["q"] >= check["p"]
    assert pdf["signals"]["refusal_rate"]["test"] == "z"
    assert (
        pdf["signals"]["confidence"]["test"] == "mann-whitney"
        and pdf["signals"]["confidence"]["effect"] < -0.3
    )
    # No answer was empty, none was rated: nothing to test, nothing to report.
    assert pdf["signals"]["empty_rate"]["verdict"] == "ok" and pdf["signals"]["empty_rate"]["p"] == 1.0
    assert pdf["signals"]["thumbs_up_rate"]["verdict"] == "insufficient"

    for doc_type in ("md", "docx", "html"):
        assert _slice(report, "doc_type", doc_type)["verdict"] == "ok", doc_type
    for team in ("hr", "robotics", "sales"):
        assert _slice(report, "doc.team", team)["verdict"] == "ok", team
    # Every trace is medium: there is no rest to compare with.
    assert _slice(report, "question_length", "medium")["verdict"] == "insufficient"

    eml = _slice(report, "doc_type", "eml")  # refused every time, but ten answers say little
    assert eml["volume"] == 10 and eml["verdict"] == "insufficient"
    assert {c["verdict"] for c in eml["signals"].values()} == {"insufficient"}
    assert eml["signals"]["refusal_rate"]["value"] == 1.0 and eml["signals"]["refusal_rate"]["p"] is None

    assert {(b["key"], b["value"]) for b in report["breaches"]} == {("doc_type", "pdf")}
    assert report["correction"] == "benjamini-hochberg" and report["traces"] == 250


def test_a_slice_doing_better_than_the_rest_is_not_a_breach() -> None:
    # Two document types only: each is the other's rest. The bad one is reported; the good one, which
    # differs just as significantly, is "better".
    rng = random.Random(3)
    traces = [
        _trace(t, refused=rng.random() < (0.7 if t == "pdf" else 0.05), confidence=0.5)
        for t in ("pdf", "md")
        for _ in range(50)
    ]
    report = analyse(traces, MonitoringSettings()).to_dict()
    assert _slice(report, "doc_type", "pdf")["signals"]["refusal_rate"]["verdict"] == "breach"
    md = _slice(report, "doc_type", "md")
    assert md["signals"]["refusal_rate"]["verdict"] == "better" and md["verdict"] == "ok"


def test_a_significant_but_small_difference_is_not_reported() -> None:
    # 20% against 12%, over thousands: significant, but under the least effect of 0.1.
    traces = [_trace("pdf", refused=i % 5 == 0, confidence=0.5) for i in range(2000)]
    traces += [_trace("md", refused=i % 25 < 3, confidence=0.5) for i in range(2000)]
    report = analyse(traces, MonitoringSettings()).to_dict()
    check = _slice(report, "doc_type", "pdf")["signals"]["refusal_rate"]
    assert check["q"] < 1e-6 and check["effect"] == pytest.approx(0.08) and check["verdict"] == "ok"
    report = analyse(traces, MonitoringSettings(slice_min_rate_diff=0.05)).to_dict()
    assert _slice(report, "doc_type", "pdf")["signals"]["refusal_rate"]["verdict"] == "breach"


# ---- the statistics against hand computations ------------------------------------------------------------


def test_two_proportion_z_test_matches_the_formula() -> None:
    # 30/50 against 10/50: pooled 0.4, z = 0.4 / sqrt(0.4 * 0.6 * (1/50 + 1/50)) = 4.0825
    z = 0.4 / math.sqrt(0.4 * 0.6 * (2 / 50))
    test, p = proportion_test(30, 50, 10, 50)
    assert test == "z" and p == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-9)
    assert p == pytest.approx(4.456e-5, rel=1e-3)


def test_fisher_exact_is_used_for_small_counts_and_matches_the_hypergeometric_sum() -> None:
    # 5 of 6 against 0 of 6: C(12,5) = 792 tables; those as unlikely as the observed one are 5 of 6 and
    # 0 of 6, each C(6,5) C(6,0) = 6 ways: p = 12/792.
    test, p = proportion_test(5, 6, 0, 6)
    assert test == "fisher" and p == pytest.approx(12 / 792)


def test_mann_whitney_exact_p_and_rank_biserial() -> None:
    # Every value of a below every value of b: U = 0 in one of C(7,3) = 35 orderings, two-sided 2/35.
    p, effect = mann_whitney([1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0])
    assert p == pytest.approx(2 / 35) and effect == -1.0
    assert mann_whitney([0.5] * 5, [0.5] * 5) == (1.0, 0.0)


def test_benjamini_hochberg_by_hand() -> None:
    # sorted 0.01, 0.03, 0.04, 0.5 (m = 4): p * m / rank = 0.04, 0.06, 0.0533, 0.5, then the running
    # minimum from the largest down.
    q = bh_adjust([0.01, 0.04, 0.03, 0.5])
    assert q == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])


def test_a_tiny_report_carries_the_hand_computed_p_and_q_values() -> None:
    """pdf refused 5 of 6, md 0 of 6, and team=hr (3 pdf, 3 md) against the 6 answers without a team.
    Fisher: pdf and md p = 12/792 each; hr 3 of 6 against 2 of 6, p = 1 (every table is as likely or
    less). BH over the three: q = 12/792 * 3/2 = 18/792 for pdf and md, 1 for hr."""
    pdf = [_trace("pdf", refused=i < 5, confidence=0.5, team="hr" if i < 3 else None) for i in range(6)]
    md = [_trace("md", refused=False, confidence=0.5, team="hr" if i < 3 else None) for i in range(6)]
    for t in pdf + md:  # refusals alone: no other signal to test
        t.signals, t.slices = {}, {k: v for k, v in t.slices.items() if k != "question_length"}
    settings = MonitoringSettings(slice_min_samples=5, slice_alpha=0.05)
    report = analyse(pdf + md, settings).to_dict()
    p, q = (
        {
            (s["key"], s["value"]): s["signals"]["refusal_rate"][name]
            for s in report["slices"]
            if s["signals"]["refusal_rate"]["p"] is not None
        }
        for name in ("p", "q")
    )
    assert p == pytest.approx(
        {("doc_type", "pdf"): 12 / 792, ("doc_type", "md"): 12 / 792, ("doc.team", "hr"): 1.0}
    )
    assert q == pytest.approx(
        {("doc_type", "pdf"): 18 / 792, ("doc_type", "md"): 18 / 792, ("doc.team", "hr"): 1.0}
    )
    assert [(b["key"], b["value"], b["signal"]) for b in report["breaches"]] == [
        ("doc_type", "pdf", "refusal_rate")
    ]
    # At the default false discovery rate of 0.01, 18/792 = 0.023 is not enough.
    assert analyse(pdf + md, MonitoringSettings(slice_min_samples=5)).breaches() == []


def test_thumbs_and_unsupported_shares_per_answer() -> None:
    rated = [
        ([{"rating": 1}], 1.0),
        ([{"rating": -1}], 0.0),
        ([{"rating": 5}], 1.0),
        ([{"rating": 2}], 0.0),
        ([{"rating": -1}, {"rating": 0}, {"rating": 1}], 1.0),  # the latest rating; 0 is a comment
    ]
    from rag.monitor.slice_report import _signal_values

    for feedback, up in rated:
        t = _trace("md", refused=False, confidence=0.5)
        t.feedback = feedback
        assert _signal_values(t)["thumbs_up_rate"] == up
    t = _trace(
        "md", refused=False, confidence=0.5, verdicts={"supported": 2, "unsupported": 1, "contradicted": 1}
    )
    assert _signal_values(t)["unsupported_share"] == 0.5 and _signal_values(t)["thumbs_up_rate"] is None


# ---- attributes -------------------------------------------------------------------------------------------


def test_question_language_and_length() -> None:
    assert question_language("How many days of paid annual leave do employees get?") == "en"
    assert question_language("Wie viele Urlaubstage bekommen die Mitarbeiter im Jahr?") == "de"
    assert question_language("Combien de jours de congés payés les employés ont-ils ?") == "fr"
    assert question_language("leave policy") == "unknown"  # too short to tell
    assert question_language("1234 5678 9012 ???") == "unknown"  # no letters
    for _ in range(3):  # seeded: the same every time
        assert question_language("Ciao, come stai oggi amico mio?") == question_language(
            "Ciao, come stai oggi amico mio?"
        )
    assert [length_bucket(q) for q in ("a b c d e", "a b c d e f", " ".join("w" * 15), "w " * 16)] == [
        "short",
        "medium",
        "medium",
        "long",
    ]


def test_the_top_hit_decides_and_one_without_the_key_gives_way() -> None:
    assert first(["pdf", "md", "md"]) == "pdf"
    assert first([None, "hr", "sales"]) == "hr"
    assert first(["", None]) is None and first([]) is None


def test_answers_and_searches_carry_their_slices(runtime, tmp_path: Path) -> None:
    """Real answers over a small knowledge base whose documents have a team: the trace written by the
    Recorder has the question's language and length, the retrieved documents' type and team, and the
    caller's keys that the settings name (and no others)."""
    runtime.ingestor.ingest(
        [
            Source.from_path(
                SAMPLE_DOCS / "employee-handbook.md",
                "employee-handbook.md",
                "default",
                metadata={"team": "hr"},
            ),
            Source.from_path(
                SAMPLE_DOCS / "incident-postmortem-2026-08.txt",
                "incident-postmortem-2026-08.txt",
                "default",
                metadata={"team": "robotics"},
            ),
        ]
    )
    llm = ScriptedLLM(default=Reply("Employees get 27 days of paid annual leave per year [1]."))
    ask = answerer(runtime, llm, tmp_path, {"on_unsupported": "flag"})
    store = TraceStore(f"sqlite:///{tmp_path / 'traces.sqlite'}")
    settings = MonitoringSettings(slice_doc_keys=["team", "region"], slice_caller_keys=["channel"])
    recorder = Recorder(store, runtime.embedder, settings)
    try:
        leave = ask.ask("How many days of paid annual leave do employees get?", tenant="default")
        lidar = ask.ask("Warum war das Flotten-Dashboard im August nicht erreichbar?", tenant="default")
        ids = [
            recorder.answer(leave, "default", metadata={"channel": "web", "user": "u1"}),
            recorder.answer(lidar, "default", metadata={}),
        ]
        search = runtime.retriever.search("Fleet dashboard outage: why?", tenant="default")
        ids.append(
            recorder.search(search, "Fleet dashboard outage: why?", "default", metadata={"channel": "slack"})
        )
        recorder.flush()
        leave_t, lidar_t, search_t = (store.get(i) for i in ids)
    finally:
        recorder.close()
        store.close()
    assert leave.hits[0].source == "employee-handbook.md"
    assert leave_t.slices == {
        "question_language": "en",
        "question_length": "medium",
        "doc_type": "md",
        "doc.team": "hr",
        "caller.channel": "web",
    }
    assert lidar.hits[0].source == "incident-postmortem-2026-08.txt"
    assert lidar_t.slices["question_language"] == "de" and lidar_t.slices["doc_type"] == "txt"
    assert lidar_t.slices["doc.team"] == "robotics" and "caller.channel" not in lidar_t.slices
    assert search_t.slices == {
        "question_language": "en",
        "question_length": "short",
        "doc_type": "txt",
        "doc.team": "robotics",
        "caller.channel": "slack",
    }


# ---- surfaces ---------------------------------------------------------------------------------------------


def test_api_route_per_tenant_and_the_breach_gauge(tmp_path: Path, embedder, onnx_cache, llm) -> None:
    with serve(tmp_path / "data", embedder, onnx_cache, llm) as client:
        store = client.app.state.services.runtime.traces
        store.write(_traffic(tenant="acme") + _traffic(seed=8, per_type=10, small=0, tenant="globex"))
        acme, globex = api_key(client, "acme"), api_key(client, "globex")

        report = client.get("/v1/monitor/slices", params={"hours": 24}, headers=acme).json()
        assert report["traces"] == 250
        assert {(b["key"], b["value"]) for b in report["breaches"]} == {("doc_type", "pdf")}
        assert _slice(report, "doc_type", "md")["verdict"] == "ok"
        # globex's 40 answers: no slice reaches 30 traces against a rest of 30.
        other = client.get("/v1/monitor/slices", headers=globex).json()
        assert other["traces"] == 40 and other["breaches"] == []
        assert client.get("/v1/monitor/slices", params={"tenant": "acme"}, headers=globex).status_code == 403
        bad = client.get("/v1/monitor/slices", params={"hours": "-1"}, headers=acme)
        assert bad.status_code == 422
        # An hour's window holds none of them (they are an hour old).
        assert client.get("/v1/monitor/slices", params={"hours": 0.5}, headers=acme).json()["traces"] == 0

        metrics = client.get("/metrics").text
        breach_lines = [x for x in metrics.splitlines() if x.startswith("rag_slice_breach{")]
        assert 'rag_slice_breach{key="doc_type",signal="refusal_rate",value="pdf"} 1.0' in breach_lines
        assert all('value="pdf"' in x for x in breach_lines) and len(breach_lines) == 3, breach_lines


def test_breach_gauges_are_computed_at_most_every_refresh_and_capped(tmp_path: Path) -> None:
    store = TraceStore(f"sqlite:///{tmp_path / 'traces.sqlite'}")
    now = [0.0]
    watch = BreachWatch(
        lambda: store, MonitoringSettings(slice_refresh_s=60, slice_max_series=2), clock=lambda: now[0]
    )
    assert watch.breaches() == []
    store.write(_traffic())
    assert watch.breaches() == []  # cached
    now[0] = 61.0
    found = watch.breaches()
    store.close()
    assert len(found) == 2 and {(k, v) for k, v, _ in found} == {("doc_type", "pdf")}


def test_cli_table_and_json(cli, tmp_path: Path) -> None:
    store = TraceStore(load_settings().traces_url)
    store.write(_traffic())
    store.close()
    out = json.loads(cli("monitor", "slices", "--json", code=3).stdout)
    assert {(b["key"], b["value"], b["signal"]) for b in out["breaches"]} >= {
        ("doc_type", "pdf", "refusal_rate")
    }
    assert _slice(out, "doc_type", "html")["verdict"] == "ok"
    only = json.loads(cli("monitor", "slices", "--json", "--breaches", code=3).stdout)
    assert [(s["key"], s["value"]) for s in only["slices"]] == [("doc_type", "pdf")]
    table = cli("monitor", "slices", "--hours", "24", code=3).stdout
    assert (
        "doc_type=pdf" in table and "breach" in table and "doc_type=md" in table and "insufficient" in table
    )
    assert "1 slice(s) in breach (3 signal(s)) over 250 traces" in table and "Traceback" not in table
    empty = cli("monitor", "slices", "--hours", "0.5").stdout
    assert "no slices in this window" in empty


def test_dashboard_shows_the_breached_slice(tmp_path: Path, embedder, onnx_cache, llm) -> None:
    import threading
    import time

    import uvicorn
    from test_dashboard import ARTIFACTS, browser_page

    from api.app import create_app
    from app.runtime import Runtime

    s = load_settings(
        data_dir=tmp_path / "data",
        tenant="demo",
        embedding={"cache_dir": onnx_cache},
        llm={"base_url": llm.base_url, "model": "scripted", "max_retries": 0},
        api={"auth": False},
    )
    rt = Runtime(s)
    rt.embedder = embedder  # type: ignore[misc]
    rt.traces.write(_traffic(tenant="demo"))
    server = uvicorn.Server(
        uvicorn.Config(create_app(runtime=rt), host="127.0.0.1", port=0, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        live = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
        with browser_page() as (page, problems, _):
            page.goto(f"{live}/ui")
            page.locator("#slices-note", has_text=re.compile(r"breach")).wait_for(timeout=30_000)
            page.locator("#status", has_text=re.compile(r"^updated")).wait_for(timeout=30_000)
            ARTIFACTS.mkdir(exist_ok=True)
            page.locator("#slices").screenshot(path=str(ARTIFACTS / "slices.png"))
            note = page.inner_text("#slices-note")
            rows = [r.split("\t") for r in page.inner_text("#slices").splitlines()]
            breached = page.locator("#slices tr.breach").all_inner_texts()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        rt.close()
    assert problems == []
    assert note.startswith("1 slice(s) in breach (3 signal(s)) over 250 traces")
    assert rows[0][:3] == ["slice", "traces", "verdict"]
    assert rows[1][:3] == ["doc_type=pdf", "60", "breach"] and "⚠" in rows[1][3]
    assert len(breached) == 1 and "doc_type=pdf" in breached[0]
    assert ["doc_type=md", "60", "ok"] == next(r[:3] for r in rows if r[0] == "doc_type=md")


def test_a_failed_trace_read_keeps_the_last_breaches_and_metrics_up() -> None:
    """A scrape while the trace store fails returns the breaches found before, not an exception."""
    calls = {"n": 0}

    def broken() -> TraceStore:
        calls["n"] += 1
        raise OSError("database is locked")

    now = [0.0]
    watch = BreachWatch(broken, MonitoringSettings(slice_refresh_s=10), clock=lambda: now[0])
    assert watch.breaches() == [] and calls["n"] == 1
    assert watch.breaches() == [] and calls["n"] == 1  # not retried on every scrape
    now[0] = 11.0
    assert watch.breaches() == [] and calls["n"] == 2
