"""Encrypted PDFs decrypted by our own code (robot/documents/decrypt.py, decrypted.py), checked
against qpdf (pikepdf) opening the same file with its password: files pikepdf encrypts every way
the Standard security handler allows (R2 to R6, RC4 and AES, with and without object streams,
user, owner and empty user password, unencrypted XMP), the corpus's own encrypted file, wrong
passwords, unsupported handlers and random damage; then the watermark on them, end to end."""

from __future__ import annotations

import functools
import hashlib
import io
import random
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from robot.documents import pagetree
from robot.documents.decrypt import Decryptor
from robot.documents.decrypted import decrypted_copy
from robot.documents.fonts import FONT_NAME, register_fonts
from robot.documents.pdfsyntax import Document, PdfSyntaxError, Ref, Stream
from robot.documents.watermark import PDFA1_NOTE, SIGNATURE_LOST_NOTE, watermark_pdf_result
from robot.errors import DocumentEncryptedError
from tests.documents.damage import EDITS, memory_cap, mutate
from tests.documents.pdfcheck import (
    assert_watermarked,
    earlier_revisions,
    page_texts,
    unmarked_pages,
)
from tests.documents.test_pdfsyntax import (
    SMALL,
    build,
    canon,
    theirs,
)
from tests.fixtures.documents import (
    CORPUS,
    CORPUS_PDFS,
    EDGE_PDFS,
    ENCRYPTED,
    UNICODE_LINE,
    signed_pdf,
)

USER = "usuario-1"
OWNER = "propietario-2"
TITLE = "Ñandú — Ingeniería"  # PDFDocEncoding holds every character
SUBJECT = "Añadido → ✓ 日本"  # it does not: UTF-16
NOTE = "Revisión: ¿sí? (ok) \\ fin"
TEXT = "Documento de uso exclusivo para SECOP II — Ñandú Ingeniería S.A.S. — 14/03/2025"
SAMPLE = 200  # objects compared per file
_ENCRYPT_KEY = re.compile(rb"/Encrypt\b")
_ENCRYPT_REF = re.compile(rb"/Encrypt\s*(\d+)\s+(\d+)\s+R")


# -- encrypted inputs ------------------------------------------------------------------------


@dataclass(frozen=True)
class Lock:
    """How pikepdf encrypts a file: the revision, AES or RC4, object streams, whether the
    XMP is encrypted (pikepdf only offers it from R4 with AES), and which password opens it:
    "user", "owner", or "empty" (owner-only protection: the empty user password)."""

    R: int
    aes: bool
    object_streams: bool = False
    role: str = "user"
    metadata: bool = True

    @property
    def id(self) -> str:
        cipher = "aes" if self.aes else "rc4"
        streams = "-objstm" if self.object_streams else ""
        xmp = "" if self.metadata else "-plain-xmp"
        return f"R{self.R}-{cipher}{streams}-{self.role}{xmp}"

    @property
    def password(self) -> str | None:
        return {"user": USER, "owner": OWNER, "empty": None}[self.role]


CIPHERS = [(2, False), (3, False), (4, False), (4, True), (6, True)]


