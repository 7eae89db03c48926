"""Independent checks of a watermarked PDF, page by page.

- pikepdf (qpdf) finds no syntax problems;
- pypdf's default ``extract_text()`` finds the watermark text on every page, and the page's
  original text is still there;
- pdfium (a third, independent reader) places every glyph of the watermark inside the visible
  box, the whole text centred on the page and spanning more than half of it, along the
  displayed diagonal, reading left to right and not mirrored, once /Rotate is applied;
- no earlier revision (the file cut at any ``%%EOF`` but the last) gives any of the three
  readers, repairs allowed, a page with content and without the watermark.
"""

from __future__ import annotations

import ctypes
import io
import math
import re
import warnings

import pikepdf
import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

_SPACE = re.compile(r"\s+")
_EOF = re.compile(rb"%%EOF")
_MARK = b"/Subtype /Watermark"  # in the stream that draws the stamp
Box = tuple[float, float, float, float]


def squash(text: str) -> str:
    return _SPACE.sub("", text)


def page_texts(data: bytes, password: str | None = None) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = pypdf.PdfReader(io.BytesIO(data), password=password)
        return [squash(page.extract_text()) for page in reader.pages]


def assert_opens_cleanly(data: bytes) -> None:
    """qpdf reads it without repairs and finds no syntax problem; pypdf in strict mode (which
    follows cross-references without repairing them either) reads every page."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.check_pdf_syntax() == []
        assert pdf.get_warnings() == []
        assert not pdf.is_encrypted
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    for page in reader.pages:
        assert page.get_contents() is not None


def assert_watermarked(
    out: bytes, text: str, original: bytes | None = None, password: str | None = None
) -> int:
    """Every check above on every page; returns the page count."""
    assert_opens_cleanly(out)
    marked = page_texts(out)
    wanted = squash(text)
    for number, page_text in enumerate(marked, 1):
        assert wanted in page_text, f"page {number}: watermark not extracted: {page_text[-200:]!r}"
    if original is not None:
        before = page_texts(original, password)
        assert len(before) == len(marked)
        for number, (old, new) in enumerate(zip(before, marked, strict=True), 1):
            assert old in new, f"page {number}: original text lost"
    assert_upright(out, text)
    return len(marked)


def assert_upright(out: bytes, text: str) -> None:
    """pdfium sees ``text`` on every page: along the displayed diagonal, not mirrored, every
    glyph inside the visible box, centred on it, and sized to it."""
    doc = pdfium.PdfDocument(out)
    boxes = _visible_boxes(out)
    try:
        for index in range(len(doc)):
            page = doc[index]
            _check_page(page, boxes[index], text, index + 1)
            page.close()
    finally:
        doc.close()


def _visible_boxes(data: bytes) -> list[Box]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        boxes = []
        for page in pdf.pages:
            media, crop = [float(v) for v in page.mediabox], [float(v) for v in page.cropbox]
            boxes.append(
                (
                    max(min(media[0], media[2]), min(crop[0], crop[2])),
                    max(min(media[1], media[3]), min(crop[1], crop[3])),
                    min(max(media[0], media[2]), max(crop[0], crop[2])),
                    min(max(media[1], media[3]), max(crop[1], crop[3])),
                )
            )
        return boxes


def _glyphs(textpage: pdfium.PdfTextPage, text: str, number: int) -> list[int]:
    """Indices of the watermark's glyphs (its last occurrence on the page), spaces left out."""
    found = [
        (index, chr(pdfium_c.FPDFText_GetUnicode(textpage, index)))
        for index in range(textpage.count_chars())
    ]
    solid = [(index, char) for index, char in found if not char.isspace()]
    squashed = "".join(char for _, char in solid)
    start = squashed.rfind(squash(text))
    assert start >= 0, f"page {number}: pdfium does not see the watermark"
    return [index for index, _ in solid[start : start + len(squash(text))]]


def _char_box(textpage: pdfium.PdfTextPage, index: int) -> Box:
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    assert pdfium_c.FPDFText_GetCharBox(
        textpage, index, *(ctypes.byref(v) for v in (left, right, bottom, top))
    )
    return (left.value, bottom.value, right.value, top.value)


