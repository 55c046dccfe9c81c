"""What every command shares: consoles, the runtime, JSON output."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console

from rag import offline
from rag.runtime import Runtime
from rag.settings import load_settings

console = Console(width=None if Console().is_terminal else 140)
console_err = Console(stderr=True)


@contextmanager
def runtime() -> Iterator[Runtime]:
    offline.set_env()
    settings = load_settings()
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    rt = Runtime(settings)
    try:
        yield rt
    finally:
        rt.close()


def print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str))  # noqa: T201 - the command's output
