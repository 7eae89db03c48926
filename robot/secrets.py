"""Secrets by reference, resolved only at run time, and masked in every output.

A profile or scenario never holds a password itself; it holds a reference:

    ``${SECOP_ACME_PASSWORD}``   the value of an environment variable
    ``file:secrets/acme.txt``    the first line of a file (relative to the profile or scenario),
                                 exactly: spaces are kept, only the line end is removed; only
                                 a regular file within ``input.max_secret_file_bytes`` is read

A literal value is accepted only where the input sets ``allow_literal_secrets: true`` (meant for
the mock portal). Every resolved value is registered here (:func:`register_secret`; the mail
step registers activation links the same way) so that logs, reports, JUnit files and traces can
call :func:`mask` before writing. ``secop-robot`` installs :class:`MaskingFilter` on the
handlers of its loggers (:func:`install_masking`) and masks every error it prints.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

from robot import settings
from robot.errors import CONTROL_CHARACTERS, ConfigError, Problem
from robot.inputfiles import read_limited, reason

MASK = "********"
MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary text; passwords are >= 8 anyway

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_FILE_PREFIX = "file:"

_lock = threading.Lock()
_secrets: set[str] = set()


# --- references ------------------------------------------------------------------------------


def looks_like_reference(value: str) -> bool:
    """True when the text was meant as a reference (well written or not)."""
    text = value.strip()
    return text.startswith("$") or text.startswith(_FILE_PREFIX)


def reference_problem(value: str) -> str | None:
    """Spanish message if ``value`` looks like a reference but is badly written, else None."""
    text = value.strip()
    if text.startswith(_FILE_PREFIX):
        return None if text[len(_FILE_PREFIX) :].strip() else _BAD_REFERENCE
    if text.startswith("$"):
        return None if _ENV_REF.fullmatch(text) else _BAD_REFERENCE
    return None


_BAD_REFERENCE = (
    "referencia de secreto mal escrita; use ${NOMBRE_VARIABLE} (variable de entorno) "
    "o file:ruta/al/archivo"
)


def is_reference(value: str) -> bool:
    """True for a well-written ``${ENV}`` or ``file:`` reference."""
    return looks_like_reference(value) and reference_problem(value) is None


def env_name(value: str) -> str | None:
    """The variable name of a ``${NAME}`` reference, else None."""
    match = _ENV_REF.fullmatch(value.strip())
    return match.group(1) if match else None


def lookup(
    ref: str, *, base_dir: Path | None = None, environ: Mapping[str, str] | None = None
) -> str | None:
    """The value behind a reference, or None when it is missing. Registers the value.

    A value that is not a reference (a literal allowed for the mock) is returned as is.
    """
    text = ref.strip()
    name = env_name(text)
    value: str | None
    if name is not None:
        env = os.environ if environ is None else environ
        value = env.get(name)
    elif text.startswith(_FILE_PREFIX):
        value = _read_secret_file(text[len(_FILE_PREFIX) :].strip(), base_dir)
    else:
        value = ref
    if value:
        register_secret(value)
    return value or None


def describe_missing(ref: str, base_dir: Path | None = None) -> str:
    """Spanish message saying what to set for a reference that could not be resolved."""
    name = env_name(ref)
    if name is not None:
        return f"la variable de entorno {name} no está definida o está vacía; defínala"
    written = ref.strip()[len(_FILE_PREFIX) :].strip()
    reason = _file_reason(written, base_dir)
    return f"no se puede leer el archivo del secreto {written} ({reason})"


def _file_reason(written: str, base_dir: Path | None) -> str:
    if CONTROL_CHARACTERS.search(written):
        return "ruta no válida: contiene un carácter de control"
    try:
        head = _read_bounded(_secret_path(written, base_dir), written)
    except ConfigError as err:
        text = reason(err)
        if text == "no se encuentra el archivo":
            return "no existe; la ruta es relativa al archivo que la nombra"
        return text
    except (OSError, ValueError):  # expanduser of an unknown ~user, a name too long
        return "ruta no válida o sin permiso de lectura"
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "no está en UTF-8"
    return "su primera línea está vacía" if not _first_line(text) else "no se pudo leer"


def resolve(
    ref: str,
    *,
    base_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
    where: Problem | None = None,
) -> str:
    """The value behind a reference, registered for masking.

    Raises :class:`~robot.errors.ConfigError` naming the variable or file (never the value).
    ``where`` (file, line, field) places the problem in the input that holds the reference.
    """
    value = lookup(ref, base_dir=base_dir, environ=environ)
    if value is None:
        message = describe_missing(ref, base_dir)
        place = where or Problem("secreto", None, "", "")
        raise ConfigError([Problem(place.file, place.line, place.field, message)])
    return value


def _secret_path(path_text: str, base_dir: Path | None) -> Path:
    path = Path(path_text).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return path


def _read_bounded(path: Path, written: str) -> bytes:
    limit = int(settings.resolve("input.max_secret_file_bytes"))
    return read_limited(path, limit, written, "input.max_secret_file_bytes")


def _read_secret_file(path_text: str, base_dir: Path | None) -> str | None:
    try:
        text = _read_bounded(_secret_path(path_text, base_dir), path_text).decode("utf-8-sig")
    except (ConfigError, OSError, UnicodeDecodeError, ValueError):  # ValueError: a NUL
        return None
    return _first_line(text) or None


def _first_line(text: str) -> str:
    """The first line exactly as written: a password may begin or end with spaces."""
    line = text.split("\n", 1)[0]
    return line.removesuffix("\r")


# --- masking ---------------------------------------------------------------------------------


def register_secret(value: str) -> None:
    """Remember a secret (password, IMAP credential, activation link) so outputs can mask it."""
    if len(value) < MIN_SECRET_LENGTH:
        return
    variants = {value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value)}
    with _lock:
        _secrets.update(v for v in variants if len(v) >= MIN_SECRET_LENGTH)


def registered_count() -> int:
    with _lock:
        return len(_secrets)


def clear_secrets() -> None:
    """Forget every registered secret (tests)."""
    with _lock:
        _secrets.clear()


def mask(text: str) -> str:
    """``text`` with every registered secret replaced by ``********``."""
    with _lock:
        values = sorted(_secrets, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, MASK)
    return text


class MaskingFilter(logging.Filter):
    """A logging filter that masks registered secrets in the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = mask(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is when a record comes (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # logging must never break the program
            self.handleError(record)


ROBOT_LOGGER = "robot"


def install_masking(logger_name: str = ROBOT_LOGGER) -> None:
    """Mask registered secrets in everything the robot logs. Safe to call more than once.

    Every handler of the ``robot`` logger and of the root logger gets a
    :class:`MaskingFilter`, and so does Python's last-resort handler (what prints warnings
    when no handler is configured, as in the command line). Handlers added later should be
    wrapped with :func:`masked`.
    """
    if not isinstance(logging.lastResort, _StderrHandler):
        logging.lastResort = masked(_StderrHandler(logging.WARNING))
    for handler in [*logging.getLogger(logger_name).handlers, *logging.getLogger().handlers]:
        masked(handler)


def masked(handler: logging.Handler) -> logging.Handler:
    """``handler`` with a :class:`MaskingFilter` (added once)."""
    if not any(isinstance(f, MaskingFilter) for f in handler.filters):
        handler.addFilter(MaskingFilter())
    return handler
