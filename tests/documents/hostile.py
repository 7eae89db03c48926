"""Hostile documents built byte by byte for the resource-limit tests: small files that would
take gigabytes or hours to read, mark or preview (decompression and pixel bombs, a huge page
count, a form that draws itself, a page-tree loop)."""

from __future__ import annotations

import struct
import zlib

from tests.documents.samples import build, stream

MEDIA = b"/MediaBox [0 0 612 792]"


def deflated_zeros(size: int, block: int = 1 << 20) -> bytes:
    """A zlib stream of ``size`` zero bytes (a multiple of ``block``) made of one compressed
    block repeated, without ever holding ``size`` bytes: after a full flush a block compresses
    to the same bytes again, and the Adler-32 of zeros is ``size`` (mod 65521) and 1."""
    assert size % block == 0
    packer = zlib.compressobj(9)
    first = packer.compress(bytes(block)) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(bytes(block)) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.flush(zlib.Z_FINISH)[:-4]
    checksum = ((size % 65521) << 16) | 1
    return first + again * (size // block - 1) + end + checksum.to_bytes(4, "big")


def _one_page(content: bytes, resources: bytes = b"", **more: bytes) -> dict[int, bytes]:
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R %s /Resources << %s >> /Contents 4 0 R >>"
        % (MEDIA, resources),
        4: content,
        **{int(num): body for num, body in more.items()},
    }


def decompression_bomb(megabytes: int = 1024) -> bytes:
    """One page whose content stream inflates from about a megabyte to ``megabytes`` MB."""
    body = deflated_zeros(megabytes << 20)
    content = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(body), body)
    return build(_one_page(content))


def pixel_bomb(side: int = 131_000) -> bytes:
    """One page drawing a ``side`` × ``side`` one-bit image (2 GB of pixels at the default),
    deflated twice: a 6 kB file."""
    row = side // 8
    rows = (row * side) >> 20 << 20  # whole megabytes of pixels; the rest of the image is absent
    data = zlib.compress(deflated_zeros(rows), 9)
    image = (
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray"
        b" /BitsPerComponent 1 /Filter [/FlateDecode /FlateDecode] /Length %d >>\n"
        b"stream\n%s\nendstream" % (side, side, len(data), data)
    )
    content = stream(b"q 612 0 0 792 0 0 cm /Im Do Q")
    return build(_one_page(content, b"/XObject << /Im 5 0 R >>", **{"5": image}))


def drawing_cycle() -> bytes:
    """A form XObject that draws itself twice: each level doubles the work, without end (a
    reader that stops at a depth of 64 still has 2^64 draws to do)."""
    form = stream(
        b"q 0.5 0 0 0.5 0 0 cm /Fm Do Q q 0.5 0 0 0.5 306 396 cm /Fm Do Q 0 0 m 612 792 l S",
        b" /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject"
        b" << /Fm 5 0 R >> >>",
    )
    return build(_one_page(stream(b"/Fm Do"), b"/XObject << /Fm 5 0 R >>", **{"5": form}))


def page_tree_loop() -> bytes:
    """A /Pages node that lists its own parent among its kids."""
    return build(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>",
            3: b"<< /Type /Page /Parent 2 0 R %s /Contents 4 0 R >>" % MEDIA,
            4: stream(b"0 0 m 100 100 l S"),
            5: b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 2 >>",
        }
    )


def many_pages(count: int = 300_000, per_stream: int = 50_000) -> bytes:
    """``count`` distinct empty pages, packed in object streams with a compressed
    cross-reference stream (about 6 bytes a page)."""
    page = b"<< /Type /Page /Parent 2 0 R >>"
    first = 3
    kids = b" 0 R ".join(b"%d" % n for n in range(first, first + count)) + b" 0 R"
    bodies = {2: b"<< /Type /Pages %s /Count %d /Kids [%s] >>" % (MEDIA, count, kids)}
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    rows = [struct.pack(">BIH", 0, 0, 0xFFFF), struct.pack(">BIH", 1, len(out), 0)]
    out += b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    numbers = [2, *range(first, first + count)]
    packs = [numbers[i : i + per_stream] for i in range(0, len(numbers), per_stream)]
    top = first + count
    rows += [b""] * (top - 2)
    for number, pack in enumerate(packs, top):
        members = [bodies.get(n, page) for n in pack]
        offsets, at = [], 0
        for body in members:
            offsets.append(at)
            at += len(body) + 1
        head = b" ".join(b"%d %d" % pair for pair in zip(pack, offsets, strict=True)) + b"\n"
        extra = b" /Type /ObjStm /N %d /First %d" % (len(pack), len(head))
        packed = stream(head + b"\n".join(members) + b"\n", extra, flate=True)
        rows.append(struct.pack(">BIH", 1, len(out), 0))
        for index, n in enumerate(pack):
            rows[n] = struct.pack(">BIH", 2, number, index)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, packed)
    xref = top + len(packs)
    rows.append(struct.pack(">BIH", 1, len(out), 0))
    extra = b" /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R" % (xref + 1)
    at = len(out)
    out += b"%d 0 obj\n%s\nendobj\n" % (xref, stream(b"".join(rows), extra, flate=True))
    out += b"startxref\n%d\n%%%%EOF\n" % at
    return bytes(out)
