"""Excel workbooks (.xlsx) -> per sheet a Title (the sheet's name) and one Table: one ``a | b | c`` line per
row, the first row (the header) first, as a CSV file gives; the chunker cuts a long table into groups of
rows under the header. The page of a sheet's elements is its position in the workbook.

openpyxl reads the sheets as streams (read-only mode), with the values Excel last computed for formulas
(a workbook no spreadsheet program has saved has none: those cells are empty). Numbers read as the file
stores them, except that a whole number stored as a float loses its ".0"; dates read as ISO dates,
booleans as TRUE/FALSE; whitespace inside a cell becomes one space (and control characters go) so a row
stays one line. Hidden sheets are read too: hiding is not deleting.

Work stays bounded by the file, not by what it declares: the dimensions a sheet declares are ignored (a
sheet claiming A1:XFD1048576 would be padded to 17 billion cells), each row is as wide as its last cell,
a sheet may not have more rows than Excel's 1,048,576, and a workbook whose rows span more than
``MAX_CELLS`` cells (the empty ones between filled ones counted, and a missing row as one) is too large.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from core.errors import FileTooLarge, MalformedDocument
from core.types import Element
from ingest.formats.delimited import row_line

# Bounds the work a crafted sheet causes (padding, gaps: tens of nanoseconds a cell), not what a real
# workbook holds: reading 50 million real cells would take minutes and meet the parse timeout first.
MAX_CELLS = 50_000_000
MAX_ROWS = 1_048_576  # of a sheet: Excel's own limit
MAX_EMPTY_RUN = 16


def parse(data: bytes, source: str) -> list[Element]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        elements: list[Element] = []
        spent = 0
        for page, sheet in enumerate(book.worksheets, start=1):
            sheet.reset_dimensions()
            lines = []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > MAX_ROWS:
                    raise MalformedDocument(f"{source}: a sheet has rows past Excel's last, {MAX_ROWS:,}")
                spent += max(len(row), 1)  # a missing row (a gap openpyxl fills) costs as much as one
                if spent > MAX_CELLS:
                    raise FileTooLarge(f"{source}: the workbook's rows span more than {MAX_CELLS:,} cells")
                if line := _line(row):
                    lines.append(line)
            if lines:
                elements.append(Element(row_line([sheet.title]), "Title", page=page))
                elements.append(Element("\n".join(lines), "Table", page=page, depth=1))
        return elements
    finally:
        book.close()


def _line(row: tuple[Any, ...]) -> str:
    """A row as ``a | b | c``, without its trailing empty cells ("" for a row of none); a run of more than
    MAX_EMPTY_RUN empty cells is one "…" (a lone value in column XFD is not 16,383 separators)."""
    cells = ["" if v is None else _cell(v) for v in row]
    while cells and not cells[-1].strip():
        cells.pop()
    out: list[str] = []
    empty = 0
    for cell in cells:
        empty = empty + 1 if not cell.strip() else 0
        if empty <= MAX_EMPTY_RUN:
            out.append(cell)
        elif empty == MAX_EMPTY_RUN + 1:
            out[-MAX_EMPTY_RUN:] = ["…"]
    return row_line(out)


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
