"""Checks on the files a profile names: present, readable, an allowed type, under the limit.

Deep PDF checks (encryption, corruption) belong to ``robot.documents``; here only what can be
told from the file system and the first bytes. A document must be a regular file (not a FIFO,
a device or a folder) within the portal's size limit, checked before anything is read; a
``ca_file`` a regular file within ``input.max_ca_file_bytes``.
"""

from __future__ import annotations

from pathlib import Path

from robot import settings
from robot.documents.filetype import HEAD_BYTES, mb, type_problem
from robot.errors import ConfigError, os_reason
from robot.inputfiles import open_regular, read_limited, reason
from robot.portal_rules import UPLOAD_TYPES


def file_problem(path: Path, written: str, max_upload_mb: float) -> str | None:
    """Spanish message if the document at ``path`` cannot be uploaded, else None."""
    mime = UPLOAD_TYPES.get(path.suffix.lower())
    if mime is None:
        allowed = ", ".join(sorted({s.lstrip(".").upper() for s in UPLOAD_TYPES}))
        return f"tipo de archivo no permitido ({path.suffix or 'sin extensión'}); use {allowed}"
    limit = int(max_upload_mb * 1024 * 1024)
    try:
        with open_regular(path, written) as (handle, size):
            if size == 0:
                return f"el archivo {written} está vacío"
            if size > limit:  # before reading a byte
                return f"el archivo {written} pesa {mb(size)}; el portal acepta hasta {mb(limit)}"
            head = handle.read(HEAD_BYTES)
    except ConfigError as err:
        return _placed(reason(err), written, "perfil")
    except OSError as err:
        return f"no se puede leer {written} ({os_reason(err)})"
    return type_problem(written, head)  # the same words as robot.documents' checks


def _placed(text: str, written: str, relative_to: str) -> str:
    """A reason of :mod:`robot.inputfiles`, naming the file as the profile writes it."""
    if text == "no se encuentra el archivo":
        return f"no se encuentra el archivo {written} (la ruta es relativa al {relative_to})"
    return f"{written}: {text}"


def ca_file_problem(path: Path, written: str) -> str | None:
    """Spanish message if the CA file at ``path`` is not a readable PEM bundle within the
    limit, else None."""
    try:
        limit = int(settings.resolve("input.max_ca_file_bytes"))
        data = read_limited(path, limit, written, "input.max_ca_file_bytes")
    except ConfigError as err:  # the file, or the setting's variable
        return _placed(reason(err), written, "archivo")
    text = data.decode("ascii", errors="replace")
    if "-----BEGIN CERTIFICATE-----" not in text:
        return f"{written} no es un certificado PEM"
    return None
