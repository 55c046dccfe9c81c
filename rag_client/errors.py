"""What the client raises: ``RagClientError`` and its kinds, and nothing else. The API's errors (RFC 9457
problem details: title, status, detail) are ``ApiError``s, one class per kind a caller handles
differently; a stream's ``error`` event maps to the same classes as a response's status. An argument the
client refuses before sending anything is an ``InvalidArgument``; a connection that fails, a
``ConnectionFailed``; a response that is not what the API sends, an ``UnexpectedResponse``."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx


class RagClientError(Exception):
    """Anything the client raises."""


class ApiError(RagClientError):
    """An error response: ``status``, ``title`` (the kind), ``detail`` (what went wrong, in words) and the
    whole ``problem`` (validation ``errors``, an ingest ``reason``...)."""

    def __init__(self, status: int, title: str, detail: str, problem: dict[str, Any]) -> None:
        super().__init__(f"{status} {title}: {detail}" if status else f"{title}: {detail}")
        self.status = status
        self.title = title
        self.detail = detail
        self.problem = problem


class Unauthorized(ApiError):
    """401/403: no valid API key, or not allowed with it."""


class NotFound(ApiError):
    """404: no such document, job, trace or conversation for this key's tenant."""


class Conflict(ApiError):
    """409: not in a state that allows it (a job under way, a document busy)."""


class InvalidRequest(ApiError):
    """400/413/415/422: the request itself is wrong (``problem["errors"]`` says where, for 422)."""


class InvalidArgument(InvalidRequest, ValueError):
    """Refused by the client, nothing sent (``status`` 0): an id not of the API's form, an API key that
    cannot be a header, a file that cannot be read, options that are not JSON."""

    def __init__(self, detail: str) -> None:
        super().__init__(0, "invalid argument", detail, {})


class RateLimited(ApiError):
    """429: over the key's rate limit; ``retry_after``: seconds until a request may go (None when the
    response does not say)."""

    def __init__(
        self, status: int, title: str, detail: str, problem: dict[str, Any], retry_after: float | None
    ) -> None:
        super().__init__(status, title, detail, problem)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the service (or the model, the store) failed; trying again later may work."""


class UnexpectedResponse(ApiError):
    """A response not of the API's form (not JSON, fields missing: a proxy's page, another service), or
    an answer stream that ended without its answer; ``status`` is the response's."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(status, "unexpected response", detail, {})


class ConnectionFailed(RagClientError, ConnectionError):
    """The server could not be reached, or the connection failed or timed out before the response was
    complete (httpx's error is the ``__cause__``)."""


class WaitTimedOut(RagClientError, TimeoutError):
    """Jobs, or a website sync, still running when the client gave up waiting."""


class SyncFailed(ApiError):
    """A website sync that failed after its request returned (``status`` 0): ``problem`` is the sync,
    ``reason`` a code (fetch_failed, quota, stopped, abandoned...), ``detail`` its error in words."""

    def __init__(self, run: dict[str, Any]) -> None:
        self.reason: str | None = run.get("reason")
        super().__init__(0, f"sync failed ({self.reason})", f"{run.get('source')}: {run.get('error')}", run)


_BY_STATUS: dict[int, type[ApiError]] = {
    401: Unauthorized,
    403: Unauthorized,
    404: NotFound,
    409: Conflict,
    400: InvalidRequest,
    413: InvalidRequest,
    415: InvalidRequest,
    422: InvalidRequest,
}


def error_for(
    status: int, title: str, detail: str, problem: dict[str, Any], retry_after: float | None = None
) -> ApiError:
    """The ``ApiError`` a problem with this status stands for, in a response or a stream's error event."""
    if status == 429:
        return RateLimited(status, title, detail, problem, retry_after)
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else InvalidRequest)
    return cls(status, title, detail, problem)


def raise_for(response: httpx.Response) -> None:
    """Raise the ``ApiError`` a 4xx/5xx response stands for; nothing for a success."""
    if response.status_code < 400:
        return
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    status = response.status_code
    title = str(problem.get("title") or response.reason_phrase or "error")
    detail = str(problem.get("detail") or response.text[:500])
    raise error_for(status, title, detail, problem, retry_after(response.headers.get("Retry-After")))


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After header's seconds to wait: it gives either seconds or an HTTP date (RFC 9110 10.2.3);
    None when absent or neither."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # "-0000": UTC, said without a zone
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
    return seconds if seconds >= 0 and seconds != float("inf") else None
