"""The ``rag`` command line: ingest, search, ask and manage documents. Thin: it turns arguments into calls."""

from __future__ import annotations

import typer

from app.cli import ask, db, docs, evaluate, ingest, keys, mcp, monitor, reindex, search, serve, watch, worker
from app.cli.common import handle_errors

app = typer.Typer(
    name="rag",
    help="Ask questions of your own documents: ingest files, search them, ask, manage the index.",
    no_args_is_help=True,
    # Help text is plain text: rich markup would swallow "[1]" and any other bracketed word.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
app.command("ingest")(handle_errors(ingest.ingest))
app.command("watch")(handle_errors(watch.watch))
app.command("search")(handle_errors(search.search))
app.command("ask")(handle_errors(ask.ask))
app.command("serve")(handle_errors(serve.serve))
app.command("worker")(handle_errors(worker.worker))
app.command("mcp")(handle_errors(mcp.mcp))
app.add_typer(keys.app, name="keys")
app.add_typer(monitor.app, name="monitor")
app.command("eval")(handle_errors(evaluate.evaluate))
app.add_typer(docs.app, name="docs")
app.add_typer(reindex.app, name="reindex")
app.add_typer(db.app, name="db")


def main() -> None:
    app()
