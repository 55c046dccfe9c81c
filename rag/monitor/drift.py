"""Drift: the recent window of traces against a baseline window.

- query embeddings: cosine distance between the two centroids, and a two-sample test, MMD with an RBF
  kernel (median-distance bandwidth) and a permutation p-value;
- retrieval scores: population stability index (PSI, ten baseline-quantile bins) and the
  Kolmogorov-Smirnov statistic of the top-1 dense cosine;
- refusals: the change of the refusal rate.

Each check has its threshold in settings (``monitoring.*``). With fewer than ``min_samples`` traces in a
window there is no verdict: "insufficient data", not "no drift".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.db import utcnow
from core.settings import MonitoringSettings
from rag.monitor.traces import Trace, TraceStore

_MAX_SAMPLES = 400  # per window, for the kernel test
_PERMUTATIONS = 200


@dataclass
class Check:
    signal: str
    value: float | None
    threshold: float
    breach: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class DriftReport:
    baseline: dict[str, Any]
    recent: dict[str, Any]
    checks: list[Check] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if not self.checks:
            return "insufficient data"
        return "drift" if any(c.breach for c in self.checks) else "no drift"

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "baseline": self.baseline,
            "recent": self.recent,
            "checks": [c.to_dict() for c in self.checks],
        }


def check_windows(
    store: TraceStore, settings: MonitoringSettings, tenant: str | None = None, now: dt.datetime | None = None
) -> DriftReport:
    now = now or utcnow()
    recent_start = now - dt.timedelta(hours=settings.recent_hours)
    base_start = recent_start - dt.timedelta(days=settings.baseline_days)
    baseline = _usable(store.window(base_start, recent_start, tenant=tenant, with_vectors=True))
    recent = _usable(store.window(recent_start, now, tenant=tenant, with_vectors=True))
    return detect(baseline, recent, settings, spans=((base_start, recent_start), (recent_start, now)))


def _usable(traces: list[Trace]) -> list[Trace]:
    return [t for t in traces if t.kind in ("query", "search") and t.status == "ok"]


def detect(
    baseline: list[Trace],
    recent: list[Trace],
    settings: MonitoringSettings,
    spans: tuple[tuple[dt.datetime, dt.datetime], ...] | None = None,
    seed: int = 0,
) -> DriftReport:
    def window(traces: list[Trace], i: int) -> dict[str, Any]:
        out: dict[str, Any] = {"n": len(traces)}
        if spans:
            out |= {"since": spans[i][0].isoformat(), "until": spans[i][1].isoformat()}
        return out

    report = DriftReport(window(baseline, 0), window(recent, 1))
    if min(len(baseline), len(recent)) < settings.min_samples:
        return report
    rng = np.random.default_rng(seed)
    vb, vr = _vectors(baseline), _vectors(recent)
    if len(vb) >= settings.min_samples and len(vr) >= settings.min_samples:
        dist = centroid_distance(vb, vr)
        report.checks.append(
            Check(
                "query_centroid_distance",
                dist,
                settings.centroid_max,
                dist > settings.centroid_max,
                "1 - cosine of the mean query embeddings",
            )
        )
        mmd, p = mmd_test(vb, vr, rng)
        report.checks.append(
            Check(
                "query_mmd_p_value",
                p,
                settings.mmd_alpha,
                p < settings.mmd_alpha,
                f"MMD^2 {mmd:.5f}, {_PERMUTATIONS} permutations",
            )
        )
    sb, sr = _scores(baseline), _scores(recent)
    if len(sb) >= settings.min_samples and len(sr) >= settings.min_samples:
        value = psi(sb, sr)
        report.checks.append(
            Check(
                "top1_dense_psi",
                value,
                settings.psi_max,
                value > settings.psi_max,
                "ten baseline-quantile bins",
            )
        )
        ks = ks_statistic(sb, sr)
        report.checks.append(
            Check(
                "top1_dense_ks", ks, settings.ks_max, ks > settings.ks_max, "two-sample Kolmogorov-Smirnov D"
            )
        )
    qb = [t for t in baseline if t.kind == "query"]
    qr = [t for t in recent if t.kind == "query"]
    if len(qb) >= settings.min_samples and len(qr) >= settings.min_samples:
        rb, rr = np.mean([t.refused for t in qb]), np.mean([t.refused for t in qr])
        delta = float(rr - rb)
        report.checks.append(
            Check(
                "refusal_rate_change",
                delta,
                settings.refusal_delta_max,
                abs(delta) > settings.refusal_delta_max,
                f"baseline {rb:.3f}, recent {rr:.3f}",
            )
        )
    return report


def _vectors(traces: list[Trace]) -> np.ndarray:
    rows = [t.query_vector for t in traces if t.query_vector is not None]
    return np.vstack(rows).astype(np.float64) if rows else np.zeros((0, 0))


def _scores(traces: list[Trace]) -> np.ndarray:
    return np.array(
        [s for t in traces if (s := (t.signals or {}).get("top1_dense")) is not None], dtype=np.float64
    )


def centroid_distance(a: np.ndarray, b: np.ndarray) -> float:
    ca, cb = a.mean(axis=0), b.mean(axis=0)
    return float(1 - ca @ cb / (np.linalg.norm(ca) * np.linalg.norm(cb) + 1e-12))


def mmd_test(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    """Unbiased MMD^2 with an RBF kernel, and its permutation p-value."""
    a = a[rng.permutation(len(a))[:_MAX_SAMPLES]]
    b = b[rng.permutation(len(b))[:_MAX_SAMPLES]]
    x = np.vstack([a, b])
    sq = np.maximum((x * x).sum(1)[:, None] + (x * x).sum(1)[None, :] - 2 * x @ x.T, 0)
    median = np.median(sq[np.triu_indices(len(x), 1)])
    k = np.exp(-sq / (median if median > 0 else 1.0))
    n = len(a)

    def stat(idx: np.ndarray) -> float:
        i, j = idx[:n], idx[n:]
        kxx, kyy, kxy = k[np.ix_(i, i)], k[np.ix_(j, j)], k[np.ix_(i, j)]
        m, l_ = len(i), len(j)
        return float(
            (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
            + (kyy.sum() - np.trace(kyy)) / (l_ * (l_ - 1))
            - 2 * kxy.mean()
        )

    observed = stat(np.arange(len(x)))
    exceed = sum(stat(rng.permutation(len(x))) >= observed for _ in range(_PERMUTATIONS))
    return observed, (exceed + 1) / (_PERMUTATIONS + 1)


def psi(baseline: np.ndarray, recent: np.ndarray, bins: int = 10) -> float:
    edges = np.unique(np.quantile(baseline, np.linspace(0, 1, bins + 1)))
    edges[0], edges[-1] = -np.inf, np.inf
    eps = 1e-4
    pb = np.histogram(baseline, edges)[0] / len(baseline) + eps
    pr = np.histogram(recent, edges)[0] / len(recent) + eps
    return float(np.sum((pr - pb) * np.log(pr / pb)))


def ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import ks_2samp

    return float(ks_2samp(a, b).statistic)
