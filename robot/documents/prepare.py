"""Prepare a supplier's documents: check, mark, convert, preview, and write the manifest.

Originals are only read. Everything is written into ``out_dir``: the files to upload,
``previews/*.png`` and ``manifest.json``. A preview is rendered from the written file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import io
import re
import struct
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal

import pikepdf
import pypdfium2 as pdfium
from PIL import Image

from robot.bounded import LimitExceeded, Limits, call
from robot.documents.checks import (
    DEFAULT_MAX_BYTES,
    Checked,
    check_size,
    open_pdf,
    preflight,
    read_document,
    sha256,
    short_error,
)
from robot.documents.constancia import CoveredDocument, make_constancia
from robot.documents.images import image_to_watermarked_pdf, watermark_image
from robot.documents.manifest import MANIFEST_NAME, FileFacts, Manifest, ManifestEntry
from robot.documents.model import DocumentSpec, SupplierFacts, watermark_text
from robot.documents.preview import image_preview, pdf_preview
from robot.documents.watermark import watermark_pdf
from robot.errors import DocumentCorruptError, DocumentError, DocumentLimitError, SetupError
from robot.outfiles import write_new
from robot.portal_rules import WATERMARK_TEXT

CONSTANCIA_NAME = "constancia-confidencialidad.pdf"
PREVIEW_DIR = "previews"


@dataclass(frozen=True)
class _Output:
    output: bytes
    suffix: str
    pages: int
    marking: str
    method: str
    notes: tuple[str, ...] = ()


def prepare_documents(
    specs: Sequence[DocumentSpec],
    supplier: SupplierFacts,
    out_dir: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    today: dt.date | None = None,
    template: str = WATERMARK_TEXT,
    limits: Limits | Literal[False] | None = None,
) -> Manifest:
    """Prepare every document of ``specs`` into ``out_dir`` and return (and write) the manifest.

    A confidential document with ``marking="constancia"`` is checked but not copied: its own
    slot gets a generated constancia in its place (PORTAL.md 3.5); the entry's ``original`` is
    that document and its ``output`` the constancia.
    All documents are attempted; if any fails, one ``DocumentError`` lists every failure
    (a single failure keeps its own subclass).

    Each document is read, checked, marked, written and previewed in a child process under
    ``limits`` (None: the settings document.memory_mb and document.cpu_seconds): over one, it is
    a DocumentLimitError. ``limits=False`` works here instead (not thread-safe: pdfium)."""
    if limits is None:
        limits = Limits.from_settings("document.memory_mb", "document.cpu_seconds")
    day = today or dt.date.today()
    text = watermark_text(supplier, day, template)
    out_dir.mkdir(parents=True, exist_ok=True)
    _own_folder(out_dir / PREVIEW_DIR)
    originals = {s.path.resolve() for s in specs}
    entries: list[ManifestEntry] = []
    errors: list[DocumentError] = []
    used: set[str] = {CONSTANCIA_NAME, MANIFEST_NAME}
    warm = partial(_warm_up, supplier, day, text)
    for spec in specs:
        job = partial(_prepare_one, spec, supplier, day, text, out_dir, max_bytes, used, originals)
        try:
            entries.append(job() if limits is False else call(job, limits=limits, warm=warm))
            used.add(entries[-1].output.name)  # the child's own additions stay in the child
        except LimitExceeded as err:
            errors.append(DocumentLimitError(f"{spec.path.name}: {err.reason}", hint=err.hint))
        except DocumentError as err:
            errors.append(err)
    _raise_all(errors)
    manifest = Manifest(
        razon_social=supplier.razon_social,
        nit=supplier.nit_completo,
        date=day.isoformat(),
        watermark_text=text,
        entries=tuple(entries),
    )
    _write(out_dir / MANIFEST_NAME, manifest.to_json().encode("utf-8"))
    return manifest


def _warm_up(supplier: SupplierFacts, day: dt.date, text: str) -> None:
    """A blank page prepared once where each document's process is forked from: what a first
    document loads lazily (Pillow's plugins, pikepdf's XMP reader, the stamp) is loaded there."""
    with tempfile.TemporaryDirectory() as tmp, pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(blank := Path(tmp, "blanco.pdf"))
        Path(tmp, PREVIEW_DIR).mkdir()
        warm = DocumentSpec("warm", blank, True)
        _prepare_one(warm, supplier, day, text, Path(tmp), 1 << 30, set(), set())


def _prepare_one(
    spec: DocumentSpec,
    supplier: SupplierFacts,
    day: dt.date,
    text: str,
    out_dir: Path,
    max_bytes: int,
    used: set[str],
    originals: set[Path],
) -> ManifestEntry:
    data = read_document(spec.path)
    constancia = spec.confidential and spec.marking == "constancia"
    checked = preflight(
        spec.path,
        data=data,
        password=spec.password,
        max_bytes=max_bytes,
        max_pages=None if constancia else spec.max_pages,  # not uploaded: its constancia is
    )
    with _library_errors(spec.path.name, "marcar ni convertir"):
        if constancia:
            result = _constancia(spec, checked, supplier, day)
        else:
            result = _transform(spec, checked, data, text)
    name = _output_name(spec, result, used)
    target = out_dir / name
    if target.resolve() in originals:
        raise DocumentError(
            f"{spec.path.name}: la carpeta de salida es la de los originales",
            hint="use --out con otra carpeta: los originales nunca se sobrescriben",
        )
    size = len(result.output)
    check_size(spec.path.name, size, max_bytes, stage=_STAGES[result.marking])
    _write(target, result.output)
    preview = f"{PREVIEW_DIR}/{target.stem}.png"
    with _library_errors(spec.path.name, "previsualizar"):  # pdfium, Pillow read the written file
        png = pdf_preview(target) if result.suffix == ".pdf" else image_preview(target)
    _write(out_dir / preview, png)
    return ManifestEntry(
        slot=spec.slot,
        original=FileFacts(spec.path.name, checked.size, checked.sha256, checked.pages),
        output=FileFacts(name, size, sha256(result.output), result.pages),
        confidential=spec.confidential,
        marking=result.marking,
        method=result.method,
        preview=preview,
        notes=checked.notes + result.notes,
    )


_STAGES = {
    "marca de agua": "después de la marca de agua",
    "constancia": "como constancia",
    "ninguna": "al convertirlo",
}


def _constancia(
    spec: DocumentSpec, checked: Checked, supplier: SupplierFacts, day: dt.date
) -> _Output:
    """The constancia that stands for the confidential document ``spec`` in its own slot.

    The document is read and checked (so the constancia names its real pages and SHA-256) but
    neither copied nor uploaded: the seed attaches the constancia "en los campos requeridos
    para los documentos", in place of the document, which is then not published."""
    covered = CoveredDocument(spec.slot, spec.path.name, checked.pages, checked.sha256)
    note = f"constancia en lugar de {spec.path.name}: el documento no se carga ni se publica"
    pdf = make_constancia(supplier, covered, day)
    return _Output(pdf, ".pdf", 1, "constancia", "constancia", (note,))


