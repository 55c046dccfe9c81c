"""Sizes in words for messages. Settings named ``*_MB`` count mebibytes (1024 x 1024 bytes), so every
message says MiB, formatted one way."""

from __future__ import annotations

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


def human_bytes(n: float) -> str:
    """``n`` bytes as "315.3 MiB", "200 MiB", "12 KiB" or "900 bytes"."""
    for unit, size in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if n >= size:
            return f"{n / size:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{int(n)} bytes"
