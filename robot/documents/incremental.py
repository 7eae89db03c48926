"""The watermark saved as an incremental update: the original bytes followed by the new and
changed objects and a cross-reference section that points back to the original's.

This is how PDF editors add annotations and signatures: readers take the newest version of each
object, and the cost is the changed objects only, not a rewrite of the document. But the
original revisions stay in the file: cut at their ``%%EOF``, the output is the unmarked
original. So with ``keep_original`` (a signed PDF, whose signature covers those bytes) they stay
byte for byte; otherwise every version the new revision no longer uses is overwritten with
spaces of the same length (``revisions.py``), which leaves the old revisions without pages.

Everything here is read with :mod:`robot.documents.pdfsyntax` one page at a time and written as
it goes: memory is the update itself (a few hundred bytes per page) and a few bytes per object,
not a parsed copy of the document. :func:`stamp_update` returns the output as
:class:`~robot.documents.parts.Parts`: the original ``bytes`` object itself (or a
:class:`~robot.documents.parts.Blanked` description of it), then the update. It raises
:class:`~robot.documents.pdfsyntax.PdfSyntaxError` when the file is not one it can read as it
is; the caller then leaves the file to qpdf (a full copy).
"""

from __future__ import annotations

import hashlib
import zlib
from array import array
from collections.abc import Callable, Container

import pikepdf

from robot.documents.geometry import Matrix, PageView
from robot.documents.pagetree import RESOURCES, Page, pages
from robot.documents.parts import Blanked, Part, Parts
from robot.documents.pdfsyntax import (
    Document,
    Name,
    PdfSyntaxError,
    Ref,
    Stream,
    Token,
    Value,
    serialize,
)
from robot.documents.revisions import object_text, plan
from robot.documents.stampcopy import copy_objects

_ARTIFACT = b"/Artifact <</Type /Pagination /Subtype /Watermark>> BDC\n"
CONTENTS = Name(b"/Contents")
XOBJECT = Name(b"/XObject")
_STAMP_NAME = b"/SecopWM"
_PER_OBJECT_STREAM = 100  # objects written again are packed in object streams of this many
_FREE, _PLAIN, _PACKED = 0, 1, 2  # cross-reference entry types


def draw_operators(name: bytes, matrix: str) -> bytes:
    """The stream drawn after a page's own content: close its ``q``, then the stamp ``name``
    with ``matrix``, marked as a watermark artifact (screen readers skip it)."""
    return b"Q\n" + _ARTIFACT + b"q %s cm %s Do Q\nEMC\n" % (matrix.encode(), name)


def free_name(xobjects: Container[bytes] | None) -> bytes:
    """The first of /SecopWM, /SecopWM1 … not already a key of ``xobjects`` (names as
    written, with their ``/``)."""
    name, n = _STAMP_NAME, 0
    while xobjects is not None and name in xobjects:
        n += 1
        name = b"%s%d" % (_STAMP_NAME, n)
    return name


def stamp_update(
    doc: Document,
    form: pikepdf.Object,
    matrix_for: Callable[[PageView], Matrix],
    *,
    version: str | None = None,
    keep_original: bool = False,
) -> tuple[Parts, int]:
    """The document read by ``doc``, with ``form`` (a form XObject of another, small document)
    drawn on every page with the matrix ``matrix_for`` gives its view, and ``version`` declared
    in the catalog if the file is older; the earlier versions blanked unless
    ``keep_original``. Returns the output and the page count."""
    update = _Update(doc)
    update.form = Ref(update.copy(form), 0)
    push = Ref(update.new_stream(b"q\n"), 0)
    draws: dict[tuple[bytes, str], Ref] = {}
    count = 0
    for page in pages(doc):
        count += 1
        new_page = dict(page.page)
        name = update.place_form(page, new_page)
        numbers = " ".join(f"{v:.4f}" for v in matrix_for(page.view))
        draw = draws.get((name, numbers))
        if draw is None:
            draw = draws[(name, numbers)] = Ref(update.new_stream(draw_operators(name, numbers)), 0)
        new_page[CONTENTS] = [push, *_contents(doc, page.page.get(CONTENTS)), draw]
        update.replace(page.ref, new_page)
    if count == 0:
        raise PdfSyntaxError("no pages")
    if version is not None:
        update.declare_version(version)
    original: Part = doc.data
    if not keep_original:
        original = update.blank_earlier_versions()
    return update.finish(original), count


