"""Secrets: text -> the API keys, tokens, private keys and passwords in it, and the text with each one
replaced by ``[REDACTED SECRET]``.

The detectors are detect-secrets' plugins, used in process on the text itself (their regexes and their
own checks, such as the JWT's decoding): no files, git or baseline. Two families are left out because
they flag what is not a secret: the high-entropy string plugins (273,625 hits on the 180,026 lines of the
sample and shared documents, none of them secrets: quoted hashes, MIME boundaries, ids) and the public
IP address plugin (an address is personal data, a matter for core.guard.pii, and it matched a version
number). The regex plugins kept found nothing on those lines. Google API keys, which detect-secrets does
not cover, and AWS secret keys assigned without quotes are added here.

A plugin reports the secret's value; the span redacted is the whole token: a private key from its
``BEGIN`` line to its ``END`` line (to the end of the text when the block is cut short), a JWT with its
signature, a GitHub token with the characters after its prefix.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

REDACTED = "[REDACTED SECRET]"

# detect-secrets plugins whose findings are too often not secrets (module docstring)
_LEFT_OUT = frozenset({"Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"})
# Found by value (the plugin checks more than a regex): located in the text, then widened to the token.
_BY_VALUE = frozenset({"KeywordDetector", "JwtTokenDetector"})
_EXTRA = {
    "GoogleApiKey": re.compile(r"(?<![\w-])AIza[0-9A-Za-z_\-]{35}(?![\w-])"),
    # detect-secrets wants the AWS secret key in quotes; configuration and prose often leave them out
    "AWSSecretKey": re.compile(
        r"(?i)aws.{0,20}?(?:secret|key).{0,20}?[=:]\s*['\"]?([0-9a-zA-Z/+]{40})(?![0-9a-zA-Z/+])"
    ),
}
_PEM = re.compile(
    r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----.*?(?:-----END[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|\Z)"
    r"|BEGIN[A-Z0-9 ]*PRIVATE KEY.*?(?:END[A-Z0-9 ]*PRIVATE KEY-*|\Z)",
    re.DOTALL,
)
_TOKEN_CHAR = re.compile(r"[A-Za-z0-9_\-+/=]|\.(?=[A-Za-z0-9_\-])")
_MIN_GROUP = 8  # a regex group this long is the secret itself; a shorter one is a prefix (ghp, xoxb)


@dataclass(frozen=True)
class SecretSpan:
    kind: str  # the detect-secrets plugin's class name, e.g. AWSKeyDetector
    start: int
    end: int


class SecretFinder:
    """Finds and redacts secrets; stateless once built, so one is shared by every thread."""

    def __init__(self) -> None:
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

        self._regex: list[tuple[str, re.Pattern[str]]] = list(_EXTRA.items())
        self._by_value: list[tuple[str, Any]] = []
        for cls in get_mapping_from_secret_type_to_class().values():
            name = cls.__name__
            if name in _LEFT_OUT:
                continue
            if name in _BY_VALUE:
                self._by_value.append((name, cls()))
            else:
                self._regex += [(name, regex) for regex in cls.denylist]

    def find(self, text: str) -> list[SecretSpan]:
        """Non-overlapping spans sorted by start (overlapping findings are merged)."""
        if not text:
            return []
        spans = [_span(name, m) for name, regex in self._regex for m in regex.finditer(text)]
        offset = 0
        for line in text.splitlines(keepends=True):  # the value plugins look at one line at a time
            for name, plugin in self._by_value:
                for value in set(plugin.analyze_string(line)):
                    at = line.find(value)
                    while value and at >= 0:
                        spans.append(SecretSpan(name, offset + at, offset + at + len(value)))
                        at = line.find(value, at + len(value))
            offset += len(line)
        # Widened in order, each from where the last one ended: a run of 200,000 key-like characters holds
        # 50,000 findings, and widening each over the whole run took minutes.
        widened: list[SecretSpan] = []
        for s in sorted(spans, key=lambda s: (s.start, -s.end)):
            floor = widened[-1].end if widened else 0
            if s.end <= floor:
                continue  # inside a span already widened
            widened.append(_widen(text, s, floor))
        return _merge(widened)

    def redact(self, text: str, spans: list[SecretSpan] | None = None) -> tuple[str, list[SecretSpan]]:
        found = self.find(text) if spans is None else spans
        out, at = [], 0
        for s in found:
            out += [text[at : s.start], REDACTED]
            at = s.end
        return "".join(out) + text[at:], found


def _span(name: str, m: re.Match[str]) -> SecretSpan:
    groups = [(m.start(i), m.end(i)) for i in range(1, (m.re.groups or 0) + 1) if m.group(i)]
    long = [g for g in groups if g[1] - g[0] >= _MIN_GROUP]
    start, end = max(long, key=lambda g: g[1] - g[0]) if long else m.span()
    return SecretSpan(name, start, end)


def _widen(text: str, s: SecretSpan, floor: int = 0) -> SecretSpan:
    """The whole token around a finding: a PEM block for a private key; else the token characters on
    either side (a JWT's signature, a token's characters after its prefix), not back past ``floor``."""
    if s.kind == "PrivateKeyDetector":
        lead = text.rfind("-----", max(floor, s.start - 5), s.start)
        m = _PEM.match(text, lead if lead >= 0 else s.start)
        return SecretSpan(s.kind, m.start(), m.end()) if m else s
    start, end = s.start, s.end
    if s.kind in ("KeywordDetector", "BasicAuthDetector"):
        return s  # a password: bounded by its quotes or by ':' and '@'
    while start > floor and _TOKEN_CHAR.match(text, start - 1) and text[start - 1] != ".":
        start -= 1
    while end < len(text) and _TOKEN_CHAR.match(text, end):
        end += 1
    return SecretSpan(s.kind, start, end)


def _merge(spans: list[SecretSpan]) -> list[SecretSpan]:
    merged: list[SecretSpan] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and s.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = SecretSpan(last.kind, last.start, max(last.end, s.end))
        else:
            merged.append(s)
    return merged


_lock = threading.Lock()
_finder: SecretFinder | None = None


def finder() -> SecretFinder:
    """The process's finder (the plugins are loaded on first use)."""
    global _finder
    if _finder is not None:  # built: no lock on the answer path
        return _finder
    with _lock:
        if _finder is None:
            _finder = SecretFinder()
        return _finder
