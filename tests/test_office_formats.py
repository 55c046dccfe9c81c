"""Workbooks (.xlsx), Outlook mail (.msg), OpenDocument text (.odt), RTF and EPUB: what each yields from
sample_docs, and hostile files of each failing with their reason."""

from __future__ import annotations

import datetime as dt
import http.server
import io
import re
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import INTERNALS, ROOT, SAMPLE_DOCS
from core.errors import EncryptedDocument, FileTooLarge, IngestError, MalformedDocument, ParseTimeout
from core.types import Element
from ingest import convert
from ingest.chunk import Chunker, TokenCounter
from ingest.isolate import ParseLimits, Parser
from ingest.parse import parse_bytes, parse_file

sys.path.insert(0, str(ROOT / "scripts"))
import outlook_msg  # noqa: E402 - scripts/ is not a package: its writer of .msg files

MB = 1024 * 1024


def parsed(name: str) -> list[Element]:
    return parse_file(SAMPLE_DOCS / name, 50 * MB).elements


def workbook(*sheets: tuple[str, list[tuple]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- workbooks -----------------------------------------------------------------------------------------


def test_a_workbook_gives_each_sheet_a_section_with_its_rows_whole() -> None:
    els = parsed("fleet-inventory.xlsx")
    assert [(e.kind, e.text, e.page) for e in els if e.kind == "Title"] == [
        ("Title", "Robots", 1),
        ("Title", "Sites", 2),
    ]
    robots = next(e for e in els if e.kind == "Table" and e.page == 1).text.split("\n")
    assert robots[0] == "Serial | Model | Site | Commissioned | Firmware | Operating hours"
    assert robots[1] == "PH2-0148 | Porter H2 | Valencia | 2025-03-14 | 4.1.0 | 4120"
    assert len(robots) == 6


def test_cells_read_as_a_person_reads_them() -> None:
    data = workbook(
        (
            "Mixed",
            [
                ("what", "value", None, None),  # trailing empty cells are not content
                ("whole float", 3.0),
                ("fraction", 2.5),
                ("yes", True),
                ("when", dt.datetime(2026, 5, 1, 14, 30)),
                ("midnight", dt.datetime(2026, 5, 2)),
                ("spaces", "  two\n lines  "),
                (None, None, None),  # an empty row is skipped
                (None, "first cell empty"),
                ("formula", "=1+1"),  # never computed by a spreadsheet program: no cached value
            ],
        ),
        ("Empty", []),
    )
    els = parse_bytes(data, "mixed.xlsx", 50 * MB).elements
    assert [e.text for e in els if e.kind == "Title"] == ["Mixed"]  # an empty sheet gives nothing
    assert els[1].text.split("\n") == [
        "what | value",
        "whole float | 3",
        "fraction | 2.5",
        "yes | TRUE",
        "when | 2026-05-01 14:30:00",
        "midnight | 2026-05-02",
        "spaces | two lines",
        " | first cell empty",
        "formula",
    ]


def test_a_long_sheet_is_cut_into_row_groups_under_its_header(model_path: Path) -> None:
    rows = [("sku", "product", "price")]
    rows += [(f"S{i}", f"Porter robot model {i}", 1000 + i) for i in range(300)]
    els = parse_bytes(workbook(("Prices", rows)), "prices.xlsx", 50 * MB).elements
    chunker = Chunker(TokenCounter(model_path / "tokenizer.json"), size_tokens=200, overlap_tokens=32)
    chunks = chunker.chunk(els)
    assert len(chunks) > 3
    tables = [c for c in chunks if "Table" in c.kinds]
    assert len(tables) == len(chunks)
    assert all("sku | product | price\n" in c.text and c.section == "Prices" for c in tables)
    assert all(c.pages == (1,) for c in chunks)


def with_sheet_xml(rows: str, dimension: str = "A1:XFD1048576") -> bytes:
    """A workbook whose one sheet is this XML: what a hostile file declares, not what openpyxl writes."""
    base = zipfile.ZipFile(io.BytesIO(workbook(("Sheet", [("x",)]))))
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    )
    out = io.BytesIO()
    with base, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in base.infolist():
            is_sheet = item.filename == "xl/worksheets/sheet1.xml"
            z.writestr(item.filename, sheet.encode() if is_sheet else base.read(item))
    return out.getvalue()


def test_a_sheet_declaring_every_cell_costs_what_it_holds() -> None:
    """Dimensions of A1:XFD1048576 (17 billion cells) and two filled rows a million apart."""
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>first</t></is></c></row>'
        '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>last</t></is></c></row>'
    )
    (_, table) = parse_bytes(with_sheet_xml(rows), "sparse.xlsx", 50 * MB).elements
    assert table.text == "first\nlast"


