"""Plan a pass: what the registry says the index should hold, against what the new version already holds
(the checkpoint) -> the documents still to write and the ones to remove. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ingest.registry import DocRecord, Status
from ingest.reindex.checkpoint import DoneDoc

Key = tuple[str, str]  # (tenant, document id)


@dataclass(frozen=True)
class Wanted:
    """A document as the registry has it: the version the new index must hold."""

    tenant: str
    doc_id: str
    source: str
    content_hash: str
    metadata: dict[str, Any]
    chunk_count: int  # in the served version

    @property
    def key(self) -> Key:
        return (self.tenant, self.doc_id)


@dataclass
class Plan:
    todo: list[Wanted] = field(default_factory=list)
    stale: list[Key] = field(default_factory=list)
    total: int = 0

    @property
    def done(self) -> int:
        return self.total - len(self.todo)


def wanted(docs: Iterable[DocRecord]) -> dict[Key, Wanted]:
    """Every document with a served version. One still being written keeps its served version here; the
    pass after its write lands (or the last one, which writes cannot overtake) picks the new one up."""
    out: dict[Key, Wanted] = {}
    for d in docs:
        if d.content_hash and d.status in (Status.INDEXED, Status.INDEXING):
            out[(d.tenant, d.id)] = Wanted(
                d.tenant, d.id, d.source, d.content_hash, d.metadata, d.chunk_count
            )
    return out


def current(done: DoneDoc, w: Wanted) -> bool:
    """Whether a document the new version holds is the one the registry wants now."""
    return done.content_hash == w.content_hash and done.metadata == w.metadata


def plan(want: dict[Key, Wanted], done: dict[Key, DoneDoc]) -> Plan:
    todo = [w for k, w in sorted(want.items()) if k not in done or not current(done[k], w)]
    stale = sorted(done.keys() - want.keys())
    return Plan(todo=todo, stale=stale, total=len(want))
