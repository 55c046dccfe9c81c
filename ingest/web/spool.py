"""Spool: the bodies a crawl keeps, in one unlinked temporary file rather than in memory. A crawl of
``max_pages`` pages of up to ``max_bytes`` each holds at most one page in memory at a time (the one
being fetched); the file is gone with the last document that reads from it."""

from __future__ import annotations

import os
import tempfile
import threading
import weakref
from dataclasses import dataclass

from core.errors import RagError


@dataclass(frozen=True)
class Span:
    offset: int
    length: int


class Spool:
    def __init__(self) -> None:
        # Unlinked as it is made (no name in the folder): nothing to clean up after a crash or a kill.
        try:
            self._file = tempfile.TemporaryFile(prefix="rag-crawl-")
        except OSError as e:
            where = tempfile.gettempdir()
            raise SpoolFailed(f"no temporary file for the crawl's pages under {where}: {e} (TMPDIR)") from e
        self._closed = weakref.finalize(self, self._file.close)  # closed with the last document using it
        self._end = 0
        self._lock = threading.Lock()

    def add(self, data: bytes) -> Span:
        with self._lock:
            span = Span(self._end, len(data))
            written = 0
            try:
                while written < len(data):  # os.pwrite may write less than asked
                    written += os.pwrite(self._file.fileno(), data[written:], span.offset + written)
            except OSError as e:
                raise SpoolFailed(
                    f"the crawl's pages could not be kept under {tempfile.gettempdir()} after "
                    f"{self._end + written} bytes: {e} (TMPDIR, or fewer RAG_SOURCES__MAX_PAGES)"
                ) from e
            self._end += len(data)
        return span

    def read(self, span: Span) -> bytes:
        data = os.pread(self._file.fileno(), span.length, span.offset)
        if len(data) != span.length:
            raise OSError(f"crawl spool: {len(data)} of {span.length} bytes read back")
        return data

    def close(self) -> None:
        self._closed()


class SpoolFailed(RagError):
    """The crawl's temporary file could not be made or written (a full disk): the crawl cannot go on."""
