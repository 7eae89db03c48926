"""The Standard security handler of an encrypted PDF: the file key from the profile's password
(user or owner), then each string and stream decrypted with its object's key.

Revisions 2 to 6 (ISO 32000-2, 7.6.4): RC4 with 40 to 128-bit keys, AES-128 (/AESV2) and AES-256
(/AESV3). AES and RC4 come from ``cryptography`` (a direct dependency already); RC4 key sizes
it does not offer run in Python. Anything else (another handler, a per-stream crypt filter, a
wrong password) raises :class:`~robot.documents.pdfsyntax.PdfSyntaxError`: the caller then
leaves the file to qpdf, whose messages say what is wrong.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pikepdf  # noqa: F401  (registers the pdfdoc codec)
from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from robot.documents.pdfsyntax import (
    Document,
    Name,
    PdfSyntaxError,
    Ref,
    Stream,
    Token,
    Value,
    number,
    string_value,
)

# Algorithm 2's padding string (ISO 32000-2, 7.6.4.3.2).
_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
_ARC4_BITS = frozenset(ARC4.key_sizes)
_MAX_PASSWORD = 127  # bytes of UTF-8 that revisions 5 and 6 use


def _rc4(key: bytes, data: bytes | bytearray) -> bytes:
    if len(key) * 8 in _ARC4_BITS:
        return Cipher(ARC4(key), mode=None).decryptor().update(data)
    return _rc4_python(key, data)


def _rc4_python(key: bytes, data: bytes | bytearray) -> bytes:
    """RC4 for the key sizes ``cryptography`` leaves out (40 to 128 bits in steps of 8 are
    legal in a PDF); slow, and rare."""
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) & 0xFF
        state[i], state[j] = state[j], state[i]
    out = bytearray(len(data))
    i = j = 0
    for k, byte in enumerate(data):
        i = (i + 1) & 0xFF
        j = (j + state[i]) & 0xFF
        state[i], state[j] = state[j], state[i]
        out[k] = byte ^ state[(state[i] + state[j]) & 0xFF]
    return bytes(out)


def _aes_decrypt(key: bytes, data: bytes | bytearray) -> bytes:
    """AES-CBC with the IV in the first 16 bytes and PKCS#7 padding, as PDF writes it."""
    if len(data) < 32 or len(data) % 16:
        if not data or len(data) == 16:
            return b""  # an empty string or stream: the IV alone (or nothing)
        raise PdfSyntaxError("AES data not in 16-byte blocks")
    plain = Cipher(algorithms.AES(key), modes.CBC(data[:16])).decryptor().update(data[16:])
    pad = plain[-1]
    if not 1 <= pad <= 16 or plain[-pad:] != bytes([pad]) * pad:
        raise PdfSyntaxError("bad AES padding (wrong key?)")
    return plain[:-pad]


def _aes_raw(key: bytes, iv: bytes, data: bytes, *, encrypt: bool) -> bytes:
    cipher = Cipher(algorithms.AES(key), modes.CBC(iv))
    worker = cipher.encryptor() if encrypt else cipher.decryptor()
    return worker.update(data) + worker.finalize()


