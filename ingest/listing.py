"""Listing: what a source holds now (ingest.sync's ``Listing``), for a folder at any fsspec URL and for a
website (ingest.web). Document names are relative paths in a folder, as ``rag ingest DIR`` names them,
and names made from URLs for a site; versions change when the content does."""

from __future__ import annotations

import posixpath
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fsspec
from fsspec.core import split_protocol, strip_protocol

from core.errors import RagError
from ingest.parse import supported_suffixes
from ingest.sync import Listed, Listing
from ingest.web import CrawlLimits, WebDocument, crawl
from ingest.web.urls import normalise, without_credentials

# Pages that were not read this time for a reason that may pass: they are not taken as gone.
# A page too large now, or cut off in transit, is still there: its document is kept as it was.
_PASSING = {"timeout", "fetch_failed", "robots_unavailable", "server_error", "bad_encoding", "too_large"}


# A document's name is stored in 1,024 characters (ingest.registry, ingest.sourcestore).
MAX_NAME_CHARS = 1024


class SourceUnreadable(RagError):
    """A source could not be listed: no such folder, no filesystem for its scheme, no access."""


def is_url(arg: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", arg))


def is_web(uri: str) -> bool:
    return uri.lower().startswith(("http://", "https://"))


def canonical(arg: str) -> str:
    """The URI a source is remembered by: a local folder as its absolute ``file://`` URI (the same folder
    given as a relative path, or watched, is the same source), any other URL as given."""
    if not is_url(arg):
        return Path(arg).resolve().as_uri()
    if is_web(arg):
        return normalise(arg) or arg  # "HTTPS://Example.com:443" is "https://example.com/"
    return arg.rstrip("/")


def list_folder(uri: str) -> Listing:
    """Every file of a supported format under the folder at ``uri`` (a path or any fsspec URL: ``file://``,
    ``s3://`` with s3fs installed, ``memory://``), named by its path relative to the folder. Hidden files
    and folders (a leading dot) and other formats (an editor's backup, a lock file) are left out."""
    protocol, _ = split_protocol(uri)
    try:
        fs = fsspec.filesystem(protocol or "file")
    except (ImportError, ValueError) as e:
        raise SourceUnreadable(f"{uri}: no filesystem for {protocol!r} URLs here ({e})") from e
    root = strip_protocol(uri).rstrip("/") or "/"
    try:
        if not fs.isdir(root):
            raise SourceUnreadable(f"{uri}: no such folder")
        found = fs.find(root, detail=True)
    except OSError as e:
        raise SourceUnreadable(f"{uri}: could not be listed: {e}") from e
    suffixes = set(supported_suffixes())
    out, notes = [], []
    for path, info in sorted(found.items()):
        rel = posixpath.relpath(path, root)
        if info.get("type") != "file" or any(p.startswith(".") for p in rel.split("/")):
            continue
        if posixpath.splitext(rel)[1].lower() not in suffixes:
            continue
        problem = _bad_name(rel)
        if problem:
            shown = rel.encode("utf-8", "backslashreplace").decode()[:200]
            notes.append({"url": shown, "reason": "bad_name", "detail": problem})
            continue
        out.append(Listed(rel, _version(info), int(info.get("size") or 0), _reader(fs, path)))
    return Listing(out, notes=notes)


def _bad_name(rel: str) -> str | None:
    """Why a file's path cannot name a document (it is left out, and said so), or None."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return "its name is not valid UTF-8: rename it"
    if len(rel) > MAX_NAME_CHARS:
        return f"its path is longer than {MAX_NAME_CHARS} characters"
    return None


def list_site(
    url: str, limits: CrawlLimits, allow_private: bool, stop: threading.Event | None = None
) -> Listing:
    """The pages of the site at ``url``, crawled within ``limits`` (until ``stop`` is set: a Crawl-delay
    being waited ends with it), each versioned by its content."""
    if stop is None:
        result = crawl(url, limits, allow_private=allow_private)
    else:
        result = crawl(url, limits, allow_private=allow_private, sleep=stop.wait, stop=stop.is_set)
    named = [d for d in result.documents if len(d.name) <= MAX_NAME_CHARS]
    items = [Listed(d.name, f"sha256:{d.sha256}", d.size, _spooled(d)) for d in named]
    passing = [s for s in result.skipped if s.reason in _PASSING]
    notes = [
        {"url": without_credentials(s.url), "reason": s.reason, "detail": s.detail} for s in result.skipped
    ]
    notes += [
        {"url": without_credentials(d.url)[:MAX_NAME_CHARS], "reason": "bad_name",
         "detail": f"its name would be longer than {MAX_NAME_CHARS} characters"}
        for d in result.documents if len(d.name) > MAX_NAME_CHARS
    ]  # fmt: skip
    if result.truncated:
        detail = (
            "the crawl did not see the whole site (a depth, page or time limit, or a start page not taken "
            "or moved): none of what it did not see is taken as gone"
        )
        notes.append({"url": url, "reason": "incomplete", "detail": detail})
    return Listing(items, complete=not result.truncated and not passing, notes=notes)


def _version(info: dict[str, Any]) -> str:
    """What changes when a file does, by what the filesystem offers: an ETag, else size and mtime."""
    for key in ("ETag", "etag", "md5Hash", "crc32c"):
        if info.get(key):
            return f"{key}:{str(info[key]).strip(chr(34))}"
    mtime = info.get("mtime") or info.get("LastModified") or info.get("updated") or info.get("created") or ""
    return f"{info.get('size')}:{mtime}"


def _reader(fs: Any, path: str) -> Callable[[], bytes]:
    def read() -> bytes:
        with fs.open(path, "rb") as f:
            return f.read()

    return read


def _spooled(doc: WebDocument) -> Callable[[], bytes]:
    return lambda: doc.data
