"""Offline evaluation, the CI/CD gate: BEIR-format queries and qrels -> nDCG@10, MRR@10 and recall@k per
retrieval mode (ranx), optionally answer-quality signals per prompt variant, as a JSON and a markdown
report; against a baseline report, any metric that dropped by more than ``max_drop`` is a regression.

Modes are hybrid, dense, sparse, or "configured" (the mode and fusion the settings select: the one to
gate a settings change on). A retrieved chunk counts for its document; a document's id in the qrels is
matched against the file name without its extension (``--id-from stem``, BEIR corpora ingested as
``<id>.txt``), the file name (``source``) or our document id (``doc_id``).
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from core.errors import InvalidRequest
from core.types import Hit, SearchMode
from rag.answer import Answerer
from rag.monitor.signals import answer_signals
from rag.retrieve import Retriever

IdFrom = Literal["stem", "source", "doc_id"]


def load_queries(path: Path) -> dict[str, str]:
    out = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if line.strip():
            try:
                q = json.loads(line)
                out[str(q["_id"])] = str(q["text"])
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                raise InvalidRequest(f"{path}:{n}: expected a JSON object with '_id' and 'text': {e}") from e
    return out


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        parts = line.split("\t")
        if n == 1 and parts[0] == "query-id" or not line.strip():
            continue
        if len(parts) != 3:
            raise InvalidRequest(f"{path}:{n}: expected 'query-id<TAB>corpus-id<TAB>score'")
        try:
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
        except ValueError as e:
            raise InvalidRequest(f"{path}:{n}: the score must be an integer") from e
    return qrels


def doc_key(hit: Hit, id_from: IdFrom) -> str:
    if id_from == "doc_id":
        return hit.doc_id
    if id_from == "source":
        return hit.source
    return Path(hit.source).stem


def retrieval_report(
    retriever: Retriever,
    queries: dict[str, str],
    qrels: dict[str, dict[str, int]],
    *,
    tenant: str,
    modes: Sequence[SearchMode | Literal["configured"]],
    k: int = 100,
    id_from: IdFrom = "stem",
) -> dict[str, dict[str, float]]:
    from numba.core.errors import NumbaWarning
    from ranx import Qrels, Run, evaluate

    judged = {q: t for q, t in queries.items() if q in qrels}
    if not judged:
        raise InvalidRequest("no query has relevance judgements: do the query ids match the qrels?")
    metrics = ["ndcg@10", "mrr@10", f"recall@{k}"]
    out: dict[str, dict[str, float]] = {}
    for mode in modes:
        run: dict[str, dict[str, float]] = {}
        t0 = time.perf_counter()
        for qid, text in judged.items():
            docs: dict[str, float] = {}
            # "configured": whatever RAG_RETRIEVAL__MODE and __FUSION say, so a gate can compare settings.
            as_set = None if mode == "configured" else mode
            for h in retriever.search(text, tenant=tenant, top_k=k, mode=as_set).hits:
                key = doc_key(h, id_from)
                docs[key] = max(docs.get(key, float("-inf")), float(h.score))  # a document is its best chunk
            run[qid] = docs or {"__none__": 0.0}
        with warnings.catch_warnings():
            # ranx's metrics compile with numba on first use, which warns about its own casts.
            warnings.simplefilter("ignore", NumbaWarning)
            scores = evaluate(Qrels({q: qrels[q] for q in judged}), Run(run), metrics)
        out[mode] = {m: round(float(v), 6) for m, v in scores.items()}
        out[mode]["queries"] = len(judged)
        out[mode]["ms_per_query"] = round((time.perf_counter() - t0) * 1000 / len(judged), 3)
    return out


def prompt_report(
    answerer: Answerer, queries: dict[str, str], prompts: Sequence[str], *, tenant: str, sample: int
) -> dict[str, dict[str, Any]]:
    """Answer-quality signals per prompt template on the first ``sample`` queries (needs the LLM)."""
    out: dict[str, dict[str, Any]] = {}
    items = list(queries.values())[:sample]
    for prompt in prompts:
        rows = []
        for text in items:
            a = answerer.ask(text, tenant=tenant, prompt=prompt)
            s = answer_signals(a, answerer.embedder)
            rows.append((a, s))
        n = len(rows) or 1

        def mean(values: list[float | None]) -> float | None:
            v = [x for x in values if x is not None]
            return round(sum(v) / len(v), 6) if v else None

        out[prompt] = {
            "answers": len(rows),
            "refusal_rate": round(sum(a.refused for a, _ in rows) / n, 6),
            "citation_coverage": mean([s["citation_coverage"] for _, s in rows]),
            "groundedness": mean([s["groundedness"] for _, s in rows]),
            "sentences_supported": _share([s["verdicts"] for _, s in rows], "supported"),
            "sentences_flagged": _share([s["verdicts"] for _, s in rows], "contradicted", "unsupported"),
            "latency_ms_mean": mean([a.timings_ms["total"] for a, _ in rows]),
            "tokens_in_mean": mean([a.usage.prompt_tokens for a, _ in rows]),
            "tokens_out_mean": mean([a.usage.completion_tokens for a, _ in rows]),
        }
    return out


def _share(verdicts: list[dict[str, int] | None], *wanted: str) -> float | None:
    """Share of all the checked answer sentences whose verdict is one of ``wanted``."""
    counts = [v for v in verdicts if v]
    total = sum(sum(v.values()) for v in counts)
    return round(sum(v.get(w, 0) for v in counts for w in wanted) / total, 6) if total else None


GATED = ("ndcg@10", "mrr@10")  # plus every recall@k


def regressions(report: dict[str, Any], baseline: dict[str, Any], max_drop: float) -> list[str]:
    """Every retrieval metric that fell by more than ``max_drop`` against the baseline report."""
    found = []
    for mode, metrics in baseline.get("retrieval", {}).items():
        current = report.get("retrieval", {}).get(mode)
        if current is None:
            found.append(f"{mode}: in the baseline but not evaluated now")
            continue
        for name, before in metrics.items():
            if name in GATED or name.startswith("recall@"):
                now = current.get(name)
                if now is None or before - now > max_drop:
                    shown = "missing" if now is None else f"{now:.4f}"
                    found.append(f"{mode} {name}: {before:.4f} -> {shown} (max drop {max_drop})")
    return found


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Evaluation",
        "",
        f"{report['queries']} queries with judgements; settings: `{report['settings']}`",
        "",
    ]
    retrieval = report["retrieval"]
    metric_names = [m for m in next(iter(retrieval.values())) if m not in ("queries",)]
    lines += ["| mode | " + " | ".join(metric_names) + " |", "| --- " * (len(metric_names) + 1) + "|"]
    for mode, metrics in retrieval.items():
        lines.append(
            f"| {mode} | "
            + " | ".join(
                f"{metrics[m]:.4f}" if isinstance(metrics[m], float) else str(metrics[m])
                for m in metric_names
            )
            + " |"
        )
    if report.get("prompts"):
        names = list(next(iter(report["prompts"].values())))
        lines += ["", "| prompt | " + " | ".join(names) + " |", "| --- " * (len(names) + 1) + "|"]
        for prompt, row in report["prompts"].items():
            lines.append(
                f"| {prompt} | " + " | ".join("–" if row[n] is None else str(row[n]) for n in names) + " |"
            )
    if "gate" in report:
        g = report["gate"]
        lines += [
            "",
            f"Gate against `{g['baseline']}` (max drop {g['max_drop']}): "
            f"**{'FAIL' if g['regressions'] else 'pass'}**",
        ]
        lines += [f"- {r}" for r in g["regressions"]]
    return "\n".join(lines) + "\n"
