"""Per-document locks of this process: what an upload or replacement decides and what a delete decides
about one document are done one after the other, never interleaved. Without them a DELETE could find no
job, a PUT then create one, and the DELETE remove the document that job goes on to write again: both
answered 2xx, and the deleted document came back.

A fixed number of locks, a document taking the one its (tenant, id) hashes to: the memory stays the
same however many documents there are, and two documents sharing a lock only wait for each other a
moment (no file is received while one is held)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager


class DocLocks:
    def __init__(self, stripes: int = 256) -> None:
        self._locks = [threading.Lock() for _ in range(stripes)]

    @contextmanager
    def hold(self, tenant: str, doc_ids: Iterable[str]) -> Iterator[None]:
        """Hold the locks of these documents of ``tenant``, taken in one order (so two callers holding
        several never wait for each other in a circle), each once."""
        stripes = sorted({hash((tenant, d)) % len(self._locks) for d in doc_ids})
        with ExitStack() as held:
            for i in stripes:
                held.enter_context(self._locks[i])
            yield
