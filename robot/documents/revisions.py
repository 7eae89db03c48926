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

import bisect
import re
from collections.abc import Iterable

import pikepdf

Ref = tuple[int, int]
Span = tuple[int, int]  # [start, end) in the file

_HEADER = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
_SUBSECTION = re.compile(rb"\s*(\d+) (\d+)[ \t]*(?:\r\n|\r|\n)")
# "oooooooooo ggggg n" and a two-byte end of line, says the standard; some writers use one byte.
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])[ \t]?(?:\r\n|\r|\n)")
_ENDOBJ = b"endobj"
_OBJ = re.compile(rb"\bobj\b")  # another object's header
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


def old_versions(data: bytes, xref_at: int, replaced: Iterable[Ref]) -> list[Span] | None:
    """Where the original holds each of the ``replaced`` objects, from ``n g obj`` to its
    ``endobj``, as its cross-reference table (a classic one, at ``xref_at``) gives them; None
    unless every one is found there and where it says. Not with a cross-reference stream: such
    files keep their dictionaries in object streams, which cannot be blanked in place.

    The table is read here for the few entries needed: qpdf's own (``Pdf.get_xref_table``) comes
    as a Python dictionary of every object, about 13 MB for 31,000 objects."""
    wanted = set(replaced)
    offsets = _table_offsets(data, xref_at, wanted) if data.startswith(b"xref", xref_at) else {}
    spans: list[Span] = []
    for ref in wanted:
        start = offsets.get(ref)
        header = _HEADER.match(data, start) if start is not None else None
        if header is None or (int(header[1]), int(header[2])) != ref:
            return None
        end = data.find(_ENDOBJ, header.end())
        if end < 0 or _OBJ.search(data, header.end(), end):
            return None  # no endobj of its own
        spans.append((header.start(), end + len(_ENDOBJ)))
    return spans


def _table_offsets(data: bytes, at: int, wanted: set[Ref]) -> dict[Ref, int]:
    """The offsets a classic cross-reference table gives the ``wanted`` objects in use (every
    entry of a subsection the length of its first)."""
    refs = {ref[0]: ref for ref in wanted}
    numbers = sorted(refs)
    found: dict[Ref, int] = {}
    position = at + len(b"xref")
    while (section := _SUBSECTION.match(data, position)) is not None:
        first, count = int(section[1]), int(section[2])
        head = _ENTRY.match(data, section.end())
        if head is None:
            break
        size = head.end() - section.end()
        inside = numbers[
            bisect.bisect_left(numbers, first) : bisect.bisect_left(numbers, first + count)
        ]
        for number in inside:
            ref = refs[number]
            entry = _ENTRY.match(data, section.end() + size * (number - first))
            if entry is not None and entry[3] == b"n" and int(entry[2]) == ref[1]:
                found[ref] = int(entry[1])
        position = section.end() + size * count
    return found


def blanked(data: bytes, spans: Iterable[Span]) -> list[bytes | memoryview]:
    """``data`` with ``spans`` overwritten by spaces, as pieces: views of ``data`` (not copied)
    between views of one run of spaces."""
    ordered = sorted(set(spans))
    view = memoryview(data)
    spaces = memoryview(b" " * max((end - start for start, end in ordered), default=0))
    pieces: list[bytes | memoryview] = []
    at = 0
    for start, end in ordered:
        pieces += [view[at:start], spaces[: end - start]]
        at = end
    pieces.append(view[at:])
    return pieces
