"""Load test of the HTTP API: a real server (``rag serve``) on loopback, N concurrent clients for a fixed
time, a mix of search, query (the LLM is a scripted server, so it is not what is measured) and uploads.

    .venv/bin/python bench/load.py [--clients 8] [--seconds 60] [--mix search=5,query=4,upload=1]

Prints throughput and p50/p95/p99 latency per operation and the error count (must be 0); saves
bench/results/load.json.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections import defaultdict

import httpx
from common import ROOT, percentile, save
from server import serve

QUESTIONS = [
    "How many days of annual leave do employees get?",
    "What is the hotel cap in Lyon?",
    "How long is the warranty on a Porter robot?",
    "What does error code E-17 mean on the robot?",
    "Who owns the migration from Jenkins to GitLab CI?",
    "Why was the fleet dashboard down in August?",
    "How quickly must I report a security incident?",
    "What was the revenue in the third quarter?",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--mix", default="search=5,query=4,upload=1")
    ap.add_argument("--port", type=int, default=8765)
    args = ap.parse_args()
    mix = {k: float(v) for k, v in (p.split("=") for p in args.mix.split(","))}

    with serve(args.port, ["bench"]) as server:
        base, headers = server.base, server.headers["bench"]
        files = [("files", (p.name, p.read_bytes())) for p in sorted((ROOT / "sample_docs").iterdir())]
        r = httpx.post(f"{base}/v1/documents?wait=true", files=files, headers=headers, timeout=300)
        r.raise_for_status()
        result = _run(base, headers, args.clients, args.seconds, mix)
        metrics = httpx.get(f"{base}/metrics", timeout=10).text
        result["jobs_at_end"] = {
            line.split('"')[1]: float(line.rsplit(" ", 1)[1])
            for line in metrics.splitlines()
            if line.startswith("rag_ingest_jobs{")
        }
        print(f"  jobs at the end: {result['jobs_at_end']}")
    result |= {"clients": args.clients, "seconds": args.seconds, "mix": mix}
    save(f"load_c{args.clients}", result)


def _run(base: str, headers: dict[str, str], clients: int, seconds: float, mix: dict[str, float]) -> dict:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    ops, weights = list(mix), list(mix.values())

    def client(i: int) -> None:
        rng = random.Random(i)
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            n = 0
            while time.monotonic() < stop:
                op = rng.choices(ops, weights)[0]
                q = rng.choice(QUESTIONS)
                t = time.perf_counter()
                try:
                    if op == "search":
                        r = http.post("/v1/search", json={"query": q, "top_k": 10})
                    elif op == "query":
                        r = http.post("/v1/query", json={"question": q})
                    else:
                        n += 1
                        text = f"Load test note {i}-{n}. {q} The answer is in note {rng.randint(0, 10**9)}."
                        r = http.post(
                            "/v1/documents", files=[("files", (f"note-{i}-{n}.txt", text.encode()))]
                        )
                    ok = r.status_code < 400
                    detail = f"{r.status_code} {r.text[:200]}"
                except httpx.HTTPError as e:
                    ok, detail = False, repr(e)
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    latencies[op].append(ms)
                    if not ok:
                        errors[op].append(detail)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    out: dict = {"wall_s": wall, "operations": {}}
    total = sum(len(v) for v in latencies.values())
    n_errors = sum(map(len, errors.values()))
    print(f"{clients} clients, {wall:.0f} s: {total} requests, {total / wall:.1f}/s, errors {n_errors}")
    for op, values in sorted(latencies.items()):
        stats = {
            "requests": len(values),
            "per_s": len(values) / wall,
            "p50_ms": percentile(values, 50),
            "p95_ms": percentile(values, 95),
            "p99_ms": percentile(values, 99),
            "errors": len(errors[op]),
            "first_errors": errors[op][:3],
        }
        out["operations"][op] = stats
        print(
            f"  {op:7s} {stats['requests']:6d} req {stats['per_s']:7.1f}/s  p50 {stats['p50_ms']:7.1f} ms  "
            f"p95 {stats['p95_ms']:7.1f} ms  p99 {stats['p99_ms']:7.1f} ms  errors {stats['errors']}"
        )
    out["requests"] = total
    out["throughput_per_s"] = total / wall
    out["errors"] = n_errors
    return out


if __name__ == "__main__":
    main()
