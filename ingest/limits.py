"""Container limits: cheap looks at what a file declares (zip directories, MIME boundaries, JSON
brackets), never a full decompression. They run in the parser process, before the parser (ingest.isolate),
and each is linear in the file and stops at the first limit it passes.

A zip bomb (a 1 MB .docx whose word/document.xml inflates to 315 MB) is refused here from its central
directory alone, and an archive of half a million empty entries from its record count, before zipfile
builds an object per entry. An archive that lies about its sizes is not: Python's zipfile stops at the
declared size and fails the CRC check, and whatever still grows too big is stopped by the parser
process's memory cap (ingest.isolate).
"""

from __future__ import annotations

import dataclasses
import io
import re
import struct
import zipfile
from dataclasses import dataclass

from core.errors import ConfigError, FileTooLarge, MalformedDocument
from core.language import ISO_639_3
from core.settings import IngestSettings
from core.units import MiB, human_bytes
from ingest import ocr

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
    """What a document may declare; built from the settings (``from_settings``), which hold the defaults."""

    max_expanded_bytes: int
    max_entries: int
    max_ratio: float
    max_pdf_pages: int
    max_mime_parts: int
    max_nesting: int
    # What a helper program may use for one document: pandoc's heap (ingest.convert), and the wall time of
    # pandoc or of OCR's pages in all (ingest.ocr): the parse's own.
    convert_memory_bytes: int
    convert_timeout_s: float
    # Tesseract's languages for OCR (ingest.ocr); None: no OCR (turned off, or Tesseract not installed).
    ocr_languages: str | None
    # The document's language when its uploader declared it (ISO 639-1; ``told``): unstructured reads it
    # in that language and OCR reads it with that language's Tesseract data first, where installed.
    language: str | None = None

    def told(self, language: str | None) -> Limits:
        """These limits for a document declared to be in ``language`` (None: not declared)."""
        if language is None or language == self.language:
            return self
        ocr_languages = self.ocr_languages
        code = ISO_639_3.get(language)
        if ocr_languages is not None and code and code not in ocr_languages.split("+"):
            if not ocr.missing_languages(code):
                ocr_languages = f"{code}+{ocr_languages}"
        return dataclasses.replace(self, language=language, ocr_languages=ocr_languages)

    @classmethod
    def from_settings(cls, s: IngestSettings | None = None) -> Limits:
        """The limits of ``s`` (the defaults when None: tests and tools)."""
        s = s or IngestSettings()
        return cls(
            max_expanded_bytes=int(s.max_expanded_mb * MiB),
            max_entries=s.max_archive_entries,
            max_ratio=s.max_compression_ratio,
            max_pdf_pages=s.max_pdf_pages,
            max_mime_parts=s.max_mime_parts,
            max_nesting=s.max_nesting,
            convert_memory_bytes=int(s.parse_memory_mb * MiB),
            convert_timeout_s=s.parse_timeout_s,
            ocr_languages=_ocr_languages(s),
        )


def _ocr_languages(s: IngestSettings) -> str | None:
    """The OCR languages when OCR is on and Tesseract installed; ConfigError for a language it lacks (at
    start, rather than every scanned file failing)."""
    if not s.ocr or not ocr.available():
        return None
    if missing := ocr.missing_languages(s.ocr_languages):
        raise ConfigError(
            f"RAG_INGEST__OCR_LANGUAGES: Tesseract has no data for {', '.join(missing)} here "
            f"(install tesseract-ocr-{missing[0]}, or set RAG_INGEST__OCR=false)"
        )
    return s.ocr_languages


# --- zip containers --------------------------------------------------------------------------------


@dataclass
class _Budget:
    entries: int = 0
    expanded: int = 0


def check_archive(data: bytes, source: str, limits: Limits, fmt: str = "zip") -> None:
    """Refuse a zip container (.docx, .pptx, .xlsx, .odt, .epub, ...) whose directory declares more
    entries, more expanded bytes or a higher compression ratio than ``limits`` allow, or archives
    nested too deep. A file that is not a readable zip at all is ``malformed``."""
    budget = _Budget()
    _count_entries(data, source, limits, budget)  # before zipfile builds an object per entry
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise MalformedDocument(f"{source}: not a valid {fmt} file (its zip container is damaged)") from e
    with archive:
        _check_zip(archive, source, limits, budget, depth=1, inside="")


