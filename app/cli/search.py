"""``rag search "question"`` and ``rag search --queries FILE`` (a run for evaluation)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from app.cli.common import console, print_json, runtime
from core.errors import RagError
from rag.retrieve import SearchResult

Mode = Literal["hybrid", "dense", "sparse"]
Fusion = Literal["rrf", "dbsf", "weighted"]


def search(
    question: Annotated[str | None, typer.Argument(help="The question.")] = None,
    queries: Annotated[
        Path | None, typer.Option(help="JSONL file of queries ({'_id', 'text'} per line, as BEIR) to run.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Where --queries writes its run (default: stdout).")
    ] = None,
    top_k: Annotated[int | None, typer.Option("--top-k", min=1, max=1000, help="Hits per query.")] = None,
    mode: Annotated[Mode | None, typer.Option(help="hybrid, dense or sparse.")] = None,
    fusion: Annotated[
        Fusion | None, typer.Option(help="Fusion of hybrid mode: rrf, dbsf or weighted.")
    ] = None,
    tenant: Annotated[str | None, typer.Option(help="Tenant to search (default: RAG_TENANT).")] = None,
    language: Annotated[
        list[str] | None, typer.Option(help="Only chunks in this language (ISO 639-1: en, fr); repeatable.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per hit.")] = False,
) -> None:
    """Search the index. With --queries, write a run: per query id, ranked documents with scores."""
    if (question is None) == (queries is None):
        raise RagError("give either a question or --queries FILE")
    with runtime() as rt:
        tenant = tenant or rt.settings.tenant
        if queries is not None:
            run = _run_queries(rt, queries, tenant, top_k, mode, fusion)
            text = json.dumps(run, ensure_ascii=False)
            if output is None:
                print(text)  # noqa: T201 - the command's output
            else:
                output.write_text(text)
                console.print(f"wrote a run of {len(run)} queries to {output}")
            return
        assert question is not None
        rt.retriever.warm_up()  # report search time, not model loading time
        result = rt.retriever.search(
            question, tenant=tenant, top_k=top_k, mode=mode, fusion=fusion, languages=language or ()
        )
        rt.recorder.search(result, question, tenant, metadata={"via": "cli"})
    if as_json:
        for h in result.hits:
            print_json(h.to_dict())
    else:
        _print_hits(result)


def _run_queries(rt, path: Path, tenant: str, top_k: int | None, mode: Mode | None, fusion: Fusion | None):  # noqa: ANN001, ANN202
    rt.retriever.warm_up()
    run: dict[str, list[dict]] = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
            qid, text = str(q["_id"]), str(q["text"])
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise RagError(f"{path}:{n}: expected a JSON object with '_id' and 'text': {e}") from e
        result = rt.retriever.search(text, tenant=tenant, top_k=top_k, mode=mode, fusion=fusion)
        run[qid] = [
            {"source": h.source, "doc_id": h.doc_id, "score": h.score, "rank": h.rank, "chunk_id": h.chunk_id}
            for h in result.hits
        ]
    return run


def _print_hits(result: SearchResult) -> None:
    if not result.hits:
        console.print("[yellow]no hits[/yellow] (is anything ingested for this tenant?)")
        return
    table = Table(show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("document", max_width=36)
    table.add_column("scores", no_wrap=True)
    table.add_column("text", ratio=1)
    for h in result.hits:
        where = h.source + (f"\np. {','.join(map(str, h.pages))}" if h.pages else "")
        if h.section:
            where += f"\n[dim]{h.section}[/dim]"
        scores = f"fused {h.score:.4f}"
        if h.dense_rank is not None:
            scores += f"\ndense #{h.dense_rank} {h.dense_score:.3f}"
        if h.sparse_rank is not None:
            scores += f"\nbm25 #{h.sparse_rank} {h.sparse_score:.2f}"
        text = " ".join(h.text.split())
        table.add_row(str(h.rank), where, scores, text if len(text) <= 400 else text[:397] + "...")
    console.print(table)
    timings = ", ".join(f"{k} {v:.1f} ms" for k, v in result.timings_ms.items())
    console.print(f"mode {result.mode}{' / ' + result.fusion if result.fusion else ''} · {timings}")
