"""A process of the multi-process tests (tests/test_many_processes.py), on the store host
(tests/store_host.py) instead of Qdrant Edge:

    python tests/chaos_worker.py worker LOG          # `rag worker`: jobs, reconcile rounds, re-indexes
    python tests/chaos_worker.py hold LOG            # a worker whose writes stop half way
    python tests/chaos_worker.py reindex LOG SIZE    # a worker that starts a re-index to chunks of SIZE
    python tests/chaos_worker.py reader LOG          # opens the index and lists documents, in a loop
    python tests/chaos_worker.py cli ARGS...         # the `rag` command line

Settings come from RAG_* variables, the store host from CHAOS_STORE_ADDRESS and CHAOS_STORE_KEY;
CHAOS_HOST names the host the process says it runs on (its lease id): processes of one host take over
the work of that host's dead processes at once when they start, of other hosts' once their lease expired.
What a process does is appended to LOG as JSON lines, each flushed and fsynced before it goes on (it may
be killed with -9 at any moment; a last line cut short is ignored by the reader):

    hello         its pid and lease owner id
    ready         started (the worker's services, the re-index)
    job-start/end a job run by the job runner (start before it runs, end once it returned)
    doc-start/end a document written by ``ingest_one``
    take-over     a document in flight taken over from another owner by a reconcile (``prev``)
    begin-over    a document in flight begun again over another owner's (a resumed job)
    reindex-take  this process continues a re-index run owned by ``prev``
    reindex-doc   a document written into the version a re-index builds
    held          (hold) half a document's points written, the rest never (until it is killed)

CHAOS_DELAY_S: the longest random pause after a document is begun and before it is finished, so a kill
lands on documents in flight. CHAOS_REINDEX_DELAY_S: a pause after each document a re-index writes.
"""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import store_host  # noqa: E402


class Log:
    def __init__(self, path: str) -> None:
        self._f = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the process's life
        self._lock = threading.Lock()

    def __call__(self, ev: str, **fields: Any) -> None:
        line = json.dumps({"ev": ev, "t": time.time(), "pid": os.getpid(), **fields}, default=str)
        with self._lock:
            self._f.write(line + "\n")
            self._f.flush()
            os.fsync(self._f.fileno())


def _delay() -> None:
    top = float(os.environ.get("CHAOS_DELAY_S", "0"))
    if top > 0:
        time.sleep(random.uniform(0, top))


def _runtime(log: Log, role: str) -> Any:
    """A Runtime on the store host whose registry reports take-overs to ``log``."""
    from app.runtime import Runtime
    from core.lease import process_id
    from core.settings import load_settings

    rt = Runtime(load_settings(), role=role)
    rt.__dict__["versions"] = store_host.versions(store_host.Address.from_env())
    registry = rt.registry
    take_over, begin_index, finish_index = registry.take_over, registry.begin_index, registry.finish_index

    def logged_take_over(doc: Any) -> bool:
        took = take_over(doc)
        if took and doc.owner != process_id():
            log("take-over", doc=doc.id, status=doc.status.value, prev=doc.owner)
        return took

    def logged_begin_index(tenant: str, doc_id: str, **kw: Any) -> None:
        before = registry.get(tenant, doc_id)
        begin_index(tenant, doc_id, **kw)
        if before is not None and before.status.value in ("indexing", "deleting"):
            if before.owner != process_id():
                log("begin-over", doc=doc_id, status=before.status.value, prev=before.owner)
        _delay()  # begun, nothing written yet

    def delayed_finish_index(tenant: str, doc_id: str, guard: Any = None) -> bool:
        _delay()  # written, not finished yet
        return finish_index(tenant, doc_id, guard)

    registry.take_over = logged_take_over
    registry.begin_index = logged_begin_index
    registry.finish_index = delayed_finish_index
    return rt


