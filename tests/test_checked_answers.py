"""Answers checked claim by claim on sample_docs: a scripted LLM's wrong number, name and year are each
flagged against the source that says otherwise, a right answer is not; the answer policies (flag,
evidence, refuse), the extractive provider, evidence and answerability on every answer, over HTTP too."""

from __future__ import annotations

from pathlib import Path

import pytest

from answering import answerer
from api_client import key, sse_events, upload
from conftest import SAMPLE_DOCS
from core.settings import AnswerSettings, GuardrailSettings, LlmSettings
from llm_server import Reply
from rag.answer import Answerer
from rag.answer_policy import DRAFT_FAILED, UNVERIFIED
from rag.guardrails import AnswerGuards
from rag.refuse import NOT_FOUND

WARRANTY = "How long is the warranty on a Porter robot?"
MIGRATION = "Who owns the migration of the build pipeline to GitLab CI?"
RELEASE = "When was firmware 4.1 released?"


def _citing(kb, llm, tmp_path: Path, question: str, text: str, document: str) -> str:
    """``text`` with its [1] pointing at ``document`` as the prompt numbers its sources, as a model that
    cites the right source writes it, whatever the retrieval's order (these tests check the checks)."""
    llm.queue(Reply("A probe of the prompt's sources."))
    probe = answerer(kb, llm, tmp_path, {"on_unsupported": "flag"}).ask(question, tenant="default")
    n = next(n for n, s in sorted(probe.context.by_number().items()) if s.hit.source == document)
    return text.replace("[1]", f"[{n}]")


def _flagged(a, verdict: str = "contradicted"):
    """The one flagged sentence of the answer's verification and its check of that verdict."""
    (i,) = a.verification.flagged
    sentence = a.verification.sentences[i]
    assert sentence.verdict == verdict, sentence
    (check,) = [c for c in sentence.checks if c.verdict == verdict]
    return sentence, check


@pytest.mark.parametrize(
    ("question", "wrong", "claimed", "source", "says"),
    [
        (
            WARRANTY,
            "The warranty on a Porter robot is 6 months [1].",
            "6 months",
            "support-faq.html",
            "3-year",
        ),
        (
            MIGRATION,
            "Priya Raman owns the migration to GitLab CI [1].",
            "Priya Raman",
            "meeting-notes-2026-09-14.txt",
            "Aiko Tanaka",
        ),
        (
            RELEASE,
            "Firmware 4.1 was released on 2 June 2024 [1].",
            "2 June 2024",
            "release-notes-fw-4-1.html",
            "2 June 2026",
        ),
    ],
    ids=["number", "name", "year"],
)
def test_a_wrong_fact_is_flagged_against_the_source_that_says_otherwise(
    kb, llm, tmp_path: Path, question, wrong, claimed, source, says
) -> None:
    wrong = _citing(kb, llm, tmp_path, question, wrong, source)
    llm.queue(Reply(wrong))
    a = answerer(kb, llm, tmp_path, {"on_unsupported": "flag"}).ask(question, tenant="default")
    assert not a.refused and a.policy == "flagged" and a.text == wrong
    sentence, check = _flagged(a)
    assert check.fact.text == claimed
    compared = a.context.by_number()[check.source].hit
    assert compared.source == source and says in check.source_text
    start, end = check.source_span
    assert compared.text[start:end] == check.source_text
    # The source that contradicts the sentence is not presented as its support.
    assert not [c for c in a.citations.citations if c.origin == "matched" and sentence.index in c.sentences]


@pytest.mark.parametrize(
    ("question", "right", "source"),
    [
        (
            WARRANTY,
            "Every Porter robot has a three-year warranty on parts and labour [1].",
            "support-faq.html",
        ),
        (MIGRATION, "Aiko Tanaka owns the migration [1].", "meeting-notes-2026-09-14.txt"),
        (RELEASE, "Firmware 4.1 was released on 2 June 2026 [1].", "release-notes-fw-4-1.html"),
    ],
    ids=["number", "name", "year"],
)
def test_a_right_answer_is_supported(kb, llm, tmp_path: Path, question, right, source) -> None:
    right = _citing(kb, llm, tmp_path, question, right, source)
    llm.queue(Reply(right))
    a = answerer(kb, llm, tmp_path, {"on_unsupported": "refuse"}).ask(question, tenant="default")
    assert not a.refused and a.policy == "kept" and a.text == right and a.draft is None
    assert [s.verdict for s in a.verification.sentences] == ["supported"]


def test_an_unsupported_number_is_flagged_unsupported(kb, llm, tmp_path: Path) -> None:
    llm.queue(Reply("Employees get 27 days of paid annual leave [1]. Parking costs 95 euros a month [1]."))
    a = answerer(kb, llm, tmp_path, {"on_unsupported": "flag"}).ask(
        "How many days of paid annual leave do employees get?", tenant="default"
    )
    assert [s.verdict for s in a.verification.sentences] == ["supported", "unsupported"]
    _, check = _flagged(a, "unsupported")
    assert "95" in check.fact.text and check.source_text is None


def test_evidence_policy_answers_with_the_quote_and_keeps_the_draft(kb, llm, tmp_path: Path) -> None:
    draft = "The warranty on a Porter robot is 6 months."
    llm.queue(Reply(stream=["The warranty on a Porter robot ", "is 6 months."]))
    pieces = list(
        answerer(kb, llm, tmp_path, {"on_unsupported": "evidence"}).stream(WARRANTY, tenant="default")
    )
    a = pieces[-1]
    # Nothing unverified is shown: the held-back text arrives once, as the final answer.
    assert pieces[:-1] == [a.text]
    assert a.policy == "evidence" and not a.refused and a.draft == draft
    assert a.text.startswith(DRAFT_FAILED) and "Every Porter robot carries a 3-year warranty" in a.text
    assert "6 months" not in a.text and not a.verification.failed
    assert [v.verdict for v in a.draft_verification.sentences] == ["contradicted"]
    quoted = [c for c in a.citations.citations if c.origin == "evidence"]
    assert quoted and quoted[0].source.hit.source == "support-faq.html"
    assert a.to_dict()["draft"]["text"] == draft


