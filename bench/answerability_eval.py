"""The answerability model on held-out SQuAD 2.0 dev (articles with an odd index), with an ablation.

Scores every held-out question with the shipped model (rag/models/answerability-v1.json) and reports
the ROC AUC, the refusal rate of unanswerable and the answer rate of answerable questions at the shipped
threshold, and the whole curve; beside it, today's single threshold on retrieval confidence. The ablation
retrains the model on the calibration half (same recipe as bench/train_answerability.py, threshold chosen
there) with each feature group removed, and with each group alone, and scores the held-out half: what
each group adds. Also a gradient-boosting model on all features, to say whether a non-linear model pays.

    RAG_BENCH_SHARED_DATA=/work/shared/data nice -n 5 .venv/bin/python bench/answerability_eval.py
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from answerability_data import feature_rows, hits_of, records
from common import save
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold
from train_answerability import auc, curve, matrix, operating_point, rates, train

from core.settings import REFUSAL_THRESHOLD
from rag.answerability import FEATURE_GROUPS, FEATURES, AnswerabilityModel

# The single-threshold gate this model follows (bench/calibrate_refusal.py): alone, for comparison, and as
# the service's floor in front of the model.
OLD_GATE = FLOOR = REFUSAL_THRESHOLD


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=None, help="Model file (default: the packaged one).")
    ap.add_argument("--min-answered", type=float, default=0.90)
    ap.add_argument("--no-ablation", action="store_true")
    args = ap.parse_args()
    model = AnswerabilityModel.load(args.model)
    rows, y, _ = feature_rows("odd")
    scores = np.array([model.score(r)[0] for r in rows])
    conf = matrix(rows, ("confidence",))[:, 0]
    gate = OLD_GATE
    out = {
        "model": model.version,
        "data": "SQuAD 2.0 dev, articles with an odd index (held out), every question",
        "questions": int(len(y)),
        "answerable": int(y.sum()),
        "auc": auc(scores, y),
        "at_shipped_threshold": rates(scores, y, model.threshold),
        "curve": curve(scores, y),
        "fixed_thresholds": [rates(scores, y, t) for t in (0.1, 0.15, 0.2, 0.25, 0.3, model.threshold)],
        "baseline_confidence": {
            "auc": auc(conf, y),
            "at_gate_threshold": rates(conf, y, gate),
            "curve": curve(conf, y),
        },
        "ms_per_question_assess": _timing(model),
    }
    # What the service does by default: the confidence floor first, then the model at its threshold.
    both = np.where(conf >= FLOOR, scores, 0.0)
    out["default_gate"] = {
        "floor": FLOOR,
        "threshold": model.threshold,
        **rates(both, y, model.threshold),
        "curve": curve(both, y),
    }
    print(f"held-out: {len(y)} questions ({int(y.sum())} answerable); model {model.version}")
    print(f"  ROC AUC {out['auc']:.3f} (retrieval confidence alone {out['baseline_confidence']['auc']:.3f})")
    r = out["at_shipped_threshold"]
    print(
        f"  shipped threshold {model.threshold:.3f}: answers {r['answered_answerable']:.3f} of answerable, "
        f"refuses {r['refused_unanswerable']:.3f} of unanswerable"
    )
    b = out["baseline_confidence"]["at_gate_threshold"]
    print(
        f"  today's gate (confidence >= {gate}): answers {b['answered_answerable']:.3f}, "
        f"refuses {b['refused_unanswerable']:.3f}"
    )
    print("  answered  refused (model)  refused (confidence alone)")
    for m, c in zip(out["curve"], out["baseline_confidence"]["curve"], strict=True):
        print(
            f"  {m['answered_answerable']:.3f}     {m['refused_unanswerable']:.3f}"
            f"            {c['refused_unanswerable']:.3f}   (target {m['target_answered']})"
        )
    print("  threshold  answered  refused")
    for r in out["fixed_thresholds"]:
        print(
            f"  {r['threshold']:.3f}      {r['answered_answerable']:.3f}     {r['refused_unanswerable']:.3f}"
        )
    d = out["default_gate"]
    print(
        f"  default gate (confidence >= {FLOOR}, then the model >= {model.threshold:.3f}): answers "
        f"{d['answered_answerable']:.3f}, refuses {d['refused_unanswerable']:.3f}"
    )
    print(f"  assess: {out['ms_per_question_assess']:.1f} ms a question (features + score)")
    if not args.no_ablation:
        out["ablation"] = ablation(rows, y, args.min_answered, model)
    save("answerability_eval", out)


def ablation(odd_rows, odd_y, min_answered: float, shipped: AnswerabilityModel) -> dict:  # noqa: ANN001
    """Retrain on the calibration half with feature groups removed / alone; score the held-out half."""
    rows, y, groups = feature_rows("even")
    c = float(shipped.info.get("training", {}).get("c", 0.0)) or None
    variants = {"all": FEATURES}
    for g, names in FEATURE_GROUPS.items():
        variants[f"without {g}"] = tuple(n for n in FEATURES if n not in names)
        variants[f"{g} alone"] = names
    # Negated questions are a way SQuAD 2.0's writers made questions unanswerable: what is left without it.
    variants["without negation_mismatch"] = tuple(n for n in FEATURES if n != "negation_mismatch")
    out = {}
    print(f"ablation (trained on calibration, threshold there at {min_answered} answered; held-out figures):")
    print(f"  {'variant':22s}  AUC    refused  answered")
    for name, names in variants.items():
        fitted = train(rows, y, groups, names, min_answered, c=c)
        x = matrix(odd_rows, names)
        s = fitted["model"].predict_proba(fitted["scaler"].transform(x))[:, 1]
        res = {"features": len(names), "auc": auc(s, odd_y), **rates(s, odd_y, fitted["threshold"])}
        res["refused_at_90_heldout"] = rates(s, odd_y, operating_point(s, odd_y, 0.9))["refused_unanswerable"]
        out[name] = res
        print(
            f"  {name:22s}  {res['auc']:.3f}  {res['refused_unanswerable']:.3f}    "
            f"{res['answered_answerable']:.3f}"
        )
    # Gradient boosting on every feature: the same threshold recipe (out-of-fold on calibration).
    x, xo = matrix(rows, FEATURES), matrix(odd_rows, FEATURES)
    oof = np.zeros(len(y))
    for tr, te in GroupKFold(n_splits=5).split(x, y, groups):
        oof[te] = _hgb().fit(x[tr], y[tr]).predict_proba(x[te])[:, 1]
    s = _hgb().fit(x, y).predict_proba(xo)[:, 1]
    out["gradient boosting, all"] = {
        "auc": auc(s, odd_y),
        **rates(s, odd_y, operating_point(oof, y, min_answered)),
    }
    g = out["gradient boosting, all"]
    print(
        f"  {'gradient boosting, all':22s}  {g['auc']:.3f}  {g['refused_unanswerable']:.3f}    "
        f"{g['answered_answerable']:.3f}"
    )
    return out


def _hgb() -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15, random_state=0)


def _timing(model: AnswerabilityModel, n: int = 200) -> float:
    """Milliseconds of assess() a question, given the confidence and evidence the answer path computed."""
    from answerability_data import encoder

    from rag.evidence import select_evidence
    from rag.refuse import retrieval_confidence

    enc = encoder("odd")
    items = []
    for r in records("odd")[:n]:
        hits = hits_of(r)
        items.append(
            (
                r["question"],
                hits,
                retrieval_confidence(r["question"], hits, enc),
                select_evidence(r["question"], hits, enc),
            )
        )
    model.assess(*items[0])  # loads spaCy
    t = time.perf_counter()
    for item in items:
        model.assess(*item)
    return (time.perf_counter() - t) * 1000 / len(items)


if __name__ == "__main__":
    main()
