"""The served index: the ``VectorStore`` every reader and writer uses, standing for whichever index version
is current. A switch replaces the version under it in one step; calls already running finish on the
version they started on (it is closed only after a grace period), new calls see the new one.

It also guards against an index built with another embedding model or other BM25 settings than the
configured ones (``IndexMeta.check_compatible``): such an index is not queried, and every call says why
(``IndexMismatch``, also the readiness check's reason), while the service keeps running so an operator
can roll back or re-index.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from core.errors import IndexMismatch, StoreError
from core.store.base import IndexMeta, IndexVersions, VectorStore
from core.types import Hit, Point, SearchQuery

log = logging.getLogger(__name__)


class ServedIndex:
    def __init__(
        self,
        versions: IndexVersions,
        configured: IndexMeta,
        *,
        refresh_s: float = 2.0,
        grace_s: float = 30.0,
        on_follow: Callable[[IndexMeta], IndexMeta] | None = None,
    ) -> None:
        """``on_follow(meta)``: called when another process switched the served version (``meta``: the
        new one's), before it is opened here; returns what this process is configured with from now on
        (a replica adopts the settings the new version was built with)."""
        self.versions = versions
        self.on_follow = on_follow
        self.configured = configured
        self.refresh_s = refresh_s
        self.grace_s = grace_s
        self._store: VectorStore | None = None
        self._problem: IndexMismatch | None = None
        self._served: str | None = None
        self._lock = threading.RLock()
        self._checked = 0.0
        self._retired: dict[str, VectorStore] = {}
        self._timers: list[threading.Timer] = []

    @classmethod
    def open(
        cls,
        versions: IndexVersions,
        configured: IndexMeta,
        *,
        create: bool = True,
        grace_s: float = 30.0,
        on_follow: Callable[[IndexMeta], IndexMeta] | None = None,
    ) -> ServedIndex:
        served = cls(versions, configured, grace_s=grace_s, on_follow=on_follow)
        name = versions.current()
        if name is None:
            if not create:
                raise StoreError("there is no index yet: ingest documents first")
            name = versions.next_name()
            versions.create(name, configured).close()
            versions.switch(name)
        served._serve(name)
        return served

    # ---- which version is served -----------------------------------------------------------------

    @property
    def version(self) -> str:
        return self._served or "?"

    @property
    def meta(self) -> IndexMeta:
        return self._store.meta if self._store is not None else self.versions.read_meta(self.version)

    @property
    def problem(self) -> str | None:
        """Why the served version cannot be used, if it cannot."""
        return str(self._problem) if self._problem else None

    def _open(self, name: str) -> tuple[VectorStore | None, IndexMismatch | None]:
        """Version ``name`` opened if it was built with the configured embedding and BM25 settings, else
        why not."""
        meta = self.versions.read_meta(name)
        try:
            meta.check_compatible(self.configured, f"index version {name}")
        except IndexMismatch as e:
            log.error("%s", e)
            return None, e
        return self._retired.pop(name, None) or self.versions.open(name), None

    def _install(self, name: str, opened: tuple[VectorStore | None, IndexMismatch | None]) -> None:
        """Serve ``name``; the version served before is retired (closed after the grace period)."""
        old, old_name = self._store, self._served
        self._store, self._problem = opened
        self._served = name
        self._checked = time.monotonic()
        if old is not None and old_name is not None and old_name != name:
            self._retire(old_name, old)

    def _serve(self, name: str) -> None:
        with self._lock:
            self._install(name, self._open(name))

    def switch(self, name: str, configured: IndexMeta | None = None) -> None:
        """Make ``name`` the served version: opened first, then the pointer moved, then this process
        follows (a version that cannot be opened is never pointed at)."""
        with self._lock:
            if configured is not None:
                self.configured = configured
            opened = self._open(name)
            self.versions.switch(name)
            self._install(name, opened)
            log.info("now serving index version %s", name)

    def release(self, name: str) -> None:
        """Close a retired version now (before it is deleted)."""
        with self._lock:
            store = self._retired.pop(name, None)
        if store is not None:
            store.close()

    def _retire(self, name: str, store: VectorStore) -> None:
        self._retired[name] = store
        timer = threading.Timer(self.grace_s, self.release, args=(name,))
        timer.daemon = True
        timer.start()
        self._timers.append(timer)

    def _current(self) -> VectorStore:
        if self.versions.shared and time.monotonic() - self._checked > self.refresh_s:
            self._follow()
        store = self._store
        if store is None:
            raise self._problem or StoreError("no index version is served")
        return store

    def refresh(self) -> str:
        """Follow a switch another process made, now rather than within ``refresh_s``; the version
        served from now on."""
        if self.versions.shared:
            self._follow()
        return self.version

    def _follow(self) -> None:
        """Another process may have switched versions (a Qdrant server's alias): follow it."""
        with self._lock:
            self._checked = time.monotonic()
            name = self.versions.current()
            if name is not None and name != self._served:
                log.warning("index version switched elsewhere: %s -> %s", self._served, name)
                if self.on_follow is not None:
                    try:
                        self.configured = self.on_follow(self.versions.read_meta(name))
                    except Exception:  # noqa: BLE001 - then the version is checked against what we have
                        log.exception("could not adopt the settings index version %s was built with", name)
                self._serve(name)

    # ---- VectorStore, on the served version ----------------------------------------------------------

    def upsert(self, points: Sequence[Point]) -> None:
        self._current().upsert(points)

    def delete_document(self, tenant: str, doc_id: str, keep_hash: str | None = None) -> None:
        self._current().delete_document(tenant, doc_id, keep_hash)

    def count(self, tenant: str | None = None, doc_id: str | None = None, doc_hash: str | None = None) -> int:
        return self._current().count(tenant, doc_id, doc_hash)

    def doc_point_counts(self, tenant: str | None = None) -> dict[str, int]:
        return self._current().doc_point_counts(tenant)

    def tenants(self) -> list[str]:
        return self._current().tenants()

    def chunks(self, tenant: str, doc_id: str) -> list[dict[str, Any]]:
        return self._current().chunks(tenant, doc_id)

    def export_document(self, tenant: str, doc_id: str) -> list[Point]:
        return self._current().export_document(tenant, doc_id)

    def doc_counts_with(self, key: str, value: str) -> dict[tuple[str, str], int]:
        return self._current().doc_counts_with(key, value)

    def search(self, query: SearchQuery, timings: dict[str, float] | None = None) -> list[Hit]:
        return self._current().search(query, timings)

    def flush(self) -> None:
        self._current().flush()

    def close(self) -> None:
        with self._lock:
            for t in self._timers:
                t.cancel()
            for store in [*self._retired.values(), self._store]:
                if store is not None:
                    store.close()
            self._retired.clear()
            self._store = None
            self.versions.close()
