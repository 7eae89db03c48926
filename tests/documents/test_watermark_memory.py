"""What the watermark keeps in memory: not the document's objects.

Timings and peak RSS are measured by bench/watermark.py, not here. These tests check the two
properties that make the memory figures hold, deterministically: qpdf never opens the input of
a file the lean reader takes, encrypted ones included (only the small stamp document), and the
Python allocations of a many-page document grow with the page count by less than the file
does.
"""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator

import pikepdf
import pytest
from reportlab.pdfgen import canvas

from robot.documents import watermark as watermark_module
from robot.documents.watermark import watermark_pdf_result
from robot.errors import DocumentEncryptedError
from tests.documents.pdfcheck import assert_watermarked
from tests.documents.test_watermark import TEXT
from tests.fixtures.documents import CORPUS, CORPUS_PDFS, ENCRYPTED


def _light_pages(count: int, *, object_streams: bool = False) -> bytes:
    """``count`` small text pages (a few hundred bytes each), resources inline."""
    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=1)
    for n in range(count):
        page.drawString(72, 720, f"Página {n + 1}")
        page.showPage()
    page.save()
    if not object_streams:
        return out.getvalue()
    with pikepdf.open(io.BytesIO(out.getvalue())) as pdf:
        again = io.BytesIO()
        pdf.save(again, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return again.getvalue()


@pytest.fixture
def opened_by_qpdf(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The size of every file pikepdf opens from memory during the test."""
    sizes: list[int] = []
    real_open = pikepdf.open

    def recording(source: object, *args: object, **kwargs: object) -> pikepdf.Pdf:
        if isinstance(source, io.BytesIO):
            sizes.append(len(source.getbuffer()))
        return real_open(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pikepdf, "open", recording)
    yield sizes


@pytest.mark.parametrize("name", [n for n in CORPUS_PDFS if n != ENCRYPTED])
def test_qpdf_never_opens_a_file_the_lean_reader_takes(
    name: str, opened_by_qpdf: list[int]
) -> None:
    original = (CORPUS / name).read_bytes()
    stamps = {
        len(watermark_module._stamp_document(TEXT, opacity))
        for opacity in (watermark_module.DEFAULT_OPACITY, 1.0)  # 1.0: PDF/A-1
    }
    result = watermark_pdf_result(original, TEXT)
    assert result.written_as == "update"
    assert set(opened_by_qpdf) <= stamps  # the stamp's document only
    assert len(original) not in opened_by_qpdf


def test_qpdf_never_opens_an_encrypted_file_with_its_password(opened_by_qpdf: list[int]) -> None:
    """Decrypted by our own code (decrypted.py), then updated."""
    original = (CORPUS / ENCRYPTED).read_bytes()
    result = watermark_pdf_result(original, TEXT, password="openpassword")
    assert result.written_as == "decrypted-update"
    assert len(original) not in opened_by_qpdf


def test_qpdf_opens_an_encrypted_file_with_a_wrong_password(opened_by_qpdf: list[int]) -> None:
    """The check above can fail: with a wrong password the file goes to qpdf, whose error
    says so (DocumentEncryptedError)."""
    original = (CORPUS / ENCRYPTED).read_bytes()
    with pytest.raises(DocumentEncryptedError):
        watermark_pdf_result(original, TEXT, password="otra")
    assert len(original) in opened_by_qpdf


def _peak(data: bytes) -> int:
    watermark_pdf_result(data, TEXT)  # warm-up: fonts, the cached stamp
    tracemalloc.start()
    try:
        result = watermark_pdf_result(data, TEXT)
        result.output.sha256()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize("object_streams", [False, True])
def test_memory_grows_with_the_pages_less_than_the_file(object_streams: bool) -> None:
    """Python's allocations (all of them now: qpdf is not involved) for 300 and 1,500 of the
    lightest pages there are (one line of text: 460 bytes a page, 170 with object streams):
    the difference is below the file's own growth (measured 0.71× and 0.57×). With qpdf's
    object model it was about 12 times; before /Kids was read lazily and the blanked spans
    kept in order without a sorted copy, 1.05× and 2.2×."""
    small, large = (_light_pages(n, object_streams=object_streams) for n in (300, 1500))
    growth = _peak(large) - _peak(small)
    file_growth = len(large) - len(small)
    assert 0 < growth < file_growth, f"{growth / file_growth:.2f}× the file's growth"
    assert_watermarked(watermark_pdf_result(small, TEXT).output.to_bytes(), TEXT)
