"""Embedding backends side by side in one run: sentence-transformers on torch (the reference) and the
ONNX Runtime int8 export. Throughput on SciFact chunks, query latency, agreement, and SciFact nDCG@10
(dense and hybrid) with each backend's vectors. Usage: .venv/bin/python bench/embedders.py
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from common import load_corpus, load_qrels, load_queries, percentile, save  # noqa: I001
from retrieval_quality import build_index, cached_embeddings, chunk_corpus, evaluate, run_queries

from core.encode.dense import SentenceTransformerEmbedder, packaged_model_path
from core.encode.onnx import OnnxEmbedder
from core.settings import Settings
from ingest.chunk import Chunker, TokenCounter


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--throughput-texts", type=int, default=2000)
    ap.add_argument("--latency-queries", type=int, default=300)
    args = ap.parse_args()
    settings = Settings()
    path = packaged_model_path()
    cache = Path(tempfile.mkdtemp(prefix="bench-onnx-"))
    name = settings.embedding.model_name
    corpus, queries, test = load_corpus(), load_queries(), load_qrels("test")
    chunker = Chunker(
        TokenCounter(path / "tokenizer.json"), settings.chunking.size_tokens, settings.chunking.overlap_tokens
    )
    texts, doc_of = chunk_corpus(corpus, chunker)
    sample = texts[: args.throughput_texts]
    mean_tokens = float(np.mean([chunker.counter.count(t) for t in sample]))
    qtexts = [queries[q] for q in sorted(test)][: args.latency_queries]

    backends = {
        "torch": lambda threads: SentenceTransformerEmbedder(path, name, batch_size=16, threads=threads),
        "onnx-int8": lambda threads: OnnxEmbedder(
            path, name, cache_dir=cache, batch_size=16, threads=threads
        ),
    }
    result: dict = {"texts": len(sample), "mean_tokens": round(mean_tokens, 1), "backends": {}}
    vectors = {}
    for backend, make in backends.items():
        e = make(2)
        t = time.perf_counter()
        e.warm_up()
        load_s = time.perf_counter() - t
        t = time.perf_counter()
        vectors[backend] = e.embed_documents(sample)
        throughput = len(sample) / (time.perf_counter() - t)
        q = make(1)
        q.warm_up()
        lat = []
        for text in qtexts:
            t = time.perf_counter()
            q.embed_query(text)
            lat.append((time.perf_counter() - t) * 1000)
        result["backends"][backend] = {
            "load_or_export_seconds": round(load_s, 2),
            "texts_per_s_2_threads": round(throughput, 1),
            "query_ms_1_thread": {"p50": round(percentile(lat, 50), 2), "p95": round(percentile(lat, 95), 2)},
        }
        print(backend, result["backends"][backend], flush=True)
    cos = (vectors["torch"] * vectors["onnx-int8"]).sum(axis=1)
    result["cosine_to_torch"] = {"mean": round(float(cos.mean()), 4), "min": round(float(cos.min()), 4)}
    result["speedup"] = round(
        result["backends"]["onnx-int8"]["texts_per_s_2_threads"]
        / result["backends"]["torch"]["texts_per_s_2_threads"],
        2,
    )

    # SciFact nDCG@10 with each backend's vectors, product BM25 and fusion settings.
    test_ids = sorted(test)
    result["scifact_test"] = {}
    for backend, make in backends.items():
        e = make(2)
        suffix = "" if backend == "torch" else f"-{backend}"  # torch vectors: retrieval_quality.py's cache
        dense = cached_embeddings(e, texts, f"scifact-chunks{suffix}")
        qmat = cached_embeddings(e, [queries[q] for q in test_ids], f"scifact-test-queries-{backend}")
        qvecs = dict(zip(test_ids, qmat, strict=True))
        store, enc = build_index(
            Path(tempfile.mkdtemp()), texts, doc_of, dense, settings.bm25.k1, settings.bm25.b
        )
        row = {}
        for mode in ("dense", "hybrid"):
            run = run_queries(
                store,
                enc,
                qvecs,
                queries,
                test_ids,
                mode=mode,
                fusion=settings.retrieval.fusion,
                rrf_k=settings.retrieval.rrf_k,
            )
            row[mode] = evaluate({q: test[q] for q in test_ids}, run)
        store.close()
        result["scifact_test"][backend] = row
        print(backend, row, flush=True)
    for mode in ("dense", "hybrid"):
        result[f"ndcg10_loss_{mode}"] = round(
            result["scifact_test"]["torch"][mode]["ndcg@10"]
            - result["scifact_test"]["onnx-int8"][mode]["ndcg@10"],
            4,
        )
    save("embedders", result)
    for k, v in result.items():
        print(f"{k}: {v}")


if __name__ == "__main__":
    main()
