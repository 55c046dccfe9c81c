"""Citations: [n] -> document, page and section; unknown numbers dropped; uncited sentences reported."""

from __future__ import annotations

from core.types import Hit
from rag.cite import cite
from rag.prompt.context import Source


def _source(n: int, text: str, source: str, pages: list[int], section: str) -> Source:
    hit = Hit(
        chunk_id=f"c{n}",
        doc_id=f"d{n}",
        source=source,
        text=text,
        pages=pages,
        section=section,
        score=1,
        rank=n,
    )
    return Source(n, hit, tokens=10)


SOURCES = [
    _source(
        1, "Every full-time employee receives 27 days of paid annual leave.", "handbook.pdf", [4], "Leave"
    ),
    _source(2, "The Porter H2 has a 3-year warranty on parts and labour.", "faq.html", [], "Warranty"),
]


def test_citations_map_to_document_page_and_section() -> None:
    r = cite("Employees get 27 days [1]. The robot has a 3-year warranty [2].", SOURCES)
    assert [(c.n, c.source.hit.source, c.source.hit.pages, c.source.hit.section) for c in r.citations] == [
        (1, "handbook.pdf", [4], "Leave"),
        (2, "faq.html", [], "Warranty"),
    ]
    assert all(c.origin == "model" for c in r.citations)
    assert r.citations[0].sentences == [0] and r.citations[1].sentences == [1]
    assert r.invalid == [] and r.uncited == []
    d = r.to_dict()
    assert d["citations"][0]["source"] == "handbook.pdf" and d["citations"][0]["pages"] == [4]


def test_grouped_and_repeated_markers() -> None:
    r = cite("Both hold [1, 2]. Again [1][2].", SOURCES)
    assert [c.n for c in r.citations] == [1, 2] and r.citations[0].sentences == [0, 1]


def test_citations_to_sources_not_given_are_dropped_and_reported() -> None:
    r = cite("Employees get 27 days [1][7]. Robots fly [9].", SOURCES)
    assert r.invalid == [7, 9]
    assert r.answer == "Employees get 27 days [1]. Robots fly."
    assert [c.n for c in r.citations] == [1]
    assert r.uncited == [1]  # "Robots fly." lost its only (invalid) citation


def test_sentences_without_citation_are_reported() -> None:
    r = cite("Employees get 27 days [1]. This is an extra claim with no source.", SOURCES)
    assert [r.sentences[i] for i in r.uncited] == ["This is an extra claim with no source."]
    assert r.to_dict()["uncited_sentences"] == ["This is an extra claim with no source."]


def test_uncited_sentences_are_matched_to_their_source_and_marked(embedder) -> None:
    r = cite(
        "Every full-time employee gets 27 days of paid annual leave. Bananas are yellow.", SOURCES, embedder
    )
    assert r.uncited == [0, 1]  # the model cited nothing: that stays visible
    (c,) = r.citations
    assert c.n == 1 and c.origin == "matched" and c.sentences == [0] and c.similarity > 0.6
