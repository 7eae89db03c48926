"""The lean PDF reader (robot/documents/pdfsyntax.py) and its page walk (pagetree.py), checked
against qpdf (pikepdf) on the corpus, on files qpdf writes every way it can, on hand-written
updates and hybrid files, and on damaged and randomly mutated files: the reader reads what qpdf
reads, or says :class:`PdfSyntaxError` (never another exception)."""

from __future__ import annotations

import io
import random
import re
import struct
import zlib
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robot.documents import pagetree
from robot.documents.geometry import page_view
from robot.documents.pdfsyntax import (
    NULL,
    Document,
    Name,
    Parser,
    PdfSyntaxError,
    Ref,
    Stream,
    Token,
    Value,
    number,
    serialize,
)
from tests.documents.damage import EDITS, memory_cap, mutate
from tests.fixtures.documents import BROKEN, CORPUS, CORPUS_PDFS, EDGE_PDFS, ENCRYPTED

SAMPLE = 300  # objects compared per file

# -- canonical values: what both readers must agree on ---------------------------------------

_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
_OCTAL = re.compile(rb"[0-7]{1,3}")
_EOL = re.compile(rb"\r\n|\r|\n")


def _literal(token: bytes) -> bytes:
    """A literal string's bytes (ISO 32000 7.3.4.2), written independently of the reader."""
    body, out, i = token[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i]
        if char == 0x0D:  # an unescaped end of line is a line feed
            i += 2 if body[i + 1 : i + 2] == b"\n" else 1
            out += b"\n"
            continue
        if char != 0x5C:
            out.append(char)
            i += 1
            continue
        i += 1
        following = body[i : i + 1]
        octal = _OCTAL.match(body, i)
        eol = _EOL.match(body, i)
        if octal is not None:
            out.append(int(octal[0], 8) & 0xFF)
            i = octal.end()
        elif eol is not None:  # a backslash before an end of line: both ignored
            i = eol.end()
        elif following:
            out += _ESCAPES.get(following[0], following)
            i += 1
    return bytes(out)


def _name(raw: bytes) -> bytes:
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), raw)


def _scalar(token: bytes) -> tuple[str, object]:
    if token.startswith(b"("):
        return "string", _literal(token)
    if token.startswith(b"<"):
        digits = re.sub(rb"[\x00\t\n\x0c\r ]", b"", token[1:-1])
        return "string", bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
    if token in (b"true", b"false", b"null"):
        return "keyword", bytes(token)
    return "number", float(token)


def canon(value: Value | None, doc: Document | None = None) -> object:
    """``value`` with every spelling PDF allows for the same thing made one: names without
    #xx, strings as their bytes, numbers as floats; dictionary entries whose value is null
    (or, given ``doc``, refers to a null or missing object) dropped, as qpdf does."""
    if isinstance(value, dict):
        return {
            _name(key): canon(item, doc)
            for key, item in value.items()
            if item != NULL and not (doc is not None and isinstance(item, Ref) and _null(doc, item))
        }
    if isinstance(value, Ref):
        return ("ref", value.number, value.generation)
    if _is_array(value):
        return [canon(item, doc) for item in value]  # type: ignore[union-attr]
    if isinstance(value, Name):
        return ("name", _name(value))
    assert isinstance(value, Token), value
    return _scalar(value)


def _is_array(value: object) -> bool:
    """A list, or any other array the reader may hand out (read lazily, say)."""
    return isinstance(value, list) or (
        isinstance(value, Iterable) and not isinstance(value, bytes | dict | str)
    )


def plain(value: object) -> object:
    """``value`` exactly as read (each scalar's type and bytes), whatever class holds an
    array."""
    if isinstance(value, dict):
        return {plain(key): plain(item) for key, item in value.items()}
    if isinstance(value, bytes):
        return (type(value).__name__, bytes(value))
    if isinstance(value, Ref):
        return value
    assert _is_array(value), value
    return [plain(item) for item in value]  # type: ignore[attr-defined]


def _null(doc: Document, ref: Ref) -> bool:
    target = doc.get(ref)
    return isinstance(target, Token) and target == NULL


def _parse(text: bytes) -> Value:
    value, _ = Parser(text).value(0)
    return value


def theirs(obj: object) -> object:
    """What qpdf holds, in the same canonical form (qpdf writes it out, the reader's parser
    reads qpdf's own normalised syntax back)."""
    if isinstance(obj, pikepdf.Stream):
        return canon(_parse(obj.stream_dict.unparse(resolved=True)))
    if isinstance(obj, pikepdf.Object):
        return canon(_parse(obj.unparse(resolved=True)))
    wrapped = _parse(pikepdf.Array([obj]).unparse(resolved=True))  # int, Decimal, bool, None
    assert isinstance(wrapped, list)
    return canon(wrapped[0])


def _key_text(key: Name) -> str:
    return _name(key).decode("latin-1")


# -- the differential --------------------------------------------------------------------------


def _decodable(info: dict[Name, Value]) -> bool:
    """Filters the reader must decode: none, or FlateDecode alone, without parameters or with
    a PNG predictor on one 8-bit component (what cross-reference and object streams use)."""
    filters = info.get(Name(b"/Filter"))
    params = info.get(Name(b"/DecodeParms"))
    if isinstance(filters, list):
        if len(filters) > 1:
            return False
        filters = filters[0] if filters else None
        params = params[0] if isinstance(params, list) and params else params
    if filters is None:
        return True
    if filters not in (b"/FlateDecode", b"/Fl") or isinstance(params, Ref):
        return False
    if not isinstance(params, dict):
        return params is None or params == NULL
    predictor = number(params.get(Name(b"/Predictor"), Token(b"1")))
    colors = number(params.get(Name(b"/Colors"), Token(b"1")))
    bits = number(params.get(Name(b"/BitsPerComponent"), Token(b"8")))
    return predictor == 1 or (
        predictor is not None and predictor >= 10 and (colors, bits) == (1, 8)
    )


