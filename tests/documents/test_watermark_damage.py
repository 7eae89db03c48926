"""Damaged PDFs through the whole watermark: a clear DocumentError, or an output that is right.

Small files written byte by byte (classic table, object stream with a cross-reference stream)
and a real-world one are damaged at random and watermarked: qpdf repairs what it can, and
whatever comes out must open in qpdf without repairs, with the mark on every page.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robot.documents.checks import preflight
from robot.documents.watermark import REWRITTEN_NOTE, watermark_pdf
from robot.errors import DocumentCorruptError, DocumentError
from tests.documents.damage import edits, memory_cap, mutate
from tests.documents.samples import SMALL, SMALL_STREAMS
from tests.fixtures.documents import CORPUS

TEXT = "Uso exclusivo SECOP II"
_MARK = b"/Subtype /Watermark"
_EDITS = edits(
    [b"%d" % digit for digit in range(10)]
    + [b" ", b"\n", b"/", b"<<", b">>", b"[", b"]", b"(", b")", b"R", b"obj", b"endobj"]
    + [b"stream", b"endstream", b"null", b"xref", b"/Kids", b"/Resources", b"/Contents"]
)
_BASES = [SMALL, SMALL_STREAMS, (CORPUS / "pdfkit.pdf").read_bytes()]


def _check(data: bytes) -> None:
    try:
        result = watermark_pdf(data, TEXT)
    except DocumentError:
        return  # damaged beyond what qpdf repairs: a clear error (the pre-flight says it first)
    assert result.written_as == "full-copy"
    out = result.output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pikepdf.open(io.BytesIO(out)) as pdf:
            assert pdf.get_warnings() == []
            assert len(pdf.pages) == result.pages
            for page in pdf.pages:
                contents = page.obj.Contents
                assert isinstance(contents, pikepdf.Array)
                assert _MARK in contents[len(contents) - 1].read_bytes()


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(base=st.sampled_from(_BASES), edits=_EDITS)
def test_a_damaged_pdf_is_marked_right_or_refused_clearly(
    base: bytes, edits: list[tuple[int, int, bytes]]
) -> None:
    with memory_cap():
        _check(mutate(base, edits))


def test_the_undamaged_bases_are_marked() -> None:
    """The check above passes on the inputs before any damage, without a repair note."""
    for base in _BASES:
        assert REWRITTEN_NOTE not in watermark_pdf(base, TEXT).notes
        _check(base)


def test_a_repair_qpdf_cannot_read_back_is_refused_clearly() -> None:
    """Found by the test above: a header pushed off byte 0 and a digit inserted into the object
    stream; qpdf repairs the file into one page and writes a copy it then cannot open ("unable
    to find page tree"). The copy is read back before use, so this is a clear error."""
    damaged = mutate(SMALL_STREAMS, [(1, 0, b"0"), (3021, 0, b"0")])
    with pytest.raises(DocumentCorruptError, match="no se pudo reparar"):
        watermark_pdf(damaged, TEXT, name="balance.pdf")


def test_qpdf_s_runtime_errors_are_refused_clearly() -> None:
    """Found by a longer run of the fuzz test: a page tree whose /Count qpdf cannot reconcile
    raises QpdfRuntimeError, which is not a pikepdf.PdfError; it must still be a clear
    DocumentCorruptError, in the pre-flight and in the watermark."""
    damaged = mutate(SMALL, [(220, 3, b"/Resources"), (108, 2, b"-1"), (276, 0, b"R")])
    with pytest.raises(pikepdf.QpdfRuntimeError):  # what qpdf does with it
        pikepdf.open(io.BytesIO(damaged)).close()
    with pytest.raises(DocumentCorruptError):
        watermark_pdf(damaged, TEXT, name="rut.pdf")
    with pytest.raises(DocumentCorruptError):
        preflight(Path("rut.pdf"), data=damaged)
