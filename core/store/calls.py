"""How the server adapter calls qdrant-client: under a lock only in local mode, and again after a
transient failure only when sending the call twice cannot change what it did.

Local mode (``QdrantClient(":memory:")`` or ``path=``) runs the engine inside this process and is not
thread-safe, so every call on one local client holds that client's lock (one lock per client, shared by
every store and version on it). A server is reached over HTTP through httpx, which is thread-safe: calls
from many threads run side by side.

A read (query, count, scroll, facet, aliases, collection info) is sent again after a transient failure:
the connection refused, reset or timed out, or a 502/503/504 from the server or a proxy before it. A
write is sent again only when it never left this process (the connection was refused before a byte of
it was sent). An upsert of the same point ids and a delete by filter are idempotent on their own, but a
write that timed out may still be applied later, after a write we sent since (a delayed delete of a
document would remove the points of its next upload): such a write fails with a ``StoreError`` and
the document's job fails; writing the document again is safe, point ids being deterministic.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import weakref
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import httpx
from qdrant_client.http.exceptions import ApiException, ResponseHandlingException, UnexpectedResponse
from qdrant_client.local.qdrant_local import QdrantLocal

log = logging.getLogger(__name__)

# Statuses a proxy or a node sends while a peer restarts or a shard moves; 500 means a bad request here.
_RETRY_STATUSES = frozenset({502, 503, 504})
# Errors of the connection, not of the request: timeouts, refused/reset connections, a peer that closed.
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
# Raised before any byte of the request was sent: the server cannot have seen it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout)


@dataclass(frozen=True)
class Retries:
    """How often a failed call is sent again (``attempts`` = 1 + ``count``), and the first pause."""

    count: int = 3
    backoff_s: float = 0.2  # doubled after each attempt, with jitter so replicas do not retry in step

    def delay(self, attempt: int) -> float:
        return self.backoff_s * (2**attempt) * random.uniform(0.5, 1.0)


def is_local(client: Any) -> bool:
    """Whether ``client`` runs the engine in this process: qdrant-client itself tells the two modes
    apart by the type of its inner ``_client`` (``QdrantLocal`` or ``QdrantRemote``)."""
    return isinstance(getattr(client, "_client", None), QdrantLocal)


def transient(e: BaseException) -> bool:
    """A failure that says nothing about the call itself: the same call may well succeed soon."""
    if isinstance(e, UnexpectedResponse):
        return e.status_code in _RETRY_STATUSES
    return isinstance(e, ResponseHandlingException) and isinstance(e.source, _TRANSIENT)


def not_sent(e: BaseException) -> bool:
    """The call never reached the server: sending it again cannot apply it twice."""
    return isinstance(e, ResponseHandlingException) and isinstance(e.source, _NOT_SENT)


_locks: weakref.WeakKeyDictionary[Any, threading.RLock] = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()


def client_lock(client: Any) -> AbstractContextManager[Any]:
    """The lock every call on ``client`` holds: its own in local mode, none for a server."""
    if not is_local(client):
        return nullcontext()
    with _locks_guard:
        lock = _locks.get(client)
        if lock is None:
            lock = _locks[client] = threading.RLock()
    return lock


class Caller:
    """Calls on one client: serialised in local mode, retried as the module docstring says."""

    def __init__(self, client: Any, retries: Retries | None = None) -> None:
        self.lock = client_lock(client)
        self.retries = retries or Retries()

    def __call__(self, what: str, fn: Any, *args: Any, read: bool, **kwargs: Any) -> Any:
        attempt = 0
        while True:
            try:
                with self.lock:
                    return fn(*args, **kwargs)
            except ApiException as e:
                again = transient(e) if read else not_sent(e)
                if not again or attempt >= self.retries.count:
                    raise
                delay = self.retries.delay(attempt)
                attempt += 1
                log.warning(
                    "Qdrant %s failed (%s); attempt %d of %d in %.2f s",
                    what,
                    _reason(e),
                    attempt + 1,
                    self.retries.count + 1,
                    delay,
                )
                time.sleep(delay)


def _reason(e: ApiException) -> str:
    if isinstance(e, UnexpectedResponse):
        return f"HTTP {e.status_code}"
    source = getattr(e, "source", None)
    return (str(source) or type(source).__name__) if source is not None else str(e)
