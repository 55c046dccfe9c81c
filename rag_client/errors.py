"""The API's errors (RFC 9457 problem details: title, status, detail) as exceptions, one class per kind a
caller handles differently."""

from __future__ import annotations

from typing import Any

import httpx


class ApiError(Exception):
    """An error response: ``status``, ``title`` (the kind), ``detail`` (what went wrong, in words) and the
    whole ``problem`` (validation ``errors``, an ingest ``reason``...)."""

    def __init__(self, status: int, title: str, detail: str, problem: dict[str, Any]) -> None:
        super().__init__(f"{status} {title}: {detail}")
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


class RateLimited(ApiError):
    """429: over the key's rate limit; ``retry_after`` seconds until a request may go."""

    def __init__(
        self, status: int, title: str, detail: str, problem: dict[str, Any], retry_after: float
    ) -> None:
        super().__init__(status, title, detail, problem)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the service (or the model, the store) failed; trying again later may work."""


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
    if status == 429:
        retry = float(response.headers.get("Retry-After", "1") or 1)
        raise RateLimited(status, title, detail, problem, retry)
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else InvalidRequest)
    raise cls(status, title, detail, problem)
