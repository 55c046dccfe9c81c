"""``rag monitor summary|drift|prompts|slices|guardrails``: read the trace store (works while ``rag
serve`` runs)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated

import typer
from rich.table import Table

from app.cli.common import AsJson, console, handle_errors, print_json
from core import offline
from core.db import utcnow
from core.settings import load_settings
from rag.monitor import aggregate, guard_events
from rag.monitor.drift import check_windows
from rag.monitor.slice_report import report_window
from rag.monitor.traces import Trace, TraceStore

app = typer.Typer(
    help="Monitoring from the traces: quality summary, drift, prompt variants, slices, guardrail decisions.",
    no_args_is_help=True,
)
log = logging.getLogger("rag.monitor")

Tenant = Annotated[str | None, typer.Option(help="One tenant (default: all).")]
Hours = Annotated[float, typer.Option(help="Window: the last N hours.", min=0.01)]


def _store() -> tuple[TraceStore, object]:
    offline.set_env()
    settings = load_settings()
    return TraceStore(settings.traces_url, auto_upgrade=settings.db.auto_upgrade), settings


def _window(hours: float, tenant: str | None, **kw: str) -> list[Trace]:
    """The traces of the last ``hours`` (of ``tenant``, or all), read and the store closed."""
    store, _ = _store()
    try:
        return store.window(utcnow() - dt.timedelta(hours=hours), tenant=tenant, **kw)
    finally:
        store.close()


@app.command("summary")
@handle_errors
def summary(hours: Hours = 24, tenant: Tenant = None, as_json: AsJson = False) -> None:
    """Quality signals over the window: scores, refusals, citations, groundedness, feedback, cost."""
    s = aggregate.summary(_window(hours, tenant))
    if as_json:
        print_json(s)
        return
    table = Table("signal", "value", title=f"last {hours:g} h")
    for k, v in s.items():
        table.add_row(k, "–" if v is None else f"{v:.4f}" if isinstance(v, float) else str(v))
    console.print(table)


@app.command("drift")
@handle_errors
def drift(tenant: Tenant = None, as_json: AsJson = False) -> None:
    """Recent window against the baseline (RAG_MONITORING__*). Exit code 3 when drift is found."""
    store, settings = _store()
    try:
        report = check_windows(store, settings.monitoring, tenant=tenant)  # type: ignore[attr-defined]
    finally:
        store.close()
    for c in report.checks:
        if c.breach:
            log.warning("drift: %s = %.4f beyond %.4f (%s)", c.signal, c.value or 0.0, c.threshold, c.detail)
    if as_json:
        print_json(report.to_dict())
    else:
        console.print(
            f"{report.verdict}: baseline {report.baseline['n']} traces, recent {report.recent['n']} traces"
        )
        table = Table("signal", "value", "threshold", "breach", "how")
        for c in report.checks:
            table.add_row(
                c.signal,
                f"{c.value:.4f}" if c.value is not None else "–",
                f"{c.threshold:g}",
                "yes" if c.breach else "no",
                c.detail,
            )
        if report.checks:
            console.print(table)
    if report.verdict == "drift":
        raise typer.Exit(3)


@app.command("prompts")
@handle_errors
def prompts(hours: Hours = 24 * 7, tenant: Tenant = None, as_json: AsJson = False) -> None:
    """Prompt variants and models side by side: latency, tokens, cost, refusals, verified sentences,
    feedback."""
    rows = aggregate.prompts(_window(hours, tenant, kind="query"))
    if as_json:
        for row in rows:
            print_json(row)
        return
    # The widest view that fits a terminal; --json has every column (hash, p50, tokens in, feedback ...).
    cols = {
        "prompt": "prompt",
        "model": "model",
        "answers": "answers",
        "latency_ms_p95": "p95 ms",
        "tokens_out_mean": "tokens out",
        "cost": "cost",
        "refusal_rate": "refused",
        "sentences_supported_rate": "supported",
        "sentences_contradicted_rate": "contra-dicted",
        "sentences_unsupported_rate": "unsup-ported",
        "rating_mean": "rating",
    }
    table = Table(*cols.values())
    for row in rows:
        table.add_row(
            *(
                "–" if row[c] is None else f"{row[c]:.3f}" if isinstance(row[c], float) else str(row[c])
                for c in cols
            )
        )
    console.print(table if rows else "[yellow]no answers in this window[/yellow]")


_SLICE_SIGNALS = {
    "confidence": "confidence",
    "empty_rate": "empty",
    "refusal_rate": "refused",
    "unsupported_share": "unsupported",
    "groundedness": "grounded",
    "thumbs_up_rate": "thumbs up",
}


@app.command("slices")
@handle_errors
def slices(
    hours: Annotated[
        float | None,
        typer.Option(help="Window: the last N hours (default RAG_MONITORING__SLICE_WINDOW_HOURS).", min=0.01),
    ] = None,
    tenant: Tenant = None,
    breaches_only: Annotated[bool, typer.Option("--breaches", help="Only the slices in breach.")] = False,
    as_json: AsJson = False,
) -> None:
    """Quality per slice (document type and metadata, question language and length, caller) against the
    rest of the traffic. Exit code 3 when a slice is in breach."""
    store, settings = _store()
    try:
        report = report_window(store, settings.monitoring, hours=hours, tenant=tenant)  # type: ignore[attr-defined]
    finally:
        store.close()
    for key, value, signal in report.breaches():
        log.warning("slice %s=%r: %s worse than the rest", key, value, signal)
    rows = [s for s in report.slices if s.verdict == "breach" or not breaches_only]
    if as_json:
        print_json(report.to_dict() | {"slices": [s.to_dict() for s in rows]})
    else:
        console.print(
            f"{sum(s.verdict == 'breach' for s in report.slices)} slice(s) in breach "
            f"({len(report.breaches())} signal(s)) over {report.traces} traces "
            f"since {report.window['since']} ({report.settings['min_samples']} traces at least per slice, "
            f"Benjamini-Hochberg at "
            f"{report.settings['alpha']:g}); each cell: slice value / rest"
        )
        table = Table("slice", "traces", "verdict", *_SLICE_SIGNALS.values())
        for row in rows:
            checks = {c.signal: c for c in row.checks}
            table.add_row(
                f"{row.key}={row.value}",
                str(row.volume),
                row.verdict,
                *(_cell(checks[name]) for name in _SLICE_SIGNALS),
            )
        console.print(table if rows else "[yellow]no slices in this window[/yellow]")
    if report.breaches():
        raise typer.Exit(3)


def _cell(c) -> str:  # noqa: ANN001 - a SignalCheck
    if c.value is None:
        return "–"
    text = f"{c.value:.2f} / {c.rest:.2f}" if c.rest is not None else f"{c.value:.2f}"
    return f"[red]{text} ![/red]" if c.verdict == "breach" else text


@app.command("guardrails")
@handle_errors
def guardrails(hours: Hours = 24, tenant: Tenant = None, as_json: AsJson = False) -> None:
    """Guardrail decisions over the window: per guard, the traces it decided on, how many it flagged, and
    what it did (none, masked, redacted, excluded, quoted, recorded, refused)."""
    report = guard_events.guardrails(_window(hours, tenant))
    if as_json:
        print_json(report)
        return
    table = Table("guard", "target", "traces", "flagged", "flagged %", "actions", title=f"last {hours:g} h")
    for g in report["guards"]:
        actions = ", ".join(f"{a} {n}" for a, n in g["actions"].items())
        table.add_row(
            g["guard"],
            g["target"],
            str(g["traces"]),
            str(g["flagged"]),
            f"{100 * g['flagged_rate']:.1f}",
            actions,
        )
    console.print(table if report["guards"] else "[yellow]no guardrail decisions in this window[/yellow]")
