"""URLs as the crawl compares them, and the document names they become.

One spelling per page (``normalise``): links are resolved against their page, the scheme and host
lowercased, a default port and the fragment dropped, so ``/a#top`` and ``HTTP://Host:80/a`` are one page,
fetched once. A page's document name (``document_name``) derives from its URL alone, so crawling the same
site again names every page the same way and the ingest pipeline finds it unchanged.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}

# What a name's path segment keeps; anything else becomes "_" (and the name gets a hash: see below).
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_SEGMENT = 100  # characters of one path segment: file systems stop at 255 bytes
# Extensions an HTML page's name drops for ".md": /policies/visitors.html -> policies/visitors.md.
_PAGE_EXTENSIONS = (".html", ".htm", ".xhtml")


def without_credentials(url: str) -> str:
    """``url`` as it may be shown or logged: without a user name and password in it."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def normalise(url: str, base: str | None = None) -> str | None:
    """``url`` (a link resolved against ``base``, its page) in the crawl's one spelling, or None when it is
    not an http(s) address with a host (mailto:, javascript:, a malformed port)."""
    try:
        parts = urlsplit(urljoin(base, url.strip()) if base else url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname  # lowercased, an IPv6 address without its brackets
    if scheme not in DEFAULT_PORTS or not host:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    # Credentials are kept, for the guard to refuse the link rather than have it fetched without them.
    userinfo = parts.netloc.rpartition("@")[0]
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


@dataclass(frozen=True)
class Site:
    """What "the same site" means: scheme, host and port (robots.txt is per site too)."""

    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Site:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        return cls(scheme, (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(scheme, 0))

    @property
    def root(self) -> str:
        """``scheme://host[:port]``, the port only when it is not the default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = "" if self.port == DEFAULT_PORTS.get(self.scheme) else f":{self.port}"
        return f"{self.scheme}://{host}{port}"


def directory(url: str) -> str:
    """The directory of ``url``'s path, with its trailing slash: ``/docs/`` for ``/docs/index.html``."""
    path = urlsplit(url).path or "/"
    return path[: path.rfind("/") + 1]


def path_of(url: str) -> str:
    return urlsplit(url).path or "/"


def document_name(url: str, extension: str) -> str:
    """A stable, file-system-safe name for the document at ``url`` (normalised), ending in ``extension``
    (".md" for an HTML page): ``host[_port]/path``. Characters outside ``A-Za-z0-9._-`` become "_"; when
    that changed anything, or the URL has a query, the last segment gets a hash of the URL's path and query
    so that two URLs keep two names."""
    parts = urlsplit(url)
    host = _UNSAFE.sub("_", parts.hostname or "host")
    if parts.port is not None:
        host = f"{host}_{parts.port}"
    raw = [unquote(s) for s in (parts.path or "/").split("/")[1:]]
    if not raw or raw[-1] == "":
        raw[-1:] = ["index"]
    if extension == ".md":
        stem = raw[-1]
        raw[-1] = (
            next((stem[: -len(x)] for x in _PAGE_EXTENSIONS if stem.lower().endswith(x)), stem) or "index"
        )
    segments = [_safe(s) for s in raw]
    last = segments[-1]
    if parts.query or segments != raw:
        tail = hashlib.sha256(f"{parts.path}?{parts.query}".encode()).hexdigest()[:10]
        last = f"{last}-{tail}"
    if not last.lower().endswith(extension):
        last += extension
    return "/".join([host, *segments[:-1], last])


def _safe(segment: str) -> str:
    """A path segment as a file name: no separators, no leading dot (no "..", no hidden file)."""
    s = _UNSAFE.sub("_", segment) or "_"
    if s.startswith("."):
        s = "_" + s[1:]
    if len(s) > _MAX_SEGMENT:
        s = s[:_MAX_SEGMENT]
    return s
