"""Sources: command-line arguments (files, folders, globs) -> the documents to ingest, with stable names.

A file given directly is named by its file name; a file found in a folder or by a glob by its path
relative to that folder (or to the glob's fixed prefix), so the same tree ingested from another working
directory maps to the same document ids.
"""

from __future__ import annotations

import glob
from collections.abc import Iterator
from pathlib import Path

from core.errors import RagError


def _walk(root: Path) -> Iterator[Path]:
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if p.is_file() and not any(part.startswith(".") for part in rel.parts):
            yield p


def expand(args: list[str]) -> list[tuple[Path, str]]:
    """(path, source name) for every file the arguments name, in a stable order, without repeats."""
    out: dict[Path, str] = {}
    for arg in args:
        _expand_one(arg, out)
    by_name: dict[str, Path] = {}
    for path, name in out.items():
        if name in by_name:
            raise RagError(
                f"{by_name[name]} and {path} would both be stored as {name!r} (one document): "
                "ingest the folder that holds both instead"
            )
        by_name[name] = path
    return list(out.items())


def _expand_one(arg: str, out: dict[Path, str]) -> None:
    p = Path(arg)
    if p.is_file():
        out.setdefault(p.resolve(), p.name)
    elif p.is_dir():
        for f in _walk(p):
            out.setdefault(f.resolve(), f.relative_to(p).as_posix())
    elif glob.has_magic(arg):
        parts = Path(arg).parts
        fixed_parts = []
        for part in parts:
            if glob.has_magic(part):
                break
            fixed_parts.append(part)
        fixed = Path(*fixed_parts) if fixed_parts else Path(".")
        matches = [Path(m) for m in sorted(glob.glob(arg, recursive=True)) if Path(m).is_file()]
        if not matches:
            raise RagError(f"no file matches {arg!r}")
        for m in matches:
            out.setdefault(m.resolve(), m.relative_to(fixed).as_posix())
    else:
        raise RagError(f"no such file or folder: {arg}")
