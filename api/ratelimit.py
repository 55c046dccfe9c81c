"""Token buckets: one per API key, and one per client address for failed authentications. In memory when
one process serves (``RateLimiter``), or in the registry's database when several API replicas share the
limits (``DatabaseRateLimiter``, RAG_API__RATE_LIMITS=database): there each ``take`` is one atomic upsert,
so two processes can never both spend a bucket's last token.

A database error while limiting lets the request through (fail open) with a warning: a limiter is a
brake on a busy caller, and the failed-authentication limit guards nothing the database could check
while it is down (keys are looked up there too).
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Boolean, ColumnElement, Double, String, bindparam, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import registry

from core.db import SqlStore, column, map_record
from core.errors import ConfigError
from core.settings import ApiSettings

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class Limiter(Protocol):
    def take(self, key: str) -> float:
        """0 if the request may go ahead (a token is spent), else the seconds until it may."""
        ...

    def peek(self, key: str) -> float:
        """What ``take`` would answer, without taking anything."""
        ...


class RateLimiter:
    """Token buckets in this process's memory."""

    def __init__(
        self, per_minute: float, burst: int, max_buckets: int = 100_000, clock: Clock = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        # Keys of the failure limiter are client addresses, which a caller can vary: their number is bounded.
        self.max_buckets = max_buckets
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 if the request may go ahead, else the seconds until it may (for Retry-After)."""
        now = self.clock()
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
        now = self.clock()
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


# -- in the database -----------------------------------------------------------------------------------

_tables = registry()
KEY_LENGTH = 128


@dataclass
class Bucket:
    """One token bucket: ``tokens`` left after the take at ``at`` (seconds since the epoch), and whether
    that take was granted."""

    scope: str = column(String(16), primary_key=True)
    key: str = column(String(KEY_LENGTH), primary_key=True)
    tokens: float = column(Double)
    at: float = column(Double, index=True)
    granted: bool = column(Boolean, default=True)


BUCKETS = map_record(Bucket, "rate_buckets", _tables)


class RateBuckets(SqlStore):
    """The ``rate_buckets`` table of the registry database, shared by the limiters of every process."""

    branch = "registry"

    def limiter(
        self, scope: str, per_minute: float, burst: int, clock: Clock = time.time
    ) -> DatabaseRateLimiter:
        return DatabaseRateLimiter(self, scope, per_minute, burst, clock)


class DatabaseRateLimiter:
    """Token buckets of one ``scope`` ("key", "auth") in ``rate_buckets``. The clock is the processes'
    wall clock: hosts of one cluster agree on it within far less than a bucket's refill."""

    prune_every_s = 60.0

    def __init__(
        self, store: RateBuckets, scope: str, per_minute: float, burst: int, clock: Clock = time.time
    ) -> None:
        self.store = store
        self.scope = scope
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._take = _take_statement(store.engine.dialect.name, self.rate, self.burst)
        self._pruned_at = clock()
        self._warned_at = -math.inf

    def take(self, key: str) -> float:
        """0 if the request may go ahead, else the seconds until it may (for Retry-After)."""
        now = self.clock()
        try:
            with self.store.engine.begin() as conn:
                tokens, granted = conn.execute(
                    self._take, {"scope": self.scope, "key": _short(key), "now": now}
                ).one()
        except SQLAlchemyError as e:
            self._failed_open(e)
            return 0.0
        if now - self._pruned_at > self.prune_every_s:
            try:  # housekeeping: its failure must not turn a refusal into a pass
                self._prune(now)
            except SQLAlchemyError as e:
                log.warning("rate buckets not pruned: %s", e)
        return 0.0 if granted else (1.0 - tokens) / self.rate

    def peek(self, key: str) -> float:
        """What ``take`` would answer, without taking anything."""
        now = self.clock()
        try:
            with self.store.engine.connect() as conn:
                row = conn.execute(
                    select(Bucket.tokens, Bucket.at).where(
                        Bucket.scope == self.scope, Bucket.key == _short(key)
                    )
                ).one_or_none()
        except SQLAlchemyError as e:
            self._failed_open(e)
            return 0.0
        if row is None:
            return 0.0
        tokens = min(self.burst, row.tokens + max(0.0, now - row.at) * self.rate)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        """Delete the buckets full again (the same as never seen): rows stay only for keys active within
        one refill. A concurrent take re-checks the condition on the row it changed, so never loses it."""
        self._pruned_at = now
        full_since = now - self.burst / self.rate
        with self.store.engine.begin() as conn:
            gone = conn.execute(
                delete(Bucket).where(Bucket.scope == self.scope, Bucket.at < full_since)
            ).rowcount
        if gone:
            log.debug("rate limits %s: forgot %d full bucket(s)", self.scope, gone)

    def _failed_open(self, e: SQLAlchemyError) -> None:
        now = time.monotonic()
        if now - self._warned_at > 60:  # once a minute: an outage must not flood the log
            self._warned_at = now
            log.warning(
                "rate limiting (%s) is off while the database fails; requests go through: %s",
                self.scope,
                getattr(e, "orig", None) or e.__class__.__name__,
            )


def _short(key: str) -> str:
    """A key that fits the column: long ones (no API key id or address is) by their hash."""
    return key if len(key) <= KEY_LENGTH else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _take_statement(dialect: str, rate: float, burst: float):  # noqa: ANN202 - an Insert ... Returning
    """One statement: insert a full bucket less one token, or refill the existing one by the time passed
    (never less than none, for a clock a little behind another host's), spend a token if it has one,
    and return what is left and whether it was spent."""
    if dialect == "postgresql":
        insert, least, greatest = postgresql.insert, func.least, func.greatest
    elif dialect == "sqlite":
        insert, least, greatest = sqlite.insert, func.min, func.max
    else:
        raise ConfigError(
            f"RAG_API__RATE_LIMITS=database needs a PostgreSQL or SQLite registry, not {dialect}"
        )
    now = bindparam("now", type_=Double())
    elapsed = greatest(now - BUCKETS.c.at, 0.0)
    refilled: ColumnElement[float] = least(burst, BUCKETS.c.tokens + elapsed * rate)
    stmt = insert(BUCKETS).values(
        scope=bindparam("scope"), key=bindparam("key"), tokens=burst - 1.0, at=now, granted=True
    )
    return stmt.on_conflict_do_update(
        index_elements=[BUCKETS.c.scope, BUCKETS.c.key],
        set_={
            "tokens": case((refilled >= 1.0, refilled - 1.0), else_=refilled),
            "at": greatest(BUCKETS.c.at, now),
            "granted": refilled >= 1.0,
        },
    ).returning(BUCKETS.c.tokens, BUCKETS.c.granted)


# -- chosen by settings ----------------------------------------------------------------------------------


@dataclass
class Limits:
    """The two limiters of an app: per API key, and failed authentications per client address."""

    per_key: Limiter
    auth_failures: Limiter
    store: RateBuckets | None = None

    @classmethod
    def build(cls, api: ApiSettings, registry_url: str, auto_upgrade: bool = True) -> Limits:
        """RAG_API__RATE_LIMITS: ``memory`` (this process alone) or ``database`` (shared)."""
        if api.rate_limits == "memory":
            return cls(
                RateLimiter(api.rate_per_minute, api.rate_burst),
                RateLimiter(api.auth_fail_per_minute, api.auth_fail_burst),
            )
        store = RateBuckets(registry_url, auto_upgrade=auto_upgrade)
        return cls(
            store.limiter("key", api.rate_per_minute, api.rate_burst),
            store.limiter("auth", api.auth_fail_per_minute, api.auth_fail_burst),
            store,
        )

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
