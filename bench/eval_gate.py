"""The evaluation gate on real data: SciFact (test qrels) through the product's own commands.

Writes each SciFact abstract as ``<id>.txt``, runs ``rag ingest`` and ``rag eval`` (configured, hybrid,
dense, sparse), then ``rag eval --baseline`` twice: the same settings (must pass) and a worse one
(sparse only as the configured mode: must fail). Prints both gate outcomes; saves the reports under
bench/results/eval_gate/.

    .venv/bin/python bench/eval_gate.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

from common import RESULTS, ROOT, load_corpus, save, scifact_dir

RAG = str(ROOT / ".venv" / "bin" / "rag")


def main() -> None:
    out = RESULTS / "eval_gate"
    docs = RESULTS / "scratch" / "scifact-docs"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(docs, ignore_errors=True)
    out.mkdir(parents=True)
    docs.mkdir(parents=True)
    for d in load_corpus():
        (docs / f"{d['_id']}.txt").write_text(f"{d.get('title', '')}\n\n{d['text']}".strip())
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")} | {
        "RAG_DATA_DIR": str(RESULTS / "scratch" / "scifact-data"),
        "RAG_EMBEDDING__CACHE_DIR": str(RESULTS / "cache" / "models"),
    }
    shutil.rmtree(env["RAG_DATA_DIR"], ignore_errors=True)
    t = time.perf_counter()
    subprocess.run([RAG, "ingest", str(docs), "--json"], env=env, check=True, stdout=subprocess.DEVNULL)
    ingest_s = time.perf_counter() - t
    sf = scifact_dir()
    args = [RAG, "eval", "--queries", str(sf / "queries.jsonl"), "--qrels", str(sf / "qrels" / "test.tsv")]
    base = out / "baseline.json"
    subprocess.run([*args, "--output", str(base)], env=env, check=True, stdout=subprocess.DEVNULL)
    same = subprocess.run(
        [*args, "--output", str(out / "same.json"), "--baseline", str(base)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    worse = subprocess.run(
        [*args, "--output", str(out / "worse.json"), "--baseline", str(base)],
        env=env | {"RAG_RETRIEVAL__MODE": "sparse"},
        stdout=subprocess.DEVNULL,
    )
    report = json.loads(base.read_text())
    gate = json.loads((out / "worse.json").read_text())["gate"]
    print(f"ingested 5,183 abstracts in {ingest_s:.0f} s")
    for mode, m in report["retrieval"].items():
        scores = f"nDCG@10 {m['ndcg@10']:.4f}  MRR@10 {m['mrr@10']:.4f}  recall@100 {m['recall@100']:.4f}"
        print(f"  {mode:10s} {scores}  {m['ms_per_query']:.1f} ms/query")
    print(
        f"gate, same settings: exit {same.returncode}; sparse as the configured mode: exit {worse.returncode}"
    )
    for r in gate["regressions"]:
        print(f"  {r}")
    save(
        "eval_gate",
        {
            "ingest_s": ingest_s,
            "retrieval": report["retrieval"],
            "same_exit": same.returncode,
            "worse_exit": worse.returncode,
            "regressions": gate["regressions"],
        },
    )


if __name__ == "__main__":
    main()
