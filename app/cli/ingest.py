"""``rag ingest PATH...``"""

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
from ingest.pipeline import IngestReport, Outcome, Source
from ingest.reconcile import reconcile
from ingest.sources import expand


def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders (recursive) or glob patterns.")],
    tenant: Annotated[str | None, typer.Option(help="Tenant to ingest into (default: RAG_TENANT).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary instead of tables.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Parse, chunk, embed and index documents. Unchanged files are skipped; changed ones replaced."""
    files = expand(paths)
    with runtime() as rt:
        tenant = tenant or rt.settings.tenant
        reconcile(rt.store, rt.registry, full=True, leases=rt.leases)
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
            disable=as_json or quiet,
        )

        def advance(o: Outcome) -> None:
            counts[o.status] += 1
            progress.update(task, advance=1, counts=" · ".join(f"{k} {v}" for k, v in counts.items() if v))

        with progress:
            task = progress.add_task("ingest", total=len(sources), counts="")
            report = rt.ingestor.ingest(sources, on_outcome=advance)
    if as_json:
        print_json(report.to_dict())
    else:
        _print_report(report)
    if report.failed:
        raise typer.Exit(1)


def _print_report(report: IngestReport) -> None:
    d = report.to_dict()
    console.print(
        f"[green]added {d['added']}[/green] · updated {d['updated']} · unchanged {d['unchanged']} · "
        f"[{'red' if d['failed'] else 'green'}]failed {d['failed']}[/] · "
        f"{d['chunks_written']} chunks written in {d['seconds']:.1f} s"
    )
    if report.failed:
        table = Table("file", "reason", "detail", title="failed", title_style="red", show_lines=False)
        for o in report.failed:
            table.add_row(o.source, o.reason or "", o.error or "")
        console.print(table)
