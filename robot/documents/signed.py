"""The watermark on a digitally signed PDF: an incremental update written by pyHanko.

The signature covers the original bytes, so they stay as they are: pyHanko's
``IncrementalPdfFileWriter`` appends the stamp, each page's content as a new form XObject, the
new version of each page dictionary and a cross-reference section of the original's kind. The
page tree is walked once here, passing inherited resources, boxes and /Rotate down (pyHanko's
own page lookup starts from the root for every page, and its resource merging loses or refuses
some layouts). The unmarked signed version stays inside the output; the manifest says so.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import pikepdf
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from robot.documents.active import AUTOMATIC, clean_annotations, clean_catalog, resolved
from robot.documents.fullcopy import PAGE_NAME, STAMP_NAME, draw_operators
from robot.documents.geometry import DEFAULT_MEDIA, Box, Matrix, PageView, box, view_of

D = TypeVar("D", bound=generic.DictionaryObject)
_MAX_DEPTH = 64  # page-tree depth; a malformed tree may loop
_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


def is_signed(pdf: pikepdf.Pdf) -> bool:
    """Whether a form field of type /Sig (its own or inherited, as qpdf reads the form's field
    tree) carries a value, a signature dictionary: then the signed bytes must stay as they are
    for the signature to verify."""
    return any(
        field.field_type == pikepdf.Name.Sig and isinstance(field.value, pikepdf.Dictionary)
        for field in pdf.acroform.fields
    )


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
    resources: generic.PdfObject | None  # as the page has it, inherited if need be
    media: Box
    view: PageView


def signed_update(
    data: bytes,
    stamp_pdf: bytes,
    matrix_for: Callable[[PageView, float, float], Matrix],
    *,
    clean: bool = True,
) -> tuple[bytes, int, list[str]]:
    """``data`` followed by an update that draws page 1 of ``stamp_pdf`` on every page at
    ``matrix_for(page view, stamp width, stamp height)``; returns the output, the page count
    and what was removed (Spanish, for the manifest). As in the full copy, each page's own
    content becomes a form XObject drawn first (its graphics state cannot reach the stamp),
    and what could run code or carry another document is removed from the new revision; a
    page with annotations gets the stamp once more as a watermark annotation after them, so
    none is drawn over it. ``clean=False``: the caller knows there is nothing to remove
    (pyHanko reads every annotation to look, qpdf several times faster)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    form = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(stamp_pdf)))
    x0, y0, x1, y1 = (float(v) for v in form.get_object()["/BBox"])
    first = writer.add_object(generic.StreamObject(stream_data=f"q {PAGE_NAME} Do Q\n".encode()))
    draws: dict[Matrix, generic.IndirectObject] = {}
    forms: dict[tuple[object, ...], generic.IndirectObject] = {}
    removed = clean_catalog(writer.root, writer) if clean else []
    count = 0
    for page in _pages(writer):
        matrix = matrix_for(page.view, x1 - x0, y1 - y0)
        draw = draws.get(matrix)
        if draw is None:
            stream = generic.StreamObject(stream_data=draw_operators(STAMP_NAME, matrix))
            draw = draws[matrix] = writer.add_object(stream)
        original = _page_form(writer, page, forms)
        page.page["/Resources"] = _xobjects({PAGE_NAME: original, STAMP_NAME: form})
        page.page["/Contents"] = generic.ArrayObject([first, draw])
        if clean and "/AA" in page.page:
            del page.page["/AA"]
            removed.append(AUTOMATIC)
        annots = resolved(page.page.get("/Annots"))
        if isinstance(annots, generic.ArrayObject) and len(annots):
            kept = _raw_items(annots)
            if clean:
                kept = clean_annotations(kept, removed, writer)
            on_top = _watermark_annotation(writer, page, form, matrix)
            page.page["/Annots"] = generic.ArrayObject([*kept, on_top])
        writer.mark_update(page.ref)
        count += 1
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), count, sorted(set(removed), key=removed.index)


def _page_form(
    writer: IncrementalPdfFileWriter,
    page: _Page,
    forms: dict[tuple[object, ...], generic.IndirectObject],
) -> generic.IndirectObject:
    """The page's own content as a new form XObject with the page's resources: one content
    stream keeps its encoded data (not decoded), several are decoded and joined. Pages with
    the same content and resources share one form."""
    parts = _contents(page.page)
    key = (*map(_identity, parts), _identity(page.resources), page.media)
    if key in forms:
        return forms[key]
    streams = [s for s in (p.get_object() for p in parts) if isinstance(s, generic.StreamObject)]
    if len(streams) == 1:
        kept = {k: streams[0].raw_get(k) for k in ("/Filter", "/DecodeParms") if k in streams[0]}
        stream = _set(generic.StreamObject(encoded_data=streams[0].encoded_data), kept)
    else:
        stream = generic.StreamObject(stream_data=b"\n".join(s.data for s in streams))
    resources = page.resources if page.resources is not None else _xobjects({})
    forms[key] = writer.add_object(_form(stream, page.media, resources))
    return forms[key]


