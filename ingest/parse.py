"""Parse: file bytes -> a list of Elements (text, kind, page, heading depth): plain text, Markdown, CSV
and Excel workbooks by our own parsers (ingest.formats), JSON flattened here, OpenDocument text, RTF and
EPUB converted to HTML by pandoc (ingest.convert) for unstructured's HTML parser, the rest through
unstructured.

unstructured's "fast" strategy only (its hi-res layout detection needs model downloads): PDF pages the
text layer leaves (nearly) empty, and images, are read by Tesseract (ingest.ocr) where it is installed.
Everything that can go wrong with an input file ends as a typed IngestError with the reason, never as an
empty success.

Two halves, both run in a parser process by ingest.isolate: ``inspect`` (checks of what the file
declares, linear and bounded) and ``extract`` (the parser itself). The serving process only looks at the
name and the size (``precheck``). ``parse_bytes`` runs both halves here, for tests and tools.
"""

from __future__ import annotations

import functools
import importlib
import io
import json
import logging
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core import offline
from core.errors import (
    EmptyDocument,
    EncryptedDocument,
    FileTooLarge,
    IngestError,
    MalformedDocument,
    NoExtractableText,
    UnsupportedFormat,
)
from core.language import ISO_639_3
from core.scrub import scrub
from core.types import Element
from core.units import human_bytes
from ingest import convert, formats, ocr
from ingest.formats import workbook
from ingest.formats.clean import without_control
from ingest.limits import (
    ZIP_FORMATS,
    Limits,
    check_archive,
    check_email,
    check_json_depth,
    check_kind,
    sniff,
)

log = logging.getLogger(__name__)

# Extension -> the format name we report. Text-like formats are decoded by us (see _decode).
FORMATS: dict[str, str] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".pptx": "pptx",
    ".html": "html",
    ".htm": "html",
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".text": "txt",
    ".csv": "csv",
    ".json": "json",
    ".eml": "eml",
    ".msg": "msg",
    ".xlsx": "xlsx",
    ".odt": "odt",
    ".rtf": "rtf",
    ".epub": "epub",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".tif": "tiff",
    ".tiff": "tiff",
}
# Format -> unstructured's partitioner module (and its partition_<name> function). Called directly, so
# the extension decides the parser: unstructured's own sniffing would parse a PDF named .docx as a PDF.
# Plain text, Markdown and CSV are parsed by ingest.formats; "txt" stays for ``warm_up``.
_PARTITIONERS = {
    "pdf": "pdf",
    "docx": "docx",
    "pptx": "pptx",
    "html": "html",
    "txt": "text",
    "eml": "email",
    "msg": "msg",
}
# Formats our own parsers read, cheap and linear enough to run in the calling process (ingest.isolate).
# Not JSON: its flattening repeats every key path on each leaf, so a small file of long keys over a
# long array makes gigabytes of text; the parser process's memory limit is what bounds it.
NATIVE_FORMATS = frozenset(formats.PARSERS)
_TEXT_FORMATS = {"html", "txt"}
_OOXML_FORMATS = {"docx", "pptx", "xlsx"}
_ENCRYPTED_MAIL = frozenset({"multipart/encrypted", "application/pkcs7-mime", "application/x-pkcs7-mime"})
IMAGE_FORMATS = frozenset({"png", "jpeg", "tiff"})
_NO_OCR = "OCR is off (RAG_INGEST__OCR) or Tesseract is not installed (Debian's tesseract-ocr)"
# Elements that carry no content worth retrieving.
_SKIP_KINDS = {"PageBreak", "Image", "Header", "Footer", "PageNumber"}
_UNNAMED_COLUMN = re.compile(r"^Unnamed: \d+$")
# Longer integers are no data a person wrote (and Python refuses to convert past 4,300 digits).
_MAX_JSON_DIGITS = 1000


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    source: str
    format: str
    elements: list[Element]


