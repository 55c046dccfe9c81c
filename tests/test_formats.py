"""Our own parsers for plain text, Markdown and CSV (ingest.formats) on crafted files: structure from the
format, not from a model; every encoding and newline convention; bad input fails as it did; big and
hostile inputs stay linear; small files parse in the calling process, big ones in a parser process."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.errors import EmptyDocument, FileTooLarge, MalformedDocument, NoExtractableText
from core.types import Element
from ingest.chunk import Chunker, TokenCounter
from ingest.isolate import ParseLimits, Parser
from ingest.parse import NATIVE_FORMATS, parse_bytes

MB = 1024 * 1024


@pytest.fixture(scope="module")
def chunker(model_path: Path) -> Chunker:
    return Chunker(TokenCounter(model_path / "tokenizer.json"), size_tokens=200, overlap_tokens=32)


def elements(text: str | bytes, name: str) -> list[Element]:
    data = text.encode() if isinstance(text, str) else text
    return parse_bytes(data, name, 60 * MB).elements


def titles(els: list[Element]) -> list[tuple[str, int]]:
    return [(e.text, e.depth) for e in els if e.kind == "Title"]


# --- Markdown ------------------------------------------------------------------------------------------

HANDBOOK = """\
---
title: "Halcyon Handbook"
owner: People Operations
---

Version 7.

Leave
=====

## Annual leave ##

Every employee receives **27 days** of [paid leave](https://hr.example/leave)
per calendar year.

### Sick leave

Tell your manager before 10:00.

Remote work
-----------

- Up to three days a week.
  Approval by a vice-president
  for fully remote contracts.
  - Nested: the home-office allowance.
* Another bullet
1. First step
2) Second step

```bash
# not a heading: a shell comment
make install
```

~~~~
## still code
~~~~

| City | Cap (EUR) |
|:-----|----------:|
| Paris | 210 |
| Lyon \\| Villeurbanne | 150 |

> A quote, with `code` in it.

    indented code
    # also not a heading

<!--
a comment that spans lines
-->

#hashtag is not a heading

***

The year
1986. was a good one.
"""


def test_markdown_headings_lists_code_tables_and_front_matter() -> None:
    els = elements(HANDBOOK, "handbook.md")
    assert titles(els) == [("Leave", 0), ("Annual leave", 1), ("Sick leave", 2), ("Remote work", 1)]
    by_kind = {k: [e for e in els if e.kind == k] for k in {e.kind for e in els}}
    assert by_kind["UncategorizedText"][0].text == 'title: "Halcyon Handbook"\nowner: People Operations'
    text = {e.text for e in by_kind["NarrativeText"]}
    # Inline markup goes, the words of a link stay; wrapped lines are one paragraph.
    assert "Every employee receives 27 days of paid leave per calendar year." in text
    assert "A quote, with code in it." in text
    assert "#hashtag is not a heading" in text
    assert "The year 1986. was a good one." in text  # "1986." inside a paragraph opens no list
    assert not any("comment that spans" in e.text for e in els)
    items = [(e.text, e.depth) for e in by_kind["ListItem"]]
    assert items == [
        ("Up to three days a week. Approval by a vice-president for fully remote contracts.", 0),
        ("Nested: the home-office allowance.", 1),
        ("Another bullet", 0),
        ("1. First step", 0),
        ("2) Second step", 0),
    ]
    code = [e.text for e in by_kind["CodeSnippet"]]
    assert code == [
        "# not a heading: a shell comment\nmake install",
        "## still code",
        "indented code\n# also not a heading",
    ]
    (table,) = by_kind["Table"]
    assert table.text == "City | Cap (EUR)\nParis | 210\nLyon | Villeurbanne | 150"


def test_markdown_sections_reach_the_chunker(chunker: Chunker) -> None:
    md = "# Handbook\n\n## Leave\n\n### Sick leave\n\nTell your manager.\n\n## Expenses\n\nKeep receipts.\n"
    sections = {c.section for c in chunker.chunk(elements(md, "h.md"))}
    # Packed small sections are cited by the one most of their tokens come from.
    assert sections <= {
        "Handbook > Leave > Sick leave",
        "Handbook > Expenses",
        "Handbook",
        "Handbook > Leave",
    }
    chunks = Chunker(chunker.counter, size_tokens=12, overlap_tokens=2).chunk(elements(md, "h.md"))
    assert "Handbook > Leave > Sick leave" in {c.section for c in chunks}


def test_front_matter_title_heads_a_file_without_a_level_1_heading() -> None:
    els = elements("---\ntitle: Travel Policy\n---\n## Booking\n\nBook early.\n", "travel.md")
    assert titles(els) == [("Travel Policy", 0), ("Booking", 1)]
    # A rule and a setext heading are not front matter.
    assert titles(elements("---\nJust a line\n---\n\nText.\n", "rule.md")) == [("Just a line", 1)]


def test_an_unclosed_fence_runs_to_the_end() -> None:
    els = elements("# Setup\n\n```\n# comment\nrun it\n", "setup.md")
    assert [(e.kind, e.text) for e in els] == [("Title", "Setup"), ("CodeSnippet", "# comment\nrun it")]


# --- plain text ----------------------------------------------------------------------------------------

NOTES = """\
Post-mortem: dashboard outage

