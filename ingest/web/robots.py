"""robots.txt: what a site lets our crawler fetch, read once per site (scheme, host and port) through the
same guarded client as the pages, and parsed by the standard library's ``urllib.robotparser`` for our
user agent.

As RFC 9309 and the large crawlers do: a robots.txt that does not exist (a 4xx answer) allows everything;
one the server fails to give (a 5xx answer, 429 Too Many Requests, a timeout) forbids everything for this
crawl, since we cannot know what it says. A Crawl-delay is honoured up to a cap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

import httpx

from core.units import KiB
from ingest.web.errors import FetchTimeout, NotTaken
from ingest.web.fetch import USER_AGENT, FetchLimits, fetch
from ingest.web.urls import Site

log = logging.getLogger(__name__)

# Google reads the first 500 KiB of a robots.txt and ignores the rest; so do we.
MAX_ROBOTS_BYTES = 500 * KiB


@dataclass(frozen=True)
class Robots:
    """One site's rules. ``unavailable``: why robots.txt could not be read, when it forbids all."""

    parser: RobotFileParser | None  # None: everything allowed (no robots.txt)
    delay_s: float = 0.0
    unavailable: str | None = None

    def check(self, url: str) -> None:
        """NotTaken ("robots", "robots_unavailable") when the site does not let us fetch ``url``."""
        if self.unavailable is not None:
            raise NotTaken(
                "robots_unavailable", f"{self.unavailable}: the site is treated as disallowing all"
            )
        if self.parser is not None and not self.parser.can_fetch(USER_AGENT, url):
            raise NotTaken("robots", f"robots.txt disallows it for {USER_AGENT.split('/')[0]}")


def load(client: httpx.Client, site: Site, limits: FetchLimits, *, delay_cap_s: float) -> Robots:
    """``site``'s robots.txt. Raises what fetching it raises when the site cannot be reached at all
    (FetchFailed, UnsafeURL): the crawl cannot go on there either; a timeout forbids all instead."""
    url = f"{site.root}/robots.txt"
    robots_limits = FetchLimits(
        max_bytes=min(limits.max_bytes, MAX_ROBOTS_BYTES),
        timeout_s=limits.timeout_s,
        max_redirects=limits.max_redirects,
        page_time_s=limits.page_time_s,
    )
    try:
        # Redirects are followed anywhere the guard allows: a site may keep its robots.txt on another host.
        got = fetch(client, url, robots_limits, follow=lambda _target: None, truncate=True)
    except FetchTimeout as e:
        log.warning("%s: %s; nothing of the site is crawled", url, e)
        return Robots(None, unavailable=f"robots.txt could not be read ({e})")
    if got.status == 200:
        parser = RobotFileParser(url)
        parser.parse(got.data.decode("utf-8", "replace").splitlines())
        delay = parser.crawl_delay(USER_AGENT)
        return Robots(parser, delay_s=min(float(delay or 0), delay_cap_s))
    if 400 <= got.status < 500 and got.status != 429:
        return Robots(None)  # no robots.txt: no rules
    log.warning("%s answered %s; nothing of the site is crawled", url, got.status_text)
    return Robots(None, unavailable=f"robots.txt could not be read ({got.status_text})")