def supported_suffixes() -> list[str]:
    return sorted(FORMATS)


def format_of(name: str) -> str:
    suffix = Path(name).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        raise UnsupportedFormat(
            f"{name}: unsupported file type {suffix or '(no extension)'!r}; "
            f"supported: {', '.join(supported_suffixes())}"
        ) from None


def parse_file(path: Path, max_bytes: int, limits: Limits | None = None) -> ParsedDocument:
    size = path.stat().st_size
    _check_size(path.name, size, max_bytes)
    return parse_bytes(path.read_bytes(), path.name, max_bytes, limits)


def parse_bytes(data: bytes, source: str, max_bytes: int, limits: Limits | None = None) -> ParsedDocument:
    """Parse one document in this process. ``source`` is its name (the extension decides the format)."""
    limits = limits or Limits.from_settings()
    fmt = inspect(data, source, max_bytes, limits)
    return extract(data, source, fmt, limits)


def precheck(source: str, size: int, max_bytes: int) -> str:
    """What can be told without reading the bytes: the format (from the name) and the size. Returns the
    format."""
    fmt = format_of(source)
    _check_size(source, size, max_bytes)
    return fmt


def inspect(data: bytes, source: str, max_bytes: int, limits: Limits) -> str:
    """The checks that need no parser: format from the name, size, emptiness, what the bytes really are,
    and what a container declares it expands to. Returns the format."""
    fmt = precheck(source, len(data), max_bytes)
    if not data:
        raise EmptyDocument(f"{source}: the file is empty (0 bytes)")
    if not data.strip():
        raise EmptyDocument(f"{source}: the file holds only whitespace")
    if fmt in _OOXML_FORMATS and sniff(data) == "ole":
        _check_encrypted_office(data, source)
    check_kind(data, source, fmt, Path(source).suffix.lower())
    if fmt in ZIP_FORMATS:
        check_archive(data, source, limits, fmt)
    if fmt == "pdf":
        _check_pdf(data, source, limits)
    if fmt == "eml":
        _check_email(data, source, limits)
    if fmt == "msg":
        _check_msg(data, source)
    if fmt == "rtf" and data.lstrip(b"\xef\xbb\xbf \t\r\n")[:5] != b"{\\rtf":
        raise MalformedDocument(f"{source}: not an RTF file (it does not start with {{\\rtf)")
    return fmt


def extract(
    data: bytes, source: str, fmt: str, limits: Limits, on_stage: ocr.Stage = lambda _: None
) -> ParsedDocument:
    """Run the parser on a file ``inspect`` accepted. Any failure of a parsing library is this file's
    fault: it ends as an IngestError whose message a person can read (the traceback goes to the log).
    ``on_stage("ocr")`` when OCR starts reading it."""
    try:
        if fmt in IMAGE_FORMATS:
            if limits.ocr_languages is None:
                raise NoExtractableText(f"{source}: an image is read by OCR, but {_NO_OCR}")
            elements = ocr.image(data, source, _ocr_budget(limits), on_stage)
        elif fmt == "pdf":
            elements = _partition(data, source, fmt, limits.language)
            if limits.ocr_languages is not None:
                elements = ocr.pdf(data, elements, source, _ocr_budget(limits), on_stage)
        elif fmt == "json":
            elements = _parse_json(data, source, limits)
        elif fmt in formats.PARSERS:
            elements = formats.parse(_decode(data, source), fmt)
        elif fmt == "xlsx":
            elements = workbook.parse(data, source)
        elif fmt == "msg":
            elements = _outlook_message(data, source, limits.language)
        elif fmt in convert.READERS:
            pandoc = convert.Budget(limits.convert_memory_bytes, limits.convert_timeout_s)
            elements = _partition(convert.to_html(data, fmt, source, pandoc), source, "html", limits.language)
        else:
            if fmt == "eml":
                data = _email_bytes(data, source)
            elements = _partition(data, source, fmt, limits.language)
    except IngestError:
        raise
    except MemoryError as e:
        raise FileTooLarge(f"{source}: parsing it needed more memory than is allowed") from e
    except RecursionError as e:
        raise MalformedDocument(
            f"{source}: could not parse as {fmt}: its structure is nested too deeply"
        ) from e
    except Exception as e:  # noqa: BLE001 - the parser boundary: any library failure is a bad file
        log.warning("%s: the %s parser failed", source, fmt, exc_info=True)
        raise MalformedDocument(f"{source}: could not parse as {fmt}: {describe(e)}") from e
    if not elements:
        if fmt == "pdf" and limits.ocr_languages is None:
            raise NoExtractableText(f"{source}: no extractable text: scanned or image-only? {_NO_OCR}")
        if fmt == "pdf" or fmt in IMAGE_FORMATS:
            raise NoExtractableText(f"{source}: no text, even by OCR: a picture without words, a blank scan?")
        raise NoExtractableText(f"{source}: no extractable text")
    return ParsedDocument(source=source, format=fmt, elements=elements)


