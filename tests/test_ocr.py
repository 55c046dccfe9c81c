"""OCR of scanned PDF pages and images with Tesseract: text we wrote, rendered and read back; only pages
without a text layer are read; images and their hostile variants; OCR turned off or missing."""

from __future__ import annotations

import io
import re
import struct
import sys
import zlib
from dataclasses import replace

import pikepdf
import pytest
from rapidfuzz.distance import Levenshtein

from conftest import ROOT, SAMPLE_DOCS
from core.errors import ConfigError, FileTooLarge, MalformedDocument, NoExtractableText
from core.settings import IngestSettings
from ingest import ocr
from ingest.limits import Limits
from ingest.parse import extract, inspect
from ingest.pipeline import Source

sys.path.insert(0, str(ROOT / "scripts"))
import scanned_pdf  # noqa: E402 - scripts/ is not a package: its writer of scanned pages

MB = 1024 * 1024
LIMITS = Limits.from_settings()
NO_OCR = replace(LIMITS, ocr_languages=None)

pytestmark = pytest.mark.skipif(
    not ocr.available(), reason="needs Tesseract (Debian's tesseract-ocr): .ci/run installs it"
)

PAGE_ONE = [
    "# Cold storage procedure",
    "Robots may work in cold storage down to -10 degrees Celsius for up to 30 minutes at a time. "
    "Before a robot enters, check that its battery is above 60 percent and that the reflector strip "
    "kit (part RS-4) is fitted on the door frame.",
]
PAGE_TWO = [
    "# Defrost cycle",
    "After each cold-storage shift the robot parks on the warm dock for a defrost cycle of 25 minutes. "
    "Never wipe ice off the lidar window with a metal scraper: use the soft brush from the service kit.",
]


def parse(data: bytes, name: str, limits: Limits = LIMITS, stages: list[str] | None = None):
    fmt = inspect(data, name, 50 * MB, limits)
    return extract(data, name, fmt, limits, (stages if stages is not None else []).append)


def words(paragraphs: list[str]) -> str:
    return " ".join(" ".join(paragraphs).replace("# ", "").split())


def cer(expected: str, read: str) -> float:
    return Levenshtein.distance(expected, read) / len(expected)


def test_a_scanned_pdf_is_read_with_its_page_numbers() -> None:
    data = scanned_pdf.pdf(scanned_pdf.pages([PAGE_ONE, PAGE_TWO]))
    stages: list[str] = []
    doc = parse(data, "cold-storage-scan.pdf", stages=stages)
    assert stages == ["ocr"]
    for number, page in ((1, PAGE_ONE), (2, PAGE_TWO)):
        read = " ".join(" ".join(e.text for e in doc.elements if e.page == number).split())
        assert cer(words(page), read) <= 0.02, read
    assert ("Cold storage procedure", 1) in [(e.text, e.page) for e in doc.elements if e.kind == "Title"]


def test_only_pages_without_a_text_layer_are_read() -> None:
    """The sample manual (3 text pages) with a scanned page added as page 4."""
    manual = pikepdf.open(SAMPLE_DOCS / "porter-h2-manual.pdf")
    scan = pikepdf.open(io.BytesIO(scanned_pdf.pdf(scanned_pdf.pages([PAGE_TWO]))))
    manual.pages.append(scan.pages[0])
    out = io.BytesIO()
    manual.save(out)
    text_only = parse((SAMPLE_DOCS / "porter-h2-manual.pdf").read_bytes(), "manual.pdf")
    stages: list[str] = []
    mixed = parse(out.getvalue(), "manual.pdf", stages=stages)
    assert stages == ["ocr"]
    assert [e for e in mixed.elements if e.page != 4] == text_only.elements  # pages 1-3 as before
    page_four = " ".join(e.text for e in mixed.elements if e.page == 4)
    assert "defrost cycle of 25 minutes" in page_four


def test_a_text_pdf_is_not_read_by_ocr() -> None:
    stages: list[str] = []
    doc = parse((SAMPLE_DOCS / "porter-h2-manual.pdf").read_bytes(), "manual.pdf", stages=stages)
    assert stages == [] and {e.page for e in doc.elements} == {1, 2, 3}


@pytest.mark.parametrize("fmt", ["png", "jpeg", "tiff"])
def test_images_are_read(fmt: str) -> None:
    (page,) = scanned_pdf.pages([PAGE_ONE])
    doc = parse(scanned_pdf.image(page, fmt.upper()), f"photo.{'jpg' if fmt == 'jpeg' else fmt}")
    assert doc.format == fmt
    read = " ".join(" ".join(e.text for e in doc.elements).split())
    assert cer(words(PAGE_ONE), read) <= 0.02, read
    assert all(e.page is None for e in doc.elements)  # one picture: no pages to cite


