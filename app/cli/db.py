"""``rag db upgrade|current``: the schemas of our databases (registry, conversations, traces), kept by
migrations (core.migrations). Each process upgrades what it opens unless RAG_DB__AUTO_UPGRADE is off;
then ``rag db upgrade`` is a deployment step, run once before the new version's processes start."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy.engine import Engine

from app.cli.common import AsJson, console, handle_errors, print_json
from core import migrations
from core.db import make_engine
from core.settings import Settings, load_settings

app = typer.Typer(help="The schemas of the registry, conversation and trace databases.", no_args_is_help=True)


def _databases(settings: Settings) -> list[tuple[str, str]]:
    """(branch, URL) of each database; two may share one URL (each branch has its own version table)."""
    return [
        ("registry", settings.registry_url),
        ("conversations", settings.conversations_url),
        ("traces", settings.traces_url),
    ]


def _missing_sqlite_file(engine: Engine) -> bool:
    u = engine.url
    return u.get_backend_name() == "sqlite" and bool(u.database) and not Path(u.database).exists()


@app.command("upgrade")
@handle_errors
def upgrade(as_json: AsJson = False) -> None:
    """Bring each database's schema to this version's (creating the tables of a new one, adopting one an
    older version made). Idempotent: a database at head is left as it is."""
    done = []
    for branch, url in _databases(load_settings()):
        engine = make_engine(url, branch)
        try:
            before, after = migrations.upgrade_branch(engine, branch)
        finally:
            engine.dispose()
        done.append({"database": branch, "url": migrations.shown(url), "from": before, "to": after})
        if not as_json:
            what = f"already at {after}" if before == after else f"upgraded {before or 'nothing'} -> {after}"
            console.print(f"{branch} ({migrations.shown(url)}): {what}", soft_wrap=True, highlight=False)
    if as_json:
        print_json(done)


@app.command("current")
@handle_errors
def current(as_json: AsJson = False) -> None:
    """Each database's revision, and whether it is behind this version's."""
    rows = []
    for branch, url in _databases(load_settings()):
        engine = make_engine(url, branch)
        try:
            # A SQLite file not made yet stays so: reading it would create it.
            at = None if _missing_sqlite_file(engine) else migrations.current(engine, branch)
        finally:
            engine.dispose()
        head = migrations.HEADS[branch]
        rows.append(
            {
                "database": branch,
                "url": migrations.shown(url),
                "revision": at,
                "head": head,
                "behind": at != head and migrations.known(branch, at),
                "newer": not migrations.known(branch, at),
            }
        )
    if as_json:
        print_json(rows)
        return
    table = Table("database", "URL", "revision", "head", "state")
    for r in rows:
        state = (
            "[red]newer: made by a newer version; run that version[/red]"
            if r["newer"]
            else "[yellow]behind: rag db upgrade[/yellow]"
            if r["behind"]
            else "[green]at head[/green]"
        )
        table.add_row(r["database"], r["url"], r["revision"] or "none", r["head"], state)
    console.print(table)
