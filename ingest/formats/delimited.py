"""CSV -> one Table element: one ``a | b | c`` line per row, the first row (the header) first, as the
other formats' tables; the chunker cuts a long table into groups of rows under the header.

The cells are the file's own text (unstructured went through pandas, which renamed repeated headers
"A.1", "A.2" and wrote whole numbers of a column with a gap as "5.0"); whitespace inside a cell, a line
break among it, becomes one space so a row stays one line. The delimiter is the one of ``,;\\t|`` that
splits the first rows into the same number of fields most consistently (quotes respected).
"""

from __future__ import annotations

import csv
import io
import itertools
import sys

from core.types import Element
from ingest.formats.clean import without_control

_DELIMITERS = ",;\t|"
_SNIFF_CHARS = 64 * 1024
_SNIFF_ROWS = 50


def parse(text: str) -> list[Element]:
    # A cell may be as long as the file (the size limits bound the file); the module's default is 128 KiB.
    if csv.field_size_limit() < sys.maxsize // 2:
        csv.field_size_limit(sys.maxsize // 2)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter(text), strict=False)
    lines = [line for row in reader if (line := row_line(row))]
    return [Element("\n".join(lines), "Table")] if lines else []


def row_line(cells: list[str]) -> str:
    """A row as one line, ``a | b | c`` ("" when every cell is empty): whitespace (a line break among it)
    in a cell becomes one space, control characters go. The workbook reader writes its rows the same way."""
    clean = [" ".join(without_control(cell).split()) for cell in cells]
    return " | ".join(clean) if any(clean) else ""


def delimiter(text: str) -> str:
    """The delimiter that gives the first rows one width most often (then the widest; a comma on ties)."""
    sample = text[:_SNIFF_CHARS]
    best, best_score = ",", (0.0, 0)
    for d in _DELIMITERS:
        if d not in sample:
            continue
        rows = itertools.islice(csv.reader(io.StringIO(sample), delimiter=d), _SNIFF_ROWS)
        widths = [len(row) for row in rows if row]
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        if mode < 2:
            continue
        score = (widths.count(mode) / len(widths), mode)
        if score > best_score:
            best, best_score = d, score
    return best
