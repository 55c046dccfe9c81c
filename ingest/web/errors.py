"""Why a URL was not crawled. Each error carries ``reason``, a short machine-readable code: the one a
skipped page is reported with (``Skipped.reason``), while the message says what happened in words.

Raised for the start URL (a bad or unsafe address, a site that cannot be reached); for every later page
the crawl records them as skipped and goes on.
"""

from __future__ import annotations

from core.errors import RagError


class WebError(RagError):
    """A web page could not be fetched or is not taken."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason

    def within(self, context: str) -> WebError:
        """The same error, its message prefixed by ``context`` (the redirect that led to it)."""
        e = type(self).__new__(type(self))  # not copy.copy: it would call __init__ with the message only
        e.__dict__.update(self.__dict__)
        e.args = (f"{context}: {self}",)
        return e


class BadURL(WebError):
    """Not a web address we can crawl: no http(s) scheme, no host."""

    def __init__(self, message: str) -> None:
        super().__init__("bad_url", message)


class UnsafeURL(WebError):
    """The address is one a server-side crawler must not reach: a private, loopback or link-local network,
    or a URL with credentials in it."""

    def __init__(self, message: str) -> None:
        super().__init__("unsafe", message)


class FetchFailed(WebError):
    """The server could not be reached or gave no usable answer (connection refused, bad status,
    too many redirects)."""

    def __init__(self, message: str, reason: str = "fetch_failed") -> None:
        super().__init__(reason, message)


class FetchTimeout(FetchFailed):
    """The server did not answer in time."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "timeout")


class PageTooLarge(WebError):
    """The page is larger than the crawl allows; it was not read past the limit."""

    def __init__(self, message: str) -> None:
        super().__init__("too_large", message)


class NotTaken(WebError):
    """The page was reached but is not taken: robots.txt, an unsupported format, a redirect off the site."""