def _check_object(doc: Document, pdf: pikepdf.Pdf, data: bytes, objgen: tuple[int, int]) -> None:
    num, gen = objgen
    entry = pdf.get_xref_table()[objgen]
    ref = Ref(num, gen)
    located = doc.locate(num)
    assert located is not None, objgen
    place = located[1]
    if entry.type == 1:
        assert (place.offset, place.generation, place.stream) == (entry.offset, gen, -1)
        start, end = doc.object_span(place.offset, ref)
        assert start == entry.offset or not data[entry.offset : start].strip()
        assert data[start:end].startswith(b"%d %d obj" % objgen)
        assert data[start:end].endswith(b"endobj")
    elif entry.type == 2:
        assert (place.stream, place.index) == (entry.obj_stream_number, entry.obj_stream_index)
    ours = doc.get(ref)
    obj = pdf.get_object(objgen)
    assert doc.get(Ref(num, gen + 1)) == NULL  # another generation of it: none
    written = ours.dict if isinstance(ours, Stream) else ours
    assert plain(_parse(serialize(written))) == plain(written), objgen
    if isinstance(obj, pikepdf.Stream):
        assert isinstance(ours, Stream), objgen
        assert canon(ours.dict, doc) == theirs(obj), objgen
        raw = data[ours.start : ours.start + ours.length]
        assert raw == obj.read_raw_bytes(), objgen
        try:
            decoded: bytes | None = doc.stream_data(ours)
        except PdfSyntaxError:
            decoded = None
        if _decodable(ours.dict):
            assert decoded is not None, objgen
        if decoded is not None:  # what it decodes, it decodes right
            assert decoded == obj.read_bytes(), objgen
        return
    assert not isinstance(ours, Stream), objgen
    if isinstance(obj, pikepdf.Dictionary):
        assert isinstance(ours, dict), objgen
        kept = {_key_text(k) for k, v in ours.items() if canon({k: v}, doc)}
        assert kept == set(obj.keys()), objgen
    elif isinstance(obj, pikepdf.Array):
        assert isinstance(ours, list), objgen
        assert len(ours) == len(obj), objgen
    elif isinstance(obj, pikepdf.Name):
        assert isinstance(ours, Name), objgen
    else:
        assert isinstance(ours, Token), objgen
    assert canon(ours, doc) == theirs(obj), objgen


def check_against_qpdf(data: bytes, seed: object = 0) -> Document:
    """Every object of the cross-reference (or a sample), then the page walk, as qpdf reads
    them."""
    doc = Document(data)
    # qpdf as the file says: inherited attributes left where they are, not pushed to pages
    with pikepdf.open(io.BytesIO(data), inherit_page_attributes=False) as pdf:
        listed = sorted(og for og, e in pdf.get_xref_table().items() if e.type in (1, 2))
        if len(listed) > SAMPLE:
            listed = sorted(random.Random(str(seed)).sample(listed, SAMPLE))
        for objgen in listed:
            _check_object(doc, pdf, data, objgen)
        assert doc.get(Ref(doc.size + 3, 0)) == NULL
        walked = list(pagetree.pages(doc))
        assert pagetree.count(doc) == len(pdf.pages) == len(walked)
        assert [(p.ref.number, p.ref.generation) for p in walked] == [
            page.obj.objgen for page in pdf.pages
        ]
        for ours, page in zip(walked, pdf.pages, strict=True):
            assert ours.view == page_view(page.obj)
            assert canon(ours.page, doc) == theirs(page.obj)
            if Name(b"/Resources") in ours.holder_dict:
                node = page.obj
                while "/Resources" not in node:
                    node = node.Parent
                assert node.objgen == (ours.holder.number, ours.holder.generation)
                resources = node.get("/Resources")
                if isinstance(ours.resources, Ref):
                    assert resources.objgen == (ours.resources.number, ours.resources.generation)
                else:
                    assert canon(ours.resources, doc) == theirs(resources)
    return doc


def read_all(data: bytes) -> None:
    """Everything a caller may ask of the reader: the pages, every object, every stream."""
    doc = Document(data)
    for page in pagetree.pages(doc):
        serialize(page.page)
    for num in range(min(doc.size, 2000)):
        located = doc.locate(num)
        generation = located[1].generation if located is not None else 0
        value = doc.get(Ref(num, generation))
        if isinstance(value, Stream):
            serialize(value.dict)
            doc.stream_data(value)
        else:
            serialize(value)
        if located is not None and located[1].offset >= 0 and located[1].stream < 0:
            doc.object_span(located[1].offset, Ref(num, generation))
    doc.resolve(doc.trailer.get(Name(b"/Root")))


def reads_or_refuses(data: bytes) -> None:
    with suppress(PdfSyntaxError):
        read_all(data)


def never_another_error(data: bytes) -> None:
    """:func:`reads_or_refuses`, with any other exception turned into one failure raised
    here, so that hypothesis sees one bug (not a RecursionError stopping at a different
    line each time) and shrinks it."""
    failure = ""
    try:
        read_all(data)
    except PdfSyntaxError:
        return
    except Exception as error:
        failure = f"{type(error).__name__}: {str(error)[:200]}"
    assert not failure, failure


