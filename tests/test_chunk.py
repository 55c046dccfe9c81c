"""Chunk boundaries, sizes in model tokens, pages and sections."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from tokenizers import Tokenizer

from conftest import SAMPLE_DOCS
from core.settings import ChunkingSettings
from core.types import Element
from ingest.chunk import Chunker, TokenCounter, collapse_runs
from ingest.parse import parse_file


@pytest.fixture(scope="module")
def counter(model_path: Path) -> TokenCounter:
    return TokenCounter(model_path / "tokenizer.json")


@pytest.fixture(scope="module")
def chunker(counter: TokenCounter) -> Chunker:
    return Chunker(counter, size_tokens=200, overlap_tokens=32)


VOCAB = "robot battery dock charge door floor light speed motor wheel sensor map route shelf box".split()


def _words(n: int, start: int = 0) -> str:
    """n single-token words, different for different starts."""
    return " ".join(VOCAB[(i * 7 + start) % len(VOCAB)] for i in range(n)) + "."


def test_counting_ignores_the_128_token_truncation_in_tokenizer_json(model_path: Path, counter) -> None:
    shipped = Tokenizer.from_file(str(model_path / "tokenizer.json"))
    text = "robot " * 400
    assert len(shipped.encode(text).ids) <= 128  # what the file does by itself
    assert counter.count(text) == 400


def test_every_chunk_fits_the_model_window(chunker: Chunker, model_path: Path) -> None:
    long_paragraph = " ".join(f"Sentence number {i} talks about robots and batteries." for i in range(300))
    chunks = chunker.chunk([Element(long_paragraph, "NarrativeText", page=3)])
    assert len(chunks) > 5
    fresh = Tokenizer.from_file(str(model_path / "tokenizer.json"))
    fresh.no_truncation()
    for c in chunks:
        n = len(fresh.encode(c.text).ids)  # with [CLS] and [SEP]
        assert n <= 256, f"chunk {c.index} would be truncated: {n} tokens"
        assert c.n_tokens <= 200
        assert c.pages == (3,)


def test_overlap_between_consecutive_pieces(chunker: Chunker) -> None:
    text = " ".join(f"Fact {i} is stated here." for i in range(200))
    chunks = chunker.chunk([Element(text, "NarrativeText")])
    for a, b in zip(chunks, chunks[1:], strict=False):
        tail = a.text.split(". ")[-2]
        assert tail in b.text, "consecutive chunks of one section share an overlap"


def test_sections_are_not_mixed_when_they_are_large(chunker: Chunker) -> None:
    elements = [
        Element("Chapter A", "Title", depth=0),
        Element(_words(150), "NarrativeText", page=1),
        Element("Chapter B", "Title", depth=0),
        Element(_words(150, 3), "NarrativeText", page=2),
    ]
    chunks = chunker.chunk(elements)
    assert [c.section for c in chunks] == ["Chapter A", "Chapter B"]
    assert [c.pages for c in chunks] == [(1,), (2,)]
    assert chunks[0].text.startswith("Chapter A")


def test_small_sections_are_packed_and_pages_merged(chunker: Chunker) -> None:
    elements = [
        Element("Slide one", "Title", page=1),
        Element("First point.", "ListItem", page=1),
        Element("Slide two", "Title", page=2),
        Element("Second point, which says a little more than the first one did.", "ListItem", page=2),
    ]
    chunks = chunker.chunk(elements)
    assert len(chunks) == 1
    assert chunks[0].pages == (1, 2)
    assert chunks[0].section == "Slide two", "cited by the section most of the text comes from"
    assert set(chunks[0].kinds) == {"Title", "ListItem"}


def test_heading_depth_builds_a_section_path(chunker: Chunker) -> None:
    elements = [
        Element("Handbook", "Title", depth=0),
        Element("Leave", "Title", depth=1),
        Element("Sick leave", "Title", depth=2),
        Element(_words(190), "NarrativeText"),
        Element("Remote work", "Title", depth=1),
        Element(_words(190, 5), "NarrativeText"),
    ]
    sections = [c.section for c in chunker.chunk(elements)]
    assert "Handbook > Leave > Sick leave" in sections
    assert "Handbook > Remote work" in sections


def test_long_table_repeats_its_header(chunker: Chunker) -> None:
    rows = [f"PRD-{i} | Product number {i} | {100 + i} EUR" for i in range(120)]
    table = Element("code | product | price\n" + "\n".join(rows), "Table")
    chunks = chunker.chunk([table])
    assert len(chunks) > 2
    for c in chunks:
        assert c.text.startswith("code | product | price\n")
    body = "\n".join(line for c in chunks for line in c.text.splitlines()[1:])
    assert all(r in body for r in rows), "no row is lost"


def test_pages_of_pieces_follow_their_elements(chunker: Chunker) -> None:
    elements = [Element(_words(120, i), "NarrativeText", page=i + 1) for i in range(4)]
    chunks = chunker.chunk(elements)
    assert chunks[0].pages[0] == 1
    assert chunks[-1].pages[-1] == 4
    assert all(len(c.pages) <= 2 for c in chunks), [c.pages for c in chunks]
    assert sorted({p for c in chunks for p in c.pages}) == [1, 2, 3, 4]


def test_sample_manual_chunks_carry_pages(chunker: Chunker) -> None:
    doc = parse_file(SAMPLE_DOCS / "porter-h2-manual.pdf", 10**8)
    chunks = chunker.chunk(doc.elements)
    e17 = [c for c in chunks if "E-17" in c.text]
    assert e17 and all(2 in c.pages for c in e17)
    assert [c.index for c in chunks] == list(range(len(chunks)))


MIB = 1024 * 1024


def _check_bounded(chunks, max_chars: int = 2000) -> None:
    assert chunks
    for c in chunks:
        assert len(c.text) <= max_chars, f"chunk {c.index} has {len(c.text)} characters"
        assert c.n_tokens <= 200


def test_a_run_of_20_mib_of_one_character_becomes_one_short_chunk_with_a_note(chunker: Chunker) -> None:
    # One WordPiece token ([UNK]) however long: bounded in tokens only, this was one 20 MiB chunk.
    t0 = time.perf_counter()
    chunks = chunker.chunk([Element("x" * (20 * MIB), "NarrativeText", page=1)])
    assert time.perf_counter() - t0 < 10
    _check_bounded(chunks)
    (chunk,) = chunks
    assert chunk.text.startswith("x" * 128) and f"{20 * MIB - 128:,} more 'x'" in chunk.text


def test_10_mib_of_a_letter_after_a_sentence_keeps_the_sentence(chunker: Chunker) -> None:
    text = "The dock charger costs 3200 euros. " + "A" * (10 * MIB)
    chunks = chunker.chunk([Element(text, "NarrativeText")])
    _check_bounded(chunks)
    assert chunks[0].text.startswith("The dock charger costs 3200 euros.") and "more 'A'" in chunks[0].text


def test_a_2_mib_word_without_repeats_is_cut_at_max_chars(chunker: Chunker) -> None:
    blob = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(2 * MIB // 64))
    t0 = time.perf_counter()
    chunks = chunker.chunk([Element("A hash list follows. " + blob + " The end.", "NarrativeText")])
    assert time.perf_counter() - t0 < 20
    _check_bounded(chunks)
    assert len(chunks) >= 2 * MIB // 2000
    assert "".join(c.text for c in chunks).replace(" ", "").find(blob[:10_000]) >= 0  # nothing lost


def test_long_words_between_spaces_are_packed_up_to_max_chars(chunker: Chunker) -> None:
    words = [hashlib.sha256(str(i).encode()).hexdigest() * 3 for i in range(5000)]  # 192 characters each
    chunks = chunker.chunk([Element(" ".join(words), "NarrativeText")])
    _check_bounded(chunks)
    assert min(len(c.text) for c in chunks[:-1]) > 1000  # cut by characters, not one word per chunk


def test_a_long_table_is_grouped_within_max_chars(chunker: Chunker) -> None:
    rows = [f"row {i} | {hashlib.sha256(str(i).encode()).hexdigest() * 2}" for i in range(200)]
    chunks = chunker.chunk([Element("\n".join(["name | digest", *rows]), "Table")])
    _check_bounded(chunks)
    assert all(c.text.startswith("name | digest") for c in chunks)


def test_ordinary_text_is_still_cut_by_tokens(chunker: Chunker, counter: TokenCounter) -> None:
    text = " ".join(f"Sentence number {i} talks about robots and batteries." for i in range(300))
    chunks = chunker.chunk([Element(text, "NarrativeText")])
    assert max(c.n_tokens for c in chunks[:-1]) > 180 and max(len(c.text) for c in chunks) < 2000


def test_runs_up_to_the_limit_are_kept_as_they_are() -> None:
    line = "Totals\n" + "-" * 128 + "\n" + "." * 100 + " page 4"
    assert collapse_runs(line) is line
    assert collapse_runs(" " * 1000 + "x") == " " * 128 + "x"  # whitespace: no note


def test_max_chars_is_validated_against_the_token_size() -> None:
    assert ChunkingSettings().max_chars == 2000
    with pytest.raises(ValueError, match="max_chars=500 is too small for chunking.size_tokens=200"):
        ChunkingSettings(max_chars=500)
    assert ChunkingSettings(size_tokens=100, overlap_tokens=10, max_chars=500).max_chars == 500
