"""The rag command line, in process (typer's runner), on a real data directory."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE_DOCS


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    f = tmp_path / "docs"
    f.mkdir()
    for name in ("employee-handbook.md", "support-faq.html", "price-list-2026.csv"):
        shutil.copy(SAMPLE_DOCS / name, f / name)
    return f


def test_ingest_search_list_delete(cli, folder: Path, tmp_path: Path) -> None:
    first = json.loads(cli("ingest", str(folder), "--json").stdout)
    assert (first["added"], first["failed"]) == (3, 0)
    again = json.loads(cli("ingest", str(folder), "--json").stdout)
    assert (again["added"], again["unchanged"], again["chunks_written"]) == (0, 3, 0)

    hits = [
        json.loads(line)
        for line in cli("search", "annual leave days", "--json", "--top-k", "2").stdout.splitlines()
    ]
    assert len(hits) == 2 and hits[0]["source"] == "employee-handbook.md"
    assert {"pages", "score", "dense_rank", "sparse_score", "section", "text"} <= set(hits[0])

    table = cli("search", "warranty").stdout
    assert "support-faq.html" in table and "fused" in table

    docs = json.loads(cli("docs", "list", "--json").stdout)
    assert {d["source"] for d in docs} == {"employee-handbook.md", "support-faq.html", "price-list-2026.csv"}
    faq = next(d for d in docs if d["source"] == "support-faq.html")
    shown = json.loads(cli("docs", "show", faq["id"], "--json").stdout)
    assert shown["chunk_count"] == len(shown["chunks"]) > 0

    cli("docs", "delete", faq["id"])
    assert faq["id"] not in cli("docs", "list").stdout
    missing = cli("docs", "delete", faq["id"], code=1)
    assert "no document" in missing.output


def test_queries_file_writes_a_run(cli, folder: Path, tmp_path: Path) -> None:
    cli("ingest", str(folder), "--quiet")
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        '{"_id": "q1", "text": "price of the dock charger"}\n{"_id": "q2", "text": "warranty"}\n'
    )
    out = tmp_path / "run.json"
    cli("search", "--queries", str(queries), "--output", str(out), "--top-k", "3", "--mode", "sparse")
    run = json.loads(out.read_text())
    assert set(run) == {"q1", "q2"}
    assert run["q1"][0]["source"] == "price-list-2026.csv"
    assert [h["rank"] for h in run["q2"]] == list(range(1, len(run["q2"]) + 1))


def test_failures_are_reported_and_exit_non_zero(cli, folder: Path) -> None:
    (folder / "empty.txt").write_bytes(b"")
    (folder / "data.numbers").write_bytes(b"PK")
    result = cli("ingest", str(folder), "--json", code=1)
    summary = json.loads(result.stdout)
    assert summary["added"] == 3 and summary["failed"] == 2
    assert {d["reason"] for d in summary["documents"] if d["status"] == "failed"} == {
        "empty",
        "unsupported_format",
    }
    table = cli("ingest", str(folder), code=1).output
    assert "unsupported file type" in table and "failed 2" in table


def test_clear_errors(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "no such file or folder" in cli("ingest", str(tmp_path / "nope"), code=1).output
    bad = tmp_path / "q.jsonl"
    bad.write_text("not json\n")
    assert "expected a JSON object" in cli("search", "--queries", str(bad), code=1).output
    assert "either a question or --queries" in cli("search", code=1).output
    monkeypatch.setenv("RAG_CHUNKING__SIZE_TOKENS", "999")
    monkeypatch.setenv("RAG_CHUNKING__MAX_CHARS", "5000")  # enough characters: the token window is what fails
    assert "does not fit" in cli("search", "x", code=2).output


def test_sources_are_named_stably_and_collisions_refused(tmp_path: Path) -> None:
    from core.errors import RagError
    from ingest.sources import expand

    (tmp_path / "a" / "sub").mkdir(parents=True)
    (tmp_path / "b").mkdir()
    for rel in ("a/x.txt", "a/sub/y.md", "b/x.txt", "a/.hidden.txt"):
        (tmp_path / rel).write_text("text")
    names = sorted(n for _, n in expand([str(tmp_path / "a")]))
    assert names == ["sub/y.md", "x.txt"]
    assert sorted(n for _, n in expand([str(tmp_path / "a" / "**" / "*.md")])) == ["sub/y.md"]
    with pytest.raises(RagError, match="would both be stored as 'x.txt'"):
        expand([str(tmp_path / "a" / "x.txt"), str(tmp_path / "b" / "x.txt")])
    with pytest.raises(RagError, match="no file matches"):
        expand([str(tmp_path / "*.pdf")])


def test_ask_prints_a_cited_answer_with_sources_and_usage(
    cli, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llm_server import Reply, ScriptedLLM

    cli("ingest", str(folder))
    with ScriptedLLM() as server:
        monkeypatch.setenv("RAG_LLM__BASE_URL", server.base_url)
        monkeypatch.setenv("RAG_LLM__MODEL", "scripted")
        server.queue(Reply("Employees get 27 days [1].", usage=(812, 9)))
        out = cli("ask", "How many days of paid annual leave do employees get?").output
        assert "Employees get 27 days [1]." in out and "employee-handbook.md" in out
        assert "812 in / 9 out" in out and "prompt answer@1" in out and "model" in out

        server.queue(Reply(stream=["Twenty", "-seven ", "days [1]."]))
        out = cli("ask", "How many days of paid annual leave do employees get?", "--stream").output
        assert "Twenty-seven days [1]." in out

        server.queue(Reply("27 days [1]."))
        line = cli(
            "ask", "How many days of paid annual leave do employees get?", "--json", "--prompt", "answer@2"
        ).output
        record = json.loads(line)
        assert record["prompt"]["version"] == 2 and record["citations"][0]["source"] == "employee-handbook.md"
        assert record["conversation_id"] and record["trace_id"] and record["usage"]["total_tokens"] == 60

        server.queue(Reply("Up to 5 days [1]."), Reply("Up to 5 days [1]."))
        cid = record["conversation_id"]
        follow = json.loads(cli("ask", "And how many carry over?", "--conversation", cid, "--json").output)
        assert follow["conversation_id"] == cid and follow["steps"][0]["name"] == "rewrite"

        out = cli("ask", "What is the capital of Peru?").output
        assert "Not found in the documents." in out and "low_confidence" in out

        bad = cli("ask", "How many days?", "--prompt", "answer@99", code=1).output
        assert "no prompt template answer@99" in bad
    # The endpoint is gone now: a clear error, exit 1.
    out = cli("ask", "How many days of paid annual leave do employees get?", code=1).output
    assert "cannot reach the LLM endpoint" in out


def test_keys_create_list_revoke(cli) -> None:
    created = json.loads(cli("keys", "create", "--tenant", "acme", "--admin", "--json").output)
    assert created["key"].startswith("rk_") and created["tenant"] == "acme" and created["admin"] is True
    listed = [json.loads(line) for line in cli("keys", "list", "--json").output.splitlines()]
    assert [(k["id"], k["tenant"], k["revoked"]) for k in listed] == [(created["key_id"], "acme", False)]
    assert created["key"] not in cli("keys", "list").output  # the secret is never shown again
    cli("keys", "revoke", created["key_id"])
    assert json.loads(cli("keys", "list", "--json").output)["revoked"] is True
    assert "no active key" in cli("keys", "revoke", created["key_id"], code=1).output
    assert "tenant is 1-64" in cli("keys", "create", "--tenant", "bad tenant!", code=1).output


def test_reindex_status_rollback_and_clear_errors(cli, folder: Path) -> None:
    cli("ingest", str(folder), "-q")
    nothing = cli("reindex", "--incremental", "--json")
    assert json.loads(nothing.stdout) == {"state": "up to date"}
    assert "no previous index version" in cli("reindex", "rollback", code=1).output
    ran = json.loads(cli("reindex", "--chunk-size", "100", "--json", "-q").stdout)
    assert ran["state"] == "switched" and ran["total"] == 3 and ran["rebuilt"] == 3
    status = json.loads(cli("reindex", "status", "--json").stdout)
    assert status["served"] == ran["version"] and [v["version"] for v in status["versions"]] == [
        "v0001",
        "v0002",
    ]
    assert [v["chunk_size"] for v in status["versions"]] == [200, 100]
    back = cli("reindex", "rollback", "--json")
    assert json.loads(back.stdout) == {"served": "v0001", "previous": "v0002"}
    assert "no unfinished re-index" in cli("reindex", "abort", code=1).output
    bad = cli("reindex", "--chunk-size", "300", code=1)
    assert "chunk" in bad.output and "not possible" in bad.output
