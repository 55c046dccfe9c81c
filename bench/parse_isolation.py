"""Parse isolation overhead: each file of sample_docs parsed in-process (``parse_bytes``) and through a
parser process (``ingest.isolate.Parser``: pickling the bytes out and the elements back, the watcher's
polling), median of --rounds after a warm-up round, plus the parser process's start-up time and memory.
Usage: .venv/bin/python bench/parse_isolation.py [--rounds 5] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from common import ROOT, save  # noqa: I001

from ingest.isolate import ParseLimits, Parser, rss_bytes
from ingest.parse import parse_bytes

MB = 1024 * 1024


def timed(fn: Callable[..., object], *args: object) -> float:
    t = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - t) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--out", type=Path, default=None, help="JSON result path (default bench/results/)")
    args = ap.parse_args()
    files = sorted((ROOT / "sample_docs").iterdir())
    docs = [(f.name, f.read_bytes()) for f in files]

    parser = Parser(ParseLimits.from_settings(), workers=1)
    t = time.perf_counter()
    parser.parse(b"Start the parser process.", "start.txt")
    start_s = time.perf_counter() - t
    child_idle_mb = rss_bytes(parser.pids()[0]) / MB

    for name, data in docs:  # warm-up: every format's parser imported on both sides
        parse_bytes(data, name, 50 * MB)
        parser.parse(data, name)

    rows = []
    for name, data in docs:
        inproc = [timed(parse_bytes, data, name, 50 * MB) for _ in range(args.rounds)]
        child = [timed(parser.parse, data, name) for _ in range(args.rounds)]
        elements = len(parser.parse(data, name).elements)
        rows.append(
            {
                "file": name,
                "kb": round(len(data) / 1024, 1),
                "elements": elements,
                "in_process_ms": round(statistics.median(inproc), 2),
                "child_ms": round(statistics.median(child), 2),
                "overhead_ms": round(statistics.median(child) - statistics.median(inproc), 2),
            }
        )
    child_mb = rss_bytes(parser.pids()[0]) / MB
    parser.close()

    overheads = [r["overhead_ms"] for r in rows]
    result = {
        "rounds": args.rounds,
        "child_start_s": round(start_s, 2),
        "child_rss_idle_mb": round(child_idle_mb),
        "child_rss_after_all_formats_mb": round(child_mb),
        "parent_rss_mb": round(rss_bytes(os.getpid()) / MB),
        "overhead_ms_median": round(statistics.median(overheads), 2),
        "overhead_ms_max": round(max(overheads), 2),
        "documents": rows,
    }
    print(f"{'file':34} {'KB':>7} {'elements':>8} {'in-proc ms':>10} {'child ms':>9} {'overhead':>9}")
    for r in rows:
        print(
            f"{r['file']:34} {r['kb']:>7} {r['elements']:>8} {r['in_process_ms']:>10} {r['child_ms']:>9} "
            f"{r['overhead_ms']:>9}"
        )
    for k, v in result.items():
        if k != "documents":
            print(f"{k}: {v}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))
        print(f"saved {args.out}")
    else:
        save("parse_isolation", result)


if __name__ == "__main__":
    main()
