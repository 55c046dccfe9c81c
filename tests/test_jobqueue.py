"""The fair job queue on its own: tenants take turns, none runs more than its share of jobs at once, and
what it remembers of them stays bounded."""

from __future__ import annotations

import threading
import time

from ingest.jobqueue import FairQueue, Ticket


def _next(q: FairQueue) -> str:
    t = q.take(timeout_s=0)
    assert t is not None
    q.done(t)
    return t.job_id


def test_a_tenant_with_one_job_at_a_time_still_waits_its_turn() -> None:
    q = FairQueue()
    for i in range(4):
        q.put(Ticket(f"a{i}", "acme", f"doc-a{i}"))
    order = [_next(q)]
    for i in range(3):  # globex queues its next file as soon as the last one is done
        q.put(Ticket(f"g{i}", "globex", f"doc-g{i}"))
        order += [_next(q), _next(q)]
    assert order == ["a0", "g0", "a1", "g1", "a2", "g2", "a3"]


def test_the_tenant_whose_job_runs_goes_after_a_new_one() -> None:
    q = FairQueue()
    q.put(Ticket("hold", "acme", "doc-0"))
    running = q.take(timeout_s=0)  # not done: acme's job still runs
    for i in range(3):
        q.put(Ticket(f"a{i}", "acme", f"doc-{i + 1}"))
    q.put(Ticket("g", "globex", "doc-g"))
    assert _next(q) == "g"
    q.done(running)


def test_it_forgets_tenants_with_nothing_queued_or_running() -> None:
    q = FairQueue()
    for i in range(1000):  # a thousand tenants come and go
        q.put(Ticket(f"j{i}", f"tenant-{i}", "doc"))
        _next(q)
    assert len(q._served) <= 1, len(q._served)


def test_a_tenant_at_its_cap_is_passed_over_and_its_jobs_stay_in_line() -> None:
    q = FairQueue(per_tenant=1)
    for i in range(3):
        q.put(Ticket(f"a{i}", "acme", f"doc-a{i}"))
    running = q.take(timeout_s=0)
    assert running is not None and running.job_id == "a0"
    assert q.take(timeout_s=0) is None  # acme is at its cap: a1 waits though a worker is free
    q.put(Ticket("g", "globex", "doc-g"))
    assert _next(q) == "g"
    q.done(running)
    assert [_next(q), _next(q)] == ["a1", "a2"]


def test_a_worker_waiting_for_a_capped_tenant_wakes_when_its_job_is_done() -> None:
    q = FairQueue(per_tenant=1)
    q.put(Ticket("a0", "acme", "doc-a0"))
    q.put(Ticket("a1", "acme", "doc-a1"))
    running = q.take(timeout_s=0)
    assert running is not None
    taken: list[Ticket | None] = []
    waiter = threading.Thread(target=lambda: taken.append(q.take(timeout_s=10)))
    waiter.start()
    time.sleep(0.1)
    assert not taken
    q.done(running)
    waiter.join(5)
    assert taken and taken[0] is not None and taken[0].job_id == "a1"


def test_a_job_given_up_on_no_longer_counts_against_its_tenant() -> None:
    q = FairQueue(per_tenant=1)
    q.put(Ticket("stuck", "acme", "doc-0"))
    q.put(Ticket("next", "acme", "doc-1"))
    q.put(Ticket("again", "acme", "doc-0"))
    stuck = q.take(timeout_s=0)
    assert stuck is not None and q.take(timeout_s=0) is None
    q.give_up(stuck)
    assert _next(q) == "next"
    assert q.take(timeout_s=0) is None  # its document is still busy until the stuck worker returns
    q.done(stuck)
    assert _next(q) == "again"
