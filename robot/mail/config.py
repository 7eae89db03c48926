"""Connection and behaviour settings of one watched mailbox. Secrets never reach a repr."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from robot import settings
from robot.errors import ConfigError, Problem
from robot.inputfiles import read_limited, reason
from robot.secrets import register_secret

Tls = Literal["ssl", "starttls", "none"]


@dataclass(frozen=True)
class MailboxConfig:
    """One IMAP mailbox. ``password`` is the resolved secret; ``repr`` hides it.

    tls: "ssl" (implicit TLS, port 993), "starttls", or "none" (plain; only when asked).
    Certificates are verified; ``ca_file`` names a CA bundle for a self-signed test server: a
    regular file within ``input.max_ca_file_bytes`` holding a PEM certificate (checked here,
    with a bounded read, before TLS reads it).
    allowed_hosts: the portal's hosts (``host`` or ``host:port``); links elsewhere are refused.
    date_slack_seconds: how far a date bound reaches back. Dates are used only where UIDs cannot
    decide: a wait's ``not_before`` (a flow resumed by another process) and a mailbox recreated
    under a wait (UIDVALIDITY changed); clocks of the robot, the portal and the mail server
    may disagree by that much.
    """

    host: str
    user: str
    password: str = field(repr=False)
    port: int = 0  # 0: 993 for ssl, 143 otherwise
    tls: Tls = "ssl"
    ca_file: str | None = None
    folder: str = "INBOX"
    allowed_hosts: tuple[str, ...] = ()
    connect_timeout: float = 10.0  # seconds for connect + login, and for each command
    idle_renew_seconds: float = 25 * 60.0  # re-issue IDLE before the server's ~29 min limit
    idle_check_seconds: float = 30.0  # leave IDLE and re-read this often anyway (see docs)
    recheck_seconds: float = 1.0  # after new mail, re-read once this soon (see docs)
    use_idle: bool = True  # False: poll even when the server offers IDLE
    poll_seconds: float = 5.0  # when IDLE is not offered or not used
    backoff_seconds: float = 0.2  # first reconnect delay, doubled up to backoff_max_seconds
    backoff_max_seconds: float = 30.0
    wait_timeout_seconds: float = 600.0  # default limit of one flow's wait
    date_slack_seconds: float = 120.0  # see above
    lookback_days: int = 7  # mails older than this are not read at start
    source: str = field(default="mailbox", compare=False)  # for messages (a file name)

    def __post_init__(self) -> None:
        if self.password:
            register_secret(self.password)
        problems = [Problem(self.source, None, name, msg) for name, msg in self._problems()]
        if problems:
            raise ConfigError(problems, hint="Corrija la configuración del buzón de correo.")

    def _problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if not self.host:
            found.append(("host", "falta el servidor IMAP"))
        if not self.user:
            found.append(("user", "falta el usuario IMAP"))
        if not self.password:
            found.append(("password", "falta la contraseña (la variable de entorno está vacía?)"))
        if self.tls not in ("ssl", "starttls", "none"):
            found.append(("tls", f"{self.tls!r} no es ssl, starttls ni none"))
        if not 0 <= self.port <= 65535:
            found.append(("port", f"{self.port} no es un puerto"))
        if not self.allowed_hosts:
            found.append(
                ("allowed_hosts", "indique el host del portal (p. ej. community.secop.gov.co)")
            )
        for name in (
            "connect_timeout",
            "idle_renew_seconds",
            "idle_check_seconds",
            "recheck_seconds",
            "poll_seconds",
            "backoff_seconds",
        ):
            if getattr(self, name) <= 0:
                found.append((name, "debe ser mayor que cero"))
        if self.date_slack_seconds < 0:
            found.append(("date_slack_seconds", "no puede ser negativo"))
        if self.idle_renew_seconds > 29 * 60:
            found.append(("idle_renew_seconds", "debe ser menor que 29 minutos (RFC 2177)"))
        if self.ca_file is not None:
            problem = _ca_file_problem(self.ca_file)
            if problem is not None:
                found.append(("ca_file", problem))
        return found

    @property
    def effective_port(self) -> int:
        if self.port:
            return self.port
        return 993 if self.tls == "ssl" else 143

    @property
    def key(self) -> tuple[str, int, str, str]:
        """What names one mailbox: host, port, user and folder."""
        return (self.host.lower(), self.effective_port, self.user.lower(), self.folder)

    @property
    def where(self) -> str:
        """``user@host:port`` for messages (no secret)."""
        return f"{self.user}@{self.host}:{self.effective_port}"


def _ca_file_problem(ca_file: str) -> str | None:
    """Spanish message if ``ca_file`` is not a regular PEM file within the limit, else None."""
    name = "input.max_ca_file_bytes"
    try:
        data = read_limited(Path(ca_file), int(settings.resolve(name)), ca_file, name)
    except ConfigError as err:  # the file, or the setting's variable
        return f"{ca_file}: {reason(err)}"
    if b"-----BEGIN CERTIFICATE-----" not in data:
        return f"{ca_file} no es un certificado PEM"
    return None
