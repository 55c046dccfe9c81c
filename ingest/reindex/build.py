"""Build: the documents of a plan -> points in the new index version, each recorded in the checkpoint once
its points are written.

A document is rebuilt from its stored original (parse -> chunk -> embed, with the new settings), or, in
an incremental run, copied with its vectors from the served version when its points already carry the
new settings' fingerprint. Rebuilding runs the loop ingestion runs (``ingest.batch``), so a rebuilt
point is the one ingestion would write. The registry is only read: the served index is untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from core.errors import Cancelled, IngestError
from core.store.base import VectorStore
from ingest import batch
from ingest.batch import Built, Components, Parsed, parse_and_chunk
from ingest.blobs import BlobStore
from ingest.reindex.checkpoint import Checkpoints, DoneDoc
from ingest.reindex.plan import Key, Wanted
from ingest.tag_language import declared_language
from ingest.write import replace_points

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    doc: Wanted
    reason: str

    def __str__(self) -> str:
        return f"{self.doc.source} ({self.doc.tenant}): {self.reason}"


class _Flag:
    """``cancelled`` as the flag a parse watches: an abort or a pause kills a running parse at once."""

    def __init__(self, cancelled: Callable[[], bool]) -> None:
        self.is_set = cancelled


class Builder:
    def __init__(
        self,
        parts: Components,
        target: VectorStore,
        blobs: BlobStore,
        checkpoints: Checkpoints,
        run_id: str,
        *,
        copy_from: VectorStore | None = None,
    ) -> None:
        self.parts = parts
        self.target = target
        self.blobs = blobs
        self.checkpoints = checkpoints
        self.run_id = run_id
        self.copy_from = copy_from  # incremental: the served version, to copy up-to-date documents from

    def remove(self, stale: Sequence[Key]) -> None:
        for tenant, doc_id in stale:
            self.target.delete_document(tenant, doc_id)
            self.checkpoints.forget(self.run_id, tenant, doc_id)

    def build(
        self,
        docs: Sequence[Wanted],
        on_doc: Callable[[str], None],
        cancelled: Callable[[], bool] = lambda: False,
    ) -> list[Failure]:
        """Write ``docs`` into the target; ``on_doc`` gets "rebuilt", "copied" or "failed" per document."""
        failures: list[Failure] = []
        rebuild = list(docs)
        if self.copy_from is not None and docs:
            copyable = self.copy_from.doc_counts_with("fingerprint", self.parts.fingerprint)
            rebuild, copied = [], []
            for d in docs:
                if cancelled():
                    break
                n = self._copy(d) if copyable.get(d.key) == d.chunk_count else 0
                if n:
                    copied.append((d, n))
                else:
                    rebuild.append(d)
            for _ in self._record(copied, "copied"):
                on_doc("copied")
            if cancelled():
                return failures
        for item in self._rebuild(rebuild, cancelled):
            if isinstance(item, Failure):
                failures.append(item)
                on_doc("failed")
            else:
                on_doc("rebuilt")
        return failures

    def _copy(self, d: Wanted) -> int:
        """Copy the document's points from the served version: how many (0 if they are not all there)."""
        assert self.copy_from is not None
        points = [
            p
            for p in self.copy_from.export_document(d.tenant, d.doc_id)
            if p.payload.get("doc_hash") == d.content_hash
        ]
        if len(points) != d.chunk_count:
            return 0
        replace_points(self.target, d.tenant, d.doc_id, d.content_hash, points)
        return len(points)

    def _record(self, written: list[tuple[Wanted, int]], how: str) -> Iterator[Wanted]:
        """Record documents written into the target once it has flushed them: the checkpoint names only
        documents whose points are on disk (a resume after a crash of the machine writes the others)."""
        if written:
            self.target.flush()
        for d, n in written:
            self.checkpoints.record(
                self.run_id, d.tenant, d.doc_id, DoneDoc(d.content_hash, d.metadata, n), how
            )
            yield d

    def _prepare(self, d: Wanted, cancel: _Flag) -> Parsed[Wanted] | Failure:
        try:
            data = self.blobs.get(d.content_hash)
        except (OSError, ValueError) as e:
            log.warning("%s: stored original %s unreadable: %s", d.source, d.content_hash, e)
            return Failure(d, "the stored original file is missing or unreadable; ingest it again")
        try:
            language = declared_language(d.metadata)
            chunks = parse_and_chunk(
                self.parts.parser, self.parts.chunker, data, d.source, cancel=cancel, language=language
            )
        except IngestError as e:  # a cancelled parse too: the run stops before it looks at the failure
            return Failure(d, f"{e.reason}: {e}")
        return Parsed(d, d.tenant, d.doc_id, d.source, d.content_hash, d.metadata, chunks)

    def _rebuild(self, docs: Sequence[Wanted], cancelled: Callable[[], bool]) -> Iterator[Wanted | Failure]:
        flag = _Flag(cancelled)
        try:
            for item in batch.run(self.parts, (self._prepare(d, flag) for d in docs), flag):
                if isinstance(item, Failure):
                    yield item
                else:
                    yield from self._write(item)
        except Cancelled:  # the run sees the abort or pause and stops
            return

    def _write(self, built: list[Built[Wanted]]) -> Iterator[Wanted]:
        for b in built:
            replace_points(self.target, b.doc.tenant, b.doc.doc_id, b.doc.content_hash, b.points)
        return self._record([(b.doc.item, len(b.points)) for b in built], "rebuilt")