# -- hand-written files ------------------------------------------------------------------------


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

PLAIN_PACKED = build(  # the object stream uncompressed
    {n: body for n, body in TREE.items() if n not in PACKED},
    packed=PACKED,
    packed_flate=False,
    xref="stream",
)


def _startxref(data: bytes) -> int:
    return int(re.findall(rb"startxref\s+(\d+)", data)[-1])


def append_update(
    data: bytes, objects: dict[int, bytes], *, xref: str = "table", freed: tuple[int, ...] = ()
) -> bytes:
    """``data`` with an incremental update: ``objects`` (new versions or new objects) and
    ``freed`` object numbers, in a classic table or a cross-reference stream, /Prev to the
    section before."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root, size = pdf.Root.objgen, int(pdf.trailer.Size)
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    where: dict[int, tuple[int, int, int]] = dict.fromkeys(freed, (0, 0, 1))
    for num, body in objects.items():
        where[num] = (1, len(out), 0)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, body)
    at = len(out)
    size = max([size, *(n + 1 for n in where)])
    trailer = b"/Root %d %d R /Prev %d" % (*root, _startxref(data))
    if xref == "table":
        out += b"xref\n"
        for num in sorted(where):
            kind, offset, generation = where[num]
            state = b"n" if kind else b"f"
            out += b"%d 1\n%010d %05d %s\r\n" % (num, offset, generation, state)
        out += b"trailer\n<< /Size %d %s >>\n" % (size, trailer)
    else:
        own = size
        where[own] = (1, at, 0)
        numbers = sorted(where)
        rows = b"".join(struct.pack(">BIH", *where[n]) for n in numbers)
        index = b" ".join(b"%d 1" % n for n in numbers)
        extra = b" /Type /XRef /Size %d /W [1 4 2] /Index [%s] %s" % (own + 1, index, trailer)
        out += b"%d 0 obj\n%s\nendobj\n" % (own, stream(rows, extra))
    out += b"startxref\n%d\n%%%%EOF\n" % at
    return bytes(out)


# -- 1. the corpus and the generated edge cases, against qpdf -------------------------------


@pytest.mark.parametrize("name", [*CORPUS_PDFS, BROKEN])
def test_the_corpus_reads_as_qpdf_reads_it(name: str) -> None:
    data = (CORPUS / name).read_bytes()
    try:
        doc = Document(data)
    except PdfSyntaxError:
        assert name == BROKEN  # a file qpdf has to repair may be refused
        return
    check_against_qpdf(data, name)
    assert doc.sections


@pytest.mark.parametrize("name", EDGE_PDFS)
def test_the_edge_cases_read_as_qpdf_reads_them(name: str, edge_pdfs: dict[str, Path]) -> None:
    check_against_qpdf(edge_pdfs[name].read_bytes(), name)


def test_an_encrypted_file_is_refused() -> None:
    data = (CORPUS / ENCRYPTED).read_bytes()
    with pytest.raises(PdfSyntaxError, match="encrypted"):
        Document(data)


def test_the_corpus_has_both_kinds_of_cross_reference() -> None:
    """So that the tests above read classic tables, cross-reference streams and object
    streams, not one of them only."""
    kinds = {Document((CORPUS / name).read_bytes()).uses_streams for name in CORPUS_PDFS}
    assert kinds == {False, True}


# -- 2. files qpdf writes, and updates ----------------------------------------------------------

MODES: dict[str, dict[str, object]] = {
    "object-streams": {"object_stream_mode": pikepdf.ObjectStreamMode.generate},
    "linearized": {"linearize": True, "object_stream_mode": pikepdf.ObjectStreamMode.disable},
    "linearized-object-streams": {
        "linearize": True,
        "object_stream_mode": pikepdf.ObjectStreamMode.generate,
    },
    "qdf": {"qdf": True, "object_stream_mode": pikepdf.ObjectStreamMode.disable},
    "no-object-streams": {"object_stream_mode": pikepdf.ObjectStreamMode.disable},
}


def _resaved(name: str, mode: str) -> bytes:
    buffer = io.BytesIO()
    with pikepdf.open(CORPUS / name) as pdf:
        pdf.save(buffer, **MODES[mode])  # type: ignore[arg-type]
    return buffer.getvalue()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", ["habibi-rotated.pdf", "pdflatex-4-pages.pdf", "form.pdf"])
def test_files_qpdf_writes_read_as_qpdf_reads_them(
    name: str, mode: str, edge_pdfs: dict[str, Path]
) -> None:
    if name in edge_pdfs:
        buffer = io.BytesIO()
        with pikepdf.open(edge_pdfs[name]) as pdf:
            pdf.save(buffer, **MODES[mode])  # type: ignore[arg-type]
        data = buffer.getvalue()
    else:
        data = _resaved(name, mode)
    doc = check_against_qpdf(data, name)
    packed = [n for n in range(doc.size) if (at := doc.locate(n)) and at[1].stream >= 0]
    if "object-streams" in mode and mode != "no-object-streams":
        assert doc.uses_streams
        assert packed  # objects really read from object streams
    else:
        assert not doc.uses_streams
        assert not packed
    if mode.startswith("linearized"):
        assert b"/Linearized" in data[:1024]
        assert len(doc.sections) == 2  # the first page's section, /Prev to the main one
        assert doc.startxref < len(data) // 2
    if mode == "qdf":  # every stream /Length is an object of its own
        lengths = [
            value.dict[Name(b"/Length")]
            for n in range(1, doc.size)
            if isinstance(value := doc.get(Ref(n, 0)), Stream)
        ]
        assert lengths
        assert all(isinstance(length, Ref) for length in lengths)


def test_a_cross_reference_stream_qpdf_writes_has_a_png_predictor() -> None:
    data = _resaved("habibi-rotated.pdf", "object-streams")
    doc = Document(data)
    section = doc.sections[0]
    assert section.stream >= 0
    params = section.trailer[Name(b"/DecodeParms")]
    assert isinstance(params, dict)
    assert params[Name(b"/Predictor")] == b"12"
    xref = doc.get(Ref(section.stream, 0))
    assert isinstance(xref, Stream)
    assert len(doc.stream_data(xref)) != len(zlib.decompress(doc.data[xref.start :][: xref.length]))
    check_against_qpdf(data)


@pytest.mark.parametrize("kinds", [[0], [1], [2], [0, 1, 2, 2, 1]])
def test_png_rows_of_every_kind_the_reader_knows(kinds: list[int]) -> None:
    data = build(
        {n: body for n, body in TREE.items() if n not in PACKED},
        packed=PACKED,
        xref="stream",
        kinds=kinds,
    )
    assert b"/Predictor 12" in data
    check_against_qpdf(data)


@pytest.mark.parametrize("kinds", [[3], [4], [0, 3, 4, 2]])
def test_png_rows_of_other_kinds_are_read_right_or_refused(kinds: list[int]) -> None:
    """Average and Paeth rows: qpdf decodes them; the reader reads the same or refuses."""
    data = build(
        {n: body for n, body in TREE.items() if n not in PACKED},
        packed=PACKED,
        xref="stream",
        kinds=kinds,
    )
    try:
        Document(data)
    except PdfSyntaxError:
        return
    check_against_qpdf(data)


def test_a_png_row_of_no_known_kind_is_refused() -> None:
    data = bytearray(build(TREE, xref="stream"))
    xref = data.rindex(b"/Type /XRef")
    start = data.index(b"stream\n", xref) + len(b"stream\n")
    end = data.index(b"\nendstream", start)
    rows = [bytes(data[i : i + 7]) for i in range(start, end, 7)]
    coded = bytearray(png_rows(rows, [2] * len(rows)))
    coded[8 * 3] = 7  # the fourth row's kind
    body = zlib.compress(bytes(coded))
    data[start:end] = body
    info = b"/Length %d" % (end - start)
    at = data.rindex(info, 0, start)
    data[at : at + len(info)] = (
        b"/Length %d /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 7 >>" % len(body)
    )
    with pytest.raises(PdfSyntaxError, match="PNG predictor 7"):
        Document(bytes(data))


@pytest.mark.parametrize("xref", ["table", "stream"])
@pytest.mark.parametrize("name", ["habibi-rotated.pdf", "pdflatex-4-pages.pdf"])
def test_an_incremental_update_is_read_as_qpdf_reads_it(name: str, xref: str) -> None:
    """A new version of the first page (turned, cropped), a new object and a freed one: the
    newest section wins, the older one still gives the rest."""
    original = (CORPUS / name).read_bytes()
    with pikepdf.open(io.BytesIO(original)) as pdf:
        page = pdf.pages[0].obj
        number_, size = page.objgen[0], int(pdf.trailer.Size)
        changed = pikepdf.Dictionary(page)
        changed.Rotate = 270
        changed.CropBox = [10, 10, 200, 300]
        changed.Extra = pikepdf.Dictionary(Note=pikepdf.String("nueva (versión)"))
        body = changed.unparse(resolved=False)
        info = pdf.trailer.get("/Info")
        freed = (info.objgen[0],) if isinstance(info, pikepdf.Dictionary) else ()
    updated = append_update(
        original, {number_: body, size: b"<< /Nueva true >>"}, xref=xref, freed=freed
    )
    doc = check_against_qpdf(updated, name)
    assert len(doc.sections) == 2
    assert doc.sections[0].stream >= 0 if xref == "stream" else doc.sections[0].stream == -1
    located = doc.locate(number_)
    assert located is not None
    assert located[0] == 0
    first = next(pagetree.pages(doc))
    assert first.ref.number == number_
    assert first.view.rotate == 270
    assert doc.get(Ref(size, 0)) == {Name(b"/Nueva"): Token(b"true")}
    for num in freed:
        assert doc.get(Ref(num, 0)) == NULL
    assert any(
        (at := doc.locate(n)) is not None and at[0] == 1 for n in range(1, size)
    )  # the rest comes from the older section
    again = append_update(updated, {size + 1: b"(tercera)"}, xref="table")
    third = check_against_qpdf(again, name)
    assert len(third.sections) == 3
    assert third.get(Ref(size + 1, 0)) == Token(b"(tercera)")


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


def test_a_hybrid_file_reads_objects_only_its_xrefstm_lists() -> None:
    data = hybrid_pdf()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.get_warnings() == []  # a valid file, as qpdf sees it
    doc = check_against_qpdf(data)
    assert [s.stream for s in doc.sections] == [-1, 6]
    located = doc.locate(4)
    assert located is not None
    assert located[0] == 1
    assert (located[1].stream, located[1].index) == (5, 0)
    resources = doc.get(Ref(4, 0))
    assert isinstance(resources, dict)
    assert resources[Name(b"/Marker")] == b"(in the stream)"
    (page,) = pagetree.pages(doc)
    assert page.resources == Ref(4, 0)


def test_the_small_files_read_as_qpdf_reads_them() -> None:
    for data in (SMALL, SMALL_STREAMS):
        doc = check_against_qpdf(data)
        views = [(p.view.rotate, p.view.x0, p.view.y0, p.view.x1) for p in pagetree.pages(doc)]
        assert views == [(90, 0, 0, 300), (0, 10, 20, 110), (0, -10, -10, 50)]
    assert Document(SMALL_STREAMS).uses_streams


# -- 3. the parser -----------------------------------------------------------------------------

PARSED: list[tuple[bytes, object]] = [
    (b"(a(b)c)", Token(b"(a(b)c)")),
    (b"(a\\)b) x", Token(b"(a\\)b)")),
    (b"(a\\\\) (b)", Token(b"(a\\\\)")),
    (b"(\\\\\\)) tail", Token(b"(\\\\\\))")),
    (b"(()) ()", Token(b"(())")),
    (b"(line\r\nbreak\\\nhere)", Token(b"(line\r\nbreak\\\nhere)")),
    (b"<48 65\n6C>", Token(b"<48 65\n6C>")),
    (b"<>", Token(b"<>")),
    (b"/A#20B", Name(b"/A#20B")),
    (b"/", Name(b"/")),
    (b"/a/b", Name(b"/a")),
    (b"-3", Token(b"-3")),
    (b"+4.", Token(b"+4.")),
    (b"-.002", Token(b"-.002")),
    (b"1 0 R", Ref(1, 0)),
    (b"12 7 R/Next", Ref(12, 7)),
    (b"[1 0]", [Token(b"1"), Token(b"0")]),
    (b"[1 0 R 2]", [Ref(1, 0), Token(b"2")]),
    (b"[1 0 R 2 0 R]", [Ref(1, 0), Ref(2, 0)]),
    (b"[1 2 3 R]", [Token(b"1"), Ref(2, 3)]),
    (b"[true false null]", [Token(b"true"), Token(b"false"), NULL]),
    (b"% a comment\n[1 % another ]\n 2]", [Token(b"1"), Token(b"2")]),
    (
        b"<< /A % comment\n 1 /B [] /C << >> >>",
        {Name(b"/A"): Token(b"1"), Name(b"/B"): [], Name(b"/C"): {}},
    ),
    (
        b"<</A/B/C(d)/E<af>>>",
        {Name(b"/A"): Name(b"/B"), Name(b"/C"): Token(b"(d)"), Name(b"/E"): Token(b"<af>")},
    ),
    (b"<< /K 1 /K 2 >>", {Name(b"/K"): Token(b"2")}),
    (b"[[[]] [<<>>]]", [[[]], [{}]]),
]


@pytest.mark.parametrize(("text", "expected"), PARSED, ids=[repr(t) for t, _ in PARSED])
def test_the_parser_reads_each_kind_of_value(text: bytes, expected: object) -> None:
    value, end = Parser(text).value(0)
    assert plain(value) == plain(expected)
    assert type(value) is type(expected)
    assert text[end:].strip() in (b"", b"x", b"(b)", b"tail", b"()", b"/b", b"/Next")
    assert plain(_parse(serialize(value))) == plain(value)


def test_the_parser_starts_where_it_is_told_and_says_where_it_ended() -> None:
    data = b"junk << /A [1 2] >> 5 0 obj"
    value, end = Parser(data).value(4)
    assert value == {Name(b"/A"): [Token(b"1"), Token(b"2")]}
    assert data[end:] == b" 5 0 obj"


def test_strings_decode_as_qpdf_decodes_them() -> None:
    """The literal-string decoder of these tests agrees with qpdf (so that the comparisons
    above mean something)."""
    tokens = [b"(a\\)b\\\\c)", b"(\\101\\0617\\n\\q)", b"(x\\\r\ny\r\nz)", b"<4142 43>", b"<414>"]
    for token in tokens:
        with pikepdf.open(io.BytesIO(build({**TREE, 11: token}))) as pdf:
            assert _scalar(token) == ("string", bytes(pdf.get_object((11, 0))))


@pytest.mark.parametrize(
    "text",
    [b"[" * 5000 + b"]" * 5000, b"<< /A " * 5000 + b">> " * 5000, b"[<< /A " * 300 + b"1"],
)
def test_nesting_past_the_limit_is_refused(text: bytes) -> None:
    with pytest.raises(PdfSyntaxError):
        Parser(text).value(0)


def test_nesting_within_the_limit_is_read() -> None:
    value, _ = Parser(b"[" * 50 + b"1" + b"]" * 50).value(0)
    for _ in range(50):
        assert isinstance(value, list)
        (value,) = value
    assert value == b"1"


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b"   % only a comment",
        b"[1 2",
        b"<< /A 1",
        b"<< 1 2 >>",
        b"<< /A >>",
        b"(unterminated",
        b"(a\\)",
        b"<4G>",
        b"<12",
        b"]",
        b">>",
        b"R",
        b"obj",
        b"nulls",
        b")",
        b"{1}",
        b"[1.0 0 R]",
        b"[1 -0 R]",
        b"[1 0 Rx]",
        b"[1 0 R0]",
    ],
)
def test_bad_syntax_is_refused(text: bytes) -> None:
    with pytest.raises(PdfSyntaxError):
        Parser(text).value(0)


def test_numbers_read_as_numbers() -> None:
    assert number(Token(b"-.5")) == -0.5
    assert number(Token(b"+12")) == 12
    assert number(Token(b"3.")) == 3
    assert number(Token(b"(12)")) is None
    assert number(Token(b"<12>")) is None
    assert number(Name(b"/12")) is None
    assert number(Ref(1, 0)) is None
    assert number(None) is None


@st.composite
def _values(draw: st.DrawFn) -> Value:
    regular = st.binary(min_size=1, max_size=6).map(
        lambda b: b"".join(
            bytes([c]) if 0x21 < c < 0x7F and c not in b"()<>[]{}/%#" else b"#%02X" % c for c in b
        )
    )
    literal = st.binary(max_size=12).map(lambda b: b"(" + re.sub(rb"([()\\])", rb"\\\1", b) + b")")
    scalars = st.one_of(
        regular.map(lambda b: Name(b"/" + b)),
        st.integers(-(10**12), 10**12).map(lambda n: Token(b"%d" % n)),
        st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: Token(b"%.4f" % f)),
        literal.map(Token),
        st.binary(max_size=8).map(lambda b: Token(b"<" + b.hex().encode() + b">")),
        st.sampled_from([Token(b"true"), Token(b"false"), NULL]),
        st.tuples(st.integers(0, 10**6), st.integers(0, 65535)).map(lambda t: Ref(*t)),
    )
    names = regular.map(lambda b: Name(b"/" + b))
    return draw(
        st.recursive(
            scalars,
            lambda inner: st.lists(inner, max_size=5) | st.dictionaries(names, inner, max_size=5),
            max_leaves=30,
        )
    )


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(value=_values())
def test_what_serialize_writes_parses_back_the_same(value: Value) -> None:
    written = serialize(value)
    parsed, end = Parser(written + b" %tail").value(0)
    assert plain(parsed) == plain(value)
    assert serialize(parsed) == written
    assert written[end:] == b""


# -- 4. damage ---------------------------------------------------------------------------------


def _replace(data: bytes, old: bytes, new: bytes, count: int = 1) -> bytes:
    assert data.count(old) >= count, old
    return data.replace(old, new, count)


def _offset(data: bytes, num: int) -> int:
    found = re.search(rb"(?<![0-9])%d 0 obj" % num, data)
    assert found is not None
    return found.start()


def _with_startxref(data: bytes, value: bytes) -> bytes:
    head, _, _ = data.rpartition(b"startxref")
    return head + b"startxref\n" + value + b"\n%%EOF\n"


def _self_prev() -> bytes:
    updated = append_update(SMALL, {11: b"(new)"})
    return updated.replace(b"/Prev %d" % _startxref(SMALL), b"/Prev %d" % _startxref(updated))


def _two_prev_loop() -> bytes:
    once = append_update(SMALL, {11: b"(one)"})
    twice = append_update(once, {12: b"(two)"})
    first, last = _startxref(SMALL), _startxref(twice)  # the first update's /Prev to the last
    return _same(twice, b"/Prev %d >>" % first, b"/Prev %d>>" % last)


def _packed(extra: bytes) -> bytes:
    """:data:`PLAIN_PACKED` with ``extra`` in the object stream's dictionary."""
    return build(
        {n: body for n, body in TREE.items() if n not in PACKED},
        packed=PACKED,
        packed_flate=False,
        packed_extra=extra,
        xref="stream",
    )


