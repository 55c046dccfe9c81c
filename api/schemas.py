"""Request and response models of the HTTP API (the OpenAPI schema is generated from these)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Scalar = str | int | bool
ID_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
MetadataKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    doc_ids: list[str] = Field(default_factory=list, max_length=1000, description="Only these documents.")
    metadata: dict[MetadataKey, Scalar] = Field(default_factory=dict, description="Metadata equal to these.")


class QueryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=4000)
    conversation_id: str | None = Field(None, pattern=ID_PATTERN, description="Continue this conversation.")
    filters: Filters = Field(default_factory=Filters)
    top_k: int | None = Field(None, ge=1, le=100, description="Chunks retrieved (default RAG_ANSWER__TOP_K).")
    prompt: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_-]{1,64}(@[0-9]{1,6})?$", description="name@version"
    )
    stream: bool = Field(False, description="Server-Sent Events: token events, then one answer event.")
    metadata: dict[MetadataKey, Scalar] = Field(default_factory=dict, description="Stored with the trace.")

    @field_validator("question")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("the question is blank")
        return v


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=4000)
    top_k: int | None = Field(None, ge=1, le=1000)
    mode: Literal["hybrid", "dense", "sparse"] | None = None
    fusion: Literal["rrf", "dbsf", "weighted"] | None = None
    filters: Filters = Field(default_factory=Filters)
    metadata: dict[MetadataKey, Scalar] = Field(default_factory=dict, description="Stored with the trace.")

    @field_validator("query")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("the query is blank")
        return v


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    trace_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    rating: int = Field(ge=-1, le=5, description="-1/1 (thumbs) or 1-5 (stars); 0 for a comment only.")
    comment: str = Field("", max_length=4000)


class FeedbackResponse(BaseModel):
    trace_id: str
    recorded: bool


class HitOut(BaseModel):
    rank: int
    score: float
    doc_id: str
    source: str
    pages: list[int]
    section: str
    chunk_id: str
    dense_rank: int | None
    dense_score: float | None
    sparse_rank: int | None
    sparse_score: float | None
    text: str


class SearchResponse(BaseModel):
    trace_id: str
    mode: str
    fusion: str | None
    timings_ms: dict[str, float]
    hits: list[HitOut]


class SourceOut(BaseModel):
    n: int
    doc_id: str
    source: str
    pages: list[int]
    section: str
    chunk_id: str
    rank: int
    tokens: int
    truncated: bool


class CitationOut(SourceOut):
    origin: Literal["model", "matched"]
    sentences: list[int]
    similarity: float | None


class UsageOut(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    counted: bool


class StepOut(BaseModel):
    name: str
    latency_ms: float
    input: Any = None
    output: Any = None
    tokens_in: int
    tokens_out: int
    model: str | None


class QueryResponse(BaseModel):
    trace_id: str
    conversation_id: str
    question: str
    standalone_question: str
    answer: str
    refused: bool
    refusal: dict[str, str] | None
    confidence: dict[str, Any]
    citations: list[CitationOut]
    invalid_citations: list[int]
    uncited_sentences: list[str]
    sources: list[SourceOut]
    context: dict[str, Any] | None
    hits: list[HitOut]
    prompt: dict[str, Any] | None
    model: dict[str, Any]
    usage: UsageOut
    cost: float | None
    timings_ms: dict[str, float]
    steps: list[StepOut]


class JobOut(BaseModel):
    id: str
    document_id: str
    source: str
    state: Literal["queued", "parsing", "chunking", "embedding", "indexed", "failed"]
    progress: float
    outcome: str | None
    reason: str | None
    error: str | None
    chunks: int
    attempts: int
    created_at: str
    started_at: str | None
    heartbeat_at: str | None
    finished_at: str | None


class UploadItem(BaseModel):
    document_id: str
    source: str
    status: Literal["queued", "unchanged", "indexed", "failed", "parsing", "chunking", "embedding"]
    job: JobOut | None


class UploadResponse(BaseModel):
    documents: list[UploadItem]


class DocumentOut(BaseModel):
    id: str
    tenant: str
    source: str
    format: str
    size_bytes: int
    content_hash: str | None
    chunk_count: int
    status: str
    error: str | None
    metadata: dict[str, Any]
    created_at: str
    updated_at: str


class DocumentPage(BaseModel):
    items: list[DocumentOut]
    total: int
    limit: int
    offset: int


class ChunkOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    chunk_index: int | None = None
    text: str | None = None
    pages: list[int] | None = None
    section: str | None = None


class ChunkPage(BaseModel):
    document_id: str
    items: list[ChunkOut]


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = Field(default_factory=dict)
