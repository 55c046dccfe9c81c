"""Wiring: settings -> the objects that do the work, each built on first use (nothing at import time)."""

from __future__ import annotations

from functools import cached_property

from ingest.chunk import Chunker, TokenCounter
from ingest.embed import Embedder, SentenceTransformerEmbedder, packaged_model_path
from ingest.embed_onnx import OnnxEmbedder
from ingest.pipeline import Ingestor
from ingest.reconcile import reconcile
from ingest.registry import Registry
from ingest.sparse import Bm25Encoder
from rag.retrieve import Retriever
from rag.settings import Settings
from rag.store import IndexMeta, VectorStore, open_store


class Runtime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def model_path(self):  # noqa: ANN201 - Path
        return self.settings.embedding.model_path or packaged_model_path()

    @cached_property
    def embedder(self) -> Embedder:
        e = self.settings.embedding
        common = dict(dim=e.dim, batch_size=e.batch_size, threads=e.threads, max_seq_length=e.max_seq_length)
        if e.backend == "onnx-int8":
            cache = e.cache_dir or self.settings.data_dir / "models"
            return OnnxEmbedder(self.model_path, e.model_name, cache_dir=cache, **common)
        return SentenceTransformerEmbedder(self.model_path, e.model_name, **common)

    @cached_property
    def sparse(self) -> Bm25Encoder:
        b = self.settings.bm25
        return Bm25Encoder(k1=b.k1, b=b.b, avg_len=b.avg_len)

    @cached_property
    def chunker(self) -> Chunker:
        c = self.settings.chunking
        return Chunker(TokenCounter(self.model_path / "tokenizer.json"), c.size_tokens, c.overlap_tokens)

    @cached_property
    def index_meta(self) -> IndexMeta:
        b = self.settings.bm25
        return IndexMeta(
            embedding_model=self.settings.embedding.model_name,
            embedding_dim=self.settings.embedding.dim,
            embedding_backend=self.embedder.backend,
            bm25_k1=b.k1,
            bm25_b=b.b,
            bm25_avg_len=b.avg_len,
        )

    @cached_property
    def registry(self) -> Registry:
        return Registry(self.settings.registry_url)

    @cached_property
    def store(self) -> VectorStore:
        store = open_store(self.settings, self.index_meta)
        # A crash may have left a document half-written: settle it before anything reads the index.
        reconcile(store, self.registry)
        return store

    @cached_property
    def ingestor(self) -> Ingestor:
        return Ingestor(
            registry=self.registry,
            store=self.store,
            embedder=self.embedder,
            sparse=self.sparse,
            chunker=self.chunker,
            max_file_bytes=self.settings.ingest.max_file_bytes,
            batch_chunks=self.settings.ingest.batch_chunks,
        )

    @cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.store, self.embedder, self.sparse, self.settings.retrieval)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
        if "registry" in self.__dict__:
            self.registry.close()
