"""The mock portal's state in one SQLite file: users, sessions, tokens, accounts, documents.

One connection shared by the server's threads behind a lock; every write is one transaction.
A state change that sends mail (Finalizar, an access request, an administrator's decision) is
a conditional update inside one transaction that says whether it happened, so two requests
racing for the same change make one change and one mail.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    id_type TEXT NOT NULL,
    id_number TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    phone TEXT NOT NULL,
    position TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'unconfirmed',   -- unconfirmed | active
    created_at REAL NOT NULL,
    confirmed_at REAL
);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    used_at REAL,
    voided_at REAL
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    csrf TEXT NOT NULL,
    mkey TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    account_id INTEGER REFERENCES accounts(id),
    captcha_passed INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    last_seen REAL NOT NULL,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL DEFAULT '',
    nit TEXT UNIQUE,                               -- NULL until known; unique across accounts
    dv TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'Proveedor',
    business_area TEXT NOT NULL DEFAULT 'Privado',
    organization_type TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft',          -- draft | active
    form TEXT NOT NULL DEFAULT '{}',               -- every field of Registro de Proveedor
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at REAL NOT NULL,
    finalized_at REAL
);
CREATE TABLE IF NOT EXISTS memberships (
    user_id INTEGER NOT NULL REFERENCES users(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    role TEXT NOT NULL,                            -- admin | user
    state TEXT NOT NULL,                           -- Aceptado | Pendiente | Rechazado | Cancelado
    requested_at REAL NOT NULL,
    decided_at REAL,
    decided_by INTEGER REFERENCES users(id),
    PRIMARY KEY (user_id, account_id)
);
CREATE TABLE IF NOT EXISTS unspsc_codes (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    code TEXT NOT NULL,
    principal INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, code)
);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    slot TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    uploaded_at REAL NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES users(id)
);
CREATE TABLE IF NOT EXISTS mail_log (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    queued_at REAL NOT NULL,
    sent_at REAL,
    error TEXT
);
CREATE TABLE IF NOT EXISTS fault_log (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class Session:
    id: str
    csrf: str
    mkey: str
    user_id: int | None
    account_id: int | None
    captcha_passed: bool
    last_seen: float
    data: dict[str, Any]


def _token_state(row: sqlite3.Row | None, now: float) -> tuple[str, int | None]:
    """('ok'|'unknown'|'used'|'voided'|'expired', user_id) of an activation token's row."""
    if row is None:
        return "unknown", None
    user_id = int(row["user_id"])
    if row["used_at"] is not None:
        return "used", user_id
    if row["voided_at"] is not None:
        return "voided", user_id
    if row["expires_at"] < now:
        return "expired", user_id
    return "ok", user_id


def _new_key() -> str:
    return secrets.token_urlsafe(24)


def _new_mkey() -> str:
    """A GUID-looking per-session key, as the real portal puts in its URLs."""
    raw = secrets.token_hex(16)
    return f"{raw[:8]}_{raw[8:12]}_{raw[12:16]}_{raw[16:20]}_{raw[20:]}"


