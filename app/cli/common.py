"""What every command shares: consoles, the runtime, JSON output."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from app.runtime import Runtime
from core import offline
from core.errors import ConfigError, RagError
from core.settings import load_settings

F = TypeVar("F", bound=Callable[..., Any])

AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON, for scripts.")]

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


def handle_errors(fn: F) -> F:
    """Our errors end a command with a one-line message and exit code 1 (2 for bad settings)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ConfigError as e:
            console_err.print(f"[red]configuration error:[/red] {escape(str(e))}", soft_wrap=True)
            raise typer.Exit(2) from e
        except RagError as e:
            logging.getLogger(__name__).debug("command failed", exc_info=True)
            # Escaped: a message may hold brackets (pip install 'rag-knowledge[postgres]').
            console_err.print(f"[red]error:[/red] {escape(str(e))}", soft_wrap=True)
            raise typer.Exit(1) from e

    return wrapper  # type: ignore[return-value]
