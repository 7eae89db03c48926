"""A lean reader of PDF objects: what the watermark needs, and nothing kept that it no longer
needs.

qpdf (pikepdf) keeps every object it has parsed until the document is closed, so walking the
page tree of a large document costs memory in proportion to its pages (about 4 kB per object).
This reader reads an object when asked, hands back plain Python values and keeps nothing but the
cross-reference sections (as the file's own bytes, read on demand) and the last few decoded
object streams.

Values are ``dict`` (keys: :class:`Name`), ``list``, :class:`Ref`, :class:`Name` and
:class:`Token` (any other scalar: number, string, ``true``, ``false``, ``null``, kept as its
bytes in the file, so that :func:`serialize` writes it back exactly). Streams come as
:class:`Stream`: the dictionary and where the data lies in the file.

Anything this reader does not understand (a damaged cross-reference, an object not where the
table says, an encrypted file) raises :class:`PdfSyntaxError`; the caller then leaves the file
to qpdf, which can repair and decrypt.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TypeAlias

_WS = b"\x00\t\n\x0c\r "
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)")
_HEADER = re.compile(
    rb"[\x00\t\n\x0c\r ]*(\d{1,10})[\x00\t\n\x0c\r ]+(\d{1,5})[\x00\t\n\x0c\r ]+obj\b"
)
# What sends object_span to the full parse: a stream, another header, or a string or comment
# that could hold the word endobj.
_NOT_PLAIN = re.compile(rb"[(%]|\b(?:stream|obj)\b")
_BEFORE_ENDOBJ = (b" ", b"\n", b"\r", b"\t", b"\x0c", b"\x00", b">", b")", b"]")
_STREAM = re.compile(rb"[\x00\t\n\x0c\r ]*stream(?:\r\n|\n|\r)")
_ENDSTREAM = re.compile(rb"[\x00\t\n\x0c\r ]*endstream\b")
_ENDOBJ = re.compile(rb"[\x00\t\n\x0c\r ]*endobj\b")
_STARTXREF = re.compile(rb"startxref[\x00\t\n\x0c\r ]+(\d{1,15})[\x00\t\n\x0c\r ]+%%EOF")
_SUBSECTION = re.compile(rb"[\x00\t\n\x0c\r ]*(\d{1,10}) (\d{1,10})[ \t]*(?:\r\n|\r|\n)")
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])[ \t]?(?:\r\n|\r|\n)")
_TRAILER = re.compile(rb"[\x00\t\n\x0c\r ]*trailer\b")
_TAIL = 2048  # where to look for the last startxref
_MAX_DEPTH = 100  # nesting of arrays and dictionaries
_MAX_SECTIONS = 1000  # cross-reference sections followed through /Prev
_CACHED_STREAMS = 4  # decoded object streams kept
_MAX_LENGTH_DEPTH = 4  # /Length references followed within each other


class PdfSyntaxError(Exception):
    """This reader cannot read the file as it is (qpdf may, by repairing it)."""


# What a caller catches to leave a file to qpdf: the reader's own refusal, and (defensively:
# the fuzz tests have not found one) an index or a conversion a malformed file could still upset.
UNREADABLE = (PdfSyntaxError, ValueError, IndexError)


Buffer: TypeAlias = bytes | bytearray  # a file's bytes (a decrypted copy is built in place)


class Name(bytes):
    """A name as written in the file, with its ``/``."""


class Token(bytes):
    """Any other scalar as written in the file: a number, a string, true, false or null."""


NULL = Token(b"null")


@dataclass(frozen=True, slots=True)
class Ref:
    number: int
    generation: int


@dataclass(frozen=True, slots=True)
class Stream:
    """A stream object: its dictionary, and its data as ``length`` bytes from ``start``."""

    dict: dict[Name, Value]
    start: int
    length: int


@dataclass(frozen=True, slots=True)
class Refs:
    """An array of references read lazily (a /Kids array: one entry per page of a page-tree
    node): the text ``data[start:end]``, from ``[`` to ``]``, each reference made when
    iterated."""

    data: Buffer
    start: int
    end: int

    def __iter__(self) -> Iterator[Ref]:
        for found in _REF_ITEM.finditer(self.data, self.start, self.end):
            yield Ref(int(found[1]), int(found[2]))

    def __len__(self) -> int:
        return sum(1 for _ in _REF_ITEM.finditer(self.data, self.start, self.end))


Value: TypeAlias = dict[Name, "Value"] | list["Value"] | Refs | Ref | Name | Token


@dataclass(frozen=True, slots=True)
class Located:
    """Where the newest revision keeps an object: in the file (``offset``) or as the
    ``index``-th object of object stream ``stream``."""

    offset: int = -1
    generation: int = 0
    stream: int = -1
    index: int = 0


def serialize(value: Value | Stream) -> bytes:
    """``value`` in PDF syntax (scalars exactly as they were read)."""
    if isinstance(value, dict):
        return (
            b"<< " + b" ".join(key + b" " + serialize(item) for key, item in value.items()) + b" >>"
        )
    if isinstance(value, list):
        return b"[ " + b" ".join(serialize(item) for item in value) + b" ]"
    if isinstance(value, Ref):
        return b"%d %d R" % (value.number, value.generation)
    if isinstance(value, bytes):
        return value
    if isinstance(value, Refs):
        return bytes(value.data[value.start : value.end])
    raise PdfSyntaxError(f"cannot write {type(value).__name__}")


def number(value: object) -> float | None:
    """A numeric token's value, else None."""
    if isinstance(value, Token) and _NUMBER.fullmatch(value):
        try:
            found = float(value)
        except ValueError:
            return None
        return found if math.isfinite(found) else None
    return None