def _contents(doc: Document, original: Value | None) -> list[Value]:
    """The page's own content streams, as references (an indirect array taken apart)."""
    if original is None:
        return []
    if isinstance(original, Ref):
        found = doc.get(original)
        if isinstance(found, list):
            return found
        if isinstance(found, Stream):
            return [original]
        raise PdfSyntaxError("page /Contents is not a stream")
    if isinstance(original, list):
        return original
    raise PdfSyntaxError("page /Contents is not a stream or an array")


class _Update:
    """The objects of one update, serialised into one buffer as they are made, and their
    cross-reference entries in four flat arrays."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.next_number = doc.size
        self.form = Ref(0, 0)
        self.body = bytearray()
        self.numbers: array[int] = array("q")
        self.kinds = bytearray()
        self.field2: array[int] = array("q")  # offset in the body, or object stream
        self.field3: array[int] = array("q")  # generation, or index in the object stream
        self.replaced = bytearray(doc.size)  # replaced[n]: the original's object n written again
        self.names: dict[Ref, bytes] = {}  # shared holder of the stamp -> its name there
        self.pending: list[tuple[int, bytes]] = []  # objects waiting for an object stream

    def _allocate(self) -> int:
        self.next_number += 1
        return self.next_number - 1

    def _entry(self, number: int, kind: int, two: int, three: int) -> None:
        self.numbers.append(number)
        self.kinds.append(kind)
        self.field2.append(two)
        self.field3.append(three)

    def _emit(self, number: int, generation: int, text: bytes) -> None:
        self._entry(number, _PLAIN, len(self.body), generation)
        self.body += b"%d %d obj\n" % (number, generation)
        self.body += text
        self.body += b"\nendobj\n"

    def new_stream(self, content: bytes, head: bytes = b"") -> int:
        number = self._allocate()
        self._emit(
            number, 0, b"<< %s/Length %d >>\nstream\n%s\nendstream" % (head, len(content), content)
        )
        return number

    def copy(self, form: pikepdf.Object) -> int:
        root, texts = copy_objects(form, self._allocate)
        for number, text in texts:
            self._emit(number, 0, text)
        return root

    def replace(self, ref: Ref, value: dict[Name, Value]) -> None:
        """Write a new version of the original's object ``ref``."""
        number = ref.number
        if not 0 < number < len(self.replaced) or self.replaced[number]:
            raise PdfSyntaxError(f"object {number} would be written twice")
        self.replaced[number] = 1
        self._object(number, ref.generation, serialize(value))

    def _object(self, number: int, generation: int, text: bytes) -> None:
        """An object that is not a stream: packed into an object stream when the file uses
        cross-reference streams (compressed, as the original had it), else written plain."""
        if not self.doc.uses_streams or generation != 0:
            self._emit(number, generation, text)
            return
        self.pending.append((number, text))
        if len(self.pending) == _PER_OBJECT_STREAM:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            self._pack(self.pending)
            self.pending = []

    def place_form(self, page: Page, new_page: dict[Name, Value]) -> bytes:
        """Add the stamp to the /XObject resources the page uses: in ``new_page`` when the page
        holds them itself, else in a new version of the innermost indirect object holding
        them, written once for all the pages that share it. Returns the stamp's name there."""
        doc, form = self.doc, self.form
        if page.resources is None:  # no resources at all: the page gets its own
            new_page[RESOURCES] = {XOBJECT: {Name(_STAMP_NAME): form}}
            return _STAMP_NAME
        resources = doc.resolve(page.resources)
        if not isinstance(resources, dict):
            raise PdfSyntaxError("page /Resources is not a dictionary")
        found = resources.get(XOBJECT)
        if isinstance(found, Ref):
            xobjects = doc.get(found)
            if not isinstance(xobjects, dict):
                raise PdfSyntaxError("/XObject is not a dictionary")
            return self._shared(found, lambda name: {**xobjects, Name(name): form}, xobjects)
        inline = found if isinstance(found, dict) else {}

        def with_stamp(name: bytes) -> dict[Name, Value]:
            return {**resources, XOBJECT: {**inline, Name(name): form}}

        if isinstance(page.resources, Ref):
            return self._shared(page.resources, with_stamp, inline)
        if page.holder == page.ref:
            name = free_name(inline)
            new_page[RESOURCES] = with_stamp(name)
            return name
        holder = page.holder_dict
        return self._shared(
            page.holder, lambda name: {**holder, RESOURCES: with_stamp(name)}, inline
        )

    def _shared(
        self,
        ref: Ref,
        build: Callable[[bytes], dict[Name, Value]],
        xobjects: dict[Name, Value],
    ) -> bytes:
        name = self.names.get(ref)
        if name is None:
            name = self.names[ref] = free_name(xobjects)
            self.replace(ref, build(name))
        return name

    def declare_version(self, version: str) -> None:
        doc = self.doc
        root_ref = doc.trailer.get(Name(b"/Root"))
        catalog = doc.resolve(root_ref)
        if not isinstance(root_ref, Ref) or not isinstance(catalog, dict):
            raise PdfSyntaxError("no catalog")
        header = doc.data[5:8].decode("latin-1")
        declared = catalog.get(Name(b"/Version"))
        said = declared[1:].decode("latin-1") if isinstance(declared, Name) else header
        if _as_tuple(said) < _as_tuple(version) and _as_tuple(header) < _as_tuple(version):
            self.replace(root_ref, {**catalog, Name(b"/Version"): Name(b"/" + version.encode())})

    def blank_earlier_versions(self) -> Blanked:
        """Blank what the new revision does not use; write again, packed in new object
        streams where the file uses them, the objects in use that were in a blanked one."""
        doc = self.doc
        found = plan(doc, self.replaced)
        for stream, generation in found.freed.items():
            self._entry(stream, _FREE, 0, min(generation + 1, 65535))
        for number, stream, index in found.rewrite:
            self._object(number, 0, object_text(doc, stream, index))
        return Blanked.of(doc.data, found.spans)

    def _pack(self, batch: list[tuple[int, bytes]]) -> None:
        head, texts, at = [], [], 0
        for number, text in batch:
            head.append(b"%d %d" % (number, at))
            texts.append(text)
            at += len(text) + 1
        header = b" ".join(head) + b"\n"
        content = zlib.compress(header + b"\n".join(texts) + b"\n")
        stream = self.new_stream(
            content,
            b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode " % (len(batch), len(header)),
        )
        for index, (number, _) in enumerate(batch):
            self._entry(number, _PACKED, stream, index)

    def finish(self, original: Part) -> Parts:
        """``original``, then the update: the objects written so far and the
        cross-reference."""
        self._flush()
        doc = self.doc
        data = doc.data
        lead = b"" if data.endswith((b"\n", b"\r")) else b"\n"
        start = len(data) + len(lead)
        xref_at = start + len(self.body)
        digest = hashlib.md5(self.body, usedforsecurity=False).digest()
        trailer: dict[Name, Value] = {
            Name(b"/Size"): Token(b"%d" % self.next_number),
            Name(b"/Prev"): Token(b"%d" % doc.startxref),
            Name(b"/ID"): _file_id(doc.trailer.get(Name(b"/ID")), digest),
        }
        for key in (Name(b"/Root"), Name(b"/Info")):
            entry = doc.trailer.get(key)
            if isinstance(entry, Ref):
                trailer[key] = entry
        order = self._order()
        if doc.uses_streams:
            xref = self._xref_stream(trailer, order, start, xref_at)
        else:
            xref = self._xref_table(trailer, order, start)
        tail = b"startxref\n%d\n%%%%EOF\n" % xref_at
        body = memoryview(self.body)
        return Parts((original, *([lead] if lead else []), body, xref, tail))

    def _order(self) -> array[int]:
        """The entries' indexes by object number (an array: 8 bytes an entry)."""
        where: array[int] = array("q", [-1]) * (self.next_number + 1)
        for k, number in enumerate(self.numbers):
            if where[number] >= 0:
                raise PdfSyntaxError(f"object {number} written twice")
            where[number] = k
        return array("q", (k for k in where if k >= 0))

    def _runs(self, order: array[int]) -> list[tuple[int, int]]:
        """Consecutive object numbers in ``order``: (first number, count)."""
        runs: list[tuple[int, int]] = []
        previous = -2
        for k in order:
            number = self.numbers[k]
            if number == previous:
                raise PdfSyntaxError(f"object {number} written twice")
            if number == previous + 1:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((number, 1))
            previous = number
        return runs

    def _xref_table(self, trailer: dict[Name, Value], order: array[int], start: int) -> memoryview:
        # The head of the free list first, as PDF writers do (some readers expect a table that
        # starts at object 0).
        out = bytearray(b"xref\n0 1\n0000000000 65535 f\r\n")
        position = 0
        for first, count in self._runs(order):
            out += b"%d %d\n" % (first, count)
            for k in order[position : position + count]:
                kind, two, three = self.kinds[k], self.field2[k], self.field3[k]
                if kind == _FREE:
                    out += b"0000000000 %05d f\r\n" % three
                elif kind == _PLAIN:
                    out += b"%010d %05d n\r\n" % (start + two, three)
                else:
                    raise PdfSyntaxError("object streams in a file with a table")
            position += count
        out += b"trailer\n" + serialize(trailer) + b"\n"
        return memoryview(out)

    def _xref_stream(
        self, trailer: dict[Name, Value], order: array[int], start: int, at: int
    ) -> memoryview:
        """A cross-reference stream (for originals that use them), listing itself too."""
        own = self._allocate()
        self._entry(own, _PLAIN, at - start, 0)
        order.append(len(self.numbers) - 1)  # the highest number: last
        width = max(4, (at.bit_length() + 7) // 8)
        rows = bytearray()
        for k in order:
            kind, two = self.kinds[k], self.field2[k]
            if kind == _PLAIN:
                two += start
            rows.append(kind)
            rows += two.to_bytes(width, "big")
            rows += self.field3[k].to_bytes(2, "big")
        index: list[Value] = [Token(b"%d" % v) for run in self._runs(order) for v in run]
        head: dict[Name, Value] = {
            **trailer,
            Name(b"/Size"): Token(b"%d" % (own + 1)),
            Name(b"/Type"): Name(b"/XRef"),
            Name(b"/W"): [Token(b"1"), Token(b"%d" % width), Token(b"2")],
            Name(b"/Index"): index,
            Name(b"/Length"): Token(b"%d" % len(rows)),
        }
        rows[:0] = b"%d 0 obj\n%s\nstream\n" % (own, serialize(head))
        rows += b"\nendstream\nendobj\n"
        return memoryview(rows)


def _file_id(old: Value | None, digest: bytes) -> list[Value]:
    """The first ID stays (same document); the second changes (new version)."""
    changed = Token(b"<" + digest.hex().encode() + b">")
    if isinstance(old, list) and len(old) == 2:
        return [old[0], changed]
    return [changed, changed]


def _as_tuple(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (0,)
