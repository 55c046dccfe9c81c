"""kill -9 in the middle of an ingest run; on restart the registry and the index agree."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from test_pipeline import _consistent

from app.runtime import Runtime
from ingest.pipeline import Source
from ingest.registry import Status

TOPICS = [
    "battery",
    "lidar",
    "warehouse",
    "firmware",
    "charging",
    "safety",
    "payload",
    "door",
    "shelf",
    "route",
]


def _write_corpus(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        body = "\n\n".join(
            f"Paragraph {j} of note {i}: the {TOPICS[(i + j) % 10]} team reported item {i * 100 + j} "
            f"as resolved after checking the {TOPICS[(i * j) % 10]} procedure twice."
            for j in range(12)
        )
        (folder / f"note-{i:03d}.txt").write_text(f"Note {i}\n\n{body}\n")


def _indexed_rows(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as con:
            return con.execute("select count(*) from documents where status = 'indexed'").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_kill_9_mid_ingest_then_restart(settings, embedder, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    _write_corpus(folder, 60)
    env = {
        **os.environ,
        "RAG_DATA_DIR": str(settings.data_dir),
        "RAG_INGEST__BATCH_CHUNKS": "2",
        "RAG_EMBEDDING__THREADS": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "ingest", str(folder), "--quiet", "--json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    db = settings.data_dir / "registry.sqlite"
    deadline = time.monotonic() + 240
    while _indexed_rows(db) < 8:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "ingest ended early"
        assert time.monotonic() < deadline, "ingest made no progress"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    rt = Runtime(settings)
    rt.embedder = embedder  # type: ignore[misc]
    try:
        indexed_before = rt.registry.count(status=Status.INDEXED)
        assert 8 <= indexed_before < 60
        assert rt.store is not None  # opening the store reconciles
        assert rt.registry.unfinished() == []
        _consistent(rt)
        report = rt.ingestor.ingest(
            [Source.from_path(p, p.name, "default") for p in sorted(folder.iterdir())]
        )
        assert report.count("failed") == 0
        assert report.count("unchanged") >= indexed_before
        assert rt.registry.count(status=Status.INDEXED) == 60
        _consistent(rt)
    finally:
        rt.close()
