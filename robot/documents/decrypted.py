"""An encrypted PDF rewritten without its encryption, object by object, by our own code.

The portal copy of an encrypted document must open without a password, so it is always a new
file: every object the newest revision uses, once, with its strings and its stream data
decrypted (the filters stay: decryption comes after them), the /Encrypt dictionary and the old
cross-reference streams left out. Object streams are decrypted as the streams they are; the
objects inside them had no strings of their own to decrypt. The watermark then updates this
copy as it updates any other file.

Memory: the copy itself (about the file's size) and one object at a time; qpdf's full copy held
every object of the document (about eight times the file).
"""

from __future__ import annotations

import re
from array import array

from robot.documents.decrypt import Decryptor, is_signature
from robot.documents.pdfsyntax import (
    Document,
    Name,
    Parser,
    PdfSyntaxError,
    Ref,
    Stream,
    Token,
    Value,
    is_string,
    number,
    serialize,
    string_token,
    string_value,
)

_HEADER_LINE = re.compile(rb"%PDF-\d\.\d")
_UNUSUAL = re.compile(rb"/ByteRange|/Sig\b|/DocTimeStamp|/Crypt\b|\bobj\b")
_LENGTH = re.compile(
    rb"/Length[\x00\t\n\x0c\r ]+(\d{1,12})(?:[\x00\t\n\x0c\r ]+(\d{1,5})[\x00\t\n\x0c\r ]+R)?"
    rb"(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])"
)
_METADATA = re.compile(rb"/Type[\x00\t\n\x0c\r ]*/Metadata(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])")
_STRING_OR_COMMENT = re.compile(rb"<<|[(<%]")
_STRING_OR_COMMENT_ONLY = re.compile(rb"[(%]|<[0-9A-Fa-f\x00\t\n\x0c\r ]*>")
_EOL = re.compile(rb"\r\n|\n|\r")
_BEFORE_STREAM = (b" ", b"\n", b"\r", b"\t", b"\x0c", b"\x00", b">")
_END_OF_LINE = re.compile(rb"[\r\n]")
_ENDOBJ_BEFORE = {bytes([c]) for c in b"\x00\t\n\x0c\r >)]"}  # what may precede a real endobj


def decrypted_copy(data: bytes, password: str | None, *, doc: Document | None = None) -> bytearray:
    """``data`` (an encrypted PDF) without its encryption; PdfSyntaxError when this cannot
    read it or the password opens nothing. ``doc``: ``data`` already read (with
    ``allow_encrypted``), not read again."""
    if doc is None or doc.data is not data:
        doc = Document(data, allow_encrypted=True)
    if not doc.encrypted:
        raise PdfSyntaxError("not encrypted")
    decryptor = Decryptor.for_document(doc, password)
    header = _HEADER_LINE.match(data)
    if header is None:
        raise PdfSyntaxError("no header line")
    out = bytearray(header[0] + b"\n%\xe2\xe3\xcf\xd3\n")
    skip = {section.stream for section in doc.sections if section.stream >= 0}
    encrypt = doc.trailer.get(Name(b"/Encrypt"))
    if isinstance(encrypt, Ref):
        skip.add(encrypt.number)
    kinds = bytearray(doc.size)  # 0 free, 1 in this file, 2 in an object stream
    field2: array[int] = array("q", bytes(8 * doc.size))
    field3: array[int] = array("q", bytes(8 * doc.size))
    field3[0] = 65535  # object 0: the head of the free list
    for number_ in range(1, doc.size):
        found = doc.locate(number_)
        if found is None or number_ in skip:
            continue
        place = found[1]
        if place.stream >= 0:
            kinds[number_], field2[number_], field3[number_] = 2, place.stream, place.index
            continue
        if place.offset < 0:
            continue
        ref = Ref(number_, place.generation)
        kinds[number_], field2[number_], field3[number_] = 1, len(out), place.generation
        out += b"%d %d obj\n" % (number_, place.generation)
        out += _object_text(doc, decryptor, place.offset, ref)
        out += b"\nendobj\n"
    _finish(doc, out, kinds, field2, field3)
    # The buffer itself, not a bytes copy of it: the copy is as large as the document, and the
    # reader and the update only read it.
    return out


