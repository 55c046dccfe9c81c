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

from core.errors import RagError
from core.lease import Leases
from ingest.listing import SourceUnreadable, canonical, list_folder
from ingest.pipeline import Ingestor
from ingest.sourcestore import SourceStore
from ingest.sync import SourceBusy, SyncReport, sync

log = logging.getLogger(__name__)


def watch(
    ingestor: Ingestor,
    store: SourceStore,
    folder: Path,
    tenant: str,
    stop: threading.Event,
    on_sync: Callable[[SyncReport], None],
    debounce_ms: int = 500,
    leases: Leases | None = None,
) -> None:
    """Sync ``folder`` now and after every batch of changes, until ``stop`` is set."""
    uri = canonical(str(folder))
    list_folder(uri)  # a folder that is not there fails here, with its reason
    synced = False
    # The first sync runs at the watcher's first timeout, once it is watching: a file written while that
    # sync runs is then a change seen, not one missed. Later timeouts (no change) are passed over.
    for changes in watchfiles.watch(
        folder,
        stop_event=stop,
        debounce=debounce_ms,
        step=50,
        recursive=True,
        rust_timeout=1000,
        yield_on_timeout=True,
    ):
        if synced and not changes:
            continue
        log.debug("%s: %d changes", folder, len(changes))
        first, synced = not synced, True
        try:
            on_sync(sync(ingestor, store, uri, tenant, list_folder(uri), leases=leases))
        except SourceBusy:
            # Another process syncs the folder now (a second watcher, a `rag ingest` of it): it reads
            # what changed; the next change brings this one back in step anyway.
            log.info("%s: synced by another process meanwhile; this change is left to it", folder)
        except SourceUnreadable:
            raise  # the folder itself is gone: nothing left to watch
        except (RagError, OSError) as e:  # a document busy or a database hiccup: the next change retries
            if first:
                raise  # at the start: the command says why and stops
            log.warning("%s: this sync failed (%s); the next change syncs again", folder, e)
