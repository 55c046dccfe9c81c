"""What a rate-limited request pays for its token: ``take`` in memory against the registry database
(SQLite file, WAL, synchronous=FULL as the registry runs), on one hot key and on many keys, and with two
processes taking at once.

    python bench/ratelimit_cost.py [--takes 2000]

Prints a table and saves bench/results/ratelimit_cost.json.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import percentile, save  # noqa: E402

from api.ratelimit import Limiter, RateBuckets, RateLimiter  # noqa: E402

PER_MINUTE, BURST = 600_000.0, 1_000_000  # never refuses: every take writes


def timed(limiter: Limiter, keys: list[str], n: int) -> dict[str, float]:
    times = []
    for i in range(n):
        t = time.perf_counter()
        limiter.take(keys[i % len(keys)])
        times.append((time.perf_counter() - t) * 1e6)
    return {
        "takes": n,
        "mean_us": round(sum(times) / n, 1),
        "p50_us": round(percentile(times, 50), 1),
        "p99_us": round(percentile(times, 99), 1),
    }


def _worker(url: str, n: int, out: multiprocessing.Queue) -> None:
    store = RateBuckets(url)
    limiter = store.limiter("key", PER_MINUTE, BURST)
    limiter.take("hot")  # connection made before the clock starts
    out.put(timed(limiter, ["hot"], n))
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--takes", type=int, default=2000)
    n = ap.parse_args().takes
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'registry.sqlite'}"
        rows["memory, one key"] = timed(RateLimiter(PER_MINUTE, BURST), ["hot"], n)
        store = RateBuckets(url)
        db = store.limiter("key", PER_MINUTE, BURST)
        db.take("hot")
        rows["sqlite, one key"] = timed(db, ["hot"], n)
        rows["sqlite, 1000 keys"] = timed(db, [f"key-{i}" for i in range(1000)], n)
        store.close()
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        procs = [ctx.Process(target=_worker, args=(url, n, out)) for _ in range(2)]
        for p in procs:
            p.start()
        both = [out.get(timeout=300) for _ in procs]
        for p in procs:
            p.join()
        for i, r in enumerate(both):
            rows[f"sqlite, one key, 2 processes (#{i + 1})"] = r
    print(f"{'':42} {'mean µs':>9} {'p50 µs':>9} {'p99 µs':>9}")
    for name, r in rows.items():
        print(f"{name:42} {r['mean_us']:>9} {r['p50_us']:>9} {r['p99_us']:>9}")
    save("ratelimit_cost", {"per_take": rows})


if __name__ == "__main__":
    main()
