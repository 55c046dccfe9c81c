"""Server-sent events read from a response's lines: (event name, data) pairs, as the EventSource
standard reads them; comments (keep-alive pings) skipped."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def events(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(name, data) per event: the name ``message`` when the event gives none, the data lines joined by
    newlines. ``lines`` without their line endings (httpx's ``iter_lines``, ``str.splitlines``)."""
    name, data = "message", []
    for line in lines:
        if not line:
            if data:
                yield name, "\n".join(data)
            name, data = "message", []
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
        # "" (a comment), "id", "retry" and unknown fields: nothing a reader of our streams needs
    if data:
        yield name, "\n".join(data)
