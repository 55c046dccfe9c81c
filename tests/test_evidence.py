"""Extractive evidence on sample_docs: the sentences that answer, their offsets, the short answer span."""

from __future__ import annotations

from app.runtime import Runtime
from core.types import Hit
from ingest.pipeline import Source
from rag.evidence import Evidence, Span, answer_span, select_evidence
from rag.sentences import sentence_spans, split_sentences

WARRANTY = "How long is the warranty on a Porter robot?"
WARRANTY_SENTENCE = "Every Porter robot carries a 3-year warranty on parts and labour."


def _evidence(kb: Runtime, question: str, **kw) -> tuple[list[Hit], list[Evidence]]:
    hits = kb.retriever.search(question, tenant="default", top_k=8).hits
    return hits, select_evidence(question, hits, kb.embedder, **kw)


def test_the_warranty_question_gets_the_warranty_sentence_and_its_duration(kb) -> None:
    _, evidence = _evidence(kb, WARRANTY)
    top = evidence[0]
    assert top.text == WARRANTY_SENTENCE
    assert top.source == "support-faq.html"
    assert top.answer is not None and top.answer.text == "3-year"
    assert top.text[top.answer.start - top.start : top.answer.end - top.start] == "3-year"
    assert not top.answer.guess
    assert top.to_dict()["answer"] == {
        "text": "3-year",
        "start": top.answer.start,
        "end": top.answer.end,
        "guess": False,
    }


def test_offsets_slice_the_hit_text_exactly(kb) -> None:
    for question in (WARRANTY, "How many days of paid annual leave do employees get?"):
        hits, evidence = _evidence(kb, question)
        by_id = {h.chunk_id: h for h in hits}
        assert evidence
        for e in evidence:
            hit = by_id[e.chunk_id]
            assert hit.text[e.start : e.end] == e.text
            assert (e.doc_id, e.source, e.pages, e.section) == (
                hit.doc_id,
                hit.source,
                hit.pages,
                hit.section,
            )
            if e.answer:
                assert hit.text[e.answer.start : e.answer.end] == e.answer.text
        assert [e.score for e in evidence] == sorted((e.score for e in evidence), reverse=True)


def test_a_who_question_gets_a_person(kb) -> None:
    _, evidence = _evidence(kb, "Who owns the migration from Jenkins to GitLab CI?")
    assert "Aiko Tanaka" in [e.answer.text for e in evidence if e.answer]


def test_the_answer_is_not_what_the_question_already_names() -> None:
    text = "Intro. Alice Smith hired Bob Jones in May 2021 for the Lyon office."
    start = text.index("Alice")
    span = answer_span("Who did Alice Smith hire?", text, "person", start, len(text))
    assert span == Span("Bob Jones", text.index("Bob"), text.index("Bob") + len("Bob Jones"))
    when = answer_span("When did Alice Smith hire Bob Jones?", text, "date", start, len(text))
    assert when is not None and when.text == "May 2021"
    assert answer_span("How much did it cost?", text, "money", start, len(text)) is None


def test_an_open_question_gets_the_nearest_fact_marked_as_a_guess() -> None:
    text = "The ship left Lisbon in 1492 with ninety men."
    assert answer_span("Which port did the ship leave from?", text, "other") is None
    span = answer_span("Which port did the ship leave from?", text, "other", guess=True)
    assert span is not None and span.text == "Lisbon" and span.guess


def test_guesses_only_when_asked_for(kb) -> None:
    question = "What does error code E-17 mean on the robot?"  # names no kind of fact
    hits = kb.retriever.search(question, tenant="default", top_k=8).hits
    assert all(e.answer is None for e in select_evidence(question, hits, kb.embedder))
    guessed = [e.answer for e in select_evidence(question, hits, kb.embedder, guesses=True) if e.answer]
    assert guessed and all(a.guess for a in guessed)


def test_k_is_respected(kb) -> None:
    hits, one = _evidence(kb, WARRANTY, k=1)
    assert len(one) == 1 and one[0].text == WARRANTY_SENTENCE
    _, five = _evidence(kb, WARRANTY, k=5)
    assert len(five) == 5 and five[0].text == WARRANTY_SENTENCE
    assert select_evidence(WARRANTY, hits, kb.embedder, k=0) == []


def test_nothing_to_select_gives_nothing(kb) -> None:
    assert select_evidence(WARRANTY, [], kb.embedder) == []
    blank = Hit("c", "d", "empty.txt", "  \n ", [], "", 1.0, 1)
    assert select_evidence(WARRANTY, [blank], kb.embedder) == []


def test_sentence_spans_are_split_sentences_with_offsets() -> None:
    text = '  Warranty.\nEvery robot carries a 3-year warranty [1]. Ask us! \n\n"Quoted." end'
    for min_chars in (1, 12):
        spans = sentence_spans(text, min_chars)
        assert [text[s:e] for s, e in spans] == split_sentences(text, min_chars)


def test_a_table_row_is_evidence_with_its_header_and_the_cell_the_question_asks_for(runtime) -> None:
    table = (
        "office,city,country,employees,opened\n"
        "Headquarters,Lyon,France,142,2017\nSupport,Porto,Portugal,34,2024\n"
    )
    runtime.ingestor.ingest([Source.from_bytes(table.encode(), "offices.csv", "default")])
    for question, row, cell in [
        ("How many employees work in the Porto office?", "Support | Porto | Portugal | 34 | 2024", "34"),
        ("When was the Lyon office opened?", "Headquarters | Lyon | France | 142 | 2017", "2017"),
    ]:
        result = runtime.retriever.search(question, tenant="default", top_k=3)
        top = select_evidence(question, result.hits, runtime.embedder)[0]
        # Short rows are candidates (below the sentence minimum), read with their header row.
        assert top.text == row and top.header == "office | city | country | employees | opened"
        assert top.answer is not None and top.answer.text == cell and not top.answer.guess
        hit = next(h for h in result.hits if h.chunk_id == top.chunk_id)
        assert hit.text[top.answer.start : top.answer.end] == cell
