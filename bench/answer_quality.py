"""Answer quality on held-out SQuAD (articles not used to calibrate the refusal threshold).

1. SQuAD 1.1 dev: a fixed sample of questions (seed 0); every paragraph of their articles is indexed,
   one document each, so the other paragraphs are distractors. Through the whole answer path: hit@5 of
   the gold paragraph, refusals, exact match and F1 of the answers, and citation correctness (a cited
   chunk contains a gold answer), for model citations and for all citations (model + matched).
2. SQuAD 2.0 dev, odd articles: the refusal rate on unanswerable and the answer rate on answerable
   questions, from the gate alone (retrieval, evidence and the answerability model; no LLM call);
   --llm-refusal runs the whole path so the model's own "not found" counts too.

Runs the embedded model, and the endpoint in RAG_LLM__BASE_URL instead when that is set.

    .venv/bin/python bench/answer_quality.py [--questions 200] [--llm-refusal] [--only v1|v2]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import time

import squad
from common import percentile, save

from app.runtime import Runtime
from core.settings import load_settings
from rag.evidence import select_evidence
from rag.refuse import retrieval_confidence


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--questions", type=int, default=200, help="Questions per part (and per class in part 2)."
    )
    ap.add_argument("--llm-refusal", action="store_true", help="Part 2 through the whole path (slow).")
    ap.add_argument("--only", choices=["v1", "v2"], help="Run one part.")
    args = ap.parse_args()
    calibration = squad.calibration_titles()
    result = {"llm": _llm_name(), "questions": args.questions}
    if args.only != "v2":
        result["squad_v1"] = part1(args.questions, calibration)
    if args.only != "v1":
        result["squad_v2"] = part2(args.questions, calibration, args.llm_refusal)
    name = (
        "answer_quality"
        + (f"_{args.only}" if args.only else "")
        + ("_llm_refusal" if args.llm_refusal else "")
    )
    save(name, result)


def _llm_name() -> str:
    return os.environ.get("RAG_LLM__MODEL", "embedded") if os.environ.get("RAG_LLM__BASE_URL") else "embedded"


def part1(n: int, calibration: set[str]) -> dict:
    articles = [a for a in squad.load("1.1") if a["title"] not in calibration]
    where = squad.data_dir("answer-v1")
    shutil.rmtree(where, ignore_errors=True)
    rt = Runtime(load_settings(data_dir=where))
    squad.index_paragraphs(rt, articles)
    sample = random.Random(0).sample(squad.questions(articles), n)
    rt.embedder.warm_up()
    rows = []
    t0 = time.perf_counter()
    for i, q in enumerate(sample, 1):
        a = rt.answerer.ask(q["question"], tenant="default")
        top5 = [h.source for h in a.hits[:5]]
        cites = a.citations.citations if a.citations else []
        model_cites = [c for c in cites if c.origin == "model"]
        rows.append(
            {
                "hit5": q["source"] in top5,
                "refused": a.refused,
                "refusal": a.refusal.reason if a.refusal else None,
                "em": 0.0 if a.refused else squad.exact_match(a.text, q["answers"]),
                "f1": 0.0 if a.refused else squad.f1(a.text, q["answers"]),
                "has_citation": bool(cites),
                "has_model_citation": bool(model_cites),
                "model_citation_correct": any(
                    squad.contains_answer(c.source.hit.text, q["answers"]) for c in model_cites
                ),
                "citation_correct": any(
                    squad.contains_answer(c.source.hit.text, q["answers"]) for c in cites
                ),
                "ms": a.timings_ms["total"],
                "tokens_in": a.usage.prompt_tokens,
                "tokens_out": a.usage.completion_tokens,
            }
        )
        if i % 20 == 0:
            print(f"  {i}/{n} answered ({time.perf_counter() - t0:.0f} s)")
    rt.close()
    answered = [r for r in rows if not r["refused"]]
    cited = [r for r in answered if r["has_citation"]]
    model_cited = [r for r in answered if r["has_model_citation"]]
    out = {
        "articles": len(articles),
        "hit_at_5": _mean(r["hit5"] for r in rows),
        "refused": _mean(r["refused"] for r in rows),
        "exact_match": _mean(r["em"] for r in rows),
        "f1": _mean(r["f1"] for r in rows),
        "answers_with_model_citation": len(model_cited) / max(len(answered), 1),
        "answers_with_any_citation": len(cited) / max(len(answered), 1),
        "model_citation_correctness": _mean(r["model_citation_correct"] for r in model_cited),
        "citation_correctness": _mean(r["citation_correct"] for r in cited),
        "latency_ms_p50": percentile([r["ms"] for r in rows], 50),
        "latency_ms_p95": percentile([r["ms"] for r in rows], 95),
        "tokens_in_mean": _mean(r["tokens_in"] for r in answered),
        "tokens_out_mean": _mean(r["tokens_out"] for r in answered),
    }
    print("SQuAD 1.1 (held-out articles):")
    for k, v in out.items():
        print(f"  {k:32s} {v:.3f}" if isinstance(v, float) else f"  {k:32s} {v}")
    return out


def part2(n: int, calibration: set[str], llm_refusal: bool) -> dict:
    articles = [a for i, a in enumerate(squad.load("2.0")) if i % 2 == 1]
    assert not {a["title"] for a in articles} & calibration
    where = squad.data_dir("answer-v2")
    shutil.rmtree(where, ignore_errors=True)
    rt = Runtime(load_settings(data_dir=where))
    squad.index_paragraphs(rt, articles)
    qs = squad.questions(articles)
    rng = random.Random(0)
    answerable = rng.sample([q for q in qs if not q["impossible"]], n)
    unanswerable = rng.sample([q for q in qs if q["impossible"]], n)
    rt.embedder.warm_up()
    model = rt.answerability

    def refused(q: dict) -> bool:
        if llm_refusal:
            return rt.answerer.ask(q["question"], tenant="default").refused
        result = rt.retriever.search(q["question"], tenant="default", top_k=rt.settings.answer.top_k)
        confidence = retrieval_confidence(q["question"], result.hits, rt.embedder)
        evidence = select_evidence(q["question"], result.hits, rt.embedder, query_vector=result.query_vector)
        return not model.assess(q["question"], result.hits, confidence, evidence).answerable

    out = {
        "articles": len(articles),
        "answerability": {"model": model.version, "threshold": model.threshold},
        "path": "whole answer path" if llm_refusal else "the gate (answerability model), no LLM",
        "refusal_rate_unanswerable": _mean(refused(q) for q in unanswerable),
        "answer_rate_answerable": 1 - _mean(refused(q) for q in answerable),
    }
    rt.close()
    print("SQuAD 2.0 (odd articles, held out):")
    for k, v in out.items():
        print(f"  {k:32s} {v:.3f}" if isinstance(v, float) else f"  {k:32s} {v}")
    return out


def _mean(values) -> float:  # noqa: ANN001
    values = [float(v) for v in values]
    return sum(values) / len(values) if values else float("nan")


if __name__ == "__main__":
    main()
