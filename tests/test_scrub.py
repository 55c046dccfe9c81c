"""Error text scrubbed of internals: one function for the API, job errors and parse failures."""

from __future__ import annotations

import pytest

from core.scrub import scrub


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("ValueError: bad <Foo object at 0x7f00aa11bb22> here", "bad an object here"),
        ("zipfile.BadZipFile: File is not a zip file", "File is not a zip file"),
        ("broken at 0xdeadbeef1234", "broken at an address"),
        ("report.pdf: 3 pages are encrypted", "report.pdf: 3 pages are encrypted"),
        ("a.docx: KeyError: 'word/document.xml'", "a.docx: 'word/document.xml'"),
        ("bad filter: ValueError: <Filter object at 0x7f3a2b1c9d80>", "bad filter: an object"),
        ("expected <class 'int'>, got KeyError('x')", "expected a class, got ('x')"),
        ("<function parse at 0x7f0011223344> failed", "an object failed"),
        ("  Notes: MyReport.pdf has 3 pages  ", "Notes: MyReport.pdf has 3 pages"),
        ("upstream said ValueError: nope", "upstream said nope"),
        ("the reader said zipfile.BadZipFile: bad", "the reader said bad"),
        ("see OneDrive: it syncs", "see OneDrive: it syncs"),
    ],
)
def test_internals_go_and_words_stay(raw: str, clean: str) -> None:
    assert scrub(raw) == clean


def test_long_text_is_cut_with_an_ellipsis() -> None:
    assert scrub("x" * 50, limit=10) == "x" * 9 + "…"
    assert scrub("short", limit=10) == "short"
