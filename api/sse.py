"""Server-sent events: FastAPI's own response class, event model and wire format, with a keep-alive
comment whenever the stream has been silent for a while (retrieval, verification, a slow model), so
proxies and load balancers keep the connection open.

The answering routes answer JSON or a stream depending on a field of the body, so they return the
response instead of being generator endpoints, and the keep-alive FastAPI adds to those is added here.
A route's generator encodes its own events (``event``), inside the boundary where a failure becomes an
error event.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Generator
from typing import Any

import anyio.to_thread
from fastapi.sse import KEEPALIVE_COMMENT, EventSourceResponse, ServerSentEvent, format_sse_event

Events = Generator[bytes, None, None]

# Steps still running after their stream's client went away: held until they finish, as asyncio keeps
# only weak references to tasks.
_ORPHANS: set[asyncio.Future] = set()
_END = object()


def event_stream(events: Events, ping_s: float) -> EventSourceResponse:
    """``events`` (a blocking generator: the answer is computed as it is sent) as a response not buffered
    by a proxy (nor cached: api/headers.py), with a keep-alive comment after each ``ping_s`` of silence."""
    return EventSourceResponse(_pinging(events, ping_s), headers={"X-Accel-Buffering": "no"})


def event(data: Any, name: str | None = None) -> bytes:
    """One event: ``data`` as JSON (non-ASCII kept as is), under ``name`` if given."""
    e = ServerSentEvent(data=data, event=name)
    return format_sse_event(data_str=json.dumps(e.data, ensure_ascii=False), event=e.event)


def raw(data: str) -> bytes:
    """One event whose data is ``data`` as is (``[DONE]``)."""
    return format_sse_event(data_str=data)


async def _pinging(events: Events, every_s: float) -> AsyncIterator[bytes]:
    """Each next event pulled in a worker thread; waiting on it is timed, never cancelled, so a
    keep-alive in between loses nothing. When the client goes away, ``events`` is closed once the step
    under way ends (its LLM call released then, not whenever the collector runs)."""
    step: asyncio.Future | None = None
    try:
        while True:
            if step is None:
                step = asyncio.ensure_future(anyio.to_thread.run_sync(next, events, _END))
            done, _ = await asyncio.wait({step}, timeout=every_s)
            if not done:
                yield KEEPALIVE_COMMENT
                continue
            item, step = step.result(), None
            if item is _END:
                return
            yield item
    finally:
        _close_after(step, events)


def _close_after(step: asyncio.Future | None, events: Events) -> None:
    loop = asyncio.get_running_loop()
    if step is None or step.done():
        loop.run_in_executor(None, events.close)
        return
    _ORPHANS.add(step)

    def closing(_: asyncio.Future) -> None:
        _ORPHANS.discard(step)
        loop.run_in_executor(None, events.close)

    step.add_done_callback(closing)