def test_a_row_past_excels_last_is_refused_at_once() -> None:
    """openpyxl fills the gap up to a row's number with empty rows: 4 billion of them, from 400 bytes."""
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="4000000000"><c r="A4000000000"><v>2</v></c></row>'
    with pytest.raises(MalformedDocument, match=r"^far\.xlsx: a sheet has rows past Excel's last, 1,048,576"):
        parse_bytes(with_sheet_xml(rows), "far.xlsx", 50 * MB)


def test_a_long_run_of_empty_cells_is_one_mark() -> None:
    """A lone value in column XFD would be 16,383 separators of nothing, hundreds of empty chunks."""
    cell = '<c r="{}" t="inlineStr"><is><t>{}</t></is></c>'
    rows = f'<row r="1">{cell.format("A1", "id")}{cell.format("XFD1", "far")}</row>'
    (_, table) = parse_bytes(with_sheet_xml(rows), "far.xlsx", 50 * MB).elements
    assert table.text == "id | … | far"


def test_rows_spanning_too_many_cells_are_too_large() -> None:
    """Each row one cell in the last column (16,384 wide): 4,000 rows are 65 million cells from 200 KB."""
    rows = "".join(f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>' for n in range(1, 4001))
    data = with_sheet_xml(rows)
    assert len(data) < 200_000
    with pytest.raises(
        FileTooLarge, match=r"^wide\.xlsx: the workbook's rows span more than 50,000,000 cells$"
    ):
        parse_bytes(data, "wide.xlsx", 50 * MB)


def test_a_workbook_that_is_not_one_fails_malformed() -> None:
    not_xlsx = io.BytesIO()
    with zipfile.ZipFile(not_xlsx, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook>not closed")
    with pytest.raises(MalformedDocument, match=r"^broken\.xlsx: could not parse as xlsx") as e:
        parse_bytes(not_xlsx.getvalue(), "broken.xlsx", 50 * MB)
    assert not INTERNALS.search(str(e.value))


# --- Outlook mail --------------------------------------------------------------------------------------


def test_an_outlook_message_gives_its_subject_body_and_attachments() -> None:
    els = parsed("fire-drill-2026-11.msg")
    assert (els[0].kind, els[0].text) == ("Title", "Fire drill at headquarters on Thursday 12 November")
    text = "\n".join(e.text for e in els)
    assert "gather at assembly point B in the north car park" in text
    assert "Second floor: Ravi Patel" in text  # from the attached floor-wardens.txt


def test_a_message_with_a_large_body_and_no_subject() -> None:
    body = "The quarterly fire drill moves to the second week of December. " * 200  # past the mini stream
    data = outlook_msg.write(outlook_msg.Message(subject="", body=body))
    els = parse_bytes(data, "no-subject.msg", 50 * MB).elements
    assert els[0].kind != "Title" and "second week of December" in els[0].text
    assert sum(e.text.count("fire drill") for e in els) == 200


def test_an_encrypted_message_fails_encrypted_and_a_subject_alone_is_kept() -> None:
    secret = outlook_msg.Message(
        subject="Salaries", body="MIAGCSqGSIb3DQEHA6CAMIACAQAx", message_class="IPM.Note.SMIME"
    )
    with pytest.raises(
        EncryptedDocument, match=r"^salaries\.msg: the message is encrypted \(IPM\.Note\.SMIME\)$"
    ):
        parse_bytes(outlook_msg.write(secret), "salaries.msg", 50 * MB)
    only = outlook_msg.write(outlook_msg.Message(subject="Lunch\tat 12:30\x07 today", body=""))
    assert [(e.kind, e.text) for e in parse_bytes(only, "lunch.msg", 50 * MB).elements] == [
        ("Title", "Lunch at 12:30 today")
    ]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"Subject: hello\n\nthis is an .eml named .msg\n", "not an Outlook message"),
        (b"%PDF-1.7\n1 0 obj <<>> endobj\n", "the file is a PDF but its name says .msg"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "a damaged Outlook message"),
        (outlook_msg.compound_file({"WordDocument": b"x" * 100}), "an OLE file but not an Outlook message"),
    ],
)
def test_what_is_not_an_outlook_message_fails_malformed(data: bytes, words: str) -> None:
    with pytest.raises(MalformedDocument, match=re.escape(words)) as e:
        parse_bytes(data, "mail.msg", 50 * MB)
    assert not INTERNALS.search(str(e.value))


