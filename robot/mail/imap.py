"""The real mailbox: IMAP through imap-tools, with IDLE, BODY.PEEK and UID tracking.

Nothing here marks a mail read or deletes it: the folder is opened read-only (EXAMINE) and
every fetch uses BODY.PEEK.
"""

from __future__ import annotations

import imaplib
import logging
import re
import select
import socket
import ssl
from datetime import date, datetime
from typing import Any

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import MailboxFolderStatusError, MailboxLoginError

from robot.errors import MailboxConnectError
from robot.mail.config import MailboxConfig
from robot.mail.mailbox import RawMail, Wakeup
from robot.secrets import mask

log = logging.getLogger(__name__)

_UID = re.compile(rb"UID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')
_NEWS = ("EXISTS", "RECENT")
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


class ImapMailbox:
    """One IMAP connection to one folder. Not thread-safe: the watcher's thread owns it."""

    def __init__(self, config: MailboxConfig) -> None:
        self.config = config
        self._box: Any = None
        self._uidvalidity = 0
        self._idle = False

    def __repr__(self) -> str:
        return f"ImapMailbox({self.config.where}, tls={self.config.tls})"

    @property
    def uidvalidity(self) -> int:
        return self._uidvalidity

    @property
    def supports_idle(self) -> bool:
        return self._idle

    def connect(self) -> None:
        cfg = self.config
        try:
            box = self._open()
        except (OSError, imaplib.IMAP4.error, ssl.SSLError) as err:
            raise MailboxConnectError(
                f"no se pudo conectar al servidor IMAP {cfg.host}:{cfg.effective_port} "
                f"({cfg.tls}): {_describe(err)}",
                hint="Revise host, puerto y modo TLS del buzón, y que el servidor esté en línea.",
            ) from None
        try:
            box.login(cfg.user, cfg.password, initial_folder=None)
        except (MailboxLoginError, imaplib.IMAP4.error):
            _quiet_logout(box)
            raise MailboxConnectError(
                f"el servidor IMAP {cfg.host}:{cfg.effective_port} rechazó el inicio de sesión "
                f"del usuario {cfg.user}",
                hint="Revise el usuario y la variable de entorno con la contraseña del buzón.",
            ) from None
        except OSError as err:
            _quiet_logout(box)
            raise MailboxConnectError(
                f"se perdió la conexión con {cfg.host}:{cfg.effective_port} al iniciar sesión: "
                f"{_describe(err)}",
                hint="Revise que el servidor esté en línea.",
            ) from None
        try:
            box.folder.set(cfg.folder, readonly=True)
        except Exception as err:
            _quiet_logout(box)
            raise MailboxConnectError(
                f"no se pudo abrir la carpeta {cfg.folder!r} en {cfg.where}: {_describe(err)}",
                hint="Revise el nombre de la carpeta del buzón (por defecto INBOX).",
            ) from None
        self._uidvalidity = _uidvalidity(box)
        _keepalive(box.client.sock)
        self._idle = cfg.use_idle and "IDLE" in _capabilities(box)
        self._box = box

    def _open(self) -> Any:
        cfg = self.config
        timeout = cfg.connect_timeout
        if cfg.tls == "none":
            return MailBoxUnencrypted(cfg.host, cfg.effective_port, timeout=timeout)
        context = ssl.create_default_context(cafile=cfg.ca_file)
        if cfg.tls == "starttls":
            return MailBoxStartTls(
                cfg.host, cfg.effective_port, timeout=timeout, ssl_context=context
            )
        return MailBox(cfg.host, cfg.effective_port, timeout=timeout, ssl_context=context)

    def close(self) -> None:
        box, self._box = self._box, None
        if box is not None:
            _quiet_logout(box)

    def uidnext(self) -> int:
        self._client()
        try:
            status = self._box.folder.status(self.config.folder, ["UIDNEXT", "UIDVALIDITY"])
        except MailboxFolderStatusError:
            status = {}  # a server may refuse STATUS on the open folder: use the highest UID
        if status.get("UIDVALIDITY", self._uidvalidity) != self._uidvalidity:
            raise ConnectionError("UIDVALIDITY cambió: la carpeta fue recreada")
        if "UIDNEXT" in status:
            return int(status["UIDNEXT"])
        typ, data = self._client().uid("SEARCH", "UID *")
        _check(typ, data, "UID SEARCH")
        found = [int(x) for x in (data[0] or b"").split()]
        return max(found, default=0) + 1  # no message has a UID between this and UIDNEXT

    def uids_after(self, uid: int, since: date | None = None) -> list[int]:
        client = self._client()
        for name in _NEWS:  # forget old news: what arrives from here on means "scan again"
            client.untagged_responses.pop(name, None)
        criteria = f"UID {uid + 1}:*"
        if since is not None:
            criteria += f" SINCE {since.day}-{_MONTHS[since.month - 1]}-{since.year}"
        typ, data = client.uid("SEARCH", criteria)
        _check(typ, data, "UID SEARCH")
        found = [int(x) for x in (data[0] or b"").split()]
        return sorted(u for u in found if u > uid)  # "n:*" always names the last message

    def fetch_headers(self, uids: list[int]) -> list[RawMail]:
        return self._fetch(uids, "(UID INTERNALDATE BODY.PEEK[HEADER])")

    def fetch(self, uids: list[int]) -> list[RawMail]:
        return self._fetch(uids, "(UID INTERNALDATE BODY.PEEK[])")

    def _fetch(self, uids: list[int], parts: str) -> list[RawMail]:
        found: list[RawMail] = []
        for start in range(0, len(uids), 200):
            chunk = ",".join(str(u) for u in uids[start : start + 200])
            typ, data = self._client().uid("FETCH", chunk, parts)
            _check(typ, data, "UID FETCH")
            found.extend(_parse_fetch(data))
        return found

    def wait_for_change(self, timeout: float, wake: Wakeup) -> None:
        if not self._idle:
            wake.wait(timeout)
            return
        box = self._box
        if any(box.client.untagged_responses.get(name) for name in _NEWS):
            # The server announced mail while we were reading (e.g. Dovecot syncs after a
            # command): IDLE would not announce it again, so read again now.
            return
        box.idle.start()
        try:
            if not _buffered(box.client):
                sock = box.client.sock
                select.select([sock, wake], [], [], timeout)
        finally:
            box.idle.stop()  # reads the server's news; EOF surfaces here as an error

    def _client(self) -> Any:
        if self._box is None:
            raise ConnectionError("no conectado")
        return self._box.client


def _parse_fetch(data: list[Any]) -> list[RawMail]:
    found: list[RawMail] = []
    for index, item in enumerate(data):
        if not isinstance(item, tuple):
            continue
        meta = item[0]
        after = data[index + 1] if index + 1 < len(data) else b""
        if isinstance(after, bytes):
            meta = meta + after
        uid = _UID.search(meta)
        if uid is None:
            continue
        found.append(RawMail(int(uid.group(1)), item[1], _internal_date(meta)))
    return found


def _internal_date(meta: bytes) -> datetime | None:
    match = _INTERNALDATE.search(meta)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1).decode().strip(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None


def _uidvalidity(box: Any) -> int:
    values = box.client.untagged_responses.get("UIDVALIDITY") or []
    if values:
        return int(values[-1])
    _typ, data = box.client.response("UIDVALIDITY")
    if data and data[0]:
        return int(data[0])
    status = box.folder.status(box.folder.get() or "INBOX", ["UIDVALIDITY"])
    return int(status["UIDVALIDITY"])


def _capabilities(box: Any) -> set[str]:
    """The capabilities after login (servers may announce IDLE only once authenticated)."""
    try:
        typ, data = box.client.capability()
    except Exception:
        return set(box.client.capabilities)
    if typ != "OK" or not data or not data[0]:
        return set(box.client.capabilities)
    return {word.upper() for word in data[0].decode(errors="replace").split()}


def _buffered(client: Any) -> bool:
    """True when imaplib already holds unread server data (select() would not see it)."""
    sock = client.sock
    old = sock.gettimeout()
    sock.settimeout(0)
    try:
        return bool(client.file.peek(1))
    except (TimeoutError, BlockingIOError, ssl.SSLWantReadError, ssl.SSLError, OSError):
        return False
    finally:
        sock.settimeout(old)


def _check(typ: str, data: Any, command: str) -> None:
    if typ != "OK":
        raise imaplib.IMAP4.error(f"{command} respondió {typ}: {data!r}"[:300])


def _describe(err: BaseException) -> str:
    if isinstance(err, socket.timeout | TimeoutError):
        return "tiempo de espera agotado"
    if isinstance(err, ConnectionRefusedError):
        return "conexión rechazada"
    if isinstance(err, ssl.SSLCertVerificationError):
        return f"certificado no válido ({err.verify_message}); indique ca_file si es de pruebas"
    return mask(str(err) or type(err).__name__)[:200]


def _keepalive(sock: socket.socket) -> None:
    """Let the kernel notice a silently dead server while IDLE waits."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 60)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 15)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 4)
    except (AttributeError, OSError):
        pass


def _quiet_logout(box: Any) -> None:
    try:
        box.client.logout()  # imaplib's logout swallows errors and closes the socket
    except Exception:
        log.debug("IMAP logout failed", exc_info=True)
