"""The one settings object. Environment variables use the prefix ``RAG_`` and ``__`` between a group and
its field, for example ``RAG_STORE__URL`` or ``RAG_CHUNKING__SIZE_TOKENS``. Nothing else reads the
environment."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.errors import ConfigError

# Set before any library that phones home or reaches for a model hub is imported (see rag.offline).
OFFLINE_ENV = {
    "DO_NOT_TRACK": "1",
    "SCARF_NO_ANALYTICS": "true",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
}


class StoreSettings(BaseModel):
    backend: Literal["edge", "server"] = Field(
        "edge", description="edge: Qdrant Edge in-process under the data directory; server: a Qdrant server."
    )
    url: str | None = Field(None, description="Qdrant server URL; setting it selects the server backend.")
    api_key: SecretStr | None = None
    collection: str = Field("rag_chunks", pattern=r"^[A-Za-z0-9_-]{1,100}$")
    shard_number: int = Field(1, ge=1)
    replication_factor: int = Field(1, ge=1)
    write_consistency_factor: int = Field(1, ge=1)
    timeout_s: float = Field(30.0, gt=0)

    @model_validator(mode="after")
    def _url_selects_server(self) -> StoreSettings:
        if self.url and self.backend == "edge":
            self.backend = "server"
        if self.backend == "server" and not self.url:
            raise ValueError("store.backend is 'server' but RAG_STORE__URL is not set")
        if self.write_consistency_factor > self.replication_factor:
            raise ValueError("store.write_consistency_factor cannot exceed store.replication_factor")
        return self


class EmbeddingSettings(BaseModel):
    # onnx-int8 passed the equivalence gate against torch (tests/test_embed_onnx.py; docs/benchmarks.md).
    backend: Literal["onnx-int8", "torch"] = Field(
        "onnx-int8",
        description="onnx-int8: the model quantised, on ONNX Runtime; torch: sentence-transformers.",
    )
    cache_dir: Path | None = Field(
        None, description="Where the ONNX export is cached; default <data_dir>/models."
    )
    model_name: str = "sentence-transformers/all-MiniLM-L6-v2"
    dim: int = Field(384, ge=1, le=65536, description="Vector size the model produces.")
    model_path: Path | None = Field(
        None, description="Directory of a sentence-transformers model; default: the one packaged on PyPI."
    )
    # 16 was fastest on 2 cores for 200-token chunks (46 chunks/s, against 39 at 64): less padding.
    batch_size: int = Field(16, ge=1, le=4096)
    threads: int = Field(default_factory=lambda: min(os.cpu_count() or 1, 4), ge=1, le=256)
    max_seq_length: int = Field(256, ge=16, le=8192, description="Model window in tokens, incl. [CLS]/[SEP].")


class ChunkingSettings(BaseModel):
    size_tokens: int = Field(200, ge=16)
    overlap_tokens: int = Field(32, ge=0)

    @model_validator(mode="after")
    def _overlap_smaller(self) -> ChunkingSettings:
        if self.overlap_tokens >= self.size_tokens:
            raise ValueError("chunking.overlap_tokens must be smaller than chunking.size_tokens")
        return self


class Bm25Settings(BaseModel):
    # k1 and b tuned on SciFact's train queries (bench/retrieval_quality.py); avg_len is the mean BM25
    # length (stemmed, stopword-free tokens) of 200-token chunks, 51 on SciFact.
    k1: float = Field(0.9, ge=0)
    b: float = Field(0.6, ge=0, le=1)
    avg_len: float = Field(60.0, gt=0, description="Average chunk length in BM25 tokens.")
    language: Literal["english"] = "english"


class RetrievalSettings(BaseModel):
    mode: Literal["hybrid", "dense", "sparse"] = "hybrid"
    # DBSF was best on SciFact's train queries, ahead of RRF with k=2 (bench/retrieval_quality.py).
    fusion: Literal["rrf", "dbsf", "weighted"] = "dbsf"
    rrf_k: int = Field(2, ge=1)
    dense_weight: float = Field(1.0, gt=0, description="Weight of the dense list in weighted RRF.")
    sparse_weight: float = Field(1.0, gt=0, description="Weight of the sparse list in weighted RRF.")
    prefetch_limit: int = Field(50, ge=1, le=10_000)
    top_k: int = Field(10, ge=1, le=1000)


class IngestSettings(BaseModel):
    max_file_mb: float = Field(50.0, gt=0)
    batch_chunks: int = Field(128, ge=1, description="Chunks embedded together across documents.")
    registry_url: str | None = Field(None, description="SQLAlchemy URL; default: SQLite in the data dir.")

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RAG_", env_nested_delimiter="__", extra="ignore", validate_default=True
    )

    data_dir: Path = Path("./data")
    tenant: str = Field("default", pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="Tenant of CLI commands.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    store: StoreSettings = StoreSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    chunking: ChunkingSettings = ChunkingSettings()
    bm25: Bm25Settings = Bm25Settings()
    retrieval: RetrievalSettings = RetrievalSettings()
    ingest: IngestSettings = IngestSettings()

    @model_validator(mode="after")
    def _chunks_fit_model(self) -> Settings:
        # Two positions of the window go to [CLS] and [SEP]; a longer chunk would be cut silently.
        room = self.embedding.max_seq_length - 2
        if self.chunking.size_tokens > room:
            raise ValueError(
                f"chunking.size_tokens={self.chunking.size_tokens} does not fit the embedding model's "
                f"window of {self.embedding.max_seq_length} tokens (at most {room})"
            )
        return self

    @property
    def registry_url(self) -> str:
        return self.ingest.registry_url or f"sqlite:///{self.data_dir / 'registry.sqlite'}"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, turning validation errors into one readable ConfigError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as e:
        lines = []
        for err in e.errors():
            where = ".".join(str(p) for p in err["loc"]) or "settings"
            lines.append(f"  {where}: {err['msg']}")
        raise ConfigError("invalid settings (RAG_* environment variables):\n" + "\n".join(lines)) from e


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
