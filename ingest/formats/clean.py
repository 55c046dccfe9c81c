"""Control characters (NUL from odd PDF fonts and encodings among them) except tab and newline: no reader
keeps them in the text it gives."""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_control(text: str) -> str:
    return CONTROL.sub("", text)
