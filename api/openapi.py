"""The OpenAPI document as a client generator needs it: operation ids that are the route functions' names
(stable: ``upload``, ``query``), every error response described by the problem-details schema our
handlers answer with (``api.problems``), and the streamed answer described as server-sent events."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from api.problems import MEDIA_TYPE


class Problem(BaseModel):
    """An error (RFC 9457 problem details): what every 4xx and 5xx response of this API carries."""

    type: str = Field("about:blank", description="Always about:blank: the title says what went wrong.")
    title: str = Field(description="Short, stable summary of the kind of error.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request, in words.")
    errors: list[dict[str, str]] | None = Field(
        None, description="Validation errors (422): where (the field) and message, each."
    )
    reason: str | None = Field(None, description="Why a file could not be ingested (e.g. encrypted).")


# Errors any API route may answer, and the extra ones some kinds of route may.
_EVERY = {
    401: "No valid API key (Authorization: Bearer KEY or X-API-Key).",
    422: "The request does not validate: which fields, and why.",
    429: "Over the key's rate limit: Retry-After says when to try again.",
    500: "The server failed unexpectedly (the cause is in its log, never in the response).",
    504: "No response within RAG_API__REQUEST_TIMEOUT_S.",
}
_WITH_ID = {404: "No such document, job, trace, conversation, run or model for this tenant."}
_MODEL = {404: "No such model: GET /v1/models lists them."}
_WRITES = {
    409: "In a state that does not allow it (a job under way, a re-index running, a document busy).",
    413: "A file over the size limit, or over the tenant's storage quota.",
    415: "A file type that is not supported.",
}
_SERVING = {
    502: "The language model failed.",
    503: "The vector store or the parser is unavailable.",
}
_PINGS = " While nothing else is sent, a comment line `: ping` comes every RAG_API__SSE_PING_S: skip it."
_STREAMS = {
    "/v1/query": "With `stream: true`: `text/event-stream`. `token` events carry text as it is generated (or "
    "as checked sentences when output checks are on), one `answer` event carries the whole record "
    "(citations, evidence, verification, usage), an `error` event a problem if the answer failed." + _PINGS,
    "/v1/chat/completions": "With `stream: true`: `text/event-stream` as OpenAI streams: unnamed events, "
    "each a `chat.completion.chunk` (the last with `finish_reason`, `citations`, `refused` and `trace_id`; "
    "then one with `usage` if `stream_options.include_usage`), or an object with `error` if the answer "
    "failed, and finally `data: [DONE]`." + _PINGS,
}


def operation_id(route: APIRoute) -> str:
    """The route function's name: stable across paths and methods (a test keeps them unique)."""
    return route.name


def install(app: FastAPI) -> None:
    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
            _describe_errors(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


def _describe_errors(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components["Problem"] = Problem.model_json_schema()
    ref = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/v1/"):
            continue
        for method, op in operations.items():
            errors = dict(_EVERY)
            if "{" in path:
                errors |= _WITH_ID
            if method in ("post", "put", "delete"):
                errors |= _WRITES
            if path in ("/v1/query", "/v1/search", "/v1/documents", "/v1/chat/completions"):
                errors |= _SERVING
            if path == "/v1/chat/completions":
                errors |= _MODEL
            responses = op.setdefault("responses", {})
            for code, description in errors.items():
                responses[str(code)] = {"description": description, "content": ref}
            if path in _STREAMS and "200" in responses:
                responses["200"].setdefault("content", {})["text/event-stream"] = {
                    "schema": {"type": "string"},
                    "description": _STREAMS[path],
                }
