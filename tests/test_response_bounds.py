"""Responses bounded whatever was indexed: 10 MiB of one letter after a sentence gives a small, fast search
response, and a chunk stored before chunks were bounded in characters (megabytes) is cut in search and
query responses and marked ``truncated``."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from api_client import DEFAULT_REPLY, key, serve, upload
from app.runtime import Runtime
from core.settings import load_settings
from ingest.chunk import Chunker, TokenCounter
from ingest.pipeline import Source
from llm_server import ScriptedLLM

MIB = 1024 * 1024
SENTENCE = "The dock charger for the Porter robot costs 3200 euros."


def test_10_mib_of_one_letter_after_a_sentence_gives_a_small_fast_search(
    tmp_path: Path, embedder, onnx_cache
) -> None:
    with (
        ScriptedLLM(default=DEFAULT_REPLY) as llm,
        serve(tmp_path / "data", embedder, onnx_cache, llm) as client,
    ):
        a = key(client, "acme")
        body = (SENTENCE + " " + "A" * (10 * MIB)).encode()
        doc = upload(client, a, ("prices.txt", body)).json()["documents"][0]
        assert doc["status"] == "indexed", doc
        t0 = time.perf_counter()
        r = client.post("/v1/search", json={"query": "How much is the dock charger?"}, headers=a)
        elapsed = time.perf_counter() - t0
        assert r.status_code == 200 and len(r.content) < 100_000 and elapsed < 5
        hits = r.json()["hits"]
        assert SENTENCE in hits[0]["text"] and all(len(h["text"]) <= 2000 for h in hits)
        t0 = time.perf_counter()
        q = client.post("/v1/query", json={"question": "How much does the dock charger cost?"}, headers=a)
        assert q.status_code == 200 and len(q.content) < 100_000 and time.perf_counter() - t0 < 10
        chunks = client.get(f"/v1/documents/{doc['document_id']}", headers=a).json()
        assert chunks["chunk_count"] == 1


def test_a_chunk_stored_before_the_bound_is_cut_in_responses(tmp_path: Path, embedder, onnx_cache) -> None:
    data = tmp_path / "data"
    # As an older version indexed it: one chunk of a megabyte (a "word" of hex is one [UNK] token).
    blob = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(MIB // 64))
    rt = Runtime(load_settings(data_dir=data, embedding={"cache_dir": onnx_cache}))
    rt.embedder = embedder  # type: ignore[misc]
    rt.__dict__["chunker"] = Chunker(
        TokenCounter(rt.model_path / "tokenizer.json"), 200, 32, max_chars=10 * MIB
    )
    outcome = rt.ingest_one(Source.from_bytes(f"{SENTENCE} {blob}".encode(), "old.txt", "acme"))
    assert outcome.chunks == 1
    rt.close()

    with ScriptedLLM(default=DEFAULT_REPLY) as llm, serve(data, embedder, onnx_cache, llm) as client:
        a = key(client, "acme")
        r = client.post("/v1/search", json={"query": "dock charger price"}, headers=a)
        assert r.status_code == 200 and len(r.content) < 100_000
        (hit,) = r.json()["hits"]
        assert hit["truncated"] is True and len(hit["text"]) == 2000 and hit["text"].startswith(SENTENCE)
        q = client.post("/v1/query", json={"question": "How much does the dock charger cost?"}, headers=a)
        assert q.status_code == 200 and len(q.content) < 100_000
        (qhit,) = q.json()["hits"]
        assert qhit["truncated"] is True and len(qhit["text"]) == 2000
        (sent,) = llm.requests
        assert len(sent.messages[1]["content"]) < 3000  # the prompt got the cut text, not the megabyte
