"""``rag reindex [options]``, ``rag reindex status|rollback|abort``.

With Qdrant Edge one process owns the data directory: while ``rag serve`` runs, re-index through
``POST /v1/admin/reindex`` instead (this command then says so)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.schemas import ReindexRun
from app.cli.common import AsJson, console, console_err, handle_errors, print_json, runtime
from app.runtime import Runtime
from core.errors import ReindexError
from core.store import describe_versions
from ingest.reindex.checkpoint import Checkpoints, Run, RunState
from ingest.reindex.options import Options, up_to_date
from ingest.reindex.run import Reindexer

app = typer.Typer(
    help="Rebuild the index with other settings beside the served one, then switch in one step.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@app.callback()
@handle_errors
def reindex(
    ctx: typer.Context,
    embedding_model: Annotated[
        str | None, typer.Option(help="Model name for the new version (default: the configured one).")
    ] = None,
    embedding_model_path: Annotated[
        Path | None, typer.Option(help="Directory of that sentence-transformers model (default: packaged).")
    ] = None,
    embedding_backend: Annotated[
        Literal["onnx-int8", "torch"] | None, typer.Option(help="Embedding runtime for the new version.")
    ] = None,
    chunk_size: Annotated[int | None, typer.Option(min=16, help="Chunk size in tokens.")] = None,
    chunk_overlap: Annotated[int | None, typer.Option(min=0, help="Chunk overlap in tokens.")] = None,
    incremental: Annotated[
        bool, typer.Option(help="Rebuild only documents built with other settings; copy the rest.")
    ] = False,
    optimize: Annotated[
        bool,
        typer.Option(
            help="Copy every document into a new version and build its search graph (HNSW) in a child "
            "process, then switch: for an index whose points outside its graph reached "
            "RAG_STORE__HNSW_MIN_POINTS (`rag serve` does it by itself: RAG_STORE__AUTO_OPTIMIZE)."
        ),
    ] = False,
    threads: Annotated[
        int | None,
        typer.Option(
            min=1, help="Embedding threads (default: all configured ones; RAG_REINDEX__THREADS on a server)."
        ),
    ] = None,
    as_json: AsJson = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Re-index every tenant's documents from their stored originals. Queries are answered from the
    current version until the new one is verified and switched to. A run that was killed is resumed."""
    if ctx.invoked_subcommand is not None:
        return
    opts = Options(
        embedding_model=embedding_model,
        embedding_model_path=embedding_model_path,
        embedding_backend=embedding_backend,
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        incremental=incremental,
        optimize=optimize,
    )
    with _reindexing() as (rt, checkpoints):
        _limit_threads(rt, threads)
        bar = _Bar(disabled=as_json or quiet)
        reindexer = Reindexer(rt, checkpoints, on_progress=bar.update)
        run = reindexer.resumable()
        if run is not None:
            if opts != Options(incremental=opts.incremental, optimize=opts.optimize):
                raise ReindexError(
                    f"re-index {run.id} was interrupted at {run.done} of {run.total} documents: run "
                    "`rag reindex` without options to resume it, or `rag reindex abort` first"
                )
            console_err.print(f"resuming re-index {run.id} ({run.done} of {run.total} documents done)")
        else:
            run = reindexer.start(opts)
        if run is None:
            _say(as_json, {"state": "up to date"}, up_to_date(opts))
            return
        with bar:
            run = reindexer.execute(run.id)
    _report(run, as_json, rt)
    if run.state != RunState.SWITCHED:
        raise typer.Exit(1)


@app.command()
@handle_errors
def status(as_json: AsJson = False) -> None:
    """The served version, the other versions, and recent re-index runs."""
    with _reindexing() as (rt, checkpoints):
        data = {
            "served": rt.versions.current(),
            "versions": describe_versions(rt.versions),
            "runs": [_out(r) for r in checkpoints.recent(10)],
        }
    if as_json:
        print_json(data)
        return
    table = Table("version", "served", "embedding model", "chunk size", "fingerprint")
    for v in data["versions"]:
        table.add_row(
            v["version"],
            "yes" if v["served"] else "",
            v["embedding_model"],
            str(v["chunk_size"]),
            v["fingerprint"],
        )
    console.print(table)
    runs_table = Table("run", "state", "phase", "version", "done", "started", "error")
    for r in data["runs"]:
        runs_table.add_row(
            r["id"][:8],
            r["state"],
            r["phase"],
            r["version"],
            f"{r['done']}/{r['total']}",
            r["started_at"][:19],
            r["error"] or "",
        )
    console.print(runs_table)


