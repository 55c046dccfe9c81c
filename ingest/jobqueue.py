"""The queue of ingestion jobs: one line per tenant, served round robin, so one tenant's fifty files or
one huge book never hold the others back; and one job per document at a time, so two versions of a
document are never written at once. A tenant may run at most ``per_tenant`` jobs at once: with two
workers, one tenant's three slow files must not hold both while another's 40-byte note waits minutes.
In memory only: the job table is the record, and the runner
rebuilds this from it on start."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Ticket:
    job_id: str
    tenant: str
    doc_id: str


class FairQueue:
    def __init__(self, per_tenant: int | None = None) -> None:
        """``per_tenant``: jobs one tenant may run at once (None: no limit). A tenant at it is passed
        over, its jobs staying in line, until one of them is done."""
        self.per_tenant = per_tenant
        self._lines: dict[str, deque[Ticket]] = {}
        self._served: dict[str, int] = {}  # tenant -> tick of its last job taken (0: never)
        self._tick = itertools.count(1)
        self._busy: set[tuple[str, str]] = set()  # (tenant, doc_id) of jobs being run
        self._given_up: set[tuple[str, str]] = set()  # of those, ones no longer counted (``give_up``)
        self._closed = False
        self._cond = threading.Condition()

    def put(self, ticket: Ticket) -> None:
        with self._cond:
            line = self._lines.setdefault(ticket.tenant, deque())
            if all(t.job_id != ticket.job_id for t in line):
                line.append(ticket)
                self._cond.notify()

    def take(self, timeout_s: float | None = None) -> Ticket | None:
        """The next job: the first runnable one of the tenant served least recently. Blocks until there
        is one; None once closed (or after ``timeout_s``)."""
        with self._cond:
            ticket = self._pick()
            if ticket is None and not self._closed:
                self._cond.wait_for(lambda: self._closed or self._runnable(), timeout=timeout_s)
                ticket = self._pick()
            return ticket

    def done(self, ticket: Ticket) -> None:
        """The job's document is free again (its next job may start)."""
        with self._cond:
            self._busy.discard((ticket.tenant, ticket.doc_id))
            self._given_up.discard((ticket.tenant, ticket.doc_id))
            self._forget()
            self._cond.notify_all()

    def give_up(self, ticket: Ticket) -> None:
        """Its worker was given up on (stuck past its timeout and replaced): it stops counting against
        its tenant's share, or a stuck parser would hold that tenant's jobs until it returned. Its
        document stays busy until ``done``."""
        with self._cond:
            if (ticket.tenant, ticket.doc_id) in self._busy:
                self._given_up.add((ticket.tenant, ticket.doc_id))
                self._cond.notify_all()

    def remove(self, job_id: str) -> bool:
        with self._cond:
            for tenant, line in self._lines.items():
                for t in line:
                    if t.job_id == job_id:
                        line.remove(t)
                        if not line:
                            del self._lines[tenant]
                        return True
            return False

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _runnable(self) -> bool:
        return any(
            self._may_run(tenant) and (t.tenant, t.doc_id) not in self._busy
            for tenant, line in self._lines.items()
            for t in line
        )

    def _may_run(self, tenant: str) -> bool:
        if self.per_tenant is None:
            return True
        running = sum(1 for busy in self._busy - self._given_up if busy[0] == tenant)
        return running < self.per_tenant

    def _pick(self) -> Ticket | None:
        if self._closed:
            return None
        for tenant in sorted(self._lines, key=lambda x: self._served.get(x, 0)):
            if not self._may_run(tenant):
                continue
            line = self._lines[tenant]
            for t in line:
                if (t.tenant, t.doc_id) not in self._busy:
                    line.remove(t)
                    self._busy.add((t.tenant, t.doc_id))
                    self._served[tenant] = next(self._tick)
                    if not line:
                        del self._lines[tenant]
                        self._forget()
                    return t
        return None

    def _forget(self) -> None:
        """Drop the turns of tenants with no job queued or running that were served before every
        tenant in line: back, they go before those with their old turn as with none. So this does not
        grow with every tenant ever served, and a tenant that keeps one job at a time still waits its
        turn behind the others. (With nobody in line, tenants coming back go in order of arrival.)"""
        floor = min((self._served.get(t, 0) for t in self._lines), default=None)
        busy = {tenant for tenant, _ in self._busy}
        self._served = {
            t: tick
            for t, tick in self._served.items()
            if t in self._lines or t in busy or (floor is not None and tick >= floor)
        }