def encrypt(data: bytes, lock: Lock, *, user: str = USER, owner: str = OWNER) -> bytes:
    """``data`` saved by pikepdf with ``lock``'s encryption."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = io.BytesIO()
        mode = (
            pikepdf.ObjectStreamMode.generate
            if lock.object_streams
            else pikepdf.ObjectStreamMode.disable
        )
        encryption = pikepdf.Encryption(
            owner=owner,
            user="" if lock.role == "empty" else user,
            R=lock.R,  # type: ignore[arg-type]
            aes=lock.aes,
            metadata=lock.metadata and lock.R >= 4 and lock.aes,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # R5 is deprecated
            pdf.save(out, encryption=encryption, object_stream_mode=mode)
    return out.getvalue()


@functools.cache
def special() -> bytes:
    """Two pages of Spanish text; /Info strings in PDFDocEncoding, in UTF-16, every byte value,
    empty and exactly one AES block long; a text annotation with a string full of escapes; XMP
    metadata; an empty stream."""
    register_fonts()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for number in (1, 2):
        page.setFont(FONT_NAME, 14)
        page.drawString(60, 760, f"{UNICODE_LINE} {number}")
        page.showPage()
    page.save()
    with pikepdf.open(io.BytesIO(buffer.getvalue())) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = TITLE
        pdf.docinfo.Title = TITLE
        pdf.docinfo.Subject = SUBJECT
        pdf.docinfo.Keywords = pikepdf.String(bytes(range(256)))
        pdf.docinfo.Empty = pikepdf.String(b"")
        pdf.docinfo.Block = pikepdf.String(b"0123456789abcdef")
        note = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Text,
            Rect=[72, 72, 96, 96],
            Contents=pikepdf.String(NOTE),
            T=pikepdf.String("Núñez"),
        )
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(note)]))
        pdf.Root.Empty = pdf.make_stream(b"")
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


@functools.cache
def locked(lock: Lock) -> bytes:
    return encrypt(special(), lock)


def rebuilt(data: bytes, password: str, change: Callable[[bytes, list[bytes]], bytes]) -> bytes:
    """``data`` (classic cross-reference table, no object streams) with each object's text
    passed through ``change`` (which may add objects to its list: numbered from /Size on), and
    a new cross-reference table; qpdf must read the result without a warning."""
    with pikepdf.open(io.BytesIO(data), password=password) as pdf:
        table = pdf.get_xref_table()
    assert all(entry.type in (0, 1) for entry in table.values())
    placed = sorted((entry.offset, objgen) for objgen, entry in table.items() if entry.type == 1)
    xref = data.rindex(b"\nxref\n") + 1
    size = max(objgen[0] for objgen in table) + 1
    out = bytearray(data[: placed[0][0]])
    offsets: dict[int, int] = {}
    added: list[bytes] = []
    ends = [offset for offset, _ in placed[1:]] + [xref]
    for (offset, objgen), end in zip(placed, ends, strict=True):
        offsets[objgen[0]] = len(out)
        out += change(data[offset:end], added)
    for k, body in enumerate(added):
        offsets[size + k] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (size + k, body)
    total = size + len(added)
    at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % total
    for number in range(1, total):
        out += (
            b"%010d 00000 n \n" % offsets[number]
            if number in offsets
            else b"0" * 10 + b" 00000 f \n"
        )
    trailer = data[data.rindex(b"trailer") : data.rindex(b"startxref")]
    out += re.sub(rb"/Size \d+", b"/Size %d" % total, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % at
    with pikepdf.open(io.BytesIO(bytes(out)), password=password) as pdf:
        assert pdf.get_warnings() == []  # the test's own file is sound
    return bytes(out)


def with_indirect_lengths(data: bytes, password: str) -> bytes:
    """``data`` with every stream's /Length moved into an object of its own, as LibreOffice
    writes them: the same objects and /ID, so the same key decrypts it. With AES a stream's
    data is longer encrypted than decrypted: a copy that keeps the indirect length keeps the
    wrong one."""
    size = int(re.findall(rb"/Size (\d+)", data)[-1])

    def change(text: bytes, added: list[bytes]) -> bytes:
        opening = re.search(rb">>\s*stream\r?\n", text)
        if opening is None:
            return text

        def moved(found: re.Match[bytes]) -> bytes:
            added.append(found[1])
            return b"/Length %d 0 R" % (size + len(added) - 1)

        head = re.sub(rb"/Length (\d+)(?=[\s/>])", moved, text[: opening.start()], count=1)
        return head + text[opening.start() :]

    out = rebuilt(data, password, change)
    assert int(re.findall(rb"/Size (\d+)", out)[-1]) > size  # some /Length moved
    return out


def with_identity_strings(data: bytes, password: str) -> bytes:
    """``data`` (R4 or R6) with /StrF /Identity: strings are read as they are written (here:
    still encrypted, which both readers must then keep as bytes), streams decrypted."""

    def change(text: bytes, added: list[bytes]) -> bytes:
        if b"/Filter /Standard" not in text:
            return text
        assert b"/StrF /StdCF" in text
        return text.replace(b"/StrF /StdCF", b"/StrF /Identity")

    return rebuilt(data, password, change)


def with_streams_in_the_clear(
    data: bytes,
    password: str,
    chosen: Callable[[pikepdf.Stream], bool],
    old: bytes,
    new: bytes,
) -> bytes:
    """``data`` (classic cross-reference table) with the streams ``chosen`` selects stored
    decrypted, and ``old`` replaced by ``new`` in the encryption dictionary (a crypt filter
    that says those streams are not encrypted: /StmF /Identity). (Not /EFF: qpdf, the
    reference here, decrypts embedded files with /StmF whatever /EFF says.)"""
    with pikepdf.open(io.BytesIO(data), password=password) as pdf:
        plain = {
            obj.objgen: obj.read_raw_bytes()
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Stream) and chosen(obj)
        }
    assert plain

    def change(text: bytes, added: list[bytes]) -> bytes:
        if b"/Filter /Standard" in text:
            assert old in text
            return text.replace(old, new)
        header = re.match(rb"(\d+) (\d+) obj", text)
        assert header is not None
        objgen = (int(header[1]), int(header[2]))
        if objgen not in plain:
            return text
        opening = re.search(rb">>\s*stream\r?\n", text)
        assert opening is not None
        length = b"/Length %d" % len(plain[objgen])
        head = re.sub(rb"/Length \d+", length, text[: opening.start()], count=1)
        return head + b">>\nstream\n" + plain[objgen] + b"\nendstream\nendobj\n"

    return rebuilt(data, password, change)


def _encrypted(file_key: bytes, lock: Lock, ref: tuple[int, int], plain: bytes) -> bytes:
    """``plain`` encrypted for object ``ref`` (ISO 32000-2, 7.6.3.2 and 7.6.3.3), written
    independently of robot/documents/decrypt.py and checked by qpdf reading it back."""
    if lock.R >= 5:
        key = file_key
    else:
        salt = b"sAlT" if lock.aes else b""
        seed = file_key + ref[0].to_bytes(3, "little") + ref[1].to_bytes(2, "little") + salt
        key = hashlib.md5(seed, usedforsecurity=False).digest()[: min(len(file_key) + 5, 16)]
    if not lock.aes:
        return Cipher(ARC4(key), mode=None).encryptor().update(plain)
    iv = bytes(range(16))
    pad = 16 - len(plain) % 16
    worker = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return iv + worker.update(plain + bytes([pad]) * pad) + worker.finalize()


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
_FIRST_ID = bytes.fromhex("00112233445566778899aabbccddeeff")


def _rc4(key: bytes, data: bytes) -> bytes:
    """RC4 for any key length (``cryptography`` offers only some)."""
    state, j = list(range(256)), 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) & 0xFF
        state[i], state[j] = state[j], state[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) & 0xFF
        j = (j + state[i]) & 0xFF
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) & 0xFF])
    return bytes(out)


def _rc4_rounds(key: bytes, data: bytes) -> bytes:
    for i in range(20):
        data = _rc4(bytes(b ^ i for b in key), data)
    return data


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data, usedforsecurity=False).digest()


def hand_encrypted_r3(bits: int) -> bytes:
    """A small file encrypted by hand with RC4 (V2, R3) and a ``bits``-bit key: ISO 32000-2
    algorithms 2, 3 and 5, checked by qpdf reading it. pikepdf writes only 128 bits; 48 to 120
    bits give keys whose length ``cryptography``'s RC4 does not take."""
    size = bits // 8
    user = (USER.encode() + _PAD)[:32]
    owner_key = _md5((OWNER.encode() + _PAD)[:32])
    for _ in range(50):  # the first n bytes each round, as Acrobat, qpdf and PDFBox do
        owner_key = _md5(owner_key[:size])
    o_value = _rc4_rounds(owner_key[:size], user)
    permissions = (-1028).to_bytes(4, "little", signed=True)
    key = _md5(user + o_value + permissions + _FIRST_ID)
    for _ in range(50):
        key = _md5(key[:size])
    key = key[:size]
    u_value = _rc4_rounds(key, _md5(_PAD + _FIRST_ID)) + bytes(16)

    def sealed(number: int, plain: bytes) -> bytes:
        return _rc4(_md5(key + number.to_bytes(3, "little") + bytes(2))[: size + 5], plain)

    content = b"BT /F1 24 Tf 72 700 Td (Clave de %d bits) Tj ET" % bits
    title = TITLE.encode("utf-16")
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] >>",
        3: b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R"
        b" /Resources << /Font << /F1 6 0 R >> >> >>",
        4: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), sealed(4, content)),
        5: b"<< /Title <%s> >>" % sealed(5, title).hex().encode(),
        6: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        7: b"<< /Filter /Standard /V 2 /R 3 /Length %d /P -1028 /O <%s> /U <%s> >>"
        % (bits, o_value.hex().encode(), u_value.hex().encode()),
    }
    ident = _FIRST_ID.hex().encode()
    data = build(objects, trailer=b" /Info 5 0 R /Encrypt 7 0 R /ID [<%s><%s>]" % (ident, ident))
    for password in (USER, OWNER):
        with pikepdf.open(io.BytesIO(data), password=password) as pdf:
            assert pdf.get_warnings() == []
            assert pdf.encryption.bits == bits
            assert str(pdf.docinfo.Title) == TITLE
            assert _content(pdf.pages[0]) == content
    return data


