"""Fetch: one URL -> its status, type and body, through an httpx client that can only reach what the SSRF
guard allows.

How a connection stays on the address that was checked (no DNS rebinding): httpx hands the connection to
httpcore, and httpcore opens its TCP sockets through a "network backend". Ours (``GuardedBackend``)
resolves the host once, has ``guard.check_host`` judge every address, and opens the socket to one of
those same addresses: there is no second lookup an attacker's DNS could answer differently. Everything
above the socket is unchanged: the request still carries ``Host: name``, and TLS still sends the name as
SNI and verifies the certificate against it, since httpcore takes both from the URL, not the socket.
Every connection goes through it: the start page, each redirect hop, robots.txt.

Redirects are followed here, by hand, up to a limit: each hop is a new request, so its host is checked
by the guard when connecting, and by the caller's ``follow`` (the same-site rule, robots.txt) before.
A body is streamed and given up past ``max_bytes``: never read whole into memory. The environment's
proxies and .netrc are ignored (a proxy would connect for us, out of the guard's sight).
"""

from __future__ import annotations

import contextvars
import logging
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from core.units import human_bytes
from ingest.web.body import decoded
from ingest.web.errors import BadURL, FetchFailed, FetchTimeout, NotTaken, PageTooLarge, WebError
from ingest.web.guard import Resolver, check_host, split
from ingest.web.urls import normalise

log = logging.getLogger(__name__)

USER_AGENT = "rag-knowledge-crawler/1.0"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
    # Not br or zstd: inflated by ingest.web.body, in bounded steps.
    "Accept-Encoding": "gzip, deflate",
}

# A redirect target -> raise a WebError when it must not be followed (off the site, disallowed).
Follow = Callable[[str], None]
# (media type, final URL) -> whether the body is wanted: the caller's formats; robots.txt takes any.
Accept = Callable[[str, str], bool]


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int
    status_text: str  # "404 Not Found"
    media_type: str  # "text/html", lowercased, without parameters; "" when the server sent none
    data: bytes  # only for a 200 answer
    etag: str | None = None
    last_modified: str | None = None