_W = rb"[\x00\t\n\x0c\r ]"
_REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"
# One token (after white space and comments); the group that matched says which.
_TOKEN = re.compile(
    rb"(?:[\x00\t\n\x0c\r ]+|%[^\r\n]*)*(?:"
    rb"(<<)|(>>)|(\[)|(\])"  # 1-4
    rb"|(/" + _REGULAR + rb"*)"  # 5 name
    rb"|(\d{1,10})" + _W + rb"+(\d{1,5})" + _W + rb"+R(?!" + _REGULAR + rb")"  # 6, 7 reference
    rb"|([+-]?(?:\d+\.?\d*|\.\d+)(?!" + _REGULAR + rb"))"  # 8 number
    rb"|(<[0-9A-Fa-f\x00\t\n\x0c\r ]*>)"  # 9 hexadecimal string
    rb"|(\()"  # 10 literal string: scanned by _string
    rb"|((?:true|false|null)(?!" + _REGULAR + rb"))"  # 11
    rb")"
)
_STRING_RUN = re.compile(rb"[^()\\]+")
_KIDS = b"/Kids"
# An array of references only, as /Kids always is: kept as text (Refs), not parsed into a list.
# Checked with a character class and a count, not one nested pattern: the regular expression
# engine would keep state for every repetition (memory per page).
_REF_ARRAY_OPEN = re.compile(rb"[\x00\t\n\x0c\r ]*\[")
_REF_ARRAY_BODY = re.compile(rb"[0-9R\x00\t\n\x0c\r ]*\]")
_REF_ITEM = re.compile(rb"(\d{1,10})" + _W + rb"+(\d{1,5})" + _W + rb"+R")
_DIGITS = re.compile(rb"\d+")

_OPEN_DICT, _CLOSE_DICT, _OPEN_ARRAY, _CLOSE_ARRAY = 1, 2, 3, 4
_NAME_TOKEN, _REF_TOKEN, _STRING_TOKEN = 5, 7, 10  # a reference's last group is 7


def _plain_until(data: Buffer, start: int, end: int) -> bool:
    """Whether ``endobj`` at ``end`` ends the object that starts at ``start`` without a parse:
    no stream, other header, string or comment before it (they could hold the word), and not
    the tail of a name (``/Xendobj``)."""
    if end < 0 or _NOT_PLAIN.search(data, start, end):
        return False
    before = data[end - 1 : end]
    return before in _BEFORE_ENDOBJ and data[start:end].rstrip()[-1:] != b"/"


def _ref_array(data: Buffer, at: int) -> Refs | None:
    """The array of references at ``at``, as :class:`Refs`; None if it holds anything else."""
    opening = _REF_ARRAY_OPEN.match(data, at)
    body = _REF_ARRAY_BODY.match(data, opening.end()) if opening is not None else None
    if opening is None or body is None:
        return None
    start, end = opening.end() - 1, body.end()
    found = sum(1 for _ in _REF_ITEM.finditer(data, start, end))
    numbers = sum(1 for _ in _DIGITS.finditer(data, start, end))
    whole = found == data.count(b"R", start, end) and numbers == 2 * found
    return Refs(data, start, end) if whole else None