def _ocr_budget(limits: Limits) -> ocr.Budget:
    """OCR's share of the parse: the languages, a TIFF's pages as a PDF's, and the parse's time."""
    assert limits.ocr_languages is not None
    return ocr.Budget(limits.ocr_languages, limits.max_pdf_pages, limits.convert_timeout_s)


def warm_up() -> None:
    """Run the text parser once (it imports unstructured and loads spaCy): a parser process does this
    when it starts. Other formats' parsers are imported on first use: all of them at once would take
    another 4 s and 200 MB per process."""
    _partition(b"Warm up the parser.\n\nIt loads its models once.", "warm-up.txt", "txt")


def describe(e: BaseException) -> str:
    """A library's exception in words for the person who uploaded the file: no class names, addresses
    or tracebacks; internal errors (a None where the library expected a value) get a plain sentence."""
    from xml.etree import ElementTree

    from lxml import etree

    if isinstance(e, zipfile.BadZipFile | KeyError):
        return "a part the format needs is missing or damaged"
    if isinstance(e, etree.XMLSyntaxError | ElementTree.ParseError):
        return "its XML is not well-formed"
    if isinstance(e, UnicodeError):
        return "it holds text in an unknown or broken encoding"
    if isinstance(e, ValueError | OSError | EOFError | etree.LxmlError):
        text = scrub(str(e).strip().splitlines()[0] if str(e).strip() else "", 200)
        if text:
            return text
    return "the parser could not make sense of its content"


