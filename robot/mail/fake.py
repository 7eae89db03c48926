"""An in-memory mail server and mailbox for unit tests (the seam behind ``Mailbox``).

``FakeServer`` holds the messages; each ``FakeMailbox`` is one "connection" to it. Tests append
mail, change UIDVALIDITY, refuse logins or drop connections; the watcher cannot tell.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

from robot.errors import MailboxConnectError
from robot.mail.mailbox import RawMail, Wakeup


class FakeServer:
    def __init__(self, *, idle: bool = True) -> None:
        self.idle = idle
        self.uidvalidity = 1
        self.reachable = True
        self.password_ok = True
        self.connections = 0
        self.fetched_full: list[int] = []
        self.idle_waits: list[float] = []  # the timeout of each IDLE wait, in order
        self.calls: list[str] = []  # uidnext, search, fetch, idle: what the watcher asked
        self.during_fetch: list[bytes] = []  # stored, unannounced, while the next fetch runs
        self.drop_reason = "conexión perdida"  # the text of the error a dropped connection raises
        self._messages: dict[int, RawMail] = {}
        self._next_uid = 1
        self._lock = threading.Lock()
        self._generation = 0  # bumped to drop every open connection
        self._listeners: list[Wakeup] = []

    def append(
        self, raw: bytes, internal_date: datetime | None = None, *, announce: bool = True
    ) -> int:
        """Store a message; ``announce=False``: IDLE hears nothing (stored just before it)."""
        with self._lock:
            uid = self._next_uid
            self._next_uid += 1
            when = internal_date or datetime.now(UTC)
            self._messages[uid] = RawMail(uid, raw, when)
            listeners = list(self._listeners) if announce else []
        for wake in listeners:
            wake.set()
        return uid

    def reset_uidvalidity(self) -> None:
        """Renumber every message under a new UIDVALIDITY, as a rebuilt server would."""
        with self._lock:
            self.uidvalidity += 1
            old = sorted(self._messages.values(), key=lambda m: m.uid)
            self._messages = {}
            self._next_uid = 1
            for message in old:
                uid = self._next_uid
                self._next_uid += 1
                self._messages[uid] = RawMail(uid, message.raw, message.internal_date)
        self.drop_connections()

    def drop_connections(self) -> None:
        with self._lock:
            self._generation += 1
            listeners = list(self._listeners)
        for wake in listeners:
            wake.set()


class FakeMailbox:
    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self._generation = -1
        self._wake = Wakeup()

    @property
    def uidvalidity(self) -> int:
        return self.server.uidvalidity

    @property
    def supports_idle(self) -> bool:
        return self.server.idle

    def connect(self) -> None:
        server = self.server
        if not server.reachable:
            raise MailboxConnectError(
                "no se pudo conectar al servidor IMAP falso: conexión rechazada"
            )
        if not server.password_ok:
            raise MailboxConnectError("el servidor IMAP falso rechazó el inicio de sesión")
        with server._lock:
            server.connections += 1
            self._generation = server._generation
            server._listeners.append(self._wake)

    def close(self) -> None:
        with self.server._lock:
            if self._wake in self.server._listeners:
                self.server._listeners.remove(self._wake)
        self._generation = -1

    def _alive(self) -> None:
        if self._generation != self.server._generation or not self.server.reachable:
            raise ConnectionError(self.server.drop_reason)

    def uidnext(self) -> int:
        self._alive()
        self.server.calls.append("uidnext")
        with self.server._lock:
            return self.server._next_uid

    def uids_after(self, uid: int, since: date | None = None) -> list[int]:
        self._alive()
        self.server.calls.append("search")
        with self.server._lock:
            messages = list(self.server._messages.values())
        return sorted(
            m.uid
            for m in messages
            if m.uid > uid
            and (since is None or m.internal_date is None or m.internal_date.date() >= since)
        )

    def fetch_headers(self, uids: list[int]) -> list[RawMail]:
        return [
            RawMail(m.uid, m.raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0], m.internal_date)
            for m in self._get(uids)
        ]

    def fetch(self, uids: list[int]) -> list[RawMail]:
        found = self._get(uids)
        while self.server.during_fetch:
            self.server.append(self.server.during_fetch.pop(0), announce=False)
        self.server.fetched_full.extend(m.uid for m in found)
        return found

    def _get(self, uids: list[int]) -> list[RawMail]:
        self._alive()
        self.server.calls.append("fetch")
        with self.server._lock:
            return [self.server._messages[u] for u in uids if u in self.server._messages]

    def wait_for_change(self, timeout: float, wake: Wakeup) -> None:
        self._alive()
        self.server.calls.append("idle")
        if not self.server.idle:
            wake.wait(timeout)
            return
        import select

        self.server.idle_waits.append(timeout)
        select.select([self._wake, wake], [], [], timeout)
        self._wake.clear()
        self._alive()
