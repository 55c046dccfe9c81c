"""Token buckets: the same behaviour in memory and in the registry database; in the database, processes
sharing a key never spend more than the burst and the refill together, and a failing database lets
requests through rather than failing them. Real SQLite files, real processes."""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from api.ratelimit import Bucket, DatabaseRateLimiter, Limiter, RateBuckets, RateLimiter

Make = Callable[[float, int], Limiter]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["memory", "database"])
def make(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Iterator[Make]:
    """``make(per_minute, burst)``: a limiter in memory, or in a SQLite registry, on ``clock``."""
    store = RateBuckets(f"sqlite:///{tmp_path / 'registry.sqlite'}")

    def limiter(per_minute: float, burst: int) -> Limiter:
        if request.param == "memory":
            return RateLimiter(per_minute, burst, clock=clock)
        return store.limiter("key", per_minute, burst, clock=clock)

    yield limiter
    store.close()


def test_a_burst_then_the_rate_with_the_wait_until_the_next_token(make: Make, clock: Clock) -> None:
    limiter = make(60, 3)  # one token a second
    assert [limiter.take("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("k") == pytest.approx(1.0) and limiter.peek("k") == pytest.approx(1.0)
    clock.now += 0.25
    assert limiter.peek("k") == pytest.approx(0.75) and limiter.take("k") == pytest.approx(0.75)
    clock.now += 1.0
    assert limiter.peek("k") == 0.0 and limiter.take("k") == 0.0 and limiter.take("k") == pytest.approx(0.75)


def test_keys_have_their_own_buckets_and_refill_only_to_the_burst(make: Make, clock: Clock) -> None:
    limiter = make(600, 2)
    assert [limiter.take("a") > 0 for _ in range(3)] == [False, False, True]
    assert limiter.take("b") == 0.0  # another key: untouched
    clock.now += 3600  # an hour idle refills two tokens, not thousands
    assert [limiter.take("a") > 0 for _ in range(3)] == [False, False, True]


def test_peek_takes_nothing_and_remembers_no_key(make: Make) -> None:
    limiter = make(60, 1)
    assert [limiter.peek("k") for _ in range(5)] == [0.0] * 5
    assert limiter.take("k") == 0.0 and limiter.peek("k") > 0


def test_a_clock_behind_another_hosts_never_drains_a_bucket(tmp_path: Path, clock: Clock) -> None:
    store = RateBuckets(f"sqlite:///{tmp_path / 'registry.sqlite'}")
    ahead = store.limiter("key", 60, 2, clock=lambda: clock.now + 5)
    behind = store.limiter("key", 60, 2, clock=clock)
    try:
        assert ahead.take("k") == 0.0  # one token left, stamped 5 s ahead
        assert behind.take("k") == 0.0  # the slower clock still finds it, then none
        assert behind.take("k") == pytest.approx(1.0) and ahead.take("k") == pytest.approx(1.0)
    finally:
        store.close()


def test_full_buckets_are_forgotten(tmp_path: Path, clock: Clock) -> None:
    store = RateBuckets(f"sqlite:///{tmp_path / 'registry.sqlite'}")
    limiter = store.limiter("auth", 60, 5, clock=clock)  # full again 5 s after its last take
    try:
        for i in range(50):
            limiter.take(f"198.51.100.{i}")
        clock.now += 4
        limiter.take("203.0.113.7")
        clock.now += DatabaseRateLimiter.prune_every_s  # the next take prunes
        limiter.take("203.0.113.8")
        with store.engine.connect() as conn:
            keys = set(conn.scalars(select(Bucket.key)))
        assert keys == {"203.0.113.8"}
        clock.now += 10  # a prune a minute at most: these stay though .8 is full again
        for i in range(10):
            limiter.take(f"192.0.2.{i}")
        with store.engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Bucket)) == 11
    finally:
        store.close()


def _hammer(url: str, ready: Any, seconds: float, out: multiprocessing.Queue) -> None:
    """A process spending one key's tokens as fast as it can for ``seconds`` once both are ready: its
    grants and the wall-clock window it spent them in."""
    store = RateBuckets(url)
    limiter = store.limiter("key", 600, 5)  # 10 a second after a burst of 5
    limiter.take("warm-up")  # the connection and the table, before the race
    granted = 0
    ready.wait()
    start = time.time()
    while time.time() < start + seconds:
        granted += limiter.take("shared-key") == 0.0
    out.put((granted, start, time.time()))
    store.close()


def test_two_processes_never_spend_more_than_the_burst_and_the_refill(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    RateBuckets(url).close()  # the table, before the race
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    # A barrier rather than a start time: on a loaded machine an interpreter can take seconds to start.
    ready = ctx.Barrier(2)
    procs = [ctx.Process(target=_hammer, args=(url, ready, 3.0, out)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=10)
    counts = [granted for granted, _, _ in results]
    window = max(end for _, _, end in results) - min(start for _, start, _ in results)
    allowed = 5 + 10 * window
    assert sum(counts) <= allowed + 1e-9, (counts, window)
    assert sum(counts) >= 5 and all(c > 0 for c in counts), counts  # both raced, and tokens were spent


def test_a_database_that_fails_lets_requests_through_with_a_warning(
    tmp_path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    store = RateBuckets(url)
    limiter = store.limiter("key", 60, 1, clock=clock)
    try:
        assert limiter.take("k") == 0.0 and limiter.take("k") > 0
        with create_engine(url).begin() as conn:
            conn.execute(text("DROP TABLE rate_buckets"))
        with caplog.at_level(logging.WARNING, logger="api.ratelimit"):
            assert [limiter.take("k") for _ in range(3)] == [0.0] * 3 and limiter.peek("k") == 0.0
        warnings = [r.getMessage() for r in caplog.records if r.name == "api.ratelimit"]
        assert len(warnings) == 1 and "requests go through" in warnings[0], warnings
    finally:
        store.close()


def test_the_api_shares_its_limits_in_the_database(
    tmp_path: Path, embedder, onnx_cache, llm, sharing_runtime
) -> None:  # noqa: ANN001
    """RAG_API__RATE_LIMITS=database: two apps on one registry (two replicas) spend one key's budget
    together; with the table gone, requests are served (no 500), not refused."""
    from api_client import key, serve

    api = {"rate_limits": "database", "rate_per_minute": 1, "rate_burst": 3}
    registry = tmp_path / "registry.sqlite"  # one registry; each replica its own index (one owner each)
    ingest = {"registry_url": f"sqlite:///{registry}"}
    with (
        serve(tmp_path / "one", embedder, onnx_cache, llm, sharing_runtime, api=api, ingest=ingest) as one,
        serve(tmp_path / "two", embedder, onnx_cache, llm, sharing_runtime, api=api, ingest=ingest) as two,
    ):
        a = key(one, "acme")
        codes = [c.get("/v1/documents", headers=a).status_code for c in (one, two, one, two)]
        assert codes == [200, 200, 200, 429], codes
        with create_engine(f"sqlite:///{registry}").begin() as conn:
            conn.execute(text("DROP TABLE rate_buckets"))
        assert [c.get("/v1/documents", headers=a).status_code for c in (one, two)] == [200, 200]
