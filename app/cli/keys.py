"""``rag keys create|list|revoke``: API keys of the HTTP service, each bound to a tenant."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from app.cli.common import AsJson, console, handle_errors, print_json
from core.errors import RagError
from core.settings import load_settings

app = typer.Typer(help="API keys of the HTTP service.", no_args_is_help=True)


def _store():  # noqa: ANN202 - KeyStore
    from api.keys import KeyStore

    settings = load_settings()
    return KeyStore(settings.registry_url, auto_upgrade=settings.db.auto_upgrade)


@app.command("create")
@handle_errors
def create(
    tenant: Annotated[str, typer.Option(help="The tenant the key reads and writes.")],
    admin: Annotated[bool, typer.Option("--admin", help="May run admin operations (re-index).")] = False,
    name: Annotated[str, typer.Option(help="A label, e.g. who holds it.")] = "",
    as_json: AsJson = False,
) -> None:
    """Create a key. It is printed once: only its hash is stored."""
    import re

    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", tenant):
        raise RagError("a tenant is 1-64 letters, digits, '_', '.' or '-'")
    store = _store()
    try:
        key, who = store.create(tenant, admin=admin, name=name)
    finally:
        store.close()
    if as_json:
        print_json({"key": key, **who.to_dict()})
    else:
        console.print(f"key for tenant [bold]{tenant}[/bold]{' (admin)' if admin else ''}: {key}")
        console.print("[dim]store it now: it cannot be shown again[/dim]")


@app.command("list")
@handle_errors
def list_keys(as_json: AsJson = False) -> None:
    """Every key (id, tenant, admin, revoked); never the secrets."""
    store = _store()
    try:
        keys = store.list()
    finally:
        store.close()
    if as_json:
        for k in keys:
            print_json(k)
        return
    table = Table()
    for col in ("id", "tenant", "admin", "name", "created_at", "revoked"):
        table.add_column(col)
    for k in keys:
        table.add_row(*(str(k[c]) for c in ("id", "tenant", "admin", "name", "created_at", "revoked")))
    console.print(table)


@app.command("revoke")
@handle_errors
def revoke(key_id: Annotated[str, typer.Argument(help="The key's id (the part after 'rk_').")]) -> None:
    """Revoke a key: it stops working at once."""
    store = _store()
    try:
        if not store.revoke(key_id):
            raise RagError(f"no active key {key_id!r}")
    finally:
        store.close()
    console.print(f"revoked {key_id}")
