"""Hostile drafts: whatever a model returns (endless sentences, runs of digits or blanks, thousands of
figures), verification finishes in seconds, never raises, and flags what it could not check."""

from __future__ import annotations

import time

import pytest

from core.types import Hit
from rag.cite import cite
from rag.facts import extract
from rag.prompt.context import Source
from rag.verify import verify_answer
from rag.verify.check import MAX_CLAIM_CHARS, MAX_CLAIMS
from rag.verify.sources import clauses

FAQ = (
    "Every Porter robot carries a 3-year warranty on parts and labour. Batteries are covered for 2 years. "
    "Support is not available on Sundays. 12% of units were returned."
)


def _sources() -> list[Source]:
    hit = Hit(chunk_id="c1", doc_id="d1", source="faq.html", text=FAQ, pages=[], section="", score=1, rank=1)
    return [Source(1, hit, tokens=40)]


def _timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


@pytest.mark.parametrize(
    "text",
    ["1" * 400, "٣" * 5000 + " years", "1" + "0" * 307 + " years", "one " + "hundred " * 200 + "robots"],
    ids=["digit-run", "unicode-digit-run", "overflowing-duration", "hundred-hundred"],
)
def test_numbers_past_a_float_are_no_crash(text: str) -> None:
    extract(text)  # raised OverflowError: a 500 for the user


def test_a_long_run_of_blanks_is_split_into_clauses_in_linear_time() -> None:
    # Citation markers are blanked with spaces before negation is checked: "[1,1,1,...]" is one such run.
    _, took = _timed(clauses, "warranty" + " " * 60_000 + "x")
    assert took < 1.0


def test_a_long_run_of_blanks_is_cited_in_linear_time() -> None:
    (_, took) = _timed(cite, "3" + " " * 60_000 + "years", _sources(), None)
    assert took < 1.0


def test_an_endless_sentence_is_flagged_not_checked() -> None:
    claim = "Every Porter robot carries a 3-year warranty on parts and labour"
    answer = claim + ", and" + " parts" * (MAX_CLAIM_CHARS // 6) + "."
    (_, verification), took = _timed(verify_answer, answer, _sources(), None)
    assert took < 2.0
    [sentence] = verification.sentences
    assert sentence.verdict == "unsupported" and verification.failed
    (_, short) = verify_answer(claim + ".", _sources(), None)
    assert short.sentences[0].verdict == "supported"


@pytest.mark.parametrize(
    "sentence",
    ["3-" * 1400 + "year. ", "12% " * 700 + ". ", " ".join(str(i % 100) for i in range(900)) + ". "],
    ids=["one-endless-word", "percents", "numbers"],
)
def test_100_kb_of_sentences_full_of_figures_is_verified_in_seconds(sentence: str) -> None:
    answer = sentence * (100_000 // len(sentence))
    (_, verification), took = _timed(verify_answer, answer, _sources(), None)
    assert len(verification.sentences) >= 30
    assert took < 20.0  # was minutes: per-fact work grew with the sentence


@pytest.mark.parametrize("mark", ["\u200b", "\u2060", "\ufeff", "\u00ad", "\u202c"])
def test_an_invisible_character_inside_a_figure_neither_hides_nor_breaks_it(mark: str) -> None:
    # "3<ZWSP> months" read as the bare number 3, found in "3-year": a wrong answer, unflagged elsewhere.
    report, verification = verify_answer(f"The Porter warranty is 3{mark} months.", _sources(), None)
    [wrong] = verification.sentences
    assert wrong.verdict == "contradicted" and mark not in report.answer
    assert [c.source_text for c in wrong.checks if c.verdict == "contradicted"] == ["3-year"]
    # And a right figure with one inside ("2<ZWSP>7" reads "27") is no longer flagged.
    _, right = verify_answer(f"Batteries are covered for 2{mark} years.", _sources(), None)
    assert right.sentences[0].verdict == "supported"


def test_sentences_past_the_most_checked_are_flagged_unchecked(embedder) -> None:
    # An endpoint that ignores max_tokens: thousands of sentences, each embedded for matched citations.
    answer = "Every Porter robot carries a 3-year warranty on parts and labour. " * (MAX_CLAIMS + 50)
    (report, verification), took = _timed(verify_answer, answer, _sources(), embedder)
    verdicts = [s.verdict for s in verification.sentences]
    assert set(verdicts[:MAX_CLAIMS]) == {"supported"}
    assert set(verdicts[MAX_CLAIMS:]) == {"unsupported"} and verification.failed
    matched = {i for c in report.citations for i in c.sentences}
    assert matched and max(matched) < MAX_CLAIMS  # no citation vouches for an unchecked sentence
    assert took < 20.0
