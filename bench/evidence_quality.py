"""Extractive evidence on SQuAD 1.1: does the evidence hold the gold answer, and is the short span it?

Every paragraph of the split's articles is indexed (one document each, the others are distractors, as in
bench/answer_quality.py part 1); per question the retriever runs as the Answerer runs it (top_k, hits
clipped, the refusal gate's sentence embeddings kept in a memo), then select_evidence. No LLM.

- held-out (default): the 200 questions of answer_quality part 1 (seed 0, articles not used to
  calibrate anything), the numbers to report;
- calibration: SQuAD 1.1 articles whose title is in squad.calibration_titles(), where the weights of
  rag.evidence were tuned.

Reported: the share of questions whose gold answer lies inside the top evidence sentence and inside any
evidence sentence, exact match and F1 of the short answer span (no span = an empty prediction; also F1
where a span was given, and with the guesses for "what" questions left out), per answer kind, hit@5 of
the gold paragraph, and select_evidence's time per question beyond the retrieval and the refusal gate
(the entity recogniser's cache emptied first: the cost when no chunk has been seen before; and "warm",
called again with the chunks' facts cached, as after verification has read the same chunks).

    .venv/bin/python bench/evidence_quality.py [--split held-out|calibration] [--questions 200] [--k 3]
"""

from __future__ import annotations

import argparse
import collections
import random
import shutil
import time
from typing import Any

import squad
from common import percentile, save

from app.runtime import Runtime
from core.settings import load_settings
from rag import facts
from rag.answer import SentenceMemo
from rag.evidence import select_evidence
from rag.prompt.context import clip_hits
from rag.question import answer_kind
from rag.refuse import retrieval_confidence


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["held-out", "calibration"], default="held-out")
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--k", type=int, default=3, help="Evidence sentences per question.")
    ap.add_argument("--reuse-index", action="store_true", help="Keep the index of an earlier run.")
    args = ap.parse_args()
    rt, sample = open_split(args.split, args.questions, reuse=args.reuse_index)
    rows = [evaluate(rt, q, args.k) for q in _progress(sample)]
    rt.close()
    out = {"split": args.split, "questions": len(rows), "k": args.k, **summarise(rows)}
    print(f"SQuAD 1.1 evidence ({args.split}):")
    for key, value in out.items():
        if key != "per_kind":
            print(f"  {key:28s} {value:.3f}" if isinstance(value, float) else f"  {key:28s} {value}")
    print(
        f"  {'kind':13s} {'n':>4s} {'top':>6s} {'any':>6s} {'span':>6s} {'EM':>6s} {'F1':>6s} {'F1|span':>7s}"
    )
    for kind, s in out["per_kind"].items():
        print(
            f"  {kind:13s} {s['n']:4d} {s['top_contains']:6.3f} {s['any_contains']:6.3f} "
            f"{s['span_given']:6.3f} {s['exact_match']:6.3f} {s['f1']:6.3f} {s['f1_given_span']:7.3f}"
        )
    save("evidence_quality" + ("_calibration" if args.split == "calibration" else ""), out)


def open_split(split: str, n: int, *, reuse: bool = False) -> tuple[Runtime, list[dict[str, Any]]]:
    """A Runtime over the split's indexed paragraphs, and its question sample (seed 0)."""
    calibration = squad.calibration_titles()
    held_out = split == "held-out"
    articles = [a for a in squad.load("1.1") if (a["title"] in calibration) != held_out]
    where = squad.data_dir("evidence-" + split)
    done = where / "indexed"
    if not (reuse and done.exists()):
        shutil.rmtree(where, ignore_errors=True)
    rt = Runtime(load_settings(data_dir=where))
    if not done.exists():
        squad.index_paragraphs(rt, articles)
        done.write_text(str(len(articles)))
    qs = squad.questions(articles)
    sample = random.Random(0).sample(qs, min(n, len(qs)))
    rt.embedder.warm_up()
    return rt, sample


def evaluate(rt: Runtime, q: dict[str, Any], k: int) -> dict[str, Any]:
    """One question through retrieval, the refusal gate and select_evidence, as the Answerer runs them."""
    result = rt.retriever.search(q["question"], tenant="default", top_k=rt.settings.answer.top_k)
    hits, _ = clip_hits(result.hits, rt.settings.chunking.max_chars)
    memo = SentenceMemo(rt.embedder)
    retrieval_confidence(q["question"], hits, memo)
    facts._extract.cache_clear()  # time the entity recogniser as if no chunk had been seen before
    t = time.perf_counter()
    evidence = select_evidence(q["question"], hits, memo, k=k, query_vector=result.query_vector, guesses=True)
    ms = (time.perf_counter() - t) * 1000
    # Again with the chunks' facts cached, as when verification has read the same chunks.
    t = time.perf_counter()
    select_evidence(q["question"], hits, memo, k=k, query_vector=result.query_vector, guesses=True)
    ms_warm = (time.perf_counter() - t) * 1000
    golds = q["answers"]
    top = evidence[0] if evidence else None
    span = top.answer.text if top and top.answer else ""
    typed = "" if top and top.answer and top.answer.guess else span
    return {
        "kind": answer_kind(q["question"]),
        "hit5": q["source"] in [h.source for h in hits[:5]],
        "top_contains": bool(top) and squad.contains_answer(top.text, golds),
        "any_contains": any(squad.contains_answer(e.text, golds) for e in evidence),
        "span_given": bool(span),
        "em": squad.exact_match(span, golds),
        "f1": squad.f1(span, golds),
        "typed_em": squad.exact_match(typed, golds),
        "typed_f1": squad.f1(typed, golds),
        "ms": ms,
        "ms_warm": ms_warm,
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out = _scores(rows)
    out["hit_at_5"] = _mean(r["hit5"] for r in rows)
    out["ms_p50"] = percentile([r["ms"] for r in rows], 50)
    out["ms_p95"] = percentile([r["ms"] for r in rows], 95)
    out["ms_warm_p50"] = percentile([r["ms_warm"] for r in rows], 50)
    out["ms_warm_p95"] = percentile([r["ms_warm"] for r in rows], 95)
    by_kind: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for r in rows:
        by_kind[r["kind"]].append(r)
    out["per_kind"] = {
        kind: {"n": len(rs), **_scores(rs)}
        for kind, rs in sorted(by_kind.items(), key=lambda kv: -len(kv[1]))
    }
    return out


def _scores(rows: list[dict[str, Any]]) -> dict[str, float]:
    spans = [r for r in rows if r["span_given"]]
    return {
        "top_contains": _mean(r["top_contains"] for r in rows),
        "any_contains": _mean(r["any_contains"] for r in rows),
        "span_given": _mean(r["span_given"] for r in rows),
        "exact_match": _mean(r["em"] for r in rows),
        "f1": _mean(r["f1"] for r in rows),
        "f1_given_span": _mean(r["f1"] for r in spans),
        # Guesses (spans for questions whose wording names no kind of fact) counted as no span.
        "exact_match_no_guesses": _mean(r["typed_em"] for r in rows),
        "f1_no_guesses": _mean(r["typed_f1"] for r in rows),
    }


def _progress(sample: list[dict[str, Any]]):  # noqa: ANN202
    t0 = time.perf_counter()
    for i, q in enumerate(sample, 1):
        yield q
        if i % 50 == 0:
            print(f"  {i}/{len(sample)} ({time.perf_counter() - t0:.0f} s)")


def _mean(values) -> float:  # noqa: ANN001
    values = [float(v) for v in values]
    return sum(values) / len(values) if values else float("nan")


if __name__ == "__main__":
    main()