_ESCAPE = re.compile(rb"\\([0-7]{1,3}|\r\n|[\r\n]|.)|\r\n?", re.DOTALL)
_ESCAPED = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_NOT_HEX = re.compile(rb"[^0-9A-Fa-f]")


def _unescape(found: re.Match[bytes]) -> bytes:
    escaped = found[1]
    if escaped is None:
        return b"\n"  # an end of line inside a string reads as one line feed
    if escaped[:1].isdigit():
        return bytes([int(escaped, 8) & 0xFF])
    if escaped in (b"\r\n", b"\r", b"\n"):
        return b""  # a backslash before the end of line continues the string
    return _ESCAPED.get(escaped, escaped)


def string_value(token: Token) -> bytes:
    """The bytes a string token stands for (escapes undone, hexadecimal decoded)."""
    if token.startswith(b"(") and token.endswith(b")"):
        return _ESCAPE.sub(_unescape, token[1:-1])
    if token.startswith(b"<") and token.endswith(b">"):
        digits = _NOT_HEX.sub(b"", token[1:-1])
        return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))
    raise PdfSyntaxError("not a string")


def string_token(value: bytes) -> Token:
    """A hexadecimal string token for ``value``."""
    return Token(b"<" + value.hex().encode("ascii") + b">")


def is_string(value: object) -> bool:
    return isinstance(value, Token) and value[:1] in (b"(", b"<")


class Parser:
    """Parses values from a buffer: one regular-expression match per token, containers on a
    stack (no recursion)."""

    def __init__(self, data: Buffer) -> None:
        self.data = data

    def value(self, at: int, depth: int = 0) -> tuple[Value, int]:  # noqa: PLR0912
        """The value that starts at ``at`` (after white space and comments), and where it
        ends."""
        data = self.data
        match = _TOKEN.match
        # Open containers: a list, or a dictionary and the key waiting for its value.
        stack: list[list[Value] | tuple[dict[Name, Value], list[Name | None]]] = []
        while True:
            found = match(data, at)
            if found is None:
                raise PdfSyntaxError(f"unexpected {data[at : at + 12]!r} at {at}")
            kind = found.lastindex or 0
            at = found.end()
            item: Value
            if kind == _NAME_TOKEN:
                item = Name(found[5])
            elif kind == _REF_TOKEN:
                item = Ref(int(found[6]), int(found[7]))
            elif kind in (_OPEN_DICT, _OPEN_ARRAY):
                if len(stack) + depth >= _MAX_DEPTH:
                    raise PdfSyntaxError("nested too deeply")
                stack.append(({}, [None]) if kind == _OPEN_DICT else [])
                continue
            elif kind in (_CLOSE_DICT, _CLOSE_ARRAY):
                top = stack.pop() if stack else None
                if kind == _CLOSE_DICT and isinstance(top, tuple) and top[1][0] is None:
                    item = top[0]
                elif kind == _CLOSE_ARRAY and isinstance(top, list):
                    item = top
                else:
                    raise PdfSyntaxError(f"unbalanced {found[kind]!r} at {found.start(kind)}")
            elif kind == _STRING_TOKEN:
                item, at = self._string(found.start(_STRING_TOKEN))
            else:
                item = Token(found[kind])  # number, hexadecimal string, true, false, null
            if not stack:
                return item, at
            top = stack[-1]
            if isinstance(top, list):
                top.append(item)
            elif top[1][0] is None:
                if not isinstance(item, Name):
                    raise PdfSyntaxError(f"dictionary key expected before {at}")
                lazy = _ref_array(data, at) if item == _KIDS else None
                if lazy is not None:
                    top[0][item] = lazy
                    at = lazy.end
                else:
                    top[1][0] = item
            else:
                top[0][top[1][0]] = item
                top[1][0] = None

    def _string(self, at: int) -> tuple[Token, int]:
        """A literal string from its ``(`` at ``at``: balanced parentheses, backslash
        escapes."""
        data = self.data
        level, position, end = 0, at, len(data)
        run = _STRING_RUN.match
        while position < end:
            char = data[position]
            if char == 0x5C:  # backslash: skip the escaped byte
                position += 2
                continue
            if char == 0x28:
                level += 1
            elif char == 0x29:
                level -= 1
                if level == 0:
                    return Token(data[at : position + 1]), position + 1
            else:
                found = run(data, position)
                position = found.end() if found is not None else position + 1
                continue
            position += 1
        raise PdfSyntaxError("unterminated string")