def _check_size(source: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise FileTooLarge(
            f"{source}: {human_bytes(size)} is over the limit of {human_bytes(max_bytes)} "
            "(RAG_INGEST__MAX_FILE_MB)"
        )


def _check_pdf(data: bytes, source: str, limits: Limits) -> None:
    """pdfminer returns zero elements for encrypted PDFs instead of failing: ask pikepdf first. It also
    counts the pages without parsing their content."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            pages = len(pdf.pages)
    except pikepdf.PasswordError as e:
        raise EncryptedDocument(f"{source}: the PDF is encrypted and needs a password") from e
    except pikepdf.PdfError as e:
        raise MalformedDocument(f"{source}: not a readable PDF: {scrub(str(e))}") from e
    if pages > limits.max_pdf_pages:
        raise FileTooLarge(
            f"{source}: the PDF has {pages:,} pages, over the limit of {limits.max_pdf_pages:,} "
            "(RAG_INGEST__MAX_PDF_PAGES)"
        )


def _check_email(data: bytes, source: str, limits: Limits) -> None:
    """Refuse mail with too many or too deeply nested parts, and encrypted mail (its body is
    ciphertext). Only the headers and delimiter lines are looked at here: the body is the parser's job."""
    content_type = check_email(_email_bytes(data, source), source, limits)
    if content_type in _ENCRYPTED_MAIL:
        raise EncryptedDocument(f"{source}: the message is encrypted ({content_type})")


def _check_encrypted_office(data: bytes, source: str) -> None:
    """A password-protected .docx, .pptx or .xlsx is an OLE file holding the encrypted zip: say so, rather
    than that its bytes are a legacy Office file."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            encrypted = ole.exists("EncryptedPackage")
    except (OSError, ValueError, IndexError, struct.error):
        return  # not a readable OLE file: check_kind names what it is
    if encrypted:
        raise EncryptedDocument(f"{source}: the file is password-protected (an encrypted Office document)")


def _check_msg(data: bytes, source: str) -> None:
    """An Outlook message is an OLE compound file with a property stream at its root. Its directory and
    allocation table are read strictly: the reader would take a truncated file for a message without a
    body ("no text") where the file is damaged."""
    import olefile

    if sniff(data) != "ole":
        raise MalformedDocument(f"{source}: not an Outlook message (.msg files are OLE compound files)")
    try:
        with olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT) as ole:
            has_properties = ole.exists("__properties_version1.0")
    except (OSError, ValueError, IndexError, struct.error) as e:
        raise MalformedDocument(f"{source}: a damaged Outlook message: {describe(e)}") from e
    except RecursionError as e:  # olefile walks the directory tree recursively
        raise MalformedDocument(f"{source}: an Outlook message with too many parts, too deeply nested") from e
    if not has_properties:
        raise MalformedDocument(f"{source}: an OLE file but not an Outlook message (no message properties)")
    from oxmsg import Message

    msg = Message.load(data)
    kind = msg.message_class.upper()
    content_type = msg.message_headers.get("Content-Type", "").split(";")[0].strip().lower()
    if (kind.startswith("IPM.NOTE.SMIME") and "SIGNED" not in kind) or content_type in _ENCRYPTED_MAIL:
        raise EncryptedDocument(f"{source}: the message is encrypted ({content_type or msg.message_class})")


def _email_bytes(data: bytes, source: str) -> bytes:
    """UTF-16/32 mail re-encoded as UTF-8: the MIME parser would read it as text full of NULs."""
    if b"\x00" in data[:4096]:
        return _decode(data, source).encode("utf-8")
    return data


def _decode(data: bytes, source: str) -> str:
    """Decode text-like files: BOM first, then UTF-8, then the best guess of charset-normalizer."""
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding)
    if b"\x00" in data[:4096]:
        return _decode_wide(data, source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise MalformedDocument(f"{source}: binary content or an unknown text encoding")
    log.info("%s: decoded as %s", source, best.encoding)
    return str(best)


def _decode_wide(data: bytes, source: str) -> str:
    """UTF-16/32 without a byte-order mark: ASCII text leaves NULs in the high bytes of each unit."""
    sample = data[:4096]
    n = len(sample) - len(sample) % 4
    zeros = [sum(1 for i in range(r, n, 4) if sample[i] == 0) for r in range(4)]
    quarter = max(n // 4, 1)
    if min(zeros[1:]) > 0.9 * quarter and zeros[0] < 0.5 * quarter:
        encoding = "utf-32-le"
    elif min(zeros[:3]) > 0.9 * quarter and zeros[3] < 0.5 * quarter:
        encoding = "utf-32-be"
    elif zeros[1] + zeros[3] > zeros[0] + zeros[2]:
        encoding = "utf-16-le"
    else:
        encoding = "utf-16-be"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise MalformedDocument(f"{source}: binary content or an unknown text encoding") from e


def _partition(data: bytes, source: str, fmt: str, language: str | None = None) -> list[Element]:
    offline.guard()
    partition = _partitioner(fmt)
    kwargs: dict[str, Any] = {
        "metadata_filename": source,
        "strategy": "fast",
        # Its English-only checks (a narrative paragraph must hold an English verb) are for English.
        "languages": [ISO_639_3.get(language or "en", "eng")],
    }
    if fmt in _TEXT_FORMATS:
        payload = _decode(data, source).encode("utf-8")
        kwargs["encoding"] = "utf-8"
    else:
        payload = data
    return list(_to_elements(_call_partition(partition, payload, fmt, kwargs)))


def _outlook_message(data: bytes, source: str, language: str | None) -> list[Element]:
    """An Outlook message's elements, its subject heading them (unstructured keeps it in metadata only)."""
    from oxmsg import Message

    subject = without_control(" ".join(Message.load(data).subject.split()))
    elements = _partition(data, source, "msg", language)
    return [Element(text=subject, kind="Title"), *elements] if subject else elements


@functools.cache
def _partitioner(fmt: str) -> Any:
    name = _PARTITIONERS[fmt]
    return getattr(importlib.import_module(f"unstructured.partition.{name}"), f"partition_{name}")


def _call_partition(partition: Any, payload: bytes, fmt: str, kwargs: dict[str, Any]) -> list[Any]:
    try:
        return partition(file=io.BytesIO(payload), **kwargs)
    except ValueError as e:
        # An e-mail whose attachment is an image fails as a whole under the fast strategy; keep the
        # body and skip the attachments rather than reject the message.
        if fmt in ("eml", "msg") and "image" in str(e):
            log.warning("%s: attachments skipped: %s", kwargs["metadata_filename"], e)
            return partition(file=io.BytesIO(payload), process_attachments=False, **kwargs)
        raise


def _to_elements(raw: list[Any]) -> Iterator[Element]:
    for el in raw:
        kind = getattr(el, "category", type(el).__name__)
        if kind in _SKIP_KINDS:
            continue
        md = el.metadata
        text = (_table_text(md.text_as_html) if kind == "Table" and md.text_as_html else "") or el.text
        text = without_control(text or "").strip()
        if not text:
            continue
        yield Element(
            text=text,
            kind=kind,
            page=md.page_number,
            depth=md.category_depth or 0,
        )


def _table_text(html: str) -> str:
    """A table as text: one line per row, cells separated by ' | '. Keeps rows apart for chunking."""
    import lxml.html

    try:
        table = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # noqa: BLE001 - malformed table markup: fall back to the plain text
        return ""
    lines = []
    for row in table.iter("tr"):
        cells = [c.text_content().strip() for c in row if c.tag in ("td", "th")]
        cells = ["" if _UNNAMED_COLUMN.match(c) else c for c in cells]
        if any(cells):
            lines.append(" | ".join(cells))
    return "\n".join(lines)


def _parse_json(data: bytes, source: str, limits: Limits) -> list[Element]:
    """JSON is not a document format unstructured understands (it expects its own element dumps), so
    we flatten it: one section per top-level key, one ``path: value`` line per leaf."""
    text = _decode(data, source)
    check_json_depth(text, source, limits)  # the decoder and _leaves recurse once per level

    def integer(digits: str) -> int:
        if len(digits) > _MAX_JSON_DIGITS:
            raise MalformedDocument(
                f"{source}: invalid JSON: a number of {len(digits.lstrip('-')):,} digits "
                f"(at most {_MAX_JSON_DIGITS:,})"
            )
        return int(digits)

    try:
        doc = json.loads(text, parse_int=integer)
    except json.JSONDecodeError as e:
        raise MalformedDocument(f"{source}: invalid JSON: {e}") from e
    items = doc.items() if isinstance(doc, dict) else [("", doc)]
    elements: list[Element] = []
    for key, value in items:
        lines = [f"{path}: {leaf}" if path else str(leaf) for path, leaf in _leaves(value, str(key))]
        text = "\n".join(line for line in lines if line.strip())
        if not text:
            continue
        if key:
            elements.append(Element(text=str(key), kind="Title"))
        elements.append(Element(text=text, kind="NarrativeText", depth=1))
    return elements


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{path}[{i}]")
    elif value is not None:
        yield path, value
