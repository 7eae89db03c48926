"""Every knob of secop-robot, its default and its help, in one place.

Precedence, highest first: command-line flags > environment variables (``SECOP_<NAME>``) >
the scenario file > the defaults below. ``docs/settings.md`` documents each one and a test
checks that none is missing there.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from robot.errors import ConfigError, Problem
from robot.portal_rules import DEFAULT_MAX_UPLOAD_MB


@dataclass(frozen=True)
class Setting:
    """One knob. A number has a range (``low`` to ``high``, both included: no ``inf``, no
    ``nan``); a text may be limited to ``choices``."""

    name: str
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()

    @property
    def env(self) -> str:
        return "SECOP_" + self.name.upper().replace("-", "_").replace(".", "_")

    @property
    def is_number(self) -> bool:
        return type(self.default) in (int, float)

    def problem(self, value: Any) -> str | None:
        """Spanish message if ``value`` is not allowed for this setting, else None."""
        kind = type(self.default)
        if kind is bool:
            return None if isinstance(value, bool) else "use sí o no (true/false, 1/0)"
        if kind in (int, float):
            return self._number_problem(value)
        if self.choices and value not in self.choices:
            return f"«{value}» no es un valor permitido; use uno de: {', '.join(self.choices)}"
        return None

    def _number_problem(self, value: Any) -> str | None:
        kind = type(self.default)
        what = "un número entero" if kind is int else "un número"
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or (kind is int and not isinstance(value, int)):
            return f"«{value}» no es {what}; {self.range_text}"
        if not math.isfinite(value):
            return f"«{value}» no es un número finito; {self.range_text}"
        low = -math.inf if self.low is None else self.low
        high = math.inf if self.high is None else self.high
        if not low <= value <= high:
            return f"{value} está fuera del rango; {self.range_text}"
        return None

    @property
    def range_text(self) -> str:
        """``use un número entero de 0 a 65535`` (the range in words)."""
        what = "un número entero" if type(self.default) is int else "un número"
        return f"use {what} de {_number(self.low)} a {_number(self.high)}"


def _number(value: float | None) -> str:
    if value is None:
        return "∞"
    return str(int(value)) if float(value).is_integer() else str(value)


_ALL = [
    # The bundled mock portal
    Setting("portal.host", "127.0.0.1", "address the mock portal listens on"),
    Setting("portal.port", 0, "port of the mock portal (0 picks a free one)", 0, 65535),
    Setting("portal.token_ttl_hours", 72.0, "hours an activation link stays valid", 0.01, 8760),
    Setting(
        "portal.session_ttl_seconds",
        1800,
        "idle seconds before a portal session expires",
        1,
        7 * 86400,
    ),
    Setting(
        "portal.max_upload_mb",
        float(DEFAULT_MAX_UPLOAD_MB),
        "largest document the portal accepts, in MB; also the size limit of every document "
        "read from a profile (checked before it is read)",
        0.01,
        1024,
    ),
    Setting("portal.state_endpoint", False, "serve the read-only JSON state dump at /_state"),
    Setting("portal.mail_from", "notificaciones@secop.test", "sender address of portal mail"),
    # The bundled mail stack
    Setting(
        "mail.backend",
        "auto",
        "IMAP server of the mail stack: auto, pymap or dovecot",
        choices=("auto", "pymap", "dovecot"),
    ),
    Setting("mail.domain", "proveedores.test", "domain of the catch-all mailbox"),
    Setting("mail.user", "buzon", "local part of the shared mailbox's login"),
    # Limits of the files a person gives (untrusted input): checked before reading them
    Setting(
        "input.max_yaml_bytes",
        1_000_000,
        "largest profile or scenario file, in bytes",
        1_000,
        100_000_000,
    ),
    Setting(
        "input.max_yaml_depth",
        40,
        "deepest nesting of lists and mappings in a profile or scenario",
        5,
        100,
    ),
    Setting(
        "input.max_yaml_nodes",
        50_000,
        "most values (keys, items, texts) in a profile or scenario, aliases expanded",
        100,
        5_000_000,
    ),
    Setting(
        "input.max_yaml_aliases",
        1_000,
        "most aliases (*name) in a profile or scenario",
        0,
        100_000,
    ),
    Setting(
        "input.max_secret_file_bytes",
        65_536,
        "largest file named by a file: secret reference, in bytes",
        64,
        1_048_576,
    ),
    Setting(
        "input.max_ca_file_bytes",
        1_048_576,
        "largest ca_file (CA certificates, PEM) of a mailbox, in bytes",
        1_024,
        67_108_864,
    ),
    Setting(
        "document.memory_mb",
        1024,
        "memory (address space, MB) the process that examines and marks one document may "
        "add to its start; over it, the document is refused (DocumentLimitError)",
        64,
        65_536,
    ),
    Setting(
        "document.cpu_seconds",
        60,
        "CPU seconds to examine and mark one document; over it, or over 4 times it plus 10 s "
        "of wall-clock time, the document is refused (DocumentLimitError)",
        1,
        86_400,
    ),
    # The robot (secop-robot run)
    Setting(
        "robot.timeout_seconds",
        30.0,
        "longest wait for one page or action of the portal",
        0.1,
        3600,
    ),
    Setting(
        "robot.mail_timeout_seconds",
        300.0,
        "longest wait for one activation or notice e-mail",
        1,
        86400,
    ),
    Setting(
        "robot.retries", 4, "attempts of a step after a transient portal error, at most", 0, 100
    ),
    Setting(
        "robot.backoff_seconds", 2.0, "pause before the first retry; doubled each retry", 0, 3600
    ),
    Setting("robot.backoff_max_seconds", 60.0, "longest pause between two retries", 0, 86400),
    Setting(
        "robot.requests_per_second",
        2.0,
        "politeness: portal actions per second across the batch (0: no limit; the bundled "
        "mock has no limit unless its scenario sets one)",
        0,
        1000,
    ),
    Setting(
        "robot.sessions_per_minute",
        6.0,
        "politeness: new portal sessions (logins) per minute across the batch (0: no limit)",
        0,
        10000,
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
    """The value of one setting under the stated precedence, converted to the default's type.

    A value out of the setting's range (or not a number, ``inf``, ``nan``) is a ConfigError
    (exit 1) naming the environment variable, or the setting, that gave it.
    """
    setting = SETTINGS[name]
    env = os.environ if environ is None else environ
    if flag is not None:
        return _checked(setting, flag, f"--{name.rpartition('.')[2].replace('_', '-')}")
    if setting.env in env:
        return _checked(setting, _convert(setting, env[setting.env]), setting.env)
    if scenario is not None and name in scenario:
        return _checked(setting, scenario[name], name)
    return setting.default


_TRUE = frozenset({"1", "true", "yes", "on", "si", "sí"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def _convert(setting: Setting, raw: str) -> Any:
    """The text of an environment variable as the setting's type (the text itself when it is
    not one: :func:`_checked` then says what is wrong)."""
    kind = type(setting.default)
    text = raw.strip()
    if kind is bool:
        word = text.lower()
        return True if word in _TRUE else False if word in _FALSE else raw
    try:
        if kind is int:
            return int(text)
        if kind is float:
            return float(text)
    except ValueError:
        return raw
    return raw


def _checked(setting: Setting, value: Any, source: str) -> Any:
    if type(setting.default) is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    problem = setting.problem(value)
    if problem is not None:
        raise ConfigError(
            [Problem(source, None, "", problem)],
            hint=f"corrija {source} (el ajuste {setting.name}; vea docs/settings.md)",
        )
    return value


def check(name: str, value: Any) -> str | None:
    """Spanish message if ``value`` is not allowed for the setting ``name``, else None."""
    return SETTINGS[name].problem(value)
