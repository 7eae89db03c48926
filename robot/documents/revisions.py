"""The original revisions inside an incrementally updated PDF: keep them, or make them unusable.

An update leaves the original bytes in the file, so cutting the output at the original's
``%%EOF`` gives the unmarked document back. For a digitally signed PDF that is the price of a
signature that still verifies (:func:`is_signed`). For any other PDF (:func:`plan`) every
version of an object that the newest revision no longer uses (earlier revisions' objects) and
the old version of each object the update replaces (page dictionaries, the resources
dictionaries that get the stamp, the catalog when the version is raised) is overwritten with
spaces of the same length: every offset stays valid, the new revision reads as before, and the
old ones have no pages left. An object stream holding any such version is blanked whole; the
objects in it that are still in use are written again by the update.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf

from robot.documents.pdfsyntax import (
    Document,
    Located,
    Name,
    PdfSyntaxError,
    Ref,
    Refs,
    Value,
    number,
)

_MAX_DEPTH = 32  # form-field tree depth; a malformed tree may loop


def is_signed(pdf: pikepdf.Pdf) -> bool:
    """:func:`is_signed_doc` for a file qpdf has opened (encrypted or repaired)."""
    form = pdf.Root.get("/AcroForm")
    fields = form.get("/Fields") if isinstance(form, pikepdf.Dictionary) else None
    if not isinstance(fields, pikepdf.Array):
        return False
    stack: list[tuple[pikepdf.Object, object, int]] = [(f, None, 0) for f in fields]
    seen: set[tuple[int, int]] = set()
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


def is_signed_doc(doc: Document) -> bool:
    """Whether a form field of type /Sig carries a value (a signature dictionary): then the
    signed bytes must stay as they are for the signature to verify."""
    root = doc.resolve(doc.trailer.get(Name(b"/Root")))
    form = doc.resolve(root.get(Name(b"/AcroForm"))) if isinstance(root, dict) else None
    fields = doc.resolve(form.get(Name(b"/Fields"))) if isinstance(form, dict) else None
    if not isinstance(fields, list):
        return False
    stack: list[tuple[Value, Value | None, int]] = [(f, None, 0) for f in fields]
    seen: set[Ref] = set()
    while stack:
        item, inherited, depth = stack.pop()
        if isinstance(item, Ref):
            if item in seen:
                continue
            seen.add(item)
        found = doc.resolve(item)
        if not isinstance(found, dict) or depth > _MAX_DEPTH:
            continue
        kind = found.get(Name(b"/FT"), inherited)
        if kind == b"/Sig" and isinstance(doc.resolve(found.get(Name(b"/V"))), dict):
            return True
        kids = doc.resolve(found.get(Name(b"/Kids")))
        if isinstance(kids, list | Refs):
            stack.extend((kid, kind, depth + 1) for kid in kids)
    return False


def certification(doc: Document) -> int | None:
    """The DocMDP permission level (1: no changes, 2: forms and signing, 3: also annotations)
    when a signature certifies the document (catalog /Perms /DocMDP); None otherwise. Adding
    page content, as a watermark does, is allowed at none of them."""
    root = doc.resolve(doc.trailer.get(Name(b"/Root")))
    perms = doc.resolve(root.get(Name(b"/Perms"))) if isinstance(root, dict) else None
    signature = doc.resolve(perms.get(Name(b"/DocMDP"))) if isinstance(perms, dict) else None
    if not isinstance(signature, dict):
        return None
    references = doc.resolve(signature.get(Name(b"/Reference")))
    for item in references if isinstance(references, list) else []:
        found = doc.resolve(item)
        if isinstance(found, dict) and found.get(Name(b"/TransformMethod")) == b"/DocMDP":
            params = doc.resolve(found.get(Name(b"/TransformParams")))
            level = number(params.get(Name(b"/P"))) if isinstance(params, dict) else None
            return int(level) if level in (1.0, 2.0, 3.0) else 2  # 2 when absent, says ISO 32000
    return 2


@dataclass
class Plan:
    """What blanking the earlier versions takes: the spans to overwrite, the object streams
    blanked that the newest revision still names (to declare free), and the objects in use
    that were inside them (to write again)."""

    spans: array[int] = field(default_factory=lambda: array("q"))  # start, end, start, end …
    streams: set[int] = field(default_factory=set)  # offsets of the object streams blanked
    freed: dict[int, int] = field(default_factory=dict)  # object stream -> its generation
    rewrite: list[tuple[int, int, int]] = field(default_factory=list)  # number, stream, index


def plan(doc: Document, replaced: bytearray) -> Plan:
    """Every version of an object that the newest revision does not use, and every version of
    a ``replaced`` object (``replaced[n]`` true): where to blank them. PdfSyntaxError when one
    cannot be found where its section says."""
    data = doc.data
    sections = doc.sections
    xref_streams = {section.at for section in sections if section.stream >= 0}
    result = Plan()
    streams: set[tuple[int, int]] = set()  # (section position, object stream number)
    for position, section in enumerate(sections):
        # The newest section's entries are all in use: only the replaced ones are old.
        entries = _replaced_entries(doc, replaced) if position == 0 else section.listed(data)
        for num, place in entries:
            if place.offset < 0 and place.stream < 0:
                continue  # free
            if place.offset in xref_streams:
                continue  # a cross-reference stream: the chain needs it
            gone = num < len(replaced) and replaced[num]
            current = doc.locate(num)
            if not gone and current is not None and current[1] == place:
                continue  # in use, unchanged (a later section may list it again, same place)
            if place.stream >= 0:
                streams.add((position, place.stream))
            else:
                result.spans.extend(doc.object_span(place.offset, Ref(num, place.generation)))
    for position, stream in sorted(streams):
        _blank_stream(doc, replaced, position, stream, result)
    return result


def _replaced_entries(doc: Document, replaced: bytearray) -> Iterator[tuple[int, Located]]:
    """The newest section's entries for the replaced objects."""
    section = doc.sections[0]
    num = replaced.find(1)
    while num >= 0:
        place = section.get(doc.data, num)
        if place is not None:
            yield num, place
        num = replaced.find(1, num + 1)


