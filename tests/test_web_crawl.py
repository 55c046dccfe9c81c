"""The web crawler (ingest.web) against a small intranet served on loopback: what it returns, what it
skips and why, and what its SSRF guard refuses. Nothing leaves 127.0.0.1: names that are not real hosts
are resolved by a resolver the test gives, whose answers the guard still judges."""

from __future__ import annotations

import gzip
import re
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.errors import RagError
from core.units import KiB, MiB
from ingest.web import (
    BadURL,
    CrawlLimits,
    CrawlResult,
    FetchFailed,
    UnsafeURL,
    crawl,
    guard,
)
from ingest.web import fetch as web_fetch
from ingest.web.urls import document_name, normalise

# The crawls here: no Crawl-delay waited, a small byte limit so the archive pages are "huge", and a page
# time limit so that a crawler reading the endless page fails the test rather than hangs it.
LIMITS = CrawlLimits(max_depth=2, max_bytes=64 * KiB, timeout_s=5.0, crawl_delay_cap_s=0.0, page_time_s=5.0)
STREAM_CAP = 256 * MiB  # what the endless page would send to a client that reads it all


def _page(title: str, body: str, head: str = "") -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}</head>
<body>
<nav><a href="/index.html">Intranet home</a> | <a href="/handbook/index.html">Handbook</a></nav>
<main>
{body}
</main>
<footer>Harbor Lane Logistics B.V. · Internal use only · Maintained by the Facilities team</footer>
</body></html>
"""


SITE = {
    "robots.txt": "User-agent: *\nDisallow: /private/\nCrawl-delay: 3\n",
    "index.html": _page(
        "Harbor Lane intranet",
        """<h1>Welcome to the Harbor Lane intranet</h1>
<p>This intranet holds the policies and the employee handbook of Harbor Lane Logistics, a freight
forwarder with offices in Rotterdam and Gdansk. Pages are kept by the team that owns the policy.</p>
<ul>
<li><a href="policies/visitors.html">Visitor policy</a></li>
<li><a href="/policies/visitors.html#escorts">Escorting visitors</a></li>
<li><a href="handbook/index.html">Employee handbook</a></li>
<li><a href="private/salaries.html">Salary bands</a></li>
<li><a href="drafts/reorg.html">Reorganisation draft</a></li>
<li><a href="news/index.html">News</a></li>
<li><a href="files/closing-days.txt">Office closing days</a></li>
<li><a href="files/logo.png">Our logo</a></li>
<li><a href="old/travel">Travel policy</a></li>
<li><a href="cloud-status">Cloud status</a></li>
<li><a href="old/salaries">Pay scales</a></li>
<li><a href="staff-portal">Staff portal</a></li>
<li><a href="archive/2019.html">Archive 2019</a></li>
<li><a href="archive/live-log.html">Live warehouse log</a></li>
<li><a href="missing.html">Former canteen menu</a></li>
<li><a href="gallery.html">Photo gallery</a></li>
<li><a href="http://example.invalid/partner">Our partner, Example Freight</a></li>
<li><a href="mailto:it-desk@harborlane.example">Write to the IT desk</a></li>
</ul>""",
    ),
    "policies/visitors.html": _page(
        "Visitor policy | Harbor Lane intranet",
        """<h1>Visitor policy</h1>
<p>Every visitor signs in at the reception desk in Building C and receives a yellow visitor badge.
The badge must be worn visibly at all times and handed back to reception before leaving.</p>
<h2 id="escorts">Escorts</h2>
<p>A visitor is escorted by the Harbor Lane employee who invited them, from the moment they sign in
until they leave. Visitors never enter the warehouse floor without a safety vest and steel-toed shoes.</p>
<h2>Visiting hours</h2>
<table>
<tr><th>Day</th><th>Hours</th></tr>
<tr><td>Monday to Thursday</td><td>08:30 to 17:00</td></tr>
<tr><td>Friday</td><td>08:30 to 15:00</td></tr>
</table>
<p>Groups of more than six visitors are announced to Facilities two working days in advance.</p>""",
    ),
    "policies/travel.html": _page(
        "Travel policy",
        """<h1>Travel policy</h1>
<p>Business trips are booked through the travel desk at least ten days ahead. Trains are preferred
for any journey under five hours; flights between Rotterdam and Gdansk are booked in economy class.</p>
<p>Hotel costs are reimbursed up to 140 euros a night; receipts are filed within thirty days.</p>""",
    ),
    "handbook/index.html": _page(
        "Employee handbook",
        """<h1>Employee handbook</h1>