UPDATED_TITLE = "Revisión 2 — generación 1"
ADDED_CONTENT = b"q 0 0 1 rg 20 20 40 40 re f Q"


def with_update(data: bytes, lock: Lock) -> bytes:
    """``data`` with an incremental update written by hand: the /Info object's number reused at
    generation 1 (its old version freed) with a new encrypted /Title, page 1 turned 90 degrees
    and given a second content stream, a new object at generation 3. Strings and streams of
    a generation other than 0 are decrypted with that generation's key."""
    password = lock.password or ""
    with pikepdf.open(io.BytesIO(data), password=password) as pdf:
        file_key = pdf.encryption.encryption_key
        info = pdf.trailer.Info.objgen
        page = pdf.pages[0].obj
        page_ref = page.objgen
        root = pdf.Root.objgen
        encrypt_ref = pdf.trailer.Encrypt.objgen
        size = int(pdf.trailer.Size)
        contents = page.Contents
        old = (
            [c.objgen for c in contents]
            if isinstance(contents, pikepdf.Array)
            else [contents.objgen]
        )
        page_copy = pikepdf.Dictionary(page)  # a direct copy: its values, no strings in a page
        page_copy.Rotate = 90
        added_ref = (size, 3)
        made = pdf.make_indirect(pikepdf.Stream(pdf, b""))
        page_copy.Contents = pikepdf.Array([pdf.get_object(og) for og in old] + [made])
        page_text = page_copy.unparse()
        placeholder = b"%d %d R" % made.objgen
    # the new content stream's reference, as the update numbers it
    assert page_text.count(placeholder) == 1
    page_text = page_text.replace(placeholder, b"%d %d R" % added_ref)
    assert b"(" not in page_text
    title = _encrypted(file_key, lock, (info[0], 1), UPDATED_TITLE.encode("utf-16"))
    content = _encrypted(file_key, lock, added_ref, ADDED_CONTENT)
    ids = re.findall(rb"/ID ?\[ ?<[0-9a-fA-F]+> ?<[0-9a-fA-F]+> ?\]", data)[-1]
    start = len(data)
    body = bytearray()
    offsets = {}
    offsets[info[0]] = (start + len(body), 1)
    body += b"%d 1 obj\n<< /Title <%s> >>\nendobj\n" % (info[0], title.hex().encode())
    offsets[page_ref[0]] = (start + len(body), page_ref[1])
    body += b"%d %d obj\n%s\nendobj\n" % (*page_ref, page_text)
    offsets[added_ref[0]] = (start + len(body), added_ref[1])
    body += b"%d %d obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
        *added_ref,
        len(content),
        content,
    )
    at = start + len(body)
    body += b"xref\n"
    for number in sorted(offsets):
        offset, generation = offsets[number]
        body += b"%d 1\n%010d %05d n \n" % (number, offset, generation)
    previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    body += b"trailer\n<< /Size %d /Root %d %d R /Info %d 1 R /Encrypt %d %d R %s /Prev %d >>\n" % (
        size + 1,
        *root,
        info[0],
        *encrypt_ref,
        ids,
        previous,
    )
    body += b"startxref\n%d\n%%%%EOF\n" % at
    out = data + bytes(body)
    with pikepdf.open(io.BytesIO(out), password=password) as pdf:  # qpdf reads the update
        assert pdf.get_warnings() == []
        assert str(pdf.docinfo.Title) == UPDATED_TITLE
        assert pdf.pages[0].obj.Rotate == 90
        assert _content(pdf.pages[0]).endswith(ADDED_CONTENT)
    return out