@dataclass(frozen=True, slots=True)
class _Table:
    """A classic cross-reference section: subsections read from the file when asked."""

    subsections: tuple[tuple[int, int, int, int], ...]  # first, count, position, entry size


@dataclass(frozen=True, slots=True)
class _Rows:
    """A cross-reference stream's decoded rows."""

    rows: bytes
    widths: tuple[int, int, int]
    index: tuple[tuple[int, int, int], ...]  # first, count, row of the first


@dataclass(frozen=True, slots=True)
class Section:
    """One cross-reference section and its trailer; ``at``: where it starts; ``stream``: the
    cross-reference stream's object number (-1 for a table); ``hybrid``: the cross-reference
    stream a table names in /XRefStm (read after it, same revision)."""

    at: int
    trailer: dict[Name, Value]
    entries: _Table | _Rows
    stream: int = -1
    hybrid: bool = False  # the /XRefStm of the table before it: the same revision

    def get(self, data: Buffer, number: int) -> Located | None:
        """This section's entry for ``number``: where, free (offset -1, stream -1), or None
        when the section does not list it."""
        entries = self.entries
        if isinstance(entries, _Table):
            for first, count, position, size in entries.subsections:
                if first <= number < first + count:
                    entry = _ENTRY.match(data, position + size * (number - first))
                    if entry is None:
                        raise PdfSyntaxError(f"bad cross-reference entry for object {number}")
                    if entry[3] == b"f":
                        return Located()
                    return Located(int(entry[1]), int(entry[2]))
            return None
        for first, count, row in entries.index:
            if first <= number < first + count:
                return _row(entries, row + number - first)
        return None

    def listed(self, data: Buffer) -> Iterator[tuple[int, Located]]:
        """Every entry of this section."""
        entries = self.entries
        if isinstance(entries, _Table):
            for first, count, position, size in entries.subsections:
                for k in range(count):
                    entry = _ENTRY.match(data, position + size * k)
                    if entry is None:
                        raise PdfSyntaxError("bad cross-reference entry")
                    if entry[3] == b"n":
                        yield first + k, Located(int(entry[1]), int(entry[2]))
                    else:
                        yield first + k, Located()
            return
        for first, count, row in entries.index:
            for k in range(count):
                yield first + k, _row(entries, row + k)


def _row(rows: _Rows, row: int) -> Located:
    w1, w2, w3 = rows.widths
    start = row * (w1 + w2 + w3)
    raw = rows.rows
    if start + w1 + w2 + w3 > len(raw):
        raise PdfSyntaxError("cross-reference stream too short")
    kind = int.from_bytes(raw[start : start + w1], "big") if w1 else 1
    two = int.from_bytes(raw[start + w1 : start + w1 + w2], "big")
    three = int.from_bytes(raw[start + w1 + w2 : start + w1 + w2 + w3], "big")
    if kind == 1:
        return Located(two, three)
    if kind == 2:
        return Located(stream=two, index=three)
    return Located()  # free, or a type this reader treats as free (as readers must)