def _transform(spec: DocumentSpec, checked: Checked, data: bytes, text: str) -> _Output:
    stamp = spec.confidential and spec.marking == "watermark"
    marking = "marca de agua" if stamp else "ninguna"
    name = spec.path.name
    if checked.kind == "pdf":
        if stamp:
            done = watermark_pdf(data, text, name=name, password=spec.password)
            return _Output(done.output, ".pdf", done.pages, marking, "pdf-watermark", done.notes)
        if checked.encrypted:
            plain = _decrypted(data, name, spec.password)
            return _Output(plain, ".pdf", checked.pages, marking, "pdf-decrypted")
        return _Output(data, ".pdf", checked.pages, marking, "copy")
    if spec.image_output == "pdf":
        pdf = image_to_watermarked_pdf(data, text if stamp else None, name=name)
        method = "image-to-pdf-watermark" if stamp else "image-to-pdf"
        return _Output(pdf, ".pdf", 1, marking, method)
    suffix = spec.path.suffix.lower()
    if stamp:
        marked = watermark_image(data, text, checked.kind)
        return _Output(marked, suffix, 1, marking, "image-watermark")
    return _Output(data, suffix, 1, marking, "copy")


def _decrypted(data: bytes, name: str, password: str | None) -> bytes:
    """The copy without password, saved by qpdf (which also says when the password is
    wrong)."""
    with open_pdf(data, name, password) as pdf:
        out = io.BytesIO()
        pdf.save(out, stream_decode_level=pikepdf.StreamDecodeLevel.none)
        return out.getvalue()


