"""The settings fingerprint: what decides how a document becomes points (parser, chunker, BM25 and
embedding settings), hashed. Every point carries it, so a re-index can tell which documents were built
under other settings and need rebuilding (issue 7's --incremental)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from typing import Any

from pydantic import ValidationError

from core.encode.sparse import AUTO
from core.errors import ConfigError
from core.guard.injection import PATTERNS_VERSION, AttackSet
from core.settings import GuardrailSettings, Settings
from ingest.chunk import CHUNKER_VERSION, HEADER_VERSION
from ingest.formats import FORMATS_VERSION

# Build settings recorded before a field existed were built as its value here says: a version built
# before contextual headers has none, and more documents written into it must have none either.
LEGACY_BUILD = {"chunking": {"context_header": False, "sparse_header": False}}


def settings_fingerprint(settings: Settings) -> str:
    e, c, b = settings.embedding, settings.chunking, settings.bm25
    parts = {
        "parser": f"unstructured {importlib.metadata.version('unstructured')}; ours {FORMATS_VERSION}",
        "chunking": [c.size_tokens, c.overlap_tokens, c.max_chars, CHUNKER_VERSION]
        # The contextual header changes every vector; its absence keeps older fingerprints.
        + ([HEADER_VERSION] if c.context_header else [])
        # The header in the BM25 text alone changes every sparse vector.
        + ([f"sparse-header {HEADER_VERSION}"] if c.sparse_header and not c.context_header else []),
        # "english" was the only language before "auto": its fingerprints stayed; "auto" moved them.
        "bm25": [b.k1, b.b, b.avg_len, b.language]
        # Which language each chunk is analysed in: the detector's model and the default decide it.
        + (
            [b.default_language, f"py3langid {importlib.metadata.version('py3langid')}"]
            if b.language == AUTO
            else []
        ),
        "embedding": [e.model_name, e.dim, e.backend, e.max_seq_length],
        # What the ingest-time guards write into points (scores, masked text): changing them rebuilds.
        "guard": guard_parts(settings.guardrails),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def guard_parts(g: GuardrailSettings) -> dict[str, Any]:
    """The ingest-time guard settings, for the default and for each tenant that overrides any of them."""

    def one(s: GuardrailSettings) -> list[Any]:
        injection = (
            [AttackSet.load().version, PATTERNS_VERSION, s.injection_threshold] if s.injection else None
        )
        pii = [s.pii_at_ingest, sorted(s.pii_entities)] if s.pii_at_ingest != "off" else None
        return [injection, pii]

    default = one(g)
    out: dict[str, Any] = {"": default}
    for tenant in sorted(g.tenants):
        mine = one(g.for_tenant(tenant))
        if mine != default:
            out[tenant] = mine
    return out


def build_groups(settings: Settings) -> dict[str, Any]:
    """The settings that build an index version, as stored with it: enough to build more of it later
    (a rollback's catch-up) or to serve it in this process after a switch."""
    e, c, b = settings.embedding, settings.chunking, settings.bm25
    return {
        "embedding": {
            "model_name": e.model_name,
            "model_path": str(e.model_path) if e.model_path else None,
            "dim": e.dim,
            "backend": e.backend,
            "max_seq_length": e.max_seq_length,
        },
        "chunking": c.model_dump(),
        "bm25": b.model_dump(),
    }


def with_build(settings: Settings, build: dict[str, Any]) -> Settings:
    """``settings`` with the groups of ``build`` (from ``build_groups``) laid over them, validated."""
    update = {
        group: getattr(settings, group).model_copy(update=LEGACY_BUILD.get(group, {}) | build[group])
        for group in ("embedding", "chunking", "bm25")
        if build.get(group)
    }
    merged = settings.model_copy(update=update)
    try:
        return type(settings).model_validate(merged.model_dump())
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, x['loc'])) or 'settings'}: {x['msg']}" for x in e.errors())
        raise ConfigError(problems) from e
