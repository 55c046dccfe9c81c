"""Token buckets in memory (one process serves a data directory): one per API key, and one per client
address for failed authentications."""

from __future__ import annotations

import math
import threading
import time


class RateLimiter:
    def __init__(self, per_minute: float, burst: int, max_buckets: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        # Keys of the failure limiter are client addresses, which a caller can vary: their number is bounded.
        self.max_buckets = max_buckets
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 if the request may go ahead, else the seconds until it may (for Retry-After)."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            if len(self._buckets) > self.max_buckets:
                self._prune(now)
            return wait

    def peek(self, key: str) -> float:
        """What ``take`` would answer, without taking anything (nor remembering ``key``)."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        """Forgets the buckets that are full again (the same as never seen), then the oldest."""
        full = self.burst / self.rate
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full}
        excess = len(self._buckets) - self.max_buckets // 2
        if excess > 0:
            for k in sorted(self._buckets, key=lambda k: self._buckets[k][1])[:excess]:
                del self._buckets[k]


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
