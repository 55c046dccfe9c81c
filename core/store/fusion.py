"""Fusion of the dense and the sparse candidate lists, in this process, with Qdrant's own formulas.

A hybrid search asks the store for the two lists in one batch and fuses them here, so the lists that
give each hit its dense and sparse rank are the lists that were fused: asking Qdrant to fuse as well ran
both searches a second time inside the engine (the dense one being most of a search's time). The
formulas are Qdrant's (qdrant-client ``hybrid/fusion.py``, the engine's ``score_fusion``), so the scores
are the ones Qdrant's own fusion gives (tests/test_store_contract.py compares them):

- RRF: a point at 1-based rank ``r`` of a list of weight ``w`` earns ``1 / (r / w + k - 1)``, summed over
  the lists it is in (weights 1: ``1 / (r + k - 1)``).
- DBSF: each list's scores are mapped through mean +- 3 standard deviations (sample variance) onto
  [0, 1] (0.5 for a list of one point, or with no spread), then summed.

Ties are broken by the order in which a point first appears (the dense list first), not arbitrarily.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

Ranked = Sequence[tuple[str, float]]  # (point id, score), best first


def rrf(lists: Sequence[Ranked], k: int, weights: Sequence[float] | None = None) -> dict[str, float]:
    scores: dict[str, float] = {}
    for at, ranked in enumerate(lists):
        w = weights[at] if weights is not None else 1.0
        if w <= 0:
            continue
        for i, (pid, _) in enumerate(ranked):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / ((i + 1.0) / w + k - 1.0)
    return scores


def dbsf(lists: Sequence[Ranked]) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranked in lists:
        for pid, s in zip((p for p, _ in ranked), _normalised([s for _, s in ranked]), strict=True):
            scores[pid] = scores.get(pid, 0.0) + s
    return scores


def _normalised(values: list[float]) -> list[float]:
    n = len(values)
    if n == 1:
        return [0.5]
    if n == 0:
        return []
    mean = sum(values) / n
    variance = sum((v - mean) ** 2 for v in values) / (n - 1)
    if variance == 0:
        return [0.5] * n
    low, span = mean - 3 * variance**0.5, 6 * variance**0.5
    return [(v - low) / span for v in values]


def fuse(
    lists: Sequence[Ranked],
    method: Literal["rrf", "dbsf", "weighted"],
    k: int,
    weights: Sequence[float],
    limit: int,
) -> list[tuple[str, float]]:
    """The best ``limit`` points of ``lists`` fused by ``method`` (weighted: RRF with ``weights``)."""
    if method == "dbsf":
        scores = dbsf(lists)
    else:
        scores = rrf(lists, k, weights if method == "weighted" else None)
    first = {}
    for ranked in lists:
        for pid, _ in ranked:
            first.setdefault(pid, len(first))
    return sorted(scores.items(), key=lambda kv: (-kv[1], first[kv[0]]))[:limit]
