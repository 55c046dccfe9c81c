"""What sharing one registry between processes costs: claiming a job from the table (with 1,000 and
10,000 queued behind it), a document's begin + finish with its lease and write-gate checks, and a
process's heartbeat; on SQLite (WAL, synchronous=FULL, as the registry runs) and, with --postgres, on a
PostgreSQL server started for the run (Debian's binaries, as the tests start them: fsync off, so its
figures are the queries' cost without the disk's).

    python bench/lease_cost.py [--postgres] [--jobs 1000 10000] [--docs 300]

Prints a table and saves bench/results/lease_cost.json.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "tests"))

from common import percentile, save  # noqa: E402

from core.lease import Leases  # noqa: E402
from ingest.jobstore import JobState, JobStore  # noqa: E402
from ingest.registry import Registry  # noqa: E402


def _stats(times_us: list[float]) -> dict[str, float]:
    return {
        "n": len(times_us),
        "mean_us": round(sum(times_us) / len(times_us), 1),
        "p50_us": round(percentile(times_us, 50), 1),
        "p99_us": round(percentile(times_us, 99), 1),
    }


def _timed(n: int, step: Callable[[int], object]) -> dict[str, float]:
    times = []
    for i in range(n):
        t = time.perf_counter()
        step(i)
        times.append((time.perf_counter() - t) * 1e6)
    return _stats(times)


def claims(url: str, queued: int, n: int = 200) -> dict[str, float]:
    """``n`` claims (each finished at once) with ``queued`` jobs of 20 tenants waiting."""
    jobs = JobStore(url)
    with jobs._session() as s:  # the queue, in one transaction (creating it is not what is measured)
        from ingest.jobstore import Job

        s.add_all(Job(id=f"j{i:06d}", tenant=f"t{i % 20}", doc_id=f"d{i}", source="x.txt", blob="b",
                      metadata={}) for i in range(queued))  # fmt: skip

    def step(_: int) -> None:
        job = jobs.claim(per_tenant=1)
        assert job is not None
        jobs.transition(job.id, JobState.INDEXED)

    out = _timed(n, step)
    jobs.close()
    return out


def documents(url: str, n: int) -> dict[str, float]:
    """``begin_index`` + ``finish_index`` of ``n`` documents (owner, lease and write-gate checks)."""
    registry = Registry(url)

    def step(i: int) -> None:
        registry.begin_index("t", f"doc{i}", source=f"doc{i}.txt", content_hash=f"{i:064x}", chunks=3,
                             fmt="txt", size_bytes=100, metadata={})  # fmt: skip
        assert registry.finish_index("t", f"doc{i}", guard={})

    out = _timed(n, step)
    registry.close()
    return out


def beats(url: str, n: int = 200) -> dict[str, float]:
    leases = Leases(url)
    leases.beat()
    out = _timed(n, lambda _: leases.beat())
    leases.close()
    return out


def run(url: str, sizes: list[int], docs: int) -> dict[str, dict[str, float]]:
    rows = {f"claim, {q:,} queued": claims(url, q) for q in sizes}
    rows["document begin + finish"] = documents(url, docs)
    rows["heartbeat"] = beats(url)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres", action="store_true", help="also on a PostgreSQL server started here")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--docs", type=int, default=300)
    args = ap.parse_args()
    result: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for q in args.jobs:  # a fresh database per queue size
            url = f"sqlite:///{Path(tmp) / f'claims{q}.sqlite'}"
            result.setdefault("sqlite", {})[f"claim, {q:,} queued"] = claims(url, q)
        url = f"sqlite:///{Path(tmp) / 'registry.sqlite'}"
        result["sqlite"]["document begin + finish"] = documents(url, args.docs)
        result["sqlite"]["heartbeat"] = beats(url)
    if args.postgres:
        from postgres import PostgresServer, unavailable

        if (why := unavailable()) is not None:
            sys.exit(f"no PostgreSQL here: {why}")
        server = PostgresServer()
        server.start()
        try:
            rows: dict[str, dict[str, float]] = {}
            for q in args.jobs:
                rows[f"claim, {q:,} queued"] = claims(server.new_database(), q)
            url = server.new_database()
            rows["document begin + finish"] = documents(url, args.docs)
            rows["heartbeat"] = beats(url)
            result["postgres"] = rows
        finally:
            server.stop()
    print(f"{'database':<9} {'operation':<26} {'mean µs':>9} {'p50 µs':>9} {'p99 µs':>9}")  # noqa: T201
    for db, rows in result.items():
        for name, r in rows.items():
            print(f"{db:<9} {name:<26} {r['mean_us']:>9} {r['p50_us']:>9} {r['p99_us']:>9}")  # noqa: T201
    save("lease_cost", {"results": result, "postgres_fsync": "off" if args.postgres else None})


if __name__ == "__main__":
    main()
