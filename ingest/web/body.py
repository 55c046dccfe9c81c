"""A response body as it is kept: decompressed by us, in bounded steps, never past the caller's limit.

httpx's own decoders expand each compressed read whole, and a body encoded twice (``Content-Encoding:
gzip, gzip``) expands each layer in one go: 3.5 KB of stacked gzip became 2 GiB in memory before a size
check could see it. So the raw bytes are read (``iter_raw``) and inflated here with zlib's
``max_length``: at most the limit plus one byte exists at any time. One coding only (gzip or deflate, or
none), the ones we ask for; any other is refused.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

from ingest.web.errors import NotTaken

_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


def decoded(raw: Iterable[bytes], content_encoding: str, limit: int) -> Iterator[bytes]:
    """The body of ``raw`` chunks under ``content_encoding``, chunk by chunk; never more than ``limit`` + 1
    bytes in all (the caller sees it is over)."""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        yield from raw
        return
    if len(codings) > 1 or codings[0] not in _WBITS:
        raise NotTaken("unsupported_encoding", f"a body encoded as {content_encoding[:80]!r} is not read")
    inflate = zlib.decompressobj(_WBITS[codings[0]])
    raw_deflate, started = False, False
    left = limit + 1
    for chunk in raw:
        pending = chunk
        while pending and left > 0:
            try:
                out = inflate.decompress(pending, left)
            except zlib.error as e:
                if codings[0] == "deflate" and not raw_deflate and not started:
                    # "deflate" is often sent without its zlib header: read it as raw deflate instead.
                    inflate, raw_deflate = zlib.decompressobj(-zlib.MAX_WBITS), True
                    continue
                raise NotTaken("bad_encoding", f"the {codings[0]} body is corrupt: {e}") from e
            started = True
            left -= len(out)
            if out:
                yield out
            pending = inflate.unconsumed_tail
        if left <= 0:
            return
    if not inflate.eof:
        raise NotTaken("bad_encoding", f"the {codings[0]} body ends before its end: cut off in transit")
