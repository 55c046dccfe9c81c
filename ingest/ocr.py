"""OCR: the text of scanned PDF pages and of images, by Tesseract (Debian's `tesseract-ocr` and its
language packs: nothing downloaded). PDF pages are rendered at 300 dpi by PDFium (pypdfium2), images
read by Pillow; each page goes to ``tesseract`` as an uncompressed image on its stdin, one process a page,
bounded in time and single-threaded (OMP_THREAD_LIMIT=1: the parser's process counts on one core, and the
embedding model may be busy on the other).

Only pages whose text layer holds less than MIN_PAGE_CHARS characters are read this way: a text PDF
costs nothing more. The text of a page becomes elements by the plain-text rules (ingest.formats.text), each
with its page number. Run in the parser process, which kills tesseract with itself on a timeout or a
cancel (ingest.isolate); tesseract's own memory is not counted by the parser's memory watcher.
"""

from __future__ import annotations

import functools
import io
import logging
import math
import os
import re
import shutil
import subprocess
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from core.errors import FileTooLarge, MalformedDocument, ParseTimeout
from core.types import Element
from ingest.formats import normalise, text

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

DPI = 300
# A page with less text than this in its text layer (a page number, a scanner's stamp) is read by OCR.
MIN_PAGE_CHARS = 16
# Pixels of a page OCR reads: an A4 page at 300 dpi is 8.7 million, an A0 poster 140 million. A larger
# PDF page is rendered at a lower resolution; a larger image is too_large.
MAX_PIXELS = 150_000_000

# What Pillow may open an image as: the formats we accept. Its other plugins (EPS runs Ghostscript) never.
_IMAGE_FORMATS = ("PNG", "JPEG", "TIFF")

Stage = Callable[[str], None]


@dataclass(frozen=True)
class Budget:
    """What OCR may use for one document: its languages (Tesseract's codes, ``eng+fra``), its pages and
    its wall time in all."""

    languages: str
    max_pages: int
    timeout_s: float


def available() -> bool:
    return _tesseract() is not None


def missing_languages(languages: str) -> list[str]:
    """Those of ``languages`` (``eng+fra``) Tesseract has no data for here."""
    return [lang for lang in languages.split("+") if lang not in _installed_languages()]


@functools.cache
def _installed_languages() -> frozenset[str]:
    exe = _tesseract()
    if exe is None:
        return frozenset()
    try:
        done = subprocess.run([exe, "--list-langs"], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        log.warning("tesseract --list-langs did not answer: no OCR language taken as installed")
        return frozenset()
    return frozenset(line.strip() for line in done.stdout.decode().splitlines()[1:] if line.strip())


def pdf(data: bytes, layer: list[Element], source: str, budget: Budget, on_stage: Stage) -> list[Element]:
    """A PDF's elements: those of its text layer (``layer``), and OCR's of each page the layer leaves
    (nearly) empty, in page order. ``on_stage("ocr")`` once, before the first page OCR reads."""
    import pypdfium2 as pdfium

    deadline = time.monotonic() + budget.timeout_s
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if layer:
            return layer  # PDFium cannot open what pdfminer read: keep the text layer
        raise MalformedDocument(f"{source}: not a readable PDF") from e
    try:
        missing = pages_without_text(layer, len(document))
        if not missing:
            return layer
        on_stage("ocr")
        read: list[Element] = []
        for number in missing:  # at most RAG_INGEST__MAX_PDF_PAGES: inspect refused more
            page = document[number - 1]
            try:
                area = max(page.get_width() * page.get_height(), 0.0)  # points: 1/72 inch
                if area < 1:
                    continue  # a page of no size holds nothing to read
                # 300 dpi, or less for a page so large (a poster, a crafted MediaBox) that it would
                # be more than MAX_PIXELS: its letters are large too.
                scale = min(DPI / 72, math.sqrt(MAX_PIXELS / area))
                picture = page.render(scale=scale, grayscale=True).to_pil()
            except pdfium.PdfiumError:
                log.warning("%s: page %d cannot be rendered for OCR: skipped", source, number)
                continue
            finally:
                page.close()
            read += _read(picture, number, round(scale * 72), source, budget, deadline)
        # A page OCR read replaces what little its text layer had (a page number, a stamp), which the
        # reading holds too.
        read_pages = {e.page for e in read}
        kept = [e for e in layer if e.page not in read_pages]
        return sorted(kept + read, key=lambda e: e.page or 0)
    finally:
        document.close()


def image(data: bytes, source: str, budget: Budget, on_stage: Stage) -> list[Element]:
    """The elements OCR reads in an image (each frame of a multi-page TIFF is a page)."""
    from PIL import Image, UnidentifiedImageError

    deadline = time.monotonic() + budget.timeout_s
    try:
        with warnings.catch_warnings():  # Pillow warns from 89 million pixels, below our own bound
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data), formats=_IMAGE_FORMATS)  # not EPS and the like
    except Image.DecompressionBombError as e:  # far over our bound: Pillow refuses to open it
        size = re.search(r"\((\d+) pixels\)", str(e))
        _check_pixels(float(size[1]) if size else math.inf, source, "the image")
        raise  # not reached: our bound is below Pillow's refusal (179 million)
    except (UnidentifiedImageError, OSError, ValueError) as e:
        raise MalformedDocument(f"{source}: not a readable image") from e
    with picture:
        frames = getattr(picture, "n_frames", 1)
        if frames > budget.max_pages:
            raise FileTooLarge(
                f"{source}: the image has {frames:,} pages, over the limit of {budget.max_pages:,} "
                "(RAG_INGEST__MAX_PDF_PAGES)"
            )
        on_stage("ocr")
        out: list[Element] = []
        for number in range(1, frames + 1):
            picture.seek(number - 1)
            _check_pixels(picture.width * picture.height, source, f"page {number}")
            try:
                frame = picture.convert("L")
            except (OSError, ValueError) as e:
                raise MalformedDocument(f"{source}: the image's pixels cannot be read") from e
            page = number if frames > 1 else None
            out += _read(frame, page, _dpi(picture.info.get("dpi")), source, budget, deadline)
        return out


