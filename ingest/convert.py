"""Convert: OpenDocument text, RTF and EPUB bytes -> HTML, by pandoc (the binary pypandoc-binary carries),
for unstructured's HTML partitioner. That is what unstructured's own partition_odt/rtf/epub do, with three
differences: pandoc runs in its sandbox (a document's links to files or URLs, an image at
http://169.254.169.254 among them, are never read: no server-side request forgery through a pandoc
writer that embeds images), its heap is capped and its run timed, and the bytes go through a pipe rather
than a temporary file. Run inside the parser process, whose limits (address space, CPU) pandoc inherits.
"""

from __future__ import annotations

import functools
import subprocess
from dataclasses import dataclass

from core.errors import FileTooLarge, MalformedDocument, ParserUnavailable, ParseTimeout
from core.scrub import scrub
from core.units import MiB

# Our format -> pandoc's reader.
READERS = {"odt": "odt", "rtf": "rtf", "epub": "epub"}


@dataclass(frozen=True)
class Budget:
    """What one conversion may use: pandoc's heap and its wall time."""

    memory_bytes: int
    timeout_s: float


def to_html(data: bytes, fmt: str, source: str, budget: Budget) -> bytes:
    """The document as one HTML page (UTF-8). MalformedDocument when pandoc cannot read it, FileTooLarge or
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
        return done.stdout
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