Summary
The dashboard was unavailable for 47 minutes, from 09:12 to 09:59 CEST. Robots kept
working; only monitoring was lost.

1. Root cause

An expired TLS certificate.

2.1 Detection details

Paged by a customer e-mail.

Action items
- Aiko: fix the alert routing.
- Tomasz: renew the certificate
  and add a check.

Dear team,
thanks for the quick reaction.
"""


def test_plain_text_headings_by_cheap_rules() -> None:
    els = elements(NOTES, "notes.txt")
    assert titles(els) == [
        ("Post-mortem: dashboard outage", 0),
        ("Summary", 1),
        ("1. Root cause", 1),
        ("2.1 Detection details", 2),
        ("Action items", 1),
    ]
    narrative = [e.text for e in els if e.kind == "NarrativeText"]
    assert narrative[0] == (
        "The dashboard was unavailable for 47 minutes, from 09:12 to 09:59 CEST. Robots kept working; "
        "only monitoring was lost."
    )
    assert "Dear team,\nthanks for the quick reaction." in narrative  # a short line keeps its break
    assert [e.text for e in els if e.kind == "ListItem"] == [
        "Aiko: fix the alert routing.",
        "Tomasz: renew the certificate and add a check.",
    ]


def test_short_lines_in_a_row_are_not_headings() -> None:
    poem = "Roses are red\n\nViolets are blue\n\nSugar is sweet\n\nAnd so are you\n"
    assert titles(elements(poem, "poem.txt")) == []
    # A last line heads nothing; a sentence is not a heading.
    assert titles(elements("The robot docks.\n\nThanks", "memo.txt")) == []


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [("utf-8", "\r\n"), ("utf-8-sig", "\n"), ("utf-16", "\r\n"), ("utf-16-le", "\n"), ("utf-32", "\r")],
)
def test_every_encoding_and_newline_gives_the_same_elements(encoding: str, newline: str) -> None:
    text = "Sicherheit\n\nDie Lieferung kommt am Montag – pünktlich.\n\n- erstens\n- zweitens\n"
    expected = elements(text, "a.txt")
    assert [e.kind for e in expected] == ["Title", "NarrativeText", "ListItem", "ListItem"]
    data = text.replace("\n", newline).encode(encoding)
    assert elements(data, "b.txt") == expected


def test_form_feed_and_control_characters() -> None:
    els = elements("Page one text.\fPage two text.\x1b\x07 End.", "pages.txt")
    assert [e.text for e in els] == ["Page one text.", "Page two text. End."]


# --- CSV -----------------------------------------------------------------------------------------------


def test_csv_quotes_newlines_and_the_files_own_cells() -> None:
    data = (
        'office,city,notes,notes,staff\r\nHQ,Lyon,"Quai Perrache, 12",opened 2017,142\r\n'
        'Support,"Porto","two\r\nlines",,5\r\n,,,,\r\nSales,Paris,"say ""hi""",,\r\n'
    )
    (table,) = elements(data, "offices.csv")
    assert table.kind == "Table"
    assert table.text.split("\n") == [
        "office | city | notes | notes | staff",  # pandas made the second "notes" "notes.1"
        "HQ | Lyon | Quai Perrache, 12 | opened 2017 | 142",
        "Support | Porto | two lines |  | 5",  # a line break in a cell keeps the row one line
        'Sales | Paris | say "hi" |  | ',  # whole numbers stay whole (pandas wrote 5.0 beside a gap)
    ]


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_csv_delimiter_is_detected(sep: str) -> None:
    rows = [["Lorem, ipsum", "dolor sit", "amet"], ["sed, do", "eiusmod", "tempor"], ["ut", "et, al", "x"]]
    data = "\n".join(sep.join(r) for r in rows)
    (table,) = elements(data, "t.csv")
    assert table.text.split("\n")[0] == "Lorem, ipsum | dolor sit | amet"


