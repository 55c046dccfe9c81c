"""The fair job queue on its own: tenants take turns, and what it remembers of them stays bounded."""

from __future__ import annotations

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
