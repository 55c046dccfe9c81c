"""Writes scanned documents: text rendered to 300-dpi page images (Pillow's own scalable font, nothing
downloaded) and wrapped in a PDF with no text layer, as a scanner makes them. Used by tests and
bench/ocr_quality.py, which know the text and so can measure what OCR reads back.
"""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

DPI = 300
_PAGE = (2480, 3508)  # A4 at 300 dpi
_MARGIN = 200
_POINTS = 11


def pages(
    paragraphs_per_page: list[list[str]], points: float = _POINTS, font: str | None = None
) -> list[Image.Image]:
    """One grey-scale page image per list of paragraphs (a paragraph starting with "# " is a heading), in
    Pillow's own font, or the TrueType ``font`` (Pillow's has no accented letters: "é" is a box)."""
    body, heading = (
        ImageFont.truetype(font, round(size * DPI / 72))
        if font
        else ImageFont.load_default(size=round(size * DPI / 72))
        for size in (points, points * 1.5)
    )
    out = []
    for paragraphs in paragraphs_per_page:
        page = Image.new("L", _PAGE, 255)
        draw = ImageDraw.Draw(page)
        y = _MARGIN
        for paragraph in paragraphs:
            face = heading if paragraph.startswith("# ") else body
            words = paragraph.removeprefix("# ")
            width = _chars_per_line(face)
            for line in textwrap.wrap(words, width) or [""]:
                draw.text((_MARGIN, y), line, font=face, fill=0)
                y += round(face.size * 1.45)
            y += round(face.size * 0.8)
            if y > _PAGE[1] - _MARGIN:
                raise ValueError("the text does not fit on the page")
        out.append(page)
    return out


def pdf(images: list[Image.Image]) -> bytes:
    """The page images as an image-only PDF."""
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=DPI, save_all=True, append_images=images[1:])
    return buf.getvalue()


def image(picture: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    picture.save(buf, fmt, dpi=(DPI, DPI))
    return buf.getvalue()


def _chars_per_line(font: ImageFont.FreeTypeFont) -> int:
    sample = "the quick brown fox jumps over the lazy dog "
    per_char = font.getlength(sample) / len(sample)
    return int((_PAGE[0] - 2 * _MARGIN) / per_char)
