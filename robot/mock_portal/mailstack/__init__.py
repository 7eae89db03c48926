"""The bundled mail stack: catch-all SMTP delivering into one mailbox on a real IMAP server.

Any ``<anything>@<domain>`` accepted by SMTP lands in the single IMAP mailbox ``imap_user``, with
``Delivered-To: <envelope recipient>`` on top, as in a consultancy's catch-all mailbox. The IMAP
server is Dovecot when installed (delivery by LMTP, mail in a Maildir) or pymap (delivery by IMAP
APPEND, mail in memory). See docs/mail-stack.md.

    with MailStack() as stack:
        smtplib.SMTP(stack.smtp_host, stack.smtp_port).sendmail(...)
"""

from __future__ import annotations

import atexit
import re
import secrets
import shutil
import signal
import ssl
import tempfile
import threading
import weakref
from pathlib import Path
from types import FrameType, TracebackType
from typing import Protocol

from robot.errors import ConfigError, Problem, SetupError
from robot.mock_portal.mailstack._dovecot import INSTALL_HINT, DovecotServer, dovecot_binary
from robot.mock_portal.mailstack._pymap import PymapServer
from robot.mock_portal.mailstack._smtp import CatchAllHandler, start_smtp
from robot.mock_portal.mailstack._tls import TlsFiles, client_context, make_certificates

__all__ = ["BACKENDS", "TLS_MODES", "MailStack", "dovecot_installed", "serve_forever"]

BACKENDS = ("auto", "pymap", "dovecot")
TLS_MODES = ("none", "starttls", "ssl")
_RUNNING: weakref.WeakSet[MailStack] = weakref.WeakSet()
DIED_HINT = "se detuvo todo lo demás; revise la salida de arriba y vuelva a iniciarlo"


class _ImapServer(Protocol):
    name: str
    port: int

    @property
    def pid(self) -> int | None: ...

    def problem(self) -> str | None: ...

    def start(self, port: int | None = None) -> None: ...
    def stop(self, *, graceful: bool = True) -> None: ...
    def restart(self, down_seconds: float) -> None: ...
    def deliver(self, raw: bytes, rcpt: str, mail_from: str = "") -> None: ...


def dovecot_installed() -> bool:
    """True when Debian's Dovecot (``dovecot`` binary) is on this machine."""
    return dovecot_binary() is not None


