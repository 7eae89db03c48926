"""Small PDFs written byte by byte for the tests: a two-page tree with inherited boxes and
rotation and an indirect /Length, as a classic table or packed in an object stream with a
cross-reference stream (PNG rows), and a hybrid-reference file. Written out exactly, so the
damage tests can cut them at known places (kept from the tests of the hand-written reader that
is gone)."""

from __future__ import annotations

import struct
import zlib


def stream(body: bytes, extra: bytes = b"", *, flate: bool = False) -> bytes:
    if flate:
        body, extra = zlib.compress(body), extra + b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(body), extra, body)


def object_stream(members: dict[int, bytes], extra: bytes = b"", *, flate: bool = True) -> bytes:
    offsets, text = [], b""
    for num, body in members.items():
        offsets.append(b"%d %d" % (num, len(text)))
        text += body + b"\n"
    head = b" ".join(offsets) + b"\n"
    info = b" /Type /ObjStm /N %d /First %d%s" % (len(members), len(head), extra)
    return stream(head + text, info, flate=flate)


def _paeth(left: int, up: int, corner: int) -> int:
    guess = left + up - corner
    near = min((abs(guess - v), k) for k, v in enumerate((left, up, corner)))
    return (left, up, corner)[near[1]]


def png_rows(rows: list[bytes], kinds: list[int]) -> bytes:
    """Rows encoded with PNG predictors, one per row (0 none, 1 sub, 2 up, 3 average,
    4 Paeth; one byte per pixel)."""
    out, previous = bytearray(), bytes(len(rows[0]))
    for row, kind in zip(rows, kinds, strict=True):
        coded = bytearray(row)
        for i in range(len(row)):
            left = row[i - 1] if i else 0
            corner = previous[i - 1] if i else 0
            guess = {1: left, 2: previous[i], 3: (left + previous[i]) // 2}.get(kind, 0)
            if kind == 4:
                guess = _paeth(left, previous[i], corner)
            coded[i] = (row[i] - guess) & 0xFF
        out += bytes([kind]) + coded
        previous = row
    return bytes(out)


def build(
    objects: dict[int, bytes],
    *,
    packed: dict[int, bytes] | None = None,
    packed_flate: bool = True,
    packed_extra: bytes = b"",
    xref: str = "table",
    kinds: list[int] | None = None,
    trailer: bytes = b"",
    version: bytes = b"1.7",
) -> bytes:
    """A whole file: ``objects`` in order, ``packed`` ones in an object stream, then a classic
    table or a cross-reference stream (PNG ``kinds`` per row, else uncompressed)."""
    out = bytearray(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    top = max([*objects, *(packed or {})]) + 1
    where: dict[int, tuple[int, int, int]] = {0: (0, 0, 65535)}
    objects = dict(objects)
    if packed:
        assert xref == "stream"
        objects[top] = object_stream(packed, packed_extra, flate=packed_flate)
        where.update({num: (2, top, i) for i, num in enumerate(packed)})
        top += 1
    for num, body in objects.items():
        where[num] = (1, len(out), 0)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, body)
    at = len(out)
    if xref == "table":
        out += b"xref\n0 %d\n" % top
        for num in range(top):
            kind, offset, generation = where.get(num, (0, 0, 65535))
            out += b"%010d %05d %s\r\n" % (offset, generation, b"n" if kind else b"f")
        out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\n" % (top, trailer)
    else:
        where[top] = (1, at, 0)
        top += 1
        rows = [struct.pack(">BIH", *where.get(num, (0, 0, 0))) for num in range(top)]
        extra = b" /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R%s" % (top, trailer)
        if kinds is None:
            body = stream(b"".join(rows), extra)
        else:
            params = b" /DecodeParms << /Predictor 12 /Columns 7 >>"
            kinds = (kinds * top)[:top]
            body = stream(png_rows(rows, kinds), extra + params, flate=True)
        out += b"%d 0 obj\n%s\nendobj\n" % (top - 1, body)
    out += b"startxref\n%d\n%%%%EOF\n" % at
    return bytes(out)


CONTENT = b"0 0 m 100 100 l S BT /F1 12 Tf (Hola) Tj ET"
TREE = {
    1: b"<< /Type /Catalog /Pages 2 0 R >>",
    2: b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 3 /MediaBox [0 0 300 200] /Rotate 90 >>",
    3: b"<< /Type /Page /Parent 2 0 R /Contents 5 0 R /Resources << /Font << /F1 7 0 R >> >> >>",
    4: b"<< /Type /Pages /Parent 2 0 R /Kids [8 0 R 9 0 R] /Count 2 /Rotate 0"
    b" /Resources << /ProcSet [/PDF] >> >>",
    5: b"<< /Length 6 0 R >>\nstream\n" + CONTENT + b"\nendstream",
    6: b"%d" % len(CONTENT),
    7: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    8: b"<< /Type /Page /Parent 4 0 R /CropBox [10 20 110 120] /Contents 5 0 R >>",
    9: b"<< /Type /Page /Parent 4 0 R /MediaBox [-10 -10 50 50] /Contents 10 0 R >>",
    10: stream(b"q 1 0 0 rg 0 0 10 10 re f Q", flate=True),
}
SMALL = build(TREE)  # classic table, inherited boxes and rotation, an indirect /Length
PACKED = {n: TREE[n] for n in (1, 2, 3, 4, 7, 8, 9)}
SMALL_STREAMS = build(  # the same in an object stream, a cross-reference stream with PNG rows
    {n: body for n, body in TREE.items() if n not in PACKED},
    packed=PACKED,
    xref="stream",
    kinds=[2],
)


def hybrid_pdf() -> bytes:
    """A classic table that skips object 4, and /XRefStm: a cross-reference stream that says
    object 4 (the page's resources) is the first in object stream 5 (what Word writes)."""
    parts = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Resources 4 0 R"
        b" /Contents 7 0 R >>",
        5: object_stream({4: b"<< /ProcSet [/PDF] /Marker (in the stream) >>"}),
        7: stream(b"0 0 m 10 10 l S"),
    }
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num, body in parts.items():
        offsets[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, body)
    offsets[6] = len(out)
    rows = struct.pack(">BHB", 2, 5, 0)
    out += b"6 0 obj\n%s\nendobj\n" % stream(rows, b" /Type /XRef /Size 8 /W [1 2 1] /Index [4 1]")
    table = len(out)
    out += b"xref\n0 4\n0000000000 65535 f\r\n"
    out += b"".join(b"%010d 00000 n\r\n" % offsets[n] for n in (1, 2, 3))
    out += b"5 3\n" + b"".join(b"%010d 00000 n\r\n" % offsets[n] for n in (5, 6, 7))
    out += b"trailer\n<< /Size 8 /Root 1 0 R /XRefStm %d >>\n" % offsets[6]
    out += b"startxref\n%d\n%%%%EOF\n" % table
    return bytes(out)
