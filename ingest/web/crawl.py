"""Crawl: a start URL -> the documents of its site, breadth first.

The start page is fetched first; where it ends after its redirects (http:// to https://, a host to
www.host) is the site crawled: the same scheme, host and port, and, with ``same_prefix``, paths under the
start page's directory. From there, the links of each HTML page are followed to ``max_depth``, each page
fetched once, ``max_pages`` requests at most, robots.txt and robots meta tags obeyed.

The start URL failing raises (BadURL, UnsafeURL, FetchFailed): the caller gave an address that does not
work. Any later page that fails is recorded in ``CrawlResult.skipped`` with its reason and the crawl goes
on. The same site crawled twice gives the same names and the same bytes for unchanged pages, so the
ingest pipeline's content hash skips them.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import deque
from collections.abc import Callable

import httpx

from ingest.web import extract, guard, robots
from ingest.web.errors import BadURL, FetchFailed, NotTaken, UnsafeURL, WebError
from ingest.web.extract import PageLinks
from ingest.web.fetch import FetchLimits, Response, fetch, make_client
from ingest.web.guard import Resolver
from ingest.web.spool import Spool
from ingest.web.types import CrawlLimits, CrawlResult, Skipped, WebDocument
from ingest.web.urls import Site, directory, document_name, normalise, path_of, without_credentials

log = logging.getLogger(__name__)


def crawl(
    start_url: str,
    limits: CrawlLimits | None = None,
    *,
    allow_private: bool = False,
    resolve: Resolver | None = None,
    sleep: Callable[[float], object] = time.sleep,
    stop: Callable[[], bool] | None = None,
) -> CrawlResult:
    """The documents of the site at ``start_url``, and the pages skipped, within ``limits``.

    ``allow_private``: the operator's setting to crawl private networks and loopback (an intranet);
    link-local and metadata addresses stay refused. ``resolve`` replaces DNS (host, port -> addresses),
    whose answers the guard still judges; ``sleep`` is how a Crawl-delay is waited. ``stop`` ends the
    crawl before its next page when it says so (the service stopping): the result is then truncated.
    """
    limits = limits or CrawlLimits()
    start = checked_start(start_url, allow_private=allow_private, resolve=resolve)
    with make_client(limits.timeout_s, allow_private=allow_private, resolve=resolve) as client:
        run = _Crawl(client, limits, sleep, allow_private, resolve, stop or (lambda: False))
        try:
            return run.run(start)
        except BaseException:
            run.spool.close()  # now, not when the error's traceback lets go of it: its disk is needed
            raise


def checked_start(url: str, *, allow_private: bool, resolve: Resolver | None = None) -> str:
    """``url`` normalised, as a crawl starts from it, once the guard lets it through: BadURL for what is
    not a web address, UnsafeURL, FetchFailed for a name that does not resolve."""
    start = normalise(url)
    if start is None:
        guard.split(url)  # says what is wrong with it
        raise BadURL(f"{url!r} is not a web address")
    # Before any connection, for a message that names the URL; the connection checks again.
    guard.check(start, allow_private=allow_private, resolve=resolve)
    return start


class _Crawl:
    def __init__(
        self,
        client: httpx.Client,
        limits: CrawlLimits,
        sleep: Callable[[float], object],
        allow_private: bool,
        resolve: Resolver | None,
        stop: Callable[[], bool],
    ) -> None:
        self.client = client
        self.stop = stop
        self.allow_private = allow_private
        self.resolve = resolve
        self.limits = limits
        self.fetch_limits = FetchLimits(
            limits.max_bytes, limits.timeout_s, limits.max_redirects, limits.page_time_s
        )
        self.sleep = sleep
        self.result = CrawlResult()
        self.robots: dict[Site, robots.Robots] = {}
        self.last_request: dict[Site, float] = {}
        self.fetched: set[str] = set()
        self.names: dict[str, str] = {}  # document name -> its URL
        self.contents: dict[str, str] = {}  # sha256 of a document's bytes -> its URL
        self.spool = Spool()  # the documents' bytes: one page at a time in memory
        self.requests = 0
        self.deadline = time.monotonic() + (limits.total_time_s or 0.0)
        self.site: Site | None = None  # set once the start page is fetched
        self.prefix = "/"

    def run(self, start: str) -> CrawlResult:
        try:
            final, links = self._visit(start, follow=self._rules)
        except (BadURL, UnsafeURL, FetchFailed) as e:
            raise e.within(start) from e
        except WebError as e:  # robots.txt, too large, not a format we ingest: a page skipped
            self._skip(start, e)
            final, links = start, None
            self.result.truncated = True  # nothing of the site was seen: nothing of it may be taken as gone
        if Site.of(final) != Site.of(start):
            # A maintenance page or a login elsewhere, or the site moved: what is crawled is not the site
            # the source names, so nothing of that is taken as gone.
            self._skip(start, NotTaken("moved", f"redirects to {final}, another site: sync that URL instead"))
            self.result.truncated = True
        self.site = Site.of(final)
        self.prefix = directory(final) if self.limits.same_prefix else "/"
        seen = {start, final}
        queue: deque[tuple[str, int]] = deque()
        self._enqueue(links, 0, seen, queue)
        while queue:
            url, depth = queue.popleft()
            if url in self.fetched:  # reached already, as another page's redirect target
                continue
            if self.stop():
                self.result.truncated = True
                log.info("%s: stopped, %d pages not visited", start, len(queue) + 1)
                break
            if self.limits.total_time_s is not None and time.monotonic() > self.deadline:
                self.result.truncated = True
                log.info(
                    "%s: stopped at %g s, %d pages not visited",
                    start,
                    self.limits.total_time_s,
                    len(queue) + 1,
                )
                break
            if self.requests >= self.limits.max_pages:
                self.result.truncated = True
                log.info("%s: stopped at %d pages, %d more not visited", start, self.requests, len(queue) + 1)
                break
            try:
                _, links = self._visit(url, follow=self._follow)
            except WebError as e:
                self._skip(url, e)
                continue
            self._enqueue(links, depth, seen, queue)
        log.info(
            "crawled %s: %d documents, %d pages skipped",
            start,
            len(self.result.documents),
            len(self.result.skipped),
        )
        return self.result

    def _enqueue(
        self, links: PageLinks | None, depth: int, seen: set[str], queue: deque[tuple[str, int]]
    ) -> None:
        if links is None or links.nofollow:
            return
        if depth >= self.limits.max_depth:
            # Pages past the depth were not looked at: the crawl says nothing of whether they still exist.
            if any(link not in seen and self._in_scope(link) for link in links.links):
                self.result.truncated = True
            return
        for link in links.links:
            if link not in seen and self._in_scope(link):
                seen.add(link)
                queue.append((link, depth + 1))

    def _in_scope(self, url: str) -> bool:
        return Site.of(url) == self.site and path_of(url).startswith(self.prefix)

    def _rules(self, url: str) -> None:
        """What any URL must pass before it is requested: robots.txt of its site."""
        self._robots(Site.of(url)).check(url)

    def _follow(self, target: str) -> None:
        """Whether a page's redirect is followed: within the site, a page not crawled yet, robots.txt."""
        # The guard first, though the connection would refuse it too: a redirect to an address such as
        # the metadata service's is reported as unsafe, not merely as off the site.
        site = Site.of(target)
        guard.check_host(site.host, site.port, allow_private=self.allow_private, resolve=self.resolve)
        if not self._in_scope(target):
            raise NotTaken("off_site", "outside the site crawled")
        if target in self.fetched:
            raise NotTaken("duplicate", "crawled already")
        self._rules(target)

    def _robots(self, site: Site) -> robots.Robots:
        if site not in self.robots:
            self._pace(site)
            self.robots[site] = robots.load(
                self.client, site, self.fetch_limits, delay_cap_s=self.limits.crawl_delay_cap_s
            )
        return self.robots[site]

    def _pace(self, site: Site) -> None:
        """Wait out the site's Crawl-delay since our last request to it."""
        rules = self.robots.get(site)
        if rules is not None and rules.delay_s > 0 and site in self.last_request:
            wait = rules.delay_s - (time.monotonic() - self.last_request[site])
            if wait > 0:
                self.sleep(wait)
        self.last_request[site] = time.monotonic()

    def _visit(self, url: str, *, follow: Callable[[str], None]) -> tuple[str, PageLinks | None]:
        """Fetch one page and keep what it gives: its final URL, and its links when it is HTML."""
        self._rules(url)
        self._pace(Site.of(url))
        self.requests += 1
        self.fetched.add(url)
        got = fetch(self.client, url, self.fetch_limits, follow=follow, accept=extract.wanted, stop=self.stop)
        self.fetched.add(got.url)
        if got.status != 200:
            if self.site is None:  # the start page
                raise FetchFailed(f"the server answered {got.status_text}")
            # A server in trouble or asking us to wait may serve the page later; a 404 says it is gone.
            reason = "server_error" if got.status >= 500 or got.status in (408, 429) else "http_status"
            raise NotTaken(reason, f"the server answered {got.status_text}")
        log.debug("fetched %s (%s, %d bytes)", got.url, got.media_type, len(got.data))
        if got.media_type in extract.HTML_TYPES:
            return got.url, self._page(got)
        extension = extract.file_extension(got.media_type, got.url)
        assert extension is not None  # extract.wanted took it
        self._keep(got, got.data, got.media_type or "application/octet-stream", extension, None)
        return got.url, None

    def _page(self, got: Response) -> PageLinks:
        links = extract.page_links(got.data, got.url)
        if links.noindex:
            self._skip(got.url, NotTaken("noindex", "the page asks not to be indexed (robots meta tag)"))
            return links
        text = extract.main_text(got.data, got.url)
        if text is None:
            self._skip(got.url, NotTaken("no_text", "no main text found in the page"))
            return links
        self._keep(got, text.markdown.encode("utf-8"), "text/markdown", ".md", text.title)
        return links

    def _keep(self, got: Response, data: bytes, content_type: str, extension: str, title: str | None) -> None:
        # One page under two URLs (/ and /index.html, a tracking parameter): one document.
        digest = hashlib.sha256(data).hexdigest()
        first = self.contents.setdefault(digest, got.url)
        if first != got.url:
            self._skip(got.url, NotTaken("duplicate", f"the same content as {first}"))
            return
        name = document_name(got.url, extension)
        if self.names.setdefault(name, got.url) != got.url:
            # Two URLs spelled alike once cleaned (/a.html and /a): the later one found gets a hash, which
            # stays the same from crawl to crawl while the site does.
            tail = hashlib.sha256(got.url.encode()).hexdigest()[:8]
            name = f"{name.removesuffix(extension)}-{tail}{extension}"
            self.names[name] = got.url
        span = self.spool.add(data)
        doc = WebDocument(
            got.url, name, self.spool, span, digest, content_type, title, got.etag, got.last_modified
        )
        self.result.documents.append(doc)

    def _skip(self, url: str, e: WebError) -> None:
        shown = without_credentials(url)
        detail = str(e).replace(url, shown)
        log.info("skipped %s: %s (%s)", shown, e.reason, detail)
        self.result.skipped.append(Skipped(shown, e.reason, detail))
