"""Ingest throughput: SciFact documents through the whole pipeline (parse, chunk, embed, BM25, Qdrant Edge
write, registry), in chunks per second, against raw ``model.encode`` on the same chunks in the same run.
Usage: .venv/bin/python bench/ingest_throughput.py [--docs 1000] [--format txt|md|html]
[--parse-concurrency N]

``--format`` writes each document as plain text (our own parser, in process: the default), Markdown
(a ``#`` title) or HTML (unstructured, in parser processes); ``--parse-concurrency`` sets
RAG_INGEST__PARSE_CONCURRENCY (documents parsed at once) for the run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from html import escape
from pathlib import Path

from common import load_corpus, save  # noqa: I001

from app.runtime import Runtime
from core.settings import load_settings
from ingest.parse import parse_bytes
from ingest.pipeline import Source


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=1000, help="how many SciFact documents (default 1000)")
    ap.add_argument("--format", choices=sorted(_WRITE), default="txt", help="how each document is written")
    ap.add_argument("--parse-concurrency", type=int, default=None, help="default: the setting's")
    args = ap.parse_args()
    corpus = load_corpus()[: args.docs]
    write = _WRITE[args.format]
    payloads = [(f"{d['_id']}.{args.format}", write(d["title"], d["text"]).encode()) for d in corpus]

    ingest = {"parse_concurrency": args.parse_concurrency} if args.parse_concurrency else {}
    settings = load_settings(data_dir=Path(tempfile.mkdtemp(prefix="bench-ingest-")) / "data", ingest=ingest)
    rt = Runtime(settings)
    rt.embedder.warm_up()
    rt.embedder.embed_documents(["warm up the kernels"] * 8)
    parse_bytes(b"<p>Warm up the parser. It loads spaCy.</p>", "warm.html", 10**6)
    # Start the parser processes the run will use (HTML goes to them; small plain files do not).
    for i in range(rt.parser.workers if args.format == "html" else 0):
        rt.parser.parse(f"<p>Warm up parser {i}.</p>".encode(), f"warm-{i}.html")
    # Once per process, as the model's load: the pipeline's imports and objects, and the injection
    # screen's attack phrasings embedded (measured apart: setup_seconds).
    t = time.perf_counter()
    if rt.ingestor.guard is not None:
        rt.ingestor.guard.injection.similarity(rt.embedder.embed_documents(["warm up the screen"]))
    setup_s = time.perf_counter() - t

    t = time.perf_counter()
    report = rt.ingestor.ingest(Source.from_bytes(data, name, "bench") for name, data in payloads)
    pipeline_s = time.perf_counter() - t
    assert report.count("failed") == 0, report.failed[:3]
    chunks = [c["text"] for o in report.outcomes for c in rt.store.chunks("bench", o.doc_id)]
    assert len(chunks) == report.chunks

    t = time.perf_counter()
    rt.embedder.embed_documents(chunks)
    encode_s = time.perf_counter() - t

    # Where the rest of the time goes, on a sample (each stage alone, single-threaded Python).
    sample = payloads[:200]
    t = time.perf_counter()
    parsed = [parse_bytes(data, name, 10**7) for name, data in sample]
    parse_ms = (time.perf_counter() - t) * 1000 / len(sample)
    t = time.perf_counter()
    sample_chunks = [rt.chunker.chunk(p.elements) for p in parsed]
    chunk_ms = (time.perf_counter() - t) * 1000 / len(sample)
    t = time.perf_counter()
    for cs in sample_chunks:
        for c in cs:
            rt.sparse.embed_document(c.text)
    sparse_ms = (time.perf_counter() - t) * 1000 / len(sample)
    rt.close()

    result = {
        "documents": len(corpus),
        "format": args.format,
        "parse_concurrency": settings.ingest.parse_concurrency,
        "parse_inline_mb": settings.ingest.parse_inline_mb,
        "chunks": len(chunks),
        "embedding_threads": settings.embedding.threads,
        "embedding_backend": rt.embedder.backend,
        "setup_seconds": round(setup_s, 2),
        "pipeline_seconds": round(pipeline_s, 2),
        "pipeline_chunks_per_s": round(len(chunks) / pipeline_s, 2),
        "pipeline_docs_per_s": round(len(corpus) / pipeline_s, 2),
        "raw_encode_seconds": round(encode_s, 2),
        "raw_encode_chunks_per_s": round(len(chunks) / encode_s, 2),
        "ratio_pipeline_to_raw_encode": round(encode_s / pipeline_s, 3),
        "per_document_ms": {
            "parse": round(parse_ms, 2),
            "chunk": round(chunk_ms, 2),
            "bm25": round(sparse_ms, 2),
        },
    }
    save("ingest_throughput", result)
    for k, v in result.items():
        print(f"{k}: {v}")


_WRITE = {
    "txt": lambda title, text: f"{title}\n\n{text}\n",
    "md": lambda title, text: f"# {title}\n\n{text}\n",
    "html": lambda title, text: f"<html><body><h1>{escape(title)}</h1><p>{escape(text)}</p></body></html>",
}


if __name__ == "__main__":
    main()