<p>The handbook explains how we work together at Harbor Lane: working hours, leave, parking and
the canteen. Start with the chapter on parking if you drive to the Rotterdam office.</p>
<p><a href="parking.html">Parking at the Rotterdam office</a> · <a href="../index.html">Home</a></p>""",
    ),
    "handbook/parking.html": _page(
        "Parking at the Rotterdam office",
        """<h2>Where to park</h2>
<p>Staff park in Lot B behind the warehouse; Lot A is reserved for visitors and lorries waiting
to load. The barrier code changes on the first Monday of every month and is sent by e-mail.</p>
<h2>Bicycles</h2>
<p>The covered bicycle shed next to Building C has charging points for electric bicycles.</p>
<p><a href="parking-permits.html">Applying for a parking permit</a></p>""",
    ),
    "handbook/parking-permits.html": _page(
        "Parking permits",
        """<h1>Parking permits</h1>
<p>A permit for Lot B is requested from Facilities with your licence plate; it is valid one year.</p>""",
    ),
    "handbook/canteen.html": _page(
        "Canteen",
        """<h1>Canteen</h1>
<p>The canteen on the second floor of Building A serves a warm lunch from 11:45 to 13:30. Soup of the
day is free for everyone on Fridays, and the coffee machines are refilled every morning at 07:00.</p>""",
    ),
    "private/salaries.html": _page(
        "Salary bands",
        "<h1>Salary bands</h1><p>Band 4 starts at 3,900 euros a month and must never be indexed.</p>",
    ),
    "drafts/reorg.html": _page(
        "Reorganisation draft",
        """<h1>Reorganisation draft</h1>
<p>The Gdansk planning team would merge with Rotterdam customer service in the spring. Not final.</p>
<p>See also the <a href="../handbook/canteen.html">canteen opening hours</a>.</p>""",
        head='<meta name="robots" content="noindex">',
    ),
    "news/index.html": _page(
        "News",
        """<h1>News</h1>
