"""bench/peer_langchain.py's pure parts: which documents the side-by-side run uses, and nDCG@10 from each
side's ranked sources (chunks -> documents, first occurrence). The run itself needs the peer venv."""

from __future__ import annotations

import math
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import peer_langchain as peer  # noqa: E402


def corpus(n: int) -> list[dict[str, str]]:
    return [{"_id": str(i), "title": f"t{i}", "text": f"x{i}"} for i in range(n)]


def test_selection_keeps_every_relevant_document_and_fills_deterministically() -> None:
    docs = corpus(50)
    qrels = {"q1": {"7": 1, "42": 1}, "q2": {"3": 1}}
    chosen = peer.select_documents(docs, qrels, 10)
    ids = [d["_id"] for d in chosen]
    assert len(ids) == 10 == len(set(ids))
    assert {"7", "42", "3"} <= set(ids)
    assert ids == sorted(ids, key=int)  # corpus order
    assert peer.select_documents(list(reversed(docs)), qrels, 10) == list(reversed(chosen))
    # the fill is not simply the corpus's first documents
    assert ids != [str(i) for i in range(10)]
    assert peer.select_documents(docs, qrels, 3) == [docs[3], docs[7], docs[42]]


def test_selection_refuses_what_cannot_hold() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        peer.select_documents(corpus(50), {"q": {"1": 1, "2": 1}}, 1)
    with pytest.raises(ValueError, match="missing"):
        peer.select_documents(corpus(5), {"q": {"99": 1}}, 3)


def test_ranked_sources_become_documents_by_first_occurrence() -> None:
    sources = ["/tmp/docs/12.txt", "12.txt", "/tmp/docs/5.txt", "12.txt", "7.txt"]
    assert peer.first_occurrences(peer.doc_id_of(s) for s in sources) == ["12", "5", "7"]


def test_ndcg_from_ranked_ids() -> None:
    qrels = {"a": {"1": 1}, "b": {"2": 1, "3": 1}, "c": {"9": 1}}
    ranked = {"a": ["1", "4"], "b": ["5", "2", "6", "3"], "c": []}
    ideal_b = 1 + 1 / math.log2(3)
    expected = (1.0 + (1 / math.log2(3) + 1 / math.log2(5)) / ideal_b + 0.0) / 3
    assert peer.scores(qrels, ranked)["ndcg@10"] == pytest.approx(expected, abs=1e-4)
    # rank 11 and below do not count
    assert peer.scores({"a": {"1": 1}}, {"a": [str(i) for i in range(100, 110)] + ["1"]})["ndcg@10"] == 0