def test_a_long_csv_is_cut_into_row_groups_under_its_header(chunker: Chunker) -> None:
    data = "sku,product,price\n" + "".join(f"S{i},Porter robot model {i},{1000 + i}\n" for i in range(300))
    chunks = chunker.chunk(elements(data, "prices.csv"))
    assert len(chunks) > 3
    assert all(c.text.startswith("sku | product | price\n") and c.kinds == ("Table",) for c in chunks)


# --- bad and big input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["e.txt", "e.md", "e.csv"])
@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (b"", EmptyDocument, "the file is empty"),
        (b" \r\n\t\n", EmptyDocument, "holds only whitespace"),
        (bytes(range(256)) * 64, MalformedDocument, "binary content or an unknown"),
        (b"\x89PNG\r\n\x1a\n" + bytes((i * 7919) % 256 for i in range(8000)), MalformedDocument, "binary"),
        (b"%PDF-1.7\n1 0 obj <<>> endobj\n", MalformedDocument, "the file is a PDF but its name says"),
    ],
)
def test_bad_input_gives_the_same_clear_errors(name: str, data: bytes, error: type, words: str) -> None:
    with pytest.raises(error, match=words) as err:
        parse_bytes(data, name, MB)
    assert str(err.value).startswith(f"{name}: ")


def test_only_markup_or_separators_is_no_text() -> None:
    for data, name in (
        (b"---\n\n***\n", "rules.md"),
        (b",,,\n,,\n", "blank.csv"),
        (b"\x01\x02\n\x03", "c.txt"),
    ):
        with pytest.raises(NoExtractableText, match=f"^{name}: no extractable text$"):
            parse_bytes(data, name, MB)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("line.txt", b"word " * (10 * MB)),  # 50 MB on one line
        ("line.md", b"[a](" * (4 * MB) + b"**x" * (4 * MB)),  # openers that never close
        ("cell.csv", b'"' + b"x" * (20 * MB)),  # one unterminated quoted cell
        ("blank.txt", b"a\n\n" * MB),  # a million paragraphs: more than the text limit allows
    ],
)
def test_big_and_hostile_inputs_parse_in_linear_time(child: Parser, name: str, data: bytes) -> None:
    """In a parser process, as files over RAG_INGEST__PARSE_INLINE_MB are: its limits bound them too."""
    started = time.monotonic()
    if name == "blank.txt":
        with pytest.raises(FileTooLarge, match="text parsed from it is more than 100 MiB"):
            child.parse(data, name)
    else:
        assert child.parse(data, name).elements
    assert time.monotonic() - started < 60, name


@pytest.fixture(scope="module")
def child() -> Iterator[Parser]:
    with Parser(ParseLimits.from_settings(), workers=1, warm_up=False) as p:
        yield p


# --- where they run ------------------------------------------------------------------------------------


def test_small_plain_files_parse_in_this_process_and_big_ones_in_a_child() -> None:
    limits = ParseLimits.from_settings()
    assert limits.inline_bytes == MB // 4 and {"txt", "md", "csv"} == NATIVE_FORMATS
    with Parser(limits, workers=1, warm_up=False) as p:
        for name in ("a.txt", "a.md", "a.csv"):
            assert p.parse(b"The robot docks, it charges.", name).elements
        assert p.pids() == []  # no parser process started for them
        big = b"The robot docks and charges on its own.\n\n" * (MB // 160 + 1)
        assert len(big) > limits.inline_bytes
        assert len(p.parse(big, "big.txt").elements) > 6_000
        assert len(p.pids()) == 1


@pytest.mark.parametrize(
    "text",
    [
        "# a" + " " * 250_000 + "b",  # a heading's closing hashes
        "x " + "`" * 250_000 + "a",  # inline code that never closes
        "a|b\n-" + " " * 250_000 + "x",  # a table rule that is not one
        "[" * 250_000 + "]",
        "*" * 250_000 + "a",
    ],
    ids=["heading", "code", "table-rule", "brackets", "stars"],
)
def test_crafted_markdown_parses_in_linear_time_in_process(text: str) -> None:
    """These run in the serving process (up to RAG_INGEST__PARSE_INLINE_MB): a pattern that backtracks on
    a long line would stall every request for minutes (the first three did: 5 s at 32 KiB, quadratic)."""
    t = time.perf_counter()
    parse_bytes(text.encode(), "crafted.md", 10**7)
    assert time.perf_counter() - t < 1.0


def test_json_goes_to_a_parser_process_whatever_its_size() -> None:
    """Its flattening repeats each key path on every leaf: 32 KB of long keys over a long array made 128 MB
    of text; in the serving process nothing would bound that."""
    with Parser(ParseLimits.from_settings(), workers=1, warm_up=False) as p:
        assert p.parse(b'{"a": "The robot docks."}', "a.json").elements
        assert len(p.pids()) == 1
