"""The Python client (rag_client) in a scripted session against a live server on loopback: upload, ask,
follow-up, a cited answer streamed and not, a refusal, feedback, tenant isolation, errors as exceptions.
Only the client's own errors escape: ids and keys checked before anything is sent, a stream's error event
mapped as a response's status is; what a live server cannot send (a page that is not JSON, a stream cut
before its answer, a Retry-After date) comes from a scripted httpx transport."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from api.app import create_app
from api_client import DEFAULT_REPLY, live_server
from app.runtime import Runtime
from conftest import SAMPLE_DOCS
from core.settings import load_settings
from llm_server import Reply, ScriptedLLM
from rag_client import (
    Answer,
    ConnectionFailed,
    InvalidArgument,
    InvalidRequest,
    NotFound,
    RagClient,
    RagClientError,
    RateLimited,
    ServerError,
    Unauthorized,
    UnexpectedResponse,
)
from rag_client.errors import retry_after

LEAVE = "How many days of paid annual leave do employees get?"


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedLLM]:
    with ScriptedLLM(default=DEFAULT_REPLY) as llm:
        yield llm


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, embedder, onnx_cache, scripted: ScriptedLLM
) -> Iterator[tuple[str, dict]]:
    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("client") / "data",
        embedding={"cache_dir": onnx_cache},
        llm={"base_url": scripted.base_url, "model": "scripted", "max_retries": 0},
        sources={"allow_private": True, "crawl_delay_cap_s": 0},  # the test site is on loopback
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


def test_a_website_is_synced_and_its_chunks_say_their_language(acme: RagClient, tmp_path) -> None:  # noqa: ANN001
    import functools
    import http.server
    import threading

    (tmp_path / "index.html").write_text(
        "<html><head><title>Kantine</title></head><body><h1>Kantine</h1><p>Die Kantine im Erdgeschoss hat "
        "montags bis freitags von 11:30 bis 14:00 Uhr geöffnet. Das vegetarische Tagesgericht kostet sechs "
        "Euro und wird jeden Morgen frisch gekocht.</p></body></html>"
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{site.server_address[1]}/index.html"
        first = acme.sync_site(url, max_depth=0)
        assert (first.added, first.deleted, first.source) == (1, 0, url)
        assert acme.sync_site(url).not_read == 1
    finally:
        site.shutdown()
        site.server_close()
    [hit] = acme.search("Wann hat die Kantine geöffnet?", top_k=1, filters={"languages": ["de"]})
    assert hit.language == "de" and "11:30" in hit.text


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


class Recording(httpx.HTTPTransport):
    """The real transport, remembering each request sent."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(f"{request.method} {request.url.raw_path.decode()}")
        return super().handle_request(request)


@pytest.mark.parametrize(
    "bad",
    ["../jobs/abc", "../../v1/jobs/x", "84f7/chunks", "", "#", "?x=1", ".", "..", "a" * 65, "ключ", None],
)
def test_an_id_not_of_the_api_form_is_refused_before_sending(server, acme: RagClient, bad) -> None:  # noqa: ANN001
    """Before, ``delete("../jobs/abc")`` sent DELETE /v1/jobs/abc (a job cancelled), ``document("")``
    raised a JSONDecodeError, ``document("84f7/chunks")`` a KeyError."""
    base, keys = server
    recording = Recording()
    with RagClient(base, keys["acme"], transport=recording) as client:
        for call in (client.document, client.delete, client.job, lambda x: client.wait([x])):
            with pytest.raises(InvalidArgument) as e:
                call(bad)
            assert isinstance(e.value, ValueError) and isinstance(e.value, InvalidRequest)
            assert "1 to 64 letters" in str(e.value)
        assert recording.sent == []
        doc = acme.documents()[0]
        assert client.document(doc.id).id == doc.id  # a good id still goes through, as one segment
    assert recording.sent == [f"GET /v1/documents/{doc.id}"]


def test_a_stream_error_event_is_the_class_its_status_stands_for(
    acme: RagClient, scripted: ScriptedLLM
) -> None:
    """A failing model is a 502 ServerError whether the answer is streamed or not (the stream raised
    the base ApiError)."""
    scripted.queue(Reply(status=500, error="boom"))
    with pytest.raises(ServerError) as whole:
        acme.ask(LEAVE)
    scripted.queue(Reply(status=500, error="boom"))
    with pytest.raises(ServerError) as streamed:
        list(acme.ask_stream(LEAVE))
    assert whole.value.status == streamed.value.status == 502
    assert "boom" in whole.value.detail and "boom" in streamed.value.detail


