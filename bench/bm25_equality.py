"""BM25 on ``qdrant_edge.Bm25`` against the Python encoder it replaced: every SciFact document and query
must encode to the same sparse vector (indices equal, values within float32 rounding), so indexes built
before the change stay valid and the English settings fingerprint did not change. Also times both.

The old encoder is read from git (``OLD``, the last commit that had it), not kept in the tree.
Usage: .venv/bin/python bench/bm25_equality.py
"""

from __future__ import annotations

import subprocess
import sys
import time
import types
from collections import Counter
from typing import Any

import numpy as np
from common import ROOT, load_corpus, load_queries, save  # noqa: I001

from core.encode.sparse import Bm25Encoder
from core.settings import Settings

OLD = "421007ef9a16ad29690895967688470e42a15d8c"  # core/encode/sparse.py before qdrant_edge.Bm25
RTOL = 1e-6  # the new values are float32 (what Qdrant stores anyway), the old ones float64


def old_encoder_class() -> Any:
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{OLD}:core/encode/sparse.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType("old_sparse")
    exec(compile(source, "old_sparse.py", "exec"), module.__dict__)  # noqa: S102 - our own code, from git
    return module.Bm25Encoder


def compare(old: Any, new: Bm25Encoder, texts: list[str], kind: str) -> dict[str, Any]:
    t = time.perf_counter()
    before = [getattr(old, f"embed_{kind}")(x) for x in texts]
    old_s = time.perf_counter() - t
    t = time.perf_counter()
    after = [getattr(new, f"embed_{kind}")(x) for x in texts]
    new_s = time.perf_counter() - t
    index_diffs, value_diffs, max_rel = 0, 0, 0.0
    examples: list[str] = []
    for text, a, b in zip(texts, before, after, strict=True):
        if a.indices != b.indices:
            index_diffs += 1
            if len(examples) < 5:
                examples.append(text[:120])
            continue
        if a.values:
            rel = float(np.max(np.abs(np.subtract(a.values, b.values)) / np.abs(a.values)))
            max_rel = max(max_rel, rel)
            if rel > RTOL:
                value_diffs += 1
    return {
        "texts": len(texts),
        "terms": sum(len(a.indices) for a in before),
        "different_indices": index_diffs,
        "different_values": value_diffs,
        "max_relative_value_difference": max_rel,
        "old_s": round(old_s, 3),
        "new_s": round(new_s, 3),
        "speedup": round(old_s / new_s, 2) if new_s else None,
        "examples": examples,
    }


def main() -> None:
    b = Settings().bm25
    corpus, queries = load_corpus(), load_queries()
    docs = [f"{d['title']}\n{d['text']}" for d in corpus]
    old = old_encoder_class()(k1=b.k1, b=b.b, avg_len=b.avg_len)
    new = Bm25Encoder(k1=b.k1, b=b.b, avg_len=b.avg_len)
    result = {
        "params": {"k1": b.k1, "b": b.b, "avg_len": b.avg_len, "language": b.language},
        "old_commit": OLD,
        "documents": compare(old, new, docs, "document"),
        "queries": compare(old, new, list(queries.values()), "query"),
        # term_counts (BM25 lengths, e.g. for avg_len) is read back from a second model: same counts?
        "term_counts_differ": sum(Counter(old.term_ids(d)) != new.term_counts(d) for d in docs),
    }
    for kind in ("documents", "queries"):
        r = result[kind]
        print(
            f"{kind}: {r['texts']} texts, {r['terms']} terms; indices differ in {r['different_indices']}, "
            f"values in {r['different_values']} "
            f"(max relative difference {r['max_relative_value_difference']:.2e}); "
            f"old {r['old_s']} s, new {r['new_s']} s ({r['speedup']}x)"
        )
    print(f"term counts differ in {result['term_counts_differ']} documents")
    save("bm25_equality", result)
    same = result["term_counts_differ"] == 0 and all(
        result[k]["different_indices"] == 0 and result[k]["different_values"] == 0
        for k in ("documents", "queries")
    )
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