class MailStack:
    """SMTP (aiosmtpd, catch-all for ``domain``) in front of one IMAP mailbox (pymap or Dovecot)."""

    def __init__(
        self,
        *,
        backend: str = "auto",
        domain: str = "proveedores.test",
        user: str = "buzon",
        password: str | None = None,
        host: str = "127.0.0.1",
        workdir: Path | None = None,
        imap_tls: str = "none",
    ) -> None:
        _check_arguments(backend, domain, user, imap_tls, password)
        self.backend = _resolve_backend(backend)
        if self.backend == "pymap" and imap_tls == "ssl":
            raise ConfigError(
                [
                    Problem(
                        "mail stack",
                        None,
                        "imap_tls",
                        "pymap solo ofrece STARTTLS, no TLS implícito",
                    )
                ],
                hint="use imap_tls='starttls' or backend='dovecot'",
            )
        self.domain = domain.lower()
        self.imap_user = f"{user}@{self.domain}"
        # Letters and digits only: a leading "-" would read as a flag to a server.
        self.imap_password = password or secrets.token_hex(12)
        self.imap_tls = imap_tls
        self.smtp_host = self.imap_host = host
        self.smtp_port = self.imap_port = 0
        self.ca_file: Path | None = None
        self.workdir = Path(workdir) if workdir is not None else None  # a str works too
        self._own_workdir = workdir is None
        self._imap: _ImapServer | None = None
        self._smtp: object | None = None
        self._restarting = False

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> MailStack:
        """Start IMAP, then SMTP; raises SetupError with the server's output if either fails."""
        if self._imap is not None:
            return self
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="secop-mailstack-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        _RUNNING.add(self)
        try:
            tls = self._make_tls()
            self._imap = self._make_imap(tls)  # set first: stop() cleans up a failed start
            self._imap.start()
            self.imap_port = self._imap.port
            handler = CatchAllHandler(self.domain, self._deliver, hostname=f"mx.{self.domain}")
            controller = start_smtp(self.smtp_host, handler)
            self._smtp = controller
            self.smtp_port = int(controller.port)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop SMTP and IMAP; remove the workdir if the stack made it. Safe to call twice."""
        controller, self._smtp = self._smtp, None
        if controller is not None:
            controller.stop()  # type: ignore[attr-defined]
        imap, self._imap = self._imap, None
        if imap is not None:
            # A temporary workdir is deleted next: no need for Dovecot's ~1 s graceful stop.
            imap.stop(graceful=not self._own_workdir)
        if self._own_workdir and self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
            self.ca_file = None
        _RUNNING.discard(self)

    def __enter__(self) -> MailStack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- use ------------------------------------------------------------------------------------

    def address(self, local: str) -> str:
        """``local@domain``: an address that lands in the shared mailbox."""
        return f"{local}@{self.domain}"

    def deliver(self, raw: bytes, envelope_to: str | None = None) -> None:
        """Put ``raw`` (e.g. an .eml file) straight into the mailbox, as SMTP would for one rcpt.

        With ``envelope_to`` a ``Delivered-To`` header is added; the message is otherwise kept as
        it is (line ends made CRLF).
        """
        header = f"Delivered-To: {envelope_to}\r\n".encode() if envelope_to else b""
        self._deliver(header + raw, envelope_to or self.imap_user, "")

    def restart_imap(self, down_seconds: float = 0.0) -> None:
        """Kill the IMAP server hard, wait ``down_seconds``, start it again on the same port.

        Mail survives: Dovecot keeps it on disk; for pymap (memory only) the stack APPENDs again,
        in order, every message it delivered. SMTP deliveries during the gap fail with 451.
        """
        self._restarting = True
        try:
            self._running().restart(down_seconds)
        finally:
            self._restarting = False

    def problem(self) -> str | None:
        """Why the started stack no longer works (a server died on its own), or None."""
        if self._imap is None or self._restarting:
            return None
        if problem := self._imap.problem():
            return problem
        thread = getattr(self._smtp, "_thread", None)  # aiosmtpd's Controller runs one thread
        if isinstance(thread, threading.Thread) and not thread.is_alive():
            return "el servidor SMTP se detuvo"
        return None

    @property
    def imap_pid(self) -> int | None:
        """PID of the IMAP server process (its process group leader), None when stopped."""
        return self._imap.pid if self._imap is not None else None

    def describe(self) -> dict[str, str | int]:
        """Where and how to connect, for printing (includes the password)."""
        info: dict[str, str | int] = {
            "backend": self.backend,
            "domain": self.domain,
            "imap_host": self.imap_host,
            "imap_port": self.imap_port,
            "imap_tls": self.imap_tls,
            "smtp_host": self.smtp_host,
            "smtp_port": self.smtp_port,
            "user": self.imap_user,
            "password": self.imap_password,
        }
        if self.ca_file is not None:
            info["ca_file"] = str(self.ca_file)
        return info

    def client_ssl_context(self) -> ssl.SSLContext | None:
        """An SSL context trusting the stack's CA, or None when IMAP has no TLS."""
        return client_context(self.ca_file) if self.ca_file is not None else None

    def __repr__(self) -> str:
        return (
            f"MailStack(backend={self.backend!r}, imap={self.imap_host}:{self.imap_port}, "
            f"smtp={self.smtp_host}:{self.smtp_port}, user={self.imap_user!r})"
        )

    # -- internals ------------------------------------------------------------------------------

    def _deliver(self, raw: bytes, rcpt: str, mail_from: str) -> None:
        self._running().deliver(re.sub(rb"\r?\n", b"\r\n", raw), rcpt, mail_from)

    def _running(self) -> _ImapServer:
        if self._imap is None:
            raise SetupError("la pila de correo no está en marcha", hint="call MailStack.start()")
        return self._imap

    def _make_tls(self) -> TlsFiles | None:
        if self.imap_tls == "none":
            return None
        assert self.workdir is not None
        tls_dir = self.workdir / "tls"
        tls_dir.mkdir(exist_ok=True)
        tls = make_certificates(tls_dir, self.imap_host)
        self.ca_file = tls.ca_file
        return tls

    def _make_imap(self, tls: TlsFiles | None) -> _ImapServer:
        assert self.workdir is not None
        if self.backend == "dovecot":
            return DovecotServer(
                workdir=self.workdir,
                host=self.imap_host,
                login=self.imap_user,
                password=self.imap_password,
                tls_mode=self.imap_tls,
                tls=tls,
            )
        return PymapServer(
            workdir=self.workdir,
            host=self.imap_host,
            login=self.imap_user,
            password=self.imap_password,
            tls=tls,
            client_ssl=client_context(tls.ca_file) if tls is not None else None,
        )


