"""What the client returns: the fields a caller uses, typed, and ``raw`` (the whole JSON object) for the
rest, so a newer server's extra fields are never lost."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Job:
    id: str
    document_id: str
    source: str
    state: str  # queued, parsing, ocr, chunking, embedding, indexed, failed
    reason: str | None
    error: str | None
    chunks: int
    raw: dict[str, Any] = field(repr=False)

    @property
    def finished(self) -> bool:
        return self.state in ("indexed", "failed")

    @classmethod
    def of(cls, d: dict[str, Any]) -> Job:
        return cls(d["id"], d["document_id"], d["source"], d["state"], d.get("reason"), d.get("error"),
                   int(d.get("chunks", 0)), d)  # fmt: skip


@dataclass(frozen=True)
class Document:
    id: str
    source: str
    status: str  # indexing, indexed, failed, deleting
    chunk_count: int
    error: str | None
    metadata: dict[str, Any]
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def of(cls, d: dict[str, Any]) -> Document:
        return cls(d["id"], d["source"], d["status"], int(d.get("chunk_count", 0)), d.get("error"),
                   dict(d.get("metadata") or {}), d)  # fmt: skip


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    doc_id: str
    source: str
    pages: list[int]
    section: str
    text: str
    language: str  # ISO 639-1 code of the chunk's language; "" if indexed before languages were told
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def of(cls, d: dict[str, Any]) -> Hit:
        return cls(d["rank"], d["score"], d["doc_id"], d["source"], list(d.get("pages") or []),
                   d.get("section", ""), d.get("text", ""), d.get("language", ""), d)  # fmt: skip


@dataclass(frozen=True)
class SourceSync:
    """What a sync of a website did (``POST /v1/sources``)."""

    source: str
    added: int
    updated: int
    unchanged: int
    failed: int
    not_read: int  # pages whose content had not changed
    deleted: int  # documents of pages gone since the last sync
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def of(cls, d: dict[str, Any]) -> SourceSync:
        return cls(d["source"], d["added"], d["updated"], d["unchanged"], d["failed"], d["not_read"],
                   d["deleted"], d)  # fmt: skip


@dataclass(frozen=True)
class Citation:
    n: int
    doc_id: str
    source: str
    pages: list[int]
    section: str
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def of(cls, d: dict[str, Any]) -> Citation:
        return cls(d["n"], d["doc_id"], d["source"], list(d.get("pages") or []), d.get("section", ""), d)


@dataclass(frozen=True)
class Answer:
    answer: str
    refused: bool
    refusal: dict[str, str] | None  # reason and message, when refused
    citations: list[Citation]
    trace_id: str
    conversation_id: str
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def of(cls, d: dict[str, Any]) -> Answer:
        return cls(d["answer"], bool(d["refused"]), d.get("refusal"),
                   [Citation.of(c) for c in d.get("citations") or []], d["trace_id"], d["conversation_id"],
                   d)  # fmt: skip