def _object_text(doc: Document, decryptor: Decryptor, offset: int, ref: Ref) -> bytes:
    """The object at ``offset``, decrypted, in PDF syntax (between its header and endobj)."""
    quick = _quick_text(doc, decryptor, offset, ref)
    if quick is not None:
        return quick
    value, _ = doc.object_at(offset, ref)
    if isinstance(value, Stream):
        raw = doc.data[value.start : value.start + value.length]
        plain = decryptor.stream(ref, raw, value.dict)
        filters = value.dict.get(Name(b"/Filter"))
        if filters == b"/Crypt" or (isinstance(filters, list) and b"/Crypt" in filters):
            raise PdfSyntaxError("a stream with its own crypt filter")
        info = _decrypt_strings(value.dict, decryptor, ref)
        assert isinstance(info, dict)
        info[Name(b"/Length")] = Token(b"%d" % len(plain))
        return serialize(info) + b"\nstream\n" + plain + b"\nendstream"
    return serialize(_decrypt_strings(value, decryptor, ref))


def _quick_text(doc: Document, decryptor: Decryptor, offset: int, ref: Ref) -> bytes | None:
    """The object decrypted on its text, without parsing it: each string found by scanning
    and replaced by its decrypted bytes (hexadecimal), a stream's data decrypted and its
    /Length rewritten. None for anything unusual (a signature, a crypt filter, a /Length that
    is not one plain number or reference): the caller parses the object instead."""
    data = doc.data
    start = doc.body_start(offset, ref)
    # The first endobj, then a stream keyword before it (plain byte searches: a regular
    # expression trying both at every byte was the slowest part of the copy).
    end = data.find(b"endobj", start)
    if end < 0:
        return None
    keyword = data.find(b"stream", start, end)
    data_start = -1
    if keyword >= 0:
        eol = _EOL.match(data, keyword + len(b"stream"))
        if eol is None or data[keyword - 1 : keyword] not in _BEFORE_STREAM:
            return None  # "stream " with a space, or the word inside something: parse it
        data_start, end = eol.end(), keyword
    head = data[start:end]
    if not _ends_cleanly(head, data_start < 0) or _UNUSUAL.search(head):
        return None
    if data_start < 0 and not _STRING_OR_COMMENT_ONLY.search(head):
        return bytes(head.strip())  # nothing to decrypt: the object as written
    text = _decrypt_text(head, decryptor, ref)
    if text is None or data_start < 0:
        return text.strip() if text is not None else None
    return _quick_stream(doc, decryptor, ref, text, data_start)


def _ends_cleanly(head: bytes | bytearray, at_endobj: bool) -> bool:
    """Whether the scan really stopped at the object's end: no comment before it (the word
    might be inside one) and, for endobj, not the tail of a name (``/Xendobj``)."""
    if b"%" in head:  # (the caller cut at the first "stream", so none is left in it)
        return False
    if at_endobj:
        last = head.rstrip()[-1:]
        return head[-1:] in _ENDOBJ_BEFORE and last != b"/"
    return True


def _quick_stream(
    doc: Document, decryptor: Decryptor, ref: Ref, text: bytes, begin: int
) -> bytes | None:
    """A stream whose dictionary is ``text`` (strings decrypted) and whose data starts at
    ``begin``: the data decrypted, /Length rewritten; None when /Length is not one plain
    number or reference that reaches endstream."""
    lengths = list(_LENGTH.finditer(text))
    if len(lengths) != 1:
        return None
    found = lengths[0]
    raw = Token(found[1]) if found[2] is None else doc.get(Ref(int(found[1]), int(found[2])))
    length = number(raw)
    if length is None or length < 0 or length != int(length):
        return None
    if doc.stream_ends(begin, int(length)) is None:
        return None
    info: dict[Name, Value] | None = None
    if _METADATA.search(text) is not None:
        info = {Name(b"/Type"): Name(b"/Metadata")}
    plain = decryptor.stream(ref, doc.data[begin : begin + int(length)], info)
    text = text[: found.start()] + b"/Length %d" % len(plain) + text[found.end() :]
    return text.strip() + b"\nstream\n" + plain + b"\nendstream"


