"""pymap as the IMAP server: a subprocess with its in-memory ``dict`` backend, fed by APPEND."""

from __future__ import annotations

import contextlib
import imaplib
import os
import socket
import ssl
import sys
import threading
import time
from pathlib import Path

from robot.errors import SetupError
from robot.mock_portal.mailstack._net import wait_for_greeting, wait_port_free
from robot.mock_portal.mailstack._process import ServerProcess, launch
from robot.mock_portal.mailstack._tls import TlsFiles

_MAIN = Path(__file__).with_name("_pymap_main.py")  # pymap with whole-line writes
START_TIMEOUT = 20.0


class PymapServer:
    """One pymap process holding one user's mailbox in memory.

    Mail delivered through :meth:`deliver` is remembered so that :meth:`restart` can APPEND it
    again, in order, after a hard kill wiped the memory.
    """

    name = "pymap"

    def __init__(
        self,
        *,
        workdir: Path,
        host: str,
        login: str,
        password: str,
        tls: TlsFiles | None,
        client_ssl: ssl.SSLContext | None,
    ) -> None:
        self.host = host
        self.port = 0
        self._workdir = workdir
        self._login = login
        self._password = password
        self._tls = tls
        self._client_ssl = client_ssl
        self._proc: ServerProcess | None = None
        self._lock = threading.Lock()
        self._conn: imaplib.IMAP4 | None = None
        self._delivered: list[tuple[bytes, str]] = []

    def start(self, port: int | None = None) -> None:
        self._proc, self.port = launch(self._make, self._ready, host=self.host, port=port)

    def stop(self, *, graceful: bool = True) -> None:
        with self._lock:
            self._drop_connection()
            if self._proc is not None:
                self._proc.terminate(timeout=3.0)
                self._proc = None

    def restart(self, down_seconds: float) -> None:
        with self._lock:
            self._drop_connection()
            if self._proc is not None:
                self._proc.kill()
            time.sleep(down_seconds)
            wait_port_free(self.host, self.port, timeout=10.0)
            self._proc, _ = launch(self._make, self._ready, host=self.host, port=self.port)
            for raw, when in self._delivered:
                self._append(raw, when)

    def deliver(self, raw: bytes, rcpt: str, mail_from: str = "") -> None:
        when = imaplib.Time2Internaldate(time.time())
        with self._lock:
            self._append(raw, when)
            self._delivered.append((raw, when))

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def problem(self) -> str | None:
        """Why the server no longer runs (it exited on its own), or None."""
        return self._proc.exit_problem() if self._proc is not None else None

    def _make(self, port: int) -> ServerProcess:
        argv = [sys.executable, str(_MAIN), "--host", self.host, "--port", str(port)]
        if self._tls is None:
            argv.append("--no-tls")
        else:
            argv += ["--cert", str(self._tls.cert_file), "--key", str(self._tls.key_file)]
        argv += ["dict", "--demo-user", self._login]
        env = {**os.environ, "SECOP_MAILSTACK_PASSWORD": self._password, "PYTHONUNBUFFERED": "1"}
        return ServerProcess("pymap", argv, log_path=self._workdir / "pymap.log", env=env)

    def _ready(self, proc: ServerProcess, port: int) -> None:
        wait_for_greeting(self.host, port, timeout=START_TIMEOUT, check_alive=proc.check_alive)

    def _append(self, raw: bytes, when: str) -> None:
        """APPEND over the kept connection; reconnect once if it broke. Caller holds the lock."""
        for attempt in (1, 2):
            try:
                conn = self._conn or self._connect()
                typ, data = conn.append("INBOX", "", when, raw)
            except (imaplib.IMAP4.abort, OSError) as err:
                self._drop_connection()
                if attempt == 2:
                    raise SetupError(f"pymap no acepta la entrega: {err}") from err
                continue
            except imaplib.IMAP4.error as err:
                self._drop_connection()
                raise SetupError(f"pymap rechazó la entrega: {err}") from err
            if typ != "OK":
                raise SetupError(f"pymap rechazó la entrega: {typ} {data!r}")
            return

    def _connect(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.host, self.port, timeout=10.0)
        # imaplib sends an APPEND literal and its closing CRLF in two writes: with Nagle on,
        # the second waits for the server's delayed ACK, ~40 ms per message.
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            if self._client_ssl is not None:
                conn.starttls(self._client_ssl)
            conn.login(self._login, self._password)
        except (imaplib.IMAP4.error, OSError):
            with contextlib.suppress(Exception):
                conn.shutdown()
            raise
        self._conn = conn
        return conn

    def _drop_connection(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.shutdown()
            self._conn = None
