"""Server-sent events: FastAPI's own response class, event model and wire format, with a keep-alive
comment whenever the stream has been silent for a while (retrieval, verification, a slow model), so
proxies and load balancers keep the connection open.

The answering routes answer JSON or a stream depending on a field of the body, so they return the
response instead of being generator endpoints, and the keep-alive FastAPI adds to those is added here.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator

import anyio.to_thread
from fastapi.sse import KEEPALIVE_COMMENT, EventSourceResponse, ServerSentEvent, format_sse_event

# Steps still running after their stream's client went away: held until they finish, as asyncio keeps
# only weak references to tasks.
_ORPHANS: set[asyncio.Task] = set()
_END = object()


def event_stream(events: Iterator[ServerSentEvent], ping_s: float) -> EventSourceResponse:
    """``events`` (a blocking iterator: the answer is computed as it is sent) as a response not buffered
    by a proxy (nor cached: api/headers.py), with a keep-alive comment after each ``ping_s`` of silence."""
    return EventSourceResponse(_pinging(map(encode, events), ping_s), headers={"X-Accel-Buffering": "no"})


def encode(event: ServerSentEvent) -> bytes:
    """The wire form: data as JSON (non-ASCII kept as is), or ``raw_data`` verbatim."""
    data = event.raw_data if event.raw_data is not None else json.dumps(event.data, ensure_ascii=False)
    return format_sse_event(data_str=data, event=event.event, id=event.id, comment=event.comment)


async def _pinging(events: Iterator[bytes], every_s: float) -> AsyncIterator[bytes]:
    """Each next event pulled in a worker thread; waiting on it is timed, never cancelled, so a
    keep-alive in between loses nothing."""
    step: asyncio.Task | None = None
    while True:
        if step is None:
            step = asyncio.ensure_future(anyio.to_thread.run_sync(next, events, _END))
            _ORPHANS.add(step)
            step.add_done_callback(_ORPHANS.discard)
        done, _ = await asyncio.wait({step}, timeout=every_s)
        if not done:
            yield KEEPALIVE_COMMENT
            continue
        item, step = step.result(), None
        if item is _END:
            return
        yield item