def _decrypt_text(text: bytes | bytearray, decryptor: Decryptor, ref: Ref) -> bytes | None:
    """``text`` with every string token decrypted; None if a string does not end."""
    out = bytearray()
    at = 0
    while (found := _STRING_OR_COMMENT.search(text, at)) is not None:
        begin = found.start()
        out += text[at:begin]
        if found[0] == b"%":
            stop = _END_OF_LINE.search(text, begin)
            at = stop.start() if stop is not None else len(text)
            continue  # a comment: dropped (a comment says nothing to a reader)
        if found[0] == b"<<":
            out += b"<<"
            at = found.end()
            continue
        if found[0] == b"<":
            close = text.find(b">", begin)
            if close < 0:
                return None
            token = Token(text[begin : close + 1])
            at = close + 1
        else:
            try:
                token, at = Parser(text)._string(begin)
            except PdfSyntaxError:
                return None
        out += b" " + string_token(decryptor.string(ref, string_value(token))) + b" "
    out += text[at:]
    return bytes(out)


def _decrypt_strings(value: Value, decryptor: Decryptor, ref: Ref) -> Value:
    """``value`` with every string decrypted (a signature's /Contents excepted: it is not
    encrypted)."""
    if isinstance(value, Token) and is_string(value):
        return string_token(decryptor.string(ref, string_value(value)))
    if isinstance(value, list):
        return [_decrypt_strings(item, decryptor, ref) for item in value]
    if isinstance(value, dict):
        signature = is_signature(value)
        return {
            key: item
            if signature and key == b"/Contents"
            else _decrypt_strings(item, decryptor, ref)
            for key, item in value.items()
        }
    return value


def _finish(
    doc: Document, out: bytearray, kinds: bytearray, field2: array[int], field3: array[int]
) -> None:
    """The cross-reference (a stream when objects stay in object streams, else a table) and
    the trailer, without /Encrypt."""
    trailer: dict[Name, Value] = {}
    for key in (Name(b"/Root"), Name(b"/Info"), Name(b"/ID")):
        found = doc.trailer.get(key)
        if found is not None:
            trailer[key] = _plain_id(found) if key == b"/ID" else found
    at = len(out)
    size = len(kinds)
    if 2 not in kinds:
        table = bytearray(b"xref\n0 %d\n0000000000 65535 f\r\n" % size)
        for number_ in range(1, size):
            if kinds[number_] == 1:
                table += b"%010d %05d n\r\n" % (field2[number_], field3[number_])
            else:
                table += b"0000000000 00000 f\r\n"
        trailer[Name(b"/Size")] = Token(b"%d" % size)
        out += table + b"trailer\n" + serialize(trailer) + b"\n"
    else:
        own = size
        kinds.append(1)
        field2.append(at)
        field3.append(0)
        width = max(4, (at.bit_length() + 7) // 8)
        rows = bytearray()
        for number_ in range(size + 1):
            rows.append(kinds[number_])
            rows += field2[number_].to_bytes(width, "big")
            rows += min(field3[number_], 0xFFFF).to_bytes(2, "big")
        head: dict[Name, Value] = {
            **trailer,
            Name(b"/Size"): Token(b"%d" % (own + 1)),
            Name(b"/Type"): Name(b"/XRef"),
            Name(b"/W"): [Token(b"1"), Token(b"%d" % width), Token(b"2")],
            Name(b"/Length"): Token(b"%d" % len(rows)),
        }
        out += b"%d 0 obj\n%s\nstream\n" % (own, serialize(head))
        out += rows + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % at


def _plain_id(found: Value) -> Value:
    """The trailer's /ID as written (it is never encrypted); hexadecimal for safety."""
    if isinstance(found, list):
        return [
            string_token(string_value(v)) if isinstance(v, Token) and is_string(v) else v
            for v in found
        ]
    return found
