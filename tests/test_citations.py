"""Where a source is, as every way in writes it (api.citations)."""

from __future__ import annotations

import pytest

from api.citations import pages_text, where


@pytest.mark.parametrize(
    ("pages", "text"),
    [([], ""), ([3], "p. 3"), ([3, 4, 5, 7], "pp. 3-5, 7"), ([3, 7], "pp. 3, 7"), ([5, 4, 4], "pp. 4-5")],
)
def test_pages_are_runs(pages: list[int], text: str) -> None:
    assert pages_text(pages) == text


def test_where_names_file_pages_and_section() -> None:
    assert where("manual.pdf", [2, 3], "Safety") == "manual.pdf, pp. 2-3 (Safety)"
    assert where("notes.txt", []) == "notes.txt"
