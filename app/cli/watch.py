"""``rag watch DIR``"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import console, print_json, runtime
from app.cli.ingest import print_sync
from ingest.listing import SourceUnreadable
from ingest.reconcile import reconcile
from ingest.sync import SyncReport
from ingest.watch import watch as watch_folder


def watch(
    folder: Annotated[Path, typer.Argument(help="The folder to keep in the index (recursive).")],
    tenant: Annotated[str | None, typer.Option(help="Tenant to ingest into (default: RAG_TENANT).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON summary per sync.")] = False,
) -> None:
    """Keep a folder in the index while it changes: new and changed files are ingested, deleted ones
    removed, within a second or so. Runs until interrupted (Ctrl-C)."""
    if not folder.is_dir():
        raise SourceUnreadable(f"no such folder: {folder}")
    stop = threading.Event()

    def report(r: SyncReport) -> None:
        if as_json:
            print_json(r.to_dict())
        elif r.ingest.outcomes or r.deleted:
            print_sync(r)

    with runtime() as rt:
        tenant = tenant or rt.settings.tenant
        reconcile(rt.store, rt.registry, full=True, leases=rt.leases)
        if not as_json:
            console.print(f"watching {folder.resolve()} (Ctrl-C to stop)")
        try:
            watch_folder(
                rt.ingestor,
                rt.sources,
                folder,
                tenant,
                stop,
                report,
                rt.settings.sources.watch_debounce_ms,
                rt.leases,
            )
        except KeyboardInterrupt:
            stop.set()
