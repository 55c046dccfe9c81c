"""``rag eval``: retrieval metrics per mode (and prompt variants) on BEIR-format queries and qrels; with
``--baseline`` it is a CI gate that exits 1 when a metric dropped by more than ``--max-drop``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import console, runtime
from core.errors import RagError
from rag.evaluate import (
    load_qrels,
    load_queries,
    markdown,
    prompt_report,
    regressions,
    retrieval_report,
)


def evaluate(
    queries: Annotated[
        Path, typer.Option(help="queries.jsonl ({'_id', 'text'} per line).", exists=True, dir_okay=False)
    ],
    qrels: Annotated[
        Path, typer.Option(help="qrels TSV: query-id, corpus-id, score.", exists=True, dir_okay=False)
    ],
    modes: Annotated[
        str, typer.Option(help="Comma-separated: configured (as the settings say), hybrid, dense, sparse.")
    ] = "configured,hybrid,dense,sparse",
    k: Annotated[int, typer.Option(help="Depth of the run and of recall@k.", min=10, max=1000)] = 100,
    id_from: Annotated[
        str, typer.Option(help="Match qrels ids to: stem (file name without extension), source, doc_id.")
    ] = "stem",
    prompts: Annotated[
        str,
        typer.Option(
            help="Also compare these prompt templates (name@version, comma-separated): calls the LLM."
        ),
    ] = "",
    answer_sample: Annotated[int, typer.Option(help="Queries answered per prompt template.", min=1)] = 20,
    tenant: Annotated[str | None, typer.Option(help="Tenant to evaluate (default: RAG_TENANT).")] = None,
    output: Annotated[Path, typer.Option(help="JSON report.")] = Path("eval-report.json"),
    markdown_out: Annotated[
        Path | None, typer.Option("--markdown", help="Markdown report (default: beside the JSON).")
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            help="A previous JSON report: fail on regressions against it.", exists=True, dir_okay=False
        ),
    ] = None,
    max_drop: Annotated[float, typer.Option(help="Largest tolerated drop of any metric.", min=0)] = 0.01,
) -> None:
    """Evaluate retrieval (and optionally prompts) offline; the CI/CD quality gate."""
    wanted = [m.strip() for m in modes.split(",") if m.strip()]
    if not wanted or any(m not in ("configured", "hybrid", "dense", "sparse") for m in wanted):
        raise RagError("--modes takes configured, hybrid, dense and/or sparse")
    if id_from not in ("stem", "source", "doc_id"):
        raise RagError("--id-from takes stem, source or doc_id")
    q, r = load_queries(queries), load_qrels(qrels)
    with runtime() as rt:
        tenant = tenant or rt.settings.tenant
        rt.retriever.warm_up()
        report: dict = {
            "queries": len([x for x in q if x in r]),
            "settings": {
                "mode": rt.settings.retrieval.mode,
                "fusion": rt.settings.retrieval.fusion,
                "prefetch_limit": rt.settings.retrieval.prefetch_limit,
                "embedding": rt.settings.embedding.model_name,
                "backend": rt.settings.embedding.backend,
                "chunk_tokens": rt.settings.chunking.size_tokens,
            },
            "retrieval": retrieval_report(
                rt.retriever, q, r, tenant=tenant, modes=wanted, k=k, id_from=id_from
            ),  # type: ignore[arg-type]
        }
        names = [p.strip() for p in prompts.split(",") if p.strip()]
        if names:
            for name in names:
                rt.prompts.get(name)  # unknown templates fail before any LLM call
            report["prompts"] = prompt_report(rt.answerer, q, names, tenant=tenant, sample=answer_sample)
    if baseline is not None:
        found = regressions(report, json.loads(baseline.read_text()), max_drop)
        report["gate"] = {"baseline": str(baseline), "max_drop": max_drop, "regressions": found}
    output.write_text(json.dumps(report, indent=2))
    md = markdown_out or output.with_suffix(".md")
    md.write_text(markdown(report))
    console.print(markdown(report), markup=False, highlight=False)
    console.print(f"wrote {output} and {md}")
    if report.get("gate", {}).get("regressions"):
        console.print("[red]quality gate failed[/red]")
        raise typer.Exit(1)