# -- the checks ------------------------------------------------------------------------------


def _content(page: pikepdf.Page) -> bytes:
    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    return b"".join(s.read_bytes() for s in streams if isinstance(s, pikepdf.Stream))


def _without_length(found: object) -> object:
    assert isinstance(found, dict)
    return {key: value for key, value in found.items() if key != b"/Length"}


def _same_object(pdf: pikepdf.Pdf, copy: pikepdf.Pdf, objgen: tuple[int, int]) -> None:
    old, new = pdf.get_object(objgen), copy.get_object(objgen)
    if not isinstance(old, pikepdf.Stream):
        assert not isinstance(new, pikepdf.Stream), objgen
        assert theirs(new) == theirs(old), objgen
        return
    assert isinstance(new, pikepdf.Stream), objgen
    assert _without_length(theirs(new)) == _without_length(theirs(old)), objgen
    assert new.read_raw_bytes() == old.read_raw_bytes(), objgen
    try:
        decoded = old.read_bytes()
    except pikepdf.PdfError:  # a filter qpdf does not decode (DCT is decoded, JBIG2 not)
        return
    assert new.read_bytes() == decoded, objgen


def assert_decrypted(
    encrypted: bytes,
    password: str | bytes | None,
    out: bytes,
    seed: object = 0,
    *,
    pypdf: bool = True,
) -> None:
    """``out`` is ``encrypted`` without its encryption: it opens without a password and with
    no warning, no encryption dictionary is left in it (its /O and /U would let anyone try
    passwords offline), and its pages, /Info, objects (by number) and text are those qpdf and
    pypdf read from ``encrypted`` with ``password`` (``pypdf=False``: pypdf cannot decrypt
    the input, and reads the copy only); the lean reader takes it as it is."""
    assert _ENCRYPT_KEY.search(out) is None
    # qpdf as the files say: inherited attributes not pushed to the pages (as new objects)
    with pikepdf.open(io.BytesIO(out), inherit_page_attributes=False) as copy:
        assert not copy.is_encrypted
        assert copy.check_pdf_syntax() == []
        assert copy.get_warnings() == []
        with pikepdf.open(
            io.BytesIO(encrypted), password=password or "", inherit_page_attributes=False
        ) as pdf:
            assert pdf.is_encrypted
            assert pdf.get_warnings() == []  # the input itself is sound
            assert len(copy.pages) == len(pdf.pages)
            for number, (old, new) in enumerate(zip(pdf.pages, copy.pages, strict=True), 1):
                assert new.obj.objgen == old.obj.objgen, f"page {number}"
                assert _content(new) == _content(old), f"page {number}"
            assert ("/Info" in copy.trailer) == ("/Info" in pdf.trailer)
            if "/Info" in pdf.trailer:
                assert theirs(copy.trailer.Info) == theirs(pdf.trailer.Info)
                assert copy.docinfo.get("/Title") == pdf.docinfo.get("/Title")
            skip = {pdf.trailer.Encrypt.objgen} if pdf.trailer.Encrypt.is_indirect else set()
            listed = sorted(
                objgen
                for objgen, entry in pdf.get_xref_table().items()
                if entry.type in (1, 2) and objgen not in skip
            )
            listed = [
                objgen
                for objgen in listed
                if not (
                    isinstance(obj := pdf.get_object(objgen), pikepdf.Stream)
                    and obj.get("/Type") in ("/XRef", "/ObjStm")
                )
            ]
            if len(listed) > SAMPLE:
                listed = sorted(random.Random(str(seed)).sample(listed, SAMPLE))
            for objgen in listed:
                _same_object(pdf, copy, objgen)
        for obj in copy.objects:  # nothing of the security handler left behind
            if isinstance(obj, pikepdf.Dictionary):
                assert obj.get("/Filter") != "/Standard" or "/U" not in obj, obj.objgen
    texts = page_texts(out)
    if pypdf:
        assert texts == page_texts(encrypted, password or "")
    doc = Document(out)
    assert pagetree.count(doc) == len(list(pagetree.pages(doc)))


def copy_checked(
    encrypted: bytes, password: str | None, seed: object = 0, *, pypdf: bool = True
) -> bytes:
    out = decrypted_copy(encrypted, password)
    assert_decrypted(encrypted, password, out, seed, pypdf=pypdf)
    return out


# -- 1. every way pikepdf encrypts --------------------------------------------------------------

