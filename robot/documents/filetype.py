"""What a file really is, from its first bytes, and sizes as a Colombian reader writes them.

One detection for the profile loader (``robot.profiles.files``), the pre-flight checks and the
mock portal's rule: a file is a PDF, JPEG or PNG only if it *starts* with that type's signature,
as the portal checks uploads. Light on purpose: no PDF or image library is imported here.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Literal

Kind = Literal["pdf", "jpeg", "png"]

HEAD_BYTES = 1024  # how much of a file the detection reads
KIND_OF_SUFFIX: dict[str, Kind] = {".pdf": "pdf", ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png"}
KIND_LABEL: dict[Kind, str] = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}
_SIGNATURES: tuple[tuple[bytes, Kind], ...] = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)


def sniff(head: bytes) -> Kind | None:
    """The file's real type from its first bytes, or None if none the portal takes."""
    return next((kind for signature, kind in _SIGNATURES if head.startswith(signature)), None)


def type_problem(written: str, head: bytes) -> str | None:
    """Spanish: the content of the file ``written`` (with an extension the portal accepts) does
    not match its extension; None when it matches. Same words in the profile loader and the
    pre-flight checks."""
    expected = KIND_OF_SUFFIX[PurePath(written).suffix.lower()]
    if sniff(head) == expected:
        return None
    return f"el contenido de {written} no es un {KIND_LABEL[expected]} aunque la extensión lo diga"


def type_hint(written: str, head: bytes) -> str:
    """What the content really is and what to do, for the message of :func:`type_problem`."""
    suffix = PurePath(written).suffix.lower()
    expected = KIND_LABEL[KIND_OF_SUFFIX[suffix]]
    real = sniff(head)
    if real is None and suffix == ".pdf" and b"%PDF-" in head[:HEAD_BYTES]:
        return (
            "el archivo tiene datos antes de la cabecera %PDF- y el portal solo acepta PDF que "
            "empiezan por ella: vuelva a exportarlo o guárdelo de nuevo desde un lector de PDF"
        )
    if real is None:
        return f"su contenido es de un tipo desconocido: exporte el documento como {expected}"
    return (
        f"su contenido es un archivo {KIND_LABEL[real]}: corrija la extensión o exporte el "
        f"documento como {expected}"
    )


def mb(size: int) -> str:
    """``10,5 MB``: a size in bytes as a Colombian reader writes it (decimal comma)."""
    return f"{size / (1024 * 1024):.1f}".replace(".", ",") + " MB"
