"""BM25 sparse vectors: the same term ids and weights as Qdrant Edge's own BM25, and the same ranking as
rank-bm25 once Qdrant applies the IDF."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import numpy as np
import pytest
import qdrant_edge as qe
from rank_bm25 import BM25Okapi

from conftest import SAMPLE_DOCS, shared
from core.encode.sparse import Bm25Encoder
from core.store.base import IndexMeta
from core.store.edge import EdgeStore
from core.types import Point, SearchFilter, SearchQuery


class QdrantIdfBM25(BM25Okapi):
    """rank-bm25 with the IDF Qdrant uses: ln(1 + (N - n + 0.5) / (n + 0.5))."""

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))


def _sample_sentences() -> list[str]:
    import re

    text = " ".join(
        p.read_text(errors="ignore")
        for p in sorted(SAMPLE_DOCS.glob("*.*"))
        if p.suffix in {".md", ".txt", ".html", ".eml", ".csv"}
    )
    text = re.sub(r"<[^>]+>", " ", text)
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 4]


def _synthetic_corpus(n: int = 400) -> list[str]:
    rng = random.Random(7)
    sentences = _sample_sentences()
    return [" ".join(rng.sample(sentences, rng.randint(1, 6))) for _ in range(n)]


def _edge_reference_matches(texts: list[str], enc: Bm25Encoder) -> None:
    ref = qe.Bm25(qe.Bm25Config(k=enc.k1, b=enc.b, avg_len=enc.avg_len))
    for t in texts:
        mine, theirs = enc.embed_document(t), ref.embed_document(t)
        got = dict(zip(theirs.indices, theirs.values, strict=True))
        assert mine.indices == sorted(got), t[:80]
        assert np.allclose(mine.values, [got[i] for i in mine.indices], rtol=1e-5)
        assert enc.embed_query(t).indices == sorted(ref.embed_query(t).indices)


def test_term_ids_and_weights_match_qdrant_edge_bm25() -> None:
    texts = _sample_sentences() + [
        "Running runs ran; e-mail user@example.com 3.14 COVID-19 naïve café don't",
        "ORGANIZATION organisations Universities generously dying skies",
        "the a an of to",  # stopwords only
        "",
    ]
    _edge_reference_matches(texts, Bm25Encoder(k1=1.2, b=0.75, avg_len=64))


@pytest.mark.shared_data
def test_term_ids_match_qdrant_edge_on_scifact() -> None:
    lines = shared("scifact", "corpus.jsonl").read_text().splitlines()[:1500]
    texts = [(d := json.loads(line))["title"] + "\n" + d["text"] for line in lines]
    _edge_reference_matches(texts, Bm25Encoder(k1=0.9, b=0.4, avg_len=200))


def test_stopword_only_query_is_empty() -> None:
    assert Bm25Encoder().embed_query("what is the").indices == []


def _rank_like_rank_bm25(tmp_path: Path, docs: list[str], queries: list[str]) -> None:
    enc = Bm25Encoder(k1=1.2, b=0.75, avg_len=1.0)
    tokens = [enc.tokens(d) for d in docs]
    enc.avg_len = sum(map(len, tokens)) / len(tokens)
    reference = QdrantIdfBM25(tokens, k1=1.2, b=0.75)
    store = EdgeStore.open(tmp_path, IndexMeta("none", 2, "none", 1.2, 0.75, enc.avg_len))
    store.upsert(
        [
            Point(
                f"00000000-0000-0000-0000-{i:012d}",
                [1.0, 0.0],
                enc.embed_document(d),
                {"tenant": "t", "i": i},
            )
            for i, d in enumerate(docs)
        ]
    )
    compared = 0
    for q in queries:
        q_tokens = sorted(set(enc.tokens(q)))
        if not q_tokens:
            continue
        expected = reference.get_scores(q_tokens)
        hits = store.search(
            SearchQuery(
                dense=None, sparse=enc.embed_query(q), filter=SearchFilter("t"), mode="sparse", limit=10
            )
        )
        got = [(h.payload["i"], h.score) for h in hits]
        top = np.argsort(-expected, kind="stable")[:10]
        want = [(int(i), float(expected[i])) for i in top if expected[i] > 0]
        assert len(got) == len(want)
        # Same scores (float32 in the engine), same order up to exact ties.
        assert np.allclose([s for _, s in got], [s for _, s in want], rtol=1e-4, atol=1e-4), q
        for i, s in got:
            assert math.isclose(float(expected[i]), s, rel_tol=1e-4, abs_tol=1e-4)
        compared += 1
    store.close()
    assert compared >= 20


def test_one_encoder_is_safe_to_share_between_threads() -> None:
    # Job workers embed documents while queries are encoded: Snowball's stemmer keeps the word it stems
    # in itself, so one shared stemmer garbled stems or raised IndexError.
    import threading

    text = " ".join(f"running{i} jumping{i} happiness{i} generalization{i}" for i in range(5000))
    expected = Bm25Encoder().embed_document(text)
    shared_encoder, results, errors = Bm25Encoder(), [], []

    def embed() -> None:
        try:
            results.append(shared_encoder.embed_document(text))
        except Exception as e:  # noqa: BLE001 - collected and asserted on below
            errors.append(e)

    threads = [threading.Thread(target=embed) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and results == [expected] * 4


def test_qdrant_sparse_ranking_equals_rank_bm25(tmp_path: Path) -> None:
    docs = _synthetic_corpus(400)
    rng = random.Random(3)
    queries = [" ".join(rng.sample(d.split(), min(4, len(d.split())))) for d in rng.sample(docs, 40)]
    _rank_like_rank_bm25(tmp_path, docs, queries)


@pytest.mark.shared_data
def test_qdrant_sparse_ranking_equals_rank_bm25_on_scifact(tmp_path: Path) -> None:
    lines = shared("scifact", "corpus.jsonl").read_text().splitlines()[:500]
    docs = [(d := json.loads(line))["title"] + " " + d["text"] for line in lines]
    queries = [
        json.loads(line)["text"] for line in shared("scifact", "queries.jsonl").read_text().splitlines()[:60]
    ]
    _rank_like_rank_bm25(tmp_path, docs, queries)
