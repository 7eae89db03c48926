"""Whether the watermark can be seen: each page rendered by pdfium (annotations and form fields
drawn, as a reader shows them) with the mark and without it (the stamp's form emptied); the
mark counts only where the two differ."""

from __future__ import annotations

import io

import pikepdf
import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageMath

_SIDE = 420  # pixels on the longer side of the page, whatever its size in points
_DIFFERENT = 24  # summed over R, G, B: a 25 % red over black changes about 57


def without_mark(out: bytes) -> bytes:
    """``out`` with every stamp form (/SecopWM…) drawing nothing."""
    with pikepdf.open(io.BytesIO(out)) as pdf:
        for obj in pdf.objects:
            if (
                isinstance(obj, pikepdf.Stream)
                and obj.get("/Subtype") == "/Form"
                and "/Font" in obj.get("/Resources", {})
                and _is_stamp(pdf, obj)
            ):
                obj.write(b"")
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()


def _is_stamp(pdf: pikepdf.Pdf, form: pikepdf.Stream) -> bool:
    for page in pdf.pages:
        node = page.obj
        while "/Resources" not in node and "/Parent" in node:
            node = node.Parent
        xobjects = node.get("/Resources", {}).get("/XObject", {})
        for name in xobjects:
            if name.startswith("/SecopWM") and xobjects[name].objgen == form.objgen:
                return True
    return False


def visible_mark(out: bytes) -> list[float]:
    """For each page, the share of its pixels that the mark changes: where the red, green and
    blue differences add up to more than _DIFFERENT (counted by Pillow, in C)."""
    bare = without_mark(out)
    shares = []
    marked_doc, bare_doc = pdfium.PdfDocument(out), pdfium.PdfDocument(bare)
    try:
        for index in range(len(marked_doc)):
            red, green, blue = ImageChops.difference(
                _image(marked_doc, index), _image(bare_doc, index)
            ).split()
            changed = ImageMath.lambda_eval(
                lambda e: e["r"] + e["g"] + e["b"] > _DIFFERENT, r=red, g=green, b=blue
            )
            shares.append(changed.convert("L").histogram()[1] / (changed.width * changed.height))
    finally:
        marked_doc.close()
        bare_doc.close()
    return shares


def _image(doc: pdfium.PdfDocument, index: int) -> Image.Image:
    page = doc[index]
    try:
        width, height = page.get_size()
        scale = _SIDE / max(width, height, 1e-3)
        return page.render(scale=scale, may_draw_forms=True).to_pil().convert("RGB")
    finally:
        page.close()
