"""The one exception tree of secop-robot.

Deep code raises these with context; only the CLI turns them into messages and exit codes.

    SecopRobotError                  base: every error the CLI knows how to explain
    ├── ConfigError                  bad input a person must fix (exit 1)
    │   ├── ProfileError             a supplier profile (file:line: field: message, all at once)
    │   └── ScenarioError            a batch definition
    ├── SetupError                   the machine: no Chromium, a port in use, a dead server (exit 2)
    ├── DocumentError                a document cannot be prepared
    │   ├── DocumentTypeError        not the PDF/JPEG/PNG its name says, or a refused type
    │   ├── DocumentCorruptError     unreadable, damaged, or without pages
    │   ├── DocumentEncryptedError   password-protected and no (or a wrong) password given
    │   └── DocumentLimitError       over the size, the slot's page, or the memory or time limit
    ├── MailError                    the mailbox
    │   ├── MailboxConnectError      cannot connect or log in within the timeout
    │   ├── ActivationMailNotFound   the awaited mail did not arrive in time
    │   └── UnsafeLinkError          a link in a mail points outside the portal or through a tracker
    └── PortalError                  the portal answered something the robot did not expect
        ├── PortalUnavailable        transient: 5xx, maintenance, dropped connection, timeout
        │   └── SessionExpired       the portal sent the robot back to login (log in again)
        ├── PortalRejected           a data error: the portal refused a field (its own message)
        ├── NeedsPerson              a CAPTCHA, an unknown page, a request still pending: park
        └── ExistingAccount          the NIT is registered and the profile says if_exists: stop

Every error carries a ``hint``: what the person should do next.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass

# C0 and C1 controls, DEL, line/paragraph separators, bidirectional overrides and lone
# surrogates: characters that would break a one-line message, make it lie about what it shows,
# or fail to print.
CONTROL_CHARACTERS = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def escape_controls(text: str) -> str:
    """``text`` with every control character written as an escape (``\\x00``, ``\\u202e``)."""
    return CONTROL_CHARACTERS.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


_OS_REASONS = {
    errno.ENOENT: "no existe",
    errno.EACCES: "sin permiso de lectura",
    errno.EPERM: "sin permiso de lectura",
    errno.EISDIR: "es una carpeta",
    errno.ENOTDIR: "una parte de la ruta no es una carpeta",
    errno.ENAMETOOLONG: "nombre demasiado largo",
    errno.ELOOP: "demasiados enlaces simbólicos",
    errno.EIO: "error de entrada/salida del disco",
    errno.ENOSPC: "no queda espacio en el disco",
}


def os_reason(err: OSError) -> str:
    """Spanish for the file-system errors people meet (the system's own text is English)."""
    return _OS_REASONS.get(err.errno or 0, f"error del sistema {err.errno}")


class SecopRobotError(Exception):
    """Base class. ``str(err)`` is the message; ``err.hint`` says what to do."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Problem:
    """One problem in an input file: ``file:line: field: message``."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        """One line; control characters (from a file name, a key or a value) are escaped."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        text = (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )
        return escape_controls(text)


class ConfigError(SecopRobotError):
    """Bad input a person must fix. Holds every problem found, not just the first."""

    def __init__(self, problems: list[Problem], *, hint: str = "") -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems), hint=hint)


class ProfileError(ConfigError):
    """A supplier profile is invalid."""


class ScenarioError(ConfigError):
    """A scenario (batch definition) is invalid."""


class SetupError(SecopRobotError):
    """The machine is not ready: a browser, a server or a port is missing."""

    exit_code = 2


class PortalDrift(SecopRobotError):
    """The portal's pages changed in a way that breaks the robot (``secop-robot probe``)."""

    exit_code = 3


class DocumentError(SecopRobotError):
    """A document cannot be prepared for upload."""


class DocumentTypeError(DocumentError):
    """A document is not what its name says, or is of a type the portal does not accept."""


class DocumentCorruptError(DocumentError):
    """A document cannot be read: damaged, truncated, or with zero pages."""


class DocumentEncryptedError(DocumentError):
    """A PDF is protected by a password and none, or a wrong one, was given."""


class DocumentLimitError(DocumentError):
    """A document is over the portal's size limit, the slot's page limit, or the memory or
    time limit of the process that prepares it (robot.bounded)."""


class MailError(SecopRobotError):
    """Something went wrong with the mailbox."""


class MailboxConnectError(MailError):
    """The IMAP server cannot be reached or refused the login."""


class ActivationMailNotFound(MailError):
    """The awaited mail did not arrive within the timeout."""


class UnsafeLinkError(MailError):
    """A mail's link points outside the configured portal or through a redirect wrapper."""


class PortalError(SecopRobotError):
    """The portal answered something the robot did not expect."""

    def __init__(self, message: str, *, hint: str = "", url: str = "", step: str = "") -> None:
        super().__init__(message, hint=hint)
        self.url = url
        self.step = step


class PortalUnavailable(PortalError):
    """Transient: a 5xx page, the maintenance page, a dropped connection or a timeout.

    The runner retries the step with backoff, up to a cap."""


class SessionExpired(PortalUnavailable):
    """The portal sent the robot back to its login page: log in again and repeat the step."""


class PortalRejected(PortalError):
    """The portal refused what was sent (a data error). ``errors`` are its visible messages."""

    def __init__(
        self,
        message: str,
        *,
        errors: tuple[str, ...] = (),
        hint: str = "",
        url: str = "",
        step: str = "",
    ) -> None:
        super().__init__(message, hint=hint, url=url, step=step)
        self.errors = errors


class NeedsPerson(PortalError):
    """Something only a person can resolve (a CAPTCHA, an unknown page, a pending request):
    the supplier is parked with this reason and a later run picks it up."""


class ExistingAccount(PortalError):
    """The supplier's NIT is already registered and the profile says ``if_exists: stop``."""