class Store:
    """Thread-safe access to the portal's SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        # WAL with synchronous=NORMAL: a commit is atomic and survives a crash of the portal;
        # only a power cut may lose the last commits. No fsync per request (a test portal).
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        """The first row, or None; an id too large for SQLite finds nothing (no 500)."""
        with self._lock:
            try:
                row: sqlite3.Row | None = self._db.execute(sql, args).fetchone()
            except OverflowError:
                return None
            return row

    def all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return list(self._db.execute(sql, args).fetchall())
            except OverflowError:
                return []

    def execute(self, sql: str, *args: Any) -> int:
        """Run one write in its own transaction; returns lastrowid."""
        with self.transaction() as db:
            return db.execute(sql, args).lastrowid or 0

    # --- sessions ------------------------------------------------------------------------

    def create_session(self) -> Session:
        now = time.time()
        sid, csrf, mkey = _new_key(), _new_key(), _new_mkey()
        self.execute(
            "INSERT INTO sessions (id, csrf, mkey, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
            sid,
            csrf,
            mkey,
            now,
            now,
        )
        return Session(sid, csrf, mkey, None, None, False, now, {})

    def get_session(self, sid: str) -> Session | None:
        row = self.one("SELECT * FROM sessions WHERE id = ?", sid)
        if row is None:
            return None
        return Session(
            id=row["id"],
            csrf=row["csrf"],
            mkey=row["mkey"],
            user_id=row["user_id"],
            account_id=row["account_id"],
            captcha_passed=bool(row["captcha_passed"]),
            last_seen=row["last_seen"],
            data=json.loads(row["data"]),
        )

    def touch_session(self, sid: str) -> None:
        self.execute("UPDATE sessions SET last_seen = ? WHERE id = ?", time.time(), sid)

    def delete_session(self, sid: str) -> None:
        self.execute("DELETE FROM sessions WHERE id = ?", sid)

    def log_in(self, sid: str, user_id: int) -> Session:
        """Log a user in: a **new** session (new id, mkey and CSRF token) takes the old one's
        place, keeping its data (CAPTCHA passed, searches); the old id is deleted, so a session
        id planted before login is worth nothing after it (session fixation)."""
        now = time.time()
        new_id, csrf, mkey = _new_key(), _new_key(), _new_mkey()
        with self.transaction() as db:
            old = db.execute("SELECT * FROM sessions WHERE id = ?", (sid,)).fetchone()
            data = old["data"] if old is not None else "{}"
            captcha = old["captcha_passed"] if old is not None else 0
            db.execute("DELETE FROM sessions WHERE id = ?", (sid,))
            db.execute(
                "INSERT INTO sessions (id, csrf, mkey, user_id, captcha_passed, created_at,"
                " last_seen, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (new_id, csrf, mkey, user_id, captcha, now, now, data),
            )
        return Session(new_id, csrf, mkey, user_id, None, bool(captcha), now, json.loads(data))

    def set_session_account(self, sid: str, account_id: int | None) -> None:
        self.execute("UPDATE sessions SET account_id = ? WHERE id = ?", account_id, sid)

    def set_captcha_passed(self, sid: str) -> None:
        self.execute("UPDATE sessions SET captcha_passed = 1 WHERE id = ?", sid)

    def set_session_data(self, sid: str, data: dict[str, Any]) -> None:
        self.execute("UPDATE sessions SET data = ? WHERE id = ?", json.dumps(data), sid)

    # --- users and activation tokens -----------------------------------------------------

    def create_user(self, fields: dict[str, Any]) -> int:
        cols = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        return self.execute(
            f"INSERT INTO users ({cols}, created_at) VALUES ({marks}, ?)",  # noqa: S608 — keys are code
            *fields.values(),
            time.time(),
        )

    def user(self, user_id: int) -> sqlite3.Row | None:
        return self.one("SELECT * FROM users WHERE id = ?", user_id)

    def user_by_username(self, username: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM users WHERE username = ?", username)

    def user_by_email(self, email: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM users WHERE email = ?", email)

    def new_activation_token(self, user_id: int, ttl_seconds: float) -> str:
        """A new one-time token; every older unused token of the user becomes void."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self.transaction() as db:
            db.execute(
                "UPDATE tokens SET voided_at = ? WHERE user_id = ? AND used_at IS NULL"
                " AND voided_at IS NULL",
                (now, user_id),
            )
            db.execute(
                "INSERT INTO tokens (token, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                (token, user_id, now, now + ttl_seconds),
            )
        return token

    def use_activation_token(self, token: str) -> tuple[str, int | None]:
        """Consume a token: ('ok'|'unknown'|'used'|'voided'|'expired', user_id)."""
        now = time.time()
        with self.transaction() as db:
            row = db.execute("SELECT * FROM tokens WHERE token = ?", (token,)).fetchone()
            state, user_id = _token_state(row, now)
            if state != "ok" or user_id is None:
                return state, user_id
            db.execute("UPDATE tokens SET used_at = ? WHERE token = ?", (now, token))
            db.execute(
                "UPDATE users SET status = 'active', confirmed_at = ? WHERE id = ?",
                (now, user_id),
            )
        return "ok", user_id

    # --- accounts and memberships --------------------------------------------------------

    def account(self, account_id: int) -> sqlite3.Row | None:
        return self.one("SELECT * FROM accounts WHERE id = ?", account_id)

    def account_by_nit(self, nit: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM accounts WHERE nit = ?", nit)

    def memberships_of_user(self, user_id: int) -> list[sqlite3.Row]:
        return self.all(
            "SELECT m.*, a.name AS account_name, a.nit, a.status AS account_status"
            " FROM memberships m JOIN accounts a ON a.id = m.account_id"
            " WHERE m.user_id = ? ORDER BY a.name",
            user_id,
        )

    def membership(self, user_id: int, account_id: int) -> sqlite3.Row | None:
        return self.one(
            "SELECT * FROM memberships WHERE user_id = ? AND account_id = ?", user_id, account_id
        )

    def account_admins(self, account_id: int) -> list[sqlite3.Row]:
        return self.all(
            "SELECT u.* FROM users u JOIN memberships m ON m.user_id = u.id"
            " WHERE m.account_id = ? AND m.role = 'admin' AND m.state = 'Aceptado'",
            account_id,
        )

    # --- fault log -----------------------------------------------------------------------

    def log_fault(self, kind: str, method: str, path: str) -> None:
        """A fault switch acted on a request (error, drop, drop_after): for tests and people
        asking afterwards what the portal did to the robot."""
        self.execute(
            "INSERT INTO fault_log (kind, method, path, at) VALUES (?, ?, ?, ?)",
            kind,
            method,
            path,
            time.time(),
        )

    # --- mail log ------------------------------------------------------------------------

    def log_mail(self, kind: str, recipient: str, subject: str) -> int:
        return self.execute(
            "INSERT INTO mail_log (kind, recipient, subject, queued_at) VALUES (?, ?, ?, ?)",
            kind,
            recipient,
            subject,
            time.time(),
        )

    def mail_sent(self, mail_id: int, error: str | None = None) -> None:
        self.execute(
            "UPDATE mail_log SET sent_at = ?, error = ? WHERE id = ?", time.time(), error, mail_id
        )

    # --- the read-only state dump for tests ----------------------------------------------

    def dump(self) -> dict[str, Any]:
        """Users, accounts, memberships, documents and mails; no secrets, no file contents."""
        users = [
            {k: r[k] for k in r.keys() if k != "password_hash"}  # noqa: SIM118 — sqlite3.Row
            for r in self.all("SELECT * FROM users ORDER BY id")
        ]
        accounts = []
        for r in self.all("SELECT * FROM accounts ORDER BY id"):
            row = {k: r[k] for k in r.keys()}  # noqa: SIM118
            row["form"] = json.loads(row["form"])
            row["unspsc"] = [
                {"code": c["code"], "principal": bool(c["principal"])}
                for c in self.all(
                    "SELECT * FROM unspsc_codes WHERE account_id = ? ORDER BY principal DESC, code",
                    r["id"],
                )
            ]
            accounts.append(row)
        docs = self.all(
            "SELECT id, account_id, slot, filename, content_type, size, sha256, uploaded_at"
            " FROM documents ORDER BY id"
        )
        return {
            "users": users,
            "accounts": accounts,
            "memberships": [dict(r) for r in self.all("SELECT * FROM memberships")],
            "documents": [dict(r) for r in docs],
            "mails": [dict(r) for r in self.all("SELECT * FROM mail_log ORDER BY id")],
            "tokens": [
                {
                    "user_id": r["user_id"],
                    "used": r["used_at"] is not None,
                    "voided": r["voided_at"] is not None,
                    "expires_at": r["expires_at"],
                }
                for r in self.all("SELECT * FROM tokens ORDER BY created_at")
            ],
        }

    # --- supplier form, documents and Directorio -----------------------------------------

    def save_supplier_form(
        self,
        account_id: int,
        columns: dict[str, Any],
        form: dict[str, Any],
        unspsc: list[tuple[str, bool]],
    ) -> bool:
        """Store the form (JSON), its account columns and UNSPSC codes in one transaction.

        Only a **draft** account changes: False (and nothing written) when the account is no
        longer a draft, e.g. a concurrent Finalizar activated it first. ``columns`` may hold
        name, short_name, nit, dv, status, finalized_at. A NIT taken by another account raises
        ``sqlite3.IntegrityError`` and nothing is written.
        """
        sets = ", ".join(f"{k} = ?" for k in columns)
        with self.transaction() as db:
            cursor = db.execute(
                f"UPDATE accounts SET {sets}{', ' if sets else ''}form = ?"  # noqa: S608 — keys are code
                " WHERE id = ? AND status = 'draft'",
                (*columns.values(), json.dumps(form, ensure_ascii=False), account_id),
            )
            if cursor.rowcount == 0:
                return False
            db.execute("DELETE FROM unspsc_codes WHERE account_id = ?", (account_id,))
            db.executemany(
                "INSERT INTO unspsc_codes (account_id, code, principal) VALUES (?, ?, ?)",
                [(account_id, code, int(principal)) for code, principal in unspsc],
            )
        return True

    def account_unspsc(self, account_id: int) -> list[sqlite3.Row]:
        return self.all(
            "SELECT * FROM unspsc_codes WHERE account_id = ? ORDER BY principal DESC, code",
            account_id,
        )

    def put_document(self, account_id: int, slot: str, fields: dict[str, Any]) -> int:
        """Store a file in a slot, replacing the slot's file; returns the document id.

        Every slot holds one file (a confidential document's constancia goes in the document's
        own slot, in its place: PORTAL.md 3.5).
        """
        with self.transaction() as db:
            db.execute(
                "DELETE FROM documents WHERE account_id = ? AND slot = ?", (account_id, slot)
            )
            cols = ", ".join(fields)
            marks = ", ".join("?" for _ in fields)
            cursor = db.execute(
                f"INSERT INTO documents (account_id, slot, {cols}, uploaded_at)"  # noqa: S608 — keys are code
                f" VALUES (?, ?, {marks}, ?)",
                (account_id, slot, *fields.values(), time.time()),
            )
            return cursor.lastrowid or 0

    def delete_document(self, account_id: int, slot: str) -> bool:
        """Remove the account's file in ``slot``; False when the slot held none."""
        with self.transaction() as db:
            cursor = db.execute(
                "DELETE FROM documents WHERE account_id = ? AND slot = ?", (account_id, slot)
            )
            return cursor.rowcount > 0

    def account_documents(self, account_id: int) -> list[sqlite3.Row]:
        """The account's documents without their bytes, by upload order."""
        return self.all(
            "SELECT id, account_id, slot, filename, content_type, size, sha256, uploaded_at"
            " FROM documents WHERE account_id = ? ORDER BY id",
            account_id,
        )

    def document(self, document_id: int) -> sqlite3.Row | None:
        return self.one("SELECT * FROM documents WHERE id = ?", document_id)

    def active_accounts(self) -> list[sqlite3.Row]:
        return self.all("SELECT * FROM accounts WHERE status = 'active' ORDER BY name")

    # --- registration, entity and user administration ---------------------------------

    def activation_token_state(self, token: str) -> tuple[str, int | None]:
        """Like ``use_activation_token`` but without consuming the token."""
        return _token_state(self.one("SELECT * FROM tokens WHERE token = ?", token), time.time())

    def set_user_password(self, user_id: int, password_hash: str) -> None:
        self.execute("UPDATE users SET password_hash = ? WHERE id = ?", password_hash, user_id)

    def all_accounts(self) -> list[sqlite3.Row]:
        return self.all("SELECT * FROM accounts ORDER BY id")

    def create_account_with_admin(self, fields: dict[str, Any], admin_user_id: int) -> int:
        """A draft account whose first user is its accepted administrator (one transaction).

        Raises ``sqlite3.IntegrityError`` when the NIT already belongs to an account.
        """
        now = time.time()
        cols = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        with self.transaction() as db:
            account_id = int(
                db.execute(
                    f"INSERT INTO accounts ({cols}, created_by, created_at)"  # noqa: S608 — keys are code
                    f" VALUES ({marks}, ?, ?)",
                    (*fields.values(), admin_user_id, now),
                ).lastrowid
                or 0
            )
            db.execute(
                "INSERT INTO memberships (user_id, account_id, role, state, requested_at,"
                " decided_at, decided_by) VALUES (?, ?, 'admin', 'Aceptado', ?, ?, ?)",
                (admin_user_id, account_id, now, now, admin_user_id),
            )
        return account_id

    def request_access(self, user_id: int, account_id: int) -> bool:
        """The user asks to join the account: role user, state Pendiente.

        Only a new request, or one after a Cancelado, changes anything; True when it did (then,
        and only then, the administrators are mailed: two racing requests mail once).
        """
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO memberships (user_id, account_id, role, state, requested_at)"
                " VALUES (?, ?, 'user', 'Pendiente', ?)"
                " ON CONFLICT (user_id, account_id) DO UPDATE SET role = 'user',"
                " state = 'Pendiente', requested_at = excluded.requested_at, decided_at = NULL,"
                " decided_by = NULL WHERE memberships.state = 'Cancelado'",
                (user_id, account_id, time.time()),
            )
            return cursor.rowcount > 0

    def set_membership_state(
        self, user_id: int, account_id: int, state: str, decided_by: int, *, source: str
    ) -> bool:
        """Move a membership from ``source`` to ``state``; False when it was not in ``source``
        (another request changed it first), and then nothing changes."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE memberships SET state = ?, decided_at = ?, decided_by = ?"
                " WHERE user_id = ? AND account_id = ? AND state = ?",
                (state, time.time(), decided_by, user_id, account_id, source),
            )
            return cursor.rowcount > 0

    def account_members(self, account_id: int) -> list[sqlite3.Row]:
        """Users of an account with their membership (role, state, requested_at)."""
        return self.all(
            "SELECT u.id, u.first_name, u.last_name, u.email, u.username, u.status,"
            " m.role, m.state, m.requested_at, m.decided_at"
            " FROM memberships m JOIN users u ON u.id = m.user_id"
            " WHERE m.account_id = ? ORDER BY m.requested_at, u.id",
            account_id,
        )

    def create_member_user(self, fields: dict[str, Any], account_id: int, admin_id: int) -> int:
        """A user created by an administrator: unconfirmed, no password, accepted member."""
        now = time.time()
        cols = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        with self.transaction() as db:
            user_id = int(
                db.execute(
                    f"INSERT INTO users ({cols}, created_at) VALUES ({marks}, ?)",  # noqa: S608 — keys are code
                    (*fields.values(), now),
                ).lastrowid
                or 0
            )
            db.execute(
                "INSERT INTO memberships (user_id, account_id, role, state, requested_at,"
                " decided_at, decided_by) VALUES (?, ?, 'user', 'Aceptado', ?, ?, ?)",
                (user_id, account_id, now, now, admin_id),
            )
        return user_id
