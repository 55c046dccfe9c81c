"""What the guardrails cost: an answer's latency with the default guards against all of them off (a scripted
in-process LLM over sample_docs, so only our own work is timed), time to the first streamed text, the
ingest-time chunk guard per chunk (PII off / flag / mask, injection), and masking PII in a trace.

    python bench/guard_cost.py [--questions 40]

Prints a table and saves bench/results/guard_cost.json.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from common import ROOT, percentile, save  # noqa: E402

import fakes  # noqa: E402
from answering import answerer  # noqa: E402
from app.runtime import Runtime  # noqa: E402
from core.settings import GuardrailSettings, load_settings  # noqa: E402
from ingest.guard import ChunkGuard  # noqa: E402
from ingest.pipeline import Source  # noqa: E402
from llm_server import Reply  # noqa: E402
from rag.monitor.redact import masker  # noqa: E402

QUESTIONS = [
    "How many days of annual leave do employees get?",
    "What is the hotel cap in Lyon?",
    "Who approves travel over the limit?",
    "What caused the August incident?",
    "How long is the Porter warranty?",
    "What does firmware 4.1 change?",
    "Where is the Lisbon office?",
    "What is the price of the Porter H2?",
    "How do I report a security incident?",
    "What was decided in the September meeting?",
]
ANSWER = (
    "Employees get 27 days of annual leave a year [1]. Unused days can be carried over until March [1]. "
    "Ask Dana Whitfield in HR at dana.whitfield@example.com for the form [2]."
)
ALL_OFF = {"injection": False, "output_checks": False, "pii_in_traces": "off"}


def answer_latency(kb: Runtime, tmp: Path, guards: dict, n: int) -> dict[str, float]:
    llm = fakes.ScriptedLLM(default=Reply(stream=ANSWER.split(" "), usage=(600, 40)))
    a = answerer(kb, llm, tmp, answer={"on_unsupported": "flag"}, guardrails=guards)
    a.ask(QUESTIONS[0], tenant="default")  # warm: the detectors load on first use
    total, first, checks = [], [], []
    for i in range(n):
        q = QUESTIONS[i % len(QUESTIONS)]
        t = time.perf_counter()
        got_first = None
        for piece in a.stream(q, tenant="default"):
            if got_first is None and isinstance(piece, str) and piece:
                got_first = (time.perf_counter() - t) * 1000
            last = piece
        total.append((time.perf_counter() - t) * 1000)
        first.append(got_first or total[-1])
        checks.append(last.timings_ms.get("output_checks", 0.0))
    return {
        "p50_ms": round(percentile(total, 50), 1),
        "p95_ms": round(percentile(total, 95), 1),
        "first_text_p50_ms": round(percentile(first, 50), 1),
        "output_checks_p50_ms": round(percentile(checks, 50), 1),
    }


def chunk_guard(kb: Runtime, texts: list[str], **guards: object) -> float:
    """Milliseconds per chunk of the ingest-time guards (PII before embedding, injection after)."""
    guard = ChunkGuard(GuardrailSettings(**guards), kb.embedder)
    vectors = kb.embedder.embed_documents(texts)
    tenants = ["default"] * len(texts)
    guard.after_embedding(
        texts[:4], tenants[:4], vectors[:4], guard.before_embedding(texts[:4], tenants[:4])[1]
    )
    t = time.perf_counter()
    out, notes = guard.before_embedding(texts, tenants)
    guard.after_embedding(out, tenants, vectors, notes)
    return round((time.perf_counter() - t) * 1000 / len(texts), 2)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--questions", type=int, default=40)
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-guard-"))
    kb = Runtime(load_settings(data_dir=tmp / "data"))
    docs = sorted((ROOT / "sample_docs").iterdir())
    kb.ingestor.ingest([Source.from_path(d, d.name, "default") for d in docs])
    texts = [c["text"] for d in kb.registry.list() for c in kb.store.chunks("default", d.id)][:128]

    result: dict = {"answer": {}, "ingest_ms_per_chunk": {}, "trace": {}}
    for name, guards in (("all guards off", ALL_OFF), ("default guards", {})):
        result["answer"][name] = answer_latency(kb, tmp, guards, args.questions)
    for name, guards in (
        ("injection only (default)", {}),
        ("injection + PII flag", {"pii_at_ingest": "flag"}),
        ("injection + PII mask", {"pii_at_ingest": "mask"}),
        ("all off", {"injection": False}),
    ):
        result["ingest_ms_per_chunk"][name] = chunk_guard(kb, texts, **guards)

    trace_texts = {"question": QUESTIONS[0], "answer": ANSWER, "sources": "\n\n".join(texts[:5])}
    times = []
    for _ in range(11):  # the first loads the detector
        t = time.perf_counter()
        mask = masker(GuardrailSettings(), "default")
        assert mask is not None
        mask.mask(trace_texts)
        times.append((time.perf_counter() - t) * 1000)
    times = times[1:]
    chars = sum(len(v) for v in trace_texts.values())
    result["trace"] = {"chars": chars, "mask_p50_ms": round(percentile(times, 50), 1)}
    kb.close()

    head = f"{'answer (scripted LLM, sample_docs)':40s} {'p50 ms':>8s} {'p95 ms':>8s}"
    print(f"{head} {'first text':>11s} {'checks':>7s}")
    for name, r in result["answer"].items():
        print(
            f"{name:40s} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['first_text_p50_ms']:11.1f} "
            f"{r['output_checks_p50_ms']:7.1f}"
        )
    print("ingest-time guards, ms per chunk (excluding embedding):")
    for name, ms in result["ingest_ms_per_chunk"].items():
        print(f"  {name:38s} {ms:8.2f}")
    print(f"PII masking of a trace ({chars} characters of content): {result['trace']['mask_p50_ms']} ms p50")
    save("guard_cost", result)


if __name__ == "__main__":
    main()
