"""Scale: N chunks (default 1,000,000) in one Qdrant Edge index version with its HNSW graph, built as a
re-index builds one (points written, the version closed, the graph built in a child process). Measures
hybrid query latency p50/p95/p99 INCLUDING query embedding (the packaged ONNX model, SciFact test
queries, through the Retriever), recall@10 of the graph search against exact search on the same index
(fused hybrid top 10, and the dense list alone), graph build time, RSS, disk per million chunks and
reopen time.

The points: SciFact's 15,972 real chunks (real embeddings, real BM25 vectors, real text), then synthetic
chunks made from them: dense = normalise(w*a + (1-w)*b + noise), a and b two random real chunks,
w ~ U(0.5, 0.9), noise N(0, 0.03^2) per dimension, so the vectors keep the real ones' anisotropy and
clusters (uniform random vectors are much harder for a graph and unlike text); BM25 terms drawn like
bench/query_latency.py's filler (Zipf over the real vocabulary); payload text copied from chunk a.

Resumable: the index lives in --dir (default bench/results/scratch/scale-<size>-<quantization>), with a
state file; a run continues writing where the last stopped, skips a built graph, and only measures if
everything is there. Usage:
    nice -n 5 .venv/bin/python bench/scale.py --size 200000 [--quantization int8] [--ef 64,128,256]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import time
from pathlib import Path

import numpy as np
import psutil
from common import RESULTS, load_corpus, load_qrels, load_queries, percentile, save  # noqa: I001

from app.runtime import Runtime
from core.encode.dense import packaged_model_path
from core.encode.sparse import Bm25Encoder
from core.settings import load_settings
from core.store.base import IndexMeta
from core.store.edge import EdgeStore, EdgeVersions
from core.store.edge_index import EdgeTuning, build_graph
from core.types import Element, Point, SparseVec
from ingest.chunk import Chunker, TokenCounter
from rag.retrieve import Retriever

DIM = 384
TENANT = "bench"
BATCH = 1000
VERSION = "v0001"


def real_chunks(settings, cache_dirs: list[Path]) -> tuple[list[str], np.ndarray]:  # type: ignore[no-untyped-def]
    """SciFact chunked by the product's chunker, and their embeddings from retrieval_quality.py's cache
    (the same model), or embedded now (minutes) and cached."""
    chunker = Chunker(
        TokenCounter(packaged_model_path() / "tokenizer.json"),
        settings.chunking.size_tokens,
        settings.chunking.overlap_tokens,
    )
    texts = []
    for d in load_corpus():
        elements = [Element(d["title"], "Title")] if d["title"] else []
        elements.append(Element(d["text"] or d["title"], "NarrativeText", depth=1))
        texts += [c.text for c in chunker.chunk(elements)]
    key = hashlib.sha256(("\x00".join(texts) + settings.embedding.model_name).encode()).hexdigest()[:16]
    for d in cache_dirs:
        path = d / f"scifact-chunks-{key}.npy"
        if path.exists():
            return texts, np.load(path)
    print(f"embedding {len(texts)} SciFact chunks (no cache) ...", flush=True)
    vecs = Runtime(settings).embedder.embed_documents(texts)
    (RESULTS / "cache").mkdir(parents=True, exist_ok=True)
    np.save(RESULTS / "cache" / f"scifact-chunks-{key}.npy", vecs)
    return texts, vecs


class Points:
    """Point ``i`` of the benchmark index, the same on every run (seeded by its batch)."""

    def __init__(self, texts: list[str], dense: np.ndarray, enc: Bm25Encoder) -> None:
        self.texts, self.dense = texts, dense.astype(np.float32)
        self.sparse = [enc.embed_document(t) for t in texts]
        self.vocab = np.unique([i for s in self.sparse for i in s.indices])

    def batch(self, start: int, n: int) -> list[Point]:
        rng = np.random.default_rng(start)
        out = []
        real = len(self.texts)
        ids = np.arange(start, start + n)
        a = rng.integers(0, real, n)
        b = rng.integers(0, real, n)
        w = rng.uniform(0.5, 0.9, (n, 1)).astype(np.float32)
        mixed = self.dense[a] * w + self.dense[b] * (1 - w) + rng.normal(0, 0.03, (n, DIM)).astype(np.float32)
        mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
        for k, i in enumerate(ids):
            if i < real:
                dense, sparse, text = self.dense[i], self.sparse[i], self.texts[i]
            else:
                terms = np.unique(self.vocab[np.minimum(rng.zipf(1.3, size=60), len(self.vocab)) - 1])
                dense, text = mixed[k], self.texts[a[k]]
                sparse = SparseVec(terms.tolist(), rng.uniform(0.5, 2.0, size=len(terms)).tolist())
            out.append(
                Point(
                    f"00000000-0000-0000-0000-{i:012d}",
                    dense.tolist(),
                    sparse,
                    {"tenant": TENANT, "doc_id": f"d{i // 3}", "source": "scifact", "text": text},
                )
            )
        return out


def du(path: Path) -> int:
    """Bytes on disk (blocks in use: Qdrant preallocates sparse files)."""
    return sum(f.stat().st_blocks * 512 for f in path.rglob("*") if f.is_file())


def build(where: Path, size: int, meta: IndexMeta, tuning: EdgeTuning, points: Points) -> dict:
    state_file = where / "state.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {"written": 0}
    versions = EdgeVersions(where, tuning)
    if state["written"] < size:
        store = (
            EdgeStore.load(where, VERSION, tuning)
            if VERSION in versions.all()
            else EdgeStore.create(where, VERSION, meta, tuning)
        )
        t = time.perf_counter()
        while state["written"] < size:
            n = min(BATCH, size - state["written"])
            store.upsert(points.batch(state["written"], n))
            state["written"] += n
            if state["written"] % 50_000 == 0 or state["written"] == size:
                store.flush()
                state["upsert_s"] = state.get("upsert_s", 0) + time.perf_counter() - t
                t = time.perf_counter()
                state_file.write_text(json.dumps(state))
                print(f"  {state['written']} points written", flush=True)
        store.close()
    if "graph_s" not in state:
        print(f"building the graph of {size} points in a child process ...", flush=True)
        state["graph_s"] = round(build_graph(versions.shard_dir(VERSION), tuning.timeout_s, nice=0), 1)
        state["graph_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
        state_file.write_text(json.dumps(state))
    return state


def measure(store: EdgeStore, retriever: Retriever, queries: list[str], exact_hits: list[list[str]] | None):
    total, embed, search, got = [], [], [], []
    for q in queries:
        t = time.perf_counter()
        r = retriever.search(q, tenant=TENANT, top_k=10)
        total.append((time.perf_counter() - t) * 1000)
        embed.append(r.timings_ms["embed_query"])
        search.append(r.timings_ms["search"])
        got.append([h.chunk_id for h in r.hits])
    row = {
        "total_ms": {p: round(percentile(total, int(p[1:])), 2) for p in ("p50", "p95", "p99")},
        "embed_query_ms": {p: round(percentile(embed, int(p[1:])), 2) for p in ("p50", "p95")},
        "search_ms": {p: round(percentile(search, int(p[1:])), 2) for p in ("p50", "p95", "p99")},
    }
    if exact_hits is not None:
        row["recall@10"] = round(recall(got, exact_hits), 4)
    return row, got


def recall(got: list[list[str]], exact: list[list[str]]) -> float:
    return float(np.mean([len(set(g) & set(e)) / max(len(e), 1) for g, e in zip(got, exact, strict=True)]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--quantization", choices=["none", "int8"], default="int8")
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--ef-construct", type=int, default=100)
    ap.add_argument("--ef", default="64,128,256", help="hnsw_ef values to measure")
    ap.add_argument("--queries", type=int, default=300, help="SciFact test queries")
    ap.add_argument("--dir", type=Path, help="index directory, reused (default under bench/results/scratch)")
    ap.add_argument("--cache", type=Path, action="append", default=[], help="more embedding cache dirs")
    args = ap.parse_args()

    where = args.dir or RESULTS / "scratch" / f"scale-{args.size}-{args.quantization}"
    where.mkdir(parents=True, exist_ok=True)
    settings = load_settings(data_dir=where, embedding={"threads": 1, "backend": "onnx-int8"})
    tuning = EdgeTuning(
        m=args.m, ef_construct=args.ef_construct, quantization=args.quantization, min_points=0
    )
    enc = Bm25Encoder(k1=settings.bm25.k1, b=settings.bm25.b, avg_len=settings.bm25.avg_len)
    meta = IndexMeta(
        settings.embedding.model_name,
        DIM,
        "onnx-int8",
        settings.bm25.k1,
        settings.bm25.b,
        settings.bm25.avg_len,
    )

    t = time.perf_counter()
    texts, dense = real_chunks(settings, [RESULTS / "cache", *args.cache])
    points = Points(texts, dense, enc)
    print(f"{len(texts)} real chunks ready in {time.perf_counter() - t:.0f} s", flush=True)
    state = build(where, args.size, meta, tuning, points)

    embedder = Runtime(settings).embedder
    embedder.warm_up()
    proc = psutil.Process()
    rss_before = proc.memory_info().rss
    t = time.perf_counter()
    store = EdgeStore.load(where, VERSION, tuning)
    reopen_s = time.perf_counter() - t
    info = store.info()
    assert info["points"] == args.size, info
    queries = [q for qid, q in load_queries().items() if qid in load_qrels("test")][: args.queries]

    exact = store.searching(exact=True)
    rs = settings.retrieval
    warm = Retriever(store, embedder, enc, rs)
    for q in queries[:20]:
        warm.search(q, tenant=TENANT)
    exact_row, exact_hits = measure(exact, Retriever(exact, embedder, enc, rs), queries, None)
    dense_rs = rs.model_copy(update={"mode": "dense"})
    _, exact_dense = measure(exact, Retriever(exact, embedder, enc, dense_rs), queries, None)
    rows = {}
    for ef in [int(x) for x in args.ef.split(",")]:
        view = store.searching(
            EdgeTuning(ef=ef, quantization=args.quantization, oversampling=tuning.oversampling)
        )
        row, _ = measure(view, Retriever(view, embedder, enc, rs), queries, exact_hits)
        drow, _ = measure(view, Retriever(view, embedder, enc, dense_rs), queries, exact_dense)
        row["dense_only"] = drow
        rows[str(ef)] = row
        print(f"ef={ef}: {json.dumps(row)}", flush=True)
    disk = du(where / "index" / VERSION)
    result = {
        "size": args.size,
        "real_chunks": len(texts),
        "vectors": "SciFact chunk embeddings + normalised mixtures of two with N(0, 0.03^2) noise",
        "quantization": args.quantization,
        "hnsw": {"m": args.m, "ef_construct": args.ef_construct},
        "fusion": rs.fusion,
        "prefetch_limit": rs.prefetch_limit,
        "queries": len(queries),
        "shard": info,
        "upsert_s": round(state.get("upsert_s", 0), 1),
        "graph_build_s": state["graph_s"],
        "graph_build_peak_rss_mb": state.get("graph_peak_rss_mb"),
        "reopen_s": round(reopen_s, 2),
        "rss_mb_serving": round(proc.memory_info().rss / 2**20),
        "rss_mb_before_open": round(rss_before / 2**20),  # the model and the benchmark's data
        "disk_mb": round(disk / 2**20),
        "disk_mb_wal": round(du(where / "index" / VERSION / "shard" / "wal") / 2**20),
        "disk_mb_per_million": round(disk / 2**20 / args.size * 1e6),
        "exact": exact_row,
        "hnsw_ef": rows,
        "cpus": os.cpu_count(),
    }
    store.close()
    save(f"scale_{args.size}_{args.quantization}", result)
    print(json.dumps({k: v for k, v in result.items() if k != "hnsw_ef"}, indent=1))


if __name__ == "__main__":
    main()
