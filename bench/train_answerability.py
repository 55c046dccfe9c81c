"""Train the answerability model (rag/answerability.py) on the calibration half of SQuAD 2.0 dev only.

Every question of the even-indexed articles (answerable and unanswerable) goes through hybrid retrieval
(top 8), the sentence-level confidence and evidence selection; rag.answerability.features turns each into
numbers. A standardised logistic regression is fitted; C is chosen by grouped 5-fold cross-validation
(folds by article, so no article is both fitted and scored), and the threshold is the operating point on
the out-of-fold scores that answers at least --min-answered of the answerable questions while refusing
the most unanswerable ones. Writes the model as JSON (rag/models/answerability-v1.json) with its
training description and calibration metrics; the odd (held-out) articles are never read here
(bench/answerability_eval.py reports on them).

    RAG_BENCH_SHARED_DATA=/work/shared/data nice -n 5 .venv/bin/python bench/train_answerability.py
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from answerability_data import feature_rows
from common import ROOT, save
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

from rag.answerability import FEATURES, MODEL_FORMAT

C_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)


def matrix(rows: list[dict[str, float]], names: tuple[str, ...]) -> np.ndarray:
    return np.array([[r[n] for n in names] for r in rows], dtype=np.float64)


def fit(x: np.ndarray, y: np.ndarray, c: float) -> tuple[StandardScaler, LogisticRegression]:
    scaler = StandardScaler().fit(x)
    # Constant columns (a feature no question triggers) get scale 1 rather than 0.
    scaler.scale_ = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=c, max_iter=2000).fit(scaler.transform(x), y)
    return scaler, model


def out_of_fold(x: np.ndarray, y: np.ndarray, groups: list[str], c: float) -> np.ndarray:
    scores = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=5).split(x, y, groups):
        scaler, model = fit(x[train], y[train], c)
        scores[test] = model.predict_proba(scaler.transform(x[test]))[:, 1]
    return scores


def auc(scores: np.ndarray, y: np.ndarray) -> float:
    pos, neg = np.sort(scores[y == 1]), scores[y == 0]
    # P(a random answerable question scores above a random unanswerable one), ties counted half.
    below = np.searchsorted(pos, neg, side="left")
    equal = np.searchsorted(pos, neg, side="right") - below
    return float(((len(pos) - below - equal).sum() + 0.5 * equal.sum()) / (len(pos) * len(neg)))


def operating_point(scores: np.ndarray, y: np.ndarray, min_answered: float) -> float:
    """The highest threshold that still answers min_answered of the answerable questions."""
    pos = np.sort(scores[y == 1])
    k = int(np.floor((1 - min_answered) * len(pos)))  # answerable questions we may refuse
    return float(pos[k])


def rates(scores: np.ndarray, y: np.ndarray, threshold: float) -> dict[str, float]:
    return {
        "threshold": round(threshold, 4),
        "answered_answerable": float((scores[y == 1] >= threshold).mean()),
        "refused_unanswerable": float((scores[y == 0] < threshold).mean()),
    }


def curve(scores: np.ndarray, y: np.ndarray) -> list[dict[str, float]]:
    """Refusal of unanswerable questions at each share of answerable questions answered."""
    out = []
    for answered in (0.99, 0.98, 0.97, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5):
        out.append({"target_answered": answered, **rates(scores, y, operating_point(scores, y, answered))})
    return out


def train(
    rows: list[dict[str, float]],
    y: np.ndarray,
    groups: list[str],
    names: tuple[str, ...],
    min_answered: float,
    c: float | None = None,
) -> dict[str, Any]:
    """Choose C (unless given) and the threshold by cross-validation; fit on all. Returns everything."""
    x = matrix(rows, names)
    tried = {}
    for cc in (c,) if c else C_GRID:
        oof = out_of_fold(x, y, groups, cc)
        tried[cc] = (
            rates(oof, y, operating_point(oof, y, min_answered))["refused_unanswerable"],
            auc(oof, y),
            oof,
        )
    best_c = max(tried, key=lambda k: (tried[k][0], tried[k][1]))
    oof = tried[best_c][2]
    threshold = operating_point(oof, y, min_answered)
    scaler, model = fit(x, y, best_c)
    return {
        "names": names,
        "c": best_c,
        "scaler": scaler,
        "model": model,
        "threshold": threshold,
        "oof": oof,
        "cv": {str(k): {"refused_at_target": v[0], "auc": v[1]} for k, v in tried.items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--min-answered", type=float, default=0.99, help="Share of answerable still answered.")
    ap.add_argument("--version", default="answerability-v1")
    ap.add_argument("--out", type=Path, default=ROOT / "rag" / "models" / "answerability-v1.json")
    args = ap.parse_args()

    t = time.perf_counter()
    rows, y, groups = feature_rows("even")
    print(f"features of {len(y)} calibration questions in {time.perf_counter() - t:.0f} s")
    fitted = train(rows, y, groups, FEATURES, args.min_answered)
    oof, threshold = fitted["oof"], fitted["threshold"]
    scaler, model = fitted["scaler"], fitted["model"]
    metrics = {
        "cross_validated": {
            "auc": auc(oof, y),
            "at_threshold": rates(oof, y, threshold),
            "curve": curve(oof, y),
            "c_grid": fitted["cv"],
        },
        "confidence_alone_auc": auc(matrix(rows, ("confidence",))[:, 0], y),
    }
    data = {
        "format": MODEL_FORMAT,
        "version": args.version,
        "features": list(FEATURES),
        "mean": [round(float(v), 6) for v in scaler.mean_],
        "scale": [round(float(v), 6) for v in scaler.scale_],
        "coef": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
        "threshold": round(threshold, 6),
        "training": {
            "data": "SQuAD 2.0 dev, articles with an even index (calibration half), every question",
            "questions": int(len(y)),
            "answerable": int(y.sum()),
            "unanswerable": int((1 - y).sum()),
            "retrieval": "hybrid top 8 over every paragraph of those articles, one document each",
            "model": f"StandardScaler + LogisticRegression(C={fitted['c']}), C by grouped 5-fold CV",
            "c": fitted["c"],
            "threshold": f"highest out-of-fold threshold answering >= {args.min_answered} of answerable",
        },
        "sklearn": sklearn.__version__,
        "created": time.strftime("%Y-%m-%d"),
        "metrics": metrics,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1) + "\n")
    cv = metrics["cross_validated"]
    print(
        f"C={fitted['c']}  cross-validated AUC {cv['auc']:.3f} "
        f"(confidence alone {metrics['confidence_alone_auc']:.3f})"
    )
    print(
        f"threshold {threshold:.3f}: answers {cv['at_threshold']['answered_answerable']:.3f} of answerable, "
        f"refuses {cv['at_threshold']['refused_unanswerable']:.3f} of unanswerable"
    )
    for name, coef in sorted(zip(FEATURES, model.coef_[0], strict=True), key=lambda p: -abs(p[1])):
        print(f"  {name:22s} {coef:+.3f}")
    print(f"wrote {args.out.relative_to(ROOT)}")
    save("train_answerability", {"model": args.version, **metrics})


if __name__ == "__main__":
    main()
