"""OCR quality and cost: SQuAD 1.1 dev paragraphs (real prose with names, numbers and punctuation)
rendered as clean 300-dpi scanned PDF pages, read back by the parser; character error rate against the
text we rendered. And what OCR costs a text PDF: a 20-page text PDF parsed with OCR on and off.
Usage: .venv/bin/python bench/ocr_quality.py [--pages 20] [--points 11]

CER = Levenshtein distance / characters of the reference, both with whitespace collapsed (line breaks
are layout, not text). Needs Tesseract (Debian's tesseract-ocr).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from dataclasses import replace

import pikepdf
from common import ROOT, percentile, save  # noqa: I001
from rapidfuzz.distance import Levenshtein

from ingest import ocr
from ingest.limits import Limits
from ingest.parse import extract, inspect, warm_up

sys.path.insert(0, str(ROOT / "scripts"))
import scanned_pdf  # noqa: E402
from squad import load  # noqa: E402

MB = 1024 * 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=20, help="scanned pages to read (default 20)")
    ap.add_argument("--points", type=float, default=11, help="font size of the rendered text")
    args = ap.parse_args()
    if not ocr.available():
        sys.exit("Tesseract is not installed (apt-get install tesseract-ocr)")
    limits = Limits.from_settings()
    warm_up()

    # One paragraph a page, from the first articles of SQuAD 1.1 dev, as long as fits on a page.
    paragraphs = [p["context"] for a in load("1.1") for p in a["paragraphs"] if len(p["context"]) <= 2500]
    rows = []
    for i, text in enumerate(paragraphs[: args.pages]):
        pdf = scanned_pdf.pdf(scanned_pdf.pages([[text]], points=args.points))
        t = time.perf_counter()
        doc = extract(pdf, f"scan-{i}.pdf", inspect(pdf, f"scan-{i}.pdf", 50 * MB, limits), limits)
        seconds = time.perf_counter() - t
        expected, read = " ".join(text.split()), " ".join(" ".join(e.text for e in doc.elements).split())
        rows.append(
            {
                "chars": len(expected),
                "cer": Levenshtein.distance(expected, read) / len(expected),
                "s": seconds,
            }
        )
        print(f"page {i + 1}: {len(expected)} characters, CER {rows[-1]['cer']:.4f}, {seconds:.2f} s")
    cers = [r["cer"] for r in rows]
    total_cer = sum(r["cer"] * r["chars"] for r in rows) / sum(r["chars"] for r in rows)

    # A 20-page text PDF (the sample manual's pages, repeated), OCR on and off: the same work, since
    # every page has its text layer.
    manual = pikepdf.open(ROOT / "sample_docs" / "porter-h2-manual.pdf")
    big = pikepdf.new()
    while len(big.pages) < 20:
        big.pages.extend(manual.pages)
    del big.pages[20:]
    buf = io.BytesIO()
    big.save(buf)
    text_pdf = buf.getvalue()
    timings = {}
    for name, lim in (("ocr_on", limits), ("ocr_off", replace(limits, ocr_languages=None))):
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            extract(text_pdf, "manual-20p.pdf", "pdf", lim)
            runs.append(time.perf_counter() - t)
        timings[name] = round(statistics.median(runs) * 1000, 1)
    result = {
        "pages": len(rows),
        "points": args.points,
        "languages": limits.ocr_languages,
        "cer_overall": round(total_cer, 4),
        "cer_median": round(statistics.median(cers), 4),
        "cer_p95": round(percentile(cers, 95), 4),
        "cer_max": round(max(cers), 4),
        "seconds_per_page_median": round(statistics.median(r["s"] for r in rows), 2),
        "text_pdf_20_pages_ms": timings,
    }
    for k, v in result.items():
        print(f"{k}: {v}")
    save("ocr_quality", result)


if __name__ == "__main__":
    main()