@dataclass(frozen=True)
class Decryptor:
    """Decrypts the strings and streams of one document."""

    key: bytes
    revision: int
    stream_method: str  # "rc4", "aes", "aes256" or "none"
    string_method: str
    encrypt_metadata: bool = True

    @classmethod
    def for_document(cls, doc: Document, password: str | None) -> Decryptor:
        """The decryptor for ``doc`` opened with ``password`` (the user or the owner one;
        None tries the empty user password)."""
        info = doc.resolve(doc.trailer.get(Name(b"/Encrypt")))
        if not isinstance(info, dict) or info.get(Name(b"/Filter")) != b"/Standard":
            raise PdfSyntaxError("not the Standard security handler")
        version = int(number(doc.resolve(info.get(Name(b"/V")))) or 0)
        revision = int(number(doc.resolve(info.get(Name(b"/R")))) or 0)
        if not 2 <= revision <= 6 or version not in (1, 2, 4, 5):
            raise PdfSyntaxError(f"security handler V{version} R{revision}")
        stream_method, string_method = _methods(doc, info, version)
        metadata = doc.resolve(info.get(Name(b"/EncryptMetadata")))
        encrypt_metadata = metadata != b"false"
        secret = (password or "").encode("utf-8")
        if revision >= 5:
            key = _key_aes256(doc, info, secret[:_MAX_PASSWORD], revision)
        else:
            key = _key_rc4_era(doc, info, password or "", revision, version, encrypt_metadata)
        return cls(key, revision, stream_method, string_method, encrypt_metadata)

    def string(self, ref: Ref, raw: bytes) -> bytes:
        return self._decrypt(self.string_method, ref, raw)

    def stream(
        self, ref: Ref, data: bytes | bytearray, info: dict[Name, Value] | None = None
    ) -> bytes:
        """One stream's data; ``info``, its dictionary (an XMP stream may be left in the
        clear)."""
        metadata = info is not None and info.get(Name(b"/Type")) == b"/Metadata"
        if metadata and not self.encrypt_metadata:
            return bytes(data)  # /EncryptMetadata false: the XMP stays readable
        return self._decrypt(self.stream_method, ref, data)

    def _decrypt(self, method: str, ref: Ref, data: bytes | bytearray) -> bytes:
        if method == "none":
            return bytes(data)
        if method == "aes256":
            return _aes_decrypt(self.key, data)
        salt = b"sAlT" if method == "aes" else b""
        seed = self.key + ref.number.to_bytes(3, "little") + ref.generation.to_bytes(2, "little")
        key = hashlib.md5(seed + salt, usedforsecurity=False).digest()[: min(len(self.key) + 5, 16)]
        return _aes_decrypt(key, data) if method == "aes" else _rc4(key, data)


def _methods(doc: Document, info: dict[Name, Value], version: int) -> tuple[str, str]:
    """How streams and strings are encrypted: RC4 for V1 and V2; for V4 and V5 the crypt
    filters /StmF and /StrF name."""
    if version in (1, 2):
        return "rc4", "rc4"
    filters = doc.resolve(info.get(Name(b"/CF")))
    filters = filters if isinstance(filters, dict) else {}

    def method(key: bytes) -> str:
        name = doc.resolve(info.get(Name(key), Name(b"/Identity")))
        if name == b"/Identity":
            return "none"
        found = doc.resolve(filters.get(name)) if isinstance(name, Name) else None
        kind = doc.resolve(found.get(Name(b"/CFM"))) if isinstance(found, dict) else None
        methods = {b"/V2": "rc4", b"/AESV2": "aes", b"/AESV3": "aes256", b"/None": "none"}
        if not isinstance(kind, Name) or kind not in methods:
            raise PdfSyntaxError(f"crypt filter {kind!r}")
        return methods[bytes(kind)]

    return method(b"/StmF"), method(b"/StrF")


def _bytes_of(doc: Document, info: dict[Name, Value], key: bytes, size: int) -> bytes:
    found = doc.resolve(info.get(Name(key)))
    if not isinstance(found, Token):
        raise PdfSyntaxError(f"no {key.decode()} in /Encrypt")
    value = string_value(found)
    if len(value) < size:
        raise PdfSyntaxError(f"{key.decode()} too short")
    return value


def _first_id(doc: Document) -> bytes:
    ids = doc.resolve(doc.trailer.get(Name(b"/ID")))
    first = doc.resolve(ids[0]) if isinstance(ids, list) and ids else None
    return string_value(first) if isinstance(first, Token) else b""