def _count_entries(data: bytes, source: str, limits: Limits, budget: _Budget) -> None:
    """Add the entries ``data``'s directory holds to ``budget``, refusing past the limit."""
    entries = zip_entries(data, stop_after=limits.max_entries - budget.entries)
    if budget.entries + entries > limits.max_entries:
        raise FileTooLarge(
            f"{source}: the archive holds {budget.entries + entries:,} files, over the limit of "
            f"{limits.max_entries:,} (RAG_INGEST__MAX_ARCHIVE_ENTRIES)"
        )
    budget.entries += entries


def _check_zip(
    archive: zipfile.ZipFile, source: str, limits: Limits, budget: _Budget, depth: int, inside: str
) -> None:
    infos = archive.infolist()  # counted already (_count_entries), and zipfile reads no more records
    for info in infos:  # declared sizes first: refusing needs no decompression at all
        name = inside + info.filename
        if info.file_size > limits.max_expanded_bytes:
            raise FileTooLarge(
                f"{source}: {name} expands to {human_bytes(info.file_size)}, over the limit of "
                f"{human_bytes(limits.max_expanded_bytes)} (RAG_INGEST__MAX_EXPANDED_MB)"
            )
        budget.expanded += info.file_size
        if budget.expanded > limits.max_expanded_bytes:
            raise FileTooLarge(
                f"{source}: the archive expands to more than {human_bytes(limits.max_expanded_bytes)} in "
                "total, the limit (RAG_INGEST__MAX_EXPANDED_MB)"
            )
        if info.file_size >= _RATIO_MIN_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise FileTooLarge(
                    f"{source}: {name} is compressed {ratio:,.0f} to 1 ({human_bytes(info.file_size)} in "
                    f"{human_bytes(info.compress_size)}), over the limit of {limits.max_ratio:,.0f} to 1 "
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
            inner_data = archive.read(info)
            _count_entries(inner_data, source, limits, budget)
            inner = zipfile.ZipFile(io.BytesIO(inner_data))
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            continue  # a damaged embedded file is the parser's business, and no parser opens it
        with inner:
            _check_zip(inner, source, limits, budget, depth + 1, inside=name + "/")


# The records zipfile reads (see its _EndRecData and _RealGetContents): the end of central directory, its
# zip64 locator and record, and the central directory's file headers (46 bytes before the name).
_END = struct.Struct("<4s4H2LH")
_END64_LOCATOR_SIZE = 20
_END64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL_SIZE = 46
_MAX_COMMENT = 0xFFFF


def zip_entries(data: bytes, stop_after: int) -> int:
    """How many entries a zip's central directory holds, walking its records without building anything,
    and stopping once past ``stop_after`` (then the count the archive declares, if higher). 0 when there
    is no readable directory: zipfile then says what is wrong."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - _END.size - _MAX_COMMENT))
    if at < 0 or at + _END.size > len(data):
        return 0
    _, _, _, _, declared, size, offset, _ = _END.unpack_from(data, at)
    end_at = at
    locator = at - _END64_LOCATOR_SIZE
    if locator >= _END64.size and data[locator : locator + 4] == b"PK\x06\x07":
        end64 = locator - _END64.size
        if data[end64 : end64 + 4] == b"PK\x06\x06":
            fields = _END64.unpack_from(data, end64)
            declared, size, end_at = fields[7], fields[8], end64
    pos = end_at - size  # where zipfile looks for the directory, whatever offset the record says
    if pos < 0:
        return 0
    end = min(end_at, len(data))
    count = 0
    while pos + _CENTRAL_SIZE <= end and data[pos : pos + 4] == b"PK\x01\x02":
        count += 1
        if count > stop_after:
            return max(count, declared)
        name, extra, comment = struct.unpack_from("<3H", data, pos + 28)
        pos += _CENTRAL_SIZE + name + extra + comment
    return count


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
# Formats whose container the sniffing can only name in general: an Outlook message is an OLE file.
_CONTAINER_OF = {"msg": "ole"}


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


# A zip with more entries is not looked into to tell its format: check_archive refuses it anyway.
_SNIFF_MAX_ENTRIES = 10_000


def _zip_kind(data: bytes) -> str:
    if zip_entries(data, stop_after=_SNIFF_MAX_ENTRIES) > _SNIFF_MAX_ENTRIES:
        return "zip"
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
    if kind is None or kind == fmt or kind == _CONTAINER_OF.get(fmt):
        return
    if fmt in ZIP_FORMATS and kind == "zip":
        return  # a zip without the format's marks: check_archive and the parser say what is wrong
    raise MalformedDocument(f"{source}: the file is {_KIND_WORDS[kind]} but its name says {suffix}")


# --- e-mail ------------------------------------------------------------------------------------------

# Header lines (a name, a colon, the value, and its folded continuation lines), as many as follow.
_HEADER_BLOCK = re.compile(rb"(?:[!-9;-~]+[ \t]*:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)*")
_CONTENT_TYPE = re.compile(rb"^content-type[ \t]*:((?:[^\r\n]*)(?:\r?\n[ \t][^\r\n]*)*)", re.I | re.M)
_MEDIA_TYPE = re.compile(rb"\s*([\w.+-]+/[\w.+-]+)")
_FOLD = re.compile(rb"\r?\n(?=[ \t])")


def check_email(data: bytes, source: str, limits: Limits) -> str:
    """Count MIME parts and their nesting, walking the message as a stream: the headers of the message and
    of each part, and in between only the delimiter lines of the multiparts open at that point (one regex
    search each, so body text never becomes Python objects). Stops at the first limit passed. Python's
    e-mail parser recurses once per level and fails at a few hundred. Returns the message's content type.
    """
    # What encloses the current position, innermost last: a multipart's boundary, or None for a forwarded
    # message (message/rfc822), which ends with the part it is in.
    stack: list[bytes | None] = []
    parts = 0
    top = ""
    pos = 0
    while True:
        content_type, boundary, pos = _headers(data, pos)
        top = top or content_type
        if boundary is not None or content_type.startswith("message/"):
            stack.append(boundary)
            if len(stack) > limits.max_nesting:
                raise MalformedDocument(
                    f"{source}: MIME parts are nested more than {limits.max_nesting} deep "
                    "(RAG_INGEST__MAX_NESTING); not a message a person wrote"
                )
            if boundary is None:
                continue  # a forwarded message: its own headers follow
        while True:  # the next delimiter of an open multipart: a part starts, or a multipart ends
            delimiter = _delimiters(stack)
            m = delimiter.search(data, pos) if delimiter is not None else None
            if m is None:
                return top
            pos = m.end() + data.startswith(b"\n", m.end())
            at = len(stack) - 1 - stack[::-1].index(m.group(1))  # the innermost with that boundary
            if m.group(2):  # closed: it and everything it held
                del stack[at:]
                continue
            del stack[at + 1 :]  # a part ends whatever the previous part left open
            parts += 1
            if parts > limits.max_mime_parts:
                raise FileTooLarge(
                    f"{source}: the message has more than {limits.max_mime_parts:,} MIME parts "
                    "(RAG_INGEST__MAX_MIME_PARTS)"
                )
            break  # the part's headers follow


def _headers(data: bytes, pos: int) -> tuple[str, bytes | None, int]:
    """The content type and multipart boundary of the header block at ``pos``, and where its body starts.
    The block ends, as in Python's parser, at a blank line or at the first line that is not a header."""
    if pos == 0 and data.startswith(b"From "):  # an mbox "From " line before the headers
        pos = data.find(b"\n") + 1 or len(data)
    end = _HEADER_BLOCK.match(data, pos).end()
    header = _CONTENT_TYPE.search(data, pos, end)
    for blank in (b"\n", b"\r\n"):
        if data.startswith(blank, end):
            end += len(blank)
            break
    if header is None:
        return "text/plain", None, end
    value = header.group(1)
    kind = _MEDIA_TYPE.match(value)
    content_type = kind.group(1).decode("ascii").lower() if kind else "text/plain"
    return content_type, _boundary(value) if content_type.startswith("multipart/") else None, end


def _boundary(value: bytes) -> bytes | None:
    """A multipart's boundary as Python's parser will read it: ``boundary="b"``, and the RFC 2231 forms
    too (``boundary*=''b``, ``boundary*0=``/``boundary*1=`` continuations) that a pattern of our own missed,
    letting 100,000 parts past the limit. The value is one header, so this costs little."""
    from email.message import Message

    header = Message()
    header["Content-Type"] = _FOLD.sub(b"", value).decode("latin-1").strip()
    boundary = header.get_boundary()
    if not boundary or len(boundary) > 200:
        return None
    return boundary.encode("latin-1", errors="replace")


def _delimiters(stack: list[bytes | None]) -> re.Pattern[bytes] | None:
    """A delimiter line of any open multipart: ``--boundary`` or, closing it, ``--boundary--``."""
    open_ = {b for b in stack if b is not None}
    if not open_:
        return None
    names = b"|".join(re.escape(b) for b in sorted(open_, key=len, reverse=True))
    return re.compile(rb"^--(" + names + rb")(--)?[ \t]*\r?$", re.MULTILINE)


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
