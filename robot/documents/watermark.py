"""A diagonal, semi-transparent text watermark on every page of a PDF.

The text is set once (reportlab, Vera embedded as a subset) into a form XObject, added to the
document once; each page then draws it with its own matrix, computed from the page's visible
box and /Rotate so it reads upright along the displayed diagonal. Page content streams are not
decoded or rewritten: the original is wrapped in ``q … Q`` and one small stream is added, so
text stays extractable. The result is written as an incremental update after the original bytes
(``incremental.py``, read page by page with ``pdfsyntax.py``): for a signed PDF the original
stays byte for byte (its signature still verifies; the manifest says the unmarked signed version
is inside); for any other every version the new revision does not use is blanked, so no
unmarked revision is left. A file that reader cannot take as it is (encrypted, damaged) is
opened by qpdf, which decrypts and repairs, and saved as a full copy (``fullcopy.py``). The
update is returned as :class:`~robot.documents.parts.Parts` that start with the input ``bytes``,
so a caller that writes them to a file never holds a second copy of the document.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pikepdf
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from robot.documents.checks import open_pdf
from robot.documents.decrypted import decrypted_copy
from robot.documents.fonts import FONT_NAME, register_fonts, text_width
from robot.documents.fullcopy import full_copy
from robot.documents.geometry import Matrix, PageView, page_view, stamp_matrix
from robot.documents.incremental import stamp_update
from robot.documents.parts import Parts
from robot.documents.pdfsyntax import UNREADABLE, Document, Name, PdfSyntaxError, Stream
from robot.documents.revisions import certification, is_signed, is_signed_doc
from robot.errors import DocumentCorruptError

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
    "PDF reescrito completo: tenía errores que se corrigieron al leerlo, así que no admite una "
    "actualización incremental"
)
UNUSUAL_NOTE = (
    "PDF reescrito completo: su estructura (poco común) no admite una actualización incremental "
    "que borre la versión sin marca"
)
CERTIFIED_NOTE = (
    "PDF certificado (DocMDP, nivel {level}): la certificación no admite cambios en el "
    "contenido de las páginas y los lectores mostrarán la marca de agua como un cambio no "
    "permitido; si la certificación debe seguir válida, use una constancia en lugar de la marca"
)
SIGNATURE_LOST_NOTE = (
    "PDF firmado digitalmente reescrito completo: la firma digital no es verificable en esta "
    "copia; el original firmado es el archivo de origen"
)
WrittenAs = Literal["update", "signed-update", "decrypted-update", "full-copy"]


@dataclass(frozen=True)
class WatermarkResult:
    """The watermarked PDF and what was done to it. ``output`` starts with the input ``bytes``
    (or a Blanked description of it) when the PDF was updated incrementally, with the
    decrypted copy when it was encrypted; a qpdf full copy is one part.
    ``written_as``: "update" (the old versions blanked), "decrypted-update" (an encrypted file
    decrypted by our own code, then updated), "signed-update" (the signed original
    kept whole) or "full-copy"."""

    output: Parts
    pages: int
    notes: tuple[str, ...] = ()
    written_as: WrittenAs = "full-copy"


def watermark_pdf(
    data: bytes,
    text: str,
    *,
    name: str = "documento.pdf",
    password: str | None = None,
    opacity: float = DEFAULT_OPACITY,
) -> bytes:
    """``data`` with ``text`` stamped diagonally on every page. The input is not changed.

    This joins the output into one ``bytes`` (a second copy of the document in memory);
    :func:`watermark_pdf_result` gives it in parts, to write to a file without that copy."""
    result = watermark_pdf_result(data, text, name=name, password=password, opacity=opacity)
    return result.output.to_bytes()


def watermark_pdf_result(
    data: bytes,
    text: str,
    *,
    name: str = "documento.pdf",
    password: str | None = None,
    opacity: float = DEFAULT_OPACITY,
) -> WatermarkResult:
    """Like :func:`watermark_pdf`, but the output in parts (the input itself, or a
    :class:`~robot.documents.parts.Blanked` description of it, first when the update is
    incremental), with the page count, notes for the manifest and how the file was written."""
    try:
        doc = Document(data, allow_encrypted=True)
        if doc.encrypted:  # decrypted by our own code, then updated like any other file
            plain = Document(decrypted_copy(data, password, doc=doc))
            return _updated(plain, text, opacity, decrypted=True)
        return _updated(doc, text, opacity)
    except UNREADABLE:
        pass  # not readable as it is, or a wrong password: qpdf repairs, or says what is wrong
    notes: list[str] = []
    with open_pdf(data, name, password) as pdf:
        if _is_pdfa1(pdf):
            opacity = 1.0
            notes.append(PDFA1_NOTE)
        signed = is_signed(pdf)
        with pikepdf.open(io.BytesIO(_stamp_document(text, opacity))) as source:
            stamp = source.pages[0].as_form_xobject()
            placements = _placements(pdf, stamp)
            repaired = bool(pdf.get_warnings())  # after the page tree was read
            notes.extend(_copy_notes(signed, pdf.is_encrypted, repaired))
            version = "1.4" if opacity < 1.0 else None  # transparency needs PDF 1.4
            out = full_copy(pdf, pdf.copy_foreign(stamp), placements, version)
    _check_copy(out, len(placements), name)
    return WatermarkResult(Parts.of(out), len(placements), tuple(notes), "full-copy")


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


def _updated(
    doc: Document, text: str, opacity: float, *, decrypted: bool = False
) -> WatermarkResult:
    """The incremental update of a file ``pdfsyntax`` reads (``decrypted``: our decrypted
    copy of an encrypted one); PdfSyntaxError if it cannot."""
    notes: list[str] = []
    if _is_pdfa1_doc(doc):
        opacity = 1.0
        notes.append(PDFA1_NOTE)
    signed = is_signed_doc(doc)
    if signed and decrypted:  # the decrypted bytes are not the signed ones any more
        signed = False
        notes.append(SIGNATURE_LOST_NOTE)
    with pikepdf.open(io.BytesIO(_stamp_document(text, opacity))) as source:
        stamp = source.pages[0].as_form_xobject()
        out, pages = stamp_update(
            doc,
            stamp,
            _matrix_for(stamp),
            version="1.4" if opacity < 1.0 else None,  # transparency needs PDF 1.4
            keep_original=signed,
        )
    if signed:
        notes.append(SIGNED_NOTE)
        level = certification(doc)
        if level is not None:
            notes.append(CERTIFIED_NOTE.format(level=level))
    how: WrittenAs = "decrypted-update" if decrypted else "update"
    return WatermarkResult(out, pages, tuple(notes), "signed-update" if signed else how)


def _copy_notes(signed: bool, encrypted: bool, repaired: bool) -> list[str]:
    """Why a full copy: the signature lost, nothing to say (encrypted: the pre-flight says the
    copy has no password), repaired, or a structure the lean reader does not take."""
    if signed:
        return [SIGNATURE_LOST_NOTE]
    if encrypted:
        return []
    return [REWRITTEN_NOTE if repaired else UNUSUAL_NOTE]


def _placements(pdf: pikepdf.Pdf, stamp: pikepdf.Object) -> list[tuple[pikepdf.Dictionary, Matrix]]:
    """Each page and the matrix that puts ``stamp`` on it, upright along its diagonal."""
    matrix_for = _matrix_for(stamp)
    return [(page.obj, matrix_for(page_view(page.obj))) for page in pdf.pages]


def _matrix_for(stamp: pikepdf.Object) -> Callable[[PageView], Matrix]:
    """The matrix that puts ``stamp`` on a page seen as a view, upright along its diagonal."""
    stamp_w, stamp_h = (float(v) for v in list(stamp.BBox)[2:])

    def matrix_for(view: PageView) -> Matrix:
        return stamp_matrix(view, stamp_w, stamp_h, FONT_SIZE)

    return matrix_for


@functools.lru_cache(maxsize=32)
def _stamp_document(text: str, opacity: float) -> bytes:
    """A one-page PDF exactly the size of ``text`` set at FONT_SIZE in Vera."""
    register_fonts()
    ascent, descent = pdfmetrics.getAscentDescent(FONT_NAME, FONT_SIZE)
    width = max(text_width(text, FONT_SIZE), 1.0)
    height = ascent - descent
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(width, height), pageCompression=1, invariant=1)
    red, green, blue = PDFA1_COLOR if opacity >= 1.0 else COLOR
    page.setFillColorRGB(red, green, blue)
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


_PDFA_PART = re.compile(rb"pdfaid:part\s*(?:=\s*[\"']\s*|>\s*)1\b")


def _is_pdfa1_doc(doc: Document) -> bool:
    """Whether the catalog's XMP metadata says PDF/A-1 (unreadable metadata: not PDF/A)."""
    try:
        root = doc.resolve(doc.trailer.get(Name(b"/Root")))
        found = doc.resolve(root.get(Name(b"/Metadata"))) if isinstance(root, dict) else None
        if not isinstance(found, Stream):
            return False
        return _PDFA_PART.search(doc.stream_data(found)) is not None
    except PdfSyntaxError:
        return False
