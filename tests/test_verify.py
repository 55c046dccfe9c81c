"""Claim verification: each answer sentence supported, contradicted (with the source span that says
otherwise), unsupported or unverifiable; matched citations never vouch for a flagged sentence."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from core.types import Hit
from rag.prompt.context import Source
from rag.verify import verify_answer

ROOT = Path(__file__).resolve().parent.parent


def _source(n: int, text: str) -> Source:
    hit = Hit(chunk_id=f"c{n}", doc_id=f"d{n}", source=f"doc{n}.txt", text=text, pages=[], section="",
              score=1, rank=n)  # fmt: skip
    return Source(n, hit, tokens=10)


def _faq() -> str:
    html = (ROOT / "sample_docs" / "support-faq.html").read_text()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


SOURCES = [
    _source(1, _faq()),
    _source(
        2,
        "Every full-time employee receives 27 days of paid annual leave. Halcyon Robotics was founded by "
        "Maria Keller in Lyon in 2011. The plant employs 1,200 people.",
    ),
]


def _one(answer: str, sources: list[Source] = SOURCES):
    report, verification = verify_answer(answer, sources, None)
    (sentence,) = verification.sentences
    return sentence


def _contradiction(sentence, claim: str, source_says: str, n: int) -> None:
    assert sentence.verdict == "contradicted"
    (check,) = [c for c in sentence.checks if c.verdict == "contradicted"]
    assert check.fact.text == claim and sentence.text[check.fact.start : check.fact.end] == claim
    assert check.source == n and check.source_text == source_says
    s, e = check.source_span
    assert SOURCES[n - 1].hit.text[s:e] == source_says


def test_the_demo_warranty_answer_is_contradicted_by_the_faq() -> None:
    sentence = _one("The warranty on a Porter robot is 6 months.")
    _contradiction(sentence, "6 months", "3-year", 1)
    assert "3-year warranty" in sentence.checks[-1].source_sentence


def test_a_wrong_number_a_wrong_name_and_a_wrong_year_are_each_contradicted() -> None:
    _contradiction(_one("Every full-time employee receives 25 days of paid annual leave [2]."), "25 days",
                   "27 days", 2)  # fmt: skip
    _contradiction(_one("Halcyon Robotics was founded by John Smith [2]."), "John Smith", "Maria Keller", 2)
    _contradiction(_one("Halcyon Robotics was founded in 2014 [2]."), "2014", "2011", 2)


@pytest.mark.parametrize(
    "answer",
    [
        "Porter robots come with a three year warranty on parts and labour [1].",
        "The warranty on a Porter robot lasts 36 months.",  # 36 months = 3 years
        "The plant employs 1200 people.",  # no thousands separator
        "Halcyon Robotics, founded by Maria Keller in 2011, is based in Lyon.",
        "Batteries are covered for two years.",
    ],
)
def test_right_answers_are_supported(answer: str) -> None:
    sentence = _one(answer)
    assert sentence.verdict == "supported", [c.to_dict() for c in sentence.checks]
    assert all(c.verdict == "supported" and c.source_span is not None for c in sentence.checks)


@pytest.mark.parametrize(
    "answer",
    ["Not found in the documents.", "The documents do not say.", "Contact support for more help."],
)
def test_sentences_with_nothing_to_check_are_unverifiable(answer: str) -> None:
    assert _one(answer).verdict == "unverifiable"


def test_a_number_in_no_source_is_unsupported() -> None:
    sentence = _one("A replacement battery costs $450.")
    assert sentence.verdict == "unsupported"
    (check,) = sentence.checks
    assert check.fact.text == "$450" and check.source is None


def test_a_number_elsewhere_in_the_source_is_no_contradiction() -> None:
    # The FAQ holds other numbers (30 days, 15%, 2 years): none is about the founder.
    sentence = _one("Maria Keller founded the company.")
    assert sentence.verdict == "supported"


def test_negation_against_the_source_is_contradicted() -> None:
    sentence = _one("A robot updates while carrying a load.")
    assert sentence.verdict == "contradicted"
    assert sentence.checks[-1].fact.kind == "negation" and sentence.checks[-1].source_text == "never"
    assert _one("A robot never updates while carrying a load.").verdict != "contradicted"


def test_cited_sentences_are_checked_against_their_citations_only() -> None:
    _, verification = verify_answer("Employees get 27 days of paid annual leave [1].", SOURCES, None)
    (sentence,) = verification.sentences
    assert sentence.against == [1] and sentence.verdict == "unsupported"
    _, verification = verify_answer("Employees get 27 days of paid annual leave.", SOURCES, None)
    assert verification.sentences[0].against == [1, 2] and verification.sentences[0].verdict == "supported"


def test_verification_summary() -> None:
    _, v = verify_answer(
        "The warranty on a Porter robot is 6 months. Employees get 27 days of leave. The documents do not "
        "say more. It costs $450.",
        SOURCES,
        None,
    )
    assert [s.verdict for s in v.sentences] == ["contradicted", "supported", "unverifiable", "unsupported"]
    assert v.counts() == {"supported": 1, "contradicted": 1, "unsupported": 1, "unverifiable": 1}
    assert v.failed and v.flagged == [0, 3]
    d = v.to_dict()
    assert d["sentences"][0]["checks"][-1]["source_span"] is not None and d["flagged"] == [0, 3]


def test_matched_citations_never_vouch_for_a_flagged_sentence(embedder) -> None:
    answer = (
        "The warranty on a Porter robot is 6 months. Every full-time employee gets 27 days of paid leave."
    )
    report, verification = verify_answer(answer, SOURCES, embedder)
    assert [s.verdict for s in verification.sentences] == ["contradicted", "supported"]
    assert [(c.n, c.origin, c.sentences) for c in report.citations] == [(2, "matched", [1])]
    assert report.uncited == [0, 1]  # still reported: the model cited nothing


def test_model_citations_are_kept_and_unknown_markers_dropped(embedder) -> None:
    report, verification = verify_answer("Porter robots carry a 3-year warranty [1][7].", SOURCES, embedder)
    assert report.invalid == [7] and [(c.n, c.origin) for c in report.citations] == [(1, "model")]
    assert verification.sentences[0].verdict == "supported"


def test_five_sentences_over_five_sources_verify_fast() -> None:
    sources = [_source(i + 1, SOURCES[i % 2].hit.text + f" Note {i}.") for i in range(5)]
    answer = ("The warranty is 3 years. Batteries are covered for 2 years. Returns are accepted within 30 "
              "days. Leave is 27 days. Halcyon Robotics was founded in 2011.")  # fmt: skip
    verify_answer(answer, sources, None)  # source facts are cached from here on
    # CPU time of this process, not wall time: the machine running the suite may be busy with others.
    t = time.process_time()
    _, v = verify_answer(answer, sources, None)
    assert (time.process_time() - t) < 0.25
    assert all(s.verdict == "supported" for s in v.sentences), v.to_dict()


HANDBOOK = _source(
    1,
    "Up to 5 unused days can be carried over into the first quarter of the next year; days not taken by\n"
    "31 March are lost. Core hours are 10:00 to 15:00 Central European Time. Business class is never\n"
    "reimbursed unless the CFO approves it in writing.\n\n| City | Nightly cap (EUR) |\n| --- | --- |\n"
    "| Paris | 210 |\n| Lyon | 150 |",
)


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        # a "not" in another clause of the source sentence is no contradiction
        ("You can carry over up to 5 unused days into the first quarter of the next year.", "supported"),
        # a sentence wrapped over two lines is still one sentence: its "never" counts
        ("Business class is reimbursed for flights over 6 hours.", "contradicted"),
        # "never ... unless the CFO approves": a claim about that condition is no contradiction
        ("The CFO must approve business class in writing.", "supported"),
        ("Core hours are 10:00 to 15:00 CET.", "supported"),
        ("Core hours start at 9:00.", "contradicted"),
        ("The nightly hotel cap in Paris is 210 EUR.", "supported"),  # a table row under "(EUR)"
        ("The nightly hotel cap in Lyon is 210 EUR.", "contradicted"),  # the Lyon row says 150
    ],
)
def test_policy_wording(answer: str, verdict: str) -> None:
    sentence = _one(answer, [HANDBOOK])
    assert sentence.verdict == verdict, [c.to_dict() for c in sentence.checks]


def test_a_value_swapped_for_one_said_elsewhere_is_still_contradicted() -> None:
    source = _source(
        1,
        "The first European to travel the length of the Amazon River was Francisco de Orellana in 1542. "
        "Ondemar Dias is accredited with first discovering the geoglyphs in 1977.",
    )
    sentence = _one(
        "The first European to travel the length of the Amazon River was Ondemar Dias in 1542.", [source]
    )
    assert sentence.verdict == "contradicted"
    (check,) = [c for c in sentence.checks if c.verdict == "contradicted"]
    assert check.fact.text == "Ondemar Dias" and check.source_text == "Francisco de Orellana"


def test_a_not_in_a_long_source_clause_about_the_same_names_is_no_contradiction() -> None:
    source = _source(
        1,
        "Ms Keller worked for 10 years, from age 18 to 28, for Swedex GmbH & Co KG before her dismissal. "
        "This follows from Keller v Swedex GmbH & Co KG where the code stated that the years people worked "
        "under the age of 25 would not count towards the notice before dismissal.",
    )
    claim = "Ms Keller worked for 10 years, from age 18 to 28, for Swedex GmbH & Co KG before her dismissal."
    sentence = _one(claim, [source])
    assert sentence.verdict == "supported", [c.to_dict() for c in sentence.checks]


NOTES = _source(
    1,
    "Engineering meeting - 14 September 2026\n\nAttendees: Priya Raman (VP Engineering), Aiko Tanaka (Cloud "
    "lead)\n\n2. Continuous integration\n\nDecision: the team migrates the build pipeline to GitLab CI. Aiko "
    "Tanaka owns the migration. Budget approved: 12,000 euros for runners.",
)
PRICES = _source(
    2,
    "product_code | product | list_price_eur | lead_time_weeks\nPH2-STD | Porter H2 | 48500 | 6\n"
    "PH2-XL | Porter H2 XL | 61900 | 10",
)
RELEASE = _source(
    3, "Porter firmware 4.1 release notes\n\nReleased 2 June 2026.\n\nNew features\n\nNight mode."
)


@pytest.mark.parametrize(
    ("answer", "verdict", "source_says"),
    [
        # A name in an attendee list says nothing about who owns what: the sentence about the migration does.
        ("Priya Raman owns the migration to GitLab CI.", "contradicted", "Aiko Tanaka"),
        ("Aiko Tanaka owns the migration.", "supported", "Aiko Tanaka"),
        # A short sentence is read with its title line.
        ("Firmware 4.1 was released on 2 June 2024.", "contradicted", "2 June 2026"),
        ("Firmware 4.1 was released on 2 June 2026.", "supported", "2 June 2026"),
        # A bare table figure takes its column header's unit, and the row about the claim's subject decides.
        ("The Porter H2 has a lead time of 6 months.", "unsupported", None),
        ("The Porter H2 has a lead time of 6 weeks.", "supported", "6"),
        ("The Porter H2 XL has a lead time of 6 weeks.", "contradicted", "10"),
        ("The Porter H2 XL costs 61,900 euros.", "supported", "61900"),
        ("The Porter H2 XL costs 48,500 euros.", "contradicted", "61900"),
        ("The Porter H2 costs 48,500 USD.", "unsupported", None),  # the column says euros
    ],
)
def test_support_is_local_to_the_sentence_about_the_claim(answer: str, verdict: str, source_says) -> None:
    sentence = _one(answer, [NOTES, PRICES, RELEASE])
    assert sentence.verdict == verdict, [c.to_dict() for c in sentence.checks]
    if source_says is not None:
        assert source_says in [c.source_text for c in sentence.checks if c.verdict == verdict]


def test_another_name_in_a_related_sentence_is_no_contradiction_unless_it_stands_in_the_same_place() -> None:
    source = _source(
        1,
        "Warsaw University of Technology is the second academic school of technology in the country, and one "
        "of the largest in East-Central Europe.",
    )
    sentence = _one("The second academic school of technology in Poland is Warsaw University of Technology.",
                    [source])  # fmt: skip
    assert "contradicted" not in {c.verdict for c in sentence.checks}, [c.to_dict() for c in sentence.checks]
