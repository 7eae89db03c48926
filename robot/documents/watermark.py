"""A diagonal, semi-transparent text watermark on every page of a PDF.

The text is set once (reportlab, Vera embedded as a subset) into a form XObject that is copied
into the document once; each page then draws it with its own matrix, computed from the page's
visible box and /Rotate so it reads upright along the displayed diagonal. Page content streams
are not decoded or rewritten: the original is wrapped in ``q … Q`` and one small stream is added,
so text stays extractable and the file size barely changes.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import pikepdf
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from robot.documents.checks import open_pdf
from robot.documents.fonts import FONT_NAME, register_fonts, text_width
from robot.documents.geometry import Matrix, page_view, stamp_matrix

FONT_SIZE = 100.0  # the size the text is set at; each page scales it
COLOR = (0.70, 0.10, 0.10)  # a muted red
PDFA1_COLOR = (0.93, 0.78, 0.78)  # PDF/A-1 forbids transparency: a light, opaque red instead
DEFAULT_OPACITY = 0.25
_ARTIFACT = b"/Artifact <</Type /Pagination /Subtype /Watermark>> BDC\n"


@dataclass(frozen=True)
class WatermarkResult:
    """The watermarked PDF and what was done to it."""

    data: bytes
    pages: int
    notes: tuple[str, ...] = ()


def watermark_pdf(
    data: bytes,
    text: str,
    *,
    name: str = "documento.pdf",
    password: str | None = None,
    opacity: float = DEFAULT_OPACITY,
) -> bytes:
    """``data`` with ``text`` stamped diagonally on every page. The input is not changed."""
    return watermark_pdf_result(data, text, name=name, password=password, opacity=opacity).data


def watermark_pdf_result(
    data: bytes,
    text: str,
    *,
    name: str = "documento.pdf",
    password: str | None = None,
    opacity: float = DEFAULT_OPACITY,
) -> WatermarkResult:
    """Like :func:`watermark_pdf`, with the page count and notes for the manifest."""
    notes: list[str] = []
    with open_pdf(data, name, password) as pdf:
        if _is_pdfa1(pdf):
            opacity = 1.0
            notes.append("PDF/A-1: marca de agua opaca y clara (PDF/A-1 no admite transparencia)")
        stamp_pdf = _stamp_document(text, opacity)
        with pikepdf.open(io.BytesIO(stamp_pdf)) as source:
            form = pdf.copy_foreign(source.pages[0].as_form_xobject())
        stamp_w, stamp_h = (float(v) for v in list(form.BBox)[2:])
        stamper = _Stamper(pdf, form)
        for page in pdf.pages:
            stamper.stamp(page.obj, stamp_matrix(page_view(page.obj), stamp_w, stamp_h, FONT_SIZE))
        out = io.BytesIO()
        pdf.save(
            out,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            compress_streams=True,
            deterministic_id=True,
        )
        return WatermarkResult(out.getvalue(), len(pdf.pages), tuple(notes))


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
    """Adds the stamp to pages, sharing what pages can share: one ``q`` stream, one drawing
    stream per distinct placement, one new /Resources per shared /Resources object."""

    def __init__(self, pdf: pikepdf.Pdf, form: pikepdf.Object) -> None:
        self.pdf = pdf
        self.form = form
        self.push = pdf.make_indirect(pdf.make_stream(b"q\n"))
        self.draws: dict[tuple[str, str], pikepdf.Object] = {}
        self.resources: dict[tuple[int, int], tuple[pikepdf.Object, str]] = {}

    def stamp(self, page: pikepdf.Dictionary, matrix: Matrix) -> None:
        name = self._add_xobject(page)
        numbers = " ".join(f"{v:.4f}" for v in matrix)
        draw = self.draws.get((name, numbers))
        if draw is None:
            body = _ARTIFACT + f"q {numbers} cm {name} Do Q\nEMC\n".encode()
            draw = self.pdf.make_indirect(self.pdf.make_stream(b"Q\n" + body))
            self.draws[(name, numbers)] = draw
        original = page.get("/Contents")
        parts: list[pikepdf.Object] = [self.push]
        if isinstance(original, pikepdf.Array):
            parts.extend(original)
        elif original is not None:
            parts.append(original)
        parts.append(draw)
        page.Contents = pikepdf.Array(parts)

    def _add_xobject(self, page: pikepdf.Dictionary) -> str:
        """Give the page /Resources that add the stamp to what it inherits or shares; the
        original dictionaries stay untouched."""
        inherited = _inherited_resources(page)
        key = inherited.objgen if inherited is not None else (0, 0)
        if key != (0, 0) and key in self.resources:
            page.Resources, name = self.resources[key]
            return name
        resources, name = _with_stamp(inherited, self.form)
        if key != (0, 0):
            resources = self.pdf.make_indirect(resources)
            self.resources[key] = (resources, name)
        page.Resources = resources
        return name


def _with_stamp(
    inherited: pikepdf.Dictionary | None, form: pikepdf.Object
) -> tuple[pikepdf.Dictionary, str]:
    resources = pikepdf.Dictionary(dict(inherited.items())) if inherited else pikepdf.Dictionary()
    old = resources.get("/XObject")
    xobjects = (
        pikepdf.Dictionary(dict(old.items()))
        if isinstance(old, pikepdf.Dictionary)
        else pikepdf.Dictionary()
    )
    name, n = "/SecopWM", 0
    while name in xobjects:
        n += 1
        name = f"/SecopWM{n}"
    xobjects[name] = form
    resources.XObject = xobjects
    return resources, name


def _inherited_resources(page: pikepdf.Dictionary) -> pikepdf.Dictionary | None:
    node: pikepdf.Object | None = page
    for _ in range(64):
        if not isinstance(node, pikepdf.Dictionary):
            return None
        res = node.get("/Resources")
        if isinstance(res, pikepdf.Dictionary):
            return res
        node = node.get("/Parent")
    return None


def _is_pdfa1(pdf: pikepdf.Pdf) -> bool:
    try:
        status = pdf.open_metadata().pdfa_status
    except Exception:  # unreadable XMP: treat as not PDF/A
        return False
    return str(status).startswith("1")