def test_refuse_policy_says_which_claim_failed(kb, llm, tmp_path: Path) -> None:
    llm.queue(Reply("The warranty on a Porter robot is 6 months."))
    a = answerer(kb, llm, tmp_path, {"on_unsupported": "refuse"}).ask(WARRANTY, tenant="default")
    assert a.refused and a.refusal.reason == "unsupported" and a.text == UNVERIFIED
    assert "6 months" in a.refusal.message and "3-year" in a.refusal.message
    # The draft is kept for the trace, not shown: the operator chose that no unverified text is read.
    assert a.draft is not None and a.to_dict()["draft"] is None


def test_default_policy_is_evidence_for_the_demo_model_and_flag_for_an_endpoint(kb, llm, tmp_path) -> None:
    endpoint = answerer(kb, llm, tmp_path)
    assert endpoint.policy == "flag"
    endpoint.llm.demo_quality = True  # type: ignore[misc] - what the embedded adapter declares
    assert endpoint.policy == "evidence"


def test_every_answer_carries_evidence_and_answerability(kb, llm, tmp_path: Path) -> None:
    llm.queue(Reply("Every Porter robot carries a 3-year warranty [1]."))
    a = answerer(kb, llm, tmp_path).ask(WARRANTY, tenant="default")
    top = a.evidence[0]
    assert top.text == "Every Porter robot carries a 3-year warranty on parts and labour."
    assert top.answer is not None and top.answer.text == "3-year"
    hit = next(h for h in a.hits if h.chunk_id == top.chunk_id)
    assert hit.text[top.start : top.end] == top.text
    assert a.answerability.answerable and a.answerability.score >= a.answerability.threshold
    d = a.to_dict()
    assert d["evidence"][0]["answer"]["text"] == "3-year" and d["answerability"]["model"]


def test_extractive_provider_quotes_the_evidence_without_a_model(kb, tmp_path: Path) -> None:
    a = Answerer(
        retriever=kb.retriever,
        embedder=kb.embedder,
        llm=None,
        prompts=kb.prompts,
        conversations=type(kb.conversations)(f"sqlite:///{tmp_path / 'conv.sqlite'}"),
        answerability=kb.answerability,
        guards=AnswerGuards(GuardrailSettings()),
        settings=AnswerSettings(),
        llm_settings=LlmSettings(provider="extractive"),
        max_hit_chars=kb.settings.chunking.max_chars,
    ).ask(WARRANTY, tenant="default")
    assert not a.refused and a.model["provider"] == "extractive" and a.usage.total_tokens == 0
    first = a.text.splitlines()[0]
    assert first == "3-year — “Every Porter robot carries a 3-year warranty on parts and labour.” [1]"
    # Quotations are recognised as the source's own words: supported, never flagged.
    assert {v.verdict for v in a.verification.sentences} == {"supported"}
    assert all(c.origin == "evidence" for c in a.citations.citations)
    assert a.context.sources[0].hit.source == "support-faq.html"
    assert not a.verification.failed


def test_a_question_the_documents_do_not_answer_is_refused_before_the_llm(kb, llm, tmp_path: Path) -> None:
    a = answerer(kb, llm, tmp_path).ask("Who won the football world cup in 1998?", tenant="default")
    assert a.refused and a.refusal.reason in ("low_confidence", "unanswerable") and a.text == NOT_FOUND
    assert llm.requests == []


def test_query_api_returns_evidence_verification_and_the_policy(client, llm) -> None:
    a = key(client, "acme")
    upload(client, a, ("support-faq.html", (SAMPLE_DOCS / "support-faq.html").read_bytes()))
    llm.queue(Reply("The warranty on a Porter robot is 6 months [1]."))
    body = client.post("/v1/query", json={"question": WARRANTY}, headers=a).json()
    assert body["policy"] == "flagged" and body["verification"]["sentences"][0]["verdict"] == "contradicted"
    assert body["evidence"][0]["answer"]["text"] == "3-year" and body["answerability"]["score"] > 0
    assert "header" in body["evidence"][0]  # None for prose; a table row's header row otherwise

    llm.queue(Reply(stream=["The warranty is ", "3 years [1]."]))
    with client.stream("POST", "/v1/query", json={"question": WARRANTY, "stream": True}, headers=a) as r:
        events = sse_events(r.read().decode())
    final = events[-1][1]
    assert events[-1][0] == "answer" and final["policy"] == "kept"
    assert final["evidence"] and final["verification"]["sentences"][0]["verdict"] == "supported"


def test_a_table_row_quoted_word_for_word_is_supported(kb, llm, tmp_path: Path) -> None:
    # Its bare figures sit under "list_price_eur" and "lead_time_weeks" in the source: read fact by fact
    # they would not match; as a quotation they are the source's own words.
    row = "PH2-STD | Porter H2 | Autonomous mobile robot with 150 kg payload | 48500 | 6"
    llm.queue(Reply(f"“{row}” [1]"))
    a = answerer(kb, llm, tmp_path, {"on_unsupported": "refuse"}).ask(
        "What is the list price of the Porter H2?", tenant="default"
    )
    assert not a.refused and a.policy == "kept"
    (sentence,) = a.verification.sentences
    assert sentence.verdict == "supported" and sentence.checks[0].source_text == row
