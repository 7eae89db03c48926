"""The watermark on a digitally signed PDF: an incremental update written by pyHanko.

The signature covers the original bytes, so they stay as they are: pyHanko's
``IncrementalPdfFileWriter`` appends the stamp, the new version of each page dictionary (and of
each resources dictionary that gets the stamp, once when pages share it) and a cross-reference
section of the original's kind. The page tree is walked once here, passing inherited
resources, boxes and /Rotate down (pyHanko's own page lookup starts from the root for every
page, and its resource merging loses or refuses some layouts). The unmarked signed version
stays inside the output; the manifest says so.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pikepdf
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from robot.documents.fullcopy import draw_operators, free_name
from robot.documents.geometry import Box, Matrix, PageView, box, view_of

_MAX_DEPTH = 64  # page-tree and form-field depth; a malformed tree may loop
_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


def is_signed(pdf: pikepdf.Pdf) -> bool:
    """Whether a form field of type /Sig (its own or inherited) carries a value, a signature
    dictionary: then the signed bytes must stay as they are for the signature to verify."""
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


def certification(pdf: pikepdf.Pdf) -> int | None:
    """The DocMDP permission level (1: no changes, 2: forms and signing, 3: also annotations)
    when a signature certifies the document (catalog /Perms /DocMDP); None otherwise. Adding
    page content, as a watermark does, is allowed at none of them."""
    perms = pdf.Root.get("/Perms")
    signature = perms.get("/DocMDP") if isinstance(perms, pikepdf.Dictionary) else None
    if not isinstance(signature, pikepdf.Dictionary):
        return None
    references = signature.get("/Reference")
    for found in references if isinstance(references, pikepdf.Array) else []:
        if isinstance(found, pikepdf.Dictionary) and found.get("/TransformMethod") == "/DocMDP":
            params = found.get("/TransformParams")
            level = params.get("/P") if isinstance(params, pikepdf.Dictionary) else None
            return int(level) if level in (1, 2, 3) else 2  # 2 when absent, says ISO 32000
    return 2


@dataclass
class _Page:
    ref: generic.IndirectObject
    page: generic.DictionaryObject
    resources: generic.DictionaryObject | None
    holder: generic.IndirectObject  # the object whose update carries a change to resources
    view: PageView


def signed_update(
    data: bytes, stamp_pdf: bytes, matrix_for: Callable[[PageView, float, float], Matrix]
) -> tuple[bytes, int]:
    """``data`` followed by an update that draws page 1 of ``stamp_pdf`` on every page at
    ``matrix_for(page view, stamp width, stamp height)``; returns the output and the page
    count."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    form = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(stamp_pdf)))
    x0, y0, x1, y1 = (float(v) for v in form.get_object()["/BBox"])
    push = writer.add_object(generic.StreamObject(stream_data=b"q\n"))
    draws: dict[tuple[str, Matrix], generic.IndirectObject] = {}
    names: dict[int, str] = {}  # id of an /XObject dictionary -> the stamp's name there
    count = 0
    for page in _pages(writer):
        name = _add_form(writer, page, form, names)
        matrix = matrix_for(page.view, x1 - x0, y1 - y0)
        draw = draws.get((name, matrix))
        if draw is None:
            stream = generic.StreamObject(stream_data=draw_operators(name, matrix))
            draw = draws[(name, matrix)] = writer.add_object(stream)
        page.page["/Contents"] = generic.ArrayObject([push, *_contents(page.page), draw])
        writer.mark_update(page.ref)
        count += 1
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), count


def _contents(page: generic.DictionaryObject) -> list[generic.PdfObject]:
    """The page's content streams, as references (an indirect array taken apart)."""
    if "/Contents" not in page:
        return []
    raw = page.raw_get("/Contents")
    found = raw.get_object() if isinstance(raw, generic.IndirectObject) else raw
    if isinstance(found, generic.ArrayObject):
        return [found.raw_get(i) for i in range(len(found))]
    return [raw]


def _add_form(
    writer: IncrementalPdfFileWriter,
    page: _Page,
    form: generic.IndirectObject,
    names: dict[int, str],
) -> str:
    """Put ``form`` in the /XObject dictionary of the page's resources (once per dictionary)
    and mark the object that holds that dictionary as updated; returns the name it has."""
    resources, holder = page.resources, page.holder
    if resources is None:
        resources = page.page["/Resources"] = generic.DictionaryObject()
        holder = page.ref
    if "/XObject" in resources and isinstance(
        raw := resources.raw_get("/XObject"), generic.IndirectObject
    ):
        xobjects, holder = raw.get_object(), raw
    elif isinstance(resources.get("/XObject"), generic.DictionaryObject):
        xobjects = resources["/XObject"]
    else:
        xobjects = resources["/XObject"] = generic.DictionaryObject()
    if not isinstance(xobjects, generic.DictionaryObject):  # an indirect non-dictionary
        xobjects = resources["/XObject"] = generic.DictionaryObject()
        holder = page.holder if page.resources is not None else page.ref
    known = names.get(id(xobjects))
    if known is not None:
        return known
    name = free_name({str(key) for key in xobjects})
    xobjects[name] = form
    names[id(xobjects)] = name
    writer.mark_update(holder)
    return name


def _pages(writer: IncrementalPdfFileWriter) -> Iterator[_Page]:
    """Every page, in order, once, with what it inherits from the page tree."""
    root = writer.root.raw_get("/Pages")
    stack: list[tuple[generic.PdfObject, dict[str, tuple[object, object]], int]] = [(root, {}, 0)]
    seen: set[int] = set()
    while stack:
        ref, inherited, depth = stack.pop()
        if not isinstance(ref, generic.IndirectObject) or ref.idnum in seen:
            continue
        seen.add(ref.idnum)
        node = ref.get_object()
        if not isinstance(node, generic.DictionaryObject) or depth > _MAX_DEPTH:
            continue
        here = dict(inherited)
        for key in _INHERITED:
            if key in node:
                here[key] = (node.raw_get(key), ref)
        kids = node.get("/Kids")
        if node.get("/Type") == "/Pages" or isinstance(kids, generic.ArrayObject):
            children = (
                [kids.raw_get(i) for i in range(len(kids))]
                if isinstance(kids, generic.ArrayObject)
                else []
            )
            stack.extend((kid, here, depth + 1) for kid in reversed(children))
            continue
        yield _page(ref, node, here)


def _page(
    ref: generic.IndirectObject,
    page: generic.DictionaryObject,
    inherited: dict[str, tuple[object, object]],
) -> _Page:
    resources: generic.DictionaryObject | None = None
    holder = ref
    raw, node = inherited.get("/Resources", (None, ref))
    if isinstance(raw, generic.IndirectObject):
        found = raw.get_object()
        if isinstance(found, generic.DictionaryObject):
            resources, holder = found, raw
    elif isinstance(raw, generic.DictionaryObject):
        resources = raw
        holder = node if isinstance(node, generic.IndirectObject) else ref
    turn = _resolved(inherited.get("/Rotate", (None, None))[0])
    rotate = int(turn) if isinstance(turn, int | float) else 0
    view = view_of(_box(inherited, "/MediaBox"), _box(inherited, "/CropBox"), rotate)
    return _Page(ref, page, resources, holder, view)


def _resolved(value: object) -> object:
    return value.get_object() if isinstance(value, generic.IndirectObject) else value


def _box(inherited: dict[str, tuple[object, object]], key: str) -> Box | None:
    raw = _resolved(inherited.get(key, (None, None))[0])
    return box([_resolved(v) for v in raw]) if isinstance(raw, generic.ArrayObject) else None
