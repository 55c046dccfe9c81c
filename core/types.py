"""Plain data passed between the steps: parsed elements, chunks, stored points, search hits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SearchMode = Literal["hybrid", "dense", "sparse"]
FusionName = Literal["rrf", "dbsf", "weighted"]


@dataclass(frozen=True, slots=True)
class Element:
    """One parsed piece of a document (a paragraph, title, table, list item ...)."""

    text: str
    kind: str  # unstructured's category: Title, NarrativeText, Table, ListItem ...
    page: int | None = None
    depth: int = 0  # heading depth for titles (0 = top level)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of a document small enough for the embedding model, with what a citation needs."""

    index: int
    text: str
    pages: tuple[int, ...]
    section: str
    kinds: tuple[str, ...]
    n_tokens: int
    language: str = ""  # ISO 639-1 code of the language its BM25 vector was analysed in (core.language)


@dataclass(frozen=True, slots=True)
class SparseVec:
    indices: list[int]
    values: list[float]


@dataclass(slots=True)
class Point:
    """A chunk as stored: id, both vectors and the payload."""

    id: str
    dense: list[float]
    sparse: SparseVec
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SearchFilter:
    tenant: str
    doc_ids: tuple[str, ...] = ()
    metadata: tuple[tuple[str, str | int | bool], ...] = ()
    languages: tuple[str, ...] = ()  # chunks in one of these languages (ISO 639-1) only


@dataclass(frozen=True, slots=True)
class SearchQuery:
    dense: list[float] | None
    sparse: SparseVec | None
    filter: SearchFilter
    mode: SearchMode = "hybrid"
    fusion: FusionName = "rrf"
    rrf_k: int = 60
    weights: tuple[float, float] = (1.0, 1.0)
    prefetch_limit: int = 50
    limit: int = 10


@dataclass(slots=True)
class Hit:
    """One retrieved chunk with every score monitoring needs. Ranks are 1-based; None = not in that list."""

    chunk_id: str
    doc_id: str
    source: str
    text: str
    pages: list[int]
    section: str
    score: float
    rank: int
    language: str = ""  # "" for chunks indexed before languages were told
    dense_rank: int | None = None
    dense_score: float | None = None
    sparse_rank: int | None = None
    sparse_score: float | None = None
    payload: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "score": self.score,
            "doc_id": self.doc_id,
            "source": self.source,
            "pages": self.pages,
            "section": self.section,
            "language": self.language,
            "chunk_id": self.chunk_id,
            "dense_rank": self.dense_rank,
            "dense_score": self.dense_score,
            "sparse_rank": self.sparse_rank,
            "sparse_score": self.sparse_score,
            "text": self.text,
        }