def _check_page(page: pdfium.PdfPage, box: Box, text: str, number: int) -> None:
    textpage = page.get_textpage()
    glyphs = _glyphs(textpage, text, number)
    matrix = pdfium_c.FS_MATRIX()
    assert pdfium_c.FPDFText_GetMatrix(textpage, glyphs[0], ctypes.byref(matrix))
    turn = page.get_rotation()
    base = _to_display((matrix.a, matrix.b), turn)
    up = _to_display((matrix.c, matrix.d), turn)
    x0, y0, x1, y1 = box
    width, height = (x1 - x0, y1 - y0) if turn in (0, 180) else (y1 - y0, x1 - x0)
    expected = math.degrees(math.atan2(height, width))
    angle = math.degrees(math.atan2(base[1], base[0]))
    assert abs(angle - expected) < 0.5, f"page {number}: text at {angle:.1f}°, not {expected:.1f}°"
    cross = base[0] * up[1] - base[1] * up[0]
    assert cross > 0, f"page {number}: watermark is mirrored"
    chars = [_char_box(textpage, index) for index in glyphs]
    textpage.close()
    slack = 1.0
    for left, bottom, right, top in chars:
        inside = (
            x0 - slack <= left <= right <= x1 + slack and y0 - slack <= bottom <= top <= y1 + slack
        )
        assert inside, f"page {number}: watermark runs off the visible page"
    left, bottom = min(c[0] for c in chars), min(c[1] for c in chars)
    right, top = max(c[2] for c in chars), max(c[3] for c in chars)
    off_x = abs((left + right) / 2 - (x0 + x1) / 2) / (x1 - x0)
    off_y = abs((bottom + top) / 2 - (y0 + y1) / 2) / (y1 - y0)
    assert max(off_x, off_y) < 0.05, f"page {number}: watermark is not centred"
    span = max((right - left) / (x1 - x0), (top - bottom) / (y1 - y0))
    assert span > 0.5, f"page {number}: watermark covers only {span:.0%} of the page"


def _to_display(vector: tuple[float, float], turn: int) -> tuple[float, float]:
    """A user-space direction as shown on a page turned ``turn`` degrees clockwise."""
    rad = math.radians(turn)
    x, y = vector
    return (x * math.cos(rad) + y * math.sin(rad), -x * math.sin(rad) + y * math.cos(rad))


def earlier_revisions(data: bytes) -> list[bytes]:
    """``data`` cut after each ``%%EOF`` but the last: what ``head -c`` gives back of an earlier
    revision (and of the odd ``%%EOF`` inside a stream, such as a CMap's)."""
    return [data[: m.end()] for m in list(_EOF.finditer(data))[:-1]]


def unmarked_pages(data: bytes, text: str) -> list[str]:
    """The pages that qpdf (repairing what it can), pypdf (not strict: it repairs too) or pdfium
    read from ``data`` with some content and no watermark; a reader that cannot open the file
    finds none."""
    found: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with pikepdf.open(io.BytesIO(data)) as pdf:
                for number, page in enumerate(pdf.pages, 1):
                    content = _qpdf_content(page.obj)
                    if content.strip() and _MARK not in content:
                        found.append(f"qpdf page {number}")
        except pikepdf.PdfError:
            pass
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            for number, pypdf_page in enumerate(reader.pages, 1):
                contents = pypdf_page.get_contents()
                content = contents.get_data() if contents is not None else b""
                if content.strip() and _MARK not in content:
                    found.append(f"pypdf page {number}")
        except Exception:  # pypdf fails in many ways on a cut file: then it reads no page
            pass
    found.extend(_pdfium_unmarked(data, text))
    return found


def _qpdf_content(page: pikepdf.Object) -> bytes:
    contents = page.get("/Contents") if isinstance(page, pikepdf.Dictionary) else None
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    content = b""
    for stream in streams:
        if isinstance(stream, pikepdf.Stream):
            try:
                content += stream.read_bytes()
            except pikepdf.PdfError:
                continue
    return content


def _pdfium_unmarked(data: bytes, text: str) -> list[str]:
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return []
    found = []
    try:
        for index in range(len(doc)):
            try:
                page = doc[index]
            except pdfium.PdfiumError:
                continue
            textpage = page.get_textpage()
            shown = squash(textpage.get_text_range())
            if any(True for _ in page.get_objects()) and squash(text) not in shown:
                found.append(f"pdfium page {index + 1}")
            textpage.close()
            page.close()
    finally:
        doc.close()
    return found
