"""Parsing in child processes with hard limits, so no document can take the serving process down.

A small pool of long-lived parser processes (new interpreters, unstructured imported once each, started
on first use, replaced after a kill). The serving process only checks the name and the size
(ingest.parse.precheck); the container checks (ingest.parse.inspect) and the parser run in a child that
the calling thread watches every 50 ms: over its memory (RSS) it is killed and the document ends
``too_large``; past its wall time ``timeout``; when ``cancel`` is set ``cancelled``. The child also
limits itself (RLIMIT_AS and RLIMIT_CPU) in case its watcher is slow. Only the bytes go out (written to
the pipe as they are, never copied) and the elements come back as plain picklable data, at most
``max_text_bytes`` of them.

``workers=0`` parses in the calling process (tests and debugging): no limits beyond the container checks
and the text limit.

Plain text, Markdown and CSV up to ``inline_bytes`` (RAG_INGEST__PARSE_INLINE_MB) are parsed in the
calling process too, with any number of workers: their parsers are our own pure-Python code
(ingest.formats), linear in the input (tests/test_formats.py holds each pattern to that on crafted
lines) with no native library to crash, so a file of 256 KiB (the default) costs about 10 ms, a second
at worst (crafted: a list item per word), and a few times its size in memory,
where a trip to a child costs more than the parse of a small file and the first one starts a 500 MB
process. Larger ones, and any ``extract`` other than ours (fault injection),
go to a child as before, with its memory and time limits.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from core.errors import (
    Cancelled,
    EmptyDocument,
    EncryptedDocument,
    FileTooLarge,
    IngestError,
    MalformedDocument,
    NoExtractableText,
    ParserUnavailable,
    ParseTimeout,
    UnsupportedFormat,
)
from core.settings import IngestSettings
from core.units import MiB, human_bytes
from ingest.limits import Limits
from ingest.parse import NATIVE_FORMATS, ParsedDocument, extract, inspect, precheck
from ingest.parser_child import Duplex, check_text, rss_bytes

log = logging.getLogger(__name__)

Extract = Callable[[bytes, str, str, Limits, Callable[[str], None]], ParsedDocument]
_POLL_S = 0.05
_START_TIMEOUT_S = 180.0  # importing unstructured (torch, spaCy) takes a few seconds, more on a busy box
# A child that still holds this share of its memory cap after a document is replaced: Python rarely
# gives freed memory back, and the next document should start from a small process.
_RECYCLE_SHARE = 0.75
_ERRORS: dict[str, type[IngestError]] = {
    c("").reason: c
    for c in (
        UnsupportedFormat,
        FileTooLarge,
        EmptyDocument,
        NoExtractableText,
        EncryptedDocument,
        MalformedDocument,
        ParseTimeout,
        Cancelled,
    )
}


@dataclass(frozen=True)
class ParseLimits:
    """What one parse may use and return, besides what the container may declare (``Limits``); built from
    the settings (``from_settings``), which hold the defaults."""

    max_file_bytes: int
    memory_bytes: int
    timeout_s: float
    max_text_bytes: int
    inline_bytes: int = 0  # native formats up to this size are parsed in the calling process

    @classmethod
    def from_settings(cls, s: IngestSettings | None = None) -> ParseLimits:
        """The limits of ``s`` (the defaults when None: tests and tools)."""
        s = s or IngestSettings()
        return cls(
            max_file_bytes=s.max_file_bytes,
            memory_bytes=int(s.parse_memory_mb * MiB),
            timeout_s=s.parse_timeout_s,
            max_text_bytes=int(s.max_text_mb * MiB),
            inline_bytes=int(s.parse_inline_mb * MiB),
        )


class CancelFlag(Protocol):
    """What ``Parser.parse`` watches to stop early: a threading.Event, or anything answering is_set."""

    def is_set(self) -> bool: ...


def _error(reason: str, message: str) -> IngestError:
    cls = _ERRORS.get(reason)
    return cls(message) if cls is not None else IngestError(reason, message)


class Parser:
    """Thread-safe: each caller gets a child of its own or waits for one. ``close()`` stops them all."""

    def __init__(
        self,
        parse_limits: ParseLimits,
        limits: Limits | None = None,
        *,
        workers: int = 1,
        extract: Extract = extract,
        warm_up: bool = True,
    ) -> None:
        self.parse_limits = parse_limits
        self.limits = limits or Limits.from_settings()
        self.workers = workers
        self._extract = extract  # a module-level function: the child imports it by name
        self._warm_up = warm_up  # False: children start without loading the parser (fault-injection tests)
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(workers, 1))
        self._idle: list[_Child] = []
        self._children: set[_Child] = set()
        self._closed = False

    def parse(
        self,
        data: bytes,
        source: str,
        cancel: CancelFlag | None = None,
        on_stage: Callable[[str], None] = lambda _: None,
        language: str | None = None,
    ) -> ParsedDocument:
        """Parse one document; raises an IngestError with the reason (``too_large``, ``timeout``,
        ``cancelled``, ``malformed`` ...) and a message naming the cause, or ParserUnavailable when no
        parser process could be started (not the file's fault). ``on_stage`` hears of stages within the
        parse (``ocr``); ``language``, the document's declared language (ISO 639-1), is the parser's to
        read it in (``Limits.told``)."""
        max_bytes = self.parse_limits.max_file_bytes
        fmt = precheck(source, len(data), max_bytes)  # all the serving process looks at, unless inline
        _check_cancel(cancel, source)
        if self.workers == 0 or self._inline(fmt, len(data)):
            fmt = inspect(data, source, max_bytes, self.limits)
            parsed = self._extract(data, source, fmt, self.limits.told(language), on_stage)
            check_text(parsed, source, self.parse_limits.max_text_bytes)
            return parsed
        with self._child(source, cancel) as child:
            try:
                return child.run(data, source, cancel, on_stage, language)
            except (IngestError, OSError, EOFError) as e:
                self._check_open(source)  # close() killed the child under us: not the file's fault
                if isinstance(e, IngestError):
                    raise
                raise MalformedDocument(f"{source}: the parser stopped unexpectedly") from e

    def _inline(self, fmt: str, size: int) -> bool:
        """Parsed here: one of our own parsers, on a file small enough that its cost is bounded."""
        return self._extract is extract and fmt in NATIVE_FORMATS and size <= self.parse_limits.inline_bytes

    def close(self) -> None:
        with self._lock:
            self._closed = True
            children, self._children, self._idle = list(self._children), set(), []
        for child in children:
            child.stop()

    def __enter__(self) -> Parser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pids(self) -> list[int]:
        """Process ids of the running parser processes (for tests and the status page)."""
        with self._lock:
            return [c.pid for c in self._children if c.alive()]

    @contextlib.contextmanager
    def _child(self, source: str, cancel: CancelFlag | None) -> Iterator[_Child]:
        while not self._slots.acquire(timeout=_POLL_S):
            _check_cancel(cancel, source)
            self._check_open(source)
        child: _Child | None = None
        try:
            child = self._take(source, cancel)
            yield child
        finally:
            self._give_back(child)
            self._slots.release()

    def _take(self, source: str, cancel: CancelFlag | None) -> _Child:
        with self._lock:
            self._check_open(source)
            while self._idle:
                child = self._idle.pop()
                if child.alive():
                    return child
                self._children.discard(child)
            # Known before it starts, so a close() from now on stops it (start checks again after Popen).
            child = _Child((self._extract, self.limits, self.parse_limits, self._warm_up))
            self._children.add(child)
        try:
            child.start(source, cancel, self._check_open)
        except BaseException:
            child.kill()
            with self._lock:
                self._children.discard(child)
            raise
        return child

    def _give_back(self, child: _Child | None) -> None:
        if child is None:
            return
        with self._lock:
            if not self._closed and child.alive() and not child.spent:
                self._idle.append(child)
                return
            self._children.discard(child)
        child.stop()

    def _check_open(self, source: str) -> None:
        if self._closed:
            raise Cancelled(f"{source}: parsing stopped: the service is shutting down")


def _check_cancel(cancel: CancelFlag | None, source: str) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled(f"{source}: cancelled while parsing")


class _Child:
    """One parser process and the parent's ends of its pipes. Used by one thread at a time.

    Started as ``python -c`` with this process's sys.path rather than by multiprocessing's spawn, which
    would import the parent's ``__main__`` again in the child (a script, the CLI, pytest)."""

    def __init__(self, setup: tuple[Extract, Limits, ParseLimits, bool]) -> None:
        self.setup = setup
        self.parse_limits = setup[2]
        self.process: subprocess.Popen[bytes] | None = None
        self.conn: Duplex | None = None
        self.pid = 0
        self.spent = False  # killed, crashed or over its recycle size: not to be used again

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, source: str, cancel: CancelFlag | None, check_open: Callable[[str], None]) -> None:
        """Start the process and wait until it has loaded the parser. Whatever goes wrong (it cannot start,
        it fails to load, ``cancel``, the pool closing) the caller kills it (``kill``)."""
        child_reads, parent_writes = os.pipe()
        parent_reads, child_writes = os.pipe()
        code = (
            f"import sys; sys.path[:] = {sys.path!r}; "
            f"from ingest.parser_child import main; main({child_reads}, {child_writes})"
        )
        self.conn = Duplex(parent_reads, parent_writes)  # closed by kill(), whatever happens next
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", code],
                pass_fds=(child_reads, child_writes),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                start_new_session=True,  # a group of its own: kill() ends what it started too
            )
        except OSError as e:  # out of processes or memory: the service's trouble, not the file's
            raise ParserUnavailable(f"the parser process could not be started: {e.strerror or e}") from e
        finally:  # the child's ends live in the child now (or nowhere): EOF here when it dies
            os.close(child_reads)
            os.close(child_writes)
        self.pid = self.process.pid
        check_open(source)  # a close() that ran before Popen did not see the process
        try:
            self.conn.send(self.setup)
        except OSError as e:
            raise ParserUnavailable("the parser process did not start (see the log)") from e
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not self.conn.poll(_POLL_S):
            _check_cancel(cancel, source)
            check_open(source)
            if not self.alive() or time.monotonic() > deadline:
                raise ParserUnavailable("the parser process did not start (see the log)")
        try:
            message = self.conn.recv()
        except (EOFError, OSError) as e:
            raise ParserUnavailable("the parser process did not start (see the log)") from e
        if message[0] != "ready":
            raise ParserUnavailable(f"the parser process did not start: {message[1]}")

    def run(
        self,
        data: bytes,
        source: str,
        cancel: CancelFlag | None,
        on_stage: Callable[[str], None],
        language: str | None = None,
    ) -> ParsedDocument:
        assert self.conn is not None
        try:
            self.conn.send((source, language))
            self.conn.send_bytes(data)  # from the caller's buffer: no pickled copy of it here
        except (OSError, EOFError) as e:
            self.kill()
            raise MalformedDocument(f"{source}: the parser stopped before reading the file") from e
        started = time.monotonic()
        peak = 0
        while True:
            message, peak = self._wait(source, cancel, started, peak)
            if message[0] != "stage":
                break
            try:
                on_stage(message[1])  # the parse goes on: OCR started, say
            except BaseException:
                self.kill()  # the caller stops here (a cancel): the child is mid-parse, not reusable
                raise
        if rss_bytes(self.pid) > _RECYCLE_SHARE * self.parse_limits.memory_bytes:
            self.spent = True
        if message[0] == "ok":
            return message[1]
        _, reason, text = message
        raise _error(reason, text)

    def _wait(
        self, source: str, cancel: CancelFlag | None, started: float, peak: int
    ) -> tuple[tuple[Any, ...], int]:
        """The child's next message, watching it meanwhile (its time from ``started``, memory, cancel),
        and the highest memory seen."""
        assert self.conn is not None
        limits = self.parse_limits
        while not self.conn.poll(_POLL_S):
            if cancel is not None and cancel.is_set():
                self.kill()
                raise Cancelled(f"{source}: cancelled while parsing")
            if time.monotonic() - started > limits.timeout_s:
                self.kill()
                raise ParseTimeout(
                    f"{source}: parsing took longer than {limits.timeout_s:g} s and was stopped "
                    "(RAG_INGEST__PARSE_TIMEOUT_S)"
                )
            peak = max(peak, rss_bytes(self.pid))
            if peak > limits.memory_bytes:
                self.kill()
                raise self._over_memory(source)
            if not self.alive():
                break
        try:
            return self.conn.recv(), peak
        except (EOFError, OSError):
            raise self._died(source, peak) from None

    def _over_memory(self, source: str) -> FileTooLarge:
        return FileTooLarge(
            f"{source}: parsing it needed more than {human_bytes(self.parse_limits.memory_bytes)} of memory "
            "and was stopped (RAG_INGEST__PARSE_MEMORY_MB)"
        )

    def _died(self, source: str, peak: int) -> IngestError:
        assert self.process is not None
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        self.kill()
        log.warning("%s: the parser process %s ended with code %s", source, self.pid, code)
        if code == -signal.SIGXCPU:
            return ParseTimeout(
                f"{source}: parsing used more than {self.parse_limits.timeout_s:g} s of CPU time and was "
                "stopped (RAG_INGEST__PARSE_TIMEOUT_S)"
            )
        if code == -signal.SIGKILL or peak > _RECYCLE_SHARE * self.parse_limits.memory_bytes:
            return self._over_memory(source)  # SIGKILL from outside: the kernel's out-of-memory killer
        return MalformedDocument(f"{source}: the parser crashed on this file")

    def kill(self) -> None:
        self.spent = True
        if self.process is not None:
            if self.process.poll() is None:
                # Its process group: the child and the programs it runs for a parse (pandoc, tesseract),
                # which would otherwise go on to the end of their own time limits.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
        if self.conn is not None:
            self.conn.close()

    def stop(self) -> None:
        """Ask an idle child to exit, then make sure it did."""
        if self.conn is not None and self.alive():
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(None)
            assert self.process is not None
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=1)
        self.kill()
