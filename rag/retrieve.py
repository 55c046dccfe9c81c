"""Retrieve: a question -> hits, by hybrid (dense + BM25 fused in Qdrant), dense or sparse search."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.encode.dense import Embedder
from core.encode.sparse import Bm25Encoder
from core.errors import InvalidRequest
from core.language import CODES
from core.settings import RetrievalSettings
from core.store.base import VectorStore
from core.types import FusionName, Hit, SearchFilter, SearchMode, SearchQuery

METADATA_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Qdrant stores and filters integers as 64-bit: a larger one overflowed deep in the store (a 500 on
# search, a job failed 'internal' on upload), and 2**64 came back as a float.
INT64 = (-(2**63), 2**63 - 1)


def check_metadata(metadata: dict[str, Any], what: str) -> None:
    """Refuse metadata the index cannot hold: keys outside [A-Za-z0-9_-]{1,64}, integers beyond 64 bits."""
    bad = [k for k in metadata if not METADATA_KEY.fullmatch(k)]
    if bad:
        raise InvalidRequest(f"{what} keys must be 1-64 letters, digits, '_' or '-': {bad!r}")
    big = [k for k, v in metadata.items() if isinstance(v, int) and not INT64[0] <= v <= INT64[1]]
    if big:
        raise InvalidRequest(f"{what} integers must fit in 64 bits (-2**63 to 2**63-1): {big!r}")


def check_languages(languages: Sequence[str]) -> None:
    """Refuse a language filter no chunk can match (a name, "french", for the code "fr")."""
    bad = [code for code in languages if code not in CODES]
    if bad:
        raise InvalidRequest(
            f"unknown language codes {bad[:5]!r}: chunks are tagged with ISO 639-1 codes, one of "
            + ", ".join(CODES)
        )


@dataclass
class SearchResult:
    hits: list[Hit]
    mode: SearchMode
    fusion: FusionName | None
    timings_ms: dict[str, float] = field(default_factory=dict)
    query_vector: np.ndarray | None = field(default=None, repr=False)  # kept for monitoring (drift)

    @property
    def latency_ms(self) -> float:
        """The whole search: query encoding and the store ("search" holds the per-request timings' sum)."""
        t = self.timings_ms
        return round(t.get("embed_query", 0.0) + t.get("encode_sparse", 0.0) + t.get("search", 0.0), 3)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "fusion": self.fusion,
            "timings_ms": self.timings_ms,
            "hits": [h.to_dict() for h in self.hits],
        }


class Retriever:
    def __init__(
        self, store: VectorStore, embedder: Embedder, sparse: Bm25Encoder, settings: RetrievalSettings
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.sparse = sparse
        self.settings = settings

    def warm_up(self) -> None:
        """Load what the first search would otherwise wait for: the embedding model, the language detector."""
        self.embedder.warm_up()
        self.sparse.warm_up()

    def search(
        self,
        question: str,
        *,
        tenant: str,
        top_k: int | None = None,
        mode: SearchMode | None = None,
        fusion: FusionName | None = None,
        doc_ids: Sequence[str] = (),
        metadata: dict[str, str | int | bool] | None = None,
        languages: Sequence[str] = (),
    ) -> SearchResult:
        s = self.settings
        check_metadata(metadata or {}, "metadata filter")
        check_languages(languages)
        mode = mode or s.mode
        fusion = fusion or s.fusion
        top_k = top_k or s.top_k
        aggregate = mode == "hybrid" and s.doc_weight > 0
        timings: dict[str, float] = {}
        t = time.perf_counter()
        vector = self.embedder.embed_query(question) if mode in ("hybrid", "dense") else None
        dense = vector.tolist() if vector is not None else None
        timings["embed_query"] = _ms(t)
        t = time.perf_counter()
        sparse = self.sparse.embed_query(question) if mode in ("hybrid", "sparse") else None
        timings["encode_sparse"] = _ms(t)
        query = SearchQuery(
            dense=dense,
            sparse=sparse,
            filter=SearchFilter(
                tenant=tenant,
                doc_ids=tuple(doc_ids),
                metadata=tuple(sorted((metadata or {}).items())),
                languages=tuple(languages),
            ),
            mode=mode,
            fusion=fusion,
            rrf_k=s.rrf_k,
            weights=(s.dense_weight, s.sparse_weight),
            prefetch_limit=max(s.prefetch_limit, top_k),
            # Aggregation re-orders the first doc_window fused hits: it needs them all, with their payloads.
            limit=max(s.doc_window, top_k) if aggregate else top_k,
        )
        t = time.perf_counter()
        hits = self.store.search(query, timings)
        if aggregate:
            # The hits beyond the window keep the fused order: a deeper search ranks the same hits first.
            hits = (by_document(hits[: s.doc_window], s.doc_weight) + hits[s.doc_window :])[:top_k]
        timings["search"] = _ms(t)
        return SearchResult(
            hits=hits,
            mode=mode,
            fusion=fusion if mode == "hybrid" else None,
            timings_ms=timings,
            query_vector=vector,
        )


def by_document(hits: Sequence[Hit], weight: float) -> list[Hit]:
    """``hits`` (best first) re-ordered so that a document several of whose chunks were found rises: each
    chunk scores its own score plus ``weight`` times the best score of another chunk of its document in
    the list (a document's best chunk: best + weight * second best). Scores and ranks are rewritten to
    the new order; the dense and sparse ranks stay those of the lists that were fused."""
    top: dict[str, list[float]] = {}
    for h in sorted(hits, key=lambda h: -h.score):
        best = top.setdefault(h.doc_id, [])
        if len(best) < 2:
            best.append(h.score)
    for h in hits:
        best = top[h.doc_id]
        if h.score < best[0]:
            other = best[0]
        else:
            other = best[1] if len(best) > 1 else 0.0
        h.score += weight * other
    out = sorted(hits, key=lambda h: -h.score)  # stable: ties keep the fused order
    for rank, h in enumerate(out, 1):
        h.rank = rank
    return out


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)
