"""Checks a new index version must pass before it is served: every document holds exactly the chunks the
checkpoint recorded for it (and nothing else is there), and a retrieval smoke check finds documents by
their own words, searched as the service will search them (the configured retriever, given by the host)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.store.base import VectorStore
from core.types import Hit
from ingest.reindex.checkpoint import DoneDoc
from ingest.reindex.plan import Key, Wanted, current

SMOKE_WORDS = 12
SMOKE_TOP_K = 10


class Search(Protocol):
    """A tenant's top hits for a question, in one index version (``app.runtime.Runtime.searcher``)."""

    def __call__(self, question: str, *, tenant: str, top_k: int) -> list[Hit]: ...


def count_problems(target: VectorStore, want: dict[Key, Wanted], done: dict[Key, DoneDoc]) -> list[str]:
    """What is wrong with the new version's contents, in words (empty when it is right)."""
    problems = [f"{w.source} ({w.tenant}) was not written" for k, w in sorted(want.items()) if k not in done]
    problems += [
        f"{want[k].source} ({k[0]}) holds an older version"
        for k in sorted(want.keys() & done.keys())
        if not current(done[k], want[k])
    ]
    for tenant in sorted({k[0] for k in want} | set(target.tenants())):
        counts = target.doc_point_counts(tenant)
        for doc_id, n in sorted(counts.items()):
            if (tenant, doc_id) not in want:
                problems.append(f"{n} points of a document that no longer exists ({tenant}/{doc_id})")
        for key in sorted(k for k in want if k[0] == tenant):
            expected = done.get(key)
            if expected is None:
                continue
            n = counts.get(key[1], 0)
            with_hash = target.count(tenant, key[1], expected.content_hash) if n else 0
            if n != expected.chunks or with_hash != expected.chunks:
                problems.append(
                    f"{want[key].source} ({tenant}): {n} points ({with_hash} of the current version), "
                    f"{expected.chunks} expected"
                )
    return problems


@dataclass
class SmokeResult:
    queries: int = 0
    found: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.found / self.queries if self.queries else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "queries": self.queries,
            "found": self.found,
            "rate": round(self.rate, 3),
            "misses": self.misses[:10],
        }


def sample(want: dict[Key, Wanted], n: int) -> list[Wanted]:
    """Up to ``n`` documents spread evenly over the (sorted) set: the same ones on every run."""
    docs = [w for _, w in sorted(want.items())]
    if len(docs) <= n:
        return docs
    step = len(docs) / n
    return [docs[int(i * step)] for i in range(n)]


def smoke_check(target: VectorStore, search: Search, docs: Sequence[Wanted]) -> SmokeResult:
    """Query the new version with the first words of one chunk of each document (the middle one), through
    ``search`` on it: the document should come back in the top 10."""
    result = SmokeResult()
    for d in docs:
        chunks = target.chunks(d.tenant, d.doc_id)
        if not chunks:
            continue
        words = str(chunks[len(chunks) // 2].get("text", "")).split()[:SMOKE_WORDS]
        if not words:
            continue
        text = " ".join(words)
        hits = search(text, tenant=d.tenant, top_k=SMOKE_TOP_K)
        result.queries += 1
        if any(h.doc_id == d.doc_id for h in hits):
            result.found += 1
        else:
            result.misses.append(f"{d.source} ({d.tenant}): {text!r}")
    return result
