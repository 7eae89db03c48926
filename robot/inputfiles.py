"""Files a person gives: checked for kind and size before they are read, then read with a bound.

Profiles, scenarios, ``file:`` secrets, a mailbox's ``ca_file`` and the documents a profile
names come from clients (untrusted input). A FIFO would make a plain ``read`` wait forever, a
device (``/dev/zero``) or a huge file would fill the memory, a symbolic-link loop or a name
the system refuses would raise. Here each one is a ConfigError holding one Spanish problem
(``reason`` gives its text) that the caller places at its file or field.

The file is opened without blocking (a FIFO opens at once) and its kind and size are taken
from the open descriptor, so a file swapped after the check is still the file checked; the
read stops one byte past the limit, so a file that grows meanwhile is refused too.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from robot.errors import ConfigError, Problem, os_reason

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def reason(err: ConfigError) -> str:
    """The Spanish text of the one problem raised here (or by the setting of its limit: then
    naming the environment variable to correct)."""
    problem = err.problems[0]
    return str(problem) if problem.file.startswith("SECOP_") else problem.message


def _refuse(display: str, message: str) -> ConfigError:
    return ConfigError([Problem(display, None, "", message)])


def kind_problem(mode: int) -> str | None:
    """Spanish message if ``mode`` is not a regular file's, else None."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "es una carpeta, no un archivo"
    if stat.S_ISFIFO(mode):
        kind = "una tubería (FIFO)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "un dispositivo"
    elif stat.S_ISSOCK(mode):
        kind = "un socket"
    else:  # pragma: no cover - every kind Linux has is named above
        kind = "un archivo especial"
    return f"no es un archivo normal sino {kind}; indique un archivo"


def size_problem(size: int, limit: int, setting: str = "") -> str | None:
    """Spanish message if ``size`` bytes is over ``limit``, naming the setting that raises it."""
    if size <= limit:
        return None
    raise_it = ""
    if setting:
        env = "SECOP_" + setting.upper().replace(".", "_")
        raise_it = f"; si es correcto, suba el límite con {env} (vea docs/settings.md)"
    return f"el archivo es demasiado grande ({size} bytes; el límite es {limit}){raise_it}"


@contextmanager
def open_regular(path: Path, display: str) -> Iterator[tuple[BinaryIO, int]]:
    """The open file and its size, once it is known to be a regular file; ConfigError if not.

    The kind is checked before opening too, so that no device is ever opened.
    """
    try:
        before = os.stat(path)
        problem = kind_problem(before.st_mode)
        if problem is not None:
            raise _refuse(display, problem)
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise _refuse(display, "no se encuentra el archivo") from None
    except OSError as err:
        raise _refuse(display, f"no se puede leer el archivo ({os_reason(err)})") from None
    except ValueError:  # a NUL in the name
        msg = "nombre de archivo no válido (contiene un carácter de control)"
        raise _refuse(display, msg) from None
    with os.fdopen(fd, "rb", buffering=0) as handle:
        info = os.fstat(fd)
        problem = kind_problem(info.st_mode)
        if problem is not None:  # swapped between the check and the opening
            raise _refuse(display, problem)
        yield handle, info.st_size


def read_limited(path: Path, limit: int, display: str, setting: str = "") -> bytes:
    """The bytes of a regular file no larger than ``limit``; ConfigError with the reason.

    ``setting`` names the setting that holds the limit, for the message.
    """
    with open_regular(path, display) as (handle, size):
        problem = size_problem(size, limit, setting)
        if problem is not None:
            raise _refuse(display, problem)
        try:
            data = _read_upto(handle, limit + 1)
        except OSError as err:
            raise _refuse(display, f"no se puede leer el archivo ({os_reason(err)})") from None
    problem = size_problem(len(data), limit, setting)  # it grew after the check
    if problem is not None:
        raise _refuse(display, problem)
    return data


def read_head(path: Path, count: int, display: str) -> tuple[bytes, int]:
    """The first ``count`` bytes of a regular file and its size; ConfigError with the reason."""
    with open_regular(path, display) as (handle, size):
        try:
            return _read_upto(handle, count), size
        except OSError as err:
            raise _refuse(display, f"no se puede leer el archivo ({os_reason(err)})") from None


def _read_upto(handle: BinaryIO, count: int) -> bytes:
    chunks: list[bytes] = []
    left = count
    while left > 0:
        chunk = handle.read(min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