# What pikepdf (qpdf), pdfium and Pillow raise on a file they cannot handle; Pillow uses OSError,
# ValueError, SyntaxError, struct.error and LookupError for damaged images and EXIF blocks.
_LIBRARY_ERRORS = (
    pikepdf.PikepdfError,
    pdfium.PdfiumError,
    Image.DecompressionBombError,
    OSError,
    ValueError,
    SyntaxError,
    LookupError,
    struct.error,
)


@contextlib.contextmanager
def _library_errors(name: str, what: str) -> Iterator[None]:
    """A library's failure on ``name`` becomes a DocumentCorruptError that names the file."""
    try:
        yield
    except DocumentError:
        raise
    except _LIBRARY_ERRORS as err:
        raise DocumentCorruptError(
            f"{name}: el documento no se pudo {what} ({short_error(err)})",
            hint="vuelva a exportar o escanear el documento y reemplace el archivo",
        ) from None


def _write(target: Path, content: bytes) -> None:
    """Write ``content`` as a new file (never through a link already in the output folder);
    a full disk is the machine's problem (exit 2), with nothing half-written left."""
    try:
        write_new(target, content)
    except OSError as err:
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            raise SetupError(
                f"{target}: no queda espacio en el disco para escribir el archivo",
                hint="libere espacio o use --out con una carpeta en otro disco",
            ) from None
        raise DocumentError(
            f"{target}: no se puede escribir ({err.strerror})",
            hint="revise que la carpeta de salida (--out) exista, tenga espacio y permiso "
            "de escritura",
        ) from None


def _own_folder(folder: Path) -> None:
    """Create ``folder`` inside the output folder; a link there (to a folder elsewhere) is
    refused: the output goes into the output folder only."""
    if folder.is_symlink():
        raise DocumentError(
            f"{folder}: es un enlace simbólico y la salida se escribe solo dentro de la "
            "carpeta de salida",
            hint="borre ese enlace o use --out con una carpeta nueva",
        )
    folder.mkdir(exist_ok=True)


def _output_name(spec: DocumentSpec, result: _Output, used: set[str]) -> str:
    """``<slot>-<stem><suffix>`` in plain ASCII (``<slot>-constancia-confidencialidad.pdf`` for a
    constancia), unique within the folder."""
    plain = unicodedata.normalize("NFKD", spec.path.stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", plain).strip("._-")[:60] or "documento"
    if result.method == "constancia":
        stem = Path(CONSTANCIA_NAME).stem
    base = spec.slot if stem == spec.slot else f"{spec.slot}-{stem}"
    name, n = f"{base}{result.suffix}", 1
    while name in used:
        n += 1
        name = f"{base}-{n}{result.suffix}"
    used.add(name)
    return name


def _raise_all(errors: list[DocumentError]) -> None:
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DocumentError(
            f"{len(errors)} documentos no se pueden preparar:\n"
            + "\n".join(f"  - {e.message}" + (f" → {e.hint}" if e.hint else "") for e in errors),
            hint="corrija cada documento indicado y vuelva a intentarlo",
        )
