"""Facts: equivalent wordings get equal canonical values; the traps that are not facts give none."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rag.facts import Fact, extract, matches_kind


def _values(text: str, kind: str | None = None) -> list:
    return [f.value for f in extract(text) if kind is None or f.kind == kind]


def _one(text: str, kind: str) -> Fact:
    (fact,) = [f for f in extract(text) if f.kind == kind]
    return fact


@pytest.mark.parametrize(
    "text", ["a 3-year warranty", "a warranty of 3 years", "three years of warranty", "36 months"]
)
def test_durations_in_any_wording_are_equal(text: str) -> None:
    assert _one(text, "duration").value == (36, "month")


def test_durations_keep_their_base_and_ranges_keep_both_ends() -> None:
    assert _one("two weeks", "duration").value == _one("14 days", "duration").value == (14, "day")
    assert _one("within 30 days", "duration").value != _one("within 1 month", "duration").value
    fact = _one("delivery takes 3-5 days", "duration")
    assert fact.value == ((3, 5), "day") and fact.text == "3-5 days"
    assert _one("3 to 5 days", "duration").value == fact.value


@pytest.mark.parametrize("text", ["1,000 robots", "1000 robots", "one thousand robots"])
def test_numbers_ignore_separators_and_words(text: str) -> None:
    fact = _one(text, "number")
    assert (fact.value, fact.label) == (1000, "robot")


def test_number_words_and_scales() -> None:
    assert _values("twenty-five staff", "number") == [25]
    assert _values("3.5 million people", "number") == [3_500_000]
    assert _values("one hundred and five pages", "number") == [105]


@pytest.mark.parametrize("text", ["12%", "12 percent", "12 per cent", "twelve percent"])
def test_percentages(text: str) -> None:
    assert _one(f"Sales rose {text} last year.", "percent").value == 12


@pytest.mark.parametrize(
    ("text", "value"),
    [("$1,200", (1200, "USD")), ("1,200 dollars", (1200, "USD")), ("USD 1200", (1200, "USD")),
     ("EUR 5", (5, "EUR")), ("€5", (5, "EUR")), ("£3.5 million", (3_500_000, "GBP"))],
)  # fmt: skip
def test_money(text: str, value: tuple) -> None:
    assert _one(f"It costs {text} per unit.", "money").value == value
    assert not [f for f in extract(f"It costs {text} per unit.") if f.kind == "entity"]


@pytest.mark.parametrize(
    ("text", "value"),
    [("12 March 2019", "2019-03-12"), ("March 12, 2019", "2019-03-12"), ("2019-03-12", "2019-03-12"),
     ("March 2019", "2019-03"), ("in 2019", "2019"), ("the 1990s", "1990s"), ("the 19th century", "C19"),
     ("12th of March", "--03-12")],
)  # fmt: skip
def test_dates(text: str, value: str) -> None:
    assert _one(f"It happened {text}.", "date").value == value


def test_a_year_is_a_date_and_a_count_is_a_number() -> None:
    assert _values("In 1879, Tesla moved.", "date") == ["1879"]
    assert _values("In 2019, 1500 employees joined.") == ["2019", 1500]
    assert _values("The plant has 1000 staff.", "number") == [1000]


def test_entities_are_normalised() -> None:
    a = _one("The warranty is honoured by Acme Robotics.", "entity")
    b = _one("the Acme Robotics's warranty is honoured everywhere.", "entity")
    assert a.value == b.value == "acme robotics" and a.label == "ORG"
    assert a.text == "Acme Robotics"


def test_quotes_and_negation() -> None:
    facts = extract('The manual says "press and hold" but it does not work, and isn\'t sold without a box.')
    assert [f.value for f in facts if f.kind == "quote"] == ["press and hold"]
    assert [f.text for f in facts if f.kind == "negation"] == ["not", "isn't", "without"]
    assert _values("It no longer ships.", "negation") == ["not"]
    assert _values("It is never late.", "negation") == ["not"]


@pytest.mark.parametrize(
    "text",
    [
        "It is one of the largest cities.",  # "one" as a pronoun
        "First, open the lid.",  # discourse marker, not an ordinal
        "Not only fast but also cheap.",  # "not only" is no negation
        "The Q3 results and the H2 model are out.",  # digits inside names
        "Hundreds of people came.",  # vague, not an amount
        "You may return it.",  # "may" the verb, not the month
        "Version 4.1.2 fixes it.",  # a version string is not a number
    ],
)
def test_false_positive_traps(text: str) -> None:
    kinds = {"number", "duration", "money", "percent", "date", "negation"}
    assert [f for f in extract(text) if f.kind in kinds] == []


def test_offsets_point_into_the_text() -> None:
    text = "Every Porter robot carries a 3-year warranty on parts and labour on 2 June 2026 in Lyon."
    facts = extract(text)
    assert {f.kind for f in facts} >= {"duration", "date", "entity"}, facts
    for f in facts:
        assert text[f.start : f.end] == f.text


def test_matches_kind() -> None:
    assert matches_kind(_one("for 3 years", "duration"), "duration")
    assert matches_kind(_one("in 2019", "date"), "date")
    assert matches_kind(_one("12 robots", "number"), "number")
    assert matches_kind(_one("$5", "money"), "number") and matches_kind(_one("$5", "money"), "money")
    assert not matches_kind(_one("12 robots", "number"), "date")
    person = _one("The letter was signed by Barack Obama.", "entity")
    assert matches_kind(person, "person") and not matches_kind(person, "place")
    place = _one("The office is in Paris.", "entity")
    assert matches_kind(place, "place") and not matches_kind(place, "other")


def test_times_of_day() -> None:
    facts = [f for f in extract("Support answers from 8:00 to 18:00 CET.") if f.kind == "number"]
    assert [(f.value, f.label) for f in facts] == [("08:00", "time"), ("18:00", "time")]


def test_importing_the_answer_path_does_not_load_spacy() -> None:
    # spaCy takes seconds to import: the CLI (``rag --help`` too) and the API would pay it at start-up.
    # It is loaded on first use (the stop words, the entity recogniser) or by Answerer.warm_up.
    code = "import sys, app.cli, api.app, rag.answer; print(sorted(m for m in sys.modules if m == 'spacy'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