LOCKS = [
    Lock(r, aes, streams, role)
    for r, aes in CIPHERS
    for streams in (False, True)
    for role in ("user", "owner", "empty")
] + [Lock(r, True, streams, "user", metadata=False) for r in (4, 6) for streams in (False, True)]


@pytest.mark.parametrize("lock", LOCKS, ids=lambda lock: lock.id)
def test_every_standard_encryption_is_decrypted_as_qpdf_decrypts_it(lock: Lock) -> None:
    encrypted = locked(lock)
    out = copy_checked(encrypted, lock.password, lock.id)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert str(pdf.docinfo.Title) == TITLE
        assert str(pdf.docinfo.Subject) == SUBJECT
        assert bytes(pdf.docinfo.Keywords) == bytes(range(256))
        assert bytes(pdf.docinfo.Empty) == b""
        assert bytes(pdf.docinfo.Block) == b"0123456789abcdef"
        annotation = pdf.pages[0].obj.Annots[0]
        assert str(annotation.Contents) == NOTE
        assert str(annotation.T) == "Núñez"
        assert pdf.Root.Empty.read_bytes() == b""
        assert TITLE.encode() in pdf.Root.Metadata.read_bytes()
    assert UNICODE_LINE.replace(" ", "") in page_texts(out)[0]


def test_the_empty_user_password_is_tried_for_none_and_for_the_empty_string() -> None:
    for r, aes in CIPHERS:
        encrypted = locked(Lock(r, aes, role="empty"))
        first = decrypted_copy(encrypted, None)
        assert decrypted_copy(encrypted, "") == first
        assert_decrypted(encrypted, "", first)


@pytest.mark.parametrize("r", [4, 6])
def test_unencrypted_metadata_is_copied_as_it_was(r: int) -> None:
    """/EncryptMetadata false: the XMP stream is stored in the clear and must not be
    "decrypted" into noise."""
    encrypted = locked(Lock(r, True, metadata=False))
    assert b"<x:xmpmeta" in encrypted  # the input really has its XMP in the clear
    out = copy_checked(encrypted, USER)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert TITLE.encode() in pdf.Root.Metadata.read_bytes()


@pytest.mark.parametrize(
    ("r", "aes", "password"),
    [
        (3, False, "x" * 40),  # past 32 bytes R2-R4 read only the first 32
        (4, True, "x" * 32),
        (6, True, "y" * 127),  # the longest R6 password
        (6, True, "contraseña-Ñandú€"),  # R6 passwords are UTF-8
        (2, False, "contraseña"),  # R2-R4 passwords are PDFDocEncoding (Latin-1 here)
        (4, True, "Ñandú"),
        (3, False, "Año€2024"),  # the euro sign: PDFDocEncoding has it, Latin-1 does not
        (4, True, "Año€2024"),
    ],
    ids=[
        "R3-40-chars",
        "R4-32-chars",
        "R6-127-chars",
        "R6-non-ascii",
        "R2-latin-1",
        "R4-latin-1",
        "R3-euro",
        "R4-euro",
    ],
)
def test_long_and_non_ascii_passwords(r: int, aes: bool, password: str) -> None:
    """The password as the profile gives it (text); qpdf is given the bytes the file was
    encrypted with (pikepdf would send UTF-8, which R2-R4 do not use)."""
    source = (CORPUS / "minimal-document.pdf").read_bytes()
    as_written: str | bytes = password if r >= 5 else password.encode("pdfdoc")
    for role in ("user", "owner"):
        encrypted = encrypt(
            source,
            Lock(r, aes, role=role),
            user=password if role == "user" else USER,
            owner=password if role == "owner" else OWNER,
        )
        with pikepdf.open(io.BytesIO(encrypted), password=as_written):
            pass  # qpdf opens it with that password
        out = decrypted_copy(encrypted, password)
        assert_decrypted(encrypted, as_written, out)


SMALL_CORPUS = [name for name in CORPUS_PDFS if (CORPUS / name).stat().st_size < 100_000]
SWEEP_LOCKS = [Lock(r, aes, streams) for r, aes in CIPHERS for streams in (True, False)]


@pytest.mark.parametrize(
    "name",
    [f"corpus/{name}" for name in SMALL_CORPUS]
    + [f"edge/{name}" for name in EDGE_PDFS]
    + ["signed", "signed-object-streams"],
)
def test_real_and_generated_pdfs_are_decrypted_as_qpdf_decrypts_them(
    name: str, request: pytest.FixtureRequest
) -> None:
    """Each file under one of the encryptions (chosen by its name), with the user password:
    fonts, images (DCT, CCITT), forms, outlines, attachments, a signature's /Contents (which
    is never encrypted)."""
    kind, _, file = name.partition("/")
    if kind == "corpus":
        source = (CORPUS / file).read_bytes()
    elif kind == "edge":
        edge: dict[str, Path] = request.getfixturevalue("edge_pdfs")
        source = edge[file].read_bytes()
    else:
        source = signed_pdf(object_streams=name.endswith("streams"))
    all_names = (
        [f"corpus/{n}" for n in SMALL_CORPUS]
        + [f"edge/{n}" for n in EDGE_PDFS]
        + ["signed", "signed-object-streams"]
    )
    lock = SWEEP_LOCKS[all_names.index(name) % len(SWEEP_LOCKS)]
    copy_checked(encrypt(source, lock), USER, name)