<p>The summer picnic is on the last Friday of June at the Kralingse Plas; families are welcome and
the bus leaves the Rotterdam office at 15:30. Old news lives in the archive of past announcements.</p>
<p><a href="2019-picnic.html">The 2019 picnic</a></p>""",
        head='<meta name="robots" content="nofollow">',
    ),
    # A page a script fills in: nothing to read in what the server sends.
    "gallery.html": '<html><head><title>Gallery</title></head><body><div id="app"></div>'
    '<script src="/gallery.js"></script></body></html>',
    "news/2019-picnic.html": _page("The 2019 picnic", "<h1>The 2019 picnic</h1><p>It rained.</p>"),
    "files/closing-days.txt": (
        "Harbor Lane Logistics: office closing days\n\n"
        "Both offices are closed on New Year's Day, King's Day (27 April) and Christmas Day.\n"
        "The Gdansk office is also closed on 3 May, Constitution Day.\n"
    ),
    # Over LIMITS.max_bytes, and said so by its Content-Length: refused before its body is read.
    "archive/2019.html": _page("Archive 2019", "<p>Shipment log.</p>" * 20_000),
}
LOGO = b"\x89PNG\r\n\x1a\n" + bytes(64)


@dataclass
class Served:
    """The test intranet: its base URL, and every request it got as (path, Host header)."""

    url: str
    port: int
    requests: list[tuple[str, str]] = field(default_factory=list)
    stream_sent: list[int] = field(default_factory=list)  # bytes the endless page sent, once it stopped
    stream_done: threading.Event = field(default_factory=threading.Event)

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


Route = Callable[[SimpleHTTPRequestHandler], None]


def _redirect(location: str, status: int = 302) -> Route:
    def route(h: SimpleHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return route


def _status(code: int) -> Route:
    def route(h: SimpleHTTPRequestHandler) -> None:
        h.send_error(code)

    return route


def _slow(seconds: float) -> Route:
    def route(h: SimpleHTTPRequestHandler) -> None:
        time.sleep(seconds)
        h.send_error(404)

    return route


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client hanging up on a large page is what the tests want


@contextmanager
def _serve(root: Path, routes: dict[str, Route]) -> Iterator[Served]:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self) -> None:
            served.requests.append((self.path, self.headers.get("Host", "")))
            route = routes.get(self.path)
            if route is not None:
                route(self)
            else:
                super().do_GET()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    served = Served(f"http://127.0.0.1:{port}/", port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()


def _write_site(root: Path) -> None:
    for path, text in SITE.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    (root / "files/logo.png").write_bytes(LOGO)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("intranet")
    _write_site(root)

    def live_log(h: SimpleHTTPRequestHandler) -> None:
        # No Content-Length, and more than any limit: only the crawler stopping ends it.
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.end_headers()
        sent = 0
        line = b"<p>" + b"Forklift 7 moved pallet 1138 to aisle 4. " * 400 + b"</p>\n"
        try:
            while sent < STREAM_CAP:
                h.wfile.write(line)
                sent += len(line)
                time.sleep(0.001)  # ~16 MiB/s: reading it all would take past LIMITS.page_time_s
        except OSError:  # the client hung up
            pass
        finally:
            served.stream_sent.append(sent)
            served.stream_done.set()

    def staff_portal(h: SimpleHTTPRequestHandler) -> None:  # the same server under another name
        _redirect(f"http://localhost:{h.server.server_address[1]}/portal")(h)

    routes = {
        "/old/travel": _redirect("/policies/travel.html", 301),
        "/cloud-status": _redirect("http://169.254.169.254/latest/meta-data/"),
        "/old/salaries": _redirect("/private/salaries.html"),
        "/staff-portal": staff_portal,
        "/archive/live-log.html": live_log,
    }
    with _serve(root, routes) as served:
        yield served


@pytest.fixture(scope="module")
def crawled(site: Served) -> tuple[CrawlResult, list[str]]:
    """One crawl of the intranet, and the paths the server was asked for during it."""
    site.requests.clear()
    result = crawl(site.url, LIMITS, allow_private=True)
    site.stream_done.wait(10)
    return result, site.paths()


def _docs(result: CrawlResult, base: str) -> dict[str, bytes]:
    return {d.url.removeprefix(base.rstrip("/")): d.data for d in result.documents}


def _skips(result: CrawlResult, base: str) -> dict[str, str]:
    return {s.url.removeprefix(base.rstrip("/")): s.reason for s in result.skipped}


# -- what a crawl returns ---------------------------------------------------------------------------------


def test_the_site_is_crawled_to_its_pages(crawled: tuple[CrawlResult, list[str]], site: Served) -> None:
    result, _ = crawled
    assert sorted(_docs(result, site.url)) == [
        "/",
        "/files/closing-days.txt",
        "/handbook/canteen.html",  # linked from the noindex draft only: its links are followed
        "/handbook/index.html",
        "/handbook/parking.html",
        "/news/index.html",
        "/policies/travel.html",  # through /old/travel's redirect
        "/policies/visitors.html",  # once, though linked twice (once with a fragment)
    ]
    # /handbook/parking-permits.html is three links deep: not visited, so the crawl is not the whole site.
    assert result.truncated


def test_a_page_becomes_markdown_of_its_main_text(
    crawled: tuple[CrawlResult, list[str]], site: Served
) -> None:
    result, _ = crawled
    doc = next(d for d in result.documents if d.url.endswith("/policies/visitors.html"))
    text = doc.data.decode("utf-8")
    assert doc.content_type == "text/markdown"
    assert doc.name == f"127.0.0.1_{site.port}/policies/visitors.md"
    assert doc.title == "Visitor policy"
    assert text.startswith("# Visitor policy\n")
    assert text.count("Visitor policy") == 1  # the title is not put again above the page's own heading
    assert "receives a yellow visitor badge" in text
    assert "## Escorts" in text
    assert "| Friday | 08:30 to 15:00 |" in text  # tables kept
    assert "Internal use only" not in text and "Intranet home" not in text  # no footer, no navigation


def test_a_page_without_heading_gets_its_title_as_one(crawled: tuple[CrawlResult, list[str]]) -> None:
    result, _ = crawled
    doc = next(d for d in result.documents if d.url.endswith("/handbook/parking.html"))
    text = doc.data.decode("utf-8")
    assert text.startswith("# Parking at the Rotterdam office\n\n")
    assert "The barrier code changes on the first Monday of every month" in text


def test_a_file_is_returned_as_it_is(crawled: tuple[CrawlResult, list[str]], site: Served) -> None:
    result, _ = crawled
    doc = next(d for d in result.documents if d.url.endswith(".txt"))
    assert doc.data == SITE["files/closing-days.txt"].encode()
    assert doc.content_type == "text/plain"
    assert doc.name == f"127.0.0.1_{site.port}/files/closing-days.txt"
    assert doc.last_modified  # the server's Last-Modified, for a later conditional fetch


def test_skipped_pages_say_why(crawled: tuple[CrawlResult, list[str]], site: Served) -> None:
    result, _ = crawled
    assert _skips(result, site.url) == {
        "/index.html": "duplicate",  # the navigation's link home: the same page as /
        "/private/salaries.html": "robots",
        "/drafts/reorg.html": "noindex",
        "/files/logo.png": "unsupported_type",
        "/cloud-status": "unsafe",
        "/old/salaries": "robots",  # a redirect obeys robots.txt too
        "/staff-portal": "off_site",
        "/archive/2019.html": "too_large",
        "/archive/live-log.html": "too_large",
        "/missing.html": "http_status",
        "/gallery.html": "no_text",
    }
    details = {s.url.rsplit("/", 1)[-1]: s.detail for s in result.skipped}
    assert "404" in details["missing.html"]
    assert "robots.txt disallows it" in details["salaries.html"]
    assert "image/png" in details["logo.png"]
    assert details["salaries"].startswith(
        f"redirected to {site.url}private/salaries.html: robots.txt disallows"
    )
    portal = f"http://localhost:{site.port}/portal"
    assert details["staff-portal"] == f"redirected to {portal}: outside the site crawled"


def test_what_is_not_followed_is_never_requested(crawled: tuple[CrawlResult, list[str]]) -> None:
    result, paths = crawled
    assert paths.count("/robots.txt") == 1
    assert "/private/salaries.html" not in paths  # robots.txt: not even requested
    assert "/news/2019-picnic.html" not in paths  # linked from a nofollow page
    assert "/handbook/parking-permits.html" not in paths  # depth 3
    assert len(paths) == len(set(paths))  # no page twice
    everything = [d.url for d in result.documents] + [s.url for s in result.skipped]
    assert not [u for u in everything if "example.invalid" in u or u.startswith("mailto:")]


def test_a_redirect_to_the_metadata_address_is_refused_even_with_private_allowed(
    crawled: tuple[CrawlResult, list[str]],
) -> None:
    result, _ = crawled
    refused = next(s for s in result.skipped if s.url.endswith("/cloud-status"))
    assert refused.reason == "unsafe"
    assert "redirected to http://169.254.169.254/latest/meta-data/" in refused.detail
    assert "link-local" in refused.detail and "never crawled" in refused.detail


def test_a_huge_page_is_not_read_past_the_limit(crawled: tuple[CrawlResult, list[str]], site: Served) -> None:
    result, _ = crawled
    details = {s.url.rsplit("/", 1)[-1]: s.detail for s in result.skipped}
    assert "declared" in details["2019.html"] and "not downloaded" in details["2019.html"]
    assert "larger than the limit of 64 KiB: stopped reading after" in details["live-log.html"]
    # The endless page stopped when the crawler hung up: far short of what it would send to a reader.
    assert site.stream_sent and site.stream_sent[0] < 64 * MiB


# -- limits -----------------------------------------------------------------------------------------------


def test_depth_zero_fetches_the_start_page_only(site: Served) -> None:
    result = crawl(site.url, _limits(max_depth=0), allow_private=True)
    assert list(_docs(result, site.url)) == ["/"]
    assert result.skipped == []
    assert result.truncated  # its links were not looked at: what they lead to may still exist


def test_depth_one_stops_before_the_pages_linked_from_linked_pages(site: Served) -> None:
    docs = _docs(crawl(site.url, _limits(max_depth=1), allow_private=True), site.url)
    assert "/handbook/index.html" in docs
    assert "/handbook/parking.html" not in docs and "/handbook/canteen.html" not in docs


def test_the_page_limit_counts_requests(site: Served) -> None:
    site.requests.clear()
    result = crawl(site.url, _limits(max_pages=3), allow_private=True)
    pages = [p for p in site.paths() if p != "/robots.txt"]
    assert len(pages) == 3
    assert len(result.documents) + len(result.skipped) == 3
    assert result.truncated


def test_same_prefix_keeps_the_crawl_under_the_start_directory(site: Served) -> None:
    start = site.url + "handbook/index.html"
    under = _docs(crawl(start, LIMITS, allow_private=True), site.url)
    assert sorted(under) == [
        "/handbook/index.html",
        "/handbook/parking-permits.html",
        "/handbook/parking.html",
    ]
    everywhere = _docs(crawl(start, _limits(same_prefix=False), allow_private=True), site.url)
    assert "/index.html" in everywhere and "/policies/visitors.html" in everywhere


@pytest.mark.parametrize(("cap", "delay"), [(5.0, 3.0), (2.0, 2.0)])
def test_a_crawl_delay_is_honoured_up_to_the_cap(site: Served, cap: float, delay: float) -> None:
    waits: list[float] = []  # asked for, not waited: the test's sleep only records
    limits = _limits(max_depth=1, max_pages=3, crawl_delay_cap_s=cap)
    crawl(site.url, limits, allow_private=True, sleep=waits.append)
    # robots.txt says 3 s: a wait before each of the 3 pages, for what is left of the delay since the
    # request before (robots.txt for the first)
    assert len(waits) == 3
    assert all(delay - 1 < w <= delay for w in waits), waits


def _limits(**kw: object) -> CrawlLimits:
    values = {**LIMITS.__dict__, **kw}
    return CrawlLimits(**values)  # type: ignore[arg-type]


# -- identity ---------------------------------------------------------------------------------------------

SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")


def test_names_and_bytes_are_the_same_on_every_crawl(
    crawled: tuple[CrawlResult, list[str]], site: Served
) -> None:
    first, _ = crawled
    again = crawl(site.url, LIMITS, allow_private=True)
    assert [(d.name, d.data) for d in again.documents] == [(d.name, d.data) for d in first.documents]
    names = [d.name for d in first.documents]
    assert len(set(names)) == len(names)
    for name in names:
        assert SAFE_NAME.match(name), name
        assert not any(part.startswith(".") for part in name.split("/")), name
    assert f"127.0.0.1_{site.port}/index.md" in names


@pytest.mark.parametrize(
    ("url", "extension", "name"),
    [
        ("http://intranet.example/", ".md", "intranet.example/index.md"),
        ("https://intranet.example:8443/docs/", ".md", "intranet.example_8443/docs/index.md"),
        ("http://intranet.example/a/Visitor%20Policy.HTM", ".md", "intranet.example/a/Visitor_Policy-"),
        ("http://intranet.example/view?id=7", ".md", "intranet.example/view-"),
        ("http://intranet.example/get?id=7", ".pdf", "intranet.example/get-"),
        ("http://intranet.example/files/plan.pdf", ".pdf", "intranet.example/files/plan.pdf"),
        ("http://intranet.example/notes.cfg", ".txt", "intranet.example/notes.cfg.txt"),
        ("http://intranet.example/%2E%2E/etc", ".md", "intranet.example/_./etc-"),
    ],
)
def test_document_names(url: str, extension: str, name: str) -> None:
    got = document_name(normalise(url) or "", extension)
    assert got.startswith(name) and got.endswith(extension), got
    assert SAFE_NAME.match(got) and ".." not in got.split("/"), got
    assert got == document_name(normalise(url) or "", extension)


def test_urls_are_normalised() -> None:
    assert normalise("HTTP://Intranet.Example:80/a?b=1#top") == "http://intranet.example/a?b=1"
    assert normalise("../x.html#y", "https://h.example:443/a/b/c.html") == "https://h.example/a/x.html"
    assert normalise("https://h.example:8443") == "https://h.example:8443/"
    assert normalise("mailto:someone@h.example") is None
    assert normalise("javascript:void(0)", "http://h.example/") is None
    assert normalise("http://h.example:99999/") is None


# -- the start URL ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://files.example/handbook.pdf", "only http and https"),
        ("not a url", "not a web address"),
        ("intranet.example/handbook", "not a web address"),
        ("http:///nohost", "names no host"),
        ("http://intranet.example:http/", "not a valid web address"),
    ],
)
def test_a_bad_start_url_is_refused_clearly(url: str, says: str) -> None:
    with pytest.raises(BadURL, match=says) as info:
        crawl(url, LIMITS)
    assert isinstance(info.value, RagError)


def test_credentials_in_the_start_url_are_refused() -> None:
    with pytest.raises(UnsafeURL, match="user name or password"):
        crawl("http://admin:secret@127.0.0.1/", LIMITS, allow_private=True)


def test_a_start_url_on_loopback_is_refused_unless_allowed(site: Served) -> None:
    site.requests.clear()
    with pytest.raises(
        UnsafeURL, match=r"names 127.0.0.1, a loopback address; set RAG_SOURCES__ALLOW_PRIVATE=true to allow"
    ):
        crawl(site.url, LIMITS)
    assert site.requests == []


def test_an_unreachable_start_url_fails_with_the_reason() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchFailed, match=f"127.0.0.1:{port}/: could not connect"):
        crawl(f"http://127.0.0.1:{port}/", LIMITS, allow_private=True)


def test_a_start_url_that_is_not_found_fails(site: Served) -> None:
    with pytest.raises(FetchFailed, match="missing.html: the server answered 404"):
        crawl(site.url + "missing.html", LIMITS, allow_private=True)


# -- the SSRF guard ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://10.0.0.1/", "private"),
        ("http://192.168.1.20:8080/wiki", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[::ffff:169.254.169.254]/", "link-local"),
        ("http://[2002:7f00:1::]/", "loopback"),  # 6to4 of 127.0.0.1
        ("http://[fe80::1]/", "link-local"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://100.64.0.1/", "non-public"),
        ("http://localhost/", "loopback"),
    ],
)
def test_the_guard_refuses_non_public_addresses(url: str, kind: str) -> None:
    with pytest.raises(UnsafeURL, match=f"a {kind} address"):
        guard.check(url)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fd00:ec2::254]/", "cloud metadata"),
        ("http://100.100.100.200/", "cloud metadata"),
        ("http://0.0.0.0:8000/", "unspecified"),
        ("http://240.0.0.1/", "reserved"),
    ],
)
def test_some_addresses_stay_refused_when_private_ones_are_allowed(url: str, kind: str) -> None:
    with pytest.raises(UnsafeURL, match=f"a {kind} address, which is never crawled"):
        guard.check(url, allow_private=True)
    with pytest.raises(UnsafeURL):
        crawl(url, LIMITS, allow_private=True)


def test_the_guard_lets_public_and_allowed_private_addresses_through() -> None:
    assert guard.check("https://8.8.8.8/") == ["8.8.8.8"]
    assert guard.check("http://10.0.0.1/", allow_private=True) == ["10.0.0.1"]
    assert guard.check("http://[::1]:8080/", allow_private=True) == ["::1"]


def test_one_private_answer_among_public_ones_refuses_the_name() -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["8.8.8.8", "10.1.2.3"]

    with pytest.raises(UnsafeURL, match=r"wiki.example/ resolves to 10.1.2.3, a private address"):
        guard.check("http://wiki.example/", resolve=resolve)


def test_a_name_that_does_not_resolve_is_a_fetch_failure() -> None:
    with pytest.raises(FetchFailed, match="cannot be resolved"):  # refused by the resolver, no DNS query
        guard.check("http://no..such-host/")


def test_the_connection_goes_to_the_checked_address_under_the_host_name(site: Served) -> None:
    resolved: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        resolved.append(host)
        return ["127.0.0.1"] if host == "intranet.test" else []

    site.requests.clear()
    result = crawl(
        f"http://intranet.test:{site.port}/", _limits(max_depth=0), allow_private=True, resolve=resolve
    )
    assert [d.name for d in result.documents] == [f"intranet.test_{site.port}/index.md"]
    assert site.requests == [
        ("/robots.txt", f"intranet.test:{site.port}"),
        ("/", f"intranet.test:{site.port}"),
    ]
    assert set(resolved) == {"intranet.test"}


def test_a_name_that_rebinds_to_loopback_after_the_check_is_refused_at_connection(site: Served) -> None:
    answers = iter([["8.8.8.8"]])  # public when the start URL is checked, loopback ever after

    def resolve(host: str, port: int) -> list[str]:
        return next(answers, ["127.0.0.1"])

    site.requests.clear()
    with pytest.raises(UnsafeURL, match="rebind.test resolves to 127.0.0.1, a loopback address"):
        crawl(f"http://rebind.test:{site.port}/", LIMITS, resolve=resolve)
    assert site.requests == []


def test_every_connection_of_the_client_is_guarded(site: Served) -> None:
    """The client alone, without the crawl's checks: the connection itself refuses."""
    site.requests.clear()
    with web_fetch.make_client(5.0) as client:
        assert isinstance(client._transport._pool._network_backend, web_fetch.GuardedBackend)  # type: ignore[attr-defined]
        with pytest.raises(UnsafeURL, match="127.0.0.1 is a loopback address"):
            client.get(site.url)
    assert site.requests == []


