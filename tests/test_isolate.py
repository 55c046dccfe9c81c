"""Parsing in child processes with hard limits, and the container limits checked before: decompression
bombs in every zip format, a lying zip, memory hogs, endless parses, crashes and cancel. The serving
process survives all of them, and no parser process outlives its pool."""

from __future__ import annotations

import io
import os
import re
import resource
import struct
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import parse_faults
import pytest

from conftest import INTERNALS, SAMPLE_DOCS
from core.errors import Cancelled, FileTooLarge, MalformedDocument, ParseTimeout
from ingest.isolate import ParseLimits, Parser, rss_bytes
from ingest.limits import Limits, check_archive, sniff
from ingest.pipeline import Source

MB = 1024 * 1024
LIMITS = Limits.from_settings()
PARSE_LIMITS = ParseLimits.from_settings()

# A skeleton per zip format: its small parts, and the part that grows.
_PARA = b"<w:p><w:r><w:t>All work and no play makes Jack a dull boy.</w:t></w:r></w:p>"
FORMATS = {
    "docx": (
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/content-types"/>',
            "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
        },
        "word/document.xml",
        (b'<?xml version="1.0"?><w:document xmlns:w="urn:w"><w:body>', _PARA, b"</w:body></w:document>"),
    ),
    "pptx": (
        {"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p:presentation/>"},
        "ppt/slides/slide1.xml",
        (b'<p:sld xmlns:p="urn:p" xmlns:a="urn:a"><p:cSld><p:spTree>', b"<a:t>Jack</a:t>", b"</p:spTree>"),
    ),
    "xlsx": (
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"},
        "xl/worksheets/sheet1.xml",
        (b"<worksheet><sheetData>", b'<row><c t="inlineStr"><is><t>Jack</t></is></c></row>', b"</sheetData>"),
    ),
    "odt": (
        {"mimetype": b"application/vnd.oasis.opendocument.text"},
        "content.xml",
        (b'<office:document-content xmlns:text="urn:t">', b"<text:p>Jack</text:p>", b"</office:document>"),
    ),
    "epub": (
        {"mimetype": b"application/epub+zip", "META-INF/container.xml": b"<container/>"},
        "OEBPS/chapter1.xhtml",
        (b"<html><body>", b"<p>All work and no play makes Jack a dull boy.</p>", b"</body></html>"),
    ),
}