def test_a_stream_length_in_an_object_of_its_own_is_written_for_the_decrypted_data() -> None:
    for r, aes in [(4, True), (6, True), (3, False)]:
        encrypted = with_indirect_lengths(locked(Lock(r, aes)), USER)
        copy_checked(encrypted, USER)


@pytest.mark.parametrize(
    "lock",
    [Lock(r, aes, streams) for r, aes in CIPHERS for streams in (False, True)],
    ids=lambda lock: lock.id,
)
def test_an_encrypted_update_with_other_generations_is_decrypted(lock: Lock) -> None:
    encrypted = with_update(locked(lock), lock)
    out = copy_checked(encrypted, lock.password)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert str(pdf.docinfo.Title) == UPDATED_TITLE
        assert pdf.pages[0].obj.Rotate == 90
        assert _content(pdf.pages[0]).endswith(ADDED_CONTENT)


@pytest.mark.parametrize(
    ("bits", "password"),
    [(bits, password) for password in (USER, OWNER) for bits in (40, 56, 96, 120, 128)],
    ids=[f"{bits}-bits-{role}" for role in ("user", "owner") for bits in (40, 56, 96, 120, 128)],
)
def test_rc4_keys_of_every_length_are_decrypted(bits: int, password: str) -> None:
    encrypted = hand_encrypted_r3(bits)
    # pypdf reads the copy only: its RC4 (cryptography's) takes no 88 to 120-bit object key,
    # and it hashes the whole digest for an owner password (the standard's text, not Acrobat)
    out = copy_checked(encrypted, password, pypdf=bits == 128 or (bits == 40 and password == USER))
    assert f"Clavede{bits}bits" in page_texts(out)[0]
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert str(pdf.docinfo.Title) == TITLE
        assert b"Clave de %d bits" % bits in _content(pdf.pages[0])
    with pytest.raises(PdfSyntaxError):
        decrypted_copy(encrypted, "otra")


@pytest.mark.parametrize("r", [4, 6])
def test_identity_strings_are_kept_as_written(r: int) -> None:
    encrypted = with_identity_strings(locked(Lock(r, True)), USER)
    copy_checked(encrypted, USER)


def _decrypted_or_refused_right(encrypted: bytes, password: str) -> None:
    try:
        out = decrypted_copy(encrypted, password)
    except PdfSyntaxError:
        return
    assert_decrypted(encrypted, password, out)


@pytest.mark.parametrize("r", [4, 6])
def test_streams_stored_in_the_clear_by_an_identity_filter_are_copied_as_they_are(r: int) -> None:
    """/StmF /Identity, strings still encrypted (/StrF /StdCF): decrypted right, or
    refused."""
    encrypted = with_streams_in_the_clear(
        locked(Lock(r, True)),
        USER,
        lambda stream: True,
        b"/StmF /StdCF",
        b"/StmF /Identity",
    )
    _decrypted_or_refused_right(encrypted, USER)


def test_r5_is_decrypted_or_refused() -> None:
    """R5 (a deprecated Adobe extension): decrypted right, or PdfSyntaxError."""
    encrypted = locked(Lock(5, True))
    try:
        out = decrypted_copy(encrypted, USER)
    except PdfSyntaxError:
        return
    assert_decrypted(encrypted, USER, out)


# -- the Decryptor itself ----------------------------------------------------------------------


def _decrypt_strings(found: object, decryptor: Decryptor, ref: Ref) -> object:
    if isinstance(found, tuple) and found[0] == "string":
        return ("string", decryptor.string(ref, found[1]))
    if isinstance(found, dict):
        return {key: _decrypt_strings(value, decryptor, ref) for key, value in found.items()}
    if isinstance(found, list):
        return [_decrypt_strings(value, decryptor, ref) for value in found]
    return found


@pytest.mark.parametrize(
    "lock",
    [Lock(r, aes, streams) for r, aes in CIPHERS for streams in (False, True)]
    + [Lock(6, True, metadata=False)],
    ids=lambda lock: lock.id,
)
def test_each_string_and_stream_decrypts_as_qpdf_decrypts_it(lock: Lock) -> None:
    """Every object stored in the file itself (not in an object stream): its strings and its
    stream data, one by one, through the Decryptor."""
    encrypted = locked(lock)
    with pytest.raises(PdfSyntaxError, match="encrypted"):
        Document(encrypted)
    doc = Document(encrypted, allow_encrypted=True)
    decryptor = Decryptor.for_document(doc, lock.password)
    checked = 0
    with pikepdf.open(io.BytesIO(encrypted), password=lock.password or "") as pdf:
        encrypt_dict = pdf.trailer.Encrypt.objgen
        for objgen, entry in pdf.get_xref_table().items():
            if entry.type != 1 or objgen == encrypt_dict:
                continue
            obj = pdf.get_object(objgen)
            ref = Ref(*objgen)
            ours = doc.get(ref)
            if isinstance(obj, pikepdf.Stream):
                assert isinstance(ours, Stream), objgen
                if obj.get("/Type") == "/XRef":
                    continue  # never encrypted
                raw = encrypted[ours.start : ours.start + ours.length]
                assert decryptor.stream(ref, raw, ours.dict) == obj.read_raw_bytes(), objgen
                found = _decrypt_strings(canon(ours.dict), decryptor, ref)
                assert _without_length(found) == _without_length(theirs(obj)), objgen
            else:
                assert _decrypt_strings(canon(ours), decryptor, ref) == theirs(obj), objgen
            checked += 1
    assert checked >= 5