@pytest.mark.parametrize("key", ["rk_a\nb", "rk_a b", "ключ-🔑", "rk_\x00"])
def test_a_key_no_header_can_carry_is_refused_when_the_client_is_made(server, key: str) -> None:  # noqa: ANN001
    base, _ = server
    with pytest.raises(InvalidArgument) as e:
        RagClient(base, key)
    assert isinstance(e.value, ValueError) and "printable ASCII" in str(e.value)
    assert key not in str(e.value)  # a secret is not echoed


def test_no_server_is_a_connection_failure() -> None:
    with RagClient("http://127.0.0.1:9", timeout_s=5) as client, pytest.raises(ConnectionFailed) as e:
        client.documents()
    assert isinstance(e.value, RagClientError) and "GET http://127.0.0.1:9/v1/documents" in str(e.value)


def test_a_file_that_cannot_be_read_is_refused(acme: RagClient, tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(InvalidArgument, match="cannot read"):
        acme.upload(tmp_path / "missing.md")


def scripted_client(handler: Callable[[httpx.Request], httpx.Response]) -> RagClient:
    """A client whose server is ``handler``: responses a live server does not send."""
    return RagClient("http://rag.test", "rk_x", transport=httpx.MockTransport(handler))


def test_a_body_not_of_the_api_form_is_an_unexpected_response() -> None:
    """A proxy's HTML page, an empty body, JSON without the fields: said with the status, not raised as
    a JSONDecodeError or a KeyError."""
    page = "<html><body>502 Bad Gateway</body></html>"
    with scripted_client(
        lambda r: httpx.Response(200, text=page, headers={"content-type": "text/html"})
    ) as c:
        with pytest.raises(UnexpectedResponse) as e:
            c.document("abc")
    assert e.value.status == 200 and "text/html" in e.value.detail and "Bad Gateway" in e.value.detail
    with (
        scripted_client(lambda r: httpx.Response(200)) as c,
        pytest.raises(UnexpectedResponse, match="empty"),
    ):
        c.documents()
    with scripted_client(lambda r: httpx.Response(200, json={"id": "abc"})) as c:
        with pytest.raises(UnexpectedResponse, match="no field 'source'"):
            c.document("abc")
        with pytest.raises(UnexpectedResponse, match="no field 'items'"):
            c.documents()


def stream(*events: str) -> Callable[[httpx.Request], httpx.Response]:
    body = "".join(f"{e}\n\n" for e in events).encode()
    return lambda r: httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})


def test_a_stream_that_ends_without_its_answer_says_so() -> None:
    with scripted_client(stream('event: token\ndata: {"text": "Employees get"}')) as c:
        pieces: list = []
        with pytest.raises(UnexpectedResponse, match="ended without an answer"):
            pieces.extend(c.ask_stream(LEAVE))
    assert pieces == ["Employees get"]
    with scripted_client(stream("event: token\ndata: not json")) as c:
        with pytest.raises(UnexpectedResponse, match="not JSON"):
            list(c.ask_stream(LEAVE))
    with scripted_client(
        stream('event: error\ndata: {"status": 429, "title": "slow down", "detail": "x"}')
    ) as c:
        with pytest.raises(RateLimited):
            list(c.ask_stream(LEAVE))


def test_retry_after_in_seconds_or_as_an_http_date() -> None:
    """RFC 9110 allows an HTTP date; it raised a ValueError."""
    when = datetime.now(UTC) + timedelta(seconds=30)

    def limited(value: str) -> float | None:
        headers = {"Retry-After": value, "content-type": "application/problem+json"}
        problem = {"title": "rate limited", "status": 429, "detail": "over the limit"}
        with scripted_client(lambda r: httpx.Response(429, json=problem, headers=headers)) as c:
            with pytest.raises(RateLimited) as e:
                c.documents()
        return e.value.retry_after

    assert limited("7") == 7
    assert 25 <= (limited(format_datetime(when, usegmt=True)) or 0) <= 30
    assert limited("soon") is None
    past = datetime(2020, 1, 1, tzinfo=UTC)
    assert retry_after("Wed, 01 Jan 2020 00:00:10 GMT", now=past) == 10
    assert retry_after("Tue, 31 Dec 2019 00:00:00 GMT", now=past) == 0
    assert retry_after("-3") is None and retry_after("nan") is None and retry_after("") is None
