"""Hybrid search finds the facts of sample_docs, and each hit says where it comes from."""

from __future__ import annotations

import pytest

from app.runtime import Runtime
from conftest import SAMPLE_DOCS
from conftest import SAMPLE_QUESTIONS as QUESTIONS
from core.settings import load_settings
from ingest.pipeline import Source


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, embedder, onnx_cache):
    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("kb") / "data", embedding={"cache_dir": onnx_cache}
    )
    rt = Runtime(settings)
    rt.embedder = embedder  # type: ignore[misc]
    report = rt.ingestor.ingest(
        [Source.from_path(p, p.name, "default") for p in sorted(SAMPLE_DOCS.iterdir()) if p.is_file()]
    )
    assert report.count("failed") == 0 and report.count("added") == len(QUESTIONS)
    yield rt
    rt.close()


@pytest.mark.parametrize(("question", "source", "fact"), QUESTIONS)
def test_hybrid_top_3_holds_the_fact(kb, question: str, source: str, fact: str) -> None:
    hits = kb.retriever.search(question, tenant="default", top_k=3).hits
    assert any(h.source == source and fact in h.text for h in hits), [(h.source, h.text[:60]) for h in hits]


def test_top_hit_rates_per_mode(kb) -> None:
    """Hybrid must not be worse than either single retriever on our own questions."""
    top1 = {}
    for mode in ("hybrid", "dense", "sparse"):
        top1[mode] = sum(
            kb.retriever.search(q, tenant="default", top_k=1, mode=mode).hits[0].source == s
            for q, s, _ in QUESTIONS
        )
    assert top1["hybrid"] >= max(top1["dense"], top1["sparse"]) - 1
    assert top1["hybrid"] >= 14  # measured: hybrid 16, dense 11, sparse 16 of 18


def test_hits_cite_pages_and_carry_all_scores(kb) -> None:
    hit = kb.retriever.search("E-17 lidar obstruction", tenant="default", top_k=1).hits[0]
    assert hit.source == "porter-h2-manual.pdf" and 2 in hit.pages
    assert hit.dense_rank == 1 and hit.sparse_rank == 1
    assert hit.dense_score and hit.sparse_score and hit.score
    slide = kb.retriever.search("revenue Q3 results", tenant="default", top_k=1).hits[0]
    assert slide.source == "q3-2026-all-hands.pptx" and 2 in slide.pages


@pytest.mark.parametrize("fusion", ["rrf", "dbsf", "weighted"])
def test_every_fusion_works_end_to_end(kb, fusion: str) -> None:
    result = kb.retriever.search("warranty battery cycles", tenant="default", fusion=fusion, top_k=5)
    assert result.fusion == fusion and result.hits[0].source == "support-faq.html"
    # One store request (both candidate lists in one batch, fused in this process), timed as "fusion",
    # then the payloads of the hits kept.
    assert set(result.timings_ms) == {"embed_query", "encode_sparse", "fusion", "payloads", "search"}


def test_filters_by_document(kb) -> None:
    doc = kb.registry.list(source="travel-policy.md")[0]
    hits = kb.retriever.search("warranty", tenant="default", doc_ids=[doc.id]).hits
    assert hits and {h.doc_id for h in hits} == {doc.id}


def test_other_tenant_sees_nothing(kb) -> None:
    assert kb.retriever.search("annual leave", tenant="someone-else").hits == []


def test_search_latency_counts_each_request_once(kb) -> None:
    r = kb.retriever.search("warranty battery cycles", tenant="default", top_k=5)
    t = r.timings_ms
    assert t["search"] >= t["fusion"] + t["payloads"]
    assert r.latency_ms == pytest.approx(t["embed_query"] + t["encode_sparse"] + t["search"], abs=0.01)
