"""Query latency: query embedding + BM25 encoding + hybrid search (RRF in Qdrant Edge), end to end through
the Retriever, at 10k and 100k chunks. SciFact chunks (when ../shared is present) plus synthetic filler
chunks for size; SciFact test queries. Usage: .venv/bin/python bench/query_latency.py [--sizes 10000,100000]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from common import load_corpus, load_queries, percentile, save  # noqa: I001

from app.runtime import Runtime
from core.encode.sparse import Bm25Encoder
from core.settings import RetrievalSettings, load_settings
from core.store.base import IndexMeta
from core.store.edge import EdgeStore
from core.types import Point, SparseVec
from rag.retrieve import Retriever

DIM = 384


def filler_points(n: int, start: int, rng: np.random.Generator, vocab: np.ndarray) -> list[Point]:
    """Random unit vectors and Zipf-distributed BM25 terms: the size and shape of real chunks."""
    dense = rng.normal(size=(n, DIM)).astype(np.float32)
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    points = []
    for i in range(n):
        terms = np.unique(vocab[np.minimum(rng.zipf(1.3, size=60), len(vocab)) - 1])
        points.append(
            Point(
                f"00000000-0000-0000-0001-{start + i:012d}",
                dense[i].tolist(),
                SparseVec(terms.tolist(), rng.uniform(0.5, 2.0, size=len(terms)).tolist()),
                {
                    "tenant": "bench",
                    "doc_id": f"filler-{(start + i) // 3}",
                    "source": "filler",
                    "text": "filler",
                },
            )
        )
    return points


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--threads", type=int, default=1, help="threads for query embedding")
    ap.add_argument("--backend", choices=["onnx-int8", "torch"], help="default: the configured one")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    where = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    backend = args.backend or load_settings().embedding.backend
    settings = load_settings(data_dir=where / "data", embedding={"threads": args.threads, "backend": backend})
    embedder = Runtime(settings).embedder
    embedder.warm_up()
    enc = Bm25Encoder(k1=settings.bm25.k1, b=settings.bm25.b, avg_len=settings.bm25.avg_len)
    queries = list(load_queries().values())[: args.queries]
    corpus = load_corpus()[:3000]
    real_texts = [f"{d['title']}. {d['text']}"[:1200] for d in corpus]
    real_dense = embedder.embed_documents(real_texts)
    vocab = np.unique([i for t in real_texts for i in enc.term_ids(t)])
    rng = np.random.default_rng(0)

    store = EdgeStore.open(
        where, IndexMeta(settings.embedding.model_name, DIM, embedder.backend, 0.9, 0.6, 60.0)
    )
    store.upsert(
        [
            Point(
                f"00000000-0000-0000-0000-{i:012d}",
                real_dense[i].tolist(),
                enc.embed_document(t),
                {"tenant": "bench", "doc_id": f"scifact-{i}", "source": "scifact", "text": t},
            )
            for i, t in enumerate(real_texts)
        ]
    )
    retriever = Retriever(store, embedder, enc, RetrievalSettings())
    for q in queries[:20]:
        retriever.search(q, tenant="bench")
    results = {"backend": embedder.backend, "threads": args.threads, "queries": len(queries), "sizes": {}}
    have = len(real_texts)
    for size in sizes:
        t = time.perf_counter()
        while have < size:
            n = min(5000, size - have)
            store.upsert(filler_points(n, have, rng, vocab))
            have += n
        load_s = time.perf_counter() - t
        assert store.count() == size
        total, embed, search = [], [], []
        for q in queries:
            t = time.perf_counter()
            r = retriever.search(q, tenant="bench", top_k=10)
            total.append((time.perf_counter() - t) * 1000)
            embed.append(r.timings_ms["embed_query"])
            search.append(r.timings_ms["search"])
        row = {
            "points": size,
            "upsert_seconds": round(load_s, 1),
            "total_ms": {
                "p50": round(percentile(total, 50), 2),
                "p95": round(percentile(total, 95), 2),
                "p99": round(percentile(total, 99), 2),
            },
            "embed_query_ms": {
                "p50": round(percentile(embed, 50), 2),
                "p95": round(percentile(embed, 95), 2),
            },
            "search_ms": {"p50": round(percentile(search, 50), 2), "p95": round(percentile(search, 95), 2)},
        }
        results["sizes"][str(size)] = row
        print(json.dumps(row), flush=True)
    store.close()
    save("query_latency", results)


if __name__ == "__main__":
    main()
