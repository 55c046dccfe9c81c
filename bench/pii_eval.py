"""PII detection on the labelled set (bench/pii_data.py): recall per entity type, precision overall, cost,
and whether any PII of the set survives in a trace written with content logging on. Not a test; prints
and saves bench/results/pii_eval.json.

    python bench/pii_eval.py [--split test|dev] [--no-traces]

Scoring: a labelled span is found when detections of the same type cover at least ``COVER`` of its
characters (what masking needs: "+44 20 7946 0958" found as "20 7946 0958" leaves the number unreadable
only if most of it is gone). A detection is correct when it overlaps a labelled span of its type;
precision is over all detections. ``any_type`` figures ignore the type (a phone masked as
something else is still masked).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pii_data
from common import RESULTS, machine

from core.guard.pii import PiiSpan, detector
from core.settings import GuardrailSettings

COVER = 0.8
TARGETS = {
    "EMAIL_ADDRESS": 0.95,
    "PHONE_NUMBER": 0.95,
    "CREDIT_CARD": 0.95,
    "IBAN_CODE": 0.95,
    "PERSON": 0.85,
}


def _covered(span: pii_data.Span, found: list[PiiSpan], same_type: bool) -> float:
    hit = 0
    for f in found:
        if same_type and f.kind != span.kind:
            continue
        lo, hi = max(span.start, f.start), min(span.end, f.end)
        if hi > lo:
            hit += hi - lo
    return hit / (span.end - span.start)


def score(docs: list[pii_data.Doc], found: dict[str, list[PiiSpan]]) -> dict[str, Any]:
    recall: dict[str, list[int]] = {}
    recall_any: dict[str, list[int]] = {}
    tp = fp = tp_any = 0
    misses: list[dict[str, str]] = []
    false_pos: list[dict[str, str]] = []
    for d in docs:
        spans = found[d.id]
        for s in d.spans:
            ok = _covered(s, spans, True) >= COVER
            recall.setdefault(s.kind, []).append(ok)
            recall_any.setdefault(s.kind, []).append(_covered(s, spans, False) >= COVER)
            if not ok:
                misses.append({"kind": s.kind, "text": s.text, "doc": d.id})
        for f in spans:
            overlaps = [s for s in d.spans if s.start < f.end and f.start < s.end]
            if any(s.kind == f.kind for s in overlaps):
                tp += 1
            else:
                fp += 1
                false_pos.append({"kind": f.kind, "text": d.text[f.start : f.end], "doc": d.id})
            tp_any += bool(overlaps)
    n = tp + fp
    return {
        "recall": {k: round(sum(v) / len(v), 4) for k, v in sorted(recall.items())},
        "recall_any_type": {k: round(sum(v) / len(v), 4) for k, v in sorted(recall_any.items())},
        "spans": {k: len(v) for k, v in sorted(recall.items())},
        "precision": round(tp / n, 4) if n else 1.0,
        "precision_any_type": round(tp_any / n, 4) if n else 1.0,
        "detections": n,
        "misses": misses,
        "false_positives": false_pos,
    }


class Baseline:
    """Presidio as it comes (default registry) on the same spaCy model, entity list and threshold."""

    def __init__(self, settings: GuardrailSettings) -> None:
        import os

        os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""  # the default e-mail check: no fetch
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        nlp = NlpEngineProvider(
            nlp_configuration={
                "nlp_engine_name": "spacy",
                "models": [{"lang_code": "en", "model_name": "en_core_web_sm"}],
            }
        ).create_engine()
        self.engine = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
        self.settings = settings

    def find(self, text: str) -> list[PiiSpan]:
        from core.guard.pii import _resolve

        found = self.engine.analyze(
            text=text,
            entities=self.settings.pii_entities,
            language="en",
            score_threshold=self.settings.pii_min_score,
        )
        return _resolve([PiiSpan(r.entity_type, r.start, r.end, r.score) for r in found])


def cost(det: Any, docs: list[pii_data.Doc]) -> dict[str, float]:
    """Warm cost: a trace-sized text (question, answer and six retrieved chunks: ~7,000 characters) and
    1,000-character chunks."""
    text = "\n\n".join(d.text for d in docs)
    chunks = [text[i : i + 1000] for i in range(0, len(text) - 1000, 1000)][:60]
    trace_texts = ["\n\n".join(d.text for d in docs[i : i + 10]) for i in range(0, len(docs) - 10, 10)][:12]
    det.find(chunks[0])
    per_chunk = []
    for c in chunks:
        t = time.perf_counter()
        det.find(c)
        per_chunk.append((time.perf_counter() - t) * 1000)
    per_trace = []
    for c in trace_texts:
        t = time.perf_counter()
        det.find(c)
        per_trace.append((time.perf_counter() - t) * 1000)
    big_s = {}
    for size in (100_000, 500_000):  # linear in length: the second should take ~5x the first
        big = (text * (size // len(text) + 1))[:size]
        t = time.perf_counter()
        det.find(big)
        big_s[size] = round(time.perf_counter() - t, 2)
    return {
        "ms_per_1000_chars_median": round(statistics.median(per_chunk), 2),
        "trace_chars_mean": round(statistics.mean(len(c) for c in trace_texts)),
        "ms_per_trace_median": round(statistics.median(per_trace), 2),
        "ms_per_trace_max": round(max(per_trace), 2),
        "s_for_100k_chars": big_s[100_000],
        "s_for_500k_chars": big_s[500_000],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="test", choices=("dev", "test"))
    ap.add_argument("--no-traces", action="store_true")
    ap.add_argument(
        "--baseline", action="store_true", help="Presidio's default recognisers (same model and threshold)"
    )
    ap.add_argument("--show", type=int, default=0, help="print this many misses and false positives")
    args = ap.parse_args()
    settings = GuardrailSettings()
    docs = pii_data.split(pii_data.build(), args.split)
    t = time.perf_counter()
    det = Baseline(settings) if args.baseline else detector(settings.pii_entities, settings.pii_min_score)
    det.find("warm up: Jane Doe")
    load_s = time.perf_counter() - t
    found = {d.id: det.find(d.text) for d in docs}
    result = score(docs, found)
    out: dict[str, Any] = {
        "split": args.split,
        "docs": len(docs),
        "entities": settings.pii_entities,
        "min_score": settings.pii_min_score,
        "load_s": round(load_s, 2),
        **{k: v for k, v in result.items() if k not in ("misses", "false_positives")},
        "missed_by_type": dict(Counter(m["kind"] for m in result["misses"])),
        "false_positives_by_type": dict(Counter(f["kind"] for f in result["false_positives"])),
        "targets_met": {k: result["recall"].get(k, 0) >= v for k, v in TARGETS.items()}
        | {"precision": result["precision"] >= 0.9},
        "cost": None if args.baseline else cost(det, docs),
    }
    if not args.no_traces and not args.baseline:
        out["traces"] = traces(docs)
    out["machine"] = machine()
    print(json.dumps({k: v for k, v in out.items() if k != "machine"}, indent=1))
    for m in result["misses"][: args.show]:
        print("MISS", m)
    for f in result["false_positives"][: args.show]:
        print("FP  ", f)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"pii_eval_{args.split}{'_baseline' if args.baseline else ''}.json"
    path.write_text(
        json.dumps(out | {"misses": result["misses"], "fps": result["false_positives"]}, indent=1)
    )
    print("saved", path)


def traces(docs: list[pii_data.Doc]) -> dict[str, Any]:
    """Each document as a trace (question: its first lines; answer: the rest; retrieved text, evidence and
    prompt: all of it) written with content logging on through the real Recorder and TraceStore on a
    temporary SQLite file; then every labelled PII string is looked for in the stored rows."""
    import sqlite3

    import numpy as np

    from core.settings import MonitoringSettings
    from rag.answer_record import Answer, Step
    from rag.llm.base import Usage
    from rag.monitor.record import Recorder
    from rag.monitor.traces import TraceStore, new_id
    from rag.refuse import Confidence

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "traces.sqlite"
        store = TraceStore(f"sqlite:///{db}")
        # No embedder: the query vector is given and there are no cited sources to score.
        rec = Recorder(store, None, MonitoringSettings(log_content=True), guardrails=GuardrailSettings())  # type: ignore[arg-type]
        t = time.perf_counter()
        for d in docs:
            lines = d.text.splitlines()
            question, rest = "\n".join(lines[:3]), "\n".join(lines[3:])
            a = Answer(
                trace_id=new_id(),
                conversation_id=new_id(),
                question=question,
                standalone_question=question,
                text=rest,
                refusal=None,
                confidence=Confidence(0.9, None, None),
                hits=[],
                context=None,
                citations=None,
                prompt=None,
                model={"name": "bench"},
                usage=Usage(0, 0),
                cost=None,
                timings_ms={"total": 1.0},
                steps=[
                    Step("retrieve", 1.0, question, [f"{d.id}-0"]),
                    Step("evidence", 1.0, None, [{"chunk_id": f"{d.id}-0", "text": d.text}]),
                ],
                query_vector=np.zeros(384, dtype=np.float32),
                messages=[
                    {"role": "system", "content": "Answer from the sources."},
                    {
                        "role": "user",
                        "content": f'Sources:\n<source id="1">\n{d.text}\n</source>\n\n{question}',
                    },
                ],
            )
            rec.answer(a, "bench")
        rec.flush()
        elapsed = time.perf_counter() - t
        rec.close()
        with sqlite3.connect(db) as con:
            rows = {r[0]: r for r in con.execute("SELECT id, * FROM traces")}
            text = "\n".join(_decoded(v) for r in rows.values() for v in r)
        store.close()
    secrets = [(d.id, s.kind, s.text) for d in docs for s in d.spans]
    left = [{"doc": i, "kind": k, "text": x} for i, k, x in secrets if x in text]
    return {
        "traces": len(rows),
        "pii_strings": len(secrets),
        "pii_strings_left": len(left),
        "left": left,
        "ms_per_trace_written": round(elapsed * 1000 / len(docs), 1),
    }


def _decoded(value: Any) -> str:
    if isinstance(value, str):
        try:
            return json.dumps(json.loads(value), ensure_ascii=False)
        except ValueError:
            return value
    return str(value)


if __name__ == "__main__":
    main()
