"""Dependencies of the routes, as Annotated aliases: the services, and the caller (API key -> tenant),
rate-limited per key. Failed authentications are rate-limited per client address: once an address has
failed too often, its requests are answered 429 before any key is looked at, whatever key they carry,
until its budget refills; other addresses are not affected."""

from __future__ import annotations

import time
from typing import Annotated, NoReturn

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.keys import Principal
from api.problems import ApiProblem
from api.ratelimit import retry_after
from api.services import Services

_bearer = HTTPBearer(auto_error=False, description="An API key from `rag keys create`.")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="The same key, as a header.")


async def get_services(request: Request) -> Services:  # async: no worker thread for a lookup
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_started(request: Request) -> float:
    """When the request started (``time.monotonic``), as the app's middleware noted it: before its body
    was received, as the request timeout counts."""
    return getattr(request.state, "started", None) or time.monotonic()


Started = Annotated[float, Depends(get_started)]

# What ?wait=true leaves of the request's time for the answer: a tenth of it, between 1 and 10 s.
WAIT_MARGIN_SHARE, WAIT_MARGIN_MIN_S, WAIT_MARGIN_MAX_S = 0.1, 1.0, 10.0


def wait_budget(wait_timeout_s: float, request_timeout_s: float, spent_s: float) -> float:
    """How long ?wait=true may wait: its own limit, but never so long that the request times out
    (an accepted upload must not answer 504)."""
    margin = min(WAIT_MARGIN_MAX_S, max(WAIT_MARGIN_MIN_S, request_timeout_s * WAIT_MARGIN_SHARE))
    return max(0.0, min(wait_timeout_s, request_timeout_s - margin - spent_s))


def get_principal(
    request: Request,
    services: ServicesDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
) -> Principal:
    return principal_of(request, services, bearer.credentials if bearer else header)


async def key_of(request: Request) -> str | None:
    """The API key a request carries, read as the routes' dependencies read it (for /mcp, not a route)."""
    bearer = await _bearer(request)
    return bearer.credentials if bearer else await _header(request)


def principal_of(request: Request, services: Services, key: str | None) -> Principal:
    """Who ``key`` is (any caller when auth is off), its failures and its rate limit counted: 401 or 429
    as problems."""
    settings = services.runtime.settings
    if not settings.api.auth:
        principal = Principal("local", settings.tenant, True)
    else:
        # An address out of failures is refused before its key is looked at: guessing on past the
        # limit checks nothing, so a right guess there succeeds no more than a wrong one.
        address = request.client.host if request.client else "unknown"
        failures = services.limits.auth_failures
        _refuse_if_exhausted(services, failures.peek(address))
        found = services.keys.verify(key) if key else None
        if found is None:
            services.metrics.auth_failures.inc()
            failures.take(address)
            _refuse("the API key is unknown or revoked" if key else None)
        principal = found
    wait = services.limits.per_key.take(principal.key_id)
    if wait > 0:
        services.metrics.rate_limited.inc()
        raise ApiProblem(
            429,
            "rate limit exceeded",
            f"too many requests for this API key (RAG_API__RATE_PER_MINUTE={settings.api.rate_per_minute:g})",
            {"Retry-After": retry_after(wait)},
        )
    return principal


def _refuse_if_exhausted(services: Services, wait: float) -> None:
    """429 while this address has failed too often (``wait``: seconds until it may try again)."""
    if wait > 0:
        services.metrics.rate_limited.inc()
        raise ApiProblem(
            429,
            "too many failed authentications",
            "too many requests without a valid API key from this address "
            f"(RAG_API__AUTH_FAIL_PER_MINUTE={services.runtime.settings.api.auth_fail_per_minute:g})",
            {"Retry-After": retry_after(wait)},
        )


def _refuse(invalid: str | None) -> NoReturn:
    """401 for a missing or bad key."""
    if invalid is None:
        raise ApiProblem(
            401,
            "authentication required",
            "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
            {"WWW-Authenticate": "Bearer"},
        )
    raise ApiProblem(401, "invalid API key", invalid, {"WWW-Authenticate": "Bearer"})


Caller = Annotated[Principal, Depends(get_principal)]


def get_admin(caller: Caller) -> Principal:
    if not caller.admin:
        raise ApiProblem(403, "admin key required", "this operation needs an API key created with --admin")
    return caller


Admin = Annotated[Principal, Depends(get_admin)]
