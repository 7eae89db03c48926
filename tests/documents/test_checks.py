"""Pre-flight: every bad input gets its own clear error, naming the file and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from robot.documents import preflight, sniff
from robot.errors import (
    DocumentCorruptError,
    DocumentEncryptedError,
    DocumentError,
    DocumentLimitError,
    DocumentTypeError,
)
from tests.fixtures.documents import BROKEN, CORPUS, ENCRYPTED


@pytest.mark.parametrize(
    ("name", "error", "says"),
    [
        ("png-named.pdf", DocumentTypeError, "su contenido es un archivo PNG"),
        ("pdf-named.jpg", DocumentTypeError, "su contenido es un archivo PDF"),
        ("text-named.pdf", DocumentTypeError, "tipo de archivo desconocido"),
        ("notes.docx", DocumentTypeError, "no acepta archivos «.docx»"),
        ("zero-pages.pdf", DocumentCorruptError, "no tiene páginas"),
        ("garbage.pdf", DocumentCorruptError, "dañado"),
        ("truncated.png", DocumentCorruptError, "imagen PNG está dañada"),
    ],
)
def test_bad_files_fail_with_their_own_error(
    name: str, error: type[DocumentError], says: str, bad_files: dict[str, Path]
) -> None:
    with pytest.raises(error) as caught:
        preflight(bad_files[name])
    assert caught.type is error
    assert name in caught.value.message
    assert says in caught.value.message
    assert caught.value.hint


def test_broken_real_world_pdf_is_reported_as_damaged() -> None:
    with pytest.raises(DocumentCorruptError, match=f"{BROKEN}: .*dañad"):
        preflight(CORPUS / BROKEN)


def test_encrypted_pdf_without_password_says_so() -> None:
    with pytest.raises(DocumentEncryptedError, match="protegido con contraseña") as caught:
        preflight(CORPUS / ENCRYPTED)
    assert "password" in caught.value.hint


def test_encrypted_pdf_with_wrong_password_never_shows_it() -> None:
    with pytest.raises(DocumentEncryptedError, match="contraseña indicada no abre") as caught:
        preflight(CORPUS / ENCRYPTED, password="Secreto-123")
    assert "Secreto-123" not in str(caught.value) + caught.value.hint


def test_encrypted_pdf_with_its_password_passes() -> None:
    checked = preflight(CORPUS / ENCRYPTED, password="openpassword")
    assert checked.encrypted
    assert checked.pages == 1
    assert any("sin contraseña" in note for note in checked.notes)


def test_oversized_file_is_refused_with_sizes() -> None:
    with pytest.raises(DocumentLimitError, match=r"pesa 0,4 MB.*límite del portal \(0,1 MB\)"):
        preflight(CORPUS / "cmyk-image.pdf", max_bytes=100 * 1024)


def test_too_many_pages_for_the_slot() -> None:
    with pytest.raises(DocumentLimitError, match=r"tiene 4 páginas .* admite 2"):
        preflight(CORPUS / "pdflatex-4-pages.pdf", max_pages=2)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="no existe"):
        preflight(tmp_path / "rut.pdf")


def test_good_files_pass_with_their_facts() -> None:
    checked = preflight(CORPUS / "GeoTopo-komprimiert.pdf")
    assert (checked.kind, checked.pages, checked.encrypted) == ("pdf", 117, False)
    assert len(checked.sha256) == 64
    assert preflight(CORPUS / "smile.jpg").kind == "jpeg"
    assert preflight(CORPUS / "image.png").kind == "png"


def test_sniff() -> None:
    assert sniff(b"%PDF-1.7\n") == "pdf"
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "png"
    assert sniff(b"\xff\xd8\xff\xe0") == "jpeg"
    assert sniff(b"GIF89a") is None
