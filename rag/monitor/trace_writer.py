"""The trace writer: traces are written on a background thread behind a bounded queue, so monitoring never
slows an answer. A full queue drops the trace, counts it (``dropped``) and says so (``on_dropped``: the
``rag_traces_dropped`` metric). Traces past retention are purged as it goes."""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from core.db import utcnow
from rag.monitor.traces import Trace, TraceStore

log = logging.getLogger(__name__)

_STOP = object()


class TraceWriter:
    """Writes traces on a background thread. ``submit`` never blocks: a full queue drops the trace."""

    def __init__(
        self,
        store: TraceStore,
        *,
        prepare: Callable[[Any], Trace | None],
        queue_size: int = 10_000,
        retention: dt.timedelta = dt.timedelta(days=30),
        on_written: Callable[[Trace], None] | None = None,
        on_dropped: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.prepare = prepare
        self.retention = retention
        self.on_written = on_written
        self.on_dropped = on_dropped
        self.dropped = 0
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=queue_size)
        self._thread = threading.Thread(target=self._run, name="trace-writer", daemon=True)
        self._started = False
        self._written = 0

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def submit(self, item: Any) -> bool:
        try:
            self._queue.put_nowait(item)
            return True
        except queue.Full:
            self.dropped += 1
            log.warning("trace queue full: a trace was dropped (%d so far)", self.dropped)
            if self.on_dropped is not None:
                self.on_dropped()
            return False

    def flush(self, timeout_s: float = 30.0) -> None:
        """Wait until everything submitted so far is written (tests, shutdown)."""
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout_s)

    def close(self) -> None:
        if self._started:
            self._queue.put(_STOP)
            self._thread.join(timeout=30)

    def _run(self) -> None:
        self._purge()
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            try:
                trace = self.prepare(item)
                if trace is None:
                    continue
                self.store.write([trace])
                if self.on_written is not None:
                    self.on_written(trace)
            except Exception:  # noqa: BLE001 - monitoring must never take the service down
                log.exception("writing a trace failed")
                continue
            self._written += 1
            if self._written % 1000 == 0:
                self._purge()

    def _purge(self) -> None:
        try:
            n = self.store.purge(utcnow() - self.retention)
            if n:
                log.info("deleted %d traces past retention", n)
        except Exception:  # noqa: BLE001
            log.exception("purging old traces failed")
