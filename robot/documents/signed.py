"""The watermark on a digitally signed PDF: an incremental update written by pyHanko.

The signature covers the original bytes, so they stay as they are: pyHanko's
``IncrementalPdfFileWriter`` appends the stamp, each page's content as a new form XObject, the
new version of each page dictionary and a cross-reference section of the original's kind. The
pages are read with qpdf (pikepdf), which has the file open already: its page list (inherited
attributes, damaged trees repaired before this path is chosen) and its objects, mirrored into
pyHanko's objects where the update writes them, are several times faster than pyHanko's own
reader, whose lookup also starts from the root for every page. The unmarked signed version stays
inside the output; the manifest says so.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import pikepdf
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from robot.documents.active import clean_annotations, clean_catalog
from robot.documents.fullcopy import PAGE_NAME, STAMP_NAME, draw_operators, resources_identity
from robot.documents.geometry import (
    DEFAULT_MEDIA,
    Box,
    Matrix,
    PageView,
    box,
    inherited,
    page_view,
)

D = TypeVar("D", bound=generic.DictionaryObject)


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


def signed_update(
    pdf: pikepdf.Pdf,
    data: bytes,
    stamp_pdf: bytes,
    matrix_for: Callable[[PageView, float, float], Matrix],
    *,
    clean: bool = True,
) -> tuple[bytes, int]:
    """``data`` (the file ``pdf`` was opened from) followed by an update that draws page 1 of
    ``stamp_pdf`` on every page at ``matrix_for(page view, stamp width, stamp height)``;
    returns the output and the page count. As in the full copy, each page's own content becomes
    a form XObject drawn first (its graphics state cannot reach the stamp), and a page with
    annotations gets the stamp once more as a watermark annotation after them, so none is drawn
    over it. ``clean``: what could run code or carry another document is removed from the new
    revision (``remove_active_content`` has taken it out of ``pdf``'s objects already)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    form = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(stamp_pdf)))
    x0, y0, x1, y1 = (float(v) for v in form.get_object()["/BBox"])
    first = writer.add_object(generic.StreamObject(stream_data=f"q {PAGE_NAME} Do Q\n".encode()))
    draws: dict[Matrix, generic.IndirectObject] = {}
    forms: dict[tuple[object, ...], generic.IndirectObject] = {}
    if clean:
        clean_catalog(writer.root, writer)
    for page in pdf.pages:
        view = page_view(page.obj)
        matrix = matrix_for(view, x1 - x0, y1 - y0)
        draw = draws.get(matrix)
        if draw is None:
            stream = generic.StreamObject(stream_data=draw_operators(STAMP_NAME, matrix))
            draw = draws[matrix] = writer.add_object(stream)
        items = page.obj.items()  # no /AA when ``clean``: qpdf's page has none now
        new = generic.DictionaryObject(
            {generic.NameObject(k): _mirror(v, writer) for k, v in items}
        )
        original = _page_form(writer, page.obj, forms)
        new["/Resources"] = _xobjects({PAGE_NAME: original, STAMP_NAME: form})
        new["/Contents"] = generic.ArrayObject([first, draw])
        annots = page.obj.get("/Annots")
        if isinstance(annots, pikepdf.Array) and len(annots):
            kept = [_mirror(annot, writer) for annot in annots]
            if clean:
                kept = clean_annotations(kept, [], writer)
            on_top = _watermark_annotation(writer, view, form, matrix)
            new["/Annots"] = generic.ArrayObject([*kept, on_top])
        number, generation = page.obj.objgen
        writer.objects[(generation, number)] = new  # the page's new version, in the update
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(pdf.pages)


def _page_form(
    writer: IncrementalPdfFileWriter,
    page: pikepdf.Dictionary,
    forms: dict[tuple[object, ...], generic.IndirectObject],
) -> generic.IndirectObject:
    """The page's own content as a new form XObject with the page's resources: one content
    stream keeps its encoded data (not decoded), several are decoded and joined. Pages with
    the same content and resources share one form."""
    contents = page.get("/Contents")
    parts = contents if isinstance(contents, pikepdf.Array) else [contents]
    streams = [part for part in parts if isinstance(part, pikepdf.Stream)]
    found = inherited(page, "/Resources")
    resources = found if isinstance(found, pikepdf.Dictionary) else pikepdf.Dictionary()
    media = box(inherited(page, "/MediaBox")) or DEFAULT_MEDIA
    key = (*(stream.objgen for stream in streams), resources_identity(resources), media)
    if key in forms:
        return forms[key]
    if len(streams) == 1:
        kept = {
            k: _mirror(streams[0][k], writer)
            for k in ("/Filter", "/DecodeParms")
            if k in streams[0]
        }
        stream = _set(generic.StreamObject(encoded_data=streams[0].read_raw_bytes()), kept)
    else:
        stream = generic.StreamObject(stream_data=b"\n".join(s.read_bytes() for s in streams))
    forms[key] = writer.add_object(_form(stream, media, _mirror(resources, writer)))
    return forms[key]


def _watermark_annotation(
    writer: IncrementalPdfFileWriter, view: PageView, form: generic.IndirectObject, matrix: Matrix
) -> generic.IndirectObject:
    """A printable /Watermark annotation over the visible page whose appearance is the stamp
    where the page's content has it: listed last, it is drawn above every other annotation."""
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


def _xobjects(named: dict[str, generic.PdfObject]) -> generic.DictionaryObject:
    """A resources dictionary holding these form XObjects and nothing else."""
    return generic.DictionaryObject({"/XObject": generic.DictionaryObject(named)})


def _mirror(value: object, writer: IncrementalPdfFileWriter) -> Any:
    """A pikepdf value as a pyHanko object: a reference stays a reference (to the object of
    the signed original), a direct value is copied. Without recursion: qpdf reads direct
    objects nested 499 levels deep, more than Python's stack takes."""
    top: list[Any] = [None]
    stack: list[tuple[object, Any, Any]] = [(value, top, 0)]
    while stack:
        item, into, key = stack.pop()
        if isinstance(item, pikepdf.Object) and item.is_indirect:
            made: Any = generic.IndirectObject(*item.objgen, writer)
        elif isinstance(item, pikepdf.Dictionary):
            made = generic.DictionaryObject()
            stack.extend((v, made, generic.NameObject(k)) for k, v in item.items())
        elif isinstance(item, pikepdf.Array):
            made = generic.ArrayObject([None] * len(item))
            stack.extend((v, made, index) for index, v in enumerate(item))
        else:
            found = (make(item) for kind, make in _SCALARS if isinstance(item, kind))
            made = next(found, generic.NullObject())
        into[key] = made
    return top[0]


_SCALARS: tuple[tuple[Any, Callable[[Any], generic.PdfObject]], ...] = (
    (pikepdf.Name, lambda name: generic.NameObject(str(name))),
    (pikepdf.String, lambda text: generic.ByteStringObject(bytes(text))),
    (bool, generic.BooleanObject),
    (int, generic.NumberObject),
    (Decimal, generic.FloatObject),
)
