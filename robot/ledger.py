"""The run ledger: a SQLite file in the output folder that records every step of every supplier.

A step is recorded ``started`` just before its first irreversible action and ``done`` (with the
portal's identifiers and the hash of its inputs) once the portal confirmed it. A re-run of the
same command opens the same file and resumes each supplier at its first step not ``done``; a
step found ``started`` tells the flow that its action may have happened, so the flow looks at
the portal before acting again (the ledger can be behind the portal, never ahead of it).

Each write is one transaction (WAL journal): a process killed at any instant leaves the ledger
as it was after the last completed write. Secrets are never written here.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from robot import secrets

LEDGER_NAME = "ledger.sqlite3"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at REAL NOT NULL,
    ended_at REAL,
    command TEXT NOT NULL,
    outcome TEXT
);
CREATE TABLE IF NOT EXISTS suppliers (
    key TEXT PRIMARY KEY,
    profile TEXT NOT NULL,
    legal_name TEXT NOT NULL,
    nit TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    reason TEXT NOT NULL DEFAULT '',
    identifiers TEXT NOT NULL DEFAULT '{}',
    first_run INTEGER,
    started_at REAL,
    ended_at REAL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS steps (
    supplier TEXT NOT NULL REFERENCES suppliers(key),
    step TEXT NOT NULL,
    position INTEGER NOT NULL,
    status TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    started_at REAL,
    ended_at REAL,
    run_id INTEGER,
    detail TEXT NOT NULL DEFAULT '{}',
    message TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (supplier, step)
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    run_id INTEGER,
    supplier TEXT,
    step TEXT,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}'
);
"""

# Supplier statuses; the first four are the outcomes results.json promises.
ONBOARDED = "onboarded"
ACCESS_REQUESTED = "access_requested"
PARKED = "parked"
FAILED = "failed"
STOPPED = "stopped"  # --until: stopped on purpose before an irreversible step
PENDING = "pending"
RUNNING = "running"
FINAL = (ONBOARDED, ACCESS_REQUESTED)