def _read(
    picture: Image.Image, page: int | None, dpi: int, source: str, budget: Budget, deadline: float
) -> list[Element]:
    """Tesseract's reading of one page (``dpi``: its resolution, for the size of the letters)."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise ParseTimeout(f"{source}: OCR took longer than {budget.timeout_s:g} s")
    pnm = io.BytesIO()
    picture.save(pnm, "PPM")
    args = [_tesseract(), "stdin", "stdout", "-l", budget.languages, "--dpi", str(dpi), "--psm", "3"]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            args, input=pnm.getvalue(), capture_output=True, timeout=left, env=env, check=False
        )
    except subprocess.TimeoutExpired as e:
        raise ParseTimeout(f"{source}: OCR took longer than {budget.timeout_s:g} s") from e
    if done.returncode != 0:  # on an image we made: Tesseract's trouble (its memory, its data), in the log
        log.warning("%s: tesseract failed (%d): %s", source, done.returncode, done.stderr[-2000:])
        raise MalformedDocument(f"{source}: OCR could not read {f'page {page}' if page else 'the image'}")
    return [replace(e, page=page) for e in text.parse(normalise(done.stdout.decode("utf-8", "replace")))]


def _dpi(declared: object) -> int:
    """The resolution an image declares, when it is a sane one (a crafted file may say 0 or NaN)."""
    try:
        value = float(declared[0])  # type: ignore[index]
    except (TypeError, ValueError, IndexError, KeyError):
        return DPI
    return round(value) if 50 <= value <= 1200 else DPI


def _check_pixels(pixels: float, source: str, what: str) -> None:
    if pixels > MAX_PIXELS:
        size = f"{pixels / 1e6:,.0f} million" if math.isfinite(pixels) else "too many"
        raise FileTooLarge(
            f"{source}: {what} is {size} pixels, over the limit of {MAX_PIXELS / 1e6:,.0f} million for OCR"
        )


@functools.cache
def _tesseract() -> str | None:
    return shutil.which("tesseract")


def pages_without_text(elements: list[Element], count: int) -> list[int]:
    """Pages (1-based) of a ``count``-page document whose text layer gave less than MIN_PAGE_CHARS."""
    chars: dict[int, int] = {}
    for e in elements:
        if e.page is not None:
            chars[e.page] = chars.get(e.page, 0) + len(e.text)
    return [p for p in range(1, count + 1) if chars.get(p, 0) < MIN_PAGE_CHARS]
