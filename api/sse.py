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
import contextlib
import json
import threading
from collections.abc import AsyncIterator, Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from fastapi.sse import KEEPALIVE_COMMENT, EventSourceResponse, ServerSentEvent, format_sse_event

Events = Generator[bytes, None, None]

# Each stream's events are produced by one thread of its own pool for the stream's whole life (the
# answer is computed as it is sent); past this many streams at once, a new one waits for a thread and
# gets keep-alives meanwhile.
_PRODUCERS = ThreadPoolExecutor(max_workers=64, thread_name_prefix="sse")
_END = object()


@dataclass
class _Failed:
    error: BaseException


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
    """``events`` pulled by a producer thread into a queue; a keep-alive whenever none came for
    ``every_s``. When the client goes away the producer is told to stop: it closes ``events`` itself
    after the event under way (its thread, so never while the generator runs), and the route's
    generator learns the answer was abandoned."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    stop = threading.Event()

    def put(item: object) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed (the server stopping): nobody waits
            loop.call_soon_threadsafe(queue.put_nowait, item)

    _PRODUCERS.submit(_produce, events, put, stop)
    try:
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), every_s)
            except TimeoutError:
                yield KEEPALIVE_COMMENT
                continue
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()


def _produce(events: Events, put: Callable[[object], None], stop: threading.Event) -> None:
    try:
        for item in events:
            if stop.is_set():
                break
            put(item)
    except BaseException as e:  # noqa: BLE001 - handed to the consumer, which raises it in the response
        put(_Failed(e))
    finally:
        events.close()
        put(_END)
