"""BM25 sparse vectors: the term ids and weights existing indexes hold, the language's stemming, the same
ranking as rank-bm25 once Qdrant applies the IDF, and an index of other BM25 settings refused."""

from __future__ import annotations

import json
import math
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from qdrant_client import QdrantClient
from rank_bm25 import BM25Okapi

from app.runtime import Runtime
from conftest import SAMPLE_DOCS, shared
from core.encode.sparse import Bm25Encoder
from core.errors import IndexMismatch
from core.settings import load_settings
from core.store.base import IndexMeta
from core.store.edge import EdgeStore, EdgeVersions
from core.store.served import ServedIndex
from core.store.server import ServerStore
from core.types import Point, SearchFilter, SearchQuery, SparseVec


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


# Produced once by the Python encoder this one replaced (k1=0.9, b=0.6, avg_len=60: the defaults), whose
# vectors every index built before carries: term id -> weight, term frequencies 1, 2 and 4 among them.
KNOWN_GOOD = {
    "Running runs ran; e-mail user@example.com 3.14 COVID-19 naïve café don't": {
        116628897: 1.2786,
        243905464: 1.52856,
        264741300: 1.2786,
        567658162: 1.2786,
        605818632: 1.2786,
        756638508: 1.2786,
        1314609513: 1.2786,
        1520550099: 1.2786,
        1701593959: 1.2786,
        1746685302: 1.2786,
        1749031367: 1.2786,
        1785447155: 1.2786,
        2035475614: 1.2786,
    },
    "The invoice is due within 30 days. Late invoices incur a fee of 2% per month.": {
        19522071: 1.294278,
        47878894: 1.294278,
        330588669: 1.294278,
        481716713: 1.539708,
        520205939: 1.294278,
        574566247: 1.294278,
        749129358: 1.294278,
        859229416: 1.294278,
        1350333277: 1.294278,
        1372199004: 1.294278,
        1955747086: 1.294278,
    },
    "Cells divide. Cell division needs cells; cellular membranes and membrane proteins protect the cell.": {
        397386392: 1.539708,
        453346956: 1.294278,
        668881362: 1.700985,
        860290521: 1.294278,
        1093656203: 1.294278,
        1491351846: 1.294278,
        1612813626: 1.294278,
        1615913549: 1.294278,
    },
    "the a an of to": {},  # stopwords only
    "": {},
}


@pytest.mark.parametrize("text", list(KNOWN_GOOD))
def test_vectors_are_the_ones_existing_indexes_hold(text: str) -> None:
    enc, want = Bm25Encoder(k1=0.9, b=0.6, avg_len=60), KNOWN_GOOD[text]
    doc, query = enc.embed_document(text), enc.embed_query(text)
    assert doc.indices == sorted(want) and query.indices == sorted(want)
    assert np.allclose(doc.values, [want[i] for i in doc.indices], rtol=1e-6)
    assert query.values == [1.0] * len(want)


def test_term_counts_are_the_document_length() -> None:
    enc = Bm25Encoder()
    counts = enc.term_counts("Cells divide. Cell division needs cells; the cell membrane " + "cell " * 3000)
    assert counts[enc.embed_query("cell").indices[0]] == 3004
    assert counts[enc.embed_query("membranes").indices[0]] == 1
    assert sum(counts.values()) == 3004 + 4 and len(enc.term_ids("the cells divide")) == 2


def test_german_text_is_stemmed_and_stopped_german_style() -> None:
    german, english = Bm25Encoder(language="german"), Bm25Encoder()
    # Snowball German: Häuser, Hauses and Haus share one stem; "und", "die" and "der" are stopwords.
    assert german.embed_query("Häuser").indices == german.embed_query("Hauses").indices
    assert german.embed_query("Haus").indices == german.embed_query("Häuser").indices
    assert english.embed_query("Häuser").indices != english.embed_query("Haus").indices
    assert german.embed_query("und die der").indices == []
    assert len(english.embed_query("und die der").indices) == 3


def test_an_unknown_language_is_refused_with_the_supported_ones() -> None:
    with pytest.raises(ValueError, match="klingon.*german.*spanish"):
        Bm25Encoder(language="klingon")


