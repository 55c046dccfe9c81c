"""Quality per slice: each slice (key=value, rag.monitor.slices) of a window's answers and searches against
the REST of the traffic (every trace of the window not in that slice).

Signals, each over the traces that have it:
- rates: ``empty_rate`` (no hit), ``refusal_rate`` (answers), ``thumbs_up_rate`` (answers with feedback:
  the latest non-zero rating, 1 on the thumbs scale or 4-5 stars is up; -1, 2 or 3 is down). Tested with
  the two-proportion z-test (pooled), or Fisher's exact test when an expected cell count is below 5;
  effect: the difference of the rates;
- scores: ``confidence`` (retrieval confidence of an answer), ``top1_dense``, ``groundedness``,
  ``unsupported_share`` (per answer, the share of its checked sentences verification found contradicted
  or unsupported). Tested with Mann-Whitney U (no normality assumed: these scores are bounded and
  skewed); effect: the rank-biserial correlation, 2U/(n1 n2) - 1, from -1 to 1.

A signal is a breach when it is worse than the rest (the direction each signal has in ``SIGNALS``: a slice
doing better is reported as "better", never as a breach) by at least the least effect
(``slice_min_rate_diff``, ``slice_min_rank_effect``) AND significant after the Benjamini-Hochberg
correction over every (slice, signal) tested in the report at false discovery rate ``slice_alpha``. BH
rather than Holm: a report tests dozens of slices x signals, and what an operator needs is that most of
what is reported is real (the false discovery rate), not that nothing false is ever reported (Holm's
family-wise error, which with that many tests would hide real breaches); the tests share traces and are
positively dependent, where BH still holds. Fewer than ``slice_min_samples`` traces with a signal in the
slice or in the rest: "insufficient", no test.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.db import utcnow
from core.settings import MonitoringSettings
from rag.monitor.traces import Trace, TraceStore
from rag.verify import FLAGGED

log = logging.getLogger(__name__)

CORRECTION = "benjamini-hochberg"

# signal -> (kind, the direction that is worse)
SIGNALS: dict[str, tuple[str, int]] = {
    "confidence": ("score", -1),
    "top1_dense": ("score", -1),
    "groundedness": ("score", -1),
    "unsupported_share": ("score", 1),
    "empty_rate": ("rate", 1),
    "refusal_rate": ("rate", 1),
    "thumbs_up_rate": ("rate", -1),
}


@dataclass
class SignalCheck:
    signal: str
    n: int
    rest_n: int
    value: float | None = None
    rest: float | None = None
    effect: float | None = None
    test: str | None = None  # z | fisher | mann-whitney
    p: float | None = None
    q: float | None = None  # BH-adjusted p-value
    verdict: str = "insufficient"  # breach | better | ok | insufficient

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class Slice:
    key: str
    value: str
    volume: int
    checks: list[SignalCheck] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        verdicts = {c.verdict for c in self.checks}
        if "breach" in verdicts:
            return "breach"
        return "ok" if verdicts - {"insufficient"} else "insufficient"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "value": self.value,
            "volume": self.volume,
            "verdict": self.verdict,
            "signals": {c.signal: c.to_dict() for c in self.checks},
        }


@dataclass
class SliceReport:
    traces: int
    settings: dict[str, Any]
    slices: list[Slice] = field(default_factory=list)
    window: dict[str, str] = field(default_factory=dict)

    def breaches(self) -> list[tuple[str, str, str]]:
        """(key, value, signal) of every breach, the strongest (lowest adjusted p) first."""
        found = [
            (c.q or 0.0, s.key, s.value, c.signal)
            for s in self.slices
            for c in s.checks
            if c.verdict == "breach"
        ]
        return [(k, v, sig) for _, k, v, sig in sorted(found)]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.window,
            "traces": self.traces,
            "correction": CORRECTION,
            **self.settings,
            "breaches": [{"key": k, "value": v, "signal": s} for k, v, s in self.breaches()],
            "slices": [s.to_dict() for s in self.slices],
        }


def report_window(
    store: TraceStore,
    settings: MonitoringSettings,
    hours: float | None = None,
    tenant: str | None = None,
    now: dt.datetime | None = None,
) -> SliceReport:
    now = now or utcnow()
    since = now - dt.timedelta(hours=hours if hours is not None else settings.slice_window_hours)
    report = analyse(store.window(since, now, tenant=tenant), settings)
    report.window = {"since": since.isoformat(), "until": now.isoformat()}
    return report


def analyse(traces: list[Trace], settings: MonitoringSettings) -> SliceReport:
    usable = [t for t in traces if t.kind in ("query", "search") and t.status == "ok"]
    columns = _columns(usable)
    members: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, t in enumerate(usable):
        for key, value in (t.slices or {}).items():
            members[(key, str(value))].append(i)
    report = SliceReport(
        traces=len(usable),
        settings={
            "min_samples": settings.slice_min_samples,
            "alpha": settings.slice_alpha,
            "min_rate_diff": settings.slice_min_rate_diff,
            "min_rank_effect": settings.slice_min_rank_effect,
        },
    )
    for (key, value), idx in sorted(members.items()):
        inside = np.zeros(len(usable), dtype=bool)
        inside[idx] = True
        row = Slice(key, value, len(idx))
        for signal, col in columns.items():
            have = ~np.isnan(col)
            a, b = col[inside & have].tolist(), col[~inside & have].tolist()
            row.checks.append(_check(signal, a, b, settings.slice_min_samples))
        report.slices.append(row)
    tested = [c for s in report.slices for c in s.checks if c.p is not None]
    for c, q in zip(tested, bh_adjust([c.p for c in tested if c.p is not None]), strict=True):
        c.q = q
        c.verdict = _verdict(c, settings)
    return report


def _check(signal: str, a: list[float], b: list[float], min_samples: int) -> SignalCheck:
    kind, _ = SIGNALS[signal]
    c = SignalCheck(signal, len(a), len(b))
    if a:
        c.value = float(np.mean(a))
    if b:
        c.rest = float(np.mean(b))
    if len(a) < min_samples or len(b) < min_samples:
        return c
    if kind == "rate":
        x1, x2 = int(sum(a)), int(sum(b))
        c.test, c.p = proportion_test(x1, len(a), x2, len(b))
        c.effect = x1 / len(a) - x2 / len(b)
    else:
        c.test = "mann-whitney"
        c.p, c.effect = mann_whitney(a, b)
    c.verdict = "ok"
    return c


def _verdict(c: SignalCheck, settings: MonitoringSettings) -> str:
    kind, worse = SIGNALS[c.signal]
    least = settings.slice_min_rate_diff if kind == "rate" else settings.slice_min_rank_effect
    if c.q is None or c.effect is None or c.q >= settings.slice_alpha or abs(c.effect) < least:
        return "ok"
    return "breach" if c.effect * worse > 0 else "better"


# ---- statistics ------------------------------------------------------------------------------------------


def proportion_test(x1: int, n1: int, x2: int, n2: int) -> tuple[str, float]:
    """Two-sided p-value that two rates differ: pooled two-proportion z-test, or Fisher's exact test when an
    expected count of the 2x2 table is below 5 (the normal approximation is poor there)."""
    from scipy.stats import fisher_exact, norm

    pooled = (x1 + x2) / (n1 + n2)
    expected = [n * p for n in (n1, n2) for p in (pooled, 1 - pooled)]
    if min(expected) < 5:
        return "fisher", float(fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue)
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return "z", float(2 * norm.sf(abs(z)))


def mann_whitney(a: list[float], b: list[float]) -> tuple[float, float]:
    """Two-sided Mann-Whitney p-value and the rank-biserial effect (> 0: ``a`` tends to be larger)."""
    from scipy.stats import mannwhitneyu

    if len(set(a) | set(b)) == 1:  # all equal: no difference (the test is undefined)
        return 1.0, 0.0
    r = mannwhitneyu(a, b, alternative="two-sided")
    return float(r.pvalue), float(2 * r.statistic / (len(a) * len(b)) - 1)


def bh_adjust(p: list[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values), in the order given."""
    if not p:
        return []
    from scipy.stats import false_discovery_control

    return [float(q) for q in false_discovery_control(np.asarray(p, dtype=np.float64), method="bh")]


