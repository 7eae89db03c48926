"""The watermark on an unsigned PDF: qpdf (pikepdf) opens it (decrypting with the password,
repairing what is damaged), the stamp is placed on every page and the whole document is saved
again. A full rewrite writes only the objects the document uses now: no earlier revision, so
no unmarked version of a page, stays in the output.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from pathlib import Path
from typing import BinaryIO

import pikepdf

from robot.documents.geometry import Matrix, PageView, page_view

_ARTIFACT = b"/Artifact <</Type /Pagination /Subtype /Watermark>> BDC\n"
_STAMP_NAME = "/SecopWM"


def draw_operators(name: str, matrix: Matrix) -> bytes:
    """The stream drawn after a page's own content: close its ``q``, then the stamp ``name``
    with ``matrix``, marked as a watermark artifact (screen readers skip it)."""
    numbers = " ".join(f"{v:.4f}" for v in matrix)
    return b"Q\n" + _ARTIFACT + f"q {numbers} cm {name} Do Q\nEMC\n".encode()


def free_name(taken: Container[str]) -> str:
    """The first of /SecopWM, /SecopWM1 … that is not in ``taken``."""
    name, n = _STAMP_NAME, 0
    while name in taken:
        n += 1
        name = f"{_STAMP_NAME}{n}"
    return name


def full_copy(
    pdf: pikepdf.Pdf,
    form: pikepdf.Object,
    matrix_for: Callable[[float, float, PageView], Matrix],
    target: Path | BinaryIO,
    version: str | None,
) -> int:
    """Stamp every page of ``pdf`` with ``form`` (a stamp of this document) placed by
    ``matrix_for(stamp width, stamp height, page view)`` and save the whole document,
    decrypted, to ``target``; returns the page count."""
    x0, y0, x1, y1 = (float(v) for v in form.BBox)
    stamper = _Stamper(pdf, form)
    pages = 0
    for page in pdf.pages:
        stamper.stamp(page.obj, matrix_for(x1 - x0, y1 - y0, page_view(page.obj)))
        pages += 1
    pdf.save(
        target,
        stream_decode_level=pikepdf.StreamDecodeLevel.none,
        compress_streams=True,
        deterministic_id=True,
        min_version=version or "",
    )
    return pages


def page_resources(page: pikepdf.Dictionary) -> pikepdf.Dictionary | None:
    """The /Resources a page uses: its own or inherited from the page tree."""
    node: pikepdf.Object | None = page
    for _ in range(64):  # a malformed tree may loop
        if not isinstance(node, pikepdf.Dictionary):
            break
        res = node.get("/Resources")
        if isinstance(res, pikepdf.Dictionary):
            return res
        node = node.get("/Parent")
    return None


class _Stamper:
    """Adds the stamp to pages in place, sharing what pages share: one ``q`` stream, one
    drawing stream per distinct placement, the stamp added once to each /Resources or
    /XObject dictionary, whoever holds it."""

    def __init__(self, pdf: pikepdf.Pdf, form: pikepdf.Object) -> None:
        self.pdf = pdf
        self.form = form
        self.push = pdf.make_indirect(pdf.make_stream(b"q\n"))
        self.draws: dict[tuple[str, Matrix], pikepdf.Object] = {}
        self.names: dict[tuple[int, int], str] = {}  # XObject dictionary -> the stamp's name

    def stamp(self, page: pikepdf.Dictionary, matrix: Matrix) -> None:
        name = self._add_xobject(page)
        draw = self.draws.get((name, matrix))
        if draw is None:
            stream = self.pdf.make_stream(draw_operators(name, matrix))
            draw = self.draws[(name, matrix)] = self.pdf.make_indirect(stream)
        original = page.get("/Contents")
        parts: list[pikepdf.Object] = [self.push]
        if isinstance(original, pikepdf.Array):
            parts.extend(original)
        elif original is not None:
            parts.append(original)
        parts.append(draw)
        page.Contents = pikepdf.Array(parts)

    def _add_xobject(self, page: pikepdf.Dictionary) -> str:
        resources = page_resources(page)
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
        name = free_name({str(taken) for taken in xobjects})
        xobjects[name] = self.form
        if key != (0, 0):
            self.names[key] = name
        return name
