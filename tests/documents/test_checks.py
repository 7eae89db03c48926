"""Pre-flight: every bad input gets its own clear error, naming the file and what to do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from robot.documents.checks import preflight
from robot.documents.filetype import sniff
from robot.errors import (
    DocumentCorruptError,
    DocumentEncryptedError,
    DocumentError,
    DocumentLimitError,
    DocumentTypeError,
)
from robot.profiles.files import file_problem
from tests.fixtures.documents import BROKEN, CORPUS, ENCRYPTED


@pytest.mark.parametrize(
    ("name", "error", "says"),
    [
        ("png-named.pdf", DocumentTypeError, "no es un PDF aunque la extensión lo diga"),
        ("pdf-named.jpg", DocumentTypeError, "no es un JPEG aunque la extensión lo diga"),
        ("text-named.pdf", DocumentTypeError, "no es un PDF aunque la extensión lo diga"),
        ("leading-junk.pdf", DocumentTypeError, "no es un PDF aunque la extensión lo diga"),
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


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("png-named.pdf", "su contenido es un archivo PNG"),
        ("pdf-named.jpg", "su contenido es un archivo PDF"),
        ("text-named.pdf", "tipo desconocido"),
        ("leading-junk.pdf", "datos antes de la cabecera %PDF-"),
    ],
)
def test_a_mislabelled_file_is_told_what_it_really_is(
    name: str, says: str, bad_files: dict[str, Path]
) -> None:
    with pytest.raises(DocumentTypeError) as caught:
        preflight(bad_files[name])
    assert says in caught.value.hint


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
    with pytest.raises(DocumentLimitError, match=r"tiene 4 páginas .* admite como máximo 2"):
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
    assert sniff(b"\r\n%PDF-1.7\n") is None  # the portal wants the signature at byte 0


@pytest.mark.parametrize(
    "name", ["png-named.pdf", "pdf-named.jpg", "text-named.pdf", "leading-junk.pdf"]
)
def test_profile_loader_and_preflight_agree_on_the_type(
    name: str, bad_files: dict[str, Path]
) -> None:
    """One detection: what the loader refuses, the pre-flight refuses with the same words."""
    path = bad_files[name]
    from_loader = file_problem(path, name, max_upload_mb=10)
    with pytest.raises(DocumentTypeError) as caught:
        preflight(path)
    assert from_loader == caught.value.message


def test_profile_loader_writes_sizes_with_a_decimal_comma(tmp_path: Path) -> None:
    big = tmp_path / "rut.pdf"
    big.write_bytes(b"%PDF-1.7\n" + bytes(1_600_000))
    assert file_problem(big, "rut.pdf", max_upload_mb=1.5) == (
        "el archivo rut.pdf pesa 1,5 MB; el portal acepta hasta 1,5 MB"
    )
    with pytest.raises(DocumentLimitError, match=r"pesa 1,5 MB.*\(1,4 MB\)"):
        preflight(big, max_bytes=1_500_000)


def test_the_type_detection_imports_no_pdf_or_image_library() -> None:
    """The profile loader uses it; it must stay light."""
    code = (
        "import sys, robot.profiles.files; "
        "print(sorted({'pikepdf', 'PIL', 'reportlab', 'pypdfium2'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
