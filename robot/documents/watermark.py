"""A diagonal, semi-transparent text watermark on every page of a PDF.

The text is set once (reportlab, Vera embedded as a subset) into a form XObject, added to the
document once; each page then draws it with its own matrix, computed from the page's visible
box and /Rotate so it reads upright along the displayed diagonal. Page content streams are not
decoded or rewritten: the original is wrapped in ``q … Q`` and one small stream is added, so
text stays extractable. The result is written as an incremental update after the original bytes
(``incremental.py``): for a signed PDF the original stays byte for byte (its signature still
verifies; the manifest says the unmarked signed version is inside); for any other the old
versions of the objects the update replaces are blanked, so no unmarked revision is left. A file
that cannot be updated that way (encrypted, repaired, objects in object streams, several
revisions) is saved as a full copy. The update is returned as
:class:`~robot.documents.parts.Parts` that start with the input ``bytes`` (or views of it), so
a caller that writes them to a file never holds a second copy of the document.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from typing import Literal

import pikepdf
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from robot.documents.checks import open_pdf
from robot.documents.fonts import FONT_NAME, register_fonts, text_width
from robot.documents.geometry import Matrix, page_view, stamp_matrix
from robot.documents.incremental import (
    can_update,
    draw_operators,
    free_name,
    page_resources,
    stamp_update,
)
from robot.documents.parts import Parts
from robot.documents.revisions import is_signed

FONT_SIZE = 100.0  # the size the text is set at; each page scales it
COLOR = (0.70, 0.10, 0.10)  # a muted red
PDFA1_COLOR = (0.93, 0.78, 0.78)  # PDF/A-1 forbids transparency: a light, opaque red instead
DEFAULT_OPACITY = 0.25
SIGNED_NOTE = (
    "PDF firmado digitalmente: la marca de agua se añadió como actualización incremental para "
    "que la firma siga siendo verificable; la versión firmada sin marca sigue dentro del archivo "
    "y cualquiera que lo descargue puede recuperarla"
)
REWRITTEN_NOTE = (
    "PDF reescrito completo: no admite una actualización incremental que borre la versión sin marca"
)
SIGNATURE_LOST_NOTE = (
    "PDF firmado digitalmente reescrito completo: la firma digital no es verificable en esta "
    "copia; el original firmado es el archivo de origen"
)
WrittenAs = Literal["update", "signed-update", "full-copy"]


@dataclass(frozen=True)
class WatermarkResult:
    """The watermarked PDF and what was done to it. ``output`` starts with the input ``bytes``
    (or views of it) when the PDF was updated incrementally; a full copy is one part.
    ``written_as``: "update" (the old versions blanked), "signed-update" (the signed original
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
    """Like :func:`watermark_pdf`, but the output in parts (the input itself, or views of it,
    first when the update is incremental), with the page count, notes for the manifest and how
    the file was written."""
    notes: list[str] = []
    with open_pdf(data, name, password) as pdf:
        if _is_pdfa1(pdf):
            opacity = 1.0
            notes.append("PDF/A-1: marca de agua opaca y clara (PDF/A-1 no admite transparencia)")
        version = "1.4" if opacity < 1.0 else None  # transparency needs PDF 1.4
        signed = is_signed(pdf)
        pages, encrypted = len(pdf.pages), pdf.is_encrypted
        with pikepdf.open(io.BytesIO(_stamp_document(text, opacity))) as source:
            stamp = source.pages[0].as_form_xobject()
            if not can_update(data, pdf, keep_original=signed):
                # Encrypted, repaired, object streams, several revisions: a full copy of this
                # reading, which nothing has changed yet.
                notes.extend(_copy_notes(signed=signed, encrypted=encrypted))
                full = _full_copy(pdf, pdf.copy_foreign(stamp), _placements(pdf, stamp), version)
                return WatermarkResult(Parts.of(full), pages, tuple(notes), "full-copy")
            placements = _placements(pdf, stamp)
            out = stamp_update(data, pdf, stamp, placements, version=version, keep_original=signed)
    if out is not None:
        if signed:
            notes.append(SIGNED_NOTE)
        return WatermarkResult(out, pages, tuple(notes), "signed-update" if signed else "update")
    # Found unusual while writing the update (the pages are half changed): a full copy, from
    # a fresh reading.
    notes.extend(_copy_notes(signed=signed, encrypted=encrypted))
    with (
        open_pdf(data, name, password) as pdf,
        pikepdf.open(io.BytesIO(_stamp_document(text, opacity))) as source,
    ):
        stamp = source.pages[0].as_form_xobject()
        placements = _placements(pdf, stamp)
        full = _full_copy(pdf, pdf.copy_foreign(stamp), placements, version)
    return WatermarkResult(Parts.of(full), pages, tuple(notes), "full-copy")


def _copy_notes(*, signed: bool, encrypted: bool) -> list[str]:
    if signed:
        return [SIGNATURE_LOST_NOTE]
    return [] if encrypted else [REWRITTEN_NOTE]


def _placements(pdf: pikepdf.Pdf, stamp: pikepdf.Object) -> list[tuple[pikepdf.Dictionary, Matrix]]:
    """Each page and the matrix that puts ``stamp`` on it, upright along its diagonal."""
    stamp_w, stamp_h = (float(v) for v in list(stamp.BBox)[2:])
    return [
        (page.obj, stamp_matrix(page_view(page.obj), stamp_w, stamp_h, FONT_SIZE))
        for page in pdf.pages
    ]


def _full_copy(
    pdf: pikepdf.Pdf,
    form: pikepdf.Object,
    placements: list[tuple[pikepdf.Dictionary, Matrix]],
    version: str | None,
) -> bytes:
    """Stamp the pages in place and save the whole document again (decrypted)."""
    stamper = _Stamper(pdf, form)
    for page, matrix in placements:
        stamper.stamp(page, matrix)
    buffer = io.BytesIO()
    pdf.save(
        buffer,
        stream_decode_level=pikepdf.StreamDecodeLevel.none,
        compress_streams=True,
        deterministic_id=True,
        min_version=version or "",
    )
    return buffer.getvalue()


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


class _Stamper:
    """Adds the stamp to pages in place (for a full copy), sharing what pages share: one ``q``
    stream, one drawing stream per distinct placement, the stamp added once to each
    /Resources or /XObject dictionary, whoever holds it."""

    def __init__(self, pdf: pikepdf.Pdf, form: pikepdf.Object) -> None:
        self.pdf = pdf
        self.form = form
        self.push = pdf.make_indirect(pdf.make_stream(b"q\n"))
        self.draws: dict[tuple[str, str], pikepdf.Object] = {}
        self.names: dict[tuple[int, int], str] = {}  # XObject dictionary -> the stamp's name

    def stamp(self, page: pikepdf.Dictionary, matrix: Matrix) -> None:
        name = self._add_xobject(page)
        numbers = " ".join(f"{v:.4f}" for v in matrix)
        draw = self.draws.get((name, numbers))
        if draw is None:
            ops = draw_operators(name.encode(), numbers)
            draw = self.draws[(name, numbers)] = self.pdf.make_indirect(self.pdf.make_stream(ops))
        original = page.get("/Contents")
        parts: list[pikepdf.Object] = [self.push]
        if isinstance(original, pikepdf.Array):
            parts.extend(original)
        elif original is not None:
            parts.append(original)
        parts.append(draw)
        page.Contents = pikepdf.Array(parts)

    def _add_xobject(self, page: pikepdf.Dictionary) -> str:
        _, resources = page_resources(page)
        if resources is None:
            page.Resources = pikepdf.Dictionary()
            resources = page.Resources
        xobjects = resources.get("/XObject")
        if not isinstance(xobjects, pikepdf.Dictionary):
            resources.XObject = pikepdf.Dictionary()
            xobjects = resources.XObject
        key = xobjects.objgen if xobjects.is_indirect else resources.objgen
        if key != (0, 0) and key in self.names:
            return self.names[key]
        name = free_name(xobjects).decode()
        xobjects[name] = self.form
        if key != (0, 0):
            self.names[key] = name
        return name


def _is_pdfa1(pdf: pikepdf.Pdf) -> bool:
    try:
        status = pdf.open_metadata().pdfa_status
    except Exception:  # unreadable XMP: treat as not PDF/A
        return False
    return str(status).startswith("1")