def _same(data: bytes, old: bytes, new: bytes) -> bytes:
    """``old`` replaced by ``new`` padded with spaces: every offset stays right, so the damage
    is the only thing wrong."""
    assert len(new) <= len(old), new
    return _replace(data, old, new.ljust(len(old)))


KIDS = b"/Kids [8 0 R 9 0 R] /Count 2"
# Damage the cross-reference (the file does not open) ...
BROKEN_XREF: dict[str, Callable[[], bytes]] = {
    "startxref into the xref keyword": lambda: _with_startxref(
        SMALL, b"%d" % (_startxref(SMALL) + 2)
    ),
    "startxref at an object": lambda: _with_startxref(SMALL, b"%d" % _offset(SMALL, 3)),
    "startxref at the header": lambda: _with_startxref(SMALL, b"0"),
    "startxref past the end": lambda: _with_startxref(SMALL, b"999999999"),
    "startxref at the very end": lambda: _with_startxref(SMALL, b"%d" % (len(SMALL) + 40)),
    "no startxref": lambda: SMALL.replace(b"startxref", b"startxrex"),
    "no %PDF header": lambda: b"%PDX" + SMALL[4:],
    "missing trailer": lambda: _same(SMALL, b"trailer", b""),
    "trailer not a dictionary": lambda: _same(SMALL, b"trailer\n<<", b"trailer\n["),
    "no /Size": lambda: _same(SMALL, b"/Size", b"/Sise"),
    "a /Prev loop onto itself": _self_prev,
    "a /Prev loop through two updates": _two_prev_loop,
    "a /Prev that is not a number": lambda: append_update(SMALL, {}).replace(
        b"/Prev %d" % _startxref(SMALL), b"/Prev (x)"
    ),
    "a /Prev to nowhere": lambda: append_update(SMALL, {}).replace(
        b"/Prev %d" % _startxref(SMALL), b"/Prev %d" % (_startxref(SMALL) + 1)
    ),
    "a cross-reference stream with a bad /W": lambda: _same(
        SMALL_STREAMS, b"/W [1 4 2]", b"/W [1 4 9]"
    ),
    "a cross-reference stream too short": lambda: _same(
        SMALL_STREAMS, b"/W [1 4 2]", b"/W [1 4 3]"
    ),
    "a cross-reference stream without /Type /XRef": lambda: _same(
        SMALL_STREAMS, b"/Type /XRef", b"/Type /XRex"
    ),
    "a cross-reference stream with a bad /Index": lambda: _replace(
        SMALL_STREAMS,
        b"/Type /XRef",
        b"/Index [0] /Type /XRef",  # its own dictionary: last
    ),
    "a cross-reference stream with a bad predictor": lambda: _same(
        SMALL_STREAMS, b"/Predictor 12 /Columns 7", b"/Predictor 12 /Columns 6"
    ),
    "a cross-reference stream with a TIFF predictor": lambda: _same(
        SMALL_STREAMS, b"/Predictor 12", b"/Predictor 2"
    ),
}
# ... or an object, a stream or the page tree (the file opens, reading it fails).
BROKEN_OBJECT: dict[str, Callable[[], bytes]] = {
    "an entry pointing at another object": lambda: _same(
        SMALL, b"%010d 00000 n" % _offset(SMALL, 3), b"%010d 00000 n" % _offset(SMALL, 7)
    ),
    "an entry pointing past the end": lambda: _same(
        SMALL, b"%010d 00000 n" % _offset(SMALL, 8), b"9999999999 00000 n"
    ),
    "an entry with a wrong generation": lambda: _same(
        SMALL, b"%010d 00000 n" % _offset(SMALL, 1), b"%010d 00001 n" % _offset(SMALL, 1)
    ),
    "a broken entry": lambda: _same(
        SMALL, b"%010d 00000 n" % _offset(SMALL, 8), b"%010d 0000x n" % _offset(SMALL, 8)
    ),
    "no /Root": lambda: _same(SMALL, b"/Root", b"/Rooo"),
    "no catalog": lambda: _same(SMALL, b"/Root 1 0 R", b"/Root 6 0 R"),
    "/Length too long": lambda: _same(SMALL, b"<< /Length 6 0 R >>", b"<< /Length 999 >>"),
    "/Length too short": lambda: _same(SMALL, b"\n%d\n" % len(CONTENT), b"\n3"),
    "/Length negative": lambda: _same(SMALL, b"\n%d\n" % len(CONTENT), b"\n-9"),
    "/Length not whole": lambda: _same(SMALL, b"\n%d\n" % len(CONTENT), b"\n.5"),
    "/Length a dictionary": lambda: _same(SMALL, b"/Length 6 0 R", b"/Length 7 0 R"),
    "/Length missing": lambda: _same(SMALL, b"/Length 6 0 R", b"/Lengte 6 0 R"),
    "/Length a stream": lambda: _same(SMALL, b"<< /Length 6 0 R >>", b"<< /Length 10 0 R>>"),
    "no endobj": lambda: _same(SMALL, b"endobj\n7 0 obj", b"endobx\n7 0 obj"),
    "a /Kids pointing back to the root": lambda: _same(SMALL, KIDS, b"/Kids [8 0 R 2 0 R]"),
    "a /Kids pointing back to itself": lambda: _same(SMALL, KIDS, b"/Kids [8 0 R 4 0 R]"),
    "a page listed twice": lambda: _same(SMALL, KIDS, b"/Kids [8 0 R 8 0 R] /Count 2"),
    "a page listed in two nodes": lambda: _same(SMALL, KIDS, b"/Kids [3 0 R 9 0 R] /Count 2"),
    "a kid past /Size": lambda: _same(SMALL, KIDS, b"/Kids [8 0 R 99 0 R]/Count 2"),
    "a page node that is a stream": lambda: _same(SMALL, KIDS, b"/Kids [8 0 R 5 0 R] /Count 2"),
    "/Kids not an array": lambda: _same(SMALL, KIDS, b"/Kids 7 0 R /Count 2"),
    "an object stream with an unsupported filter": lambda: _packed(b" /Filter /LZWDecode"),
    "an object stream with two filters": lambda: _packed(b" /Filter [/FlateDecode /AHx]"),
    "an object stream not compressed as it says": lambda: _packed(b" /Filter /FlateDecode"),
    "an object stream that is not one": lambda: _same(
        SMALL_STREAMS, b"/Type /ObjStm", b"/Type /ObjSxm"
    ),
    "an object stream with /Extends": lambda: _packed(b" /Extends 5 0 R"),
    "an object stream with a wrong /N": lambda: _same(SMALL_STREAMS, b"/N 7", b"/N 6"),
}


