"""Convert: OpenDocument text, RTF and EPUB bytes -> an HTML fragment, by pandoc (the binary pypandoc-binary
carries), for unstructured's HTML partitioner. unstructured's own partition_odt/rtf/epub also run pandoc,
sandboxed, through a temporary file; here pandoc's heap is capped and its run timed (a 20 MB RTF needs
more than 64 MB of heap: unbounded, a large file could take the parser's whole memory before its
watcher sees it), the bytes go through a pipe, and an ODT becomes HTML directly rather than a DOCX for
the Word partitioner. pandoc runs in its sandbox (``--sandbox``): it reads no file or URL a document
names (without it, pandoc's ODT and DOCX writers fetch a remote image to embed it). Run inside the parser
process, which kills it with itself on a timeout or a cancel (ingest.isolate).
"""

from __future__ import annotations

import functools
import subprocess
from dataclasses import dataclass

from core.errors import FileTooLarge, MalformedDocument, ParserUnavailable, ParseTimeout
from core.scrub import scrub
from core.units import MiB
from ingest.formats.clean import without_control

# Our format -> pandoc's reader.
READERS = {"odt": "odt", "rtf": "rtf", "epub": "epub"}


@dataclass(frozen=True)
class Budget:
    """What one conversion may use: pandoc's heap and its wall time."""

    memory_bytes: int
    timeout_s: float


def to_html(data: bytes, fmt: str, source: str, budget: Budget) -> bytes:
    """The document as an HTML fragment (UTF-8). MalformedDocument when pandoc cannot read it, FileTooLarge or
    ParseTimeout when it runs out of its memory or time."""
    heap_mb = max(budget.memory_bytes // MiB, 64)
    args = [_pandoc(), "+RTS", f"-M{heap_mb}m", "-RTS", "--sandbox", "-f", READERS[fmt], "-t", "html"]
    try:
        done = subprocess.run(args, input=data, capture_output=True, timeout=budget.timeout_s, check=False)
    except subprocess.TimeoutExpired as e:
        raise ParseTimeout(
            f"{source}: converting the {fmt} file took longer than {budget.timeout_s:g} s"
        ) from e
    if done.returncode == 0:
        # Without control characters: a NUL pandoc writes for an RTF's \u0 would make the HTML read as
        # UTF-16 (the decoder takes NULs for wide text).
        return without_control(done.stdout.decode("utf-8", "replace")).encode("utf-8")
    err = done.stderr.decode("utf-8", "replace")
    if "Heap exhausted" in err or "out of memory" in err:
        raise FileTooLarge(f"{source}: converting it needed more memory than is allowed")
    raise MalformedDocument(f"{source}: could not read as {fmt}: {_first_line(err)}")


def _first_line(err: str) -> str:
    lines = [line.strip() for line in err.splitlines() if line.strip()]
    return scrub(lines[0], 200) if lines else "the converter failed without saying why"


@functools.cache
def _pandoc() -> str:
    try:
        import pypandoc
    except ImportError as e:  # a dependency of the package: the installation's trouble, not the file's
        raise ParserUnavailable("pypandoc-binary is not installed: it converts .odt, .rtf and .epub") from e
    return pypandoc.get_pandoc_path()