@dataclass(frozen=True)
class StepRecord:
    supplier: str
    step: str
    position: int
    status: str  # started | done | failed | parked
    input_hash: str
    attempts: int
    started_at: float | None
    ended_at: float | None
    run_id: int | None
    detail: dict[str, Any] = field(default_factory=dict)
    message: str = ""

    @property
    def done(self) -> bool:
        return self.status == "done"

    @property
    def duration(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return max(self.ended_at - self.started_at, 0.0)


@dataclass(frozen=True)
class SupplierRecord:
    key: str
    profile: str
    legal_name: str
    nit: str
    input_hash: str
    status: str
    reason: str
    identifiers: dict[str, Any]
    started_at: float | None
    ended_at: float | None
    updated_at: float


class Ledger:
    """One ledger file. Not shared between processes; one connection, used from one thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)  # runs in its own transaction
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)",
                (str(SCHEMA_VERSION),),
            )
        self.run_id: int | None = None

    @classmethod
    def reader(cls, path: Path) -> Ledger:
        """A read-only connection of its own to an existing ledger file: for a thread that
        writes the report while the batch writes the ledger (WAL: it sees every committed
        write, never half of one). Its write methods fail."""
        book = cls.__new__(cls)
        book.path = path
        book._db = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
        )
        book._db.row_factory = sqlite3.Row
        book._db.execute("PRAGMA busy_timeout=5000")
        book.run_id = None
        return book

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- runs -----------------------------------------------------------------------------

    def begin_run(self, command: str) -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO runs (started_at, command) VALUES (?, ?)",
                (time.time(), secrets.mask(command)),
            )
        self.run_id = int(cur.lastrowid or 0)
        return self.run_id

    def end_run(self, outcome: str) -> None:
        if self.run_id is None:
            return
        with self._tx() as db:
            db.execute(
                "UPDATE runs SET ended_at = ?, outcome = ? WHERE id = ?",
                (time.time(), outcome, self.run_id),
            )

    def runs(self) -> list[dict[str, Any]]:
        rows = self._db.execute("SELECT * FROM runs ORDER BY id").fetchall()
        return [dict(r) for r in rows]

    # --- suppliers ------------------------------------------------------------------------

    def supplier(self, key: str) -> SupplierRecord | None:
        row = self._db.execute("SELECT * FROM suppliers WHERE key = ?", (key,)).fetchone()
        return None if row is None else _supplier(row)

    def suppliers(self) -> list[SupplierRecord]:
        rows = self._db.execute("SELECT * FROM suppliers ORDER BY rowid").fetchall()
        return [_supplier(r) for r in rows]

    def add_supplier(self, key: str, *, profile: str, legal_name: str, nit: str, h: str) -> None:
        """Record a supplier the first time it is seen; later runs keep its history."""
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO suppliers (key, profile, legal_name, nit, input_hash,"
                " first_run, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, profile, legal_name, nit, h, self.run_id, time.time()),
            )

    def accept_inputs(self, key: str, h: str, *, profile: str, legal_name: str) -> None:
        """The person accepted the profile's changed inputs (``--accept-changes``)."""
        with self._tx() as db:
            db.execute(
                "UPDATE suppliers SET input_hash = ?, profile = ?, legal_name = ?, updated_at = ?"
                " WHERE key = ?",
                (h, profile, legal_name, time.time(), key),
            )

    def set_status(self, key: str, status: str, reason: str = "") -> None:
        now = time.time()
        ended = now if status not in (RUNNING, PENDING) else None
        with self._tx() as db:
            db.execute(
                "UPDATE suppliers SET status = ?, reason = ?, updated_at = ?,"
                " started_at = COALESCE(started_at, ?),"
                " ended_at = CASE WHEN ? IS NULL THEN ended_at ELSE ? END WHERE key = ?",
                (status, secrets.mask(reason), now, now, ended, ended, key),
            )

    def set_identifier(self, key: str, name: str, value: Any) -> None:
        with self._tx() as db:
            row = db.execute("SELECT identifiers FROM suppliers WHERE key = ?", (key,)).fetchone()
            ids = json.loads(row["identifiers"]) if row else {}
            ids[name] = value
            db.execute(
                "UPDATE suppliers SET identifiers = ?, updated_at = ? WHERE key = ?",
                (json.dumps(ids, ensure_ascii=False), time.time(), key),
            )

    # --- steps ----------------------------------------------------------------------------

    def steps(self, key: str) -> dict[str, StepRecord]:
        rows = self._db.execute(
            "SELECT * FROM steps WHERE supplier = ? ORDER BY position, step", (key,)
        ).fetchall()
        return {r["step"]: _step(r) for r in rows}

    def step(self, key: str, step: str) -> StepRecord | None:
        row = self._db.execute(
            "SELECT * FROM steps WHERE supplier = ? AND step = ?", (key, step)
        ).fetchone()
        return None if row is None else _step(row)

    def start_step(self, key: str, step: str, position: int, input_hash: str) -> None:
        """The step is about to act on the portal (recorded before its first click)."""
        now = time.time()
        with self._tx() as db:
            db.execute(
                "INSERT INTO steps (supplier, step, position, status, input_hash, attempts,"
                " started_at, run_id) VALUES (?, ?, ?, 'started', ?, 1, ?, ?)"
                " ON CONFLICT (supplier, step) DO UPDATE SET status = 'started',"
                " input_hash = excluded.input_hash, attempts = attempts + 1,"
                " started_at = COALESCE(started_at, excluded.started_at),"
                " run_id = excluded.run_id, message = ''",
                (key, step, position, input_hash, now, self.run_id),
            )

    def finish_step(
        self,
        key: str,
        step: str,
        *,
        status: str = "done",
        detail: Mapping[str, Any] | None = None,
        message: str = "",
    ) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE steps SET status = ?, ended_at = ?, detail = ?, message = ?"
                " WHERE supplier = ? AND step = ?",
                (
                    status,
                    time.time(),
                    secrets.mask(json.dumps(dict(detail or {}), ensure_ascii=False)),
                    secrets.mask(message),
                    key,
                    step,
                ),
            )

    # --- events ---------------------------------------------------------------------------

    def event(
        self,
        key: str | None,
        kind: str,
        message: str = "",
        *,
        step: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO events (run_id, supplier, step, at, kind, message, detail)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    self.run_id,
                    key,
                    step,
                    time.time(),
                    kind,
                    secrets.mask(message),
                    secrets.mask(json.dumps(dict(detail or {}), ensure_ascii=False)),
                ),
            )

    def events(self, key: str | None = None) -> list[dict[str, Any]]:
        if key is None:
            rows = self._db.execute("SELECT * FROM events ORDER BY id").fetchall()
        else:
            rows = self._db.execute(
                "SELECT * FROM events WHERE supplier = ? ORDER BY id", (key,)
            ).fetchall()
        return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]


def _supplier(row: sqlite3.Row) -> SupplierRecord:
    return SupplierRecord(
        key=row["key"],
        profile=row["profile"],
        legal_name=row["legal_name"],
        nit=row["nit"],
        input_hash=row["input_hash"],
        status=row["status"],
        reason=row["reason"],
        identifiers=json.loads(row["identifiers"]),
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        updated_at=row["updated_at"],
    )


def _step(row: sqlite3.Row) -> StepRecord:
    return StepRecord(
        supplier=row["supplier"],
        step=row["step"],
        position=row["position"],
        status=row["status"],
        input_hash=row["input_hash"],
        attempts=row["attempts"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        run_id=row["run_id"],
        detail=json.loads(row["detail"]),
        message=row["message"],
    )
