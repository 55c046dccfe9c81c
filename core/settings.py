"""The one settings object. Environment variables use the prefix ``RAG_`` and ``__`` between a group and
its field, for example ``RAG_STORE__URL`` or ``RAG_CHUNKING__SIZE_TOKENS``. Nothing else reads the
environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.cpus import usable_cpus
from core.encode.sparse import AUTO, LANGUAGES
from core.errors import ConfigError
from core.language import BM25_NAMES

_TAGGED = frozenset(BM25_NAMES.values())  # BM25's languages that have an ISO 639-1 code for chunks

# Set before any library that phones home or reaches for a model hub is imported (see core.offline).
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
    # A Qdrant server: retries of calls sending twice cannot change (core.store.calls).
    read_retries: int = Field(
        3,
        ge=0,
        le=10,
        description="How often a read of a Qdrant server (search, count, scroll, facet, alias and "
        "collection info) is sent again after a refused, reset or timed-out connection or an HTTP "
        "502/503/504; 0: never. A write is sent again only when it never reached the server.",
    )
    retry_backoff_s: float = Field(
        0.2,
        ge=0,
        le=30,
        description="Pause before the first retry, doubled before each next one (with jitter).",
    )
    # Qdrant Edge: an HNSW graph is built only for a new index version (a re-index), in a child process,
    # because building it holds the whole process for minutes (core.store.edge_index).
    hnsw_min_points: int = Field(
        20_000,
        ge=0,
        description="A re-index builds an HNSW graph for its new version when it holds at least this many "
        "points; below, search stays exact (about 3 ms at 20k points). 0: always.",
    )
    hnsw_m: int = Field(16, ge=4, le=128, description="Edges per node of the HNSW graph (Qdrant's m).")
    hnsw_ef_construct: int = Field(
        100, ge=8, le=2000, description="Candidates while building the graph: higher is better and slower."
    )
    # Hybrid recall@10 against exact search (bench/scale.py): at 200k 0.996 with 256; at 1M 0.954 with
    # 256, 0.979 with 512, 0.985 with 1024 (p95 with the query's embedding: 8.7, 9.7, 16.1 ms).
    hnsw_ef: int = Field(
        1024, ge=10, le=10_000, description="Candidates while searching the graph (Qdrant's hnsw_ef)."
    )
    # int8 built the 200k graph several times faster than float32, at the same recall (bench/scale.py).
    quantization: Literal["none", "int8"] = Field(
        "int8",
        description="int8: also keep the dense vectors as 8-bit scalars, searched first and rescored with "
        "the originals (takes effect for versions built from now on).",
    )
    quantization_oversampling: float = Field(
        2.0, ge=1.0, le=16.0, description="Candidates fetched by the quantized search per result rescored."
    )
    index_timeout_s: float = Field(
        4 * 3600.0, gt=0, description="A graph build taking longer is stopped and the re-index fails."
    )
    # Points ingested after a version's graph was built go to a segment searched exactly: about 3 ms per
    # 20k points, so 100k of them beside a million would add ~15 ms to every search. A worker rebuilds the
    # graph (a re-index with optimize: a copy of the vectors, the graph built before the switch) once they
    # are both hnsw_min_points and this share of the graph's points: about a dozen rebuilds while an index
    # grows from 200k to a million points, each in the background.
    auto_optimize: bool = Field(
        True,
        description="A worker rebuilds the search graph (a re-index with optimize) when enough points were "
        "added since the last one (Qdrant Edge only: a server indexes new points itself).",
    )
    optimize_growth: float = Field(
        0.1,
        gt=0,
        le=10,
        description="Points added since the search graph was built, as a share of the points in it, that "
        "start an automatic rebuild (and at least hnsw_min_points of them).",
    )

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
    threads: int = Field(default_factory=lambda: min(usable_cpus(), 4), ge=1, le=256)
    max_seq_length: int = Field(256, ge=16, le=8192, description="Model window in tokens, incl. [CLS]/[SEP].")


# A token of prose is 4-5 characters in the embedding model's WordPiece: a character bound below this many
# per token would cut ordinary text by characters rather than by tokens.
MIN_CHARS_PER_TOKEN = 4
DEFAULT_MAX_CHUNK_CHARS = 2000
# The chunker keeps runs of one repeated character up to 128 characters long and needs room for two of
# them in a chunk (ingest.chunk refuses less).
MIN_CHUNK_CHARS = 256


class ChunkingSettings(BaseModel):
    size_tokens: int = Field(200, ge=16)
    overlap_tokens: int = Field(32, ge=0)
    # A WordPiece "word" over 100 characters is one [UNK] token: without a bound in characters a run of
    # 20 MiB of "x" was one chunk. 200 tokens of prose are about 1,000 characters.
    max_chars: int = Field(
        DEFAULT_MAX_CHUNK_CHARS,
        ge=MIN_CHUNK_CHARS,
        le=100_000,
        description="Longest chunk in characters, whatever its token count; also the most text a search "
        "or query response carries per hit (older, longer chunks are cut there and marked truncated).",
    )
    # Off by default: on 300 SciFact train queries (979 of its documents, ONNX int8) it moved hybrid DBSF
    # nDCG@10 by +0.0006 (50 candidates) and dense by -0.007: no gain worth rebuilding every index for,
    # where a document's first chunk already holds its title. See ingest.chunk.encoded_text.
    context_header: bool = Field(
        False,
        description="Encode each chunk (dense and BM25) under a header of its document's name and section "
        "path; what searches return and answers cite stays the chunk's own text. Changing it rebuilds "
        "documents on `rag reindex --incremental`.",
    )
    # Off: on SciFact train it lifted BM25 alone (nDCG@10 0.6908 -> 0.6984) and the hybrid search by at
    # most 0.004; the hybrid configuration train chose with it scored 0.7288 on test, below the 0.7332 of
    # the defaults (bench/retrieval_quality.py, issue 18).
    sparse_header: bool = Field(
        False,
        description="Index each chunk's BM25 terms under the same header (document name and section path) "
        "while the dense vector sees the chunk alone. Changing it rebuilds documents on "
        "`rag reindex --incremental`.",
    )

    @model_validator(mode="after")
    def _overlap_smaller(self) -> ChunkingSettings:
        if self.overlap_tokens >= self.size_tokens:
            raise ValueError("chunking.overlap_tokens must be smaller than chunking.size_tokens")
        if self.max_chars < MIN_CHARS_PER_TOKEN * self.size_tokens:
            raise ValueError(
                f"chunking.max_chars={self.max_chars} is too small for chunking.size_tokens="
                f"{self.size_tokens}: ordinary text needs about {MIN_CHARS_PER_TOKEN} characters per token "
                f"(at least {MIN_CHARS_PER_TOKEN * self.size_tokens})"
            )
        return self


class Bm25Settings(BaseModel):
    # k1 and b tuned on SciFact's train queries (bench/retrieval_quality.py). Retuned on all 809 (BM25
    # alone, 4 x 4 grid): 0.6/0.9 nDCG@10 0.6908, these 0.6881, the classic 1.2/0.75 0.6855; not worth
    # every existing index refusing to open (k1 and b are part of its meta) until re-indexed.
    # avg_len is the mean BM25 length (stemmed, stopword-free tokens) of 200-token chunks, 51 on SciFact.
    k1: float = Field(0.9, ge=0)
    b: float = Field(0.6, ge=0, le=1)
    avg_len: float = Field(60.0, gt=0, description="Average chunk length in BM25 tokens.")
    # Stopwords and stemmer: "auto" analyses each chunk in its own language and each question in its own
    # (core.encode.sparse); a language's name fixes one for every text, as before languages were told.
    language: str = Field(
        "auto", description="'auto' (each text in its own language) or one of core.encode.sparse.LANGUAGES."
    )
    default_language: str = Field(
        "english", description="With 'auto': the analysis of text too short or mixed to tell its language."
    )

    @field_validator("language", "default_language", mode="before")
    @classmethod
    def _known_language(cls, v: object, info: ValidationInfo) -> object:
        if not isinstance(v, str):
            return v
        name = v.strip().lower()
        if name not in _TAGGED and not (name == AUTO and info.field_name == "language"):
            raise ValueError(
                f"{v[:40]!r}{'…' if len(v) > 40 else ''} is not a supported language; "
                f"RAG_BM25__{info.field_name.upper()} must be "
                + ("'auto' or " if info.field_name == "language" else "")
                + "one of: "
                + ", ".join(n for n in LANGUAGES if n in _TAGGED)
            )
        return name


class RetrievalSettings(BaseModel):
    mode: Literal["hybrid", "dense", "sparse"] = "hybrid"
    # DBSF was best on SciFact's train queries, ahead of RRF with k=2 (bench/retrieval_quality.py).
    fusion: Literal["rrf", "dbsf", "weighted"] = "dbsf"
    rrf_k: int = Field(2, ge=1)
    dense_weight: float = Field(1.0, gt=0, description="Weight of the dense list in weighted RRF.")
    sparse_weight: float = Field(1.0, gt=0, description="Weight of the sparse list in weighted RRF.")
    # Candidates per list. On SciFact train (DBSF, all 809 queries) 100-400 beat 50 by up to 0.009 nDCG@10,
    # but the train choice did not carry to test (0.7288 and 0.7257 against 0.7332 for these defaults,
    # bench/retrieval_quality.py, issue 18): within the noise of 809 queries, so the cheaper 50 stays.
    prefetch_limit: int = Field(50, ge=1, le=10_000)
    top_k: int = Field(10, ge=1, le=1000)
    # Document aggregation: off. On SciFact train (DBSF, 200 candidates) weight 0.2 over 50 hits lifted
    # nDCG@10 from 0.7350 to 0.7421 (0.1: 0.7385, 0.5: 0.7330), but on test it was 0.7257 against 0.7332
    # without it and 50 candidates (bench/retrieval_quality.py, issue 18).
    doc_weight: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Document-level aggregation of a hybrid search: each chunk also scores this share of "
        "the best other chunk of its document among the first doc_window fused candidates (0: off).",
    )
    doc_window: int = Field(
        50, ge=1, le=10_000, description="Fused candidates the document aggregation re-orders."
    )


class IngestSettings(BaseModel):
    max_file_mb: float = Field(50.0, gt=0)
    batch_chunks: int = Field(128, ge=1, description="Chunks embedded together across documents.")
    registry_url: str | None = Field(None, description="SQLAlchemy URL; default: SQLite in the data dir.")
    # Parsing runs in child processes with hard limits (ingest.isolate), started when first needed.
    parse_workers: int | None = Field(
        None, ge=0, le=32, description="Parser processes; default: one per job worker; 0: in-process."
    )
    # Plain text, Markdown and CSV are parsed by our own linear, pure-Python code (ingest.formats):
    # a small one costs well under a millisecond in the calling process, where a trip to a parser process
    # costs more than the parse, and the first one would start a 500 MB process. Larger ones still go to
    # a parser process, whose memory and time limits bound what a 50 MB text can cost. The worst 256 KiB
    # measured (one-word list items or numbered lines; crafted long lines are held linear by
    # tests/test_formats.py) took well under a second; a real document of that size takes about 10 ms.
    # JSON stays in the parser process: its flattening can make far more text than the file holds.
    parse_inline_mb: float = Field(
        0.25,
        ge=0,
        description="Plain text, Markdown and CSV files up to this size are parsed in the calling "
        "process; larger ones and all other formats in a parser process. 0: always a parser process.",
    )
    # Documents of one ingestion run parsed ahead at once, each by its own parser process. Worth it for the
    # formats unstructured parses (PDF, Office, HTML, e-mail: 10-1000 ms each) once the embedding model
    # does not need every core; on 2 cores one is best (the model already uses both).
    parse_concurrency: int = Field(
        default_factory=lambda: max(1, min(4, usable_cpus() // 4)),
        ge=1,
        le=32,
        description="Documents one ingestion run parses at once; default a quarter of the cores (1 to 4).",
    )
    # A parser process weighs 400-700 MB with its libraries (unstructured imports torch and spaCy).
    parse_memory_mb: float = Field(
        1536.0, ge=512, description="A parser process using more memory (RSS) is killed: too_large."
    )
    # A 1,225-page book (3 MB of text) took 25-55 s on 2 busy cores.
    parse_timeout_s: float = Field(
        300.0, gt=0, description="A parse running longer (wall or CPU time) is killed: timeout."
    )
    # What a file may declare, checked before parsing (ingest.limits).
    max_expanded_mb: float = Field(
        200.0, gt=0, description="Most a zip container (.docx, .pptx) may expand to, per file and in total."
    )
    max_text_mb: float = Field(
        100.0, gt=0, description="Most text one document may yield (a parse returning more fails: too_large)."
    )
    max_archive_entries: int = Field(10_000, ge=1, description="Most files in a zip container.")
    max_compression_ratio: float = Field(
        200.0, ge=1, description="Highest compression ratio of a zip entry over 1 MB (bombs reach 1000:1)."
    )
    max_pdf_pages: int = Field(5_000, ge=1)
    # OCR (ingest.ocr) reads scanned PDF pages and images with Tesseract, where it is installed.
    ocr: bool = Field(True, description="Read scanned PDF pages and images (.png, .jpg, .tiff) by OCR.")
    ocr_languages: str = Field(
        "eng",
        pattern=r"^[a-z_]{3,12}(\+[a-z_]{3,12}){0,9}$",
        description="Tesseract's languages for OCR, joined by '+' (eng+fra+deu); each needs its "
        "tesseract-ocr-<lang> package.",
    )
    max_mime_parts: int = Field(1_000, ge=1, description="Most parts in an e-mail message.")
    max_nesting: int = Field(64, ge=2, le=200, description="Deepest nesting of JSON values and e-mail parts.")

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


class SourcesSettings(BaseModel):
    """Sources beyond uploads (ingest.sync): websites crawled, folders at fsspec URLs, watched folders."""

    # The crawler resolves every host it connects to and refuses private, loopback and link-local
    # addresses (cloud metadata at 169.254.169.254 included): a URL a user gives must not reach inside.
    allow_private: bool = Field(
        False, description="Let the crawler fetch private, loopback and link-local addresses (an intranet)."
    )
    max_depth: int = Field(2, ge=0, le=10, description="Links followed from a site's start page.")
    max_pages: int = Field(50, ge=1, le=10_000, description="Pages fetched per crawl.")
    max_page_mb: float = Field(10.0, gt=0, le=1024, description="Largest page or file fetched.")
    timeout_s: float = Field(15.0, gt=0, le=300, description="To connect, and between two reads.")
    crawl_delay_cap_s: float = Field(5.0, ge=0, le=60, description="Longest robots.txt Crawl-delay honoured.")
    crawl_time_s: float = Field(
        600.0,
        gt=0,
        le=86_400,
        description="Longest crawl of a sync over the API; pages not reached are left for the next.",
    )
    api_syncs: int = Field(2, ge=1, le=64, description="Website syncs over the API run at once per process.")
    watch_debounce_ms: int = Field(
        500, ge=50, le=60_000, description="rag watch: changes within this time are synced together."
    )


class ReindexSettings(BaseModel):
    threads: int = Field(
        1, ge=1, le=256, description="Embedding threads of a re-index: the other cores keep serving queries."
    )
    nice: int = Field(
        10, ge=0, le=19, description="CPU priority of the re-index thread below the serving threads (Linux)."
    )
    max_passes: int = Field(
        5, ge=1, le=100, description="Catch-up passes for writes made meanwhile, before the last one."
    )
    smoke_queries: int = Field(20, ge=0, le=1000, description="Documents the smoke check looks for.")
    smoke_min_rate: float = Field(
        0.8, ge=0, le=1, description="Share of smoke queries that must find their document, or no switch."
    )
    grace_s: float = Field(
        30.0, gt=0, description="Queries still running on the old version get this long before it closes."
    )
    drain_s: float = Field(
        300.0,
        gt=0,
        description="Before its switch, how long a re-index waits for documents other processes are "
        "writing (new writes wait meanwhile); past it the run fails and the served version stays.",
    )


class Price(BaseModel):
    """What a model costs, per million tokens, in whatever currency the operator bills in."""

    input_per_mtok: float = Field(0.0, ge=0)
    output_per_mtok: float = Field(0.0, ge=0)


class LlmSettings(BaseModel):
    provider: Literal["auto", "embedded", "openai", "extractive"] = Field(
        "auto",
        description="auto: openai when base_url is set, else the embedded SmolLM2 (demo quality); "
        "extractive: no generative model, answers are the evidence sentences quoted from the documents.",
    )
    base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1"
    )
    api_key: SecretStr | None = None
    model: str | None = Field(None, description="Model name sent to the endpoint (required with base_url).")
    timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(3, ge=0, le=10, description="Retries on 429, 5xx and connection errors.")
    temperature: float = Field(0.0, ge=0, le=2)
    max_tokens: int = Field(256, ge=1, description="Longest answer, in tokens.")
    context_window: int | None = Field(
        None, ge=512, description="Tokens the model sees at once; default 2048 embedded, 8192 endpoint."
    )
    budget_margin: float = Field(
        0.05, ge=0, lt=0.5, description="Share of the window kept free: counting is exact only for embedded."
    )
    threads: int = Field(default_factory=lambda: min(usable_cpus(), 2), ge=1, le=256)
    prices: dict[str, Price] = Field(default_factory=dict, description="Model name -> price per 1M tokens.")

    @field_validator("base_url", "model", mode="before")
    @classmethod
    def _empty_is_unset(cls, v: object) -> object:
        return None if v == "" else v  # compose passes unset variables as ""

    @model_validator(mode="after")
    def _endpoint_complete(self) -> LlmSettings:
        if self.provider == "openai" and not self.base_url:
            raise ValueError("llm.provider is 'openai' but RAG_LLM__BASE_URL is not set")
        if self.resolved_provider == "openai" and not self.model:
            raise ValueError("RAG_LLM__MODEL is required with an OpenAI-compatible endpoint")
        return self

    @property
    def resolved_provider(self) -> Literal["embedded", "openai", "extractive"]:
        if self.provider == "auto":
            return "openai" if self.base_url else "embedded"
        return self.provider

    @property
    def window(self) -> int:
        return self.context_window or (2048 if self.resolved_provider == "embedded" else 8192)


# Calibrated by bench/calibrate_refusal.py on SQuAD 2.0 dev (even articles; odd ones are held out): the
# highest retrieval confidence that still answers >= 98% of answerable questions. The answerability model
# (rag.answerability) decides above it.
REFUSAL_THRESHOLD = 0.42


class AnswerSettings(BaseModel):
    top_k: int = Field(8, ge=1, le=100, description="Chunks retrieved for an answer.")
    max_sources: int = Field(5, ge=1, le=50, description="Most sources put into the prompt.")
    dedup_jaccard: float = Field(
        0.8, gt=0, le=1, description="Chunks whose word sets overlap this much count as duplicates."
    )
    prompt: str = Field(
        "answer@1", description="Answer template: name@version (pinned), or a name for its newest version."
    )
    rewrite_prompt: str = Field("rewrite", description="Template that makes a follow-up standalone.")
    variants: dict[str, float] = Field(
        default_factory=dict,
        description='A/B test: {"answer@1": 0.5, "answer@2": 0.5}; sticky per conversation.',
    )
    prompts_dir: Path | None = Field(None, description="Extra prompt template files (*.toml).")
    history_turns: int = Field(3, ge=0, le=50, description="Earlier exchanges shown to the rewrite step.")
    refusal_threshold: float | None = Field(
        REFUSAL_THRESHOLD,
        ge=0,
        le=1,
        description="Refuse below this retrieval confidence before the answerability model is asked: the "
        "floor for questions nothing in the documents is close to (rag/refuse.py; null: the model alone).",
    )
    match_citations: bool = Field(
        True,
        description="Point uncited answer sentences that verification did not flag at the source that "
        "supports them (marked 'matched').",
    )
    on_unsupported: Literal["flag", "evidence", "refuse"] | None = Field(
        None,
        description="When a sentence of the model's answer is contradicted by or missing from its sources: "
        "flag (keep the answer, mark the sentences), evidence (answer with the quoted evidence instead; the "
        "draft stays in the trace) or refuse. Default: evidence for the embedded demo model, flag for an "
        "endpoint.",
    )
    evidence_sentences: int = Field(
        3, ge=1, le=10, description="Source sentences returned as extractive evidence with every answer."
    )
    answerability_model: Path | None = Field(
        None, description="Answerability model file (JSON); default: the packaged one."
    )
    answerability_threshold: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Refuse below this answerability score; default: the model file's operating point.",
    )
    conversations_url: str | None = Field(
        None, description="SQLAlchemy URL; default: SQLite in the data dir."
    )

    @model_validator(mode="after")
    def _variants_weighted(self) -> AnswerSettings:
        if self.variants and (min(self.variants.values()) < 0 or sum(self.variants.values()) <= 0):
            raise ValueError("answer.variants needs non-negative weights with a positive sum")
        return self


class MonitoringSettings(BaseModel):
    traces_url: str | None = Field(
        None, description="SQLAlchemy URL of the trace store; default SQLite in the data dir."
    )
    log_content: bool = Field(
        False,
        description="Store question and answer text, and the messages sent to the LLM, in traces (off by "
        "default; on in the local demo).",
    )
    retention_days: float = Field(30.0, gt=0, description="Traces older than this are deleted.")
    queue_size: int = Field(
        10_000, ge=1, description="Traces waiting to be written; beyond it they are dropped."
    )
    otel: bool = Field(False, description="Emit OpenTelemetry spans (GenAI semantic conventions).")
    # Drift: a recent window against a baseline window.
    baseline_days: float = Field(7.0, gt=0, description="Baseline window: the days before the recent window.")
    recent_hours: float = Field(24.0, gt=0, description="Recent window, ending now.")
    min_samples: int = Field(30, ge=5, description="Fewer queries than this in a window: no verdict.")
    centroid_max: float = Field(0.05, gt=0, description="Cosine distance of query-embedding centroids.")
    mmd_alpha: float = Field(
        0.01, gt=0, lt=1, description="Permutation-test p-value below which MMD says drift."
    )
    psi_max: float = Field(0.2, gt=0, description="Population stability index of the top-1 score.")
    ks_max: float = Field(0.2, gt=0, le=1, description="Kolmogorov-Smirnov statistic of the top-1 score.")
    refusal_delta_max: float = Field(0.1, gt=0, le=1, description="Change of the refusal rate.")
    # Slices (rag.monitor.slices, rag.monitor.slice_report): quality per group of questions, documents and
    # callers, each against the rest of the traffic.
    slice_doc_keys: list[str] = Field(
        default_factory=lambda: ["team", "language", "source"],
        description="Document metadata keys that make slices (doc.KEY), besides doc_type (the file "
        "extension), which is always on.",
    )
    slice_caller_keys: list[str] = Field(
        default_factory=list,
        description="Keys of the request's metadata (the caller's) that make slices (caller.KEY).",
    )
    slice_top_k: int = Field(
        3,
        ge=1,
        le=50,
        description="A trace's document slice is its top hit's; one without the key gives way to the next "
        "hit that has it, down to this rank.",
    )
    slice_min_samples: int = Field(
        30, ge=5, description="Fewer traces than this in a slice (or in the rest): no verdict."
    )
    slice_alpha: float = Field(
        0.01, gt=0, lt=1, description="False discovery rate (Benjamini-Hochberg) over slices x signals."
    )
    slice_min_rate_diff: float = Field(
        0.1, gt=0, le=1, description="Least difference of a rate (refusal, empty, thumbs up) to report."
    )
    slice_min_rank_effect: float = Field(
        0.3,
        gt=0,
        le=1,
        description="Least rank-biserial effect (Mann-Whitney) of a score (confidence, groundedness ...) "
        "to report.",
    )
    slice_window_hours: float = Field(
        168.0, gt=0, description="Window of the rag_slice_breach gauges (and the default of the report)."
    )
    slice_refresh_s: float = Field(
        300.0, ge=0, description="The rag_slice_breach gauges are recomputed at a scrape at most this often."
    )
    slice_max_series: int = Field(
        50, ge=1, le=1000, description="At most this many rag_slice_breach series (breaches only)."
    )


PII_ENTITIES = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "US_SSN",
    "US_PASSPORT",
    "US_ITIN",
    "US_DRIVER_LICENSE",
    "UK_NHS",
)


# What the PII engine (core.guard.pii_engine on Presidio and spaCy's small English model) can find.
PII_SUPPORTED = frozenset(
    {
        *PII_ENTITIES,
        "AGE",
        "CRYPTO",
        "DATE_TIME",
        "EMAIL",
        "ID",
        "LOCATION",
        "MAC_ADDRESS",
        "MEDICAL_LICENSE",
        "NRP",
        "ORGANIZATION",
        "URL",
        "US_BANK_NUMBER",
        "UUID",
    }
)


class GuardrailSettings(BaseModel):
    """Guards on what goes in and what comes out (core.guard, ingest.guard, rag.guardrails). Every one can
    be switched off; ``tenants`` overrides any of them for one tenant, e.g.
    ``RAG_GUARDRAILS__TENANTS='{"acme": {"deny_terms": ["project falcon"], "pii_in_answers": "mask"}}'``."""

    pii_entities: list[str] = Field(
        default_factory=lambda: list(PII_ENTITIES), description="Presidio entity types looked for."
    )
    pii_min_score: float = Field(
        0.5, ge=0, le=1, description="Presidio findings below this score are ignored."
    )
    pii_in_traces: Literal["off", "mask"] = Field(
        "mask",
        description="mask: question, answer, retrieved text and prompt are redacted in traces (content "
        "logging only; on the trace writer's thread, off the request path).",
    )
    pii_in_answers: Literal["off", "mask"] = Field("off", description="mask: PII in answers is replaced.")
    pii_at_ingest: Literal["off", "flag", "mask"] = Field(
        "off",
        description="flag: PII found in chunks is counted per document; mask: it is also replaced in the "
        "stored text (before embedding).",
    )
    injection: bool = Field(True, description="Score every chunk and question for prompt injection.")
    injection_threshold: float = Field(
        0.5, ge=0, le=1, description="A chunk or question scoring this or more is flagged."
    )
    injected_chunks: Literal["exclude", "quote", "allow"] = Field(
        "exclude",
        description="What a flagged chunk does in a prompt: left out, put in with a warning, or as any "
        "other.",
    )
    injected_questions: Literal["flag", "refuse"] = Field(
        "flag", description="flag: answer and record the flag; refuse: refuse with reason 'policy'."
    )
    output_checks: bool = Field(
        True,
        description="Check answers for the system prompt, secrets, PII missing from the cited sources and "
        "denied terms.",
    )
    deny_terms: list[str] = Field(
        default_factory=list,
        description="Terms or topics an answer must not contain (refused, reason policy).",
    )
    # Output checks, each on only when output_checks is (rag.output_checks).
    prompt_leak: bool = Field(
        True, description="Refuse (reason policy) an answer that repeats the system prompt's instructions."
    )
    prompt_leak_words: int = Field(
        10,
        ge=5,
        description="Words of the answer, in runs of five or more the instructions also hold, that make a "
        "leak.",
    )
    secrets: bool = Field(True, description="Redact API keys, tokens, private keys and passwords in answers.")
    output_pii: bool = Field(
        True, description="Redact PII in an answer that none of its cited sources holds."
    )
    tenants: dict[str, dict[str, object]] = Field(
        default_factory=dict, description="Tenant -> overrides of the fields above."
    )
    _per_tenant: dict[str, GuardrailSettings] = PrivateAttr(default_factory=dict)

    @field_validator("pii_entities")
    @classmethod
    def _known_entities(cls, v: list[str]) -> list[str]:
        names = [e.strip().upper() for e in v if e.strip()]
        unknown = [e for e in names if e not in PII_SUPPORTED]
        if unknown:
            shown = ", ".join(repr(e[:40]) for e in unknown[:5])
            raise ValueError(f"unknown PII entity type(s) {shown}; known: {', '.join(sorted(PII_SUPPORTED))}")
        return list(dict.fromkeys(names))

    @model_validator(mode="after")
    def _tenant_overrides_valid(self) -> GuardrailSettings:
        for tenant, overrides in self.tenants.items():
            unknown = set(overrides) - (set(type(self).model_fields) - {"tenants"})
            if unknown:
                raise ValueError(
                    f"guardrails.tenants.{tenant[:64]}: unknown setting(s) "
                    + ", ".join(sorted(u[:40] for u in unknown)[:10])
                )
            base = self.model_dump(exclude={"tenants"})
            try:
                self._per_tenant[tenant] = type(self).model_validate(base | overrides)
            except ValidationError as e:
                problems = "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors())
                raise ValueError(f"guardrails.tenants.{tenant[:64]}: {problems}") from None
        return self

    def for_tenant(self, tenant: str) -> GuardrailSettings:
        """These settings with ``tenant``'s overrides applied (validated once, at start-up)."""
        return self._per_tenant.get(tenant, self)


class ApiSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    auth: bool = Field(
        True, description="Require API keys. Off only on purpose (the local demo); the server warns."
    )
    # Two, where there are two cores: one tenant's book no longer holds everyone's small files, and one
    # job parses (a child process) while the other embeds. More do not ingest faster: each embedding
    # call already uses RAG_EMBEDDING__THREADS cores, and they would take the cores queries need.
    job_workers: int = Field(
        default_factory=lambda: max(1, min(2, usable_cpus())),
        ge=1,
        le=16,
        description="Ingestion jobs run at once (threads of the server); default 2, or 1 on one core.",
    )
    # One less than the workers: with two, one is always left for the other tenants, so one tenant's
    # slow files never hold up another's small one. Ingesting takes about as long with one worker as
    # with two on two cores (embedding already uses both), so one tenant loses little by it.
    job_workers_per_tenant: int | None = Field(
        None,
        ge=1,
        le=16,
        description="Ingestion jobs one tenant may run at once; default one less than "
        "RAG_API__JOB_WORKERS (at least 1). Its further jobs wait in line, queued.",
    )
    job_timeout_s: float = Field(
        900.0, gt=0, description="A job running longer than this fails (reason timeout) and is stopped."
    )
    job_grace_s: float = Field(
        10.0,
        gt=0,
        description="A cancelled or timed-out job's worker that is not back after this is replaced.",
    )
    shutdown_grace_s: float = Field(
        15.0,
        gt=0,
        description="On SIGTERM, open requests get this long to end before they are cut off and the "
        "service stops (a request waiting on a sync would otherwise hold the stop for minutes).",
    )
    tenant_quota_mb: float = Field(
        2048.0,
        gt=0,
        description="Original files a tenant's documents and jobs may keep, in MiB (a file shared by "
        "two tenants counts for each); an upload that would go over it is refused as a whole.",
    )
    heartbeat_s: float = Field(
        5.0,
        gt=0,
        description="How often a process renews its lease (RAG_CLUSTER__LEASE_S) and stamps its jobs.",
    )
    sse_ping_s: float = Field(
        15.0,
        gt=0,
        description="An event stream silent this long (retrieval, verification, a slow model) gets a "
        "keep-alive comment, so proxies do not close it.",
    )
    job_max_attempts: int = Field(
        3, ge=1, description="Crashes during a job it survives before it fails (a clean stop is none)."
    )
    blob_dir: Path | None = Field(
        None, description="Original uploads, for re-indexing; default <data_dir>/blobs."
    )
    max_files_per_upload: int = Field(20, ge=1, le=1000)
    wait_timeout_s: float = Field(
        300.0,
        gt=0,
        description="Longest ?wait=true waits for its jobs (and always less than the request timeout).",
    )
    request_timeout_s: float = Field(
        120.0, gt=0, description="Non-streaming requests end with 504 after this."
    )
    max_body_kb: int = Field(
        1024,
        ge=16,
        description="Request bodies other than uploads (questions, chats, MCP messages): larger get 413.",
    )
    rate_per_minute: float = Field(600.0, gt=0, description="Requests per minute per API key (token bucket).")
    rate_burst: int = Field(60, ge=1, description="Requests a key may make at once before the rate applies.")
    auth_fail_per_minute: float = Field(
        20.0, gt=0, description="Failed authentications per minute per client address; past them 429."
    )
    auth_fail_burst: int = Field(10, ge=1, description="Failed authentications an address may make at once.")
    run_jobs: bool = Field(
        True,
        description="The server also runs ingestion jobs, reconcile and re-indexes (one machine). False "
        "(rag serve --no-workers): it only serves; `rag worker` processes run them.",
    )
    processes: int = Field(
        1,
        ge=1,
        le=64,
        description="Server processes (uvicorn workers) of `rag serve`; more than one needs a Qdrant "
        "server (RAG_STORE__URL): Qdrant Edge's index belongs to one process.",
    )
    # Shared by processes on several hosts: originals and rate limits.
    blob_url: str | None = Field(
        None,
        description="Where originals are kept, as an fsspec URL (s3://bucket/prefix with s3fs installed, "
        "gs:// with gcsfs, file:///path); default the local RAG_API__BLOB_DIR, where uploads to a URL are "
        "also staged.",
    )
    rate_limits: Literal["memory", "database"] = Field(
        "memory",
        description="Where the rate limiters' token buckets live: memory (one process) or database "
        "(the registry's, shared by every API replica).",
    )

    @model_validator(mode="after")
    def _per_tenant_default(self) -> ApiSettings:
        if self.job_workers_per_tenant is None:
            self.job_workers_per_tenant = max(1, self.job_workers - 1)
        return self

    @property
    def tenant_quota_bytes(self) -> int:
        return int(self.tenant_quota_mb * 1024 * 1024)


