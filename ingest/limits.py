"""Container limits, checked in the serving process before any parser sees the bytes: cheap looks at
what a file declares (zip directories, MIME boundaries, JSON brackets), never a full decompression.

A zip bomb (a 1 MB .docx whose word/document.xml inflates to 315 MB) is refused here from its central
directory alone. An archive that lies about its sizes is not: Python's zipfile stops at the declared
size and fails the CRC check, and whatever still grows too big is stopped by the parser process's
memory cap (ingest.isolate).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from rag.errors import FileTooLarge, MalformedDocument

MiB = 1024 * 1024
# Formats that are zip containers: OOXML, ODF, EPUB. Each is inspected with check_archive.
ZIP_FORMATS = frozenset({"docx", "pptx", "xlsx", "odt", "epub"})
# An embedded archive (a spreadsheet inside a slide deck) is opened to count its entries when it is at
# most this big; a bigger one counts with its own size only (no parser opens embedded archives).
_NESTED_INSPECT_BYTES = 32 * MiB
_MAX_ARCHIVE_DEPTH = 3  # a document, an embedded file, and one more: more is a nested-zip bomb
# Ratios are only meaningful for entries of some size: a tiny XML part of repeated spaces is normal.
_RATIO_MIN_BYTES = 1 * MiB
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Limits:
    """What a document may declare. Defaults match rag.settings.IngestSettings."""

    max_expanded_bytes: int = 200 * MiB
    max_entries: int = 10_000
    max_ratio: float = 200.0
    max_pdf_pages: int = 5_000
    max_mime_parts: int = 1_000
    max_nesting: int = 64


def _mb(n: float) -> str:
    return f"{n / MiB:.0f} MB" if n >= 10 * MiB else f"{n / MiB:.1f} MB"


# --- zip containers --------------------------------------------------------------------------------


@dataclass
class _Budget:
    entries: int = 0
    expanded: int = 0


def check_archive(data: bytes, source: str, limits: Limits, fmt: str = "zip") -> None:
    """Refuse a zip container (.docx, .pptx, .xlsx, .odt, .epub, ...) whose directory declares more
    entries, more expanded bytes or a higher compression ratio than ``limits`` allow, or archives
    nested too deep. A file that is not a readable zip at all is ``malformed``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise MalformedDocument(f"{source}: not a valid {fmt} file (its zip container is damaged)") from e
    with archive:
        _check_zip(archive, source, limits, _Budget(), depth=1, inside="")


def _check_zip(
    archive: zipfile.ZipFile, source: str, limits: Limits, budget: _Budget, depth: int, inside: str
) -> None:
    infos = archive.infolist()
    budget.entries += len(infos)
    if budget.entries > limits.max_entries:
        raise FileTooLarge(
            f"{source}: the archive holds {budget.entries:,} files, over the limit of "
            f"{limits.max_entries:,} (RAG_INGEST__MAX_ARCHIVE_ENTRIES)"
        )
    for info in infos:  # declared sizes first: refusing needs no decompression at all
        name = inside + info.filename
        if info.file_size > limits.max_expanded_bytes:
            raise FileTooLarge(
                f"{source}: {name} expands to {_mb(info.file_size)}, over the limit of "
                f"{_mb(limits.max_expanded_bytes)} (RAG_INGEST__MAX_EXPANDED_MB)"
            )
        budget.expanded += info.file_size
        if budget.expanded > limits.max_expanded_bytes:
            raise FileTooLarge(
                f"{source}: the archive expands to more than {_mb(limits.max_expanded_bytes)} in total, "
                "the limit (RAG_INGEST__MAX_EXPANDED_MB)"
            )
        if info.file_size >= _RATIO_MIN_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise FileTooLarge(
                    f"{source}: {name} is compressed {ratio:,.0f} to 1 ({_mb(info.file_size)} in "
                    f"{_mb(info.compress_size)}), over the limit of {limits.max_ratio:,.0f} to 1 "
                    "(RAG_INGEST__MAX_COMPRESSION_RATIO)"
                )
    for info in infos:
        if info.file_size < 22 or info.is_dir() or not _is_zip(archive, info):
            continue
        name = inside + info.filename
        if depth >= _MAX_ARCHIVE_DEPTH:
            raise FileTooLarge(
                f"{source}: archives nested more than {_MAX_ARCHIVE_DEPTH} deep (at {name}); "
                "refused as a likely decompression bomb"
            )
        if info.file_size > _NESTED_INSPECT_BYTES:
            continue
        try:
            inner = zipfile.ZipFile(io.BytesIO(archive.read(info)))
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            continue  # a damaged embedded file is the parser's business, and no parser opens it
        with inner:
            _check_zip(inner, source, limits, budget, depth + 1, inside=name + "/")


