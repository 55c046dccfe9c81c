"""How a Qdrant Edge shard is indexed: its HNSW graph and quantization settings, the search parameters
that go with them, and the graph build, run in a child process.

Edge builds HNSW only when ``EdgeShard.optimize()`` is called, and that call holds Python's GIL until it
returns: every thread of the process (queries, uploads, the API's event loop) stands still meanwhile
(measured: a thread ticking every 50 ms ticked not once during a 6 s build of 15k points; a query
thread answered one query in 13 s at 20k). A 200k-point graph took 190 s with int8 quantization and
830 s without, on 2 busy cores (bench/scale.py). So
the graph is never built in a serving process. A re-index builds its new version beside the served one
(copying the points with their vectors), closes it, and a child process opens it, builds the graph and
exits; the serving process then opens the indexed version and switches to it. A version below
``min_points`` is not indexed: exact search over it takes a few milliseconds.

Run as ``python -m core.store.edge_index SHARD_DIR`` (the child).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import qdrant_edge as qe

from core.errors import StoreError
from core.settings import StoreSettings

log = logging.getLogger(__name__)


_DEFAULTS = StoreSettings()


@dataclass(frozen=True)
class EdgeTuning:
    """The index settings of new versions (``StoreSettings``' hnsw_* and quantization*), and how they are
    searched. The graph and quantization settings are stored in a shard when it is created; the search
    parameters apply to whatever version is served."""

    # The defaults are the settings' own (core/settings.py says why each).
    min_points: int = _DEFAULTS.hnsw_min_points
    m: int = _DEFAULTS.hnsw_m
    ef_construct: int = _DEFAULTS.hnsw_ef_construct
    ef: int = _DEFAULTS.hnsw_ef
    quantization: str = _DEFAULTS.quantization  # "none" | "int8"
    oversampling: float = _DEFAULTS.quantization_oversampling
    timeout_s: float = _DEFAULTS.index_timeout_s
    # KB of dense vectors (about 6,500 of 384 dimensions at 10,000): a smaller segment gets no graph and
    # is searched exactly (Qdrant's indexing_threshold and full_scan_threshold; tests make it small).
    threshold_kb: int = 10_000

    @classmethod
    def from_settings(cls, store: StoreSettings) -> EdgeTuning:
        return cls(
            min_points=store.hnsw_min_points,
            m=store.hnsw_m,
            ef_construct=store.hnsw_ef_construct,
            ef=store.hnsw_ef,
            quantization=store.quantization,
            oversampling=store.quantization_oversampling,
            timeout_s=store.index_timeout_s,
        )

    def shard_options(self) -> dict[str, Any]:
        """``EdgeConfig`` arguments of a new shard: the graph to build when it is indexed, and the
        quantized copy of its dense vectors (kept in RAM; the originals rescore the candidates)."""
        quant = (
            qe.ScalarQuantizationConfig(type=qe.ScalarType.Int8, quantile=0.99, always_ram=True)
            if self.quantization == "int8"
            else None
        )
        hnsw = qe.HnswIndexConfig(
            m=self.m, ef_construct=self.ef_construct, full_scan_threshold=self.threshold_kb
        )
        optimizers = qe.EdgeOptimizersConfig(indexing_threshold=self.threshold_kb)
        return {"hnsw_config": hnsw, "quantization_config": quant, "optimizers": optimizers}

    def search_params(self, exact: bool = False) -> qe.SearchParams:
        """Parameters of a dense search: ignored by segments without a graph (searched exactly)."""
        if exact:  # the reference recall is measured against: full vectors, every point
            return qe.SearchParams(exact=True, quantization=qe.QuantizationSearchParams(ignore=True))
        quant = (
            qe.QuantizationSearchParams(rescore=True, oversampling=self.oversampling)
            if self.quantization == "int8"
            else None
        )
        return qe.SearchParams(hnsw_ef=self.ef, quantization=quant)


def build_graph(
    shard_dir: Path, timeout_s: float, nice: int = 10, cancelled: Callable[[], bool] | None = None
) -> float:
    """Build the HNSW graph (and quantized vectors) of the closed shard at ``shard_dir`` in a child
    process at a lower CPU priority; the seconds it took. Raises ``StoreError`` if it fails, takes over
    ``timeout_s`` or ``cancelled()`` turns true (the child is killed; the shard stays usable, unindexed)."""
    t = time.monotonic()
    # The child imports this very code, wherever it is installed or checked out.
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    # The child lowers its own priority and dies with its parent (no preexec_fn: unsafe in a threaded
    # server); its stderr goes to a file, as a pipe nobody reads while it runs could fill and block it.
    args = [str(shard_dir), str(os.getpid()), str(nice)]
    with tempfile.TemporaryFile("w+") as errors:
        child = subprocess.Popen(
            [sys.executable, "-m", "core.store.edge_index", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            text=True,
        )
        try:
            while child.poll() is None:
                if cancelled is not None and cancelled():
                    raise StoreError(f"building the search graph of {shard_dir} was cancelled")
                if time.monotonic() - t > timeout_s:
                    raise StoreError(
                        f"building the search graph of {shard_dir} took over {timeout_s:g} s "
                        "(RAG_STORE__INDEX_TIMEOUT_S)"
                    )
                time.sleep(0.2)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        if child.returncode != 0:
            errors.seek(0)
            tail = errors.read().strip().splitlines()[-1:] or [f"exit status {child.returncode}"]
            raise StoreError(f"building the search graph of {shard_dir} failed: {tail[0]}")
    took = time.monotonic() - t
    log.info("built the search graph of %s in %.1f s", shard_dir, took)
    return took


def _main(shard_dir: str, parent: int, nice: int) -> int:
    _die_with(parent)
    if nice and hasattr(os, "nice"):
        os.nice(nice)
    shard = qe.EdgeShard.load(shard_dir)
    try:
        shard.optimize()
        shard.flush()
    finally:
        shard.close()
    return 0


def _die_with(parent: int) -> None:
    """A build that outlived its server (killed, out of memory) would share the shard with the run the
    next start resumes: on Linux the kernel kills this process with its parent; if the parent is
    already gone, stop now."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        sys.exit("the process that started the build is gone")


_PR_SET_PDEATHSIG = 1

if __name__ == "__main__":
    sys.exit(_main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
