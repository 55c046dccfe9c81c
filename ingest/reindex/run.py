"""The re-index job: build a new index version beside the served one, catch up with writes made meanwhile,
verify it, switch to it in one step, keep the previous version for a rollback and delete older ones.

    plan (registry vs checkpoint) -> build -> ... more passes while writes keep coming ...
    -> [writes held back] last pass -> verify counts + smoke check -> switch -> [writes go on]
    -> drop versions older than the previous one

The served version answers every query until the switch; a failure or an abort before it leaves the
served version as it was and removes the new one. A run killed mid-way is continued from its checkpoint
(``resume``). A rollback switches back to the previous version after catching it up in the same way.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from core.errors import ReindexError, StoreError
from core.lease import process_id
from core.scrub import scrub
from core.settings import Settings
from core.store.base import VectorStore
from ingest.batch import Components
from ingest.fingerprint import build_groups, settings_fingerprint, with_build
from ingest.guard import stored_summary
from ingest.registry import WRITE_GATE
from ingest.reindex.build import Builder, Failure
from ingest.reindex.checkpoint import Checkpoints, DoneDoc, Run, RunState
from ingest.reindex.host import Host, Parts
from ingest.reindex.options import Options, target_settings
from ingest.reindex.plan import Key, Wanted, plan, wanted
from ingest.reindex.verify import Search, count_problems, sample, smoke_check

if TYPE_CHECKING:
    from core.encode.dense import Embedder


log = logging.getLogger(__name__)


class Cancelled(Exception):
    pass


class Paused(Exception):
    pass


class _Failed(Exception):
    pass


class _Lost(Exception):
    """This process was silent past its lease and another took the run over: it is not ours to end."""


class Reindexer:
    def __init__(
        self,
        runtime: Host,
        checkpoints: Checkpoints,
        on_progress: Callable[[Run], None] | None = None,
        runs_here: bool = True,
    ) -> None:
        """``runs_here``: this process runs the re-indexes it starts (False: an API replica that only
        serves; a worker takes them, ``resumable``)."""
        self.rt = runtime
        self.runs_here = runs_here
        self.checkpoints = checkpoints
        self.on_progress = on_progress
        self._cancel = threading.Event()
        self._pause = threading.Event()
        self._lock = threading.Lock()  # one run or rollback at a time in this process
        self._starting = threading.Lock()  # two requests cannot both pass the "nothing unfinished" check

    # ---- starting, resuming, aborting -------------------------------------------------------------------

    def start(self, opts: Options) -> Run | None:
        """Create a run (None when an incremental run finds nothing to rebuild); ``execute`` does it."""
        with self._starting:
            return self._start(opts)

    def _start(self, opts: Options) -> Run | None:
        self._refuse_if_unfinished()
        target = target_settings(self.rt.settings, opts)
        fingerprint = settings_fingerprint(target)
        versions = self.rt.versions
        served = self.rt.store  # opening it settles what a crash left half-written
        want = wanted(self.rt.registry.list())
        incremental = opts.incremental or opts.optimize
        if incremental and served.problem is None:
            need = self._outdated(want, served, fingerprint)
            if not need and not (opts.optimize and self.graph_due(0.0)):
                return None
        else:
            need = list(want.values())
        self._check_originals(need)
        return self.checkpoints.create(
            versions.next_name(),
            versions.current(),
            build_groups(target),
            fingerprint,
            incremental,
            owned=self.runs_here,
        )

    def _refuse_if_unfinished(self) -> None:
        run = self.checkpoints.unfinished()
        if run is not None:
            alive = self.rt.leases.alive(run.owner)
            raise ReindexError(
                f"re-index {run.id} is {'running' if alive else 'unfinished (its process is gone)'}: "
                f"{run.phase}, {run.done} of {run.total} documents; "
                + ("wait for it or abort it" if alive else "resume it or abort it")
            )

    def resumable(self) -> Run | None:
        """An unfinished run whose process is gone (killed: its lease expired) or that nobody took yet
        (started by an API replica that runs no re-index), to continue here."""
        return self.checkpoints.abandoned()

    def abort(self, run_id: str) -> Run:
        run = self.checkpoints.get(run_id)
        if run is None:
            raise ReindexError(f"no re-index {run_id!r}")
        if run.finished:
            raise ReindexError(f"re-index {run_id} already ended ({run.state.value})")
        self.checkpoints.request_cancel(run_id)
        self._cancel.set()
        if not self.rt.leases.alive(run.owner):  # nobody will see the flag: clean up here
            self._drop_build(run.version)
            self.checkpoints.update(run_id, state=RunState.ABORTED.value, phase="aborted", error="aborted")
            self.checkpoints.clear(run_id)
        return self.checkpoints.get(run_id)  # type: ignore[return-value]

    def graph_due(self, growth: float) -> bool:
        """Whether the served version has enough points outside its search graph to build a new one
        (``IndexVersions.graph_due``): at least store.hnsw_min_points, and ``growth`` times the graph's.
        Never for a version refused under today's settings: rebuilding it is the operator's re-index."""
        current, served = self.rt.versions.current(), self.rt.store
        return (
            current is not None
            and served.problem is None
            and self.rt.versions.graph_due(current, served.count(), growth)
        )

    def _outdated(self, want: dict[Key, Wanted], served: VectorStore, fingerprint: str) -> list[Wanted]:
        current = served.doc_counts_with("fingerprint", fingerprint)
        return [w for k, w in want.items() if current.get(k) != w.chunk_count]

    def _check_originals(self, need: list[Wanted]) -> None:
        missing = [w for w in need if not self.rt.blobs.exists(w.content_hash)]
        if missing:
            names = ", ".join(f"{w.source} ({w.tenant})" for w in missing[:5])
            raise ReindexError(
                f"{len(missing)} document{'s' if len(missing) != 1 else ''} without a stored original to "
                f"rebuild from ({names}"
                f"{', ...' if len(missing) > 5 else ''}): they were ingested before originals were kept. "
                "Ingest them again (the same files change nothing else), then re-index"
            )

    # ---- the run -------------------------------------------------------------------------------------

    def execute(self, run_id: str) -> Run:
        """Run (or continue) a re-index to its end: switched, failed or aborted. Blocking."""
        with self._lock:
            self._cancel.clear()
            run = self.checkpoints.get(run_id)
            if run is None or run.finished:
                raise ReindexError(f"no unfinished re-index {run_id!r}")
            if not self.checkpoints.take_over(run_id):
                raise ReindexError(f"re-index {run_id} is run by another live process")
            try:
                return _in_background_thread(self._execute, run, nice=self.rt.settings.reindex.nice)
            except _Lost:
                log.error("re-index %s was taken over by another process; stopping here", run_id)
            except Exception as e:  # noqa: BLE001 - a background job's boundary: the run ends with the reason
                if self._still_mine(run_id):
                    self._end(run, e)
                else:  # whatever went wrong here, the run is another process's now
                    log.error("re-index %s was taken over by another process (here: %s)", run_id, e)
            finally:
                self._publish(run_id)
            return self.checkpoints.get(run_id)  # type: ignore[return-value]

    def _still_mine(self, run_id: str) -> bool:
        run = self.checkpoints.get(run_id)
        return run is not None and run.owner == process_id()

    def _end(self, run: Run, e: Exception) -> None:
        """Leave a run that stopped with ``e``: paused (to resume), aborted or failed."""
        if isinstance(e, Paused):
            self.checkpoints.update(run.id, phase="paused (resumes on next start)", owner="")
            log.warning("re-index %s paused at shutdown; it resumes on the next start", run.id)
        elif isinstance(e, Cancelled):
            self._drop_build(run.version)
            self.checkpoints.update(run.id, state=RunState.ABORTED.value, phase="aborted", error="aborted")
            self.checkpoints.clear(run.id)
            log.warning("re-index %s aborted; version %s removed", run.id, run.version)
        elif isinstance(e, _Failed | ReindexError):
            log.error("re-index %s failed: %s", run.id, e)
            self._fail(run, str(e))
        else:
            log.error("re-index %s failed", run.id, exc_info=e)
            self._fail(run, scrub(str(e)) or "an unexpected error (the details are in the server log)")

    def _fail(self, run: Run, error: str) -> None:
        self._drop_build(run.version)
        self.checkpoints.update(run.id, state=RunState.FAILED.value, phase="failed", error=error)
        self.checkpoints.clear(run.id)

    def _execute(self, run: Run) -> Run:
        s = self.rt.settings
        target_s = with_build(s, run.build)
        build_s = target_s.model_copy(
            update={"embedding": target_s.embedding.model_copy(update={"threads": s.reindex.threads})}
        )
        parts_rt, parts = self._parts(build_s, run.fingerprint)
        served = self.rt.store
        target = self._target(run, parts_rt)
        copy_from = served if run.incremental and served.problem is None else None
        builder = Builder(parts, target, self.rt.blobs, self.checkpoints, run.id, copy_from=copy_from)
        progress = _Progress(self, run.id)
        try:
            for n in range(s.reindex.max_passes):
                todo = self._pass(builder, progress, f"building (pass {n + 1})" if n else "building")
                if not todo:
                    break
            target = builder.target = self._index(run, target)
            # Serving threads: the new model loaded and warm before writes are held back.
            embedder = self._serving_embedder(target_s)
            embedder.warm_up()
            self._check_cancel()
            self.checkpoints.update(run.id, phase="waiting for writes to finish")
            with self._writes_held():
                self._pass(builder, progress, "last catch-up")
                self._verify(run, target, parts_rt.searcher(target))
                self.checkpoints.update(run.id, phase="switching", **self.checkpoints.tally(run.id))
                target.close()
                previous = served.version
                self.rt.adopt(target_s, embedder=embedder)
                served.switch(run.version, configured=self.rt.index_meta)
                self._count_chunks(run.id)
            log.info("re-index %s: switched from %s to %s", run.id, previous, run.version)
            self._refresh_guard(self.checkpoints.rebuilt(run.id))
            self.checkpoints.update(
                run.id, state=RunState.SWITCHED.value, phase="done", served_at_start=previous
            )
            self.checkpoints.clear(run.id)
            self._drop_older(keep={run.version, previous})
        finally:
            target.close()
            parts_rt.close()
        return self.checkpoints.get(run.id)  # type: ignore[return-value]

    @contextmanager
    def _writes_held(self) -> Iterator[None]:
        """No document is written meanwhile, by this process (its write gate) or any other (the write
        gate row in the registry database, which their writes look at once they have begun): the gate
        closed, then the documents other processes have in flight are waited for."""
        with self.rt.write_gate.exclusive(), self.rt.leases.hold_row(WRITE_GATE) as closed:
            if not closed:
                raise ReindexError("another process holds writes back (a rollback or re-index)")
            deadline = time.monotonic() + self.rt.settings.reindex.drain_s
            while True:
                busy = self.rt.registry.in_flight_elsewhere()
                if not busy:
                    break
                if time.monotonic() > deadline:
                    raise _Failed(
                        f"{len(busy)} documents other processes are writing did not finish within "
                        f"{self.rt.settings.reindex.drain_s:g} s (RAG_REINDEX__DRAIN_S)"
                    )
                time.sleep(0.2)
            yield

    def _parts(self, settings: Settings, fingerprint: str) -> tuple[Parts, Components]:
        """What turns documents into points under ``settings``, built like the served ones."""
        # Its documents are parsed one at a time (ahead of embedding), so one parser process, not one
        # per job worker beside the serving runtime's pool (0 stays in-process).
        ingest = self.rt.settings.ingest
        workers = 0 if ingest.parse_workers == 0 else 1
        settings = settings.model_copy(
            update={"ingest": settings.ingest.model_copy(update={"parse_workers": workers})}
        )
        rt = self.rt.derive(settings)
        parts = Components(
            embedder=rt.embedder,
            sparse=rt.sparse,
            chunker=rt.chunker,
            fingerprint=fingerprint,
            batch_chunks=ingest.batch_chunks,
            parser=rt.parser,
            guard=rt.chunk_guard,
        )
        return rt, parts

    def _serving_embedder(self, target: Settings) -> Embedder:
        """The model the served version will be queried with: the current one if it is the same."""
        if target.embedding == self.rt.settings.embedding:
            return self.rt.embedder
        return self.rt.derive(target).embedder

    def _target(self, run: Run, parts_rt: Parts) -> VectorStore:
        versions = self.rt.versions
        if run.version in versions.all():
            try:
                store = versions.open(run.version)
                log.warning("re-index %s: continuing version %s from its checkpoint", run.id, run.version)
                return store
            except StoreError as e:  # created but never usable (killed while creating it): start it over
                log.warning(
                    "re-index %s: version %s unusable (%s); building it again", run.id, run.version, e
                )
                versions.drop(run.version)
                self.checkpoints.clear(run.id)
        return versions.create(run.version, parts_rt.index_meta)

    def _index(self, run: Run, target: VectorStore) -> VectorStore:
        """The new version's search graph, built in a child process while the served version answers
        (minutes at a million points); the version reopened. Writes made meanwhile are caught up after
        it, into a small segment searched exactly."""
        points = target.count()
        target.close()
        self.checkpoints.update(run.id, phase=f"building the search graph ({points} points)")
        try:
            if self.rt.versions.index(run.version, points, self._cancelled):
                log.info("re-index %s: search graph of %s built", run.id, run.version)
        except StoreError:
            self._check_cancel()  # a cancel or pause stopped the build: ends the run as such
            raise
        return self.rt.versions.open(run.version)

    def _pass(self, builder: Builder, progress: _Progress, phase: str) -> list[Wanted]:
        want = wanted(self.rt.registry.list())
        p = plan(want, self.checkpoints.done(builder.run_id))
        builder.remove(p.stale)
        progress.begin(phase, total=p.total, done=p.done)
        failures = builder.build(p.todo, progress.doc, self._cancelled)
        self._check_cancel()
        self._settle(failures)
        return p.todo

    def _settle(self, failures: list[Failure]) -> None:
        """A document that failed because it changed meanwhile is caught up by the next pass; any other
        failure stops the run (the served version stays)."""
        real = []
        for f in failures:
            now = self.rt.registry.get(f.doc.tenant, f.doc.doc_id)
            if now is not None and now.content_hash == f.doc.content_hash:
                real.append(f)
        if real:
            listed = "; ".join(str(f) for f in real[:5])
            raise _Failed(f"{len(real)} documents could not be rebuilt with the new settings: {listed}")

    def _verify(self, run: Run, target: VectorStore, search: Search) -> None:
        self.checkpoints.update(run.id, phase="verifying")
        want = wanted(self.rt.registry.list())
        done = self.checkpoints.done(run.id)
        problems = count_problems(target, want, done)
        if problems:
            raise _Failed(f"chunk counts do not match in {len(problems)} places: {'; '.join(problems[:5])}")
        r = self.rt.settings.reindex
        smoke = smoke_check(target, search, sample(want, r.smoke_queries))
        self.checkpoints.update(run.id, smoke=smoke.to_dict())
        if smoke.rate < r.smoke_min_rate:
            raise _Failed(
                f"retrieval smoke check failed: {smoke.found} of {smoke.queries} documents found by their "
                f"own words (at least {r.smoke_min_rate:.0%} needed); e.g. {'; '.join(smoke.misses[:3])}"
            )

    def _count_chunks(self, run_id: str) -> None:
        """The registry counts the chunks of the version now served (a full reconcile compares them)."""
        done = self.checkpoints.done(run_id)
        self.rt.registry.set_chunk_counts({k: (d.content_hash, d.chunks) for k, d in done.items()})

    def _drop_build(self, version: str) -> None:
        versions = self.rt.versions
        if version in versions.all() and version != versions.current():
            self.rt.store.release(version)
            versions.drop(version)

    def _refresh_guard(self, rebuilt: list[tuple[str, str]]) -> None:
        """After a switch: the rebuilt documents' guard figures as their new points carry them (the guard
        settings may have changed). A failure leaves the old figures, logged; the points are right."""
        try:
            for tenant, doc_id in rebuilt:
                self.rt.registry.set_guard(
                    tenant, doc_id, stored_summary(self.rt.store.chunks(tenant, doc_id))
                )
        except (StoreError, SQLAlchemyError) as e:
            log.warning("re-index: guard figures of rebuilt documents not refreshed: %s", e)

    def _drop_older(self, keep: set[str]) -> None:
        """After a switch: a failure here leaves a version too many on disk, nothing worse."""
        for v in self.rt.versions.all():
            if v not in keep:
                try:
                    self.rt.store.release(v)
                    self.rt.versions.drop(v)
                except StoreError as e:
                    log.warning("could not delete index version %s: %s", v, e)
                else:
                    log.info("deleted index version %s (older than the previous one)", v)

    def pause(self) -> None:
        """Stop the running run at the next document, leaving it to resume (the process is stopping)."""
        self._pause.set()

    def _cancelled(self) -> bool:
        return self._cancel.is_set() or self._pause.is_set()

    def _check_cancel(self) -> None:
        if self._cancel.is_set():
            raise Cancelled
        if self._pause.is_set():
            raise Paused

    def _publish(self, run_id: str) -> None:
        run = self.checkpoints.get(run_id)
        if run is not None and self.on_progress is not None:
            self.on_progress(run)

    # ---- rollback ------------------------------------------------------------------------------------

    def rollback(self) -> str:
        """Serve the previous version again, caught up with the writes made since it was left."""
        self._refuse_if_unfinished()  # before waiting for the lock a running re-index holds
        with self._starting, self._lock:
            versions, served = self.rt.versions, self.rt.store
            current = versions.current()
            older = [v for v in versions.all() if v != current]
            if not older:
                raise ReindexError("there is no previous index version to roll back to")
            previous = older[-1]
            meta = versions.read_meta(previous)
            served.release(previous)  # still open if it was left moments ago
            target_s = with_build(self.rt.settings, meta.build) if meta.build else self.rt.settings
            parts_rt, parts = self._parts(target_s, meta.fingerprint)
            target = versions.open(previous)
            run = self.checkpoints.create(previous, current, build_groups(target_s), meta.fingerprint, False)
            try:
                self._seed_from(run.id, target)
                builder = Builder(parts, target, self.rt.blobs, self.checkpoints, run.id)
                progress = _Progress(self, run.id)
                self._pass(builder, progress, "catching up")
                with self._writes_held():
                    self._pass(builder, progress, "last catch-up")
                    problems = count_problems(
                        target, wanted(self.rt.registry.list()), self.checkpoints.done(run.id)
                    )
                    if problems:
                        raise ReindexError(
                            f"version {previous} does not match the documents: {'; '.join(problems[:5])}"
                        )
                    target.close()
                    self.rt.adopt(target_s)
                    served.switch(previous, configured=self.rt.index_meta)
                    self._count_chunks(run.id)
                self.checkpoints.update(run.id, state=RunState.SWITCHED.value, phase="rolled back")
            except BaseException as e:
                self.checkpoints.update(run.id, state=RunState.FAILED.value, phase="failed", error=str(e))
                raise
            finally:
                self.checkpoints.clear(run.id)
                target.close()
                parts_rt.close()
            log.warning("rolled back from %s to %s", current, previous)
            return previous

    def _seed_from(self, run_id: str, target: VectorStore) -> None:
        """Record what a version already holds, so a catch-up rebuilds only what changed since."""
        for key, w in wanted(self.rt.registry.list()).items():
            chunks = target.chunks(*key)
            if chunks and all(c.get("doc_hash") == w.content_hash for c in chunks):
                meta = chunks[0].get("metadata") or {}
                self.checkpoints.record(run_id, *key, DoneDoc(w.content_hash, meta, len(chunks)), "kept")
        done = self.checkpoints.done(run_id)
        for tenant in target.tenants():
            for doc_id in target.doc_point_counts(tenant):
                if (tenant, doc_id) not in done:  # gone since: the catch-up removes it
                    self.checkpoints.record(run_id, tenant, doc_id, DoneDoc("", {}, 0), "kept")


def _in_background_thread(fn: Callable[[Run], Run], run: Run, nice: int) -> Run:
    """Run ``fn(run)`` in a thread of its own at a lower CPU priority (Linux schedules threads one by one;
    threads it starts, such as the parser running ahead, inherit it), so queries served by the other
    threads of the process get the cores first. Exceptions are raised here."""
    out: dict[str, Any] = {}

    def work() -> None:
        if nice and hasattr(os, "setpriority"):
            try:
                tid = threading.get_native_id()  # below the process's own priority, not at a fixed one
                os.setpriority(os.PRIO_PROCESS, tid, min(os.getpriority(os.PRIO_PROCESS, tid) + nice, 19))
            except OSError as e:  # not permitted here: run at normal priority
                log.debug("could not lower the re-index thread's priority: %s", e)
        try:
            out["run"] = fn(run)
        except BaseException as e:  # noqa: BLE001 - handed to the caller, which raises it
            out["error"] = e

    t = threading.Thread(target=work, name="reindex-build", daemon=True)
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out["run"]


class _Progress:
    """Counts, rate and ETA of a run: into the checkpoint (for the API) and to ``on_progress`` (a bar)."""

    def __init__(self, reindexer: Reindexer, run_id: str, every_s: float = 0.5) -> None:
        self.r = reindexer
        self.run_id = run_id
        self.every_s = every_s
        self.counts = {"rebuilt": 0, "copied": 0}
        self.done = self.total = self.written = 0
        self.last = 0.0
        self.started = time.monotonic()

    def begin(self, phase: str, total: int, done: int) -> None:
        self.total, self.done = total, done
        self.r.checkpoints.update(self.run_id, phase=phase, total=total, done=done)
        self.r._publish(self.run_id)

    def doc(self, how: str) -> None:
        now = time.monotonic()
        if how in self.counts:
            self.counts[how] += 1
        self.done += how != "failed"
        self.written += 1
        if now - self.last >= self.every_s or self.done >= self.total:
            self.last = now
            rate = self.written / (now - self.started)  # documents per second since this process began
            run = self.r.checkpoints.get(self.run_id)
            if run is not None and run.owner != process_id():
                raise _Lost
            self.r.checkpoints.update(
                self.run_id,
                done=self.done,
                rate=rate,
                rebuilt=(run.rebuilt if run else 0) + self.counts["rebuilt"],
                copied=(run.copied if run else 0) + self.counts["copied"],
            )
            self.counts = {"rebuilt": 0, "copied": 0}
            if self.r.checkpoints.get(self.run_id).cancel:  # type: ignore[union-attr]
                self.r._cancel.set()
            self.r._publish(self.run_id)