# -- 2. the corpus's own encrypted file ------------------------------------------------------------


def test_the_corpus_encrypted_file_is_decrypted_with_its_password() -> None:
    encrypted = (CORPUS / ENCRYPTED).read_bytes()
    out = copy_checked(encrypted, "openpassword")
    assert b"openpassword" not in out
    for wrong in (None, "", "OpenPassword", "openpassword "):
        with pytest.raises(PdfSyntaxError):
            decrypted_copy(encrypted, wrong)


# -- 3. refused: wrong passwords, other handlers, damage ---------------------------------------


@pytest.mark.parametrize(
    "lock",
    [Lock(r, aes, streams) for r, aes in CIPHERS for streams in (False, True)],
    ids=lambda lock: lock.id,
)
def test_a_wrong_password_is_refused(lock: Lock) -> None:
    encrypted = locked(lock)
    for wrong in (None, "", "usuario-2", USER.upper(), USER + " ", OWNER[:-1]):
        with pytest.raises(PdfSyntaxError):
            decrypted_copy(encrypted, wrong)
        with pytest.raises(PdfSyntaxError):
            Decryptor.for_document(Document(encrypted, allow_encrypted=True), wrong)


def _edited(data: bytes, old: bytes, new: bytes) -> bytes:
    """``old`` replaced by ``new`` of the same length (every offset stays right) in the
    encryption dictionary."""
    assert len(old) == len(new)
    start = data.index(b"/Filter /Standard")
    start = data.rindex(b"obj", 0, start)
    end = data.index(b"endobj", start)
    at = data.index(old, start, end)
    return data[:at] + new + data[at + len(old) :]


UNSUPPORTED = [
    ((4, True), b"/Filter /Standard", b"/Filter /Custom  "),
    ((3, False), b"/Filter /Standard", b"/Filter /Custom  "),
    ((6, True), b"/Filter /Standard", b"/Filter /Custom  "),
    ((4, True), b"/R 4", b"/R 9"),
    ((6, True), b"/R 6", b"/R 7"),
    ((4, True), b"/V 4", b"/V 3"),  # an unpublished algorithm
    ((4, True), b"/V 4", b"/V 9"),
    ((4, True), b"/CFM /AESV2", b"/CFM /XYZV2"),
    ((6, True), b"/CFM /AESV3", b"/CFM /XYZV3"),
    ((6, True), b"/AuthEvent /DocOpen", b"/AuthEvent /EFOpen "),
]


@pytest.mark.parametrize(
    ("cipher", "old", "new"),
    UNSUPPORTED,
    ids=[f"R{c[0]}-{new.decode().strip()}" for c, _, new in UNSUPPORTED],
)
def test_an_unsupported_handler_is_refused(
    cipher: tuple[int, bool], old: bytes, new: bytes
) -> None:
    encrypted = _edited(locked(Lock(*cipher)), old, new)
    if b"/AuthEvent /EFOpen" in encrypted:
        # Only embedded files would ask for the password: the document itself is readable
        # with or without it, as long as what comes out is right.
        try:
            out = decrypted_copy(encrypted, USER)
        except PdfSyntaxError:
            return
        assert_decrypted(encrypted, USER, out)
        return
    with pytest.raises(PdfSyntaxError):
        decrypted_copy(encrypted, USER)
    with pytest.raises(PdfSyntaxError):
        decrypted_copy(encrypted, OWNER)


def test_a_file_that_is_not_encrypted_is_refused_or_copied() -> None:
    source = special()
    try:
        out = decrypted_copy(source, None)
    except PdfSyntaxError:
        return
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert pdf.get_warnings() == []


@functools.cache
def _damage_bases() -> list[bytes]:
    return [
        encrypt(SMALL, Lock(3, False)),
        encrypt(SMALL, Lock(4, True, object_streams=True)),
        encrypt(SMALL, Lock(6, True, role="empty")),
    ]


def _qpdf_pages(data: bytes, password: str | None) -> int | None:
    """The page count qpdf reads from ``data`` without a repair (a warning); None if it
    cannot, or repairs."""
    try:
        with pikepdf.open(io.BytesIO(data), password=password or "") as pdf:
            pages = len(pdf.pages)
            return None if pdf.get_warnings() else pages
    except pikepdf.PdfError:
        return None


def decrypted_or_refused(data: bytes, password: str | None) -> None:
    """``decrypted_copy`` says PdfSyntaxError, or gives a file that is no worse than
    ``data``: not encrypted, and, when qpdf reads ``data`` with ``password`` without a repair,
    read by qpdf without a password and a repair, with as many pages. (A damaged input that
    qpdf cannot read either, say a /Root made to point elsewhere, may be copied as it is.)
    Any other exception is one failure raised here (so hypothesis shrinks one bug)."""
    failure = ""
    try:
        out = decrypted_copy(data, password)
    except PdfSyntaxError:
        return
    except Exception as error:
        failure = f"{type(error).__name__}: {str(error)[:200]}"
    assert not failure, failure
    assert _ENCRYPT_KEY.search(out) is None
    expected = _qpdf_pages(data, password)
    if expected is not None and not _encryption_used_elsewhere(data):
        assert _qpdf_pages(out, None) == expected, "qpdf reads the input, not the copy"


