"""The server adapter on a remote Qdrant: no process-wide lock, one round trip per search, reads retried
on transient failures and writes not (core.store.calls). No Qdrant server runs here: the engine is
qdrant-client's local mode behind a proxy that looks remote, records calls and injects faults, and a
loopback HTTP server that answers like a failing Qdrant checks the same on qdrant-client's real transport."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from qdrant_client import QdrantClient
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from core.errors import StoreError
from core.settings import StoreSettings, load_settings
from core.store import open_versions
from core.store.base import IndexMeta
from core.store.calls import Caller, Retries, is_local
from core.store.server import ServerStore, ServerVersions
from core.types import Point, SearchFilter, SearchQuery, SparseVec

META = IndexMeta("test-model", 4, "torch", 1.2, 0.75, 10.0)
NO_WAIT = Retries(count=3, backoff_s=0.0)


def _points(n: int, doc: str = "d1") -> list[Point]:
    return [
        Point(
            id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{doc}/{i}")),
            dense=[1.0, float(i), 0.5, 0.25],
            sparse=SparseVec([1, 10 + i], [1.0, 1.0]),
            payload={"tenant": "acme", "doc_id": doc, "doc_hash": "h", "chunk_index": i, "text": f"c{i}"},
        )
        for i in range(n)
    ]


HYBRID = SearchQuery(
    dense=[1.0, 0.0, 0.5, 0.25], sparse=SparseVec([1], [1.0]), filter=SearchFilter("acme"), limit=3
)


class Proxy:
    """A client that passes every call to a local-mode engine and records it. It looks remote to the
    adapter (``_client`` is not a ``QdrantLocal``) unless ``local``; ``faults`` makes a method raise the
    given errors, one per call, before it succeeds; ``rendezvous`` makes that method wait for a second
    concurrent call (up to ``wait_s``), so overlapping calls can be seen."""

    def __init__(self, *, local: bool = False) -> None:
        self._engine = QdrantClient(":memory:")
        self._client = self._engine._client if local else None
        self._engine_lock = threading.Lock()  # the engine itself is not thread-safe
        self.calls: list[str] = []
        self.faults: dict[str, list[Exception]] = {}
        self.rendezvous: str | None = None
        self.barrier = threading.Barrier(2)
        self.active = 0
        self.max_active = 0
        self._count = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._engine, name)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._count:
                self.calls.append(name)
                self.active += 1
                self.max_active = max(self.max_active, self.active)
            try:
                if name == self.rendezvous:
                    try:
                        self.barrier.wait(timeout=1.0)
                    except threading.BrokenBarrierError:
                        pass
                if self.faults.get(name):
                    raise self.faults[name].pop(0)
                with self._engine_lock:
                    return target(*args, **kwargs)
            finally:
                with self._count:
                    self.active -= 1

        return call


def _refused() -> ResponseHandlingException:
    return ResponseHandlingException(httpx.ConnectError("[Errno 111] Connection refused"))


def _status(code: int) -> UnexpectedResponse:
    return UnexpectedResponse(code, "Service Unavailable", b"{}", httpx.Headers())


def _store(proxy: Proxy, retries: Retries = NO_WAIT) -> ServerStore:
    return ServerStore.open(proxy, "kb", META, retries=retries)  # type: ignore[arg-type]


# ---- the lock: local mode only ---------------------------------------------------------------------


def test_local_mode_is_told_from_the_client_itself(tmp_path: Path) -> None:
    assert is_local(QdrantClient(":memory:")) and is_local(QdrantClient(path=str(tmp_path / "q")))
    remote = QdrantClient(url="http://127.0.0.1:9", check_compatibility=False)
    assert not is_local(remote)
    assert isinstance(Caller(remote).lock, nullcontext)
    remote.close()


def _two_searches_at_once(proxy: Proxy) -> None:
    store = _store(proxy)
    store.upsert(_points(3))
    proxy.rendezvous = "query_batch_points"
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(len(store.search(HYBRID)))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == [3, 3]


def test_a_remote_clients_queries_run_side_by_side() -> None:
    proxy = Proxy()
    _two_searches_at_once(proxy)
    assert proxy.max_active == 2  # both threads were inside the client at once: no process-wide lock


def test_a_local_mode_clients_calls_are_serialised_on_one_lock() -> None:
    proxy = Proxy(local=True)
    _two_searches_at_once(proxy)
    assert proxy.max_active == 1
    # Every store and version on one local client shares its lock (one engine, one lock).
    assert Caller(proxy).lock is ServerVersions(proxy, "kb").call.lock  # type: ignore[arg-type]


# ---- one round trip per search -----------------------------------------------------------------------


def test_a_hybrid_search_is_one_round_trip() -> None:
    proxy = Proxy()
    store = _store(proxy)
    store.upsert(_points(5))
    proxy.calls.clear()
    timings: dict[str, float] = {}
    hits = store.search(HYBRID, timings)
    assert proxy.calls == ["query_batch_points"]  # fused list + both candidate lists, one request
    assert len(hits) == 3 and all(h.dense_rank and h.sparse_rank for h in hits)
    assert set(timings) == {"fusion"}
    proxy.calls.clear()
    store.search(SearchQuery(dense=HYBRID.dense, sparse=None, filter=SearchFilter("acme"), mode="dense"))
    assert proxy.calls == ["query_batch_points"]


# ---- retries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        _refused,
        lambda: ResponseHandlingException(httpx.ReadTimeout("timed out")),
        lambda: ResponseHandlingException(httpx.ReadError("[Errno 104] Connection reset by peer")),
        lambda: _status(502),
        lambda: _status(503),
        lambda: _status(504),
    ],
    ids=["refused", "read-timeout", "reset", "502", "503", "504"],
)
def test_reads_are_sent_again_after_a_transient_failure(fault: Any) -> None:
    proxy = Proxy()
    store = _store(proxy)
    store.upsert(_points(4))
    for method in ("count", "query_batch_points", "scroll", "facet", "get_aliases", "get_collection"):
        proxy.faults[method] = [fault(), fault()]
    assert store.count(tenant="acme") == 4
    assert len(store.search(HYBRID)) == 3
    assert len(store.chunks("acme", "d1")) == 4
    assert store.doc_point_counts("acme") == {"d1": 4}
    versions = ServerVersions(proxy, "kb", retries=NO_WAIT)  # type: ignore[arg-type]
    assert versions.current() == "v0001" and versions.read_meta("v0001") == META
    assert proxy.calls.count("count") == 3 and proxy.calls.count("query_batch_points") == 3


def test_a_read_gives_up_after_the_retries_with_a_clear_error(caplog: pytest.LogCaptureFixture) -> None:
    proxy = Proxy()
    store = _store(proxy, Retries(count=2, backoff_s=0.001))
    proxy.faults["count"] = [_status(503) for _ in range(5)]
    with pytest.raises(StoreError, match="Qdrant server count on kb_v0001 failed: Unexpected Response: 503"):
        store.count()
    assert proxy.calls.count("count") == 3  # the first attempt and two retries
    assert "attempt 3 of 3" in caplog.text and "HTTP 503" in caplog.text
    # No retries at all when the setting says 0.
    store = _store(proxy, Retries(count=0))
    proxy.calls.clear()
    proxy.faults["count"] = [_status(503)]
    with pytest.raises(StoreError):
        store.count()
    assert proxy.calls.count("count") == 1


@pytest.mark.parametrize("code", [400, 404, 500])
def test_a_read_refused_for_its_own_sake_is_not_sent_again(code: int) -> None:
    proxy = Proxy()
    store = _store(proxy)
    proxy.faults["count"] = [_status(code)]
    with pytest.raises(StoreError):
        store.count()
    assert proxy.calls.count("count") == 1


def test_a_write_is_sent_again_only_when_it_never_reached_the_server() -> None:
    proxy = Proxy()
    store = _store(proxy)
    # Refused before a byte was sent: the upsert and the delete are sent again and applied once.
    proxy.faults["upsert"] = [_refused(), _refused()]
    store.upsert(_points(4))
    assert proxy.calls.count("upsert") == 3 and store.count() == 4
    proxy.faults["delete"] = [_refused()]
    store.delete_document("acme", "d1")
    assert store.count() == 0
    # It may have reached the server (timed out, reset, a proxy's 503): not sent again.
    for fault in (
        ResponseHandlingException(httpx.ReadTimeout("timed out")),
        ResponseHandlingException(httpx.ReadError("reset")),
        _status(503),
    ):
        proxy.calls.clear()
        proxy.faults["upsert"] = [fault]
        with pytest.raises(StoreError, match="Qdrant server upsert on kb_v0001 failed"):
            store.upsert(_points(2, "d2"))
        assert proxy.calls.count("upsert") == 1
    proxy.calls.clear()
    proxy.faults["delete"] = [_status(504)]
    with pytest.raises(StoreError):
        store.delete_document("acme", "d2")
    assert proxy.calls.count("delete") == 1


# ---- the same on qdrant-client's real HTTP transport -------------------------------------------------


class _FailingQdrant(BaseHTTPRequestHandler):
    """Answers like a Qdrant whose first few answers are 503s (``server.failures``), then counts 7."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        srv: Any = self.server
        if self.path == "/":  # qdrant-client's version check
            status, body = 200, {"title": "qdrant", "version": "1.19.0"}
        else:
            srv.requests.append((self.command, self.path.split("?")[0]))
            if srv.failures > 0:
                srv.failures -= 1
                status, body = 503, {"status": {"error": "Service Unavailable"}, "time": 0.0}
            else:
                status, body = 200, {"result": {"count": 7}, "status": "ok", "time": 0.0}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound, never listening."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    try:
        yield int(sock.getsockname()[1])
    finally:
        sock.close()


