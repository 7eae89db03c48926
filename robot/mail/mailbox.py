"""The seam between the watcher and a mail server: the ``Mailbox`` protocol.

``ImapMailbox`` (robot.mail.imap) is the real one; ``FakeMailbox`` (robot.mail.fake) serves
unit tests. A mailbox is used from one thread only (the watcher's); ``Wakeup`` is the one
object other threads touch, to interrupt a wait.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True)
class RawMail:
    """One fetched message: its UID, its bytes (whole, or headers only) and arrival time."""

    uid: int
    raw: bytes
    internal_date: datetime | None = None


class Mailbox(Protocol):
    """What the watcher needs from a mail server. Methods raise on a broken connection."""

    @property
    def uidvalidity(self) -> int: ...

    @property
    def supports_idle(self) -> bool: ...

    def connect(self) -> None:
        """Connect, log in and open the folder; MailboxConnectError when impossible."""

    def close(self) -> None:
        """Log out and close; never raises."""

    def uidnext(self) -> int:
        """The UID the server will give the next message (STATUS UIDNEXT), asked now.

        Raises ConnectionError when the folder's UIDVALIDITY changed under the connection.
        """
        ...

    def uids_after(self, uid: int, since: date | None = None) -> list[int]:
        """UIDs greater than ``uid`` (arrived on or after ``since``, when given), ascending."""
        ...

    def fetch_headers(self, uids: list[int]) -> list[RawMail]:
        """The header block of each message, without marking anything read."""
        ...

    def fetch(self, uids: list[int]) -> list[RawMail]:
        """Whole messages, without marking anything read (BODY.PEEK)."""
        ...

    def wait_for_change(self, timeout: float, wake: Wakeup) -> None:
        """Block until the server reports news (IDLE), ``wake`` is set, or ``timeout``."""


class Wakeup:
    """A thread-safe doorbell with a file descriptor, so it can be select()ed with a socket."""

    def __init__(self) -> None:
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._lock = threading.Lock()
        self._closed = False

    def fileno(self) -> int:
        return self._reader.fileno()

    def set(self) -> None:
        with self._lock:
            if self._closed:
                return
            with contextlib.suppress(BlockingIOError):  # already rung many times
                self._writer.send(b"x")

    def clear(self) -> None:
        try:
            while self._reader.recv(4096):
                pass
        except (BlockingIOError, OSError):
            pass

    def wait(self, timeout: float) -> bool:
        """Sleep until set or timeout; True when set. Does not clear."""
        ready, _, _ = select.select([self._reader], [], [], max(timeout, 0.0))
        return bool(ready)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._reader.close()
            self._writer.close()
