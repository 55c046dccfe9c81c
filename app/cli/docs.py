"""``rag docs list|show|flags|delete|reconcile``"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from api.schemas import DocumentOut
from app.cli.common import AsJson, console, handle_errors, print_json, runtime
from core.errors import DocumentNotFound
from ingest.guard import flagged_chunks
from ingest.reconcile import reconcile as run_reconcile
from ingest.registry import DocRecord, Status

app = typer.Typer(help="List, inspect and delete documents.", no_args_is_help=True)

DocId = Annotated[str, typer.Argument(help="Document id (see rag docs list).")]
Tenant = Annotated[str | None, typer.Option(help="Tenant (default: RAG_TENANT).")]


@app.command("list")
@handle_errors
def list_docs(
    tenant: Tenant = None,
    status: Annotated[Status | None, typer.Option(help="Only documents in this state.")] = None,
    as_json: AsJson = False,
) -> None:
    """List documents with their state and chunk count."""
    with runtime() as rt:
        docs = rt.registry.list(tenant=tenant or rt.settings.tenant, status=status)
    if as_json:
        print_json([_out(d) for d in docs])
        return
    table = Table("id", "source", "status", "chunks", "updated", "error")
    for d in docs:
        table.add_row(
            d.id,
            d.source,
            d.status.value,
            str(d.chunk_count),
            f"{d.updated_at:%Y-%m-%d %H:%M}",
            d.error or "",
        )
    console.print(table)
    console.print(f"{len(docs)} documents")


def _with_chunks(doc_id: str, tenant: str | None) -> tuple[DocRecord, list[dict[str, Any]]]:
    """A document's record and its stored chunks (payloads); an unknown document is an error."""
    with runtime() as rt:
        tenant = tenant or rt.settings.tenant
        doc = rt.registry.get(tenant, doc_id)
        if doc is None:
            raise _not_found(doc_id, tenant)
        return doc, rt.store.chunks(tenant, doc_id)


@app.command("show")
@handle_errors
def show(
    doc_id: DocId,
    tenant: Tenant = None,
    as_json: AsJson = False,
) -> None:
    """A document's record and its chunks."""
    doc, chunks = _with_chunks(doc_id, tenant)
    if as_json:
        print_json({**_out(doc), "chunks": [{k: v for k, v in c.items() if k != "metadata"} for c in chunks]})
        return
    console.print(_out(doc))
    for c in chunks:
        inj = (c.get("guard") or {}).get("injection") or {}
        flag = (
            f" · [red]flagged {inj['score']:.2f}: {', '.join(inj['reasons'])}[/red]"
            if inj.get("flagged")
            else ""
        )
        console.print(
            f"[bold]#{c['chunk_index']}[/bold] pages {c.get('pages')} · {c.get('section') or '-'}{flag}"
        )
        console.print(c["text"])


@app.command("flags")
@handle_errors
def flags(
    doc_id: DocId,
    tenant: Tenant = None,
    as_json: AsJson = False,
) -> None:
    """A document's chunks the prompt-injection screen flagged: id, index, score and reasons."""
    flagged = flagged_chunks(_with_chunks(doc_id, tenant)[1])
    if as_json:
        print_json({"document_id": doc_id, "flagged": flagged})
        return
    table = Table("chunk", "index", "score", "reasons")
    for f in flagged:
        table.add_row(f["chunk_id"], str(f["chunk_index"]), f"{f['score']:.2f}", ", ".join(f["reasons"]))
    console.print(table)
    console.print(f"{len(flagged)} flagged chunks")


@app.command("delete")
@handle_errors
def delete(
    doc_id: DocId,
    tenant: Tenant = None,
    as_json: AsJson = False,
) -> None:
    """Delete a document and all its chunks."""
    with runtime() as rt:
        tenant = tenant or rt.settings.tenant
        if not rt.delete_document(tenant, doc_id):
            raise _not_found(doc_id, tenant)
    if as_json:
        print_json({"deleted": doc_id})
    else:
        console.print(f"deleted {doc_id}")


@app.command("reconcile")
@handle_errors
def reconcile(as_json: AsJson = False) -> None:
    """Check the registry against the index and repair what a crash left behind."""
    with runtime() as rt:
        report = run_reconcile(rt.store, rt.registry, full=True, leases=rt.leases)
    if as_json:
        print_json(report.__dict__)
    else:
        console.print(report.__dict__ if report.changed else "registry and index agree")
        if report.skipped_full:
            console.print("another process is running the full check: only abandoned documents were settled")


def _out(doc: DocRecord) -> dict[str, Any]:
    """A document as the API shows it."""
    return DocumentOut.model_validate(doc, from_attributes=True).model_dump()


def _not_found(doc_id: str, tenant: str) -> DocumentNotFound:
    return DocumentNotFound(f"no document {doc_id!r} for tenant {tenant!r}")
