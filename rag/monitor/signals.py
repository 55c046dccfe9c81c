"""Quality signals per request, computed without an LLM judge.

- retrieval: top-1 and mean fused score, top-1 dense (cosine) and sparse (BM25) score, dense/sparse
  agreement (overlap@5: how many of the hits are in the top 5 of both lists, over 5), empty result;
- answer: retrieval confidence and whether the gate judged it too low, refusal and its reason, citation
  coverage (share of answer sentences with a model citation), invalid citations, and a groundedness
  proxy: for each answer sentence, the best cosine to a sentence of the chunks it cites (model or
  matched), or of all given sources when it cites none; averaged. It says "the answer reads like its
  sources", not "it is true";
- verification (rag.verify): how many of the model's sentences were supported, contradicted, unsupported
  or unverifiable (of the draft when the answer policy replaced it: the model's quality is what is
  monitored), whether the answer was flagged, replaced or refused, and the answerability score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from core.encode.dense import Embedder
from core.types import Hit
from rag.answer import Answer
from rag.sentences import split_sentences

OVERLAP_K = 5


def retrieval_signals(hits: Sequence[Hit]) -> dict[str, Any]:
    if not hits:
        return {
            "empty": True,
            "top1": None,
            "mean_fused": None,
            "top1_dense": None,
            "top1_sparse": None,
            "overlap_at_5": None,
        }
    dense = [h.dense_score for h in hits if h.dense_score is not None]
    sparse = [h.sparse_score for h in hits if h.sparse_score is not None]
    both = sum(
        1
        for h in hits
        if h.dense_rank is not None
        and h.dense_rank <= OVERLAP_K
        and h.sparse_rank is not None
        and h.sparse_rank <= OVERLAP_K
    )
    return {
        "empty": False,
        "top1": float(hits[0].score),
        "mean_fused": float(np.mean([h.score for h in hits])),
        "top1_dense": max(dense) if dense else None,
        "top1_sparse": max(sparse) if sparse else None,
        "overlap_at_5": both / OVERLAP_K if dense and sparse else None,
    }


def answer_signals(answer: Answer, embedder: Embedder | None) -> dict[str, Any]:
    assessed = answer.answerability
    out: dict[str, Any] = {
        "confidence": answer.confidence.value,
        # The gate said no: the answerability model (or the optional confidence floor, or no hits at all).
        "low_confidence": (assessed is None or not assessed.answerable)
        or (answer.refusal is not None and answer.refusal.reason == "low_confidence"),
        "refused": answer.refused,
        "refusal_reason": answer.refusal.reason if answer.refusal else None,
        "citation_coverage": None,
        "invalid_citations": 0,
        "groundedness": None,
        "answerability": assessed.score if assessed else None,
        "evidence": len(answer.evidence),
        "policy": answer.policy,
        "verdicts": None,
    }
    checked = answer.draft_verification or answer.verification
    if checked is not None and checked.sentences:
        out["verdicts"] = checked.counts()
    report = answer.citations
    if report is None or not report.sentences:
        return out
    out["citation_coverage"] = 1 - len(report.uncited) / len(report.sentences)
    out["invalid_citations"] = len(report.invalid)
    if embedder is not None and answer.context is not None and answer.context.sources:
        out["groundedness"] = _groundedness(answer, embedder)
    return out


def _groundedness(answer: Answer, embedder: Embedder) -> float | None:
    report = answer.citations
    assert report is not None and answer.context is not None
    sources = answer.context.by_number()
    cited_by_sentence: dict[int, set[int]] = {}
    for c in report.citations:
        for i in c.sentences:
            cited_by_sentence.setdefault(i, set()).add(c.n)
    pieces = {n: split_sentences(s.hit.text, min_chars=12) for n, s in sources.items()}
    flat = [(n, p) for n, ps in pieces.items() for p in ps]
    sentences = [(i, s) for i, s in enumerate(report.sentences) if len(s) >= 12]
    if not flat or not sentences:
        return None
    sims = (
        embedder.embed_documents([s for _, s in sentences]) @ embedder.embed_documents([p for _, p in flat]).T
    )
    owner = np.array([n for n, _ in flat])
    scores = []
    for row, (i, _) in enumerate(sentences):
        cited = cited_by_sentence.get(i)
        mask = np.isin(owner, list(cited)) if cited else np.ones(len(flat), dtype=bool)
        scores.append(float(sims[row][mask].max()))
    return float(np.mean(scores))