@pytest.mark.parametrize("damage", BROKEN_XREF)
def test_a_broken_cross_reference_is_refused(damage: str) -> None:
    data = BROKEN_XREF[damage]()
    assert data not in (SMALL, SMALL_STREAMS)
    with pytest.raises(PdfSyntaxError):
        Document(data)


@pytest.mark.parametrize("damage", BROKEN_OBJECT)
def test_a_broken_object_is_refused(damage: str) -> None:
    data = BROKEN_OBJECT[damage]()
    assert data not in (SMALL, SMALL_STREAMS)
    Document(data)  # the cross-reference is intact
    with pytest.raises(PdfSyntaxError):
        read_all(data)


@pytest.mark.parametrize("kids", [b"/Kids [8 0 R 9] /Count 2", b"/Kids [8 0 R 9 9 R]/Count 2"])
def test_a_kid_that_is_not_a_reference_is_refused_or_skipped_as_qpdf_skips_it(
    kids: bytes,
) -> None:
    data = _same(SMALL, KIDS, kids)
    try:
        walked = [(page.ref.number, page.ref.generation) for page in pagetree.pages(Document(data))]
    except PdfSyntaxError:
        return
    with pikepdf.open(io.BytesIO(data), inherit_page_attributes=False) as pdf:
        assert walked == [page.obj.objgen for page in pdf.pages]


