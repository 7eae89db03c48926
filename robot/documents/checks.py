"""Pre-flight checks: is the file what its name says, readable, unlocked and within limits?

Every failure is a ``DocumentError`` subclass whose message (Spanish) names the file and says
what to do. Passwords never appear in messages.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from PIL import Image

from robot.documents.filetype import (
    HEAD_BYTES,
    KIND_LABEL,
    KIND_OF_SUFFIX,
    Kind,
    mb,
    type_hint,
    type_problem,
)
from robot.errors import (
    DocumentCorruptError,
    DocumentEncryptedError,
    DocumentError,
    DocumentLimitError,
    DocumentTypeError,
)
from robot.portal_rules import DEFAULT_MAX_UPLOAD_MB, UPLOAD_TYPES

DEFAULT_MAX_BYTES = DEFAULT_MAX_UPLOAD_MB * 1024 * 1024


@dataclass(frozen=True)
class Checked:
    """What the pre-flight learnt about one file."""

    kind: Kind
    size: int
    sha256: str
    pages: int
    encrypted: bool = False
    notes: tuple[str, ...] = field(default=())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_document(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(
            f"{path}: el archivo no existe",
            hint="revise la ruta `path` del documento en el perfil (relativa al perfil)",
        ) from None
    except OSError as err:
        raise DocumentError(
            f"{path}: no se puede leer el archivo ({err.strerror})",
            hint="revise que el archivo exista y que tenga permiso de lectura",
        ) from None


def expected_kind(name: str) -> Kind:
    """The type the file's extension promises; an error if the portal does not take it."""
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_TYPES or suffix not in KIND_OF_SUFFIX:
        allowed = ", ".join(sorted(UPLOAD_TYPES))
        raise DocumentTypeError(
            f"{name}: el portal no acepta archivos «{suffix or 'sin extensión'}»",
            hint=f"convierta el documento a uno de estos tipos: {allowed}",
        )
    return KIND_OF_SUFFIX[suffix]


def check_size(name: str, size: int, max_bytes: int, *, stage: str = "") -> None:
    if size > max_bytes:
        when = f" {stage}" if stage else ""
        raise DocumentLimitError(
            f"{name}: pesa {mb(size)}{when}, más que el límite del portal ({mb(max_bytes)})",
            hint="reduzca el archivo (menos resolución en las imágenes escaneadas, "
            "o divídalo) y vuelva a intentarlo",
        )


def open_pdf(source: bytes | Path, name: str, password: str | None = None) -> pikepdf.Pdf:
    """Open a PDF (its bytes, or a path: qpdf reads a file faster than a Python stream) with
    pikepdf, turning its failures into clear errors."""
    try:
        pdf = _open_with(source, password)
    except pikepdf.PasswordError:
        if password:
            raise DocumentEncryptedError(
                f"{name}: la contraseña indicada no abre este PDF protegido",
                hint="revise la referencia `password` del documento en el perfil",
            ) from None
        raise DocumentEncryptedError(
            f"{name}: el PDF está protegido con contraseña",
            hint="indique la referencia `password` del documento en el perfil, "
            "o suba una copia sin contraseña",
        ) from None
    except pikepdf.PikepdfError as err:
        raise DocumentCorruptError(
            f"{name}: el PDF está dañado y no se puede leer ({short_error(err)})",
            hint="vuelva a exportar o escanear el documento y reemplace el archivo",
        ) from None
    try:
        count = len(pdf.pages)
    except pikepdf.PikepdfError as err:
        pdf.close()
        raise DocumentCorruptError(
            f"{name}: el árbol de páginas del PDF está dañado ({short_error(err)})",
            hint="vuelva a exportar el documento y reemplace el archivo",
        ) from None
    if count == 0:
        pdf.close()
        raise DocumentCorruptError(
            f"{name}: el PDF no tiene páginas",
            hint="revise que sea el documento correcto y vuelva a exportarlo",
        )
    return pdf


def _open_with(source: bytes | Path, password: str | None) -> pikepdf.Pdf:
    """pikepdf opens with the password in UTF-8 (right for AES-256, R6); revisions 2 to 4 of
    the Standard handler take it in PDFDocEncoding (what Acrobat writes), tried next when it
    differs."""
    tries: list[str | bytes] = [password or ""]
    if password and not password.isascii():
        with contextlib.suppress(ValueError):
            tries.append(password.encode("pdfdoc"))
    for secret in tries[:-1]:
        with contextlib.suppress(pikepdf.PasswordError):
            return _open_once(source, secret)
    return _open_once(source, tries[-1])


def _open_once(source: bytes | Path, secret: str | bytes) -> pikepdf.Pdf:
    # The watermark finds inherited attributes itself; pushing them to every page would cost
    # memory and time per page (qpdf parses and copies them).
    opened = io.BytesIO(source) if isinstance(source, bytes) else source
    return pikepdf.open(opened, password=secret, inherit_page_attributes=False)


def check_pages(name: str, pages: int, max_pages: int | None) -> None:
    if max_pages is not None and pages > max_pages:
        raise DocumentLimitError(
            f"{name}: tiene {pages} páginas y su casilla admite como máximo {max_pages}",
            hint="suba solo las páginas necesarias (límite de secop-robot por casilla, "
            "ver docs/documents.md)",
        )


def preflight(
    path: Path,
    *,
    data: bytes | None = None,
    password: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pages: int | None = None,
) -> Checked:
    """Check one file before it is prepared; returns what it learnt or raises DocumentError."""
    name = path.name
    kind = expected_kind(name)
    raw = read_document(path) if data is None else data
    problem = type_problem(name, raw[:HEAD_BYTES])
    if problem:
        raise DocumentTypeError(problem, hint=type_hint(name, raw[:HEAD_BYTES]))
    check_size(name, len(raw), max_bytes)
    if kind == "pdf":
        return _preflight_pdf(name, raw, password, max_pages)
    _check_image(name, raw, kind)
    check_pages(name, 1, max_pages)
    return Checked(kind, len(raw), sha256(raw), 1)


def _preflight_pdf(name: str, raw: bytes, password: str | None, max_pages: int | None) -> Checked:
    with open_pdf(raw, name, password) as pdf:
        pages = len(pdf.pages)
        encrypted = bool(pdf.is_encrypted)
        notes = []
        if encrypted:
            notes.append("PDF protegido: se entrega una copia sin contraseña")
        if pdf.get_warnings():
            notes.append("PDF con errores menores que se corrigieron al leerlo")
    check_pages(name, pages, max_pages)
    return Checked("pdf", len(raw), sha256(raw), pages, encrypted, tuple(notes))


def _check_image(name: str, raw: bytes, kind: Kind) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as img:
                img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DocumentLimitError(
            f"{name}: la imagen tiene demasiados píxeles",
            hint="reduzca la resolución de la imagen",
        ) from None
    except (OSError, SyntaxError, ValueError) as err:
        raise DocumentCorruptError(
            f"{name}: la imagen {KIND_LABEL[kind]} está dañada ({short_error(err)})",
            hint="vuelva a escanear o exportar la imagen y reemplace el archivo",
        ) from None


def short_error(err: BaseException) -> str:
    """The first line of a library's error message, without its noise, for a Spanish message."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    # pikepdf prefixes messages with the stream's name, which says nothing here
    text = text.split(": ", 1)[-1] if text.startswith(("<", "/", "stream")) else text
    return text[:160]