@pytest.fixture
def failing_qdrant() -> Iterator[Any]:
    srv: Any = ThreadingHTTPServer(("127.0.0.1", 0), _FailingQdrant)
    srv.requests, srv.failures = [], 0
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_qdrant_clients_real_errors_are_classified_as_the_policy_says(failing_qdrant: Any) -> None:
    client = QdrantClient(url=f"http://127.0.0.1:{failing_qdrant.server_port}", check_compatibility=False)
    store = ServerStore(client, "kb", "v0001", META, caller=Caller(client, NO_WAIT))
    failing_qdrant.failures = 2
    assert store.count() == 7
    assert failing_qdrant.requests == [("POST", "/collections/kb_v0001/points/count")] * 3
    failing_qdrant.requests.clear()
    failing_qdrant.failures = 1
    with pytest.raises(StoreError, match="503"):
        store.upsert(_points(1))
    assert failing_qdrant.requests == [("PUT", "/collections/kb_v0001/points")]  # once
    client.close()
    # A port nobody listens on: the real "connection refused", retried, then a clear error.
    with closed_port() as port:
        client = QdrantClient(url=f"http://127.0.0.1:{port}", check_compatibility=False)
        store = ServerStore(client, "kb", "v0001", META, caller=Caller(client, NO_WAIT))
        with pytest.raises(StoreError, match="Qdrant server count on kb_v0001 failed"):
            store.count()
        client.close()