# The end of the current page's time (``fetch`` sets it): every read of a socket waits at most until then,
# so a server that sends its headers a line at a time cannot hold a page past ``page_time_s``.
_PAGE_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("page_deadline", default=None)
# Whether the crawl was told to stop: then a read waits no longer (a page trickling in is given up).
_STOP: contextvars.ContextVar[Callable[[], bool] | None] = contextvars.ContextVar("crawl_stop", default=None)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose reads and writes end at the page's deadline, whatever each one's own timeout."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def _timeout(self, timeout: float | None) -> float | None:
        stop = _STOP.get()
        if stop is not None and stop():
            raise httpcore.ReadTimeout("the crawl was stopped")
        deadline = _PAGE_DEADLINE.get()
        if deadline is None:
            return timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("the page's time is up")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._timeout(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._timeout(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, self._timeout(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's sockets, opened only to addresses the guard has just checked for this connection."""

    def __init__(self, *, allow_private: bool, resolve: Resolver | None) -> None:
        self._allow_private = allow_private
        self._resolve = resolve

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = check_host(host, port, allow_private=self._allow_private, resolve=self._resolve)
        failed: httpcore.ConnectError | None = None
        for address in addresses:  # as socket.create_connection would, but only over checked addresses
            try:
                stream = super().connect_tcp(address, port, timeout, local_address, socket_options)
                return _DeadlineStream(stream)
            except httpcore.ConnectError as e:
                failed = e
        assert failed is not None  # check_host returns at least one address
        raise failed


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, backend: GuardedBackend) -> None:
        super().__init__()
        # httpx 0.28 (pinned) takes no network backend, so its connection pool is rebuilt with ours and
        # httpx's other defaults; handle_request only uses the pool. test_web_crawl checks it is ours.
        # Certificates as httpx verifies them (certifi, or SSL_CERT_FILE for an intranet's own CA).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=10,
            max_keepalive_connections=5,
            network_backend=backend,
        )


def make_client(
    timeout_s: float, *, allow_private: bool = False, resolve: Resolver | None = None
) -> httpx.Client:
    """An httpx client for crawling: guarded connections, our User-Agent, no automatic redirects."""
    backend = GuardedBackend(allow_private=allow_private, resolve=resolve)
    return httpx.Client(
        transport=_GuardedTransport(backend),
        headers=_HEADERS,
        timeout=httpx.Timeout(timeout_s),  # connect, read, write and pool, each
        follow_redirects=False,
        trust_env=False,
    )


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int
    timeout_s: float
    max_redirects: int
    page_time_s: float  # one page, redirects and body together


def fetch(
    client: httpx.Client,
    url: str,
    limits: FetchLimits,
    *,
    follow: Follow,
    accept: Accept | None = None,
    truncate: bool = False,
    stop: Callable[[], bool] | None = None,
) -> Response:
    """``url``'s answer after following its redirects (each allowed by ``follow``). The body is read only
    for a 200 answer whose type ``accept`` takes (NotTaken otherwise), up to ``limits.max_bytes``: past
    that PageTooLarge, or, with ``truncate``, the first ``max_bytes`` bytes. Raises UnsafeURL, BadURL,
    FetchFailed (FetchTimeout) for an address or a server that cannot be used, or once ``stop`` says
    so."""
    deadline = time.monotonic() + limits.page_time_s
    token, stopping = _PAGE_DEADLINE.set(deadline), _STOP.set(stop)
    try:
        return _follow(client, url, limits, deadline, follow, accept, truncate)
    finally:
        _STOP.reset(stopping)
        _PAGE_DEADLINE.reset(token)


def _follow(
    client: httpx.Client,
    url: str,
    limits: FetchLimits,
    deadline: float,
    follow: Follow,
    accept: Accept | None,
    truncate: bool,
) -> Response:
    current = url
    for hop in range(limits.max_redirects + 1):
        try:
            split(current)
            got = _get(client, current, limits, deadline, accept, truncate)
        except WebError as e:
            if not hop:
                raise
            raise e.within(f"redirected to {current}") from e
        if isinstance(got, Response):
            return got
        target = normalise(got, current)
        if target is None:
            raise BadURL(f"redirected to {got!r}, not a web address")
        try:
            follow(target)
        except WebError as e:
            raise e.within(f"redirected to {target}") from e
        log.debug("%s redirects to %s", current, target)
        current = target
    raise FetchFailed(f"more than {limits.max_redirects} redirects")


def _get(
    client: httpx.Client,
    url: str,
    limits: FetchLimits,
    deadline: float,
    accept: Accept | None,
    truncate: bool,
) -> Response | str:
    """One request: its Response, or the Location it redirects to."""
    try:
        with client.stream("GET", url) as r:
            if r.status_code in _REDIRECTS and "location" in r.headers:
                return r.headers["location"]
            media_type = _media_type(r.headers.get("content-type", ""))
            status = f"{r.status_code} {r.reason_phrase}".strip()
            if r.status_code != 200:
                return Response(url, r.status_code, status, media_type, b"")
            if accept is not None and not accept(media_type, url):
                raise NotTaken(
                    "unsupported_type", f"{media_type or 'no content type'} is not a format we ingest"
                )
            body = decoded(r.iter_raw(), r.headers.get("content-encoding", ""), limits.max_bytes)
            data = _read(body, r.headers.get("content-length"), limits, deadline, truncate)
            etag, modified = r.headers.get("etag"), r.headers.get("last-modified")
            return Response(url, r.status_code, status, media_type, data, etag, modified)
    except httpx.TimeoutException as e:
        if (stop := _STOP.get()) is not None and stop():
            raise FetchFailed("the crawl was stopped", "stopped") from e
        if time.monotonic() >= deadline:
            raise FetchTimeout(f"the page took longer than {limits.page_time_s:g} s to download") from e
        raise FetchTimeout(f"no answer within {limits.timeout_s:g} s ({type(e).__name__})") from e
    except httpx.ConnectError as e:
        raise FetchFailed(f"could not connect: {e}") from e
    except httpx.InvalidURL as e:
        raise BadURL(f"not a valid web address: {e}") from e
    except httpx.HTTPError as e:
        raise FetchFailed(f"{type(e).__name__}: {e}") from e


def _read(
    chunks: Iterable[bytes], declared: str | None, limits: FetchLimits, deadline: float, truncate: bool
) -> bytes:
    """The body, up to ``limits.max_bytes``, read chunk by chunk (decompressed: the limit counts what we
    would keep). A declared Content-Length over the limit is refused before reading anything."""
    cap = limits.max_bytes
    too_large = f"larger than the limit of {human_bytes(cap)}"
    if not truncate and declared is not None and declared.isdigit() and int(declared) > cap:
        raise PageTooLarge(f"{human_bytes(int(declared))} declared, {too_large}: not downloaded")
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > cap:
            if truncate:
                return bytes(body[:cap])
            raise PageTooLarge(f"{too_large}: stopped reading after {human_bytes(len(body))}")
        if time.monotonic() > deadline:
            raise FetchTimeout(f"the page took longer than {limits.page_time_s:g} s to download")
    return bytes(body)


def _media_type(content_type: str) -> str:
    """``text/html`` of ``Text/HTML; charset=utf-8``; "" for none or one that is not type/subtype."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type if media_type.count("/") == 1 else ""
