"""What a crawl holds in memory: a site of N files of S MiB each, served on loopback, crawled as a sync
crawls it; the peak of Python's allocations during the crawl (tracemalloc), the process's peak RSS, and
the time per page. Before the spool (ingest.web.spool) every page's bytes stayed in memory until the
sync ingested them, so the peak grew with the site; now it is about one page.
Usage: .venv/bin/python bench/crawl_memory.py [--files 50] [--mib 4]
"""

from __future__ import annotations

import argparse
import functools
import resource
import tempfile
import threading
import time
import tracemalloc
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import save

from core.units import MiB
from ingest.listing import list_site
from ingest.web import CrawlLimits


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _site(root: Path, files: int, mib: float) -> None:
    size = int(mib * MiB)
    links = []
    for i in range(files):
        line = f"Report {i:03}: pallets counted on aisle {i}, dock {i % 7}. "
        (root / f"report-{i:03}.txt").write_text((line * (size // len(line) + 1))[:size])
        links.append(f"<a href='report-{i:03}.txt'>report {i}</a>")
    page = f"<h1>Reports</h1><p>{' '.join(links)}</p>"
    (root / "index.html").write_text(f"<html><head><title>Reports</title></head><body>{page}</body></html>")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=50, help="files linked from the start page")
    ap.add_argument("--mib", type=float, default=4.0, help="size of each file, MiB")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _site(root, args.files, args.mib)
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        limits = CrawlLimits(max_depth=1, max_pages=args.files + 1, max_bytes=int(args.mib * MiB) + MiB)
        list_site(url, CrawlLimits(max_depth=0), allow_private=True)  # trafilatura's one-time stop lists
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        tracemalloc.start()
        t = time.perf_counter()
        listing = list_site(url, limits, allow_private=True)
        seconds = time.perf_counter() - t
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        server.shutdown()
        total = sum(i.size for i in listing.items)
        result = {
            "files": args.files,
            "mib_each": args.mib,
            "documents": len(listing.items),
            "site_mib": round(total / MiB, 1),
            "python_peak_mib": round(peak / MiB, 1),
            "rss_peak_growth_mib": round(rss_after - rss_before, 1),
            "ms_per_page": round(1000 * seconds / max(1, len(listing.items)), 1),
        }
    print(
        f"{result['documents']} documents, {result['site_mib']} MiB in all: Python's peak during the crawl "
        f"{result['python_peak_mib']} MiB, peak RSS grew {result['rss_peak_growth_mib']} MiB, "
        f"{result['ms_per_page']} ms a page"
    )
    save("crawl_memory", result)


if __name__ == "__main__":
    main()
