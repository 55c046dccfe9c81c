"""The contextual header: each chunk is encoded (dense and BM25) under its document's name and section
path, while what is stored, searched and cited stays the chunk's own text; the setting is part of the
settings fingerprint and of the build settings recorded with an index version."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import SAMPLE_DOCS
from core.types import Chunk
from ingest.chunk import doc_title, encoded_text
from ingest.fingerprint import build_groups, settings_fingerprint, with_build
from ingest.pipeline import Source, document_id


def _chunk(text: str, section: str) -> Chunk:
    return Chunk(index=0, text=text, pages=(), section=section, kinds=("NarrativeText",), n_tokens=10)


def test_header_names_the_document_and_section_once() -> None:
    c = _chunk("Book economy class for flights under six hours.", "Travel policy > Flights")
    assert encoded_text(c, "docs/travel_policy.md", header=True) == (
        "Travel policy > Flights\n\nBook economy class for flights under six hours."
    )  # the name is already the path's first heading: not repeated
    assert encoded_text(c, "Expenses-2026.md", header=True).startswith(
        "Expenses 2026 > Travel policy > Flights\n\n"
    )
    # A chunk that opens with its own heading gets only the headings above it.
    opening = _chunk("Flights\n\nBook economy class.", "Travel policy > Flights")
    assert encoded_text(opening, "4983.txt", header=True) == "Travel policy\n\nFlights\n\nBook economy class."
    assert (
        encoded_text(_chunk("Loose text.", ""), "12.txt", header=True) == "Loose text."
    )  # no letters, no section
    assert encoded_text(c, "travel.md", header=False) == c.text
    assert doc_title("a/b/Annual_report-2024.final.pdf") == "Annual report 2024 final"
    assert doc_title("4983.txt") == ""
    long = _chunk("x", " > ".join(["A heading of some length"] * 10))
    assert len(encoded_text(long, "", header=True)) <= 160 + 3


def _with_header(runtime) -> None:  # noqa: ANN001
    s = runtime.settings
    runtime.adopt(s.model_copy(update={"chunking": s.chunking.model_copy(update={"context_header": True})}))


def test_points_encode_the_header_but_keep_the_text_clean(runtime) -> None:  # noqa: ANN001
    _with_header(runtime)
    src = SAMPLE_DOCS / "travel-policy.md"
    runtime.ingestor.ingest([Source.from_path(src, src.name, "default")])
    doc = document_id("default", src.name)
    points = runtime.store.export_document("default", doc)
    chunks = runtime.store.chunks("default", doc)
    assert points and len(points) == len(chunks)
    headed = 0
    for p in points:
        text = p.payload["text"]
        section = p.payload["section"]
        c = _chunk(text, section)
        encoded = encoded_text(c, src.name, header=True)
        assert text == text.strip() and not text.startswith("Travel policy >")
        # BM25 is exact: the stored sparse vector is the encoded text's, not the plain text's.
        sparse = runtime.sparse.embed_document(encoded)
        assert (p.sparse.indices, p.sparse.values) == (sparse.indices, pytest.approx(sparse.values))
        if encoded != text:
            headed += 1
            plain = runtime.sparse.embed_document(text)
            assert (p.sparse.indices, p.sparse.values) != (plain.indices, plain.values)
            vecs = runtime.embedder.embed_documents([encoded, text])
            assert float(np.dot(p.dense, vecs[0])) > float(np.dot(p.dense, vecs[1]))
    assert headed >= 1
    hits = runtime.retriever.search("How much is the hotel allowance?", tenant="default").hits
    assert hits and all(h.text in {p.payload["text"] for p in points} for h in hits if h.doc_id == doc)


def test_setting_is_in_the_fingerprint_and_the_recorded_build(runtime) -> None:  # noqa: ANN001
    assert runtime.settings.chunking.context_header is False  # the product default (see core.settings)
    _with_header(runtime)
    s = runtime.settings
    off = s.model_copy(update={"chunking": s.chunking.model_copy(update={"context_header": False})})
    assert settings_fingerprint(off) != settings_fingerprint(s)
    assert runtime.index_meta.build["chunking"]["context_header"] is True
    runtime.store  # noqa: B018 - creates the first index version
    version = runtime.versions.current()
    recorded = json.loads((s.data_dir / "index" / version / "meta.json").read_text())
    assert recorded["build"]["chunking"]["context_header"] is True
    # A version recorded before the setting existed was built without headers: following it (a rollback's
    # catch-up, a switch made elsewhere) writes more documents without them, not mixed with headed ones.
    legacy = build_groups(s)
    del legacy["chunking"]["context_header"]
    assert with_build(s, legacy).chunking.context_header is False
    assert with_build(s, build_groups(s)).chunking.context_header is True
