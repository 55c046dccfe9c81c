"""Thread and worker defaults count the CPUs this process may use: its cgroup quota and CPU affinity,
not the host's CPUs (a container limited to 2 of 64 cores)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.cpus import usable_cpus
from core.settings import ApiSettings, EmbeddingSettings, IngestSettings


def _cpu_max(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "cpu.max"
    p.write_text(text)
    return p


@pytest.fixture
def host_of_64(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))


def test_a_cgroup_quota_bounds_the_cpus(tmp_path: Path, host_of_64: None) -> None:
    assert usable_cpus(_cpu_max(tmp_path, "200000 100000\n")) == 2
    assert usable_cpus(_cpu_max(tmp_path, "150000 100000\n")) == 2  # 1.5 CPUs keep 2 threads half busy
    assert usable_cpus(_cpu_max(tmp_path, "50000 100000\n")) == 1
    assert usable_cpus(_cpu_max(tmp_path, "max 100000\n")) == 64
    assert usable_cpus(_cpu_max(tmp_path, "garbage")) == 64
    assert usable_cpus(tmp_path / "absent") == 64


def test_cpu_affinity_bounds_the_cpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3, 7, 9})
    assert usable_cpus(tmp_path / "absent") == 3
    assert usable_cpus(_cpu_max(tmp_path, "800000 100000")) == 3


def test_defaults_follow_the_usable_cpus(
    tmp_path: Path, host_of_64: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def defaults() -> tuple[int, int, int]:
        return EmbeddingSettings().threads, ApiSettings().job_workers, IngestSettings().parse_concurrency

    monkeypatch.setattr("core.cpus.CGROUP_CPU_MAX", _cpu_max(tmp_path, "100000 100000"))
    assert defaults() == (1, 1, 1)
    monkeypatch.setattr("core.cpus.CGROUP_CPU_MAX", tmp_path / "absent")
    assert defaults() == (4, 2, 4)
