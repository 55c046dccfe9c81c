"""The settings fingerprint: what decides how a document becomes points (parser, chunker, BM25 and
embedding settings), hashed. Every point carries it, so a re-index can tell which documents were built
under other settings and need rebuilding (issue 7's --incremental)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json

from rag.settings import Settings


def settings_fingerprint(settings: Settings) -> str:
    e, c, b = settings.embedding, settings.chunking, settings.bm25
    parts = {
        "parser": f"unstructured {importlib.metadata.version('unstructured')}",
        "chunking": [c.size_tokens, c.overlap_tokens],
        "bm25": [b.k1, b.b, b.avg_len, b.language],
        "embedding": [e.model_name, e.dim, e.backend, e.max_seq_length],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]
