"""Re-index throughput and query latency during a re-index, in one run: SciFact documents ingested (through
the whole pipeline, originals kept), then a query thread searches without pause (SciFact test queries,
hybrid, in-process as the API would) first while idle, then while a re-index with another chunk size
builds the new version beside the served one and switches to it.

Usage: .venv/bin/python bench/reindex.py [--docs N (default all 5,183)] [--idle-s 30] [--threads 1]
       [--chunk-size 128]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from common import load_corpus, load_qrels, load_queries, percentile, save  # noqa: I001

from app.runtime import Runtime
from core.settings import load_settings
from ingest.pipeline import Source
from ingest.reindex.checkpoint import Checkpoints
from ingest.reindex.options import Options
from ingest.reindex.run import Reindexer


def stats(ms: list[float]) -> dict[str, float]:
    return {
        "queries": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=None, help="SciFact documents (default: all 5,183)")
    ap.add_argument("--idle-s", type=float, default=30.0, help="seconds of queries before the re-index")
    ap.add_argument("--threads", type=int, default=1, help="embedding threads of the re-index (default 1)")
    ap.add_argument("--chunk-size", type=int, default=128, help="chunk size of the new version")
    ap.add_argument(
        "--nice", type=int, default=None, help="priority of the re-index thread (default: setting)"
    )
    args = ap.parse_args()

    corpus = load_corpus()[: args.docs]
    queries = [load_queries()[q] for q in load_qrels("test")]
    settings = load_settings(data_dir=Path(tempfile.mkdtemp(prefix="bench-reindex-")) / "data")
    settings = settings.model_copy(
        update={
            "reindex": settings.reindex.model_copy(
                update={"threads": args.threads} | ({"nice": args.nice} if args.nice is not None else {})
            )
        }
    )
    rt = Runtime(settings)
    rt.embedder.warm_up()
    t = time.perf_counter()
    report = rt.ingestor.ingest(
        Source.from_bytes(f"{d['title']}\n\n{d['text']}\n".encode(), f"{d['_id']}.txt", "bench")
        for d in corpus
    )
    ingest_s = time.perf_counter() - t
    assert not report.failed, report.failed[:3]
    print(f"ingested {len(corpus)} documents ({report.chunks} chunks) in {ingest_s:.1f} s")

    phase = ["idle"]
    latencies: dict[str, list[float]] = {"idle": [], "reindex": []}
    failures: list[str] = []
    stop = threading.Event()

    def query_loop() -> None:
        i = 0
        while not stop.is_set():
            q = queries[i % len(queries)]
            i += 1
            t0 = time.perf_counter()
            try:
                hits = rt.retriever.search(q, tenant="bench").hits
                if not hits:
                    failures.append(f"no hits: {q}")
            except Exception as e:  # noqa: BLE001 - counted and reported
                failures.append(repr(e))
                continue
            latencies[phase[0]].append((time.perf_counter() - t0) * 1000)

    worker = threading.Thread(target=query_loop, daemon=True)
    worker.start()
    time.sleep(args.idle_s)
    phase[0] = "reindex"
    checkpoints = Checkpoints(settings.registry_url)
    reindexer = Reindexer(rt, checkpoints)
    t = time.perf_counter()
    run = reindexer.start(Options(chunk_size=args.chunk_size))
    assert run is not None
    run = reindexer.execute(run.id)
    reindex_s = time.perf_counter() - t
    stop.set()
    worker.join()
    assert run.state == "switched", run.error
    idle, during = stats(latencies["idle"]), stats(latencies["reindex"])
    result = {
        "documents": len(corpus),
        "chunks_before": report.chunks,
        "chunks_after": rt.store.count(),
        "chunk_size": [settings.chunking.size_tokens, args.chunk_size],
        "reindex_threads": args.threads,
        "reindex_nice": settings.reindex.nice,
        "ingest_s": round(ingest_s, 1),
        "reindex_s": round(reindex_s, 1),
        "reindex_docs_per_s": round(len(corpus) / reindex_s, 2),
        "ingest_docs_per_s": round(len(corpus) / ingest_s, 2),
        "smoke": run.smoke,
        "query_idle": idle,
        "query_during_reindex": during,
        "p95_ratio": round(during["p95_ms"] / idle["p95_ms"], 2),
        "failed_queries": len(failures),
        "failures": failures[:5],
    }

    def line(s: dict[str, float]) -> str:
        return f"{s['p50_ms']}/{s['p95_ms']}/{s['p99_ms']} ms ({s['queries']} queries)"

    print(
        f"re-index: {len(corpus)} documents in {reindex_s:.1f} s = {result['reindex_docs_per_s']} docs/s "
        f"({args.threads} embedding thread(s); ingest: {result['ingest_docs_per_s']} docs/s, all cores)\n"
        f"query p50/p95/p99 idle {line(idle)}, during the re-index {line(during)}; "
        f"p95 x{result['p95_ratio']}; failed queries: {len(failures)}"
    )
    save(f"reindex_{len(corpus)}docs_{args.threads}t_nice{settings.reindex.nice}", result)
    checkpoints.close()
    rt.close()


if __name__ == "__main__":
    main()
