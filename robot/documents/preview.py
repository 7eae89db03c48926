"""PNG thumbnails of a prepared document's first page, for the report (pypdfium2, Pillow)."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

THUMB_WIDTH = 320


def pdf_preview(source: bytes | Path, *, width: int = THUMB_WIDTH) -> bytes:
    """The first page of ``source`` (the PDF's bytes, or a file that pdfium reads from disk),
    as displayed (rotation applied), as a PNG ``width`` pixels wide and at most 4 × ``width``
    high: the size is bounded in pixels, whatever the page's size in points (a page 3 points
    wide and 14,400 high would otherwise be rendered 1.5 million pixels high)."""
    doc = pdfium.PdfDocument(source)
    try:
        page = doc[0]
        shown_w, shown_h = page.get_size()  # as displayed, rotation applied
        scale = min(width / max(shown_w, 1.0), 4 * width / max(shown_h, 1.0))
        image = page.render(scale=scale, may_draw_forms=True).to_pil()
        page.close()
    finally:
        doc.close()
    return _png(image)


def image_preview(source: bytes | Path, *, width: int = THUMB_WIDTH) -> bytes:
    """``source`` (an image's bytes or file) as a PNG at most ``width`` pixels wide."""
    with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
        image.thumbnail((width, width * 4))
        return _png(image.convert("RGB"))


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
