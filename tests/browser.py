"""Pages in headless Chromium (Debian's package) through Playwright, for the tests of the dashboard and
the chat page: what went wrong on the page is collected, and every URL it requested."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "test-artifacts"


@contextmanager
def browser_page(**page: Any) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page in headless Chromium, with what went wrong (console errors and warnings, page errors, failed
    requests: a Content-Security-Policy violation is a console error) and the URLs it requested.
    ``page``: options of ``new_page`` (default: a 1400x1800 viewport)."""
    if CHROMIUM is None:
        pytest.skip("needs Debian's chromium (apt-get install chromium); .ci/run installs it")
    playwright = pytest.importorskip("playwright.sync_api")
    problems: list[str] = []
    requests: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-background-networking"]
        )
        tab = browser.new_page(**({"viewport": {"width": 1400, "height": 1800}} | page))
        tab.on(
            "console",
            lambda m: (
                problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None
            ),
        )
        tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        tab.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
        tab.on("request", lambda r: requests.append(r.url))
        try:
            yield tab, problems, requests
        finally:
            browser.close()
