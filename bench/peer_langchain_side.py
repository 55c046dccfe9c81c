"""The tutorial LangChain stack, one side of bench/peer_langchain.py. Runs in the peer venv
(bench/.venv-peer, `make peer-venv`), never in the product's: it imports nothing of this project.

What the tutorials do, with their defaults: DirectoryLoader + TextLoader, RecursiveCharacterTextSplitter
(1000/200 characters), HuggingFaceEmbeddings (all-MiniLM-L6-v2, here from the packaged model's folder),
QdrantVectorStore.from_documents on a local path, BM25Retriever.from_documents, and an EnsembleRetriever
of both with weights [0.5, 0.5]. Writes one JSON file: the wall-clock time (time.time()) at which
ingest ended, phase times, and each timed query's latency and ranked chunk sources.
"""

from __future__ import annotations

import time

STARTED = time.time()  # before the heavy imports: they count as ingest, as `rag ingest`'s start does

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
from pathlib import Path  # noqa: E402

PACKAGES = [
    "langchain-core",
    "langchain-classic",
    "langchain-community",
    "langchain-huggingface",
    "langchain-qdrant",
    "langchain-text-splitters",
    "qdrant-client",
    "rank-bm25",
    "sentence-transformers",
    "transformers",
    "torch",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", required=True, help="folder of .txt files")
    ap.add_argument("--queries", required=True, help="JSON: {'warmup': [text], 'timed': [[qid, text]]}")
    ap.add_argument("--model", required=True, help="folder of the sentence-transformers model")
    ap.add_argument("--store", required=True, help="Qdrant local path (created)")
    ap.add_argument("--k", type=int, default=30, help="chunks each retriever returns")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if os.environ.get("HF_HUB_OFFLINE") != "1":
        raise SystemExit("set HF_HUB_OFFLINE=1: the model must load from --model, never the hub")

    phases: dict[str, float] = {}
    t = time.time()
    from langchain_classic.retrievers import EnsembleRetriever
    from langchain_community.document_loaders import DirectoryLoader, TextLoader
    from langchain_community.retrievers import BM25Retriever
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_qdrant import QdrantVectorStore
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    phases["imports"] = time.time() - t

    t = time.time()
    embeddings = HuggingFaceEmbeddings(model_name=args.model)
    phases["model_load"] = time.time() - t

    t = time.time()
    docs = DirectoryLoader(args.docs, glob="*.txt", loader_cls=TextLoader).load()
    phases["load_files"] = time.time() - t

    t = time.time()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = splitter.split_documents(docs)
    phases["split"] = time.time() - t

    t = time.time()
    vectorstore = QdrantVectorStore.from_documents(
        chunks, embeddings, path=args.store, collection_name="scifact"
    )
    phases["embed_and_qdrant"] = time.time() - t

    t = time.time()
    bm25 = BM25Retriever.from_documents(chunks)
    bm25.k = args.k
    ensemble = EnsembleRetriever(
        retrievers=[bm25, vectorstore.as_retriever(search_kwargs={"k": args.k})], weights=[0.5, 0.5]
    )
    phases["bm25"] = time.time() - t
    ingest_end = time.time()

    queries = json.loads(Path(args.queries).read_text())
    for q in queries["warmup"]:
        ensemble.invoke(q)
    results = []
    for qid, text in queries["timed"]:
        t = time.perf_counter()
        hits = ensemble.invoke(text)
        ms = (time.perf_counter() - t) * 1000
        results.append({"qid": qid, "ms": ms, "sources": [h.metadata["source"] for h in hits]})

    from importlib.metadata import version

    import torch

    Path(args.out).write_text(
        json.dumps(
            {
                "script_started": STARTED,
                "ingest_end": ingest_end,
                "documents": len(docs),
                "chunks": len(chunks),
                "phases_s": {k: round(v, 2) for k, v in phases.items()},
                "torch_threads": torch.get_num_threads(),
                "versions": {name: version(name) for name in PACKAGES},
                "queries": results,
            }
        )
    )
    vectorstore.client.close()


if __name__ == "__main__":
    main()
