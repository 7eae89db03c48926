"""What the operator sees while a batch runs.

- On a terminal: a live display (rich) with one line per supplier in flight (its step and
  how long it has been at it), the counts by outcome and an ETA; the events scroll above it.
- Not on a terminal (CI logs, a file): one plain line per event, with the time.
- ``--quiet``: neither.

The display reads the ledger through its own read connection (the batch writes through the
other), and every text goes through the secret mask and the control-character escape.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from robot import secrets
from robot.errors import escape_controls
from robot.reporting.i18n import DEFAULT_LANG, label

FINISHED = ("onboarded", "access_requested", "parked", "failed", "stopped")


def clean(text: str) -> str:
    return escape_controls(secrets.mask(text))


def stamp() -> str:
    return time.strftime("%H:%M:%S")


def eta_seconds(done: int, total: int, elapsed: float) -> float | None:
    """Time left at the pace so far (None before the first supplier finished)."""
    if done <= 0 or total <= done:
        return None if total > done else 0.0
    return elapsed / done * (total - done)


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Snapshot:
    """The batch's state now, read from the ledger file."""

    def __init__(self, ledger_path: Path) -> None:
        self._db = sqlite3.connect(f"file:{ledger_path}?mode=ro", uri=True, check_same_thread=False)
        self._db.row_factory = sqlite3.Row

    def close(self) -> None:
        self._db.close()

    def read(self, keys: list[str]) -> tuple[dict[str, int], list[dict[str, Any]]]:
        marks = ",".join("?" * len(keys))
        counts: dict[str, int] = {}
        flying = []
        rows = self._db.execute(
            f"SELECT key, legal_name, status FROM suppliers WHERE key IN ({marks})",  # noqa: S608
            keys,
        ).fetchall()
        for row in rows:
            counts[row["status"]] = counts.get(row["status"], 0) + 1
            if row["status"] == "running":
                step = self._db.execute(
                    "SELECT step, started_at FROM steps WHERE supplier = ? AND status = 'started'"
                    " ORDER BY position DESC LIMIT 1",
                    (row["key"],),
                ).fetchone()
                flying.append(
                    {
                        "name": row["legal_name"],
                        "step": step["step"] if step else "…",
                        "since": step["started_at"] if step else None,
                    }
                )
        return counts, flying


class Progress:
    """``log(key, text)`` for the runner, plus the live display on a terminal."""

    def __init__(
        self,
        names: dict[str, str],
        *,
        quiet: bool = False,
        live: bool | None = None,
        lang: str = DEFAULT_LANG,
        stream: TextIO | None = None,
    ) -> None:
        self.names = names
        self.quiet = quiet
        self.lang = lang
        self.stream = stream or sys.stderr
        self.live = (not quiet) and (self.stream.isatty() if live is None else live)
        self.started = time.monotonic()
        self._keys: list[str] = []
        self._snapshot: Snapshot | None = None
        self._live: Live | None = None
        self._console: Console | None = None
        self._finished_at_start = 0

    # --- the runner's callback -------------------------------------------------------------

    def log(self, key: str, text: str) -> None:
        if self.quiet:
            return
        line = clean(f"[{stamp()}] {self.names.get(key, key)}: {text}")
        if self._live is not None and self._console is not None:
            self._console.print(Text(line, style="dim"))
        else:
            print(line, file=self.stream, flush=True)

    # --- the live display ------------------------------------------------------------------

    def attach(self, ledger_path: Path, keys: list[str]) -> None:
        """Start the live display for the batch of ``keys`` (no-op when not live)."""
        self._keys = keys
        if not self.live:
            return
        self._snapshot = Snapshot(ledger_path)
        counts, _ = self._snapshot.read(keys)
        self._finished_at_start = sum(counts.get(s, 0) for s in FINISHED)
        self._console = Console(file=self.stream, highlight=False, markup=False)
        self._live = Live(
            get_renderable=self.render, console=self._console, refresh_per_second=2, transient=True
        )
        self._live.start()

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
        if self._snapshot is not None:
            self._snapshot.close()
            self._snapshot = None

    def render(self) -> Group:
        assert self._snapshot is not None
        try:
            counts, flying = self._snapshot.read(self._keys)
        except sqlite3.Error:
            return Group(Text("…"))
        return self.view(counts, flying, time.time())

    def _label(self, status: str) -> str:
        if status == "running":  # the report says "interrupted" for a run that ended so
            return "en curso" if self.lang == "es" else "in progress"
        return label(self.lang, "status", status)

    def view(self, counts: dict[str, int], flying: list[dict[str, Any]], now: float) -> Group:
        total = len(self._keys)
        done = sum(counts.get(s, 0) for s in FINISHED)
        elapsed = time.monotonic() - self.started
        eta = eta_seconds(done - self._finished_at_start, total - self._finished_at_start, elapsed)
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("Proveedor" if self.lang == "es" else "Supplier")
        table.add_column("Paso" if self.lang == "es" else "Step")
        table.add_column("Tiempo" if self.lang == "es" else "Time", justify="right")
        for item in flying:
            since = item["since"]
            table.add_row(
                clean(str(item["name"])),
                clean(str(item["step"])),
                clock(None if since is None else max(now - since, 0.0)),
            )
        parts = [f"{self._label(s)}: {n}" for s, n in sorted(counts.items()) if n]
        summary = Text(
            f"{done}/{total} · " + ", ".join(parts) + f" · ETA {clock(eta)}",
            style="bold",
        )
        return Group(table, summary)