# -- robots.txt -------------------------------------------------------------------------------------------


def test_a_robots_txt_the_server_fails_to_give_forbids_the_site(tmp_path: Path) -> None:
    _write_site(tmp_path)
    with _serve(tmp_path, {"/robots.txt": _status(503)}) as other:
        result = crawl(other.url, LIMITS, allow_private=True)
        assert other.paths() == ["/robots.txt"]
    assert result.documents == []
    [skipped] = result.skipped
    assert skipped.reason == "robots_unavailable"
    assert "503" in skipped.detail and "disallowing all" in skipped.detail


def test_a_robots_txt_that_times_out_forbids_the_site(tmp_path: Path) -> None:
    _write_site(tmp_path)
    with _serve(tmp_path, {"/robots.txt": _slow(2.0)}) as other:
        result = crawl(other.url, _limits(timeout_s=0.5), allow_private=True)
    assert result.documents == []
    assert [(s.reason, "no answer within 0.5 s" in s.detail) for s in result.skipped] == [
        ("robots_unavailable", True)
    ]


def test_a_missing_robots_txt_allows_everything(tmp_path: Path) -> None:
    _write_site(tmp_path)
    (tmp_path / "robots.txt").unlink()
    with _serve(tmp_path, {}) as other:
        result = crawl(other.url, _limits(max_depth=1), allow_private=True)
    assert "/private/salaries.html" in _docs(result, other.url)


