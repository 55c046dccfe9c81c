"""Error text made fit for the person who sees it: no object reprs, memory addresses or exception class
names (they tell an attacker about our internals and nothing to a user), bounded in length. The one
place that knows what must go, used wherever an error reaches a user: the API's problem details
(``api.problems``), job errors (``ingest.jobs``) and parse failures (``ingest.parse``)."""

from __future__ import annotations

import re

# <Foo object at 0x7f3a..>, <function f at 0x..>
_OBJECT = re.compile(r"<[^<>]{0,200}?\bat 0x[0-9a-fA-F]+>")
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
_CLASS_REPR = re.compile(r"<class '[\w.]+'>")
# "ValueError: " or the name in "KeyError('x')", anywhere: such names are never words a person wrote.
_ERROR_NAME = re.compile(r"\b(?:[a-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Warning)(?::\s*|(?=\())")
# Other class names ("zipfile.BadZipFile: "): with a module anywhere, a bare one at the start or after
# another "...: " (elsewhere it may be a name a person wrote).
_CLASS_PREFIX = re.compile(r"(?:\b(?:[a-z_]\w*\.)+|^|(?<=: ))[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+:\s*")


def scrub(text: str, limit: int | None = None) -> str:
    """``text`` without internals, stripped, at most ``limit`` characters (cut with an ellipsis)."""
    text = _OBJECT.sub("an object", text)
    text = _ADDRESS.sub("an address", text)
    text = _CLASS_REPR.sub("a class", text)
    text = _CLASS_PREFIX.sub("", _ERROR_NAME.sub("", text)).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text
