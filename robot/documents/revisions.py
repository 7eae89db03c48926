"""The original revision inside an incrementally updated PDF: keep it, or make it unusable.

An update leaves the original bytes in the file, so cutting the output at the original's
``%%EOF`` gives the unmarked document back. For a digitally signed PDF that is the price of a
signature that still verifies (:func:`is_signed`). For any other PDF the old versions of the
objects the update replaces (page dictionaries, the resources dictionaries that get the stamp,
the catalog when the version is raised) are overwritten with spaces of the same length
(:func:`old_versions`, :func:`blanked`): every offset stays valid, the new revision reads as
before, and the old one has no pages left.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pikepdf

Ref = tuple[int, int]
Span = tuple[int, int]  # [start, end) in the file

_HEADER = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
_ENDOBJ = b"endobj"
_MAX_DEPTH = 32  # form-field tree depth; a malformed tree may loop


def is_signed(pdf: pikepdf.Pdf) -> bool:
    """Whether a form field of type /Sig carries a value (a signature dictionary): then the
    signed bytes must stay as they are for the signature to verify."""
    form = pdf.Root.get("/AcroForm")
    fields = form.get("/Fields") if isinstance(form, pikepdf.Dictionary) else None
    if not isinstance(fields, pikepdf.Array):
        return False
    stack: list[tuple[pikepdf.Object, object, int]] = [(f, None, 0) for f in fields]
    seen: set[Ref] = set()
    while stack:
        field, inherited, depth = stack.pop()
        if not isinstance(field, pikepdf.Dictionary) or depth > _MAX_DEPTH:
            continue
        if field.is_indirect:
            if field.objgen in seen:
                continue
            seen.add(field.objgen)
        kind = field.get("/FT", inherited)
        if kind == pikepdf.Name.Sig and isinstance(field.get("/V"), pikepdf.Dictionary):
            return True
        kids = field.get("/Kids")
        if isinstance(kids, pikepdf.Array):
            stack.extend((kid, kind, depth + 1) for kid in kids)
    return False


def single_revision(data: bytes, pdf: pikepdf.Pdf) -> bool:
    """One cross-reference section: no earlier revision (or a linearized file's first-page
    section, or a hybrid file's second table) that would still hold the old versions. Not
    ``%%EOF``: ToUnicode CMaps often end with one of their own."""
    trailer = pdf.trailer
    return "/Prev" not in trailer and "/XRefStm" not in trailer and data.count(b"startxref") == 1


def old_versions(data: bytes, pdf: pikepdf.Pdf, replaced: Iterable[Ref]) -> list[Span] | None:
    """Where the original holds each of the ``replaced`` objects, from ``n g obj`` to its
    ``endobj``; None unless every one is an uncompressed object found where the
    cross-reference says (an object in an object stream cannot be blanked on its own)."""
    table = pdf.get_xref_table()
    spans: list[Span] = []
    for ref in replaced:
        entry = table.get(ref)
        start = entry.offset if entry is not None and entry.type == 1 else None
        if start is None:
            return None
        header = _HEADER.match(data, start)
        if header is None or (int(header[1]), int(header[2])) != ref:
            return None
        end = data.find(_ENDOBJ, header.end())
        if end < 0 or _HEADER.search(data, header.end(), end):
            return None  # no endobj of its own
        spans.append((start, end + len(_ENDOBJ)))
    return spans


def blanked(data: bytes, spans: Iterable[Span]) -> list[bytes | memoryview]:
    """``data`` with ``spans`` overwritten by spaces, as pieces: views of ``data`` (not copied)
    between runs of spaces."""
    view = memoryview(data)
    pieces: list[bytes | memoryview] = []
    at = 0
    for start, end in sorted(set(spans)):
        pieces += [view[at:start], b" " * (end - start)]
        at = end
    pieces.append(view[at:])
    return pieces
