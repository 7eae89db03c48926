"""Document uploads of Registro de Proveedor: type and size checks, storage, display.

A file is accepted when its extension is one of ``portal_rules.UPLOAD_TYPES`` AND its first
bytes say the same type; it is stored with its size and SHA-256. Every slot holds one file,
and a new upload replaces it. There is no constancia slot: a confidential document's constancia
is uploaded in that document's own slot, in its place (PORTAL.md 3.5).
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from robot.mock_portal.store import Store
from robot.portal_rules import DOCUMENT_SLOTS, UPLOAD_TYPES, DocumentSlot

MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
ACCEPT = ",".join(UPLOAD_TYPES)
MAX_NAME_LENGTH = 150


def field_name(slot: str) -> str:
    """Form field (and file input id) of a slot."""
    return f"fileDoc_{slot}"


def human_size(size: int) -> str:
    """Spanish, decimal comma: 1536 -> '1,5 KB'."""
    value = float(size)
    for unit in ("bytes", "KB", "MB"):
        if value < 1024 or unit == "MB":
            text = f"{value:.0f}" if unit == "bytes" else f"{value:.1f}".replace(".", ",")
            return f"{text} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover — the loop always returns


def clean_filename(raw: str) -> str:
    """The base name as the user's system gave it, without any folder part."""
    name = PurePath(raw.replace("\\", "/")).name.strip()
    return name[-MAX_NAME_LENGTH:]


def upload_problem(
    name: str, data: bytes, max_bytes: int, declared: str = ""
) -> tuple[str, str | None]:
    """(content type, Spanish problem or None) for one uploaded file.

    The type is the extension's; the first bytes must say the same, and so must the type the
    browser declared for the file (``declared``, when it names one)."""
    ext = PurePath(name).suffix.lower()
    content_type = UPLOAD_TYPES.get(ext, "")
    if not content_type:
        return "", (
            f"El archivo {name} no es de un tipo permitido: use PDF, JPG o PNG "
            "(extensiones .pdf, .jpg, .jpeg, .png)."
        )
    if not data:
        return content_type, f"El archivo {name} está vacío."
    if len(data) > max_bytes:
        return content_type, (
            f"El archivo {name} pesa {human_size(len(data))}; el tamaño máximo permitido es "
            f"{human_size(max_bytes)}. Reduzca su tamaño e intente de nuevo."
        )
    if not data.startswith(MAGIC[content_type]):
        return content_type, (
            f"El contenido del archivo {name} no corresponde a su extensión {ext}: "
            "adjunte un PDF, JPG o PNG real."
        )
    kind = declared.split(";", maxsplit=1)[0].strip().lower()
    if kind and kind not in (content_type, *_GENERIC_TYPES) and _ALIASES.get(kind) != content_type:
        return content_type, (
            f"El tipo declarado del archivo {name} ({kind[:60]}) no corresponde a su contenido "
            f"({content_type}): adjunte un PDF, JPG o PNG real."
        )
    return content_type, None


# Types a browser declares when it does not know better, and other names of ours.
_GENERIC_TYPES = ("application/octet-stream", "binary/octet-stream")
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "application/x-pdf": "application/pdf",
}


@dataclass(frozen=True)
class UploadContext:
    store: Store
    account_id: int
    user_id: int
    max_bytes: int


def store_uploads(
    files: MultiDict[str, FileStorage], ctx: UploadContext, should_fail: Any
) -> dict[str, str]:
    """Check and store every posted file; returns errors keyed by file input id.

    A slot takes the first file posted to it. ``should_fail(account_id, slot)`` is the
    ``upload_fail_once`` fault switch.
    """
    errors: dict[str, str] = {}
    for slot in DOCUMENT_SLOTS.values():
        uploads = [u for u in files.getlist(field_name(slot.key)) if u.filename]
        if uploads and (problem := _store_one(uploads[0], slot.key, ctx, should_fail)):
            errors[field_name(slot.key)] = problem
    return errors


def _store_one(upload: FileStorage, slot: str, ctx: UploadContext, should_fail: Any) -> str | None:
    """Store one uploaded file in ``slot``; returns the Spanish problem, or None when stored."""
    name = clean_filename(upload.filename or "")
    data = upload.read()  # the app's MAX_CONTENT_LENGTH caps the whole form
    content_type, problem = upload_problem(name, data, ctx.max_bytes, upload.mimetype or "")
    if problem is None and should_fail(ctx.account_id, slot):
        problem = f"No se pudo cargar el archivo {name}, intente de nuevo."
    if problem is not None:
        return problem
    ctx.store.put_document(
        ctx.account_id,
        slot,
        {
            "filename": name,
            "content_type": content_type,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "data": data,
            "uploaded_by": ctx.user_id,
        },
    )
    return None


def size_text(size: int) -> str:
    """'12345 bytes (12,1 KB)'."""
    return f"{size} bytes ({human_size(size)})"


@dataclass(frozen=True)
class SlotRow:
    """One row of the Documentos table, with the file the slot holds (if any)."""

    slot: DocumentSlot
    required: bool
    document: sqlite3.Row | None

    @property
    def input_id(self) -> str:
        return field_name(self.slot.key)

    @property
    def size_text(self) -> str:
        return size_text(int(self.document["size"])) if self.document is not None else ""


def slot_rows(store: Store, account_id: int, organization_type: str) -> list[SlotRow]:
    docs = {doc["slot"]: doc for doc in store.account_documents(account_id)}
    return [
        SlotRow(slot, slot.is_required(organization_type), docs.get(slot.key))
        for slot in DOCUMENT_SLOTS.values()
    ]


def missing_required(rows: list[SlotRow]) -> dict[str, str]:
    return {
        row.input_id: f"Adjunte el documento obligatorio: {row.slot.label}."
        for row in rows
        if row.required and row.document is None
    }
