"""Document uploads of Registro de Proveedor: type and size checks, storage, display.

A file is accepted when its extension is one of ``portal_rules.UPLOAD_TYPES`` AND its first
bytes say the same type; it is stored with its size and SHA-256. The Constancia de
confidencialidad slot holds several files; every other slot holds one.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from robot.mock_portal.store import SEVERAL_FILES, Store
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


def upload_problem(name: str, data: bytes, max_bytes: int) -> tuple[str, str | None]:
    """(content type, Spanish problem or None) for one uploaded file."""
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
    return content_type, None


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

    A slot in ``SEVERAL_FILES`` takes every file posted to it; any other slot takes one.
    ``should_fail(account_id, slot)`` is the ``upload_fail_once`` fault switch.
    """
    errors: dict[str, str] = {}
    for slot in DOCUMENT_SLOTS.values():
        several = slot.key in SEVERAL_FILES
        uploads = [u for u in files.getlist(field_name(slot.key)) if u.filename]
        problems = [
            problem
            for upload in (uploads if several else uploads[:1])
            if (problem := _store_one(upload, slot.key, ctx, should_fail, several=several))
        ]
        if problems:
            errors[field_name(slot.key)] = " ".join(problems)
    return errors


def _store_one(
    upload: FileStorage, slot: str, ctx: UploadContext, should_fail: Any, *, several: bool
) -> str | None:
    """Store one uploaded file in ``slot``; returns the Spanish problem, or None when stored."""
    name = clean_filename(upload.filename or "")
    data = upload.read()  # the app's MAX_CONTENT_LENGTH caps the whole form
    content_type, problem = upload_problem(name, data, ctx.max_bytes)
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
        several=several,
    )
    return None


def size_text(size: int) -> str:
    """'12345 bytes (12,1 KB)'."""
    return f"{size} bytes ({human_size(size)})"


def dom_key(slot: str, document_id: int) -> str:
    """The suffix of a stored file's element ids: the slot, plus the document id when the
    slot holds several files (``spnDocSha_rut``, ``spnDocSha_constancia_12``)."""
    return f"{slot}_{document_id}" if slot in SEVERAL_FILES else slot


@dataclass(frozen=True)
class SlotRow:
    """One row of the Documentos table, with the files the slot holds."""

    slot: DocumentSlot
    required: bool
    documents: list[sqlite3.Row]

    @property
    def input_id(self) -> str:
        return field_name(self.slot.key)

    @property
    def several(self) -> bool:
        return self.slot.key in SEVERAL_FILES

    @property
    def document(self) -> sqlite3.Row | None:
        """The file of a single-file slot (the first one of any slot)."""
        return self.documents[0] if self.documents else None

    @property
    def size_text(self) -> str:
        return self.size_of(self.document) if self.document is not None else ""

    def size_of(self, document: sqlite3.Row) -> str:
        return size_text(int(document["size"]))

    def key_of(self, document: sqlite3.Row) -> str:
        return dom_key(self.slot.key, int(document["id"]))


def slot_rows(store: Store, account_id: int, organization_type: str) -> list[SlotRow]:
    docs: dict[str, list[sqlite3.Row]] = {}
    for doc in store.account_documents(account_id):
        docs.setdefault(doc["slot"], []).append(doc)
    return [
        SlotRow(slot, slot.is_required(organization_type), docs.get(slot.key, []))
        for slot in DOCUMENT_SLOTS.values()
    ]


def missing_required(rows: list[SlotRow]) -> dict[str, str]:
    return {
        row.input_id: f"Adjunte el documento obligatorio: {row.slot.label}."
        for row in rows
        if row.required and not row.documents
    }