def test_each_page_of_a_tiff_is_a_page() -> None:
    first, second = scanned_pdf.pages([PAGE_ONE, PAGE_TWO])
    buf = io.BytesIO()
    first.save(buf, "TIFF", save_all=True, append_images=[second], dpi=(300, 300), compression="tiff_lzw")
    doc = parse(buf.getvalue(), "scan.tiff")
    assert any("Defrost cycle" == e.text and e.page == 2 for e in doc.elements)
    assert {e.page for e in doc.elements} == {1, 2}


def test_a_blank_scan_has_no_text_and_says_so() -> None:
    blank = scanned_pdf.pdf(scanned_pdf.pages([[]]))
    with pytest.raises(NoExtractableText, match=r"no text, even by OCR"):
        parse(blank, "blank.pdf")


def test_without_ocr_scans_and_images_say_why_they_have_no_text() -> None:
    scan = scanned_pdf.pdf(scanned_pdf.pages([PAGE_ONE]))
    with pytest.raises(NoExtractableText, match=r"scanned or image-only\? OCR is off \(RAG_INGEST__OCR\)"):
        parse(scan, "scan.pdf", NO_OCR)
    (page,) = scanned_pdf.pages([PAGE_ONE])
    with pytest.raises(NoExtractableText, match=r"an image is read by OCR, but OCR is off"):
        parse(scanned_pdf.image(page, "PNG"), "photo.png", NO_OCR)


def _png(width: int, height: int, rows: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def test_hostile_images_fail_with_their_reason() -> None:
    # A decompression bomb: 100,000 x 100,000 pixels declared, a few KB of data.
    bomb = _png(100_000, 100_000, zlib.compress(b"\0" * 1_000_000, 9))
    with pytest.raises(FileTooLarge, match=r"10,000 million pixels, over the limit of 150 million"):
        parse(bomb, "bomb.png")
    truncated = scanned_pdf.image(scanned_pdf.pages([PAGE_ONE])[0], "PNG")[:2000]
    with pytest.raises(MalformedDocument, match=r"^cut\.png: the image's pixels cannot be read$"):
        parse(truncated, "cut.png")
    with pytest.raises(MalformedDocument, match=r"^fake\.jpg: not a readable image$"):
        parse(b"this is text, not a JPEG " * 10, "fake.jpg")
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\nshowpage\n"  # Pillow's EPS plugin runs gs
    with pytest.raises(MalformedDocument, match=r"^poster\.png: not a readable image$"):
        parse(eps, "poster.png")
    with pytest.raises(MalformedDocument, match=re.escape("the file is a PDF but its name says .png")):
        parse(b"%PDF-1.7\n1 0 obj <<>> endobj\n", "scan.png")


def test_a_question_about_a_scanned_page_finds_it_with_its_page_number(runtime) -> None:
    data = scanned_pdf.pdf(scanned_pdf.pages([PAGE_ONE, PAGE_TWO]))
    stages: list[str] = []
    outcome = runtime.ingest_one(Source.from_bytes(data, "cold-storage-scan.pdf", "default"), stages.append)
    assert (outcome.status, stages) == ("added", ["parsing", "ocr", "chunking", "embedding"])
    question = "How long is the defrost cycle after a cold-storage shift?"
    hit = runtime.retriever.search(question, tenant="default", top_k=1).hits[0]
    assert hit.source == "cold-storage-scan.pdf" and "25 minutes" in hit.text
    assert 2 in hit.pages, hit.pages


def test_ocr_languages_tesseract_lacks_are_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match=r"no data for xyz here \(install tesseract-ocr-xyz"):
        Limits.from_settings(IngestSettings(ocr_languages="eng+xyz"))
    assert Limits.from_settings(IngestSettings(ocr_languages="eng+xyz", ocr=False)).ocr_languages is None
    if not ocr.missing_languages("fra"):
        assert Limits.from_settings(IngestSettings(ocr_languages="fra+eng")).ocr_languages == "fra+eng"


def test_a_huge_page_is_read_at_a_lower_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    """A poster: a page of 124 x 175 inches (10 billion pixels at 300 dpi), its letters as large.
    Rendered to fit the pixel bound (here lowered, to keep the test fast) rather than refused."""
    scan = pikepdf.open(io.BytesIO(scanned_pdf.pdf(scanned_pdf.pages([PAGE_ONE]))))
    big = io.BytesIO()
    scanned_pdf.pages([PAGE_TWO])[0].save(big, "PDF", resolution=20)  # 2,480 pixels = 124 inches
    poster = pikepdf.open(big)
    assert float(poster.pages[0].mediabox[2]) > 8000
    scan.pages.append(poster.pages[0])
    out = io.BytesIO()
    scan.save(out)
    monkeypatch.setattr(ocr, "MAX_PIXELS", 4_000_000)
    doc = parse(out.getvalue(), "poster.pdf")
    assert "Cold storage procedure" in [e.text for e in doc.elements if e.page == 1]
    poster_text = " ".join(e.text for e in doc.elements if e.page == 2)
    assert "defrost cycle" in poster_text.lower(), poster_text