def test_a_truncated_message_fails_malformed() -> None:
    data = (SAMPLE_DOCS / "fire-drill-2026-11.msg").read_bytes()
    for cut in (len(data) // 2, 1024, 520):
        with pytest.raises(MalformedDocument, match=r"cut\.msg: a damaged Outlook message: ") as e:
            parse_bytes(data[:cut], "cut.msg", 50 * MB)
        assert not INTERNALS.search(str(e.value))


# --- OpenDocument text, RTF, EPUB (through pandoc) -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "headings", "fact"),
    [
        ("customer-training-2027.odt", [("Courses", 1), ("Booking", 1)], "costs 1,200 euros per person"),
        ("visitor-policy.rtf", [("Visitor Policy", 0), ("Escort", 1)], "receives a red badge"),
        ("fleet-manager-guide.epub", [("Maps and zones", 0), ("Missions", 0)], "A no-go zone keeps robots"),
    ],
)
def test_documents_converted_by_pandoc_keep_their_headings(
    name: str, headings: list[tuple[str, int]], fact: str
) -> None:
    els = parsed(name)
    titles = [(e.text, e.depth) for e in els if e.kind == "Title"]
    assert all(h in titles for h in headings), titles
    assert any(fact in e.text for e in els)


def test_a_table_in_an_odt_keeps_its_rows() -> None:
    table = "| Course | Days |\n|---|---|\n| Operator Basics | 1 |\n| Fleet Supervisor | 3 |\n"
    data = _pandoc_write(table, "odt")
    els = parse_bytes(data, "t.odt", 50 * MB).elements
    assert any(e.kind == "Table" and "Fleet Supervisor | 3" in e.text.split("\n") for e in els)


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("x.rtf", b"This is plain text, not RTF.", "not an RTF file"),
        ("x.odt", b"PK\x03\x04" + bytes(100), "not a valid odt file"),
        ("x.epub", b"", "the file is empty"),
    ],
)
def test_what_is_no_odt_rtf_or_epub_fails_before_pandoc(name: str, data: bytes, words: str) -> None:
    with pytest.raises(IngestError, match=re.escape(words)) as e:
        parse_bytes(data, name, 50 * MB)
    assert not INTERNALS.search(str(e.value))