def bomb(fmt: str, expanded_mb: int = 300, level: int = 6) -> bytes:
    """A valid-looking ``fmt`` container whose main part is ``expanded_mb`` MB of repeated XML (about
    1000:1 compressed), streamed into the zip so the test itself never holds it."""
    parts, big, (head, unit, tail) = FORMATS[fmt]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, body in parts.items():
            z.writestr(name, body, zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
        block = unit * (1 << 14)
        with z.open(big, "w") as f:
            f.write(head)
            for _ in range(expanded_mb * MB // len(block)):
                f.write(block)
            f.write(tail)
    return out.getvalue()


class RssWatch:
    """The most this (the serving) process's resident memory grew while the block ran, sampled every
    10 ms. ru_maxrss would be the whole test session's high-water mark, set by whatever test came first."""

    def __enter__(self) -> RssWatch:
        self.start = self.peak = rss_bytes(os.getpid())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss_bytes(os.getpid()))

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return self.peak - self.start


@pytest.mark.parametrize("fmt", ["docx", "pptx", "xlsx", "odt", "epub"])
def test_a_decompression_bomb_ends_too_large_in_seconds(runtime, fmt: str) -> None:
    data = bomb(fmt)
    assert len(data) < 2 * MB
    # Start the parser process first (a small .txt would be parsed in this process).
    runtime.parser.parse(b"<p>The checks run in the parser process: start it first.</p>", "warm.html")
    started = time.monotonic()
    with RssWatch() as rss:
        outcome = runtime.ingest_one(Source.from_bytes(data, f"bomb.{fmt}", "default"))
    assert time.monotonic() - started < 10
    assert (outcome.status, outcome.reason) == ("failed", "too_large")
    big = FORMATS[fmt][1]
    assert re.search(rf"{re.escape(big)} expands to [\d.]+ MiB, over the limit of 200 MiB", outcome.error)
    assert "RAG_INGEST__MAX_EXPANDED_MB" in outcome.error
    assert rss.growth < 256 * MB  # parsed in this process, the XML alone is 300 MB
    doc = runtime.registry.get("default", outcome.doc_id)
    assert doc is not None and doc.error.startswith("too_large")


def test_the_guard_counts_entries_ratio_total_and_nesting() -> None:
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as z:
        for i in range(11):
            z.writestr(f"word/part{i}.xml", b"<x/>")
    with pytest.raises(FileTooLarge, match="holds 11 files, over the limit of 10"):
        check_archive(many.getvalue(), "many.docx", replace(LIMITS, max_entries=10))

    dense = bomb("docx", expanded_mb=8)  # far under 200 MB, but compressed about 1000 to 1
    with pytest.raises(FileTooLarge, match=r"word/document.xml is compressed [\d,]+ to 1"):
        check_archive(dense, "dense.docx", LIMITS)

    two = io.BytesIO()
    with zipfile.ZipFile(two, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/a.xml", os.urandom(700 * 1024))
        z.writestr("word/b.xml", os.urandom(700 * 1024))
    with pytest.raises(FileTooLarge, match="expands to more than 1 MiB in total"):
        check_archive(two.getvalue(), "two.docx", replace(LIMITS, max_expanded_bytes=MB))

    inner = b"<x/>"
    for depth in range(4):  # a zip in a zip in a zip in a zip
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("word/document.xml" if depth == 3 else f"layer{depth}.zip", inner)
        inner = buf.getvalue()
    with pytest.raises(FileTooLarge, match="archives nested more than 3 deep"):
        check_archive(inner, "nested.docx", LIMITS)


def test_real_office_files_and_books_pass_the_guard() -> None:
    for name in (
        "security-policy.docx",
        "q3-2026-all-hands.pptx",
        "fleet-inventory.xlsx",
        "customer-training-2027.odt",
        "fleet-manager-guide.epub",
    ):
        data = (SAMPLE_DOCS / name).read_bytes()
        assert sniff(data) == name.rsplit(".", 1)[1]
        check_archive(data, name, LIMITS)


@pytest.fixture(scope="module")
def faulty() -> Iterator[Parser]:
    """A pool whose parse function misbehaves on request (tests/parse_faults.py), with tight limits."""
    limits = replace(PARSE_LIMITS, memory_bytes=900 * MB, timeout_s=3)
    with Parser(limits, workers=2, extract=parse_faults.extract, warm_up=False) as p:
        yield p


def _gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists()


def test_a_lying_zip_fails_cleanly(parser: Parser) -> None:
    """Sizes declared smaller than the real ones pass the guard; zipfile then stops at the declared size
    and the CRC check fails, so the part never grows in memory."""
    real = b'<?xml version="1.0"?><w:document xmlns:w="urn:w"><w:body>' + _PARA * 300_000 + b"</w:body>"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", FORMATS["docx"][0]["[Content_Types].xml"])
        z.writestr("word/document.xml", real)
    data = bytearray(buf.getvalue())
    name = b"word/document.xml"
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        struct.pack_into("<I", data, z.getinfo(name.decode()).header_offset + 22, 1000)  # local header
    central = data.find(b"PK\x01\x02")
    while central != -1:
        if data[central + 46 : central + 46 + len(name)] == name:
            struct.pack_into("<I", data, central + 24, 1000)  # its central directory record
        central = data.find(b"PK\x01\x02", central + 4)
    check_archive(bytes(data), "liar.docx", LIMITS)  # the guard believes it
    with pytest.raises((MalformedDocument, FileTooLarge)) as err:
        parser.parse(bytes(data), "liar.docx")
    assert not INTERNALS.search(str(err.value)), err.value
    assert parser.parse(b"Still parsing after the liar.", "after.txt").elements


def test_a_memory_hog_is_killed_at_the_cap(faulty: Parser) -> None:
    faulty.parse(b"Start the parsers first.", "warm.txt")  # a parser's start would eat the hog's 3 s
    started = time.monotonic()
    with (
        RssWatch() as rss,
        # The parent's watcher or the child's own RLIMIT_AS, whichever notices first.
        pytest.raises(FileTooLarge, match=r"memory .*\(RAG_INGEST__PARSE_MEMORY_MB\)"),
    ):
        faulty.parse(b"anything", "hog.txt")
    assert time.monotonic() - started < 10
    assert rss.growth < 256 * MB  # the hog's gigabyte was the child's
    assert faulty.parse(b"The pool starts a new parser.", "next.txt").elements


def test_a_parse_past_its_wall_time_ends_timeout(faulty: Parser) -> None:
    started = time.monotonic()
    with pytest.raises(ParseTimeout, match=r"longer than 3 s .*RAG_INGEST__PARSE_TIMEOUT_S"):
        faulty.parse(b"anything", "sleep-forever.txt")
    assert 3 <= time.monotonic() - started < 5


def test_cancel_kills_the_parser_within_a_second(faulty: Parser) -> None:
    faulty.parse(b"Start the parsers first.", "warm.txt")
    cancel = threading.Event()
    set_at: list[float] = []
    running: list[int] = []

    def later() -> None:
        time.sleep(1)
        running.extend(faulty.pids())
        set_at.append(time.monotonic())
        cancel.set()

    threading.Thread(target=later).start()
    with pytest.raises(Cancelled, match="cancelled while parsing"):
        faulty.parse(b"anything", "sleep-forever.txt", cancel)
    assert time.monotonic() - set_at[0] < 1
    killed = set(running) - set(faulty.pids())
    assert len(killed) == 1 and all(_gone(pid) for pid in killed)


def test_a_crash_or_a_library_bug_fails_the_document_not_the_service(faulty: Parser) -> None:
    with pytest.raises(MalformedDocument, match="the parser crashed on this file"):
        faulty.parse(b"anything", "segfault.txt")
    with pytest.raises(MalformedDocument) as err:
        faulty.parse(b"anything", "raise.txt")
    assert str(err.value) == "raise.txt: could not parse as txt"
    assert not INTERNALS.search(str(err.value))


def test_callers_in_parallel_each_get_a_parser(faulty: Parser) -> None:
    results: list[object] = []

    def one(i: int) -> None:
        results.append(faulty.parse(f"Document {i}.".encode(), f"sleep-1s-{i}.txt"))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 4
    assert len(faulty.pids()) <= 2  # never more children than workers


def test_stages_the_parser_reports_reach_the_caller_and_the_parse_ends(faulty: Parser) -> None:
    seen: list[str] = []
    parsed = faulty.parse(b"page one", "stages.txt", on_stage=seen.append)
    assert seen == ["ocr", "ocr-done"] and parsed.elements[0].text == "page one"
    assert faulty.parse(b"no stages", "plain.txt", on_stage=seen.append).elements
    assert seen == ["ocr", "ocr-done"]


def test_a_caller_stopping_at_a_stage_leaves_no_busy_child_behind(faulty: Parser) -> None:
    """A cancel seen when the parser reports OCR: that child is mid-parse; the next parse gets another."""

    running: set[int] = set()

    def stop(name: str) -> None:
        running.update(faulty.pids())
        raise Cancelled(f"stages.txt: cancelled at {name}")

    with pytest.raises(Cancelled, match="cancelled at ocr"):
        faulty.parse(b"page one", "stages.txt", on_stage=stop)
    (busy,) = running - set(faulty.pids())  # the one mid-parse is gone; an idle one may stay
    assert _gone(busy)
    assert faulty.parse(b"the next file", "next.txt").elements[0].text == "the next file"
    assert busy not in faulty.pids()


def test_a_stopped_parse_ends_the_programs_the_parser_started(faulty: Parser) -> None:
    """pandoc and tesseract run as the parser's children: a timeout (or cancel) ends them with it."""
    seen: list[str] = []
    with pytest.raises(ParseTimeout):
        faulty.parse(b"x", "helper-forever.txt", on_stage=seen.append)
    (helper,) = [int(s.split()[1]) for s in seen]
    deadline = time.monotonic() + 5
    while not _dead(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _dead(helper)


def _dead(pid: int) -> bool:
    """Gone, or a zombie nobody reaped yet (an orphan's parent is whatever runs as PID 1 here)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_close_leaves_no_process_behind() -> None:
    limits = replace(PARSE_LIMITS, max_file_bytes=MB, timeout_s=5)
    p = Parser(limits, workers=1, extract=parse_faults.extract, warm_up=False)
    assert p.pids() == []  # started lazily
    p.parse(b"one", "sleep-1s.txt")
    pids = p.pids()
    assert len(pids) == 1
    errors: list[BaseException] = []

    def busy() -> None:
        try:
            p.parse(b"never ends", "sleep-forever.txt")
        except BaseException as e:  # noqa: BLE001 - checked below
            errors.append(e)

    worker = threading.Thread(target=busy)
    worker.start()
    time.sleep(0.5)
    p.close()  # while a parse is running: it ends as cancelled, its child killed
    worker.join(timeout=5)
    assert [type(e) for e in errors] == [Cancelled] and "shutting down" in str(errors[0])
    assert p.pids() == [] and all(_gone(pid) for pid in pids)
    with pytest.raises(Cancelled, match="shutting down"):
        p.parse(b"two", "two.txt")


def test_cancel_reaches_the_parser_through_the_runtime(runtime) -> None:
    """The job runner's cancel Event stops a long parse at once: outcome failed, ``cancelled``. (HTML: our
    own plain-text parser takes well under a second for this, unstructured many seconds.)"""
    text = "".join(f"<p>Paragraph {i}. The robot docks, charges and drives on.</p>" for i in range(60_000))
    cancel = threading.Event()
    threading.Timer(1.0, cancel.set).start()
    started = time.monotonic()
    outcome = runtime.ingest_one(Source.from_bytes(text.encode(), "long.html", "default"), cancel=cancel)
    assert (outcome.status, outcome.reason) == ("failed", "cancelled")
    assert time.monotonic() - started < 2.5


def test_a_cancel_while_embedding_writes_nothing_and_records_no_document(runtime) -> None:
    """A cancel after parsing (here: as embedding starts) stops before the write: no chunks, no document
    row (a cancel says nothing about the file), and the same file ingests normally afterwards."""
    text = "\n\n".join(f"Paragraph {i}. The robot docks, charges and drives on." for i in range(400))
    src = Source.from_bytes(text.encode(), "manual.txt", "default")
    cancel = threading.Event()

    def stage(name: str) -> None:
        if name == "embedding":
            cancel.set()

    outcome = runtime.ingest_one(src, stage, cancel)
    assert (outcome.status, outcome.reason) == ("failed", "cancelled")
    assert runtime.registry.get("default", outcome.doc_id) is None
    assert runtime.store.chunks("default", outcome.doc_id) == []
    assert runtime.ingest_one(src).status == "added"


def test_the_runtime_wires_one_parser_and_closes_it(settings) -> None:
    from app.runtime import Runtime

    rt = Runtime(settings)
    assert rt.ingestor.parser is rt.parser
    # RAG_INGEST__PARSE_WORKERS unset: one per job worker, or per document parsed at once if more.
    assert rt.parser.workers == max(settings.api.job_workers, settings.ingest.parse_concurrency)
    assert rt.parser.parse(b"<p>The dock charger costs 3200 euros.</p>", "price.html").elements
    pids = rt.parser.pids()
    rt.close()
    assert pids and all(_gone(pid) for pid in pids)


# --- what the serving process does, and what comes back to it -----------------------------------------


def many_entries_zip(size: int) -> bytes:
    """A zip of ``size`` bytes of empty entries (half a million for 40 MB), written record by record: a
    zipfile.ZipFile would take a minute to write it, and builds an object per entry to read it."""
    local = struct.Struct("<4s2B4HL2L2H")
    central = struct.Struct("<4s4B4HL2L5H2L")
    n = size // (local.size + central.size + 2 * 8)
    names = [b"%08d" % i for i in range(n)]
    offsets = range(0, n * (local.size + 8), local.size + 8)
    files = b"".join(local.pack(b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0) + name for name in names)
    directory = b"".join(
        central.pack(b"PK\x01\x02", 20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, at) + name
        for name, at in zip(names, offsets, strict=True)
    )
    end64 = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, n, n, len(directory), len(files))
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, len(files) + len(directory), 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return files + directory + end64 + locator + end


def test_the_many_entries_zip_is_a_zip() -> None:
    data = many_entries_zip(100_000)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert len(z.infolist()) == 100_000 // 92 and z.read("00000007") == b""  # 92 bytes an entry


def parent_cost(fn) -> tuple[float, int]:
    """CPU seconds and peak Python allocation of this process while ``fn`` runs."""
    import tracemalloc

    before = resource.getrusage(resource.RUSAGE_SELF)
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    after = resource.getrusage(resource.RUSAGE_SELF)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, peak


def test_refusing_a_40_mb_zip_or_mail_costs_the_serving_process_nothing(faulty: Parser) -> None:
    """Half a million zip entries, or ten million MIME delimiter lines, are refused in the parser process
    (the checks run there, and stop at the first limit): the serving process neither spends CPU on them
    nor copies the 40 MB it hands over."""
    faulty.parse(b"Start the parsers first.", "warm.txt")
    archive = many_entries_zip(40 * MB)
    mail = b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n' + b"--b\n" * (10 * MB)
    for data, name, words in (
        (archive, "many.docx", r"holds [\d,]+ files, over the limit of 10,000"),
        (mail, "parts.eml", "more than 1,000 MIME parts"),
    ):
        started = time.monotonic()

        def refuse(data: bytes = data, name: str = name, words: str = words) -> None:
            with pytest.raises(FileTooLarge, match=words):
                faulty.parse(data, name)

        cpu, peak = parent_cost(refuse)
        assert cpu < 0.5 and peak < 4 * MB, (name, cpu, peak)
        assert time.monotonic() - started < 5


def test_a_mail_that_talks_about_boundaries_is_not_nested() -> None:
    """Only headers declare multipart boundaries: a text about MIME quoting 100 of them is one part."""
    from ingest.limits import check_email

    quoted = b"".join(
        b'Content-Type: multipart/mixed; boundary="q%d"\r\n\r\n--q%d\r\n' % (i, i) for i in range(100)
    )
    mail = (
        b"From: a@example.com\r\nSubject: MIME\r\nContent-Type: text/plain\r\n\r\nHow MIME nests:\r\n"
        + quoted
    )
    assert check_email(mail, "about-mime.eml", LIMITS) == "text/plain"


def test_a_parse_returning_more_text_than_allowed_is_too_large() -> None:
    """A document within every container limit can still yield hundreds of MB of text: the child counts
    what it sends back and refuses past RAG_INGEST__MAX_TEXT_MB, in-process parsing the same."""
    limits = replace(PARSE_LIMITS, max_text_bytes=MB)
    text = b"All work and no play makes Jack a dull boy. " * (MB // 40)
    for workers in (1, 0):
        with Parser(limits, workers=workers, extract=parse_faults.extract, warm_up=False) as p:
            with pytest.raises(FileTooLarge, match=r"text parsed from it is more than 1 MiB.*MAX_TEXT_MB"):
                p.parse(text, "jack.txt")
            assert p.parse(text[: MB // 2], "half.txt").elements


def _parser_children() -> list[int]:
    """Parser processes this process started and that still run."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z" and b"ingest.parser_child" in cmdline:
            found.append(int(stat.parent.name))
    return found


def test_a_parser_that_fails_to_start_is_killed_and_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    from api.problems import status_of
    from core.errors import ParserUnavailable

    before = _parser_children()
    # The setup cannot be sent (a lambda does not pickle): the process just started must not stay.
    p = Parser(PARSE_LIMITS, workers=1, extract=lambda *a: None, warm_up=False)
    with pytest.raises(Exception, match="pickle"):
        p.parse(b"anything", "a.txt")
    assert _parser_children() == before and not p._children
    p.close()
    # No process at all (out of processes): the pipe ends are closed and the error says what it is.
    fds = len(os.listdir("/proc/self/fd"))

    def no_process(*args: object, **kwargs: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr("subprocess.Popen", no_process)
    with Parser(PARSE_LIMITS, workers=1, extract=parse_faults.extract, warm_up=False) as p:
        with pytest.raises(ParserUnavailable, match="could not be started: Resource temporarily") as err:
            p.parse(b"anything", "a.txt")
        assert not p._children
    assert len(os.listdir("/proc/self/fd")) == fds
    assert status_of(err.value)[0] == 503


ORPHAN_PARENT = """
import sys, threading, time
sys.path[:0] = {paths!r}
import parse_faults
from ingest.isolate import ParseLimits, Parser

p = Parser(ParseLimits.from_settings(), workers=1, extract=parse_faults.extract, warm_up=False)
threading.Thread(target=p.parse, args=(b"x", "sleep-forever.txt"), daemon=True).start()
while not p.pids():
    time.sleep(0.05)
print(p.pids()[0], flush=True)
time.sleep(600)
"""


def test_a_parser_ends_soon_after_its_server_is_killed(tmp_path: Path) -> None:
    """kill -9 of the server mid-parse left the parser running on as an orphan (892 MB, for a while)."""
    import signal
    import subprocess
    import sys

    tests = str(Path(__file__).parent)
    script = ORPHAN_PARENT.format(paths=[tests, str(Path(tests).parent)])
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())  # type: ignore[union-attr]
        time.sleep(0.5)  # the child is parsing (forever)
        assert not _gone(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5
        while not _gone(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _gone(child)
    finally:
        parent.kill()
