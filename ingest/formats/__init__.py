"""Our own parsers for the formats that state their structure (plain text, Markdown, CSV): pure Python,
linear in the input, a few milliseconds a document where unstructured's element classification (spaCy
over every line) costs 16-18 ms. ``ingest.parse`` decodes the bytes and calls ``parse``; Excel workbooks
(``workbook``, on openpyxl) it calls with the bytes, in the parser process. PDF, Word, PowerPoint, HTML
and e-mail still go to unstructured."""

from __future__ import annotations

from collections.abc import Callable

from core.types import Element
from ingest.formats import delimited, markdown, text
from ingest.formats.clean import without_control

# Part of the settings fingerprint (ingest.fingerprint): raise it whenever these parsers give other
# elements for the same file, so ``rag reindex --incremental`` rebuilds what older code parsed.
# 1: plain text, Markdown and CSV no longer parsed by unstructured.
FORMATS_VERSION = 1


PARSERS: dict[str, Callable[[str], list[Element]]] = {
    "txt": text.parse,
    "md": markdown.parse,
    "csv": delimited.parse,
}


def parse(decoded: str, fmt: str) -> list[Element]:
    """The elements of a decoded ``txt``, ``md`` or ``csv`` document (empty when it holds no text)."""
    return PARSERS[fmt](normalise(decoded))


def normalise(decoded: str) -> str:
    """One newline convention, no byte-order mark, no control characters but tab and newline."""
    s = decoded.lstrip("\ufeff")
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in s:
        # A page break in plain text: a paragraph break, before control characters go.
        s = s.replace("\f", "\n\n")
    return without_control(s)