class ClusterSettings(BaseModel):
    """Several processes on one registry (API replicas, workers): how long work stays theirs."""

    lease_s: float = Field(
        30.0,
        ge=2,
        description="A process whose heartbeat is older than this is taken for dead: another process "
        "takes over its jobs, in-flight documents and re-index. Keep it above a few heartbeats.",
    )
    poll_s: float = Field(
        1.0, gt=0, le=60, description="How often a worker looks in the database for queued jobs."
    )


class DbSettings(BaseModel):
    """Our databases' schemas (registry, conversations, traces), kept by migrations (``rag db upgrade``)."""

    auto_upgrade: bool = Field(
        True,
        description="Bring a database's schema up to date when a process opens it. Off: a process refuses a "
        "database that is behind, and `rag db upgrade` (a deployment step) upgrades it.",
    )


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
    reindex: ReindexSettings = ReindexSettings()
    sources: SourcesSettings = SourcesSettings()
    llm: LlmSettings = LlmSettings()
    answer: AnswerSettings = AnswerSettings()
    api: ApiSettings = ApiSettings()
    monitoring: MonitoringSettings = MonitoringSettings()
    guardrails: GuardrailSettings = GuardrailSettings()
    cluster: ClusterSettings = ClusterSettings()
    db: DbSettings = DbSettings()

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

    @model_validator(mode="after")
    def _processes_share_a_store(self) -> Settings:
        if self.api.processes > 1 and self.store.backend == "edge":
            raise ValueError(
                f"api.processes={self.api.processes} needs a Qdrant server (RAG_STORE__URL): the embedded "
                "index (Qdrant Edge) can be opened by one process only"
            )
        return self

    @model_validator(mode="after")
    def _beats_fit_lease(self) -> Settings:
        # Two missed heartbeats must not make a live process look dead.
        if self.api.heartbeat_s * 3 > self.cluster.lease_s:
            raise ValueError(
                f"api.heartbeat_s={self.api.heartbeat_s:g} is too long for cluster.lease_s="
                f"{self.cluster.lease_s:g}: a lease must last at least three heartbeats"
            )
        return self

    @property
    def registry_url(self) -> str:
        return self.ingest.registry_url or f"sqlite:///{self.data_dir / 'registry.sqlite'}"

    @property
    def traces_url(self) -> str:
        return self.monitoring.traces_url or f"sqlite:///{self.data_dir / 'traces.sqlite'}"

    @property
    def blob_dir(self) -> Path:
        return self.api.blob_dir or self.data_dir / "blobs"

    @property
    def conversations_url(self) -> str:
        return self.answer.conversations_url or f"sqlite:///{self.data_dir / 'conversations.sqlite'}"


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
