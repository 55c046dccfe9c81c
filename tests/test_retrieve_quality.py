"""What issue 18 added to retrieval quality, on a real Edge index and the real model: document-level
aggregation of a hybrid search's fused chunks (retrieval.doc_weight), and the contextual header in the
BM25 text only (chunking.sparse_header), which the settings fingerprint and the recorded build know."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.settings import RetrievalSettings
from core.types import Chunk
from ingest.chunk import encoded_text, encoded_texts
from ingest.fingerprint import build_groups, settings_fingerprint, with_build
from ingest.pipeline import Source, document_id
from rag.retrieve import Retriever

QUESTION = "How do I clear the descaling alarm on the espresso machine?"
# One document answers in one short chunk; the other in two chunks (each a little weaker alone).
SINGLE = "To clear the descaling alarm on the espresso machine, hold the clear button for three seconds.\n"
MANUAL = (
    "Care of the machine. An alarm lights when descaling is due; run the descaling program with fresh "
    "descaler.\n\n"
    + "Unrelated notes on grinding coffee beans, tamping pressure and milk frothing temperatures. " * 6
    + "\n\nAfter the descaling program the alarm goes out by itself; if the alarm stays on, descale again.\n"
)


def _small_chunks(runtime) -> None:  # noqa: ANN001
    s = runtime.settings
    chunking = s.chunking.model_copy(update={"size_tokens": 48, "overlap_tokens": 0, "max_chars": 1000})
    runtime.adopt(s.model_copy(update={"chunking": chunking}))


@pytest.fixture
def two_docs(runtime):  # noqa: ANN001, ANN201
    _small_chunks(runtime)
    runtime.ingestor.ingest(
        [
            Source.from_bytes(SINGLE.encode(), "single.txt", "default"),
            Source.from_bytes(MANUAL.encode(), "manual.txt", "default"),
        ]
        + [
            Source.from_bytes(f"Note {i}: the office {w} is on floor {i}.\n".encode(), f"n{i}.txt", "default")
            for i, w in enumerate(["printer", "kitchen", "library", "gym", "archive", "garage"])
        ]
    )
    return runtime


def _retriever(runtime, **kw) -> Retriever:  # noqa: ANN001
    return Retriever(runtime.store, runtime.embedder, runtime.sparse, RetrievalSettings(**kw))


def test_a_document_whose_chunks_agree_rises(two_docs) -> None:  # noqa: ANN001
    single, manual = document_id("default", "single.txt"), document_id("default", "manual.txt")
    plain = _retriever(two_docs, fusion="rrf", rrf_k=2, doc_weight=0).search(QUESTION, tenant="default").hits
    assert [h.doc_id for h in plain[:3]].count(manual) == 2 and plain[0].doc_id == single  # the premise
    agg = _retriever(two_docs, fusion="rrf", rrf_k=2, doc_weight=1.0).search(QUESTION, tenant="default")
    hits = agg.hits
    assert hits[0].doc_id == manual and [h.doc_id for h in hits[:3]].count(manual) == 2
    # Still the same chunk hits, only re-ordered: ranks 1..n, scores best first, each chunk's own ranks
    # in the fused lists kept, its score its fused score plus its document's best other chunk's.
    fused = {h.chunk_id: h for h in plain}
    assert {h.chunk_id for h in hits} == set(fused)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for h in hits:
        f = fused[h.chunk_id]
        assert (h.dense_rank, h.sparse_rank, h.text) == (f.dense_rank, f.sparse_rank, f.text)
        others = [o.score for o in plain if o.doc_id == h.doc_id and o.chunk_id != h.chunk_id]
        assert h.score == pytest.approx(f.score + max(others, default=0.0))
    # Only the first doc_window fused hits are re-ordered: here the manual's second chunk is outside.
    narrow = _retriever(two_docs, fusion="rrf", rrf_k=2, doc_weight=1.0, doc_window=2)
    assert [h.chunk_id for h in narrow.search(QUESTION, tenant="default").hits] == [h.chunk_id for h in plain]
    # Only a hybrid search aggregates: a single list is left as the store ranked it.
    dense = _retriever(two_docs, doc_weight=1.0).search(QUESTION, tenant="default", mode="dense").hits
    assert [h.score for h in dense] == [
        h.score
        for h in _retriever(two_docs, doc_weight=0).search(QUESTION, tenant="default", mode="dense").hits
    ]


def test_top_k_is_cut_after_aggregating(two_docs) -> None:  # noqa: ANN001
    hits = _retriever(two_docs, fusion="rrf", rrf_k=2, doc_weight=1.0).search(
        QUESTION, tenant="default", top_k=1
    )
    assert len(hits.hits) == 1 and hits.hits[0].doc_id == document_id("default", "manual.txt")


def _chunk(text: str, section: str) -> Chunk:
    return Chunk(index=0, text=text, pages=(), section=section, kinds=("NarrativeText",), n_tokens=10)


def test_sparse_header_puts_the_header_in_bm25_only() -> None:
    c = _chunk("Book economy class.", "Travel policy > Flights")
    headed = "Travel policy > Flights\n\nBook economy class."
    assert encoded_texts(c, "travel.md", sparse_header=True) == (c.text, headed)
    assert encoded_texts(c, "travel.md", header=True, sparse_header=True) == (headed, headed)
    assert encoded_texts(c, "travel.md") == (c.text, c.text)


def test_points_carry_the_header_in_bm25_and_not_in_the_vector(runtime) -> None:  # noqa: ANN001
    s = runtime.settings
    runtime.adopt(s.model_copy(update={"chunking": s.chunking.model_copy(update={"sparse_header": True})}))
    _small_chunks(runtime)
    runtime.ingestor.ingest([Source.from_bytes(MANUAL.encode(), "Espresso_manual.txt", "default")])
    doc = document_id("default", "Espresso_manual.txt")
    points = runtime.store.export_document("default", doc)
    assert len(points) >= 3
    for p in points:
        text = p.payload["text"]
        headed = encoded_text(_chunk(text, p.payload["section"]), "Espresso_manual.txt", header=True)
        assert headed.startswith("Espresso manual\n\n") and text == p.payload["text"].strip()
        sparse = runtime.sparse.embed_document(headed)
        assert (p.sparse.indices, p.sparse.values) == (sparse.indices, pytest.approx(sparse.values))
        plain, titled = runtime.embedder.embed_documents([text, headed])
        assert float(np.dot(p.dense, plain)) > float(np.dot(p.dense, titled))


def test_sparse_header_is_in_the_fingerprint_and_the_recorded_build(runtime) -> None:  # noqa: ANN001
    s = runtime.settings
    flip = not s.chunking.sparse_header
    other = s.model_copy(update={"chunking": s.chunking.model_copy(update={"sparse_header": flip})})
    assert settings_fingerprint(other) != settings_fingerprint(s)
    runtime.adopt(other)
    runtime.store  # noqa: B018 - creates the first index version
    version = runtime.versions.current()
    recorded = json.loads((other.data_dir / "index" / version / "meta.json").read_text())
    assert recorded["build"]["chunking"]["sparse_header"] is flip
    # A version recorded before the setting existed was built without it, and is followed so.
    legacy = build_groups(other)
    del legacy["chunking"]["sparse_header"]
    assert with_build(other, legacy).chunking.sparse_header is False
    assert with_build(other, build_groups(other)).chunking.sparse_header is flip
