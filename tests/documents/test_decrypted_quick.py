"""decrypted.py's quick path (an object decrypted on its text, without parsing) on the forms
that fooled it in review: the word endobj inside a comment or a name, and a stream keyword with a
space before its end of line. Each crafted object is appended, encrypted with the file's own key,
to an encrypted file; the copy must give every object as qpdf's decryption of the input does, or
refuse (PdfSyntaxError: the watermark then leaves the file to qpdf), never a truncated object or
data left encrypted."""

from __future__ import annotations

import hashlib
import io
import os
import warnings

import pikepdf
import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from robot.documents.decrypt import Decryptor, _rc4
from robot.documents.decrypted import decrypted_copy
from robot.documents.pdfsyntax import Document, Name, PdfSyntaxError, Token, serialize

PASSWORD = "usuario"
SECRET = b"dato (reservado) \\ 2025"


def _base(revision: int, aes: bool) -> bytes:
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(200, 200))
        pdf.pages[0].Contents = pdf.make_stream(b"BT /F1 12 Tf 10 10 Td (Hola) Tj ET")
        out = io.BytesIO()
        lock = pikepdf.Encryption(
            owner="dueno", user=PASSWORD, R=revision, aes=aes, metadata=revision >= 4
        )
        pdf.save(out, encryption=lock, compress_streams=False)
        return out.getvalue()


def _encrypt(decryptor: Decryptor, number: int, plain: bytes, *, stream: bool = False) -> bytes:
    """``plain`` encrypted as the file encrypts object ``number``'s strings or streams."""
    method = decryptor.stream_method if stream else decryptor.string_method
    if method == "aes256":
        key = decryptor.key
    else:
        salt = b"sAlT" if method == "aes" else b""
        seed = decryptor.key + number.to_bytes(3, "little") + bytes(2)
        key = hashlib.md5(seed + salt, usedforsecurity=False).digest()
        key = key[: min(len(decryptor.key) + 5, 16)]
    if method == "rc4":
        return _rc4(key, plain)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    iv = os.urandom(16)
    cipher = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return iv + cipher.update(padded) + cipher.finalize()


def _append(data: bytes, number: int, body: bytes) -> bytes:
    """``data`` with an update holding object ``number`` (``body`` between its header and
    endobj)."""
    doc = Document(data, allow_encrypted=True)
    at = len(data)
    update = b"%d 0 obj\n%s\nendobj\n" % (number, body)
    keep = {k: v for k, v in doc.trailer.items() if k in (b"/Root", b"/Encrypt", b"/ID")}
    trailer = serialize({**keep, Name(b"/Size"): Token(b"%d" % max(doc.size, number + 1))})
    xref = b"xref\n%d 1\n%010d 00000 n\r\n" % (number, at)
    tail = b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (
        trailer[:-2] + b"/Prev %d >>" % doc.startxref,
        at + len(update),
    )
    return data + update + xref + tail


def _as_qpdf_reads(data: bytes, number: int, password: str | None) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pikepdf.open(io.BytesIO(data), password=password or "") as pdf:
            found = pdf.get_object((number, 0))
            if isinstance(found, pikepdf.Stream):
                return (dict(found.items()).keys() - {"/Length"}, found.read_raw_bytes())
            return repr(found)


CASES = {
    "endobj in a comment": lambda e: (
        b"<< /A <%s> %% endobj aqui\n /B <%s> >>"
        % (e(SECRET).hex().encode(), e(b"b").hex().encode())
    ),
    "endobj in a comment, no string": lambda e: b"<< /A 1 % endobj aqui\n /B 2 >>",
    "endobj ending a name": lambda e: b"<< /Xendobj 1 /B <%s> >>" % e(SECRET).hex().encode(),
    "a name that is endobj": lambda e: b"<< /N /endobj /B <%s> >>" % e(SECRET).hex().encode(),
}


@pytest.mark.parametrize(("revision", "aes"), [(3, False), (4, True), (6, True)])
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_word_endobj_inside_an_object_does_not_cut_it(
    case: str, revision: int, aes: bool
) -> None:
    base = _base(revision, aes)
    decryptor = Decryptor.for_document(Document(base, allow_encrypted=True), PASSWORD)
    number = Document(base, allow_encrypted=True).size
    data = _append(base, number, CASES[case](lambda b: _encrypt(decryptor, number, b)))
    try:
        copy = bytes(decrypted_copy(data, PASSWORD))
    except PdfSyntaxError:
        return  # left to qpdf: fine
    assert _as_qpdf_reads(copy, number, None) == _as_qpdf_reads(data, number, PASSWORD)


@pytest.mark.parametrize(("revision", "aes"), [(3, False), (4, True), (6, True)])
def test_a_stream_keyword_with_a_space_before_its_end_of_line_is_not_copied_encrypted(
    revision: int, aes: bool
) -> None:
    """qpdf reads ``stream \\n`` (with a warning); the quick scan does not take it as a stream
    keyword and used to copy the object as written, its data still encrypted."""
    base = _base(revision, aes)
    decryptor = Decryptor.for_document(Document(base, allow_encrypted=True), PASSWORD)
    number = Document(base, allow_encrypted=True).size
    secret = _encrypt(decryptor, number, b"abcdefgh", stream=True)
    body = b"<< /Length %d >>\nstream \n%s\nendstream" % (len(secret), secret)
    data = _append(base, number, body)
    try:
        copy = bytes(decrypted_copy(data, PASSWORD))
    except PdfSyntaxError:
        return  # left to qpdf, which decrypts it
    assert _as_qpdf_reads(copy, number, None)[1] == b"abcdefgh"  # type: ignore[index]
