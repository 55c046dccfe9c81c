"""``rag eval`` as a CI gate: metrics per mode, a markdown report, and a failure on a worse configuration.
``rag monitor`` reads the traces the CLI leaves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llm_server import Reply, ScriptedLLM

# Each query shares more words with a distractor than with its target, and its meaning with the target:
# dense retrieval finds every target (by wide margins), BM25 ranks a distractor first for the first query.
DOCS = {
    "vacation": "Employees get twenty-seven paid vacation days per calendar year.",
    "football": "Each year employees get a football team photo; there is time to smile.",
    "laptops": "The IT service desk fixes broken laptops and computers within two days.",
    "museum": "The computer museum closed its exhibition of old punch cards.",
    "expenses": "Business travel costs are paid back once you upload the receipts to the finance portal.",
    "photos": "Trip photos from the business fair are on the intranet.",
}
QUERIES = {
    "q1": ("How much time off do employees get each year?", "vacation"),
    "q2": ("Who fixes a computer that stopped working?", "laptops"),
    "q3": ("How do I get my money back for a business trip?", "expenses"),
}


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, Path, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / f"{name}.txt").write_text(text)
    queries = tmp_path / "queries.jsonl"
    queries.write_text("\n".join(json.dumps({"_id": q, "text": t}) for q, (t, _) in QUERIES.items()))
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t1\n" for q, (_, d) in QUERIES.items())
    )
    return docs, queries, qrels


def test_eval_reports_and_gates(cli, corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs, queries, qrels = corpus
    cli("ingest", str(docs))
    args = ["eval", "--queries", str(queries), "--qrels", str(qrels)]
    base = tmp_path / "baseline.json"
    monkeypatch.setenv("RAG_RETRIEVAL__MODE", "dense")  # the configuration that passed review
    out = cli(*args, "--output", str(base)).output
    report = json.loads(base.read_text())
    retrieval = report["retrieval"]
    assert report["queries"] == 3 and set(retrieval) == {"configured", "hybrid", "dense", "sparse"}
    assert {"ndcg@10", "mrr@10", "recall@100"} <= set(retrieval["configured"])
    assert retrieval["configured"] == {
        **retrieval["dense"],
        "ms_per_query": retrieval["configured"]["ms_per_query"],
    }
    assert retrieval["dense"]["ndcg@10"] == 1.0 and retrieval["sparse"]["mrr@10"] < 1.0  # the premise
    assert "| configured |" in base.with_suffix(".md").read_text() and "| mode |" in out

    # The same configuration against its own baseline passes; a mode left out is reported, not ignored.
    again = tmp_path / "again.json"
    cli(*args, "--output", str(again), "--baseline", str(base))
    assert json.loads(again.read_text())["gate"]["regressions"] == []
    cli(*args, "--modes", "configured", "--output", str(again), "--baseline", str(base), code=1)
    assert (
        "dense: in the baseline but not evaluated now" in json.loads(again.read_text())["gate"]["regressions"]
    )

    # A deliberately worse configuration (lexical only) fails the gate on the configured mode.
    monkeypatch.setenv("RAG_RETRIEVAL__MODE", "sparse")
    worse = tmp_path / "worse.json"
    out = cli(*args, "--output", str(worse), "--baseline", str(base), "--max-drop", "0.01", code=1).output
    gate = json.loads(worse.read_text())["gate"]
    assert any(r.startswith("configured mrr@10") for r in gate["regressions"]), gate
    assert not any(r.startswith(("dense", "sparse", "hybrid")) for r in gate["regressions"]), gate
    assert "quality gate failed" in out and "FAIL" in worse.with_suffix(".md").read_text()


def test_eval_compares_prompt_variants_and_refuses_bad_input(
    cli, corpus, tmp_path: Path, monkeypatch
) -> None:
    docs, queries, qrels = corpus
    cli("ingest", str(docs))
    with ScriptedLLM(default=Reply("Staff get twenty-seven paid vacation days [1].")) as server:
        monkeypatch.setenv("RAG_LLM__BASE_URL", server.base_url)
        monkeypatch.setenv("RAG_LLM__MODEL", "scripted")
        out = tmp_path / "r.json"
        cli(
            "eval",
            "--queries",
            str(queries),
            "--qrels",
            str(qrels),
            "--modes",
            "hybrid",
            "--prompts",
            "answer@1,answer@2",
            "--answer-sample",
            "2",
            "--output",
            str(out),
        )
        prompts = json.loads(out.read_text())["prompts"]
        assert set(prompts) == {"answer@1", "answer@2"} and prompts["answer@1"]["answers"] == 2
        assert prompts["answer@1"]["citation_coverage"] == 1.0 and prompts["answer@1"]["tokens_in_mean"] == 50
        assert len(server.requests) == 4
        assert (
            "no prompt template answer@9"
            in cli(
                "eval", "--queries", str(queries), "--qrels", str(qrels), "--prompts", "answer@9", code=1
            ).output
        )
    bad = tmp_path / "bad.tsv"
    bad.write_text("q1 vacation 1\n")
    assert (
        "query-id<TAB>corpus-id<TAB>score"
        in cli("eval", "--queries", str(queries), "--qrels", str(bad), code=1).output
    )
    assert (
        "--modes takes"
        in cli("eval", "--queries", str(queries), "--qrels", str(qrels), "--modes", "fuzzy", code=1).output
    )


def test_monitor_commands_read_the_cli_traces(cli, corpus, monkeypatch) -> None:
    docs, _, _ = corpus
    cli("ingest", str(docs))
    with ScriptedLLM(default=Reply("Staff get twenty-seven paid vacation days [1].")) as server:
        monkeypatch.setenv("RAG_LLM__BASE_URL", server.base_url)
        monkeypatch.setenv("RAG_LLM__MODEL", "scripted")
        cli("ask", "How much paid vacation do staff members get?")
        cli("ask", "How much paid vacation do staff members get?", "--prompt", "answer@2")
    cli("search", "vacation days")
    summary = json.loads(cli("monitor", "summary", "--json").output)
    assert summary["queries"] == 2 and summary["searches"] == 1 and summary["refusal_rate"] == 0.0
    prompts = [json.loads(line) for line in cli("monitor", "prompts", "--json").output.splitlines()]
    assert sorted(p["prompt"] for p in prompts) == ["answer@1", "answer@2"]
    drift = json.loads(cli("monitor", "drift", "--json").output)
    assert drift["verdict"] == "insufficient data"
    assert "answer@2" in cli("monitor", "prompts").output
