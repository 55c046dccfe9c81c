"""Fault injection for parser processes: ``extract`` misbehaves as the file name asks, and returns any other
file's text as one element (without unstructured, so its process starts in a moment). ingest.isolate
imports it by name in the child (tests/ is on the child's sys.path)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable

from core.types import Element
from ingest.limits import Limits
from ingest.parse import ParsedDocument


def extract(
    data: bytes, source: str, fmt: str, limits: Limits, on_stage: Callable[[str], None] = lambda _: None
) -> ParsedDocument:
    if source.startswith("stages"):  # reports two stages, then takes its time, as OCR would
        on_stage("ocr")
        on_stage("ocr-done")
        time.sleep(0.3)
    if source.startswith("helper-forever"):  # runs a program (as pandoc, tesseract), then never ends
        helper = subprocess.Popen(["sleep", "3600"])
        on_stage(f"helper {helper.pid}")
        time.sleep(3600)
    if source.startswith("sleep-forever"):
        time.sleep(3600)
    if source.startswith("sleep-1s"):
        time.sleep(1)
    if source.startswith("hog"):  # grows by 64 MB every 20 ms, touching every page: at the cap in ~0.3 s
        blocks = []
        while True:
            blocks.append(b"\x01" * (64 << 20))
            time.sleep(0.02)
    if source.startswith("segfault"):
        os.kill(os.getpid(), signal.SIGSEGV)
    if source.startswith("raise"):
        raise AttributeError("'NoneType' object has no attribute 'part' in <Part object at 0x7f3a2b1c9d00>")
    return ParsedDocument(source, fmt, [Element(text=data.decode(), kind="NarrativeText")])
