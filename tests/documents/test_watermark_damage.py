"""Damaged PDFs through the whole watermark: a clear DocumentError, or an output that is right.

The reader alone is fuzzed in test_pdfsyntax.py. Here the same small files (classic table,
object stream with a cross-reference stream) and a real-world one are damaged at random and
watermarked: the lean update, the fall-back to qpdf and qpdf's own errors all meet. Whatever
comes out must be consistent: an update is the input with spaces in place of some bytes, then
an update our reader and qpdf both read with the mark on every page; a full copy opens in qpdf.
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
from robot.documents.pagetree import pages
from robot.documents.pdfsyntax import Document, Ref, Stream
from robot.documents.watermark import watermark_pdf_result
from robot.errors import DocumentCorruptError, DocumentError
from tests.documents.damage import edits, memory_cap, mutate
from tests.documents.test_pdfsyntax import SMALL, SMALL_STREAMS
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
        result = watermark_pdf_result(data, TEXT)
    except DocumentError:
        return  # damaged beyond what qpdf repairs: a clear error (the pre-flight says it first)
    out = result.output.to_bytes()
    if result.written_as == "full-copy":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pikepdf.open(io.BytesIO(out)) as pdf:
                assert len(pdf.pages) == result.pages
        return
    changed = {out[i] for i in range(len(data)) if out[i] != data[i]}
    assert changed <= {ord(" ")}
    doc = Document(out)
    marked = 0
    for page in pages(doc):
        contents = page.page.get(b"/Contents")  # type: ignore[call-overload]
        assert isinstance(contents, list)
        last = contents[-1]
        assert isinstance(last, Ref)
        draw = doc.get(last)
        assert isinstance(draw, Stream)
        assert _MARK in doc.stream_data(draw)
        marked += 1
    assert marked == result.pages
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert len(pdf.pages) == result.pages


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
    """The check above passes on the inputs before any damage, by the update path."""
    for base in _BASES:
        assert watermark_pdf_result(base, TEXT).written_as == "update"
        _check(base)


def test_a_repair_qpdf_cannot_read_back_is_refused_clearly() -> None:
    """Found by the test above: a header pushed off byte 0 and a digit inserted into the object
    stream; qpdf repairs the file into one page and writes a copy it then cannot open ("unable
    to find page tree"). The copy is read back before use, so this is a clear error."""
    damaged = mutate(SMALL_STREAMS, [(1, 0, b"0"), (3021, 0, b"0")])
    with pytest.raises(DocumentCorruptError, match="no se pudo reparar"):
        watermark_pdf_result(damaged, TEXT, name="balance.pdf")


def test_qpdf_s_runtime_errors_are_refused_clearly() -> None:
    """Found by a longer run of the fuzz test: a page tree whose /Count qpdf cannot reconcile
    raises QpdfRuntimeError, which is not a pikepdf.PdfError; it must still be a clear
    DocumentCorruptError, in the pre-flight and in the watermark."""
    damaged = mutate(SMALL, [(220, 3, b"/Resources"), (108, 2, b"-1"), (276, 0, b"R")])
    with pytest.raises(pikepdf.QpdfRuntimeError):  # what qpdf does with it
        pikepdf.open(io.BytesIO(damaged)).close()
    with pytest.raises(DocumentCorruptError):
        watermark_pdf_result(damaged, TEXT, name="rut.pdf")
    with pytest.raises(DocumentCorruptError):
        preflight(Path("rut.pdf"), data=damaged)