def _blank_stream(
    doc: Document, replaced: bytearray, position: int, stream: int, out: Plan
) -> None:
    """Blank object stream ``stream`` as section ``position`` saw it; if it is the one in use,
    free its number and write again the objects still in use inside it."""
    seen = _locate_from(doc, position, stream)
    current = doc.locate(stream)
    if seen is None or seen.offset < 0 or current is None:
        raise PdfSyntaxError(f"object stream {stream} missing")
    if seen.offset in out.streams:
        return
    out.streams.add(seen.offset)
    out.spans.extend(doc.object_span(seen.offset, Ref(stream, seen.generation)))
    if current[1] != seen:
        raise PdfSyntaxError(f"object stream {stream} was replaced by a later revision")
    out.freed[stream] = seen.generation
    _, numbers, _ = doc.object_stream(stream)
    for index in range(len(numbers) // 2):
        num = numbers[2 * index]
        if num < len(replaced) and replaced[num]:
            continue
        found = doc.locate(num)
        if found is not None and found[1] == Located(stream=stream, index=index):
            out.rewrite.append((num, stream, index))


def _locate_from(doc: Document, position: int, number: int) -> Located | None:
    """Where ``number`` was as the revision of section ``position`` saw it (a hybrid file's
    /XRefStm section shares its revision with the table before it)."""
    if doc.sections[position].hybrid:
        position -= 1
    for section in doc.sections[position:]:
        found = section.get(doc.data, number)
        if found is not None:
            return found
    return None


def object_text(doc: Document, stream: int, index: int) -> bytes:
    """The text of the ``index``-th object of object stream ``stream``, as stored there: up to
    the next object's offset (not parsed)."""
    text, numbers, first = doc.object_stream(stream)
    start = first + numbers[2 * index + 1]
    following = [first + at for at in numbers[1::2] if first + at > start]
    return text[start : min(following, default=len(text))].strip()
