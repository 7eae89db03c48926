"""A diagonal, semi-transparent text watermark on every page of a PDF.

The text is set once (reportlab, Vera embedded as a subset) into a form XObject; each page
draws it after its own content, with a matrix that puts it upright along the displayed diagonal
(``geometry.py``); the text stays extractable. An unsigned PDF (decrypted, repaired if damaged)
is saved again whole by qpdf (``fullcopy.py``); a signed one gets an incremental update written
by pyHanko (``signed.py``); a certified one (DocMDP) is refused: no certification level allows
new page content, and a constancia is the way to mark it.
"""

from __future__ import annotations

import functools
import io
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pikepdf
from pyhanko.pdf_utils.misc import PdfError
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from robot.documents.active import remove_active_content
from robot.documents.checks import open_pdf
from robot.documents.fonts import FONT_NAME, register_fonts, text_width
from robot.documents.fullcopy import full_copy
from robot.documents.geometry import stamp_matrix
from robot.documents.signed import certification, is_signed, signed_update
from robot.errors import DocumentCorruptError, DocumentError

FONT_SIZE = 100.0  # the size the text is set at; each page scales it
COLOR = (0.70, 0.10, 0.10)  # a muted red
PDFA1_COLOR = (0.93, 0.78, 0.78)  # PDF/A-1 forbids transparency: a light, opaque red instead
DEFAULT_OPACITY = 0.25
PDFA1_NOTE = "PDF/A-1: marca de agua opaca y clara (PDF/A-1 no admite transparencia)"
SIGNED_NOTE = (
    "PDF firmado digitalmente: la marca de agua se añadió como actualización incremental para "
    "que la firma siga siendo verificable; la versión firmada sin marca sigue dentro del archivo "
    "y cualquiera que lo descargue puede recuperarla"
)
REWRITTEN_NOTE = (
    "PDF reescrito completo: tenía errores que se corrigieron al leerlo; revise que la copia "
    "marcada esté completa"
)
SIGNATURE_LOST_NOTE = (
    "PDF firmado digitalmente reescrito completo (estaba protegido con contraseña o dañado): la "
    "firma digital no es verificable en esta copia; el original firmado es el archivo de "
    "origen. Si la firma debe seguir verificable, no lo marque: use `marking: constancia`"
)
REMOVED_NOTE = (
    "Se quitó del PDF marcado lo que podía llevar el documento sin marca o ejecutar código: {what}"
)
WrittenAs = Literal["signed-update", "full-copy"]
# What pyHanko raises on damage that qpdf reads past (a raw byte in a name, a bad checksum).
_PYHANKO_ERRORS = (PdfError, zlib.error, ValueError, LookupError)
_PLACED = functools.partial(stamp_matrix, font_size=FONT_SIZE)  # upright along the diagonal


@dataclass(frozen=True)
class WatermarkResult:
    """The watermarked PDF, its page count, notes for the manifest, and how it was written."""

    output: bytes
    pages: int
    notes: tuple[str, ...] = ()
    written_as: WrittenAs = "full-copy"


def watermark_pdf(
    data: bytes,
    text: str,
    *,
    name: str = "documento.pdf",
    password: str | None = None,
) -> WatermarkResult:
    """``data`` with ``text`` stamped diagonally on every page (the input is not changed),
    with the page count, notes for the manifest and how the file was written. qpdf is given
    file paths (through Python streams it is about half as fast), in a private temporary
    folder that is removed at the end."""
    notes: list[str] = []
    opacity = DEFAULT_OPACITY
    with tempfile.TemporaryDirectory(prefix="secop-marca-") as folder:
        source, target = Path(folder) / "original.pdf", Path(folder) / "marcado.pdf"
        source.write_bytes(data)
        with open_pdf(source, name, password) as pdf:
            if _is_pdfa1(pdf):
                opacity = 1.0
                notes.append(PDFA1_NOTE)
            level = certification(pdf)
            if level is not None:
                raise _certified(name, level)
            repaired = bool(pdf.get_warnings())  # open_pdf has read the page tree
            signed = is_signed(pdf)
            update = signed and not pdf.is_encrypted and not repaired
            removed: list[str] = []
            if update:  # qpdf finds what to remove; pyHanko writes its removal, not qpdf
                removed = remove_active_content(pdf)
                stamp_pdf = _stamp_document(text, opacity)
                try:
                    out, pages = signed_update(pdf, data, stamp_pdf, _PLACED, clean=bool(removed))
                except _PYHANKO_ERRORS:  # damage qpdf read past: rewritten whole, as repaired
                    update, repaired = False, True
            if not update:
                with pikepdf.open(io.BytesIO(_stamp_document(text, opacity))) as stamp:
                    form = pdf.copy_foreign(stamp.pages[0].as_form_xobject())
                    version = "1.4" if opacity < 1.0 else None  # transparency needs PDF 1.4
                    pages, found = full_copy(pdf, form, _PLACED, target, version)
                removed += found
                out = target.read_bytes()
    if removed:
        notes.append(REMOVED_NOTE.format(what=", ".join(removed)))
    if update:
        notes.append(SIGNED_NOTE)
    elif signed:
        notes.append(SIGNATURE_LOST_NOTE)
    elif repaired:
        notes.append(REWRITTEN_NOTE)
    if repaired:  # signed or not, a repaired file was copied in full
        _check_copy(out, pages, name)
    return WatermarkResult(out, pages, tuple(notes), "signed-update" if update else "full-copy")


def _certified(name: str, level: int) -> DocumentError:
    return DocumentError(
        f"{name}: el PDF está certificado con firma digital (DocMDP, nivel {level}) y la "
        "certificación no admite cambios en el contenido de las páginas: una marca de agua la "
        "invalidaría",
        hint="márquelo con una constancia en lugar de la marca de agua (`marking: constancia` "
        "en el perfil) y suba el original certificado sin cambios",
    )


def _check_copy(out: bytes, pages: int, name: str) -> None:
    """A full copy of a file qpdf repaired is read back before it is used: a repair can guess
    a document that qpdf then writes but cannot read again."""
    try:
        with pikepdf.open(io.BytesIO(out)) as pdf:
            if len(pdf.pages) == pages and not pdf.get_warnings():
                return
    except pikepdf.PikepdfError:
        pass
    raise DocumentCorruptError(
        f"{name}: el PDF está dañado y no se pudo reparar para marcarlo",
        hint="vuelva a exportar o escanear el documento y reemplace el archivo",
    )


@functools.lru_cache(maxsize=32)
def _stamp_document(text: str, opacity: float) -> bytes:
    """A one-page PDF exactly the size of ``text`` set at FONT_SIZE in Vera."""
    register_fonts()
    ascent, descent = pdfmetrics.getAscentDescent(FONT_NAME, FONT_SIZE)
    width = max(text_width(text, FONT_SIZE), 1.0)
    height = ascent - descent
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(width, height), pageCompression=1, invariant=1)
    page.setFillColorRGB(*(PDFA1_COLOR if opacity >= 1.0 else COLOR))
    if opacity < 1.0:
        page.setFillAlpha(opacity)
    page.setFont(FONT_NAME, FONT_SIZE)
    page.drawString(0, -descent, text)
    page.showPage()
    page.save()
    return out.getvalue()


def _is_pdfa1(pdf: pikepdf.Pdf) -> bool:
    try:
        status = pdf.open_metadata().pdfa_status
    except Exception:  # unreadable XMP: treat as not PDF/A
        return False
    return str(status).startswith("1")
