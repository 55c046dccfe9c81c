"""Every command's help, read as a newcomer reads it in an 80-column terminal: complete (each command and
option says what it does), unmangled (no markup eats a bracketed word such as "[n]"), within 80 columns."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from app.cli import app

WIDTH = 80


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command under ``command`` (typer's own click commands), with the words that call it."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(app)))


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "rag" for p, _ in COMMANDS])
def test_help_is_complete_and_unmangled_at_80_columns(path: tuple[str, ...], command: Any) -> None:
    out = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": str(WIDTH), "TERM": "dumb"})
    assert out.exit_code == 0, out.output
    text = out.output
    assert max(len(line) for line in text.splitlines()) <= WIDTH, text
    assert command.help, f"rag {' '.join(path)} has no help"
    assert _flat(command.help.split("\f")[0]) in _flat(text), text  # every word, brackets included
    for param in command.params:
        if param.param_type_name == "option" and param.name not in ("help", "install_completion"):
            assert param.help, f"rag {' '.join(path)}: {param.opts[0]} has no help"
            assert _flat(param.help) in _flat(text), (param.opts[0], text)


def test_ask_cites_as_n() -> None:
    out = CliRunner().invoke(app, ["ask", "--help"], env={"COLUMNS": str(WIDTH)})
    assert "citing them as [n]" in _flat(out.output)


def test_shell_completion_is_offered() -> None:
    out = CliRunner().invoke(app, ["--help"], env={"COLUMNS": str(WIDTH)})
    assert "--install-completion" in out.output and "--show-completion" in out.output