def test_settings_reach_the_remote_client_without_a_lock(
    failing_qdrant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAG_STORE__URL", f"http://127.0.0.1:{failing_qdrant.server_port}")
    monkeypatch.setenv("RAG_STORE__READ_RETRIES", "5")
    monkeypatch.setenv("RAG_STORE__RETRY_BACKOFF_S", "0")
    versions = open_versions(load_settings())
    assert isinstance(versions, ServerVersions)
    assert versions.call.retries == Retries(5, 0.0) and not is_local(versions.client)
    assert isinstance(versions.call.lock, nullcontext)
    versions.close()
    assert (StoreSettings().read_retries, StoreSettings().retry_backoff_s) == (3, 0.2)


def test_a_process_that_loses_the_race_to_create_the_index_opens_the_winners() -> None:
    # Two workers starting on an empty server both find no alias; the second one's create is refused
    # ("already exists"): it waits for the first's alias and opens that collection.
    client = QdrantClient(":memory:")
    ServerStore.create_collection(client, "race_v0001", META, 1, 1, 1)  # the winner, alias not yet made

    def alias_later() -> None:
        from qdrant_client import models as qm

        time.sleep(0.5)
        made = qm.CreateAlias(collection_name="race_v0001", alias_name="race")
        client.update_collection_aliases(
            change_aliases_operations=[qm.CreateAliasOperation(create_alias=made)]
        )

    threading.Thread(target=alias_later).start()
    store = ServerStore.open(client, "race", META)
    assert store.collection == "race_v0001" and store.meta.embedding_model == META.embedding_model
    with pytest.raises(StoreError, match="could not open"):  # a refusal of another kind is not waited on
        ServerStore.open(QdrantClient(":memory:"), "bad name/with slash", META)
