"""Every knob of secop-robot, its default and its help, in one place.

Precedence, highest first: command-line flags > environment variables (``SECOP_<NAME>``) >
the scenario file > the defaults below. ``docs/settings.md`` documents each one and a test
checks that none is missing there.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from robot.portal_rules import DEFAULT_MAX_UPLOAD_MB


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "SECOP_" + self.name.upper().replace("-", "_").replace(".", "_")


_ALL = [
    # The bundled mock portal
    Setting("portal.host", "127.0.0.1", "address the mock portal listens on"),
    Setting("portal.port", 0, "port of the mock portal (0 picks a free one)"),
    Setting("portal.token_ttl_hours", 72.0, "hours an activation link stays valid"),
    Setting("portal.session_ttl_seconds", 1800, "idle seconds before a portal session expires"),
    Setting(
        "portal.max_upload_mb",
        float(DEFAULT_MAX_UPLOAD_MB),
        "largest document the portal accepts, in MB",
    ),
    Setting("portal.state_endpoint", False, "serve the read-only JSON state dump at /_state"),
    Setting("portal.mail_from", "notificaciones@secop.test", "sender address of portal mail"),
    # The bundled mail stack
    Setting("mail.backend", "auto", "IMAP server of the mail stack: auto, pymap or dovecot"),
    Setting("mail.domain", "proveedores.test", "domain of the catch-all mailbox"),
    Setting("mail.user", "buzon", "local part of the shared mailbox's login"),
    # The robot (secop-robot run)
    Setting("robot.timeout_seconds", 30.0, "longest wait for one page or action of the portal"),
    Setting(
        "robot.mail_timeout_seconds", 300.0, "longest wait for one activation or notice e-mail"
    ),
    Setting("robot.retries", 4, "attempts of a step after a transient portal error, at most"),
    Setting("robot.backoff_seconds", 2.0, "pause before the first retry; doubled each retry"),
    Setting("robot.backoff_max_seconds", 60.0, "longest pause between two retries"),
    Setting(
        "robot.requests_per_second",
        2.0,
        "politeness: portal actions per second across the batch (0: no limit; the bundled "
        "mock has no limit unless its scenario sets one)",
    ),
    Setting(
        "robot.sessions_per_minute",
        6.0,
        "politeness: new portal sessions (logins) per minute across the batch (0: no limit)",
    ),
]

SETTINGS: dict[str, Setting] = {s.name: s for s in _ALL}


def resolve(
    name: str,
    *,
    flag: Any = None,
    scenario: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Any:
    """The value of one setting under the stated precedence, converted to the default's type."""
    setting = SETTINGS[name]
    env = os.environ if environ is None else environ
    if flag is not None:
        return flag
    if setting.env in env:
        return _convert(setting, env[setting.env])
    if scenario is not None and name in scenario:
        return scenario[name]
    return setting.default


def _convert(setting: Setting, raw: str) -> Any:
    kind = type(setting.default)
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on", "si", "sí"}
    if kind is int:
        return int(raw)
    if kind is float:
        return float(raw)
    return raw
