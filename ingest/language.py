"""Language: each chunk tagged with the language its BM25 vector is analysed in (core.language), stored
on its point and filterable. A document's language is read from a sample of its chunks; a chunk of
another language keeps its own only when the detector is sure of it, so that a short chunk or one
quoting a foreign phrase stays in its document's language."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from core.encode.sparse import Bm25Encoder
from core.types import Chunk

# A chunk's own language replaces its document's from this probability (core.language's bar is 0.5).
CHUNK_CONFIDENCE = 0.9
# What a document's language is read from: the start of chunks spread over it.
DOC_SAMPLE_CHUNKS = 8
CHUNK_SAMPLE_CHARS = 500


def tag_languages(chunks: Sequence[Chunk], sparse: Bm25Encoder) -> list[Chunk]:
    """``chunks`` (one document's), each with the ISO 639-1 code of the language it is analysed in."""
    if not chunks:
        return []
    step = max(1, len(chunks) // DOC_SAMPLE_CHUNKS)
    sample = "\n".join(c.text[:CHUNK_SAMPLE_CHARS] for c in chunks[::step][:DOC_SAMPLE_CHUNKS])
    document = sparse.language_of(sample)
    detector = sparse.detector
    if detector is None or len(chunks) == 1:
        return [dataclasses.replace(c, language=document) for c in chunks]
    return [
        dataclasses.replace(
            c,
            language=detector.detect(c.text, CHUNK_SAMPLE_CHARS, min_confidence=CHUNK_CONFIDENCE) or document,
        )
        for c in chunks
    ]
