"""The ``rag`` command line: ingest, search and manage documents. Thin: it turns arguments into calls."""

from __future__ import annotations

import logging
import sys

import typer

from rag.cli import docs, ingest, search
from rag.cli.common import console_err
from rag.errors import ConfigError, RagError

app = typer.Typer(
    name="rag",
    help="Ask questions of your own documents: ingest files, search them, manage the index.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("ingest")(ingest.ingest)
app.command("search")(search.search)
app.add_typer(docs.app, name="docs")


def main() -> None:
    try:
        app()
    except ConfigError as e:
        console_err.print(f"[red]configuration error:[/red] {e}")
        sys.exit(2)
    except RagError as e:
        logging.getLogger(__name__).debug("command failed", exc_info=True)
        console_err.print(f"[red]error:[/red] {e}")
        sys.exit(1)
