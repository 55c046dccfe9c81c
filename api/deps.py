"""Dependencies of the routes, as Annotated aliases: the services, and the caller (API key -> tenant),
rate-limited per key."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.keys import Principal
from api.problems import ApiProblem
from api.ratelimit import retry_after
from api.services import Services

_bearer = HTTPBearer(auto_error=False, description="An API key from `rag keys create`.")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="The same key, as a header.")


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_principal(
    services: ServicesDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
) -> Principal:
    settings = services.runtime.settings
    if not settings.api.auth:
        principal = Principal("local", settings.tenant, True)
    else:
        key = bearer.credentials if bearer else header
        if not key:
            raise ApiProblem(
                401,
                "authentication required",
                "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
                {"WWW-Authenticate": "Bearer"},
            )
        found = services.keys.verify(key)
        if found is None:
            raise ApiProblem(
                401, "invalid API key", "the API key is unknown or revoked", {"WWW-Authenticate": "Bearer"}
            )
        principal = found
    wait = services.limiter.take(principal.key_id)
    if wait > 0:
        services.metrics.rate_limited.inc()
        raise ApiProblem(
            429,
            "rate limit exceeded",
            f"too many requests for this API key (RAG_API__RATE_PER_MINUTE={settings.api.rate_per_minute:g})",
            {"Retry-After": retry_after(wait)},
        )
    return principal


Caller = Annotated[Principal, Depends(get_principal)]


def get_admin(caller: Caller) -> Principal:
    if not caller.admin:
        raise ApiProblem(403, "admin key required", "this operation needs an API key created with --admin")
    return caller


Admin = Annotated[Principal, Depends(get_admin)]