def _encryption_used_elsewhere(data: bytes) -> bool:
    """Whether something besides the trailer refers to the encryption dictionary (a damaged
    reference, say a page's /Resources): the copy leaves that dictionary out, as it must."""
    found = _ENCRYPT_REF.findall(data)
    return any(
        len(re.findall(rb"(?<![0-9])%s %s R\b" % (number, generation), data))
        > found.count((number, generation))
        for number, generation in set(found)
    )


_PASSWORDS = st.sampled_from([USER, OWNER, None])


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(base=st.integers(0, 2), edits=EDITS, password=_PASSWORDS)
def test_random_damage_is_decrypted_or_refused(
    base: int, edits: list[tuple[int, int, bytes]], password: str | None
) -> None:
    with memory_cap():
        decrypted_or_refused(mutate(_damage_bases()[base], edits), password)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    base=st.integers(0, 2),
    edits=st.lists(
        st.tuples(st.integers(0, 1 << 16), st.binary(min_size=1, max_size=3)),
        min_size=1,
        max_size=3,
    ),
    password=_PASSWORDS,
)
def test_damage_to_the_encryption_dictionary_is_refused_or_harmless(
    base: int, edits: list[tuple[int, bytes]], password: str | None
) -> None:
    """Bytes overwritten (same length) inside the /Encrypt dictionary: its numbers, names,
    /O, /U, /OE, /UE, /Perms."""
    data = bytearray(_damage_bases()[base])
    start = data.index(b"/Filter /Standard")
    start = data.rindex(b"<<", 0, start)
    end = data.index(b"endobj", start)
    for position, new in edits:
        at = start + position % (end - start)
        data[at : at + len(new)] = new[: end - at]
    with memory_cap():
        decrypted_or_refused(bytes(data), password)


_REFERENCE = re.compile(rb"(?<![0-9.])([0-9]+) [0-9]+ R\b")


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    base=st.integers(0, 2),
    edits=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 99)), min_size=1, max_size=3),
    password=_PASSWORDS,
)
def test_references_pointed_elsewhere_are_refused_or_harmless(
    base: int, edits: list[tuple[int, int]], password: str | None
) -> None:
    """References made to point at another object, same width (every offset stays right):
    loops, a /Length that is a page, the /Encrypt dictionary used as a page's resources."""
    original = _damage_bases()[base]
    found = list(_REFERENCE.finditer(original))
    data = bytearray(original)
    for which, target in edits:
        reference = found[which % len(found)]
        width = len(reference[1])
        data[reference.start(1) : reference.end(1)] = b"%0*d" % (width, target % 10**width)
    with memory_cap():
        decrypted_or_refused(bytes(data), password)


# -- 4. the watermark, end to end ------------------------------------------------------------


WATERMARKED = {
    "R2-user": (lambda: locked(Lock(2, False)), USER),
    "R3-owner-objstm": (lambda: locked(Lock(3, False, True, "owner")), OWNER),
    "R4-aes-user-objstm": (lambda: locked(Lock(4, True, True)), USER),
    "R6-empty": (lambda: locked(Lock(6, True, role="empty")), None),
    "R6-aes-indirect-lengths": (lambda: with_indirect_lengths(locked(Lock(6, True)), USER), USER),
    "corpus-encrypted": ((CORPUS / ENCRYPTED).read_bytes, "openpassword"),
}


@pytest.mark.parametrize("case", list(WATERMARKED))
def test_an_encrypted_pdf_is_decrypted_by_our_code_and_updated(case: str) -> None:
    make, password = WATERMARKED[case]
    encrypted = make()
    result = watermark_pdf_result(encrypted, TEXT, password=password)
    assert result.written_as == "decrypted-update"
    out = result.output.to_bytes()
    pages = assert_watermarked(out, TEXT, encrypted, password=password or "")
    assert result.pages == pages
    assert _ENCRYPT_KEY.search(out) is None
    if password:
        assert password.encode() not in out
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert "/Encrypt" not in pdf.trailer
    for earlier in earlier_revisions(out):
        assert unmarked_pages(earlier, TEXT) == [], f"cut at {len(earlier)}"


@pytest.mark.parametrize(
    ("case", "notes"),
    [
        ("crazyones-pdfa.pdf", (PDFA1_NOTE,)),  # PDF/A-1 read from the decrypted XMP
        ("signed", (SIGNATURE_LOST_NOTE,)),  # the decrypted bytes are not the signed ones
    ],
)
def test_what_the_watermark_says_of_an_encrypted_pdf(case: str, notes: tuple[str, ...]) -> None:
    source = signed_pdf() if case == "signed" else (CORPUS / case).read_bytes()
    encrypted = encrypt(source, Lock(4, True, object_streams=True))
    result = watermark_pdf_result(encrypted, TEXT, password=USER)
    assert result.written_as == "decrypted-update"
    assert result.notes == notes
    assert_watermarked(result.output.to_bytes(), TEXT, encrypted, password=USER)


def test_a_wrong_password_still_fails_clearly_in_the_watermark() -> None:
    """Our decryption refuses, qpdf is asked and refuses too: a clear error, no output."""
    with pytest.raises(DocumentEncryptedError) as caught:
        watermark_pdf_result(locked(Lock(4, True)), TEXT, password="mala")
    assert "mala" not in str(caught.value)