def test_stopword_only_query_is_empty() -> None:
    assert Bm25Encoder().embed_query("what is the").indices == []


def _rank_like_rank_bm25(tmp_path: Path, docs: list[str], queries: list[str]) -> None:
    # Term ids stand for the (stemmed, stopword-free) tokens: rank-bm25 takes any hashable token.
    tokens = [Bm25Encoder().term_ids(d) for d in docs]
    enc = Bm25Encoder(k1=1.2, b=0.75, avg_len=sum(map(len, tokens)) / len(tokens))
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
        q_tokens = enc.embed_query(q).indices
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


# ---- an index built with other BM25 settings -------------------------------------------------------------

BUILT = IndexMeta("m", 2, "torch", 0.9, 0.6, 60.0)


def test_reopening_with_other_bm25_settings_is_refused_naming_both(tmp_path: Path) -> None:
    EdgeStore.open(tmp_path, BUILT).close()
    with pytest.raises(IndexMismatch) as err:
        EdgeStore.open(tmp_path, replace(BUILT, bm25_k1=1.2, bm25_avg_len=80.0))
    assert "k1=0.9, b=0.6, avg_len=60.0, language=english but k1=1.2, b=0.6, avg_len=80.0" in str(err.value)
    assert "RAG_BM25__K1=0.9 RAG_BM25__AVG_LEN=60.0)" in str(err.value)
    client = QdrantClient(":memory:")
    ServerStore.open(client, "c", BUILT)
    with pytest.raises(IndexMismatch, match="b=0.6.*but.*b=0.75.*RAG_BM25__B=0.6"):
        ServerStore.open(client, "c", replace(BUILT, bm25_b=0.75))
    EdgeStore.open(tmp_path, BUILT).close()  # the same settings open it


def test_served_index_of_another_bm25_language_stays_up_and_says_why(tmp_path: Path) -> None:
    EdgeStore.open(tmp_path, BUILT).close()
    # Indexes from before the language was stored are English.
    meta_file = EdgeVersions(tmp_path).meta_file("v0001")
    stored = json.loads(meta_file.read_text())
    del stored["bm25_language"]
    meta_file.write_text(json.dumps(stored))
    served = ServedIndex.open(EdgeVersions(tmp_path), replace(BUILT, bm25_language="german"))
    assert "language=english but" in (served.problem or "") and "RAG_BM25__LANGUAGE=english" in served.problem
    with pytest.raises(IndexMismatch, match="language=german"):
        served.search(SearchQuery(dense=[1.0, 0.0], sparse=SparseVec([1], [1.0]), filter=SearchFilter("t")))
    served.close()
    served = ServedIndex.open(EdgeVersions(tmp_path), BUILT)
    assert served.problem is None and served.count() == 0
    served.close()


def test_runtime_refuses_an_index_after_the_bm25_language_changed(tmp_path: Path) -> None:
    rt = Runtime(load_settings(data_dir=tmp_path))
    assert rt.store.problem is None and rt.store.meta.bm25_language == "auto"
    rt.close()
    rt = Runtime(load_settings(data_dir=tmp_path, bm25={"language": "German"}))
    assert rt.sparse.language == "german" and rt.index_meta.bm25_language == "german"
    assert "language=auto but k1=0.9, b=0.6, avg_len=60.0, language=german" in (rt.store.problem or "")
    rt.close()


def test_an_english_index_opens_when_languages_are_told_but_not_the_other_way(tmp_path: Path) -> None:
    # Indexes from before "auto" are English: English text is analysed alike, so they stay in service.
    rt = Runtime(load_settings(data_dir=tmp_path, bm25={"language": "english"}))
    assert rt.store.problem is None and rt.store.meta.bm25_language == "english"
    rt.close()
    rt = Runtime(load_settings(data_dir=tmp_path))
    assert rt.sparse.language == "auto" and rt.store.problem is None
    rt.close()
    other = tmp_path / "other"
    rt = Runtime(load_settings(data_dir=other))
    assert rt.store.meta.bm25_language == "auto"
    rt.close()
    rt = Runtime(load_settings(data_dir=other, bm25={"language": "english"}))
    assert "language=auto but" in (rt.store.problem or "")
    rt.close()