def test_a_crawl_holds_one_page_in_memory_not_the_whole_site(tmp_path: Path) -> None:
    """24 files of about 1 MiB: their bytes wait in the crawl's spool on disk, read back on demand."""
    line = "Report {:02}: pallets counted on aisle {}. "
    files = {f"files/report-{i:02}.txt": line.format(i, i) * 24_000 for i in range(24)}
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    links = " ".join(f"<a href='/{p}'>{p}</a>" for p in files)
    (tmp_path / "index.html").write_text(_page("Reports", f"<p>The weekly reports: {links}</p>"))
    with _serve(tmp_path, {}) as other:
        # Once per process, trafilatura loads stop lists of 27 MiB on the first page it extracts.
        crawl(other.url + "index.html", _limits(max_depth=0), allow_private=True)
        tracemalloc.start()
        try:
            result = crawl(other.url + "index.html", _limits(max_bytes=2 * MiB), allow_private=True)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert len(result.documents) == 1 + len(files)
    assert peak < 8 * MiB, f"{peak / MiB:.1f} MiB at the peak of a 24 MiB crawl"
    got = _docs(result, other.url)
    assert all(got[f"/{p}"] == text.encode() for p, text in files.items())
    assert [d.size for d in result.documents[1:]] == [len(text) for text in files.values()]


