"""Languages told (RAG_BM25__LANGUAGE=auto) against English only, on SciFact, in one run: which language
each chunk and each test query is found in, and how many of their BM25 vectors differ from the English
ones, and the keyword (BM25) nDCG@10 on the test queries with each: the dense list never depended on the
language, so the sparse list is all that can move. BM25 is scored here as Qdrant does (IDF modifier at
query time, a document's best chunk), in memory. Also times detection.

Usage: RAG_BENCH_SHARED_DATA=../shared/data .venv/bin/python bench/language_parity.py
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict

import numpy as np
from common import load_corpus, load_qrels, load_queries, save  # noqa: I001

from app.runtime import Runtime
from core.encode.sparse import Bm25Encoder
from core.settings import load_settings
from core.types import Chunk
from ingest import formats
from ingest.tag_language import tag_languages


def main() -> None:
    settings = load_settings()
    b = settings.bm25
    auto = Bm25Encoder(k1=b.k1, b=b.b, avg_len=b.avg_len, language="auto", default=b.default_language)
    english = Bm25Encoder(k1=b.k1, b=b.b, avg_len=b.avg_len, language="english")
    chunker = Runtime(settings).chunker
    corpus = load_corpus()
    chunks = [chunker.chunk(formats.parse(f"{d['title']}\n\n{d['text']}", "txt")) for d in corpus]
    t = time.perf_counter()
    tagged = [tag_languages(c, auto) for c in chunks]
    detect_s = time.perf_counter() - t
    flat = [c for doc in tagged for c in doc]
    chunk_languages = Counter(c.language for c in flat)
    chunk_diffs = sum(auto.embed_document(c.text, c.language) != english.embed_document(c.text) for c in flat)
    texts = load_queries()
    queries = [texts[q] for q in load_qrels("test")]
    query_languages = Counter(auto.language_of(q) for q in queries)
    query_diffs = sum(auto.embed_query(q) != english.embed_query(q) for q in queries)
    qrels = load_qrels("test")
    ndcg = {
        name: sparse_ndcg(enc, flat_ids(tagged, corpus), flat, [(texts[q], qrels[q]) for q in qrels])
        for name, enc in (("auto", auto), ("english", english))
    }
    result = {
        "documents": len(corpus),
        "chunks": len(flat),
        "chunk_languages": dict(chunk_languages),
        "chunk_vectors_differing": chunk_diffs,
        "test_queries": len(queries),
        "query_languages": dict(query_languages),
        "query_vectors_differing": query_diffs,
        "detection_ms_per_chunk": round(1000 * detect_s / max(len(flat), 1), 3),
        "sparse_ndcg@10_auto": round(ndcg["auto"], 4),
        "sparse_ndcg@10_english": round(ndcg["english"], 4),
    }
    for k, v in result.items():
        print(f"{k}: {v}")  # noqa: T201 - a benchmark prints its numbers
    save("language_parity", result)


def flat_ids(tagged: list[list[Chunk]], corpus: list[dict[str, str]]) -> list[str]:
    return [d["_id"] for d, doc in zip(corpus, tagged, strict=True) for _ in doc]


def sparse_ndcg(
    enc: Bm25Encoder, doc_ids: list[str], chunks: list[Chunk], queries: list[tuple[str, dict[str, int]]]
) -> float:
    """Mean nDCG@10 of BM25 over ``chunks`` (a document scores its best chunk), IDF as Qdrant's modifier."""
    vectors = [enc.embed_document(c.text, c.language) for c in chunks]
    postings: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for row, v in enumerate(vectors):
        for i, w in zip(v.indices, v.values, strict=True):
            postings[i].append((row, w))
    n = len(vectors)
    total = 0.0
    for text, relevant in queries:
        scores = np.zeros(n)
        for i in enc.embed_query(text).indices:
            hits = postings.get(i, [])
            idf = math.log((n - len(hits) + 0.5) / (len(hits) + 0.5) + 1)
            for row, w in hits:
                scores[row] += idf * w
        best: dict[str, float] = {}
        for row in np.flatnonzero(scores):
            best[doc_ids[row]] = max(best.get(doc_ids[row], 0.0), float(scores[row]))
        ranked = sorted(best, key=lambda d: -best[d])[:10]
        dcg = sum(relevant.get(d, 0) / math.log2(r + 2) for r, d in enumerate(ranked))
        ideal = sum(g / math.log2(r + 2) for r, g in enumerate(sorted(relevant.values(), reverse=True)[:10]))
        total += dcg / ideal if ideal else 0.0
    return total / len(queries)


if __name__ == "__main__":
    main()
