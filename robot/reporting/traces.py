"""Playwright traces of the step that stopped a supplier (``playwright show-trace``).

A trace records what the page did, including the values typed with ``fill``, so one is kept
only where it cannot hold a secret:

- the steps that type a password are never traced (``*.register``: Registrar usuario;
  ``*.activate``: choosing the password); logging in happens inside other steps, so
- every trace is read back before it is kept (every file of the zip, as bytes and as the
  strings of its JSON lines) and deleted if any registered secret, in any of its encodings,
  is in it.

Each attempt of a step is one trace *chunk* on its actor's browser context: kept when the step
fails or is parked, dropped otherwise. A first attempt records the actions (each click, fill,
navigation and read with its parameters, timing and error) and the console, without DOM
snapshots: on a healthy batch nearly every chunk is dropped, and the snapshots of every action
were most of the evidence's cost. An attempt after a retry records the DOM snapshots and the
network too (``snapshots=True``), so a step that keeps failing leaves the fuller trace.
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
# The contexts being traced, and whether with DOM snapshots.
_tracing: weakref.WeakKeyDictionary[BrowserContext, bool] = weakref.WeakKeyDictionary()


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
    """The trace chunk of one attempt of a step on one browser context."""

    def __init__(self, context: BrowserContext | None, *, snapshots: bool = False) -> None:
        self.context = context
        self.snapshots = snapshots
        self.active = False

    @classmethod
    async def begin(cls, context: BrowserContext | None, *, snapshots: bool = False) -> StepTrace:
        """A chunk started on ``context`` (none for None): the actions only, or with DOM
        snapshots and the network (``snapshots``)."""
        trace = cls(context, snapshots=snapshots)
        await trace._start()
        return trace

    async def again(self, context: BrowserContext, *, snapshots: bool = True) -> None:
        """The next attempt: this chunk dropped, a new one started on ``context`` (the actor's
        context may be a new one after an expired session). A trace that was never wanted
        (``StepTrace(None)``: a step that types a password) stays off."""
        if self.context is None:
            return
        await self.drop()
        self.context = context
        self.snapshots = snapshots
        await self._start()

    async def _start(self) -> None:
        context = self.context
        if context is None:
            return
        with contextlib.suppress(Exception):  # a trace is evidence, never a reason to fail
            mode = _tracing.get(context)
            if mode is not None and mode != self.snapshots:
                del _tracing[context]
                await context.tracing.stop()  # tracing options are per start, not per chunk
            if context not in _tracing:
                await context.tracing.start(
                    screenshots=False, snapshots=self.snapshots, sources=False
                )
                _tracing[context] = self.snapshots
            await context.tracing.start_chunk()
            self.active = True

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
