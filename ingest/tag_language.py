"""Language: each chunk tagged with the language its BM25 vector is analysed in (core.language), stored
on its point and filterable. A document's language is read from a sample of its chunks; a chunk of
another language keeps its own only when the detector is sure of it, so that a short chunk or one
quoting a foreign phrase stays in its document's language."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from core.encode.sparse import Bm25Encoder
from core.language import BM25_NAMES
from core.types import Chunk

# A chunk's own language replaces its document's from this probability (core.language's bar is 0.5).
CHUNK_CONFIDENCE = 0.9
# What a document's language is read from: the start of chunks spread over it.
DOC_SAMPLE_CHUNKS = 8
CHUNK_SAMPLE_CHARS = 500


_BY_NAME = {name: code for code, name in BM25_NAMES.items()}
_VARIETIES = {"nb": "no", "nn": "no"}  # Norwegian Bokmål and Nynorsk: one analyser


def declared_language(metadata: Mapping[str, Any]) -> str | None:
    """The language a document's metadata declares (``{"language": "fr"}``: an ISO 639-1 code, or the
    language's English name, of one BM25 can analyse), or None (then it is detected): the uploader knows
    best, and a scanned page has no text to detect it from."""
    value = metadata.get("language")
    if not isinstance(value, str):
        return None
    name = value.strip().lower().replace("_", "-").split("-")[0]  # "fr-FR", "pt_BR": the language
    name = _VARIETIES.get(name, name)
    return name if name in BM25_NAMES else _BY_NAME.get(name)  # "fr", or "French" as BM25 names it


def tag_languages(chunks: Sequence[Chunk], sparse: Bm25Encoder, declared: str | None = None) -> list[Chunk]:
    """``chunks`` (one document's), each with the ISO 639-1 code of the language it is analysed in: the
    fixed one, else the ``declared`` one, else the one detected."""
    if not chunks:
        return []
    if sparse.detector is not None and declared is not None:
        return [dataclasses.replace(c, language=declared) for c in chunks]
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
