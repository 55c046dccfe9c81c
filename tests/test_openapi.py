"""The OpenAPI document a client is generated from: stable operation ids, every error response
described by the problem-details schema the handlers answer with, the streamed answer described."""

from __future__ import annotations

import pytest

from api.app import create_app
from api_client import key


@pytest.fixture(scope="module")
def schema() -> dict:
    return create_app().openapi()


def test_operation_ids_are_the_route_names_and_unique(schema: dict) -> None:
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    assert {"upload_documents", "query", "search", "list_documents", "get_job", "start_reindex"} <= set(ids)
    assert all(i.isidentifier() and "_v1_" not in i for i in ids)  # not FastAPI's path-derived ids


def test_every_error_response_is_a_problem(schema: dict) -> None:
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    problem = schema["components"]["schemas"]["Problem"]
    assert {"title", "status", "detail"} <= set(problem["required"])
    for path, ops in schema["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method, op in ops.items():
            codes = {int(c) for c in op["responses"] if c.isdigit()}
            assert {401, 422, 429, 500} <= codes, (method, path)
            for code in codes:
                if code >= 400:
                    content = op["responses"][str(code)]["content"]
                    assert content == {
                        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                    }, (method, path, code)


def test_the_streamed_answer_is_described(schema: dict) -> None:
    content = schema["paths"]["/v1/query"]["post"]["responses"]["200"]["content"]
    assert "text/event-stream" in content and "answer" in content["text/event-stream"]["description"]


def test_a_real_validation_error_matches_the_documented_problem(schema: dict, client) -> None:  # noqa: ANN001
    """What the schema promises is what a 422 is (the problem handler, not FastAPI's default)."""
    r = client.post("/v1/search", json={"top_k": "many"}, headers=key(client, "acme"))
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    required = set(schema["components"]["schemas"]["Problem"]["required"])
    assert required <= set(r.json()) and r.json()["errors"]
