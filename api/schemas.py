"""Request and response models of the HTTP API (the OpenAPI schema is generated from these). A response
about a stored record (a job, a document, a re-index run) is validated from the record itself:
``JobOut.model_validate(job, from_attributes=True)``."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)


def _plain(v: Any) -> Any:
    """A record's datetime as ISO 8601 text (as ``datetime.isoformat``, the API's format), an enum as its
    value."""
    if isinstance(v, dt.datetime):
        return v.isoformat()
    return v.value if isinstance(v, enum.Enum) else v


Scalar = str | int | bool
Time = Annotated[str, BeforeValidator(_plain)]
EnumValue = Annotated[str, BeforeValidator(_plain)]
ID_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
# Beyond any registry a page can reach, and within the databases' 64-bit integers.
MAX_OFFSET = 1_000_000_000
QUESTION_CHARS = 4000  # a question, a search query: what a person types
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
MetadataKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    doc_ids: list[str] = Field(default_factory=list, max_length=1000, description="Only these documents.")
    metadata: dict[MetadataKey, Scalar] = Field(default_factory=dict, description="Metadata equal to these.")
    languages: list[LanguageCode] = Field(
        default_factory=list, max_length=40, description="Chunks in these languages (ISO 639-1: en, fr)."
    )


class SourceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=2048, description="The site's start page (http or https).")
    max_depth: int | None = Field(
        None, ge=0, le=10, strict=True, description="At most RAG_SOURCES__MAX_DEPTH."
    )
    max_pages: int | None = Field(
        None, ge=1, le=10_000, strict=True, description="At most RAG_SOURCES__MAX_PAGES."
    )


class SourceNote(BaseModel):
    url: str
    reason: str
    detail: str


class SourceSyncResponse(BaseModel):
    source: str
    added: int
    updated: int
    unchanged: int
    failed: int
    not_read: int = Field(description="Pages whose content had not changed since the last sync.")
    deleted: int = Field(description="Documents of pages gone since the last sync, deleted.")
    deleted_documents: list[str]
    chunks_written: int
    seconds: float
    documents: list[dict[str, Any]]
    notes: list[SourceNote] = Field(description="Pages reached but not taken, and why.")


class SyncRunOut(BaseModel):
    """A website sync (``POST /v1/sources``): running, then done with its report or failed with why."""

    id: str
    source: str = Field(description="The site's start page, as the source is remembered.")
    state: Literal["running", "done", "failed"]
    reason: str | None = Field(
        None,
        description="Why it failed, a code: the crawl's (fetch_failed, timeout, unsafe, bad_url), quota, "
        "busy (a sync of the site by the operator ran), storage (no room for its pages), stopped (the "
        "server stopped), abandoned (its end was never recorded), internal (see the server's log), failed.",
    )
    error: str | None = Field(None, description="Why it failed, in words.")
    created_at: dt.datetime
    finished_at: dt.datetime | None = None
    report: SourceSyncResponse | None = Field(None, description="What the sync did, once done.")


class QueryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=QUESTION_CHARS)
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
    query: str = Field(min_length=1, max_length=QUESTION_CHARS)
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
    language: str = Field(description="ISO 639-1 code of the chunk's language ('' if indexed before).")
    chunk_id: str
    dense_rank: int | None
    dense_score: float | None
    sparse_rank: int | None
    sparse_score: float | None
    text: str
    truncated: bool = Field(
        False, description="The text was cut to RAG_CHUNKING__MAX_CHARS (a chunk indexed before that bound)."
    )


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
    origin: Literal["model", "matched", "evidence"]
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


class SpanOut(BaseModel):
    text: str
    start: int = Field(description="Offset in the chunk's text.")
    end: int
    guess: bool = Field(description="Not a fact of the kind the question asks for: a hint, not an answer.")


class EvidenceOut(BaseModel):
    """A source sentence that answers the question, quoted with where it is."""

    text: str
    chunk_id: str
    doc_id: str
    source: str
    pages: list[int]
    section: str
    start: int = Field(description="The sentence's offset in the chunk's text.")
    end: int
    score: float
    similarity: float
    answer: SpanOut | None = Field(
        description="The short answer inside the sentence, when the question asks for one."
    )
    header: str | None = Field(
        description="For a table row, its table's header row: what the row's cells are."
    )


class QueryResponse(BaseModel):
    trace_id: str
    conversation_id: str
    question: str
    standalone_question: str
    answer: str
    refused: bool
    refusal: dict[str, str] | None
    confidence: dict[str, Any]
    answerability: dict[str, Any] | None = Field(
        description="The answerability model's score, threshold and features (None: nothing retrieved)."
    )
    citations: list[CitationOut]
    invalid_citations: list[int]
    uncited_sentences: list[str]
    verification: dict[str, Any] | None = Field(
        description="Each sentence of the answer checked against its sources: supported, contradicted, "
        "unsupported or unverifiable, with the spans compared."
    )
    policy: str | None = Field(
        description="What the answer policy did: kept, flagged, evidence (the draft was replaced by the "
        "quoted evidence) or refused."
    )
    draft: dict[str, Any] | None = Field(
        description="The model's draft and its verification, when the policy replaced or refused it."
    )
    evidence: list[EvidenceOut]
    sources: list[SourceOut]
    context: dict[str, Any] | None
    hits: list[HitOut]
    prompt: dict[str, Any] | None
    model: dict[str, Any]
    usage: UsageOut
    cost: float | None
    timings_ms: dict[str, float]
    steps: list[StepOut]
    guardrails: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Each guard's decision on this answer: guard, verdict (pass or flagged), action (none, "
        "masked, redacted, excluded, quoted, recorded, refused), score, reason, target, counts.",
    )


class JobOut(BaseModel):
    id: str
    document_id: str = Field(validation_alias=AliasChoices("document_id", "doc_id"))
    source: str
    state: Annotated[
        Literal["queued", "parsing", "ocr", "chunking", "embedding", "indexed", "failed"],
        BeforeValidator(_plain),
    ]
    progress: float
    outcome: str | None
    reason: str | None
    error: str | None
    chunks: int
    attempts: int
    created_at: Time
    started_at: Time | None
    heartbeat_at: Time | None
    finished_at: Time | None


class JobCancelled(BaseModel):
    was: Literal["queued", "running"] = Field(
        description="queued: it never started; running: it was told to stop and its worker freed."
    )
    job: JobOut


class UploadItem(BaseModel):
    document_id: str
    source: str
    status: Literal["queued", "unchanged", "indexed", "failed", "parsing", "ocr", "chunking", "embedding"]
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
    status: EnumValue
    error: str | None
    metadata: dict[str, Any]
    created_at: Time
    updated_at: Time
    guard: Annotated[dict[str, Any], BeforeValidator(lambda v: v or {})] = Field(
        default_factory=dict,
        description='The guards\' figures for the served version: {"injection": {"flagged": chunks, '
        '"max_score": 0..1}, "pii": {type: count}}; empty when nothing was screened.',
    )


class FlaggedChunk(BaseModel):
    chunk_id: str
    chunk_index: int | None
    score: float
    reasons: list[str]


class DocumentFlags(BaseModel):
    """A document's chunks the prompt-injection screen flagged (their text is not repeated here)."""

    document_id: str
    flagged: list[FlaggedChunk]


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


class ReindexRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    embedding_model: str | None = Field(
        None, min_length=1, max_length=200, description="Model name of the new version (default: configured)."
    )
    embedding_model_path: str | None = Field(
        None,
        min_length=1,
        max_length=1024,
        description="Server-side directory of that sentence-transformers model.",
    )
    embedding_backend: Literal["onnx-int8", "torch"] | None = None
    chunk_size: int | None = Field(None, ge=16, le=8192, description="Chunk size in tokens.")
    chunk_overlap: int | None = Field(None, ge=0, le=8191, description="Chunk overlap in tokens.")
    incremental: bool = Field(
        False, description="Rebuild only documents built with other settings; copy the rest."
    )
    optimize: bool = Field(
        False,
        description="Copy every document into a new version and build its search graph (HNSW), even if "
        "none needs rebuilding, when at least store.hnsw_min_points points are outside the served "
        "version's graph; queries are answered meanwhile. Workers also do it by themselves "
        "(store.auto_optimize).",
    )


class ReindexRun(BaseModel):
    id: str
    state: Annotated[Literal["running", "switched", "failed", "aborted"], BeforeValidator(_plain)]
    phase: str
    version: str = Field(description="The index version this run builds.")
    served_at_start: str | None = Field(description="The version served when it started (the previous one).")
    settings: dict[str, Any] = Field(validation_alias=AliasChoices("settings", "build"))
    fingerprint: str
    incremental: bool
    total: int
    done: int
    rebuilt: int
    copied: int
    chunks: int
    resumed: int = Field(description="Times it was continued after its process died.")
    docs_per_s: Annotated[float, AfterValidator(lambda v: round(v, 2))] = Field(
        validation_alias=AliasChoices("docs_per_s", "rate")
    )
    eta_s: float | None
    smoke: dict[str, Any]
    error: str | None
    started_at: Time
    heartbeat_at: Time
    finished_at: Time | None


class ReindexStart(BaseModel):
    run: ReindexRun | None = Field(description="None when an incremental run found nothing to rebuild.")
    detail: str


class IndexVersion(BaseModel):
    version: str
    served: bool
    embedding_model: str
    chunk_size: int | None
    fingerprint: str


class ReindexStatus(BaseModel):
    served: str | None
    problem: str | None = Field(description="Why the served version cannot be queried, if it cannot.")
    versions: list[IndexVersion]
    runs: list[ReindexRun]


class RollbackOut(BaseModel):
    served: str
    previous: str | None
