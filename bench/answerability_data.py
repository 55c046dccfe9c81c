"""SQuAD 2.0 questions through retrieval, kept on disk, for training and evaluating the answerability model.

``records(half)`` retrieves every question of one half of SQuAD 2.0 dev (``even``: the calibration
articles, ``odd``: the held-out ones) against an index of that half's paragraphs, and keeps the hits as
JSON lines under squad.data_dir("answerability"); ``MemoEncoder`` keeps every sentence and query vector
it computes in the same place. Reruns then re-compute features (rag.answerability) in seconds, without
re-embedding anything. Not a test; prints.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import squad
from common import ROOT

from core.types import Hit

HALVES = {"even": 0, "odd": 1}
CODE = ("rag/answerability.py", "rag/evidence.py", "rag/refuse.py", "rag/question.py", "rag/facts.py")


class MemoEncoder:
    """An encoder that remembers every vector it computed, saved to (and loaded from) one .npz file."""

    def __init__(self, inner: Any, path: Path) -> None:  # noqa: ANN401 - any TextEncoder
        self.inner = inner
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        self.added = 0
        if path.exists():
            data = np.load(path, allow_pickle=False)
            keys = json.loads(str(data["keys"]))
            self.vectors = dict(zip(keys, data["vectors"], strict=True))

    def embed_query(self, text: str) -> np.ndarray:
        key = "\x00q" + text
        if key not in self.vectors:
            self.vectors[key] = self.inner.embed_query(text)
            self.added += 1
        return self.vectors[key]

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            self.vectors.update(zip(missing, self.inner.embed_documents(missing), strict=True))
            self.added += len(missing)
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.vstack([self.vectors[t] for t in texts])

    def save(self) -> None:
        if not self.added:
            return
        keys = list(self.vectors)
        np.savez(
            self.path, keys=np.array(json.dumps(keys)), vectors=np.vstack([self.vectors[k] for k in keys])
        )
        self.added = 0


def articles(half: str) -> list[dict[str, Any]]:
    return [a for i, a in enumerate(squad.load("2.0")) if i % 2 == HALVES[half]]


def work_dir() -> Path:
    where = squad.data_dir("answerability")
    where.mkdir(parents=True, exist_ok=True)
    return where


def records(half: str, top_k: int = 8) -> list[dict[str, Any]]:
    """Every question of the half with its top_k hybrid hits (retrieved once, then read from disk)."""
    path = work_dir() / f"{half}-top{top_k}.jsonl"
    if path.exists():
        return [json.loads(line) for line in path.read_text().splitlines() if line]
    arts = articles(half)
    rt = squad.cached_index(f"answerability-{half}", arts)
    rt.embedder.warm_up()
    qs = squad.questions(arts)
    out = []
    t = time.perf_counter()
    tmp = path.with_suffix(".partial")
    with tmp.open("w") as f:
        for i, q in enumerate(qs, 1):
            hits = rt.retriever.search(q["question"], tenant="default", top_k=top_k).hits
            row = {**q, "hits": [h.to_dict() for h in hits]}
            f.write(json.dumps(row) + "\n")
            out.append(row)
            if i % 500 == 0:
                print(f"  {half}: {i}/{len(qs)} retrieved ({time.perf_counter() - t:.0f} s)")
    tmp.rename(path)
    rt.close()
    return out


def hits_of(record: dict[str, Any]) -> list[Hit]:
    return [Hit(**h) for h in record["hits"]]


def encoder(half: str) -> MemoEncoder:
    """The runtime's embedder behind a memo kept on disk (the model loads only when a vector is missing)."""
    from app.runtime import Runtime
    from core.settings import load_settings

    rt = Runtime(load_settings(data_dir=squad.data_dir(f"answerability-{half}")))
    return MemoEncoder(_Lazy(rt), work_dir() / f"{half}-vectors.npz")


class _Lazy:
    def __init__(self, rt: Any) -> None:  # noqa: ANN401
        self.rt = rt

    def embed_query(self, text: str) -> np.ndarray:
        return self.rt.embedder.embed_query(text)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.rt.embedder.embed_documents(texts)


def feature_rows(half: str) -> tuple[list[dict[str, float]], np.ndarray, list[str]]:
    """The features (rag.answerability) of every question of the half, their labels (1 = answerable) and
    their articles (for grouped cross-validation: questions on one paragraph are alike)."""
    import hashlib

    from rag.answerability import features
    from rag.refuse import retrieval_confidence

    # Kept per version of the code that computes them: reruns of training and evaluation share them.
    code = "".join((ROOT / f).read_text() for f in CODE if (ROOT / f).exists())
    cached = work_dir() / f"{half}-features-{hashlib.sha256(code.encode()).hexdigest()[:12]}.json"
    if cached.exists():
        data = json.loads(cached.read_text())
        return data["rows"], np.array(data["labels"]), data["groups"]

    try:
        from rag.evidence import select_evidence
    except ImportError:  # before h-evidence is merged: features fall back to the confidence sentence
        select_evidence = None
    enc = encoder(half)
    rows, labels, groups = [], [], []
    t = time.perf_counter()
    for i, r in enumerate(records(half), 1):
        hits = hits_of(r)
        confidence = retrieval_confidence(r["question"], hits, enc)
        evidence = select_evidence(r["question"], hits, enc) if select_evidence else []
        values, _ = features(r["question"], hits, confidence, evidence)
        rows.append(values)
        labels.append(0 if r["impossible"] else 1)
        groups.append(r["source"].split("/")[0])
        if i % 1000 == 0:
            print(f"  {half}: features of {i} questions ({time.perf_counter() - t:.0f} s)")
            enc.save()
    enc.save()
    cached.write_text(json.dumps({"rows": rows, "labels": labels, "groups": groups}))
    return rows, np.array(labels), groups


if __name__ == "__main__":
    for h in HALVES:
        print(h, len(records(h)), "questions")