# ---- per trace -------------------------------------------------------------------------------------------


def _columns(traces: list[Trace]) -> dict[str, np.ndarray]:
    """signal -> its value per trace (NaN: the trace has none)."""
    rows = [_signal_values(t) for t in traces]
    return {
        signal: np.array([np.nan if r[signal] is None else r[signal] for r in rows], dtype=np.float64)
        for signal in SIGNALS
    }


def _signal_values(t: Trace) -> dict[str, float | None]:
    s = t.signals or {}
    query = t.kind == "query"
    verdicts = s.get("verdicts") or {}
    checked = sum(int(n) for n in verdicts.values())
    return {
        "confidence": _num(s.get("confidence")),
        "top1_dense": _num(s.get("top1_dense")),
        "groundedness": _num(s.get("groundedness")),
        "unsupported_share": (sum(int(verdicts.get(v, 0)) for v in FLAGGED) / checked if checked else None),
        "empty_rate": float(bool(s.get("empty"))) if "empty" in s else None,
        "refusal_rate": float(t.refused) if query else None,
        "thumbs_up_rate": _thumbs(t.feedback) if query else None,
    }


def _num(x: Any) -> float | None:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) else None


def _thumbs(feedback: list[dict[str, Any]] | None) -> float | None:
    """1 up, 0 down, None unrated: the latest non-zero rating (0 is a comment alone)."""
    rated = [f["rating"] for f in feedback or () if f.get("rating")]
    if not rated:
        return None
    last = rated[-1]
    return 1.0 if last == 1 or last >= 4 else 0.0


# ---- the Prometheus gauges -------------------------------------------------------------------------------


class BreachWatch:
    """The breaches of the whole traffic's slices over ``slice_window_hours``, for the ``rag_slice_breach``
    gauges: computed when scraped, at most every ``slice_refresh_s`` (a window of traces is read and
    tested, not one request's worth), and at most ``slice_max_series`` of them. ``store`` is called at the
    first scrape (the trace store opens no sooner)."""

    def __init__(
        self,
        store: Callable[[], TraceStore],
        settings: MonitoringSettings,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store, self.settings, self.clock = store, settings, clock
        self._lock = threading.Lock()
        self._at: float | None = None
        self._breaches: list[tuple[str, str, str]] = []

    def breaches(self) -> list[tuple[str, str, str]]:
        with self._lock:
            now = self.clock()
            if self._at is None or now - self._at >= self.settings.slice_refresh_s:
                self._at = now
                try:
                    found = report_window(self.store(), self.settings).breaches()
                except Exception:  # noqa: BLE001 - a failed trace read must not take /metrics down
                    log.exception("slice breaches could not be computed; the last ones are kept")
                else:
                    self._breaches = found[: self.settings.slice_max_series]
            return list(self._breaches)
