"""Shared by the benchmarks: SciFact loading, result files, percentiles. Not a test; prints and saves."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("RAG_BENCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
RESULTS = ROOT / "bench" / "results"

from core import offline  # noqa: E402

offline.set_env()


def scifact_dir() -> Path:
    path = SHARED / "scifact"
    if not (path / "corpus.jsonl").exists():
        sys.exit(f"SciFact not found at {path}: the benchmarks read ../shared/data/scifact (BEIR format)")
    return path


def load_corpus() -> list[dict[str, str]]:
    return [json.loads(line) for line in (scifact_dir() / "corpus.jsonl").read_text().splitlines() if line]


def load_queries() -> dict[str, str]:
    lines = (scifact_dir() / "queries.jsonl").read_text().splitlines()
    return {(q := json.loads(line))["_id"]: q["text"] for line in lines if line}


def load_qrels(split: str) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for n, line in enumerate((scifact_dir() / "qrels" / f"{split}.tsv").read_text().splitlines()):
        if n == 0 and line.startswith("query-id"):
            continue
        qid, did, score = line.split("\t")
        qrels.setdefault(qid, {})[did] = int(score)
    return qrels


def machine() -> dict[str, Any]:
    import torch

    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "torch": torch.__version__,
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def save(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **result}, indent=2))
    print(f"saved {path.relative_to(ROOT)}")
    return path
