"""The parser process: imports the parser once, limits itself (address space, CPU time), then parses the
documents its parent (``ingest.isolate.Parser``) sends until told to stop or the parent is gone. Also the
small pieces both sides share: the two-pipe connection, resident memory from /proc, the text bound."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from core.errors import FileTooLarge, IngestError
from core.units import human_bytes
from ingest.parse import FORMATS, ParsedDocument, inspect, warm_up

log = logging.getLogger(__name__)

NO_MEMORY = "parsing it needed more memory than is allowed (RAG_INGEST__PARSE_MEMORY_MB)"
# What an element costs the serving process besides its text, roughly, once unpickled: counted against
# max_text_bytes, so a million one-word elements weigh what they cost.
_ELEMENT_BYTES = 100


class Duplex:
    """Two one-way pipes as one connection (multiprocessing's framing and pickling)."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self._in = Connection(read_fd, writable=False)
        self._out = Connection(write_fd, readable=False)

    def send(self, obj: Any) -> None:
        self._out.send(obj)

    def send_bytes(self, data: bytes) -> None:
        self._out.send_bytes(data)

    def recv(self) -> Any:
        return self._in.recv()

    def recv_bytes(self) -> bytes:
        return self._in.recv_bytes()

    def poll(self, timeout: float) -> bool:
        return self._in.poll(timeout)

    def close(self) -> None:
        self._in.close()
        self._out.close()


def rss_bytes(pid: int) -> int:
    """Resident memory of a process, from /proc (0 when it is gone or /proc is missing)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def check_text(parsed: ParsedDocument, source: str, max_text_bytes: int) -> None:
    """Refuse a parse whose elements (their UTF-8 text and ``_ELEMENT_BYTES`` each) exceed the limit:
    a document within every container limit can still yield hundreds of MB of text."""
    total = 0
    for element in parsed.elements:
        total += len(element.text.encode("utf-8", "surrogatepass")) + _ELEMENT_BYTES
        if total > max_text_bytes:
            raise FileTooLarge(
                f"{source}: the text parsed from it is more than {human_bytes(max_text_bytes)}, the limit "
                "(RAG_INGEST__MAX_TEXT_MB)"
            )


def _die_with_parent() -> None:
    """End this process soon after its parent dies: after a kill -9 of the server, a parser in the middle
    of a big document otherwise runs on (an orphan of up to the memory cap) until it is done. A thread
    watches the parent id; PR_SET_PDEATHSIG would not do, as it fires when the *thread* that started us
    ends, and job workers that started parsers are retired while the parsers serve on."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(read_fd: int, write_fd: int) -> None:
    """Main of a parser process: import the parser once, cap the process, then parse what arrives until
    told to stop (None) or the parent goes away (EOF)."""
    import resource
    import traceback

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent()
    conn = Duplex(read_fd, write_fd)
    extract, limits, parse_limits, warm = conn.recv()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s [parser]: %(message)s")
    try:
        if warm:
            warm_up()
        _limit_address_space(parse_limits.memory_bytes)
    except Exception as e:  # noqa: BLE001 - reported to the parent, which cannot parse without us
        conn.send(("failed", str(e) or "the parser could not be loaded"))
        log.error("the parser could not be loaded\n%s", traceback.format_exc())
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        source, language = task
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        # CPU time adds up over the child's life: the soft limit moves on with each document (SIGXCPU
        # ends the child); the hard limit stays, as an unprivileged process could not raise it again.
        used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
        cpu = int(used + parse_limits.timeout_s) + 1
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.getrlimit(resource.RLIMIT_CPU)[1]))
        del task
        fmt = FORMATS.get(os.path.splitext(source)[1].lower(), "its format")  # for a message if inspect fails
        try:
            fmt = inspect(data, source, parse_limits.max_file_bytes, limits)
            told = limits.told(language)
            parsed = extract(data, source, fmt, told, lambda name: conn.send(("stage", name)))
            check_text(parsed, source, parse_limits.max_text_bytes)
            reply: tuple[Any, ...] = ("ok", parsed)
            del parsed
        except IngestError as e:
            if isinstance(e.__cause__, MemoryError):  # our address-space limit, not the machine's
                reply = ("error", "too_large", f"{source}: {NO_MEMORY}")
            else:
                reply = ("error", e.reason, str(e))
        except MemoryError:
            reply = ("error", "too_large", f"{source}: {NO_MEMORY}")
        except Exception:  # noqa: BLE001 - extract turns library failures into IngestError; a hook may not
            log.warning("%s: the parser failed\n%s", source, traceback.format_exc())
            reply = ("error", "malformed", f"{source}: could not parse as {fmt}")
        del data
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("error", "too_large", f"{source}: its parsed text is too large to hand back"))


def _limit_address_space(memory_bytes: int) -> None:
    """RLIMIT_AS at the size the process has now (unstructured and torch reserve much address space
    they never touch) plus the memory cap: a fast allocation fails here before the watcher sees it."""
    import resource

    try:
        with open("/proc/self/status", "rb") as f:
            size = next(int(line.split()[1]) * 1024 for line in f if line.startswith(b"VmSize:"))
        resource.setrlimit(resource.RLIMIT_AS, (size + memory_bytes, resource.RLIM_INFINITY))
    except (OSError, ValueError, StopIteration) as e:
        log.info("no address-space limit for the parser: %s", e)
