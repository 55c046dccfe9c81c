"""The ONNX int8 embedder against the sentence-transformers reference: the equivalence gate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from conftest import MODEL_NAME, SAMPLE_DOCS, SHARED_DATA
from core.encode.onnx import OnnxEmbedder, export_int8, export_key
from core.errors import IndexMismatch
from core.store.base import IndexMeta
from core.store.edge import EdgeStore


def _real_sentences(n: int = 400) -> list[str]:
    """Sentences of sample_docs, plus SciFact abstracts when ../shared is beside the checkout."""
    texts = []
    for p in sorted(SAMPLE_DOCS.iterdir()):
        if p.suffix in {".md", ".txt", ".html", ".eml", ".csv"}:
            raw = re.sub(r"<[^>]+>", " ", p.read_text(errors="ignore"))
            texts += [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n\n", raw) if len(s.split()) >= 3]
    corpus = SHARED_DATA / "scifact" / "corpus.jsonl"
    if corpus.exists():
        for line in corpus.read_text().splitlines()[: n - len(texts)]:
            d = json.loads(line)
            texts.append(f"{d['title']}. {d['text']}")
    return texts[:n]


# 150: every sample_docs sentence and the first SciFact abstracts, in the default run; 400 (most of them
# long abstracts, most of the time) in the slow run.
@pytest.mark.parametrize("n", [150, pytest.param(400, marks=pytest.mark.slow)])
def test_equivalence_gate(embedder, torch_embedder, n: int) -> None:
    texts = _real_sentences(n)
    assert len(texts) == n
    ref = torch_embedder.embed_documents(texts)
    got = embedder.embed_documents(texts)
    cos = (ref * got).sum(axis=1)
    assert cos.mean() >= 0.99, cos.mean()
    assert cos.min() >= 0.98, cos.min()

    def neighbours(x: np.ndarray) -> np.ndarray:
        sim = x @ x.T
        np.fill_diagonal(sim, -np.inf)
        return np.argsort(-sim, axis=1)[:, :5]

    overlap = np.mean(
        [len(set(a) & set(b)) / 5 for a, b in zip(neighbours(ref), neighbours(got), strict=True)]
    )
    assert overlap >= 0.9, overlap


def test_export_is_cached_and_keyed(model_path: Path, onnx_cache: Path, tmp_path: Path) -> None:
    first = export_int8(model_path, onnx_cache)
    stamp = first.stat().st_mtime_ns
    assert export_int8(model_path, onnx_cache) == first and first.stat().st_mtime_ns == stamp
    assert export_key(model_path) in first.parent.name
    assert not list(first.parent.glob(".work-*")), "no scratch left behind"


def test_mixing_backends_in_one_index_is_refused(tmp_path: Path) -> None:
    EdgeStore.open(tmp_path, IndexMeta(MODEL_NAME, 384, "torch", 0.9, 0.6, 60)).close()
    with pytest.raises(IndexMismatch, match="RAG_EMBEDDING__BACKEND=torch"):
        EdgeStore.open(tmp_path, IndexMeta(MODEL_NAME, 384, "onnx-int8", 0.9, 0.6, 60))


def test_threads_setting_reaches_the_session(model_path: Path, onnx_cache: Path) -> None:
    e = OnnxEmbedder(model_path, MODEL_NAME, cache_dir=onnx_cache, threads=1)
    e.warm_up()
    assert e._session.get_session_options().intra_op_num_threads == 1