def _watermark_annotation(
    writer: IncrementalPdfFileWriter, page: _Page, form: generic.IndirectObject, matrix: Matrix
) -> generic.IndirectObject:
    """A printable /Watermark annotation over the visible page whose appearance is the stamp
    where the page's content has it: listed last, it is drawn above every other annotation."""
    view = page.view
    rect = (view.x0, view.y0, view.x1, view.y1)
    look = generic.StreamObject(stream_data=draw_operators(STAMP_NAME, matrix))
    appearance = writer.add_object(_form(look, rect, _xobjects({STAMP_NAME: form})))
    annot: dict[str, generic.PdfObject] = {
        "/Type": generic.NameObject("/Annot"),
        "/Subtype": generic.NameObject("/Watermark"),
        "/Rect": _numbers(rect),
        "/F": generic.NumberObject(4),  # printed
        "/AP": generic.DictionaryObject({"/N": appearance}),
    }
    return writer.add_object(generic.DictionaryObject(annot))


def _form(
    stream: generic.StreamObject, bbox: Box, resources: generic.PdfObject
) -> generic.StreamObject:
    """``stream`` made a form XObject."""
    entries = {"/Type": generic.NameObject("/XObject"), "/Subtype": generic.NameObject("/Form")}
    return _set(stream, {**entries, "/BBox": _numbers(bbox), "/Resources": resources})


def _set(target: D, entries: dict[str, generic.PdfObject]) -> D:
    for key, value in entries.items():
        target[generic.NameObject(key)] = value
    return target


def _numbers(values: Box) -> generic.ArrayObject:
    return generic.ArrayObject(generic.FloatObject(v) for v in values)


def _identity(obj: object) -> object:
    return obj.idnum if isinstance(obj, generic.IndirectObject) else id(obj)


def _xobjects(named: dict[str, generic.PdfObject]) -> generic.DictionaryObject:
    """A resources dictionary holding these form XObjects and nothing else."""
    return generic.DictionaryObject({"/XObject": generic.DictionaryObject(named)})


def _raw_items(array: generic.ArrayObject) -> list[generic.PdfObject]:
    return [array.raw_get(i) for i in range(len(array))]


def _contents(page: generic.DictionaryObject) -> list[generic.PdfObject]:
    """The page's content streams, as references (an indirect array taken apart)."""
    if "/Contents" not in page:
        return []
    raw = page.raw_get("/Contents")
    found = raw.get_object() if isinstance(raw, generic.IndirectObject) else raw
    if isinstance(found, generic.ArrayObject):
        return _raw_items(found)
    return [raw]


def _pages(writer: IncrementalPdfFileWriter) -> Iterator[_Page]:
    """Every page, in order, once, with what it inherits from the page tree."""
    root = writer.root.raw_get("/Pages")
    stack: list[tuple[generic.PdfObject, dict[str, object], int]] = [(root, {}, 0)]
    seen: set[int] = set()
    while stack:
        ref, inherited, depth = stack.pop()
        if not isinstance(ref, generic.IndirectObject) or ref.idnum in seen:
            continue
        seen.add(ref.idnum)
        node = ref.get_object()
        if not isinstance(node, generic.DictionaryObject) or depth > _MAX_DEPTH:
            continue
        here = {**inherited, **{key: node.raw_get(key) for key in _INHERITED if key in node}}
        kids = resolved(node.get("/Kids"))  # dict.get: pyHanko resolves only with [ ]
        if node.get("/Type") == "/Pages" or isinstance(kids, generic.ArrayObject):
            children = _raw_items(kids) if isinstance(kids, generic.ArrayObject) else []
            stack.extend((kid, here, depth + 1) for kid in reversed(children))
            continue
        yield _page(ref, node, here)


def _page(
    ref: generic.IndirectObject, page: generic.DictionaryObject, inherited: dict[str, object]
) -> _Page:
    raw = inherited.get("/Resources")
    dictionary = isinstance(resolved(raw), generic.DictionaryObject)
    resources = raw if dictionary and isinstance(raw, generic.PdfObject) else None
    media = _box(inherited, "/MediaBox")
    view = view_of(media, _box(inherited, "/CropBox"), resolved(inherited.get("/Rotate")))
    return _Page(ref, page, resources, media or DEFAULT_MEDIA, view)


def _box(inherited: dict[str, object], key: str) -> Box | None:
    raw = resolved(inherited.get(key))
    return box([resolved(v) for v in raw]) if isinstance(raw, generic.ArrayObject) else None
