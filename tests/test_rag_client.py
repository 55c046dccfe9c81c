"""The Python client (rag_client) in a scripted session against a live server on loopback: upload, ask,
follow-up, a cited answer streamed and not, a refusal, feedback, tenant isolation, errors as exceptions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.app import create_app
from api_client import DEFAULT_REPLY, live_server
from app.runtime import Runtime
from conftest import SAMPLE_DOCS
from core.settings import load_settings
from llm_server import ScriptedLLM
from rag_client import Answer, InvalidRequest, NotFound, RagClient, Unauthorized


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, embedder, onnx_cache) -> Iterator[tuple[str, dict]]:
    with ScriptedLLM(default=DEFAULT_REPLY) as llm:
        settings = load_settings(
            data_dir=tmp_path_factory.mktemp("client") / "data",
            embedding={"cache_dir": onnx_cache},
            llm={"base_url": llm.base_url, "model": "scripted", "max_retries": 0},
        )
        rt = Runtime(settings)
        rt.embedder = embedder  # type: ignore[misc]
        app = create_app(runtime=rt)
        with live_server(app) as base:
            keys = app.state.services.keys
            yield base, {tenant: keys.create(tenant)[0] for tenant in ("acme", "globex")}


@pytest.fixture(scope="module")
def acme(server) -> Iterator[RagClient]:  # noqa: ANN001
    base, keys = server
    with RagClient(base, keys["acme"]) as client:
        (job,) = client.upload(SAMPLE_DOCS / "employee-handbook.md")
        assert job is not None and job.state == "indexed" and job.chunks > 0
        yield client


def test_upload_waits_and_lists(acme: RagClient) -> None:
    docs = acme.documents()
    assert [d.source for d in docs] == ["employee-handbook.md"] and docs[0].status == "indexed"
    assert acme.document(docs[0].id).chunk_count == docs[0].chunk_count
    assert acme.upload(("employee-handbook.md", (SAMPLE_DOCS / "employee-handbook.md").read_bytes())) == [
        None
    ]


def test_ask_cites_and_follows_up(acme: RagClient) -> None:
    answer = acme.ask("How many days of paid annual leave do employees get?")
    assert not answer.refused and "27 days" in answer.answer
    assert answer.citations[0].source == "employee-handbook.md"
    again = acme.ask("And for part-timers?", conversation_id=answer.conversation_id)
    assert again.conversation_id == answer.conversation_id and again.answer
    acme.feedback(answer.trace_id, 1, "right")


def test_a_streamed_answer_is_text_then_the_record(acme: RagClient) -> None:
    pieces = list(acme.ask_stream("How many days of paid annual leave do employees get?"))
    *text, last = pieces
    assert isinstance(last, Answer) and all(isinstance(t, str) for t in text) and text
    assert "".join(text).strip() and last.citations


def test_a_question_the_documents_cannot_answer_is_refused(acme: RagClient) -> None:
    answer = acme.ask("What is the capital of Peru?")
    assert answer.refused and answer.refusal and answer.refusal["reason"] and answer.citations == []


def test_another_tenant_sees_nothing_of_acme(server, acme: RagClient) -> None:  # noqa: ANN001
    base, keys = server
    with RagClient(base, keys["globex"]) as globex:
        assert globex.documents() == []
        assert globex.search("annual leave") == []
        with pytest.raises(NotFound):
            globex.document(acme.documents()[0].id)


def test_errors_are_the_problems_as_exceptions(server, acme: RagClient) -> None:  # noqa: ANN001
    base, _ = server
    with RagClient(base, "rk_wrong") as stranger, pytest.raises(Unauthorized) as e:
        stranger.documents()
    assert e.value.status == 401 and e.value.detail
    with pytest.raises(InvalidRequest) as bad:
        acme.ask("   ")
    assert bad.value.status == 422 and bad.value.problem["errors"]
    with pytest.raises(NotFound):
        acme.job("0" * 32)