def _spools() -> int:
    """Open files of this process that have no name any more (a crawl's spool among them)."""
    fds = Path("/proc/self/fd")
    return sum(1 for fd in fds.iterdir() if "(deleted)" in _link(fd))


def _link(fd: Path) -> str:
    try:
        return str(fd.readlink())
    except OSError:  # closed meanwhile, or the listing's own descriptor
        return ""


def test_a_crawl_that_fails_lets_go_of_its_spool_at_once(tmp_path: Path) -> None:
    """Its error's traceback holds the crawl (a request waiting on a sync keeps it a while): the spool's
    disk must not wait for it."""
    _write_site(tmp_path)
    with _serve(tmp_path, {"/index.html": _status(404)}) as other:
        before = _spools()
        with pytest.raises(FetchFailed) as failed:
            crawl(other.url + "index.html", LIMITS, allow_private=True)
        assert _spools() == before, failed.value


def test_a_stopped_crawl_gives_up_the_page_it_is_reading(tmp_path: Path) -> None:
    def trickle(h: SimpleHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        try:
            for _ in range(60):  # a byte a second: within every read timeout, past any patience
                h.wfile.write(b" ")
                h.wfile.flush()
                time.sleep(1)
        except OSError:
            pass

    _write_site(tmp_path)
    stop = threading.Event()
    with _serve(tmp_path, {"/slow.html": trickle}) as other:
        threading.Timer(1.0, stop.set).start()
        t0 = time.monotonic()
        with pytest.raises(FetchFailed, match="stopped"):
            crawl(other.url + "slow.html", _limits(page_time_s=60.0), allow_private=True, stop=stop.is_set)
    assert time.monotonic() - t0 < 5


# -- hostile servers: compression stacked, headers dripped --------------------------------------------------


def _answer(h: SimpleHTTPRequestHandler, body: bytes, encoding: str | None = None) -> None:
    """A 200 HTML answer of ``body``, sent as it is (already encoded as ``encoding`` says)."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    if encoding is not None:
        h.send_header("Content-Encoding", encoding)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def _gzip_page(h: SimpleHTTPRequestHandler) -> None:
    text = "<p>" + "The compressed page says the canteen opens at noon. " * 20 + "</p>"
    _answer(h, gzip.compress(_page("Compressed", text).encode()), "gzip")


def _stacked_bomb(h: SimpleHTTPRequestHandler) -> None:
    # 64 MiB of zeros, gzipped twice: a few KB sent (2 GiB took 4 GB of memory before: httpx inflated
    # each layer in one go).
    inner = gzip.compress(bytes(64 * MiB), compresslevel=9)
    _answer(h, gzip.compress(inner, compresslevel=9), "gzip, gzip")


def _single_bomb(h: SimpleHTTPRequestHandler) -> None:
    _answer(h, gzip.compress(bytes(64 * MiB), compresslevel=9), "gzip")


def _password_link(h: SimpleHTTPRequestHandler) -> None:
    host = h.headers.get("Host", "")
    link = f"<a href='http://ann:s3cret@{host}/private'>log in</a>"
    _answer(h, _page("Staff", f"<p>The staff wiki: {link}.</p>").encode())


def _raw_deflate(h: SimpleHTTPRequestHandler) -> None:
    # "deflate" as many servers send it: without zlib's header
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    page = _page("Raw", "<p>" + "The raw deflate page says parking is on level minus two. " * 20 + "</p>")
    _answer(h, packer.compress(page.encode()) + packer.flush(), "deflate")


def _cut_gzip(h: SimpleHTTPRequestHandler) -> None:
    whole = gzip.compress(_page("Cut", "<p>" + "A page cut off in transit. " * 50 + "</p>").encode())
    _answer(h, whole[: len(whole) // 2], "gzip")


def _drip_headers(h: SimpleHTTPRequestHandler) -> None:
    h.send_response(200)
    try:
        for i in range(200):  # a header line every 0.2 s: each read is quick, the page never ends
            h.send_header(f"X-Drip-{i}", "x")
            h.flush_headers()
            time.sleep(0.2)
    except OSError:
        pass


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("hostile")
    links = "".join(
        f"<a href='/{p}'>{p}</a> " for p in ("gz", "stacked", "bomb", "drip", "cut", "raw", "busy")
    )
    (root / "index.html").write_text(_page("Hostile", f"<p>Pages that test the crawler: {links}</p>"))
    routes = {
        "/gz": _gzip_page,
        "/stacked": _stacked_bomb,
        "/bomb": _single_bomb,
        "/drip": _drip_headers,
        "/cut": _cut_gzip,
        "/raw": _raw_deflate,
        "/staff": _password_link,
        "/busy": _status(503),
    }
    with _serve(root, routes) as served:
        yield served


def test_compressed_pages_are_read_and_compression_bombs_are_not(hostile: Served) -> None:
    result = crawl(
        hostile.url + "index.html", _limits(max_bytes=1 * MiB, page_time_s=3.0), allow_private=True
    )
    skipped = _skips(result, hostile.url)
    texts = b" ".join(d.data for d in result.documents)
    assert b"canteen opens at noon" in texts and b"parking is on level minus two" in texts
    assert skipped["/stacked"] == "unsupported_encoding"
    assert skipped["/bomb"] == "too_large"
    assert skipped["/cut"] == "bad_encoding"  # half a gzip stream is no shorter page
    assert skipped["/busy"] == "server_error"  # a 503: the page may well be there next time


def test_a_site_with_a_page_in_trouble_is_not_listed_as_complete(tmp_path: Path) -> None:
    # A sync deletes documents of pages gone only from a complete listing: a 503 is not "gone", a 404 is.
    from ingest.listing import list_site

    links = "<a href='/ok.html'>ok</a> <a href='/busy'>busy</a> <a href='/gone'>gone</a>"
    (tmp_path / "index.html").write_text(_page("Index", f"<p>Three pages of this small site: {links}</p>"))
    (tmp_path / "ok.html").write_text(
        _page("Ok", "<p>" + "This page is served as it should be. " * 10 + "</p>")
    )
    limits = _limits(max_depth=1)
    with _serve(tmp_path, {"/busy": _status(503), "/gone": _status(404)}) as served:
        troubled = list_site(served.url + "index.html", limits, allow_private=True)
    with _serve(tmp_path, {"/busy": _status(404), "/gone": _status(404)}) as served:
        settled = list_site(served.url + "index.html", limits, allow_private=True)
    assert not troubled.complete and settled.complete
    assert {n["reason"] for n in troubled.notes} == {"server_error", "http_status"}


def test_a_link_with_a_password_is_refused_and_never_shown_with_it(hostile: Served, caplog) -> None:
    caplog.set_level("INFO", logger="ingest.web")
    result = crawl(hostile.url + "staff", _limits(page_time_s=3.0, same_prefix=False), allow_private=True)
    [refused] = [s for s in result.skipped if s.url.endswith("/private")]
    assert refused.reason == "unsafe" and "password" in refused.detail
    shown = " ".join(f"{s.url} {s.detail}" for s in result.skipped) + caplog.text
    assert "s3cret" not in shown and "ann:" not in shown


def test_a_server_dripping_headers_is_cut_off_at_the_page_time(hostile: Served) -> None:
    with pytest.raises(RagError, match="longer than 1.5 s"):  # each header came within the read timeout
        crawl(hostile.url + "drip", _limits(page_time_s=1.5, timeout_s=5.0), allow_private=True)