def _is_zip(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    try:
        with archive.open(info) as f:
            return f.read(4) in _ZIP_MAGIC
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return False


# --- what the bytes are, whatever the name says ----------------------------------------------------

_KIND_WORDS = {
    "pdf": "a PDF",
    "zip": "a zip archive",
    "docx": "a Word document",
    "pptx": "a PowerPoint presentation",
    "xlsx": "an Excel workbook",
    "odt": "an OpenDocument text",
    "ods": "an OpenDocument spreadsheet",
    "odp": "an OpenDocument presentation",
    "epub": "an EPUB book",
    "ole": "a legacy Office file (.doc, .xls or .ppt)",
}
_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
    b"application/epub+zip": "epub",
}
_OOXML_DIRS = {"word/": "docx", "ppt/": "pptx", "xl/": "xlsx"}


def sniff(data: bytes) -> str | None:
    """The container the bytes clearly are (pdf, ole, or a zip-based format name, or plain "zip"),
    or None for anything else (text, or a binary we do not recognise)."""
    if data[:1029].lstrip()[:5] == b"%PDF-":  # at the start: a text about PDFs stays a text
        return "pdf"
    if data.startswith(_OLE_MAGIC):
        return "ole"
    if data.startswith(_ZIP_MAGIC):
        return _zip_kind(data)
    return None


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            if "mimetype" in names:
                info = z.getinfo("mimetype")
                if info.file_size <= 100:
                    kind = _ODF_MIMETYPES.get(z.read(info).strip())
                    if kind:
                        return kind
            for prefix, kind in _OOXML_DIRS.items():
                if any(n.startswith(prefix) for n in names):
                    return kind
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        pass
    return "zip"


def check_kind(data: bytes, source: str, fmt: str, suffix: str) -> None:
    """Refuse bytes that are clearly another container than the name says (a PDF named .docx), rather
    than let a parser sniff them and record the document under the wrong format."""
    kind = sniff(data)
    if kind is None or kind == fmt:
        return
    if fmt in ZIP_FORMATS and kind == "zip":
        return  # a zip without the format's marks: check_archive and the parser say what is wrong
    raise MalformedDocument(f"{source}: the file is {_KIND_WORDS[kind]} but its name says {suffix}")


# --- e-mail ------------------------------------------------------------------------------------------

_BOUNDARY = re.compile(rb'boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))', re.IGNORECASE)
_DELIMITER = re.compile(rb"^--([^\r\n]{1,200}?)(--)?[ \t]*\r?$", re.MULTILINE)


def check_email(data: bytes, source: str, limits: Limits) -> None:
    """Count MIME parts and their nesting from the boundaries the message declares, in one pass and
    without recursion (Python's e-mail parser recurses once per level and fails at a few hundred)."""
    opens = [(m.start(), "open", m.group(1) or m.group(2)) for m in _BOUNDARY.finditer(data)]
    if not opens:
        return
    events = sorted(
        opens
        + [(m.start(), "close" if m.group(2) else "part", m.group(1)) for m in _DELIMITER.finditer(data)]
    )
    stack: list[bytes] = []
    parts = 0
    for _, what, boundary in events:
        if what == "open":
            stack.append(boundary)
            if len(stack) > limits.max_nesting:
                raise MalformedDocument(
                    f"{source}: MIME parts are nested more than {limits.max_nesting} deep "
                    "(RAG_INGEST__MAX_NESTING); not a message a person wrote"
                )
        elif boundary in stack:  # a delimiter of an open multipart (others are body text)
            if what == "part":
                parts += 1
                if parts > limits.max_mime_parts:
                    raise FileTooLarge(
                        f"{source}: the message has more than {limits.max_mime_parts:,} MIME parts "
                        "(RAG_INGEST__MAX_MIME_PARTS)"
                    )
            else:
                del stack[stack.index(boundary) :]


# --- JSON --------------------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def check_json_depth(text: str, source: str, limits: Limits) -> None:
    """Refuse JSON nested deeper than ``limits.max_nesting`` before a recursive parser meets it."""
    if text.count("[") + text.count("{") <= limits.max_nesting:
        return
    depth = 0
    for m in _JSON_TOKEN.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > limits.max_nesting:
                raise MalformedDocument(
                    f"{source}: invalid JSON: nested more than {limits.max_nesting} levels deep "
                    "(RAG_INGEST__MAX_NESTING)"
                )
        elif c in "]}":
            depth -= 1
