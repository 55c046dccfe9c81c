"""Calibrate the refusal threshold on SQuAD 2.0 dev (articles with an even index only).

Indexes every paragraph of those articles, computes the retrieval confidence (rag.refuse) of answerable
and unanswerable questions, and picks the highest threshold that still answers --min-answered of the
answerable ones. Prints the trade-off curve and the ROC AUC; saves bench/results/calibrate_refusal.json.

    .venv/bin/python bench/calibrate_refusal.py [--per-class 1000] [--min-answered 0.98]
"""

from __future__ import annotations

import argparse
import random
import shutil
import time

import numpy as np
import squad
from common import save

from app.runtime import Runtime
from core.settings import load_settings
from rag.refuse import retrieval_confidence


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-class", type=int, default=1000, help="Questions per class (answerable, not).")
    ap.add_argument("--min-answered", type=float, default=0.98, help="Share of answerable still answered.")
    args = ap.parse_args()

    articles = [a for i, a in enumerate(squad.load("2.0")) if i % 2 == 0]
    where = squad.data_dir("calibrate")
    shutil.rmtree(where, ignore_errors=True)
    rt = Runtime(load_settings(data_dir=where))
    squad.index_paragraphs(rt, articles)
    qs = squad.questions(articles)
    rng = random.Random(0)
    answerable = rng.sample([q for q in qs if not q["impossible"]], args.per_class)
    unanswerable = rng.sample([q for q in qs if q["impossible"]], args.per_class)

    rt.embedder.warm_up()
    t = time.perf_counter()
    top_k = rt.settings.answer.top_k

    def confidences(items: list[dict]) -> np.ndarray:
        return np.array(
            [
                retrieval_confidence(
                    q["question"],
                    rt.retriever.search(q["question"], tenant="default", top_k=top_k).hits,
                    rt.embedder,
                ).value
                for q in items
            ]
        )

    pos, neg = confidences(answerable), confidences(unanswerable)
    per_question_ms = (time.perf_counter() - t) * 1000 / (len(pos) + len(neg))
    auc = float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())
    curve = []
    for th in np.round(np.arange(0.20, 0.80, 0.01), 2):
        curve.append(
            {
                "threshold": float(th),
                "answered": float((pos >= th).mean()),
                "refused_unanswerable": float((neg < th).mean()),
            }
        )
    ok = [c for c in curve if c["answered"] >= args.min_answered]
    chosen = max(ok, key=lambda c: c["threshold"])
    print(
        f"{len(pos)} answerable, {len(neg)} unanswerable; ROC AUC {auc:.3f}; "
        f"{per_question_ms:.1f} ms/question"
    )
    print("threshold  answered  refused-unanswerable")
    for c in curve[::5]:
        print(f"  {c['threshold']:.2f}      {c['answered']:.3f}     {c['refused_unanswerable']:.3f}")
    print(
        f"chosen: {chosen['threshold']:.2f} (highest with answered >= {args.min_answered}): "
        f"answers {chosen['answered']:.3f} of answerable, "
        f"refuses {chosen['refused_unanswerable']:.3f} of unanswerable"
    )
    save(
        "calibrate_refusal",
        {
            "data": "SQuAD 2.0 dev, even articles",
            "per_class": args.per_class,
            "min_answered": args.min_answered,
            "auc": auc,
            "chosen": chosen,
            "curve": curve,
            "ms_per_question": per_question_ms,
        },
    )
    rt.close()


if __name__ == "__main__":
    main()
