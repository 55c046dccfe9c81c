"""What a crawl is given (its limits) and what it gives back (documents, and the pages it skipped)."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.units import MiB
from ingest.web.spool import Span, Spool


@dataclass(frozen=True)
class CrawlLimits:
    max_depth: int = 2  # links followed from the start page: 0 fetches the start page only
    max_pages: int = 50  # pages requested (robots.txt not counted)
    max_bytes: int = 10 * MiB  # of one page's body; a larger page is skipped, not read past this
    timeout_s: float = 15.0  # to connect, and between two reads of an answer
    max_redirects: int = 5  # per page
    crawl_delay_cap_s: float = 5.0  # a site's Crawl-delay is honoured up to this
    same_prefix: bool = True  # only pages under the start page's directory
    page_time_s: float = 60.0  # one page in all, redirects and body: bounds a server that trickles
    total_time_s: float | None = None  # the whole crawl: pages not reached by then are left for next time

    def __post_init__(self) -> None:
        if min(self.max_depth, self.max_redirects, self.crawl_delay_cap_s) < 0:
            raise ValueError("CrawlLimits: max_depth, max_redirects and crawl_delay_cap_s cannot be negative")
        if min(self.max_pages, self.max_bytes, self.timeout_s, self.page_time_s) <= 0:
            raise ValueError("CrawlLimits: max_pages, max_bytes, timeout_s and page_time_s must be positive")


@dataclass(frozen=True)
class WebDocument:
    """A page to ingest. ``name`` is stable for a URL and ends in the extension that decides its parser
    (".md" for an HTML page, whose ``data`` is then its main text as Markdown, UTF-8). Its bytes are in
    the crawl's spool (read with ``data``), ``size`` and ``sha256`` known without reading them."""

    url: str
    name: str
    spool: Spool = field(repr=False)
    span: Span
    sha256: str  # hex digest of the bytes
    content_type: str  # of ``data``: "text/markdown" for an HTML page, the server's type for a file
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def size(self) -> int:
        return self.span.length

    @property
    def data(self) -> bytes:
        return self.spool.read(self.span)


@dataclass(frozen=True)
class Skipped:
    """A page the crawl reached but did not return, and why. ``reason``, a short code: "robots",
    "robots_unavailable" (robots.txt failed: the site is not crawled), "noindex", "no_text",
    "unsupported_type", "duplicate" (the same content as a page returned), "too_large", "http_status"
    (a 4xx answer: not there), "server_error" (5xx, 408 or 429: it may be there later),
    "off_site" (a redirect out of the site), "moved" (the start page redirects to another site, which
    is crawled, nothing of it taken as gone), "unsafe" (refused by the SSRF guard), "timeout",
    "fetch_failed", "bad_url". ``detail`` says it in words."""

    url: str
    reason: str
    detail: str = ""


@dataclass
class CrawlResult:
    documents: list[WebDocument] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # Pages in scope were left unvisited (the page limit, the depth limit or the time limit): what the
    # crawl did not see may still exist, so nothing is taken as gone.
    truncated: bool = False
