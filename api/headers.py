"""Security headers on every response of the app.

Pages (/ui, /chat, /docs) get a Content-Security-Policy that allows only this origin's own scripts, styles and
connections: no inline script or style, no plugins, no <base>, no framing. Everything else (JSON, problem
details, assets) gets a policy that allows nothing at all, since none of it is meant to render as a page.
API answers carry tenant data, so no cache may keep them.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders

PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"

_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def secure(headers: MutableHeaders, path: str) -> None:
    """Adds the headers to a response for ``path`` (its own Content-Security-Policy, if any, stays)."""
    for name, value in _ALWAYS.items():
        headers[name] = value
    page = headers.get("content-type", "").startswith("text/html")
    headers.setdefault("Content-Security-Policy", PAGE_CSP if page else API_CSP)
    if path.startswith("/v1/") or path == "/mcp":
        headers["Cache-Control"] = "no-store"
