"""SQuAD for the answer benchmarks: loading, the calibration/held-out split, indexing, scoring.

The split is by article: SQuAD 2.0 dev articles with an even index calibrate the refusal threshold
(bench/calibrate_refusal.py); everything else is held out for bench/answer_quality.py, including the
SQuAD 1.1 dev articles that SQuAD 2.0 reuses for calibration, which are excluded there.
"""

from __future__ import annotations

import collections
import json
import re
import string
import sys
import time
from pathlib import Path
from typing import Any

from common import SHARED

from app.runtime import Runtime
from ingest.pipeline import Source


def load(version: str) -> list[dict[str, Any]]:
    path = SHARED / "squad" / f"dev-v{version}.json"
    if not path.exists():
        sys.exit(f"SQuAD not found at {path}: the answer benchmarks read ../shared/data/squad")
    return json.loads(path.read_text())["data"]


def calibration_titles() -> set[str]:
    return {a["title"] for i, a in enumerate(load("2.0")) if i % 2 == 0}


def paragraph_name(title: str, index: int) -> str:
    return f"{title}/{index:03d}.txt"


def questions(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for a in articles:
        for pi, p in enumerate(a["paragraphs"]):
            for q in p["qas"]:
                out.append(
                    {
                        "id": q["id"],
                        "question": q["question"],
                        "answers": [x["text"] for x in q["answers"]],
                        "impossible": bool(q.get("is_impossible", False)),
                        "source": paragraph_name(a["title"], pi),
                    }
                )
    return out


def index_paragraphs(rt: Runtime, articles: list[dict[str, Any]], tenant: str = "default") -> None:
    """Every paragraph of the articles becomes one document (the others are the distractors)."""
    sources = [
        Source.from_bytes(p["context"].encode(), paragraph_name(a["title"], pi), tenant)
        for a in articles
        for pi, p in enumerate(a["paragraphs"])
    ]
    t = time.perf_counter()
    report = rt.ingestor.ingest(sources)
    if report.failed:
        sys.exit(f"{len(report.failed)} paragraphs failed to ingest: {report.failed[0]}")
    print(f"indexed {len(sources)} paragraphs ({report.chunks} chunks) in {time.perf_counter() - t:.0f} s")


# The official SQuAD scoring: lowercase, drop punctuation and articles, collapse whitespace.
def normalize(text: str) -> str:
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(prediction: str, golds: list[str]) -> float:
    return float(any(normalize(prediction) == normalize(g) for g in golds))


def f1(prediction: str, golds: list[str]) -> float:
    best = 0.0
    pred = normalize(prediction).split()
    for gold in golds:
        g = normalize(gold).split()
        common = collections.Counter(pred) & collections.Counter(g)
        same = sum(common.values())
        if same == 0:
            continue
        p, r = same / len(pred), same / len(g)
        best = max(best, 2 * p * r / (p + r))
    return best


def contains_answer(text: str, golds: list[str]) -> bool:
    t = normalize(text)
    return any(normalize(g) and normalize(g) in t for g in golds)


def data_dir(name: str) -> Path:
    from common import RESULTS

    return RESULTS / "scratch" / name


def cached_index(name: str, articles: list[dict[str, Any]]) -> Runtime:
    """A Runtime on an index of every paragraph of the articles, kept under data_dir(name) and reused by
    later runs while the articles are the same (indexing SQuAD's paragraphs takes minutes)."""
    import shutil

    from core.settings import load_settings

    where = data_dir(name)
    marker = where / "indexed.json"
    want = {
        "paragraphs": [paragraph_name(a["title"], pi) for a in articles for pi in range(len(a["paragraphs"]))]
    }
    if marker.exists() and json.loads(marker.read_text()) == want:
        print(f"reusing the index in {where}")
        return Runtime(load_settings(data_dir=where))
    shutil.rmtree(where, ignore_errors=True)
    rt = Runtime(load_settings(data_dir=where))
    index_paragraphs(rt, articles)
    marker.write_text(json.dumps(want))
    return rt


def v1_articles(split: str) -> list[dict[str, Any]]:
    """SQuAD 1.1 dev articles of one half: "calibration" (titles in calibration_titles()) or "held-out"
    (the rest, bench/answer_quality.py's rule)."""
    calibration = calibration_titles()
    keep = split == "calibration"
    return [a for a in load("1.1") if (a["title"] in calibration) == keep]
