"""Encrypted PDFs, opened by qpdf with the profile's password and marked into a copy without
one: every way the Standard security handler encrypts (R2 to R6, RC4 and AES, object streams,
user, owner and empty user password), the corpus's own encrypted file, PDF/A-1 inside, and
wrong or missing passwords refused clearly without showing them."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest

from robot.documents.checks import preflight
from robot.documents.watermark import PDFA1_NOTE, watermark_pdf
from robot.errors import DocumentEncryptedError
from tests.documents.pdfcheck import assert_watermarked, earlier_revisions, unmarked_pages
from tests.documents.test_watermark import TEXT
from tests.fixtures.documents import CORPUS, ENCRYPTED

USER = "usuario-ñ"  # in PDFDocEncoding for R2-R4 (as Acrobat writes it), UTF-8 for R6
OWNER = "propietario-2"
_ENCRYPT_KEY = re.compile(rb"/Encrypt\b")


@dataclass(frozen=True)
class Lock:
    """How pikepdf encrypts a file, and which password opens it: "user", "owner", or "empty"
    (owner-only protection: the empty user password)."""

    R: int
    aes: bool
    object_streams: bool = False
    role: str = "user"

    @property
    def id(self) -> str:
        cipher = "aes" if self.aes else "rc4"
        streams = "-objstm" if self.object_streams else ""
        return f"R{self.R}-{cipher}{streams}-{self.role}"

    @property
    def password(self) -> str | None:
        return {"user": USER, "owner": OWNER, "empty": None}[self.role]


LOCKS = [
    Lock(2, False),
    Lock(3, False, True, "owner"),
    Lock(4, False),
    Lock(4, True, True),
    Lock(4, True, role="empty"),
    Lock(6, True),
    Lock(6, True, True, "owner"),
    Lock(6, True, role="empty"),
]


def encrypt(data: bytes, lock: Lock) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = io.BytesIO()
        mode = (
            pikepdf.ObjectStreamMode.generate
            if lock.object_streams
            else pikepdf.ObjectStreamMode.disable
        )
        encryption = pikepdf.Encryption(
            owner=OWNER,
            user="" if lock.role == "empty" else USER,
            R=lock.R,  # type: ignore[arg-type]
            aes=lock.aes,
            metadata=lock.R >= 4 and lock.aes,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pdf.save(out, encryption=encryption, object_stream_mode=mode)
    return out.getvalue()


def _assert_marked_without_password(encrypted: bytes, password: str | None) -> None:
    result = watermark_pdf(encrypted, TEXT, password=password)
    assert result.written_as == "full-copy"
    out = result.output
    pages = assert_watermarked(out, TEXT, encrypted, password=password or "")
    assert result.pages == pages
    assert _ENCRYPT_KEY.search(out) is None
    if password:
        assert password.encode() not in out
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert "/Encrypt" not in pdf.trailer
    for earlier in earlier_revisions(out):
        assert unmarked_pages(earlier, TEXT) == [], f"cut at {len(earlier)}"


@pytest.mark.parametrize("lock", LOCKS, ids=lambda lock: lock.id)
@pytest.mark.parametrize("source", ["pdflatex-4-pages.pdf", "habibi-rotated.pdf"])
def test_an_encrypted_pdf_is_marked_into_a_copy_without_password(lock: Lock, source: str) -> None:
    encrypted = encrypt((CORPUS / source).read_bytes(), lock)
    _assert_marked_without_password(encrypted, lock.password)


def test_the_corpus_encrypted_file_is_marked_with_its_password() -> None:
    _assert_marked_without_password((CORPUS / ENCRYPTED).read_bytes(), "openpassword")


def test_an_encrypted_pdfa1_still_gets_the_opaque_mark() -> None:
    encrypted = encrypt((CORPUS / "crazyones-pdfa.pdf").read_bytes(), Lock(4, True, True))
    result = watermark_pdf(encrypted, TEXT, password=USER)
    assert result.notes == (PDFA1_NOTE,)  # PDF/A-1 read from the decrypted XMP
    assert_watermarked(result.output, TEXT, encrypted, password=USER)


@pytest.mark.parametrize("password", [None, "mala"])
def test_a_missing_or_wrong_password_is_refused_clearly(password: str | None) -> None:
    encrypted = encrypt((CORPUS / "pdfkit.pdf").read_bytes(), Lock(6, True))
    with pytest.raises(DocumentEncryptedError) as caught:
        watermark_pdf(encrypted, TEXT, name="rut.pdf", password=password)
    assert caught.value.message.startswith("rut.pdf: ")
    assert "password" in caught.value.hint
    if password:
        assert password not in str(caught.value) + caught.value.hint
    with pytest.raises(DocumentEncryptedError):
        preflight(Path("rut.pdf"), data=encrypted, password=password)


def test_the_preflight_counts_an_encrypted_file_s_pages_with_its_password() -> None:
    encrypted = encrypt((CORPUS / "pdflatex-4-pages.pdf").read_bytes(), Lock(4, True, True))
    checked = preflight(Path("balance.pdf"), data=encrypted, password=USER)
    assert checked.pages == 4
    assert checked.encrypted
    assert checked.notes == ("PDF protegido: se entrega una copia sin contraseña",)
