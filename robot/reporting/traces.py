"""Playwright traces of the step that stopped a supplier (``playwright show-trace``).

A trace records what the page did, including the values typed with ``fill``, so one is kept
only where it cannot hold a secret:

- the steps that type a password are never traced (``*.register``: Registrar usuario;
  ``*.activate``: choosing the password); logging in happens inside other steps, so
- every trace is read back before it is kept (every file of the zip, as bytes and as the
  strings of its JSON lines) and deleted if any registered secret, in any of its encodings,
  is in it.

Each step is one trace *chunk* on its actor's browser context: kept on a failure or a park,
dropped otherwise.
"""

from __future__ import annotations

import contextlib
import json
import weakref
import zipfile
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext

from robot import secrets

SECRET_TYPING_STEPS = (".register", ".activate")
_tracing: weakref.WeakSet[BrowserContext] = weakref.WeakSet()


def traceable(step: str) -> bool:
    """False for the steps that type a password."""
    return not step.endswith(SECRET_TYPING_STEPS) and step != "documents"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _has_secret(text: str) -> bool:
    return secrets.mask(text) != text


def holds_secret(path: Path) -> bool:
    """Whether any file of the zip at ``path`` holds a registered secret (raw, or as a JSON
    string); an unreadable zip counts as holding one."""
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                data = archive.read(name)
                text = data.decode("utf-8", errors="replace")
                if _has_secret(text) or _has_secret(data.decode("latin-1")):
                    return True
                for line in text.splitlines():
                    try:
                        parsed = json.loads(line)
                    except ValueError:
                        continue
                    if any(_has_secret(s) for s in _strings(parsed)):
                        return True
    except (OSError, zipfile.BadZipFile):
        return True
    return False


class StepTrace:
    """The trace chunk of one step on one browser context."""

    def __init__(self, context: BrowserContext | None) -> None:
        self.context = context
        self.active = False

    @classmethod
    async def begin(cls, context: BrowserContext | None) -> StepTrace:
        trace = cls(context)
        if context is None:
            return trace
        with contextlib.suppress(Exception):
            if context not in _tracing:
                await context.tracing.start(screenshots=False, snapshots=True, sources=False)
                _tracing.add(context)
            await context.tracing.start_chunk()
            trace.active = True
        return trace

    async def drop(self) -> None:
        if self.active and self.context is not None:
            with contextlib.suppress(Exception):
                await self.context.tracing.stop_chunk()
        self.active = False

    async def keep(self, target: Path) -> Path | None:
        """Save the chunk at ``target`` if it holds no secret; None otherwise."""
        if not self.active or self.context is None:
            return None
        self.active = False
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            await self.context.tracing.stop_chunk(path=target)
        except Exception:
            return None
        if not target.is_file() or holds_secret(target):
            with contextlib.suppress(OSError):
                target.unlink()
            return None
        return target