def test_the_damage_tests_start_from_files_that_read() -> None:
    for data in (SMALL, SMALL_STREAMS):
        read_all(data)
    read_all(append_update(SMALL, {11: b"(new)"}))
    read_all(PLAIN_PACKED)
    read_all(_packed(b" /Other /FlateDecode"))
    assert b"/Filter" not in PLAIN_PACKED[PLAIN_PACKED.index(b"/Type /ObjStm") :][:80]


@pytest.mark.parametrize("name", ["pdfkit.pdf", "pdflatex-4-pages.pdf"])
def test_a_truncated_file_is_refused(name: str) -> None:
    data = (CORPUS / name).read_bytes()
    for cut in (10, len(data) // 3, len(data) // 2, len(data) - 30, len(data) - 7):
        with pytest.raises(PdfSyntaxError):
            read_all(data[:cut])


def test_a_file_missing_a_piece_in_the_middle_is_refused() -> None:
    data = (CORPUS / "pdfkit.pdf").read_bytes()
    for start in (len(data) // 4, len(data) // 2):
        with pytest.raises(PdfSyntaxError):
            read_all(data[:start] + data[start + 200 :])


# Inputs that raised something other than PdfSyntaxError when these tests were written (now
# refused: references and headers of at most 10 digits, numbers that overflow to infinity
# unreadable, /Size at most the file's length, PNG columns at most the data's length, /Length
# references followed at most 4 deep).
_BIG = b"9" * 400  # a float overflows to infinity; int(inf) raises OverflowError
EXTREME = [
    pytest.param(
        _replace(SMALL, b"<< /Length 6 0 R >>", b"<< /Length 5 0 R >>"),
        id="a stream whose /Length refers to itself",
    ),
    pytest.param(
        _replace(SMALL, b"/Size 11", b"/Size " + _BIG),
        id="a /Size of 400 digits",
    ),
    pytest.param(
        _replace(SMALL, b"/Size 11", b"/Size 999999999999999999"),
        id="a /Size of 10**18",
    ),
    pytest.param(
        build({**TREE, 2: TREE[2].replace(b"/Rotate 90", b"/Rotate " + _BIG)}),
        id="a /Rotate of 400 digits",
    ),
    pytest.param(
        build({**TREE, 6: _BIG}),
        id="a /Length of 400 digits",
    ),
    pytest.param(
        build({**TREE, 4: TREE[4].replace(b"9 0 R", b"9" * 5000 + b" 0 R")}),
        id="a reference of 5000 digits",
    ),
    pytest.param(
        build(
            {
                **TREE,
                11: stream(
                    zlib.compress(b""),
                    b" /Filter /FlateDecode /DecodeParms << /Predictor 12"
                    b" /Columns 999999999999999 >>",
                ),
            }
        ),
        id="a PNG predictor with 10**15 columns and no data",
    ),
]


@pytest.mark.parametrize("data", EXTREME)
def test_extreme_inputs_are_read_or_refused(data: bytes) -> None:
    reads_or_refuses(data)


def test_an_indirect_decode_parms_is_honoured_or_refused() -> None:
    rows = [bytes([1, 2, 3]), bytes([4, 5, 6])]
    body = stream(
        zlib.compress(png_rows(rows, [2, 1])), b" /Filter /FlateDecode /DecodeParms 12 0 R"
    )
    data = build({**TREE, 11: body, 12: b"<< /Predictor 12 /Columns 3 >>"})
    doc = Document(data)
    found = doc.get(Ref(11, 0))
    assert isinstance(found, Stream)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.get_object((11, 0)).read_bytes() == b"".join(rows)
    try:
        decoded = doc.stream_data(found)
    except PdfSyntaxError:
        return
    assert decoded == b"".join(rows)


# -- random damage -----------------------------------------------------------------------------


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(base=st.sampled_from([SMALL, SMALL_STREAMS, PLAIN_PACKED]), edits=EDITS)
def test_random_damage_is_read_or_refused(base: bytes, edits: list[tuple[int, int, bytes]]) -> None:
    with memory_cap():
        never_another_error(mutate(base, edits))


_REFERENCE = re.compile(rb"(?<![0-9.])([0-9]+) [0-9]+ R\b")


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    base=st.sampled_from([SMALL, PLAIN_PACKED]),
    edits=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 99)), min_size=1, max_size=3),
)
def test_references_pointed_elsewhere_are_read_or_refused(
    base: bytes, edits: list[tuple[int, int]]
) -> None:
    """References (in the file and inside an uncompressed object stream) made to point at
    another object, same width so that every offset stays right: loops, a page that is a
    font, a /Length that is a page."""
    found = list(_REFERENCE.finditer(base))
    data = bytearray(base)
    for which, target in edits:
        reference = found[which % len(found)]
        width = len(reference[1])
        data[reference.start(1) : reference.end(1)] = b"%0*d" % (width, target % 10**width)
    never_another_error(bytes(data))
