"""Retrieval quality on SciFact (BEIR): nDCG@10, recall@100 and MRR@10 for BM25, dense and hybrid
search, every query through the product's own Retriever (rag.retrieve: fusion, candidate depth,
document aggregation), on the product's chunker and encoded texts (ingest.chunk.encoded_texts), the
configured embedding backend (ONNX int8 by default) and a Qdrant Edge store.

Everything is tuned on qrels/train.tsv only (809 queries): BM25 k1 and b with and without the header in
the BM25 text, then for hybrid search the fusion, the candidate depth and the document aggregation
weight. The test split (300 queries) is evaluated once per configuration listed, the defaults included.
Usage: .venv/bin/python bench/retrieval_quality.py [--quick] [--train-only]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import RESULTS, load_corpus, load_qrels, load_queries, save  # noqa: I001

from core.encode.dense import Embedder, packaged_model_path
from core.encode.sparse import Bm25Encoder
from core.settings import RetrievalSettings, Settings
from core.store.base import IndexMeta
from core.store.edge import EdgeStore
from core.types import Element, Point
from ingest.chunk import Chunker, TokenCounter, encoded_texts
from rag.retrieve import Retriever

DEPTH = 100  # documents per query for recall@100
METRICS = ["ndcg@10", "recall@100", "mrr@10"]


def chunk_corpus(
    corpus: list[dict[str, str]], chunker: Chunker, header: bool = False, sparse_header: bool = False
) -> tuple[list[str], list[str], list[str]]:
    """The text each encoder sees of each chunk (ingest.chunk.encoded_texts, the product's rule: the
    contextual header in both when ``header``, in the BM25 text only when ``sparse_header``): dense
    texts, BM25 texts, and each chunk's document. Documents are named by their SciFact id, which has no
    letters: the header is the title, as a heading of the document."""
    dense, sparse, doc_of = [], [], []
    for d in corpus:
        elements = [Element(d["title"], "Title")] if d["title"] else []
        elements.append(Element(d["text"] or d["title"], "NarrativeText", depth=1))
        for c in chunker.chunk(elements):
            text, bm25 = encoded_texts(c, f"{d['_id']}.txt", header, sparse_header)
            dense.append(text)
            sparse.append(bm25)
            doc_of.append(d["_id"])
    return dense, sparse, doc_of


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
    """An Edge index of the chunks: ``dense`` vectors, BM25 vectors of ``texts``."""
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


class CachedQueries:
    """The embedder as the Retriever calls it, answering from the cached query vectors (the same model's,
    encoded once: the bench times the search, not the model)."""

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors

    def embed_query(self, text: str) -> np.ndarray:
        return self.vectors[text]


def run_queries(
    store: EdgeStore,
    enc: Bm25Encoder,
    qvecs: dict[str, np.ndarray],
    queries: dict[str, str],
    qids: list[str],
    top_k: int,
    **kw: Any,
) -> dict[str, dict[str, float]]:
    """Each query through the product's Retriever (rag.retrieve: fusion, candidate depth, document
    aggregation) with the default RetrievalSettings overridden by ``kw``; a document ranks where its best
    chunk does among the ``top_k`` hits (BEIR's document ranking of what the search returned)."""
    settings = RetrievalSettings(**kw)
    retriever = Retriever(store, CachedQueries(qvecs), enc, settings)  # type: ignore[arg-type]
    run: dict[str, dict[str, float]] = {}
    for qid in qids:
        docs: dict[str, float] = {}
        for h in retriever.search(queries[qid], tenant="bench", top_k=top_k).hits:
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
    ap.add_argument("--quick", action="store_true", help="smaller tuning grids")
    ap.add_argument("--train-only", action="store_true", help="tune on train and stop before the test split")
    args = ap.parse_args()

    settings = Settings()
    r = settings.retrieval
    corpus, queries = load_corpus(), load_queries()
    train, test = load_qrels("train"), load_qrels("test")
    print(f"SciFact: {len(corpus)} documents, {len(train)} train and {len(test)} test queries", flush=True)

    chunker = Chunker(
        TokenCounter(packaged_model_path() / "tokenizer.json"),
        settings.chunking.size_tokens,
        settings.chunking.overlap_tokens,
    )
    header = settings.chunking.context_header
    texts, bm25_plain, doc_of = chunk_corpus(corpus, chunker, header, sparse_header=False)
    _, bm25_titled, _ = chunk_corpus(corpus, chunker, header, sparse_header=True)
    bm25_texts = {False: bm25_plain, True: bm25_titled}
    print(f"  {len(texts)} chunks ({len(texts) / len(corpus):.2f} per document)", flush=True)
    embedder = product_embedder(settings)
    dense = cached_embeddings(embedder, texts, "scifact-chunks")
    qids_all = sorted(set(train) | set(test))
    qmat = cached_embeddings(embedder, [queries[q] for q in qids_all], "scifact-queries", queries=True)
    qvecs = {queries[q]: v for q, v in zip(qids_all, qmat, strict=True)}
    train_ids, test_ids = sorted(train), sorted(test)

    def score(store, enc, qids, qrels, top_k=None, **kw):  # noqa: ANN001, ANN202
        # By default the whole fused list at the configured depth (top_k = prefetch_limit does not deepen
        # it): its first ten documents are the ones a deeper list would rank first.
        top_k = top_k or max(r.top_k, kw.get("prefetch_limit", r.prefetch_limit))
        return evaluate(
            {q: qrels[q] for q in qids}, run_queries(store, enc, qvecs, queries, qids, top_k, **kw)
        )

    tmp = Path(tempfile.mkdtemp(prefix="bench-rq-"))
    results: dict[str, Any] = {"chunks": len(texts), "documents": len(corpus), "tuning": {}, "test": {}}
    tuning = results["tuning"]

    # 1. BM25 parameters and the title in the BM25 text, tuned on train with sparse-only retrieval.
    k1s, bs = ([0.9, 1.2], [0.4, 0.75]) if args.quick else ([0.6, 0.9, 1.2, 1.5], [0.4, 0.6, 0.75, 0.9])
    best_bm25: dict[bool, tuple[float, float, float]] = {}  # sparse_header -> (nDCG, k1, b)
    for titled, (k1, b) in itertools.product((False, True), itertools.product(k1s, bs)):
        store, enc = build_index(tmp / f"bm25-{titled}-{k1}-{b}", bm25_texts[titled], doc_of, dense, k1, b)
        s = score(store, enc, train_ids, train, mode="sparse")["ndcg@10"]
        tuning[f"bm25 sparse_header={titled} k1={k1} b={b}"] = s
        print(f"  train sparse sparse_header={titled} k1={k1} b={b}: nDCG@10 {s}", flush=True)
        if s > best_bm25.get(titled, (-1.0, 0.0, 0.0))[0]:
            best_bm25[titled] = (s, k1, b)
        store.close()

    # 2. Hybrid search on each BM25 text (with the product's k1, b), tuned on train: fusion at the default
    # candidate depth, then the depth for the best of each fusion, then document aggregation.
    fusion_grid: list[dict[str, Any]] = [{"fusion": "rrf", "rrf_k": k} for k in (2, 10, 30, 60)]
    fusion_grid += [{"fusion": "dbsf"}]
    weights = [(1.0, 1.0), (1.5, 1.0), (1.0, 1.5), (2.0, 1.0), (1.0, 2.0), (3.0, 1.0)]
    fusion_grid += [
        {"fusion": "weighted", "rrf_k": k, "dense_weight": d, "sparse_weight": sw}
        for k in (2, 10)
        for d, sw in weights
    ]
    depths = (50, 200) if args.quick else (30, 50, 100, 200, 400)
    doc_weights = (0.2, 0.5) if args.quick else (0.05, 0.1, 0.2, 0.3, 0.5)
    doc_windows = (50,) if args.quick else (20, 50, 100)
    if args.quick:
        fusion_grid = fusion_grid[::3]
    stores: dict[bool, tuple[EdgeStore, Bm25Encoder]] = {}
    test_stores: dict[tuple[bool, float, float], tuple[EdgeStore, Bm25Encoder]] = {}
    best_by_fusion: dict[str, tuple[float, dict[str, Any]]] = {}
    chosen: tuple[float, dict[str, Any]] = (-1.0, {})
    # The product's k1 and b: changing them makes every existing index refuse to open until re-indexed.
    k1, b = settings.bm25.k1, settings.bm25.b
    for titled in (False, True):
        stores[titled] = build_index(tmp / f"hybrid-{titled}", bm25_texts[titled], doc_of, dense, k1, b)

        def tune(cfg: dict[str, Any], titled: bool = titled) -> float:
            s = score(*stores[titled], train_ids, train, mode="hybrid", **cfg)["ndcg@10"]
            tuning[f"hybrid sparse_header={titled} {cfg}"] = s
            print(f"  train hybrid sparse_header={titled} {cfg}: nDCG@10 {s}", flush=True)
            return s

        fused = {json.dumps(c): tune({**c, "prefetch_limit": r.prefetch_limit}) for c in fusion_grid}
        best_of = {}  # fusion -> its best configuration at the default depth
        for key, s in fused.items():
            cfg = json.loads(key)
            if s > best_of.get(cfg["fusion"], (-1.0, {}))[0]:
                best_of[cfg["fusion"]] = (s, cfg)
        here = max(((s, {**c, "prefetch_limit": r.prefetch_limit}) for s, c in best_of.values()), key=_first)
        for _, cfg in best_of.values():
            for depth in depths:
                if depth != r.prefetch_limit:
                    here = max(
                        here,
                        (tune({**cfg, "prefetch_limit": depth}), {**cfg, "prefetch_limit": depth}),
                        key=_first,
                    )
        base = here[1]
        for w, window in itertools.product(doc_weights, doc_windows):
            cfg = {**base, "doc_weight": w, "doc_window": window}
            here = max(here, (tune(cfg), cfg), key=_first)
        for s, cfg in best_of.values():
            if not titled and s > best_by_fusion.get(cfg["fusion"], (-1.0, {}))[0]:
                best_by_fusion[cfg["fusion"]] = (s, cfg)
        if here[0] > chosen[0]:
            chosen = (here[0], {**here[1], "sparse_header": titled})
    results["chosen_on_train"] = {"ndcg@10": chosen[0], **chosen[1]}
    results["bm25_tuned"] = {str(t): {"ndcg@10": s, "k1": k1, "b": b} for t, (s, k1, b) in best_bm25.items()}
    print(f"CHOSEN on train (nDCG@10 {chosen[0]}): {chosen[1]}", flush=True)
    if args.train_only:
        save("retrieval_quality_train", results)
        return

    # 3. The test split, once per configuration: nDCG@10 and MRR@10 of the documents in the fused list
    # (as tuned), recall@100 of a search for 200 hits (which deepens the candidate lists to 200), and
    # nDCG@10 of the documents among the top_k chunks a search returns by default (fewer than ten
    # documents when a document has several of them).
    # Each configuration on the index it needs: the BM25 text and k1, b (the product's, unless tuned).
    b25 = settings.bm25
    index_of = {"sparse_header": settings.chunking.sparse_header, "k1": b25.k1, "b": b25.b}
    default = {**index_of, "mode": "hybrid"}
    configs: dict[str, dict[str, Any]] = {
        "bm25": {**index_of, "mode": "sparse"},
        "dense": {**index_of, "mode": "dense"},
        f"hybrid, product defaults ({r.fusion}, prefetch {r.prefetch_limit}, doc_weight {r.doc_weight}, "
        f"sparse_header {settings.chunking.sparse_header})": default,
        "hybrid, the defaults before issue 18 (dbsf, prefetch 50, k1 0.9, b 0.6, no aggregation or "
        "sparse header)": {
            "sparse_header": False,
            "k1": 0.9,
            "b": 0.6,
            "mode": "hybrid",
            "fusion": "dbsf",
            "prefetch_limit": 50,
            "doc_weight": 0.0,
        },
        "hybrid rrf k=60 (the paper's k), prefetch 50": {
            **index_of,
            "mode": "hybrid",
            "fusion": "rrf",
            "rrf_k": 60,
            "prefetch_limit": 50,
        },
    }
    tuned = {"mode": "hybrid", "k1": k1, "b": b, **chosen[1]}
    if any(tuned[k] != (r.model_dump() | default)[k] for k in tuned):  # the defaults are not it yet
        configs[f"hybrid chosen on train ({chosen[1]})"] = tuned
    for name, (_, cfg) in best_by_fusion.items():
        configs[f"hybrid {name} (best at prefetch {r.prefetch_limit}: {cfg})"] = {
            "mode": "hybrid",
            "sparse_header": False,
            "k1": k1,
            "b": b,
            **cfg,
        }
    for titled, store_enc in stores.items():
        test_stores[(titled, k1, b)] = store_enc
    for name, cfg in configs.items():
        cfg = dict(cfg)
        key = (cfg.pop("sparse_header"), cfg.pop("k1"), cfg.pop("b"))
        if key not in test_stores:
            test_stores[key] = build_index(tmp / f"test-{key}", bm25_texts[key[0]], doc_of, dense, *key[1:])
        store, enc = test_stores[key]
        m = score(store, enc, test_ids, test, **cfg)
        m["recall@100"] = score(store, enc, test_ids, test, top_k=2 * DEPTH, **cfg)["recall@100"]
        m["ndcg@10 top_k chunks"] = score(store, enc, test_ids, test, top_k=r.top_k, **cfg)["ndcg@10"]
        results["test"][name] = m
        print(f"TEST {name}: {m}", flush=True)

    store, enc = test_stores[(index_of["sparse_header"], b25.k1, b25.b)]
    for name, cfg in {"default": {}, "doc_weight off": {"doc_weight": 0.0}}.items():
        t = time.perf_counter()
        run_queries(store, enc, qvecs, queries, test_ids, r.top_k, mode="hybrid", **cfg)
        ms = (time.perf_counter() - t) * 1000 / len(test_ids)
        results[f"hybrid_search_ms_per_query ({name})"] = round(ms, 2)
        print(f"  hybrid search ({name}, query vector cached): {ms:.2f} ms per query", flush=True)
    for store, _ in test_stores.values():
        store.close()
    save("retrieval_quality", results)
    print(
        f"\n| retriever | nDCG@10 | recall@100 | MRR@10 | nDCG@10 of the top {r.top_k} chunks |"
        "\n| --- | --- | --- | --- | --- |"
    )
    for name, m in results["test"].items():
        print(
            f"| {name} | {m['ndcg@10']:.4f} | {m['recall@100']:.4f} | {m['mrr@10']:.4f} "
            f"| {m['ndcg@10 top_k chunks']:.4f} |"
        )


def _first(pair: tuple[float, Any]) -> float:
    return pair[0]


if __name__ == "__main__":
    sys.exit(main())
