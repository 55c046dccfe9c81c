"""Web pages as sources: a start URL -> the documents of its site, ready to ingest.

``crawl`` fetches the site breadth first (``ingest.web.crawl``) through an HTTP client whose every
connection the SSRF guard checks (``ingest.web.guard``, ``ingest.web.fetch``), obeys robots.txt
(``ingest.web.robots``) and turns each HTML page into Markdown of its main text (``ingest.web.extract``);
files in a format we ingest (PDF, Office, text) are returned as they are. Each document is named from its
URL (``ingest.web.urls``), the same name on every crawl.
"""

from ingest.web.crawl import checked_start, crawl
from ingest.web.errors import BadURL, FetchFailed, FetchTimeout, NotTaken, PageTooLarge, UnsafeURL, WebError
from ingest.web.fetch import USER_AGENT
from ingest.web.types import CrawlLimits, CrawlResult, Skipped, WebDocument

__all__ = [
    "USER_AGENT",
    "BadURL",
    "CrawlLimits",
    "CrawlResult",
    "FetchFailed",
    "FetchTimeout",
    "NotTaken",
    "PageTooLarge",
    "Skipped",
    "UnsafeURL",
    "WebDocument",
    "WebError",
    "checked_start",
    "crawl",
]
