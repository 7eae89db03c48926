"""The watermark for files qpdf has to open: encrypted (decrypted with the profile's password)
or damaged (repaired while reading). The stamp is placed in qpdf's document and the whole file
saved again: no earlier revision, and no incremental update of a file that needed repairs.

This is the one path whose memory grows with the document (qpdf holds every object it parses);
every file :mod:`robot.documents.pdfsyntax` can read takes the incremental update instead.
"""

from __future__ import annotations

import io

import pikepdf

from robot.documents.geometry import Matrix
from robot.documents.incremental import draw_operators, free_name


def full_copy(
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


def page_resources(page: pikepdf.Dictionary) -> tuple[pikepdf.Object, pikepdf.Dictionary | None]:
    """The /Resources a page uses (its own or inherited) and the page-tree node holding it."""
    node: pikepdf.Object | None = page
    for _ in range(64):  # a malformed tree may loop
        if not isinstance(node, pikepdf.Dictionary):
            break
        res = node.get("/Resources")
        if isinstance(res, pikepdf.Dictionary):
            return node, res
        node = node.get("/Parent")
    return page, None


class _Stamper:
    """Adds the stamp to pages in place, sharing what pages share: one ``q`` stream, one
    drawing stream per distinct placement, the stamp added once to each /Resources or
    /XObject dictionary, whoever holds it."""

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
        name = free_name({str(taken).encode() for taken in xobjects}).decode()
        xobjects[name] = self.form
        if key != (0, 0):
            self.names[key] = name
        return name
