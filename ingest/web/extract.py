"""What a fetched page gives: the main text of an HTML page as Markdown (by trafilatura, which drops the
navigation, footers and other boilerplate), its links and its robots meta tag (by lxml), or, for a file in
a format we ingest, its extension.

Markdown, so that the project's Markdown reader chunks a page by its headings; the page's title becomes
its first heading. Nothing here touches the network: trafilatura is given the bytes we fetched (no more
than the crawl's byte limit) and never downloads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import trafilatura

from ingest.web.urls import normalise

log = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Content types of the files the ingest pipeline reads -> the extension that makes it pick the parser.
FILE_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/rtf": ".rtf",
    "text/rtf": ".rtf",
    "application/epub+zip": ".epub",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "text/csv": ".csv",
}
# Servers that do not know a file's type say application/octet-stream (or nothing): then the URL's own
# extension decides, when it is one of ours.
_UNTYPED = frozenset({"", "application/octet-stream", "binary/octet-stream"})


def file_extension(media_type: str, url: str) -> str | None:
    """The extension a non-HTML answer is stored with, or None when it is not a format we ingest."""
    if media_type in FILE_TYPES:
        return FILE_TYPES[media_type]
    if media_type in _UNTYPED:
        path = urlsplit(url).path.lower()
        return next((x for x in sorted(set(FILE_TYPES.values())) if path.endswith(x)), None)
    return None


def wanted(media_type: str, url: str) -> bool:
    """Whether the crawl reads an answer of this type (the others are skipped unread)."""
    return media_type in HTML_TYPES or file_extension(media_type, url) is not None


@dataclass(frozen=True)
class PageLinks:
    links: list[str]  # normalised, in page order, without repeats
    noindex: bool  # <meta name="robots" content="noindex">: not a document
    nofollow: bool  # <meta name="robots" content="nofollow">: its links are not followed


def page_links(html: bytes, url: str) -> PageLinks:
    """The http(s) links of ``<a href>`` (but rel="nofollow" ones) and the robots meta tag of a page."""
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):  # an empty or unparsable page: no links, no rules
        return PageLinks([], noindex=False, nofollow=False)
    directives: set[str] = set()
    for meta in root.iter("meta"):
        # The generic "robots" and our own name (robots meta tags may name a crawler).
        if (meta.get("name") or "").strip().lower() in ("robots", "rag-knowledge-crawler"):
            directives.update(d.strip().lower() for d in (meta.get("content") or "").split(","))
    if "none" in directives:
        directives |= {"noindex", "nofollow"}
    base = next((b.get("href") for b in root.iter("base") if b.get("href")), None)
    base = normalise(base, url) if base else None
    links: dict[str, None] = {}  # ordered, without repeats
    for a in root.iter("a"):
        href = a.get("href")
        if not href or "nofollow" in (a.get("rel") or "").lower().split():
            continue
        link = normalise(href, base or url)
        if link is not None:
            links.setdefault(link)
    return PageLinks(list(links), noindex="noindex" in directives, nofollow="nofollow" in directives)


@dataclass(frozen=True)
class MainText:
    markdown: str
    title: str | None


def main_text(html: bytes, url: str) -> MainText | None:
    """The page's main text as Markdown, under its title as a "# " heading; None when trafilatura finds
    no main text."""
    document = trafilatura.extract_with_metadata(
        html,
        url=url,
        output_format="markdown",
        include_tables=True,
        include_links=False,
        include_images=False,
        include_comments=False,
    )
    if document is None:
        return None
    text = _without_front_matter(document.text or "").strip()
    if not text:
        return None
    title = " ".join((document.title or "").split())
    first_line = text.split("\n", 1)[0].lstrip("#").strip()
    if title and not first_line.casefold().startswith(title.casefold()):
        text = f"# {title}\n\n{text}"
    return MainText(text + "\n", title or None)


def _without_front_matter(text: str) -> str:
    """trafilatura puts the metadata in a YAML header ("---" lines, one field a line) before the text;
    the title is taken from the metadata itself."""
    if not text.startswith("---\n"):
        return text
    end = text.find("\n---\n", 3)
    return text[end + len("\n---\n") :] if end != -1 else text