@app.command()
@handle_errors
def rollback(as_json: AsJson = False) -> None:
    """Serve the previous version again (caught up with documents changed since it was left)."""
    with _reindexing() as (rt, checkpoints):
        before = rt.versions.current()
        version = Reindexer(rt, checkpoints).rollback()
    _say(
        as_json, {"served": version, "previous": before}, f"rolled back: now serving {version} (was {before})"
    )
    _warn_settings(rt)


@app.command()
@handle_errors
def abort(
    run_id: Annotated[str | None, typer.Argument(help="Run id (default: the unfinished one).")] = None,
) -> None:
    """Stop a re-index: the served version stays, the partial one is removed."""
    with _reindexing() as (rt, checkpoints):
        run = checkpoints.unfinished() if run_id is None else checkpoints.get(run_id)
        if run is None:
            raise ReindexError("no unfinished re-index")
        run = Reindexer(rt, checkpoints).abort(run.id)
    console.print(f"re-index {run.id}: {run.state.value if run.finished else 'stopping'}")


def _limit_threads(rt: Runtime, threads: int | None) -> None:
    s = rt.settings
    default = s.reindex.threads if s.store.backend == "server" else s.embedding.threads
    reindex = s.reindex.model_copy(update={"threads": threads or default})
    rt.settings = s.model_copy(update={"reindex": reindex})


@contextmanager
def _reindexing() -> Iterator[tuple[Runtime, Checkpoints]]:
    """The runtime and the re-index checkpoints, both closed at the end."""
    with runtime() as rt:
        checkpoints = Checkpoints(rt.settings.registry_url, auto_upgrade=rt.settings.db.auto_upgrade)
        try:
            yield rt, checkpoints
        finally:
            checkpoints.close()


def _say(as_json: bool, data: dict[str, object], text: str) -> None:
    if as_json:
        print_json(data)
    else:
        console.print(text)


def _out(run: Run) -> dict[str, Any]:
    """A run as the API shows it."""
    return ReindexRun.model_validate(run, from_attributes=True).model_dump()


def _report(run: Run, as_json: bool, rt: Runtime) -> None:
    if as_json:
        print_json(_out(run))
        return
    if run.state == RunState.SWITCHED:
        console.print(
            f"[green]switched to {run.version}[/green] (was {run.served_at_start}): {run.total} documents, "
            f"{run.rebuilt} rebuilt, {run.copied} copied; smoke check {run.smoke.get('found')}/"
            f"{run.smoke.get('queries')}"
        )
        _warn_settings(rt)
    else:
        console_err.print(
            f"[red]re-index {run.state.value}:[/red] {run.error}; still serving {run.served_at_start}"
        )


def _warn_settings(rt: Runtime) -> None:
    """The served version's settings now differ from the environment's: say what to set."""
    from core.settings import load_settings

    env = load_settings()
    served = rt.settings
    if (
        env.embedding.model_name != served.embedding.model_name
        or env.embedding.backend != served.embedding.backend
    ):
        console_err.print(
            f"[yellow]note:[/yellow] the index now uses {served.embedding.model_name} "
            f"({served.embedding.backend}); set RAG_EMBEDDING__MODEL_NAME={served.embedding.model_name} "
            f"and RAG_EMBEDDING__BACKEND={served.embedding.backend}"
            + (
                f" and RAG_EMBEDDING__MODEL_PATH={served.embedding.model_path}"
                if served.embedding.model_path
                else ""
            )
            + " for the service, or it will refuse to query this index"
        )
    if env.chunking != served.chunking:
        console_err.print(
            f"[yellow]note:[/yellow] the index is chunked at {served.chunking.size_tokens} tokens "
            f"(overlap {served.chunking.overlap_tokens}); set RAG_CHUNKING__SIZE_TOKENS and "
            "RAG_CHUNKING__OVERLAP_TOKENS to match, or new documents are chunked differently"
        )


class _Bar:
    """A progress bar with counts, rate and ETA, fed by the run's progress."""

    def __init__(self, disabled: bool) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=console_err,
            disable=disabled,
        )
        self.task = self.progress.add_task("re-index", total=None, detail="")

    def __enter__(self) -> _Bar:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def update(self, run: Run) -> None:
        eta = f" · ETA {run.eta_s:.0f} s" if run.eta_s is not None else ""
        detail = f"rebuilt {run.rebuilt} · copied {run.copied} · {run.rate:.1f} docs/s{eta}"
        self.progress.update(
            self.task, description=run.phase, total=run.total or None, completed=run.done, detail=detail
        )
