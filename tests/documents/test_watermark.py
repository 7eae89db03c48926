"""The PDF watermark: on every page of every real and generated PDF, upright and extractable."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest

from robot.documents import watermark_pdf
from robot.documents.watermark import watermark_pdf_result
from tests.documents.pdfcheck import assert_upright, assert_watermarked, page_texts, squash
from tests.fixtures.documents import CORPUS, CORPUS_PDFS, ENCRYPTED, UNICODE_LINE

TEXT = "Documento de uso exclusivo para SECOP II — Ñandú Ingeniería S.A.S. — 14/03/2025"


@pytest.mark.parametrize("name", CORPUS_PDFS)
def test_real_world_pdfs_are_marked_on_every_page(name: str) -> None:
    original = (CORPUS / name).read_bytes()
    out = watermark_pdf(original, TEXT, name=name)
    with pikepdf.open(io.BytesIO(original)) as pdf:
        pages = len(pdf.pages)
    assert assert_watermarked(out, TEXT, original) == pages
    assert len(out) < len(original) * 1.05 + 30_000  # the font subset is the only real cost


def test_encrypted_pdf_with_its_password_is_marked_and_saved_without_password() -> None:
    original = (CORPUS / ENCRYPTED).read_bytes()
    out = watermark_pdf(original, TEXT, password="openpassword")
    assert_watermarked(out, TEXT, original, password="openpassword")


@pytest.mark.parametrize(
    "name",
    [
        "rotated.pdf",
        "inherited-rotation.pdf",
        "boxes-off-origin.pdf",
        "mixed-sizes.pdf",
        "scanned.pdf",
        "form.pdf",
        "unicode.pdf",
        "unbalanced.pdf",
        "shared-content.pdf",
        "version-1.3.pdf",
        "version-1.4.pdf",
        "version-1.5.pdf",
        "version-1.6.pdf",
        "version-1.7.pdf",
        "version-2.0.pdf",
    ],
)
def test_generated_edge_cases_are_marked_on_every_page(
    name: str, edge_pdfs: dict[str, Path]
) -> None:
    original = edge_pdfs[name].read_bytes()
    out = watermark_pdf(original, TEXT, name=name)
    assert_watermarked(out, TEXT, original)


def test_pdf_version_is_kept(edge_pdfs: dict[str, Path]) -> None:
    out = watermark_pdf(edge_pdfs["version-2.0.pdf"].read_bytes(), TEXT)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert pdf.pdf_version == "2.0"


def test_unicode_original_text_survives(edge_pdfs: dict[str, Path]) -> None:
    out = watermark_pdf(edge_pdfs["unicode.pdf"].read_bytes(), TEXT)
    assert squash(UNICODE_LINE) in page_texts(out)[0]


def test_the_input_bytes_are_not_changed() -> None:
    original = (CORPUS / "habibi-rotated.pdf").read_bytes()
    copy = bytes(original)
    watermark_pdf(original, TEXT)
    assert original == copy


def test_upright_check_catches_a_watermark_that_ignores_rotation(
    edge_pdfs: dict[str, Path],
) -> None:
    """The checker can fail: drop /Rotate after marking, put it back, and it must complain."""
    out = watermark_pdf(edge_pdfs["rotated.pdf"].read_bytes(), TEXT)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        pdf.pages[1].obj.Rotate = 0  # marked for 90°, now shown at 0°
        buffer = io.BytesIO()
        pdf.save(buffer)
    with pytest.raises(AssertionError, match="page 2"):
        assert_upright(buffer.getvalue())


def test_pdfa1_gets_an_opaque_watermark() -> None:
    result = watermark_pdf_result((CORPUS / "crazyones-pdfa.pdf").read_bytes(), TEXT)
    assert any("PDF/A-1" in note for note in result.notes)
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        assert pdf.open_metadata().pdfa_status.startswith("1")
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and "/ca" in obj:
                assert float(obj.ca) == 1.0


def test_watermark_is_marked_as_an_artifact() -> None:
    out = watermark_pdf((CORPUS / "minimal-document.pdf").read_bytes(), TEXT)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        streams = pdf.pages[0].obj.Contents
        assert b"/Artifact" in streams[len(streams) - 1].read_bytes()