def test_what_pandoc_cannot_read_fails_with_its_reason() -> None:
    """Files that pass the container checks and that pandoc itself refuses."""
    bad_epub = io.BytesIO()
    with zipfile.ZipFile(bad_epub, "w") as z:
        z.writestr("mimetype", "application/epub+zip", zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", "<container><rootfiles/></container>")
    with pytest.raises(MalformedDocument, match=r"^bad\.epub: could not read as epub: ") as e:
        parse_bytes(bad_epub.getvalue(), "bad.epub", 50 * MB)
    assert not INTERNALS.search(str(e.value))


def test_a_nul_in_an_rtf_does_not_garble_its_text() -> None:
    """pandoc writes \\u0 as a NUL: the HTML must still be read as UTF-8, not as wide text."""
    rtf = b"{\\rtf1 Quarterly revenue grew by twelve percent in the north.\\par Second line \\u0  here.\\par}"
    text = " ".join(e.text for e in parse_bytes(rtf, "nul.rtf", 50 * MB).elements)
    assert "Quarterly revenue grew by twelve percent" in text and "Second line" in text


def test_an_odt_without_its_content_names_what_is_missing() -> None:
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    with pytest.raises(MalformedDocument, match=r"could not read as odt: Could not find content\.xml"):
        parse_bytes(odt.getvalue(), "empty.odt", 50 * MB)


def test_pandoc_out_of_its_heap_or_time_ends_too_large_or_timeout() -> None:
    rtf = b"{\\rtf1\\ansi " + b"All work and no play makes Jack a dull boy. \\par " * 200_000 + b"}"
    with pytest.raises(FileTooLarge, match=r"converting it needed more memory than is allowed"):
        convert.to_html(rtf, "rtf", "big.rtf", convert.Budget(memory_bytes=64 * MB, timeout_s=60))
    with pytest.raises(ParseTimeout, match=r"converting the rtf file took longer than 0\.001 s"):
        convert.to_html(rtf, "rtf", "big.rtf", convert.Budget(memory_bytes=1024 * MB, timeout_s=0.001))
    html = convert.to_html(rtf[:5000] + b"}", "rtf", "small.rtf", convert.Budget(64 * MB, 60))
    assert b"Jack a dull boy" in html


@pytest.fixture
def loopback() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on loopback that records every path asked of it."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"secret of the metadata service")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", asked
    server.shutdown()
    server.server_close()


def test_a_document_pointing_at_urls_and_files_makes_pandoc_read_none(
    loopback: tuple[str, list[str]],
) -> None:
    """Server-side request forgery: an image at a URL, a linked file. pandoc runs in its sandbox."""
    url, asked = loopback
    base = zipfile.ZipFile(io.BytesIO(_pandoc_write("The cold-storage door kit is part RS-4.", "odt")))
    frames = "".join(
        f'<text:p><draw:frame><draw:image xlink:href="{href}"/></draw:frame></text:p>'
        for href in (f"{url}/latest/meta-data/", "/etc/passwd", "file:///etc/passwd")
    )
    odt = io.BytesIO()
    with base, zipfile.ZipFile(odt, "w") as z:
        for item in base.infolist():
            part = base.read(item)
            if item.filename == "content.xml":
                part = part.replace(b"</office:text>", frames.encode() + b"</office:text>")
                assert url.encode() in part
            z.writestr(item, part)
    text = "\n".join(e.text for e in parse_bytes(odt.getvalue(), "links.odt", 50 * MB).elements)
    assert "part RS-4" in text
    assert "secret" not in text and "root:" not in text
    assert asked == []


def test_pandoc_formats_parse_in_the_parser_process_under_its_limits() -> None:
    """The child's address-space and CPU limits are inherited by pandoc: it must still start there."""
    with Parser(ParseLimits.from_settings(), workers=1) as parser:
        for name in ("customer-training-2027.odt", "visitor-policy.rtf", "fleet-manager-guide.epub"):
            doc = parser.parse((SAMPLE_DOCS / name).read_bytes(), name)
            assert doc.elements, name
        assert parser.pids()


def _pandoc_write(markdown: str, fmt: str) -> bytes:
    import subprocess

    import pypandoc

    args = [pypandoc.get_pandoc_path(), "--sandbox", "-f", "markdown", "-t", fmt, "-o", "-"]
    return subprocess.run(args, input=markdown.encode(), capture_output=True, check=True).stdout
