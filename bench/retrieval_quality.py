"""Retrieval quality on SciFact (BEIR): nDCG@10, recall@100 and MRR@10 for BM25, dense, and hybrid
with RRF, DBSF and weighted RRF, using the product's own chunker (with its contextual header, as
configured), the configured embedding backend (ONNX int8 by default) and the Qdrant Edge store.

Parameters are tuned on qrels/train.tsv only; the test split (300 queries) is evaluated once per
configuration. Usage: .venv/bin/python bench/retrieval_quality.py [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import RESULTS, load_corpus, load_qrels, load_queries, save  # noqa: I001

from core.encode.dense import Embedder, packaged_model_path
from core.encode.sparse import Bm25Encoder
from core.settings import Settings
from core.store.base import IndexMeta
from core.store.edge import EdgeStore
from core.types import Element, Point, SearchFilter, SearchQuery
from ingest.chunk import Chunker, TokenCounter, encoded_text

DEPTH = 100  # documents per query for recall@100
METRICS = ["ndcg@10", "recall@100", "mrr@10"]


def chunk_corpus(
    corpus: list[dict[str, str]], chunker: Chunker, header: bool = False
) -> tuple[list[str], list[str]]:
    """The text the encoders see of each chunk (ingest.chunk.encoded_text, the product's rule: the
    contextual header when ``header``), and each chunk's document. Documents are named by their SciFact
    id, which has no letters: the header is the title, as a heading of the document."""
    texts, doc_of = [], []
    for d in corpus:
        elements = [Element(d["title"], "Title")] if d["title"] else []
        elements.append(Element(d["text"] or d["title"], "NarrativeText", depth=1))
        for c in chunker.chunk(elements):
            texts.append(encoded_text(c, f"{d['_id']}.txt", header))
            doc_of.append(d["_id"])
    return texts, doc_of


def cached_embeddings(embedder: Embedder, texts: list[str], tag: str, queries: bool = False) -> np.ndarray:
    """Vectors of ``texts`` (queries one at a time, as a search embeds them), cached by their hash."""
    backend = "" if embedder.backend == "torch" else embedder.backend  # torch: the older cache names
    key = hashlib.sha256(("\x00".join(texts) + embedder.model_name + backend).encode()).hexdigest()[:16]
    path = RESULTS / "cache" / f"{tag}-{key}.npy"
    if path.exists():
        return np.load(path)
    t = time.perf_counter()
    if queries:
        vecs = np.stack([embedder.embed_query(q) for q in texts])
    else:
        vecs = embedder.embed_documents(texts)
    print(f"  embedded {len(texts)} {tag} texts in {time.perf_counter() - t:.0f} s", flush=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vecs)
    return vecs


def product_embedder(settings: Settings) -> Embedder:
    """The configured embedding backend (the packaged model, ONNX int8 by default), as the product builds
    it; its ONNX export cached beside the results."""
    from app.runtime import Runtime

    s = settings.model_copy(
        update={
            "embedding": settings.embedding.model_copy(update={"cache_dir": RESULTS / "cache" / "models"})
        }
    )
    return Runtime(s).embedder


def build_index(
    where: Path, texts: list[str], doc_of: list[str], dense: np.ndarray, k1: float, b: float
) -> tuple[EdgeStore, Bm25Encoder]:
    counter = Bm25Encoder()
    lengths = [sum(counter.term_counts(t).values()) for t in texts]
    enc = Bm25Encoder(k1=k1, b=b, avg_len=float(np.mean(lengths)))  # a corpus statistic, not tuned
    store = EdgeStore.open(where, IndexMeta("bench", dense.shape[1], "torch", k1, b, enc.avg_len))
    points = [
        Point(
            f"00000000-0000-0000-0000-{i:012d}",
            dense[i].tolist(),
            enc.embed_document(t),
            {"tenant": "bench", "doc_id": doc_of[i], "source": doc_of[i]},
        )
        for i, t in enumerate(texts)
    ]
    for i in range(0, len(points), 2000):
        store.upsert(points[i : i + 2000])
    return store, enc


def run_queries(
    store: EdgeStore,
    enc: Bm25Encoder,
    qvecs: dict[str, np.ndarray],
    queries: dict[str, str],
    qids: list[str],
    **kw: Any,
) -> dict[str, dict[str, float]]:
    run: dict[str, dict[str, float]] = {}
    for qid in qids:
        q = SearchQuery(
            dense=qvecs[qid].tolist(),
            sparse=enc.embed_query(queries[qid]),
            filter=SearchFilter("bench"),
            limit=2 * DEPTH,
            **({"prefetch_limit": 2 * DEPTH} | kw),
        )
        docs: dict[str, float] = {}
        for h in store.search(q):  # best chunk stands for its document
            if h.doc_id not in docs:
                docs[h.doc_id] = h.score
            if len(docs) == DEPTH:
                break
        # ranx breaks ties by id; keep our order by nudging equal scores apart
        run[qid] = {d: s - i * 1e-9 for i, (d, s) in enumerate(docs.items())} or {"none": 0.0}
    return run


def evaluate(qrels: dict[str, dict[str, int]], run: dict[str, dict[str, float]]) -> dict[str, float]:
    from ranx import Qrels, Run
    from ranx import evaluate as ranx_evaluate

    scores = ranx_evaluate(Qrels(qrels), Run(run), METRICS)
    return {m: round(float(v), 4) for m, v in scores.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller tuning grid")
    args = ap.parse_args()

    settings = Settings()
    corpus, queries = load_corpus(), load_queries()
    train, test = load_qrels("train"), load_qrels("test")
    print(f"SciFact: {len(corpus)} documents, {len(train)} train and {len(test)} test queries", flush=True)

    chunker = Chunker(
        TokenCounter(packaged_model_path() / "tokenizer.json"),
        settings.chunking.size_tokens,
        settings.chunking.overlap_tokens,
    )
    texts, doc_of = chunk_corpus(corpus, chunker, settings.chunking.context_header)
    print(f"  {len(texts)} chunks ({len(texts) / len(corpus):.2f} per document)", flush=True)
    embedder = product_embedder(settings)
    dense = cached_embeddings(embedder, texts, "scifact-chunks")
    qids_all = sorted(set(train) | set(test))
    qmat = cached_embeddings(embedder, [queries[q] for q in qids_all], "scifact-queries", queries=True)
    qvecs = dict(zip(qids_all, qmat, strict=True))
    train_ids, test_ids = sorted(train), sorted(test)

    def score(store, enc, qids, qrels, **kw):  # noqa: ANN001, ANN202
        return evaluate({q: qrels[q] for q in qids}, run_queries(store, enc, qvecs, queries, qids, **kw))

    tmp = Path(tempfile.mkdtemp(prefix="bench-rq-"))
    results: dict[str, Any] = {"chunks": len(texts), "documents": len(corpus), "tuning": {}, "test": {}}

    # 1. BM25 parameters, tuned on train with sparse-only retrieval.
    grid = (
        [(1.2, 0.75), (0.9, 0.4)]
        if args.quick
        else list(itertools.product([0.9, 1.2, 1.5], [0.4, 0.6, 0.75]))
    )
    best_bm25, best = (settings.bm25.k1, settings.bm25.b), -1.0
    for i, (k1, b) in enumerate(grid):
        store, enc = build_index(tmp / f"bm25-{i}", texts, doc_of, dense, k1, b)
        s = score(store, enc, train_ids, train, mode="sparse")["ndcg@10"]
        results["tuning"][f"bm25 k1={k1} b={b}"] = s
        print(f"  train sparse k1={k1} b={b}: nDCG@10 {s}", flush=True)
        if s > best:
            best, best_bm25 = s, (k1, b)
        store.close()
    store, enc = build_index(tmp / "final", texts, doc_of, dense, *best_bm25)

    # 2. Fusion parameters, tuned on train.
    fusion_grid: list[dict[str, Any]] = [{"fusion": "rrf", "rrf_k": k} for k in (2, 10, 30, 60)]
    fusion_grid += [{"fusion": "dbsf"}]
    weights = [(1.0, 1.0), (1.5, 1.0), (1.0, 1.5), (2.0, 1.0), (1.0, 2.0), (3.0, 1.0)]
    fusion_grid += [{"fusion": "weighted", "rrf_k": k, "weights": w} for k in (2, 10) for w in weights]
    if args.quick:
        fusion_grid = fusion_grid[::3]
    best_by_fusion: dict[str, tuple[float, dict[str, Any]]] = {}
    for cfg in fusion_grid:
        s = score(store, enc, train_ids, train, mode="hybrid", **cfg)["ndcg@10"]
        results["tuning"][str(cfg)] = s
        print(f"  train hybrid {cfg}: nDCG@10 {s}", flush=True)
        if s > best_by_fusion.get(cfg["fusion"], (-1.0, {}))[0]:
            best_by_fusion[cfg["fusion"]] = (s, cfg)

    # 3. The test split, once per configuration.
    configs: dict[str, dict[str, Any]] = {
        "bm25": {"mode": "sparse"},
        "dense": {"mode": "dense"},
        f"hybrid, product defaults (fusion={settings.retrieval.fusion}, k={settings.retrieval.rrf_k})": {
            "mode": "hybrid",
            "fusion": settings.retrieval.fusion,
            "rrf_k": settings.retrieval.rrf_k,
            "weights": (settings.retrieval.dense_weight, settings.retrieval.sparse_weight),
            "prefetch_limit": settings.retrieval.prefetch_limit,
        },
        "hybrid rrf k=60 (the paper's k)": {"mode": "hybrid", "fusion": "rrf", "rrf_k": 60},
    }
    for name, (_, cfg) in best_by_fusion.items():
        configs[f"hybrid {name} (tuned: {cfg})"] = {"mode": "hybrid", **cfg}
    for name, cfg in configs.items():
        results["test"][name] = score(store, enc, test_ids, test, **cfg)
        print(f"TEST {name}: {results['test'][name]}", flush=True)
    results["bm25_tuned"] = {"k1": best_bm25[0], "b": best_bm25[1], "avg_len": round(enc.avg_len, 2)}

    t = time.perf_counter()
    run_queries(store, enc, qvecs, queries, test_ids, mode="hybrid", fusion=settings.retrieval.fusion)
    results["hybrid_search_ms_per_query"] = round((time.perf_counter() - t) * 1000 / len(test_ids), 2)
    store.close()
    save("retrieval_quality", results)
    print("\n| retriever | nDCG@10 | recall@100 | MRR@10 |\n| --- | --- | --- | --- |")
    for name, m in results["test"].items():
        print(f"| {name} | {m['ndcg@10']:.4f} | {m['recall@100']:.4f} | {m['mrr@10']:.4f} |")


if __name__ == "__main__":
    sys.exit(main())
