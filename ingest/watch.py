"""Watch: a local folder kept in sync with the index while it changes (``rag watch DIR``). A sync on start,
then one per batch of changes watchfiles reports (inotify on Linux; changes within the debounce time
make one batch). Each sync is ``ingest.sync``'s: what changed is read, what is gone deleted, the rest
untouched, so a burst of events or a restart costs nothing twice."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

from core.lease import Leases
from ingest.listing import canonical, list_folder
from ingest.pipeline import Ingestor
from ingest.sourcestore import SourceStore
from ingest.sync import SourceBusy, SyncReport, sync

log = logging.getLogger(__name__)


def watch(
    ingestor: Ingestor,
    memory: SourceStore,
    folder: Path,
    tenant: str,
    stop: threading.Event,
    on_sync: Callable[[SyncReport], None],
    debounce_ms: int = 500,
    leases: Leases | None = None,
) -> None:
    """Sync ``folder`` now and after every batch of changes, until ``stop`` is set."""
    uri = canonical(str(folder))
    on_sync(sync(ingestor, memory, uri, tenant, list_folder(uri), leases=leases))
    for changes in watchfiles.watch(folder, stop_event=stop, debounce=debounce_ms, step=50, recursive=True):
        log.debug("%s: %d changes", folder, len(changes))
        try:
            on_sync(sync(ingestor, memory, uri, tenant, list_folder(uri), leases=leases))
        except SourceBusy:
            # Another process syncs the folder now (a second watcher, a `rag ingest` of it): it reads
            # what changed; the next change brings this one back in step anyway.
            log.info("%s: synced by another process meanwhile; this change is left to it", folder)
