"""Searches while two tenants ingest: does one tenant's book starve everyone else?

A real server (``rag serve``) on loopback. Tenant ``reader`` holds sample_docs/ and runs N search clients
throughout; first alone (idle), then while tenant ``books`` uploads a 1,225-page book
(../shared/data/bad-inputs/book-war-and-peace-1225p.txt) and, a moment later, tenant ``notes`` uploads 50
small files. Measured: search p50/p95 idle and during the ingestion, when the last small file was indexed
and when the book was, and the errors (must be 0).

    .venv/bin/python bench/ingest_fairness.py [--clients 8] [--idle-seconds 30] [--small 50]

Saves bench/results/ingest_fairness.json.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time

import httpx
from common import ROOT, SHARED, percentile, save
from load import QUESTIONS
from server import serve

BOOK = SHARED / "bad-inputs" / "book-war-and-peace-1225p.txt"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--idle-seconds", type=float, default=30)
    ap.add_argument("--small", type=int, default=50)
    ap.add_argument("--limit-seconds", type=float, default=1800, help="give up on the ingestion after this")
    ap.add_argument("--port", type=int, default=8766)
    args = ap.parse_args()
    if not BOOK.exists():
        sys.exit(f"the book is not at {BOOK}: this benchmark reads ../shared/data/bad-inputs")

    with serve(args.port, ["reader", "books", "notes"]) as server:
        base, h = server.base, server.headers
        docs = [("files", (p.name, p.read_bytes())) for p in sorted((ROOT / "sample_docs").iterdir())]
        httpx.post(
            f"{base}/v1/documents?wait=true", files=docs, headers=h["reader"], timeout=600
        ).raise_for_status()

        idle = Searchers(base, h["reader"], args.clients)
        idle.run_for(args.idle_seconds)
        print(f"idle:   {idle.summary()}")

        busy = Searchers(base, h["reader"], args.clients)
        busy.start()
        t0 = time.monotonic()
        book = _upload(base, h["books"], [(BOOK.name, BOOK.read_bytes())])
        time.sleep(2)
        notes = _upload(base, h["notes"], [_note(i) for i in range(args.small)])
        finished = _wait_jobs(
            base, {**{j: h["books"] for j in book}, **{j: h["notes"] for j in notes}}, t0, args
        )
        busy.stop()
        print(f"during: {busy.summary()}")

    book_s = max(finished[j][0] for j in book)
    notes_s = max(finished[j][0] for j in notes)
    states = [finished[j][1] for j in [*book, *notes]]
    result = {
        "clients": args.clients,
        "idle": idle.stats(),
        "during": busy.stats(),
        "p95_ratio": busy.stats()["p95_ms"] / idle.stats()["p95_ms"],
        "book_indexed_s": book_s,
        "last_small_indexed_s": notes_s,
        "small_before_book": notes_s < book_s,
        "job_states": {s: states.count(s) for s in set(states)},
    }
    print(
        f"search p95 {result['idle']['p95_ms']:.1f} ms idle -> {result['during']['p95_ms']:.1f} ms during "
        f"ingestion ({result['p95_ratio']:.2f}x); last of {args.small} small files indexed at "
        f"{notes_s:.1f} s, "
        f"the book at {book_s:.1f} s; jobs {result['job_states']}; search errors {busy.errors + idle.errors}"
    )
    save("ingest_fairness", result)


def _note(i: int) -> tuple[str, bytes]:
    text = f"Note {i} from the field team. Robot unit {1000 + i} was serviced on day {i % 28 + 1}."
    return f"note-{i:03d}.txt", text.encode()


def _upload(base: str, headers: dict[str, str], files: list[tuple[str, bytes]]) -> list[str]:
    jobs = []
    for start in range(0, len(files), 20):  # RAG_API__MAX_FILES_PER_UPLOAD
        part = [("files", f) for f in files[start : start + 20]]
        r = httpx.post(f"{base}/v1/documents", files=part, headers=headers, timeout=120)
        r.raise_for_status()
        jobs += [d["job"]["id"] for d in r.json()["documents"] if d.get("job")]
    return jobs


def _wait_jobs(
    base: str, jobs: dict[str, dict[str, str]], t0: float, args: argparse.Namespace
) -> dict[str, tuple[float, str]]:
    """Poll every job until all have finished: job id -> (seconds after t0 it was seen finished, state)."""
    finished: dict[str, tuple[float, str]] = {}
    with httpx.Client(base_url=base, timeout=30) as http:
        while len(finished) < len(jobs):
            if time.monotonic() - t0 > args.limit_seconds:
                sys.exit(f"ingestion did not finish in {args.limit_seconds:.0f} s")
            for job_id, headers in jobs.items():
                if job_id in finished:
                    continue
                state = http.get(f"/v1/jobs/{job_id}", headers=headers).json()["state"]
                if state in ("indexed", "failed", "cancelled"):
                    finished[job_id] = (time.monotonic() - t0, state)
            time.sleep(0.25)
    return finished


class Searchers:
    """N clients searching without pause until stopped; latencies and errors of all of them."""

    def __init__(self, base: str, headers: dict[str, str], clients: int) -> None:
        self.base, self.headers, self.clients = base, headers, clients
        self.latencies: list[float] = []
        self.errors = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._wall = 0.0

    def run_for(self, seconds: float) -> None:
        self.start()
        time.sleep(seconds)
        self.stop()

    def start(self) -> None:
        self._t0 = time.monotonic()
        self._threads = [threading.Thread(target=self._client, args=(i,)) for i in range(self.clients)]
        for t in self._threads:
            t.start()

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join()
        self._wall = time.monotonic() - self._t0

    def _client(self, i: int) -> None:
        rng = random.Random(i)
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=60) as http:
            while not self._stop.is_set():
                t = time.perf_counter()
                try:
                    ok = http.post(
                        "/v1/search", json={"query": rng.choice(QUESTIONS), "top_k": 10}
                    ).is_success
                except httpx.HTTPError:
                    ok = False
                with self._lock:
                    self.latencies.append((time.perf_counter() - t) * 1000)
                    self.errors += not ok

    def stats(self) -> dict[str, float]:
        return {
            "requests": len(self.latencies),
            "per_s": len(self.latencies) / self._wall if self._wall else 0.0,
            "p50_ms": percentile(self.latencies, 50),
            "p95_ms": percentile(self.latencies, 95),
            "p99_ms": percentile(self.latencies, 99),
            "errors": self.errors,
        }

    def summary(self) -> str:
        s = self.stats()
        return (
            f"{s['requests']} searches, {s['per_s']:.1f}/s, p50 {s['p50_ms']:.1f} ms, "
            f"p95 {s['p95_ms']:.1f} ms, p99 {s['p99_ms']:.1f} ms, errors {s['errors']}"
        )


if __name__ == "__main__":
    main()
