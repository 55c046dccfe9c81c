"""``rag ingest PATH|URL...``"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from app.cli.common import console, console_err, print_json, runtime
from app.runtime import Runtime
from ingest.listing import canonical, is_url, is_web, list_folder, list_site
from ingest.pipeline import IngestReport, Outcome, Source
from ingest.reconcile import reconcile
from ingest.sources import expand
from ingest.sync import SyncReport, sync


def ingest(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders (recursive), glob patterns, or sources to sync: a website (http:// or "
            "https://, crawled within RAG_SOURCES__*) or a folder at an fsspec URL (file://, s3://...)."
        ),
    ],
    tenant: Annotated[str | None, typer.Option(help="Tenant to ingest into (default: RAG_TENANT).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary instead of tables.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Parse, chunk, embed and index documents. Unchanged files are skipped; changed ones replaced. A URL
    is a source: synced, so that what is gone from it is deleted and what did not change is not read."""
    urls = [p for p in paths if is_url(p)]
    files = expand([p for p in paths if not is_url(p)])
    failed = False
    with runtime() as rt:
        tenant = tenant or rt.settings.tenant
        reconcile(rt.store, rt.registry, full=True, leases=rt.leases)
        if files:
            report = _ingest_files(rt, files, tenant, as_json or quiet)
            failed |= bool(report.failed)
            if as_json:
                print_json(report.to_dict())
            else:
                _print_report(report)
        for url in urls:
            synced = sync_source(rt, url, tenant)
            failed |= bool(synced.ingest.failed)
            if as_json:
                print_json(synced.to_dict())
            else:
                print_sync(synced)
    if failed:
        raise typer.Exit(1)


def sync_source(rt: Runtime, arg: str, tenant: str) -> SyncReport:
    uri = canonical(arg)
    if is_web(uri):
        listing = list_site(uri, rt.crawl_limits, rt.settings.sources.allow_private)
    else:
        listing = list_folder(uri)
    return sync(rt.ingestor, rt.sources, uri, tenant, listing, leases=rt.leases)


def print_sync(r: SyncReport) -> None:
    d = r.to_dict()
    console.print(
        f"[bold]{r.uri}[/bold]: [green]added {d['added']}[/green] · updated {d['updated']} · unchanged "
        f"{d['unchanged']} · not read {d['not_read']} · deleted {d['deleted']} · "
        f"[{'red' if d['failed'] else 'green'}]failed {d['failed']}[/]"
    )
    _print_failures(r.ingest)
    if r.notes:
        table = Table("page", "reason", "detail", title="not taken", show_lines=False)
        for n in r.notes[:50]:
            table.add_row(n["url"], n["reason"], n["detail"])
        console.print(table)


def _ingest_files(rt: Runtime, files: list, tenant: str, quiet: bool) -> IngestReport:
    sources = [Source.from_path(path, name, tenant) for path, name in files]
    counts = {"added": 0, "updated": 0, "unchanged": 0, "failed": 0}
    progress = Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console_err,
        disable=quiet,
    )

    def advance(o: Outcome) -> None:
        counts[o.status] += 1
        progress.update(task, advance=1, counts=" · ".join(f"{k} {v}" for k, v in counts.items() if v))

    with progress:
        task = progress.add_task("ingest", total=len(sources), counts="")
        return rt.ingestor.ingest(sources, on_outcome=advance)


def _print_report(report: IngestReport) -> None:
    d = report.to_dict()
    console.print(
        f"[green]added {d['added']}[/green] · updated {d['updated']} · unchanged {d['unchanged']} · "
        f"[{'red' if d['failed'] else 'green'}]failed {d['failed']}[/] · "
        f"{d['chunks_written']} chunks written in {d['seconds']:.1f} s"
    )
    _print_failures(report)


def _print_failures(report: IngestReport) -> None:
    if report.failed:
        table = Table("file", "reason", "detail", title="failed", title_style="red", show_lines=False)
        for o in report.failed:
            table.add_row(o.source, o.reason or "", o.error or "")
        console.print(table)