def _key_rc4_era(
    doc: Document,
    info: dict[Name, Value],
    password: str,
    revision: int,
    version: int,
    encrypt_metadata: bool,
) -> bytes:
    """Revisions 2 to 4: try ``password`` as the user password, then as the owner's."""
    owner = _bytes_of(doc, info, b"/O", 32)[:32]
    user = _bytes_of(doc, info, b"/U", 32)[:32]
    permissions = int(number(doc.resolve(info.get(Name(b"/P")))) or 0)
    bits = int(number(doc.resolve(info.get(Name(b"/Length")))) or 40) if version > 1 else 40
    if revision >= 4 and version == 4:
        bits = 128
    length = 5 if revision == 2 else max(5, min(bits // 8, 16))
    first_id = _first_id(doc)
    try:  # PDFDocEncoding, as the standard says (the codec is pikepdf's)
        secret = password.encode("pdfdoc")
    except UnicodeEncodeError:
        secret = password.encode("utf-8")

    def file_key(padded: bytes) -> bytes:
        digest = hashlib.md5(padded, usedforsecurity=False)
        digest.update(owner + (permissions & 0xFFFFFFFF).to_bytes(4, "little") + first_id)
        if revision >= 4 and not encrypt_metadata:
            digest.update(b"\xff\xff\xff\xff")
        key = digest.digest()
        if revision >= 3:
            for _ in range(50):
                key = hashlib.md5(key[:length], usedforsecurity=False).digest()
        return key[:length]

    def opens(key: bytes) -> bool:
        if revision == 2:
            return _rc4(key, _PAD) == user
        check = _rc4(key, hashlib.md5(_PAD + first_id, usedforsecurity=False).digest())
        for i in range(1, 20):
            check = _rc4(bytes(b ^ i for b in key), check)
        return check == user[:16]

    key = file_key((secret + _PAD)[:32])
    if opens(key):
        return key
    # The owner password: it decrypts /O into the user password.
    owner_key = hashlib.md5((secret + _PAD)[:32], usedforsecurity=False).digest()
    if revision >= 3:  # the first n bytes each round, as Acrobat, qpdf and PDFBox do
        for _ in range(50):
            owner_key = hashlib.md5(owner_key[:length], usedforsecurity=False).digest()
    owner_key = owner_key[:length]
    recovered = owner
    if revision == 2:
        recovered = _rc4(owner_key, recovered)
    else:
        for i in range(19, -1, -1):
            recovered = _rc4(bytes(b ^ i for b in owner_key), recovered)
    key = file_key(recovered)
    if opens(key):
        return key
    raise PdfSyntaxError("wrong password")


def _hash_r6(password: bytes, salt: bytes, udata: bytes, revision: int) -> bytes:
    """Algorithm 2.B (revision 6; revision 5 is its first SHA-256 alone)."""
    key = hashlib.sha256(password + salt + udata).digest()
    if revision == 5:
        return key
    hashes: tuple[Callable[[bytes], Any], ...] = (
        hashlib.sha256,
        hashlib.sha384,
        hashlib.sha512,
    )
    round_ = 0
    while True:
        round_ += 1
        block = (password + key + udata) * 64
        encrypted = _aes_raw(key[:16], key[16:32], block, encrypt=True)
        key = bytes(hashes[sum(encrypted[:16]) % 3](encrypted).digest())
        if round_ >= 64 and encrypted[-1] <= round_ - 32:
            return key[:32]


def _key_aes256(doc: Document, info: dict[Name, Value], password: bytes, revision: int) -> bytes:
    """Revisions 5 and 6: the user password, then the owner's; the file key is /UE or /OE
    decrypted."""
    owner = _bytes_of(doc, info, b"/O", 48)[:48]
    user = _bytes_of(doc, info, b"/U", 48)[:48]
    if _hash_r6(password, user[32:40], b"", revision) == user[:32]:
        wrapped = _bytes_of(doc, info, b"/UE", 32)[:32]
        unwrap = _hash_r6(password, user[40:48], b"", revision)
    elif _hash_r6(password, owner[32:40], user, revision) == owner[:32]:
        wrapped = _bytes_of(doc, info, b"/OE", 32)[:32]
        unwrap = _hash_r6(password, owner[40:48], user, revision)
    else:
        raise PdfSyntaxError("wrong password")
    return _aes_raw(unwrap, bytes(16), wrapped, encrypt=False)


def is_signature(value: dict[Name, Value] | Stream) -> bool:
    """A signature dictionary, whose /Contents string is not encrypted."""
    return isinstance(value, dict) and (
        value.get(Name(b"/Type")) in (b"/Sig", b"/DocTimeStamp") or Name(b"/ByteRange") in value
    )
