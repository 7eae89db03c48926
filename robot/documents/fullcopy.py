"""The watermark on an unsigned PDF: qpdf (pikepdf) opens it (decrypting with the password,
repairing what is damaged), the stamp is placed on every page and the whole document is saved
again. A full rewrite writes only the objects the document uses now: no earlier revision, so
no unmarked version of a page, stays in the output.

The mark must be seen, whatever the document does: what could carry the unmarked original or
run code (attachments, JavaScript, actions on opening, XFA forms) is removed, annotations and
form fields are flattened into the page (so none can be drawn over the mark), and each page's
own content, flattened annotations included, becomes a form XObject drawn first: a form isolates
its graphics state, so an unbalanced ``Q``, a clip or an invisible text mode left at its end
cannot hide or undo the stamp drawn after it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pikepdf

from robot.documents.active import remove_active_content
from robot.documents.geometry import (
    DEFAULT_MEDIA,
    Matrix,
    PageView,
    box,
    inherited,
    page_view,
)

_ARTIFACT = b"/Artifact <</Type /Pagination /Subtype /Watermark>> BDC\n"
STAMP_NAME = "/SecopWM"
PAGE_NAME = "/SecopPagina"  # the page's own content, as a form XObject


def draw_operators(name: str, matrix: Matrix) -> bytes:
    """The stream that draws the stamp ``name`` with ``matrix``, marked as a watermark
    artifact (screen readers skip it)."""
    numbers = " ".join(f"{v:.4f}" for v in matrix)
    return _ARTIFACT + f"q {numbers} cm {name} Do Q\nEMC\n".encode()


def full_copy(
    pdf: pikepdf.Pdf,
    form: pikepdf.Object,
    matrix_for: Callable[[PageView, float, float], Matrix],
    target: Path | BinaryIO,
    version: str | None,
) -> tuple[int, list[str]]:
    """Stamp every page of ``pdf`` with ``form`` (a stamp of this document) placed by
    ``matrix_for(page view, stamp width, stamp height)`` and save the whole document,
    decrypted, to ``target``; returns the page count and what was removed (Spanish, for the
    manifest)."""
    removed = remove_active_content(pdf)
    pdf.flatten_annotations("screen")
    if "/AcroForm" not in pdf.Root:  # the form went flat: a widget with nothing to draw (an
        for page in pdf.pages:  # empty signature field) would stay behind, of no form
            annots = page.obj.get("/Annots")
            if isinstance(annots, pikepdf.Array):
                page.obj.Annots = pikepdf.Array(a for a in annots if not _widget(a))
    x0, y0, x1, y1 = (float(v) for v in form.BBox)
    first = pdf.make_indirect(pdf.make_stream(b"q " + PAGE_NAME.encode() + b" Do Q\n"))
    draws: dict[Matrix, pikepdf.Object] = {}
    forms: dict[tuple[int, int], dict[object, pikepdf.Object]] = {}
    pages = 0
    for page in pdf.pages:
        view = page_view(page.obj)
        matrix = matrix_for(view, x1 - x0, y1 - y0)
        draw = draws.get(matrix)
        if draw is None:
            stream = pdf.make_stream(draw_operators(STAMP_NAME, matrix))
            draw = draws[matrix] = pdf.make_indirect(stream)
        original = _page_form(pdf, page.obj, forms)
        xobjects = pikepdf.Dictionary({PAGE_NAME: original, STAMP_NAME: form})
        page.obj.Resources = pikepdf.Dictionary(XObject=xobjects)
        page.obj.Contents = pikepdf.Array([first, draw])
        pages += 1
    pdf.save(
        target,
        stream_decode_level=pikepdf.StreamDecodeLevel.none,
        compress_streams=True,
        deterministic_id=True,
        min_version=version or "",
    )
    return pages, removed


def _widget(annot: pikepdf.Object) -> bool:
    return isinstance(annot, pikepdf.Dictionary) and annot.get("/Subtype") == "/Widget"


def _page_form(
    pdf: pikepdf.Pdf,
    page: pikepdf.Dictionary,
    forms: dict[tuple[int, int], dict[object, pikepdf.Object]],
) -> pikepdf.Object:
    """The page's own content as a form XObject with the page's resources. A single content
    stream becomes the form itself (its data is not read again); several are joined into one
    new stream. A stream that pages share with the same resources is one form."""
    found = inherited(page, "/Resources")
    resources = found if isinstance(found, pikepdf.Dictionary) else None
    contents = page.get("/Contents")
    if isinstance(contents, pikepdf.Array) and len(contents) == 1:
        contents = contents[0]
    shared, key = None, b"" if resources is None else resources_identity(resources)
    if isinstance(contents, pikepdf.Stream) and contents.is_indirect:
        shared = forms.setdefault(contents.objgen, {})  # its forms, by the page's resources
        if key in shared:
            return shared[key]
        stream = pdf.make_stream(contents.read_bytes()) if shared else contents  # else copied
    else:
        parts = contents if isinstance(contents, pikepdf.Array) else [contents]
        joined = b"\n".join(part.read_bytes() for part in parts if isinstance(part, pikepdf.Stream))
        stream = pdf.make_stream(joined)
    stream.Type = pikepdf.Name.XObject
    stream.Subtype = pikepdf.Name.Form
    stream.BBox = list(box(inherited(page, "/MediaBox")) or DEFAULT_MEDIA)  # all a reader shows
    stream.Resources = resources if resources is not None else pikepdf.Dictionary()
    form = stream if stream.is_indirect else pdf.make_indirect(stream)
    if shared is not None:
        shared[key] = form
    return form


def resources_identity(resources: pikepdf.Dictionary) -> object:
    """What makes two pages' resources the same: one object, or equal direct dictionaries."""
    return resources.objgen if resources.is_indirect else resources.unparse()