@atexit.register
def _stop_leftover_stacks() -> None:
    """Stacks still running at exit: stop their servers and remove their temporary workdirs."""
    for stack in list(_RUNNING):
        stack.stop()


def serve_forever(stack: MailStack) -> None:
    """Start ``stack`` if needed, print how to reach it, wait for SIGINT/SIGTERM, stop it."""
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        stack.start()
        info = stack.describe()
        print(f"imap: {info['imap_host']}:{info['imap_port']}", flush=True)
        print(f"smtp: {info['smtp_host']}:{info['smtp_port']}", flush=True)
        print(f"user: {info['user']}", flush=True)
        print(f"password: {info['password']}", flush=True)
        print(f"backend: {info['backend']}", flush=True)
        print(f"domain: {info['domain']}", flush=True)
        print(f"imap_tls: {info['imap_tls']}", flush=True)
        if "ca_file" in info:
            print(f"ca_file: {info['ca_file']}", flush=True)
        while not stopping.wait(0.5):
            if problem := stack.problem():
                raise SetupError(f"la pila de correo dejó de funcionar: {problem}", hint=DIED_HINT)
    finally:
        stack.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _resolve_backend(backend: str) -> str:
    if backend == "auto":
        return "dovecot" if dovecot_installed() else "pymap"
    if backend == "dovecot" and not dovecot_installed():
        raise SetupError(
            "Dovecot no está instalado", hint=INSTALL_HINT + ", or use backend='pymap'"
        )
    return backend


_PASSWORD = re.compile(r"^[!-9;-~]{1,200}$")  # printable ASCII without space and ':'
_LOCAL_PART = re.compile(r"^[A-Za-z0-9._+-]+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}$")


def _check_arguments(
    backend: str, domain: str, user: str, imap_tls: str, password: str | None
) -> None:
    problems = []
    if backend not in BACKENDS:
        problems.append(
            Problem("mail stack", None, "backend", f"debe ser uno de {', '.join(BACKENDS)}")
        )
    if imap_tls not in TLS_MODES:
        problems.append(
            Problem("mail stack", None, "imap_tls", f"debe ser uno de {', '.join(TLS_MODES)}")
        )
    if not _DOMAIN.match(domain):
        problems.append(
            Problem("mail stack", None, "domain", f"{domain!r} no es un dominio válido")
        )
    if not _LOCAL_PART.match(user):
        problems.append(
            Problem("mail stack", None, "user", f"{user!r}: use letras, números, . _ + -")
        )
    if password is not None and not _PASSWORD.match(password):
        problems.append(
            Problem("mail stack", None, "password", "sin espacios, ':' ni caracteres de control")
        )
    if problems:
        raise ConfigError(problems, hint="fix the mail stack settings (mail.backend, mail.domain…)")