def _instrument(services: Any, log: Log) -> None:
    """Jobs and documents, and re-index take-overs, into the log."""
    from core.lease import process_id

    runner, rt = services.runner, services.runtime
    run, ingest = runner._run, runner.ingest

    def logged_run(job: Any, cancel: Any) -> None:
        log("job-start", job=job.id, doc=job.doc_id)
        try:
            run(job, cancel)
        finally:
            log("job-end", job=job.id, doc=job.doc_id)

    def logged_ingest(src: Any, on_stage: Any = None, cancel: Any = None) -> Any:
        log("doc-start", doc=src.doc_id)
        outcome = None
        try:
            outcome = ingest(src, on_stage, cancel)
            return outcome
        finally:
            log("doc-end", doc=src.doc_id, status=getattr(outcome, "status", None))

    runner._run = logged_run
    runner.ingest = logged_ingest

    checkpoints = services.checkpoints
    take, record = checkpoints.take_over, checkpoints.record

    def logged_take(run_id: str) -> bool:
        before = checkpoints.get(run_id)
        took = take(run_id)
        if before is not None and before.owner != process_id():
            log("reindex-take", run=run_id, prev=before.owner, ok=took)
        return took

    def logged_record(run_id: str, tenant: str, doc_id: str, done: Any, how: str) -> None:
        record(run_id, tenant, doc_id, done, how)
        log("reindex-doc", run=run_id, doc=doc_id, chunks=done.chunks)
        time.sleep(float(os.environ.get("CHAOS_REINDEX_DELAY_S", "0")))

    checkpoints.take_over = logged_take
    checkpoints.record = logged_record
    del rt


def _hello(log: Log, mode: str) -> None:
    from core.lease import process_id

    log("hello", mode=mode, owner=process_id())


def work(mode: str, log: Log, args: list[str]) -> None:
    from api.services import Services

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    rt = _runtime(log, "worker")
    if mode == "hold":
        store = rt.store
        upsert = store.upsert

        def half_then_hold(points: Any) -> None:
            upsert(points[: len(points) // 2])
            log("held", doc=points[0].payload["doc_id"], written=len(points) // 2)
            threading.Event().wait()  # until killed

        store.upsert = half_then_hold
    services = Services.build(rt, serving=False)
    _instrument(services, log)
    try:
        services.start()
        if mode == "reindex":
            from ingest.reindex.options import Options

            run = services.start_reindex(Options(chunk_size=int(args[0]), chunk_overlap=0))
            log("reindex-started", run=run.id if run else None)
        log("ready")
        stop.wait()
    finally:
        services.close()


def read(log: Log) -> None:
    """Open the index (a quick reconcile) and list the documents, again and again; every third round a
    full reconcile (``rag docs reconcile``). It writes no document."""
    from ingest.reconcile import reconcile

    log("ready")
    n = 0
    while True:
        rt = _runtime(log, "cli")
        try:
            rt.store  # noqa: B018 - opening it settles what dead processes left
            docs = rt.registry.list()
            if n % 3 == 2:
                report = reconcile(rt.store, rt.registry, full=True, leases=rt.leases)
                log("reconcile", report=report.__dict__)
            log("listed", docs=len(docs))
        finally:
            rt.close()
        n += 1
        time.sleep(0.3)


def cli(args: list[str]) -> None:
    """The ``rag`` command line, every runtime it opens on the store host."""
    import app.runtime
    from app.cli import app as rag

    address = store_host.Address.from_env()
    app.runtime.open_versions = lambda settings: store_host.versions(address)  # type: ignore[assignment]
    rag(args, prog_name="rag")


def main() -> None:
    from core import offline

    offline.set_env()
    if os.environ.get("CHAOS_HOST"):  # as if on a host of its own: only its lease tells it is gone
        host = os.environ["CHAOS_HOST"]
        socket.gethostname = lambda: host
    mode, rest = sys.argv[1], sys.argv[2:]
    if mode == "cli":
        cli(rest)
        return
    logging.basicConfig(level=logging.WARNING, format=f"{os.getpid()} %(levelname)s %(name)s: %(message)s")
    log = Log(rest[0])
    _hello(log, mode)
    if mode == "reader":
        read(log)
    else:
        work(mode, log, rest[1:])


if __name__ == "__main__":
    main()
