"""How many CPUs this process may use: the fewest of the machine's, those it is pinned to (``taskset``,
``docker --cpuset-cpus``) and its cgroup's quota (``docker --cpus``, a Kubernetes CPU limit). Thread and
worker defaults start from it: ``os.cpu_count()`` counts the host's CPUs, so a container limited to 2 of
64 would have started 4 embedding threads and 16 parser processes."""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")  # cgroup v2: "<quota> <period>" or "max <period>"


def usable_cpus(cpu_max: Path | None = None) -> int:
    n = os.cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        n = min(n, len(os.sched_getaffinity(0)) or n)
    quota = _quota(cpu_max or CGROUP_CPU_MAX)
    return max(1, min(n, quota)) if quota is not None else max(1, n)


def _quota(cpu_max: Path) -> int | None:
    """CPUs the cgroup's quota allows (rounded up: 1.5 CPUs can keep 2 threads busy half the time)."""
    try:
        quota, period = cpu_max.read_text().split()[:2]
        if quota == "max":
            return None
        return max(1, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        return None
