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
    │   └── DocumentLimitError       over the portal's size limit or the slot's page limit
    ├── MailError                    the mailbox
    │   ├── MailboxConnectError      cannot connect or log in within the timeout
    │   ├── ActivationMailNotFound   the awaited mail did not arrive in time
    │   └── UnsafeLinkError          a link in a mail points outside the portal or through a tracker
    └── PortalError                  the portal answered something the robot did not expect

Every error carries a ``hint``: what the person should do next.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


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


class DocumentError(SecopRobotError):
    """A document cannot be prepared for upload."""


class DocumentTypeError(DocumentError):
    """A document is not what its name says, or is of a type the portal does not accept."""


class DocumentCorruptError(DocumentError):
    """A document cannot be read: damaged, truncated, or with zero pages."""


class DocumentEncryptedError(DocumentError):
    """A PDF is protected by a password and none, or a wrong one, was given."""


class DocumentLimitError(DocumentError):
    """A document is over the portal's size limit or the slot's page limit."""


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
