"""Which files an argument names: files, folders, globs; and how to name them in messages."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path


def resolved(path: Path) -> Path:
    """``path.resolve()``, or the absolute path when the system refuses it (a name too long,
    a NUL, a symbolic-link loop: reading the file will say what is wrong)."""
    try:
        return path.resolve()
    except (OSError, ValueError, RuntimeError):  # RuntimeError: a symbolic-link loop
        return path.absolute()


def matches(item: str | Path, base: Path | None = None) -> list[Path]:
    """The files one argument names: a file (even a missing one), a folder's ``*.yaml`` and
    ``*.yml``, or a glob's matching files. An empty list means it names nothing."""
    path = Path(item)
    if base is not None and not path.is_absolute():
        path = base / path
    try:
        if path.is_dir():
            return sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        if glob.has_magic(str(path)):
            found = (Path(p) for p in glob.glob(str(path), recursive=True))
            return sorted(p for p in found if not p.is_dir())
    except (OSError, ValueError):  # a name too long, a NUL: reading it will say what is wrong
        pass
    return [path]


def is_file(path: Path) -> bool:
    """``path.is_file()``, False for a path the system refuses (a name too long, a NUL)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def expand(items: Iterable[str | Path], base: Path | None = None) -> list[Path]:
    """Files, folders (their ``*.yaml``/``*.yml``) and globs -> files, in a stable order."""
    out = [path for item in items for path in matches(item, base)]
    return list(dict.fromkeys(out))


def display_path(path: Path) -> str:
    """How to name a file in messages: relative to the working folder when inside it."""
    if not path.is_absolute():
        return os.path.normpath(path)
    try:
        return os.path.normpath(path.relative_to(Path.cwd()))  # scenarios/../profiles → profiles
    except ValueError:
        return os.path.normpath(path)