class Document:
    """A PDF read lazily from ``data``: the cross-reference chain from the last ``startxref``
    on, and objects parsed when asked."""

    def __init__(self, data: Buffer, *, allow_encrypted: bool = False) -> None:
        if not data.startswith(b"%PDF-"):
            raise PdfSyntaxError("no %PDF- header")
        self.data = data
        self.parser = Parser(data)
        self._streams: OrderedDict[int, tuple[bytes, list[int], int]] = OrderedDict()
        self._lengths = 0  # /Length references being followed
        found = list(_STARTXREF.finditer(data, max(len(data) - _TAIL, 0)))
        if not found:
            raise PdfSyntaxError("no startxref at the end")
        self.startxref = int(found[-1][1])
        self.sections: list[Section] = []
        self._read_chain(self.startxref)
        self.trailer = self.sections[0].trailer
        self.encrypted = Name(b"/Encrypt") in self.trailer
        if self.encrypted and not allow_encrypted:
            raise PdfSyntaxError("encrypted")
        size = number(self.trailer.get(Name(b"/Size")))
        if size is None or size < 1:
            raise PdfSyntaxError("no /Size in the trailer")
        if size > len(data):  # every object takes at least a byte of the file
            raise PdfSyntaxError("/Size larger than the file could hold")
        self.size = int(size)

    # -- cross-reference -------------------------------------------------------------------

    def _read_chain(self, at: int) -> None:
        seen: set[int] = set()
        pending = [at]
        while pending:
            at = pending.pop(0)
            if at in seen or len(self.sections) >= _MAX_SECTIONS:
                raise PdfSyntaxError("cross-reference chain loops")
            seen.add(at)
            section = self._section(at)
            self.sections.append(section)
            extra = section.trailer.get(Name(b"/XRefStm"))
            prev = section.trailer.get(Name(b"/Prev"))
            if isinstance(extra, Token) and section.stream < 0:
                hybrid = self._section(int(number(extra) or 0))
                if hybrid.stream < 0:
                    raise PdfSyntaxError("/XRefStm is not a stream")
                self.sections.append(replace(hybrid, hybrid=True))
            if prev is not None:
                offset = number(prev)
                if offset is None:
                    raise PdfSyntaxError("bad /Prev")
                pending.append(int(offset))

    @property
    def uses_streams(self) -> bool:
        """Whether the newest section is a cross-reference stream."""
        return self.sections[0].stream >= 0

    def _section(self, at: int) -> Section:
        data = self.data
        if not 0 <= at < len(data):
            raise PdfSyntaxError("startxref outside the file")
        if data.startswith(b"xref", at):
            return self._table(at)
        header = _HEADER.match(data, at)
        if header is None:
            raise PdfSyntaxError(f"no cross-reference at {at}")
        stream, _ = self._object_at(at, int(header[1]), int(header[2]))
        if not isinstance(stream, Stream) or stream.dict.get(Name(b"/Type")) != b"/XRef":
            raise PdfSyntaxError(f"no cross-reference at {at}")
        return self._rows(at, stream, int(header[1]))

    def _table(self, at: int) -> Section:
        data = self.data
        position = at + len(b"xref")
        subsections = []
        while (found := _SUBSECTION.match(data, position)) is not None:
            first, count = int(found[1]), int(found[2])
            head = _ENTRY.match(data, found.end()) if count else None
            size = head.end() - found.end() if head is not None else 20
            if count and head is None:
                raise PdfSyntaxError("bad cross-reference table")
            subsections.append((first, count, found.end(), size))
            position = found.end() + size * count
        trailer = _TRAILER.match(data, position)
        if trailer is None:
            raise PdfSyntaxError("no trailer after the cross-reference table")
        value, _ = self.parser.value(trailer.end())
        if not isinstance(value, dict):
            raise PdfSyntaxError("the trailer is not a dictionary")
        return Section(at, value, _Table(tuple(subsections)))

    def _rows(self, at: int, stream: Stream, own: int) -> Section:
        info = stream.dict
        widths = info.get(Name(b"/W"))
        if not isinstance(widths, list) or len(widths) != 3:
            raise PdfSyntaxError("bad /W in a cross-reference stream")
        w = tuple(int(number(v) or 0) for v in widths)
        if any(v < 0 or v > 8 for v in w):
            raise PdfSyntaxError("bad /W in a cross-reference stream")
        size = int(number(info.get(Name(b"/Size"))) or 0)
        raw_index = info.get(Name(b"/Index"), [Token(b"0"), Token(b"%d" % size)])
        if not isinstance(raw_index, list) or len(raw_index) % 2:
            raise PdfSyntaxError("bad /Index in a cross-reference stream")
        pairs = [int(number(v) or 0) for v in raw_index]
        index, row = [], 0
        for first, count in zip(pairs[::2], pairs[1::2], strict=True):
            index.append((first, count, row))
            row += count
        rows = self.stream_data(stream)
        if len(rows) < row * sum(w):
            raise PdfSyntaxError("cross-reference stream too short")
        return Section(at, info, _Rows(rows, (w[0], w[1], w[2]), tuple(index)), own)

    def locate(self, number: int) -> tuple[int, Located] | None:
        """The section (its position in :attr:`sections`) that gives ``number`` its current
        place, and the place; None if no section lists it."""
        for position, section in enumerate(self.sections):
            found = section.get(self.data, number)
            if found is not None:
                return position, found
        return None

    # -- objects ---------------------------------------------------------------------------

    def get(self, ref: Ref) -> Value | Stream:
        """The object ``ref`` names (null if it is free or missing)."""
        found = self.locate(ref.number)
        if found is None:
            return NULL
        place = found[1]
        if place.stream >= 0:
            if ref.generation != 0:
                return NULL
            return self._in_stream(place.stream, place.index, ref.number)
        if place.offset < 0:
            return NULL
        if place.generation != ref.generation:
            return NULL
        value, _ = self._object_at(place.offset, ref.number, ref.generation)
        return value

    def resolve(self, value: Value | Stream | None) -> Value | Stream | None:
        """``value``, or the object it refers to."""
        return self.get(value) if isinstance(value, Ref) else value

    def object_span(self, offset: int, ref: Ref) -> tuple[int, int]:
        """Where the object ``ref`` stored at ``offset`` starts (its ``n g obj``) and ends
        (after its ``endobj``)."""
        data = self.data
        header = _HEADER.match(data, offset)
        if header is None or int(header[1]) != ref.number or int(header[2]) != ref.generation:
            raise PdfSyntaxError(f"object {ref.number} is not where the cross-reference says")
        # Quick path for a dictionary (what the update replaces): the first endobj, with no
        # stream, no other object's header and no string or comment before it.
        end = data.find(b"endobj", header.end())
        if _plain_until(data, header.end(), end):
            return header.start(1), end + len(b"endobj")
        _, after = self._object_at(offset, ref.number, ref.generation)
        return header.start(1), after

    def body_start(self, offset: int, ref: Ref) -> int:
        """Where the object ``ref`` at ``offset`` starts after its ``n g obj`` header."""
        header = _HEADER.match(self.data, offset)
        if header is None or int(header[1]) != ref.number or int(header[2]) != ref.generation:
            raise PdfSyntaxError(f"object {ref.number} is not where the cross-reference says")
        return header.end()

    def stream_ends(self, start: int, length: int) -> int | None:
        """Where ``endobj`` ends when stream data from ``start`` of ``length`` bytes is
        followed by ``endstream`` and ``endobj``; else None."""
        tail = _ENDSTREAM.match(self.data, start + length)
        end = _ENDOBJ.match(self.data, tail.end()) if tail is not None else None
        return end.end() if end is not None else None

    def object_at(self, offset: int, ref: Ref) -> tuple[Value | Stream, int]:
        """The object ``ref`` whose header is at ``offset`` (as the cross-reference gives it),
        and where its ``endobj`` ends."""
        return self._object_at(offset, ref.number, ref.generation)

    def _object_at(self, offset: int, num: int, gen: int) -> tuple[Value | Stream, int]:
        """The object whose header is at ``offset``, and where its ``endobj`` ends."""
        data = self.data
        header = _HEADER.match(data, offset)
        if header is None or int(header[1]) != num or int(header[2]) != gen:
            raise PdfSyntaxError(f"object {num} {gen} is not where the cross-reference says")
        value, at = self.parser.value(header.end())
        stream = _STREAM.match(data, at) if isinstance(value, dict) else None
        if stream is not None:
            assert isinstance(value, dict)
            length = self._length(value.get(Name(b"/Length")))
            start = stream.end()
            tail = _ENDSTREAM.match(data, start + length)
            if tail is None:
                raise PdfSyntaxError(f"object {num} {gen}: /Length does not reach endstream")
            value_out: Value | Stream = Stream(value, start, length)
            at = tail.end()
        else:
            value_out = value
        end = _ENDOBJ.match(data, at)
        if end is None:
            raise PdfSyntaxError(f"object {num} {gen} has no endobj")
        return value_out, end.end()

    def _length(self, raw: Value | None) -> int:
        value: Value | Stream | None = raw
        if isinstance(raw, Ref):
            # A /Length refers to a number; one that leads back to a stream being read (its
            # own, or its object stream's) would never end.
            if self._lengths >= _MAX_LENGTH_DEPTH:
                raise PdfSyntaxError("a stream /Length refers back to a stream")
            self._lengths += 1
            try:
                value = self.get(raw)
            finally:
                self._lengths -= 1
        length = number(value)
        if length is None or length < 0 or length != int(length):
            raise PdfSyntaxError("bad stream /Length")
        return int(length)

    def stream_data(self, stream: Stream) -> bytes:
        """The stream's data, decoded (FlateDecode with or without a PNG predictor, or none)."""
        raw = self.data[stream.start : stream.start + stream.length]
        filters: Value | Stream | None = self.resolve(stream.dict.get(Name(b"/Filter")))
        params = self.resolve(stream.dict.get(Name(b"/DecodeParms")))
        if isinstance(filters, list):
            if len(filters) > 1:
                raise PdfSyntaxError("several filters")
            filters = self.resolve(filters[0]) if filters else None
            params = self.resolve(params[0]) if isinstance(params, list) and params else params
        if filters is None:
            return bytes(raw)
        if filters not in (b"/FlateDecode", b"/Fl"):
            raise PdfSyntaxError(f"filter {filters!r}")
        try:
            decoded = zlib.decompress(raw)
        except zlib.error as err:
            raise PdfSyntaxError(f"bad compressed stream: {err}") from None
        if isinstance(params, dict):
            predictor = int(number(self.resolve(params.get(Name(b"/Predictor")))) or 1)
            if predictor >= 10:
                columns = int(number(self.resolve(params.get(Name(b"/Columns")))) or 1)
                return _png_unpredict(decoded, columns)
            if predictor != 1:
                raise PdfSyntaxError(f"predictor {predictor}")
        return decoded

    def _in_stream(self, stream_number: int, index: int, num: int) -> Value | Stream:
        text, offsets, first = self.object_stream(stream_number)
        if not 0 <= index < len(offsets) // 2 or offsets[2 * index] != num:
            raise PdfSyntaxError(f"object {num} is not where its object stream says")
        value, _ = Parser(text).value(first + offsets[2 * index + 1])
        return value

    def object_stream(self, stream_number: int) -> tuple[bytes, list[int], int]:
        """An object stream's decoded text, its header (number, offset, number, offset …) and
        where the first object starts; the last few are kept."""
        cached = self._streams.get(stream_number)
        if cached is not None:
            self._streams.move_to_end(stream_number)
            return cached
        found = self.locate(stream_number)
        if found is None or found[1].stream >= 0 or found[1].offset < 0:
            raise PdfSyntaxError(f"object stream {stream_number} missing")
        stream, _ = self._object_at(found[1].offset, stream_number, found[1].generation)
        if not isinstance(stream, Stream) or stream.dict.get(Name(b"/Type")) != b"/ObjStm":
            raise PdfSyntaxError(f"object {stream_number} is not an object stream")
        if Name(b"/Extends") in stream.dict:
            raise PdfSyntaxError("object stream with /Extends")
        text = self.stream_data(stream)
        count = int(number(stream.dict.get(Name(b"/N"))) or 0)
        first = int(number(stream.dict.get(Name(b"/First"))) or 0)
        numbers = [int(v) for v in re.findall(rb"\d{1,10}", text[:first])]
        if len(numbers) != 2 * count:
            raise PdfSyntaxError(f"bad object stream {stream_number}")
        entry = (text, numbers, first)
        self._streams[stream_number] = entry
        if len(self._streams) > _CACHED_STREAMS:
            self._streams.popitem(last=False)
        return entry


def _png_unpredict(data: bytes, columns: int) -> bytes:
    """Undo the PNG predictors (one per row) of a cross-reference or object stream."""
    width = columns + 1
    if columns < 1 or columns > len(data) or len(data) % width:
        raise PdfSyntaxError("bad PNG predictor data")
    out = bytearray()
    previous = bytearray(columns)
    for start in range(0, len(data), width):
        kind = data[start]
        row = bytearray(data[start + 1 : start + width])
        if kind == 2:
            for i in range(columns):
                row[i] = (row[i] + previous[i]) & 0xFF
        elif kind == 1:
            for i in range(1, columns):
                row[i] = (row[i] + row[i - 1]) & 0xFF
        elif kind != 0:
            raise PdfSyntaxError(f"PNG predictor {kind}")
        out += row
        previous = row
    return bytes(out)
