"""Checks on the files a profile names: present, readable, an allowed type, under the limit.

Deep PDF checks (encryption, corruption) belong to ``robot.documents``; here only what can be
told from the file system and the first bytes.
"""

from __future__ import annotations

from pathlib import Path

from robot.documents.filetype import HEAD_BYTES, mb, type_problem
from robot.errors import os_reason
from robot.portal_rules import UPLOAD_TYPES


def file_problem(path: Path, written: str, max_upload_mb: float) -> str | None:
    """Spanish message if the document at ``path`` cannot be uploaded, else None."""
    mime = UPLOAD_TYPES.get(path.suffix.lower())
    if mime is None:
        allowed = ", ".join(sorted({s.lstrip(".").upper() for s in UPLOAD_TYPES}))
        return f"tipo de archivo no permitido ({path.suffix or 'sin extensión'}); use {allowed}"
    if not path.exists():
        return f"no se encuentra el archivo {written} (la ruta es relativa al perfil)"
    if not path.is_file():
        return f"{written} no es un archivo"
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as err:
        return f"no se puede leer {written} ({os_reason(err)})"
    return _content_problem(written, size, head, max_upload_mb)


def _content_problem(written: str, size: int, head: bytes, max_upload_mb: float) -> str | None:
    if size == 0:
        return f"el archivo {written} está vacío"
    limit = int(max_upload_mb * 1024 * 1024)
    if size > limit:
        return f"el archivo {written} pesa {mb(size)}; el portal acepta hasta {mb(limit)}"
    return type_problem(written, head)  # the same words as robot.documents' checks


def ca_file_problem(path: Path, written: str) -> str | None:
    if not path.is_file():
        return f"no se encuentra el archivo {written} (la ruta es relativa al archivo)"
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError as err:
        return f"no se puede leer {written} ({os_reason(err)})"
    if "-----BEGIN CERTIFICATE-----" not in text:
        return f"{written} no es un certificado PEM"
    return None
