"""Digitally signed PDFs: the mark is an incremental update by pyHanko that keeps the signature
valid (as pyHanko's validator reports it), the manifest says the unmarked signed version is
inside; a certified PDF is refused with a suggestion of a constancia; a signed PDF that has to be
rewritten (encrypted, damaged) is marked and says its signature is lost.

Every unsigned input of the corpus and the edge cases is checked in test_watermark.py (no earlier
revision gives a reader an unmarked page)."""

from __future__ import annotations

import collections
import io
import logging
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pikepdf
import pytest
from pyhanko.sign.fields import MDPPerm

from robot.documents.model import DocumentSpec
from robot.documents.prepare import prepare_documents
from robot.documents.signed import is_signed
from robot.documents.watermark import (
    SIGNATURE_LOST_NOTE,
    SIGNED_NOTE,
    watermark_pdf,
)
from robot.errors import DocumentError
from tests.documents.pdfcheck import assert_watermarked, earlier_revisions, unmarked_pages
from tests.documents.signing import really_signed, signature_verdict
from tests.documents.test_images_constancia import SUPPLIER
from tests.documents.test_watermark import TEXT
from tests.fixtures.documents import CORPUS, EDGE_PDFS, signed_pdf


@pytest.fixture(autouse=True)
def _quiet_diff_analysis() -> Iterator[None]:
    """pyHanko's validator logs, with a traceback, that the watermark changed the pages after
    the signature: true, and the manifest says so; not noise for the test output."""
    logger = logging.getLogger("pyhanko.sign.diff_analysis")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def _assert_signature_still_valid(out: bytes, updates: int = 1) -> None:
    verdict = signature_verdict(out)
    assert verdict.intact, "the signed bytes changed"
    assert verdict.valid, "the signature no longer checks out"
    assert verdict.trusted
    assert verdict.revisions_after == updates  # the watermark's, after the signed revision


@pytest.mark.parametrize("source", ["pdfkit.pdf", "pdflatex-4-pages.pdf", "habibi-rotated.pdf"])
def test_a_signed_pdf_keeps_a_valid_signature_and_says_so(source: str) -> None:
    original = really_signed((CORPUS / source).read_bytes())
    _assert_signature_still_valid(original, updates=0)
    result = watermark_pdf(original, TEXT)
    out = result.output
    assert result.written_as == "signed-update"
    assert out.startswith(original)  # the signed bytes, untouched
    assert result.notes == (SIGNED_NOTE,)
    assert assert_watermarked(out, TEXT, original) == result.pages
    _assert_signature_still_valid(out)
    # What the note tells the reviewer is true: the unmarked signed version is one cut away.
    assert unmarked_pages(out[: len(original)], TEXT)


@pytest.mark.parametrize("name", EDGE_PDFS)
def test_signed_edge_cases_are_marked_upright_with_the_signature_valid(
    name: str, edge_pdfs: dict[str, Path]
) -> None:
    """Rotated pages (also inherited from the page tree), boxes off the origin, mixed sizes,
    scans, forms, shared resources, PDF 1.3 to 2.0: the signed path places the stamp as the
    full copy does."""
    original = really_signed(edge_pdfs[name].read_bytes())
    result = watermark_pdf(original, TEXT, name=name)
    assert result.written_as == "signed-update"
    out = result.output
    assert_watermarked(out, TEXT, original)
    _assert_signature_still_valid(out)


def test_the_signed_note_reaches_the_manifest(tmp_path: Path) -> None:
    source = tmp_path / "certificado.pdf"
    source.write_bytes(really_signed((CORPUS / "pdfkit.pdf").read_bytes()))
    spec = DocumentSpec("existencia", source, True, "watermark")
    manifest = prepare_documents([spec], SUPPLIER, tmp_path / "out")
    (entry,) = manifest.entries
    assert SIGNED_NOTE in entry.notes
    text = (tmp_path / "out" / "manifest.json").read_text(encoding="utf-8")
    assert "la versión firmada sin marca sigue dentro del archivo" in text
    _assert_signature_still_valid((tmp_path / "out" / entry.output.name).read_bytes())


def _sig_on_parent(pdf: pikepdf.Pdf) -> None:
    """The field (/FT /Sig, /V) is the parent; the widget, its kid, carries neither."""
    widget = pdf.Root.AcroForm.Fields[0]
    parent = pdf.make_indirect(
        pikepdf.Dictionary(FT=pikepdf.Name.Sig, T=pikepdf.String("Firma"), V=widget.V)
    )
    del widget["/FT"], widget["/V"], widget["/T"]
    widget.Parent = parent
    parent.Kids = [widget]
    pdf.Root.AcroForm.Fields = [parent]


def _kind_on_parent(pdf: pikepdf.Pdf) -> None:
    """/FT /Sig on the parent, inherited; the value on the widget."""
    widget = pdf.Root.AcroForm.Fields[0]
    parent = pdf.make_indirect(pikepdf.Dictionary(FT=pikepdf.Name.Sig, Kids=[widget]))
    del widget["/FT"]
    widget.Parent = parent
    pdf.Root.AcroForm.Fields = [parent]


@pytest.mark.parametrize(
    ("name", "signed"),
    [
        ("signed", True),
        ("really signed", True),
        ("empty signature field", False),  # a field waiting for a signature
        ("libreoffice-form.pdf", False),  # text fields
        ("pdfkit.pdf", False),  # no form at all
    ],
)
def test_a_signature_is_a_sig_field_with_a_value(name: str, signed: bool) -> None:
    if name == "signed":
        data = signed_pdf()
    elif name == "really signed":
        data = really_signed((CORPUS / "pdfkit.pdf").read_bytes())
    elif name == "empty signature field":
        data = signed_pdf(signature=False)
    else:
        data = (CORPUS / name).read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert is_signed(pdf) is signed


@pytest.mark.parametrize("change", [_sig_on_parent, _kind_on_parent])
def test_a_signature_field_in_a_field_tree_is_found(
    change: Callable[[pikepdf.Pdf], None],
) -> None:
    with pikepdf.open(io.BytesIO(signed_pdf())) as pdf:
        change(pdf)
        assert is_signed(pdf)
        buffer = io.BytesIO()
        pdf.save(buffer)
    result = watermark_pdf(buffer.getvalue(), TEXT)
    assert result.written_as == "signed-update"


@pytest.mark.timeout(60)
def test_a_field_tree_that_loops_is_read_to_its_end() -> None:
    """Two fields that list each other as kids, before the signature field: the signature is
    still found, and the look ends."""
    with pikepdf.open(io.BytesIO(signed_pdf())) as pdf:
        first = pdf.make_indirect(pikepdf.Dictionary(T=pikepdf.String("a")))
        second = pdf.make_indirect(pikepdf.Dictionary(T=pikepdf.String("b"), Kids=[first]))
        first.Kids = [second]
        pdf.Root.AcroForm.Fields = [first, *pdf.Root.AcroForm.Fields]
        buffer = io.BytesIO()
        pdf.save(buffer)
    with pikepdf.open(io.BytesIO(buffer.getvalue())) as pdf:
        assert is_signed(pdf)


def test_an_empty_signature_field_is_rewritten_like_any_page() -> None:
    original = signed_pdf(signature=False)
    result = watermark_pdf(original, TEXT)
    out = result.output
    assert result.written_as == "full-copy"
    assert SIGNED_NOTE not in result.notes
    assert all(unmarked_pages(cut, TEXT) == [] for cut in earlier_revisions(out))


def test_a_signed_pdf_that_must_be_rewritten_says_its_signature_is_lost() -> None:
    """Encrypted and signed: an incremental update cannot remove the encryption, and the
    portal copy must open without a password; the rewrite loses the signature, and the note
    says so and points to a constancia instead."""
    signed = really_signed((CORPUS / "pdfkit.pdf").read_bytes())
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        buffer = io.BytesIO()
        pdf.save(buffer, encryption=pikepdf.Encryption(owner="dueño", user="clave"))
    result = watermark_pdf(buffer.getvalue(), TEXT, password="clave")
    assert result.written_as == "full-copy"
    assert result.notes == (SIGNATURE_LOST_NOTE,)
    assert "constancia" in SIGNATURE_LOST_NOTE
    out = result.output
    assert_watermarked(out, TEXT)
    assert all(unmarked_pages(cut, TEXT) == [] for cut in earlier_revisions(out))


def test_a_damaged_signed_pdf_is_repaired_and_says_its_signature_is_lost() -> None:
    """Bytes inserted before the objects: qpdf repairs it; pyHanko's update would be appended
    to a broken file, so it is rewritten, and the note says the signature is lost."""
    signed = really_signed((CORPUS / "pdfkit.pdf").read_bytes())
    cut = signed.index(b"1 0 obj")
    damaged = signed[:cut] + b"% moved\n" + signed[cut:]
    result = watermark_pdf(damaged, TEXT)
    assert result.written_as == "full-copy"
    assert SIGNATURE_LOST_NOTE in result.notes
    assert_watermarked(result.output, TEXT)


@pytest.mark.parametrize(("level", "said"), [(1, 1), (2, 2), (3, 3), (0, 2)])  # 0: no /P
def test_a_certified_pdf_is_refused_with_a_constancia_suggested(level: int, said: int) -> None:
    """A certifying signature (DocMDP) forbids page-content changes at every level: the mark
    would break it, so the document is refused and the hint says to use a constancia."""
    with pytest.raises(DocumentError) as caught:
        watermark_pdf(signed_pdf(certified=level), TEXT, name="camara.pdf")
    assert caught.value.message.startswith("camara.pdf: ")
    assert f"DocMDP, nivel {said}" in caught.value.message
    assert "marking: constancia" in caught.value.hint


@pytest.mark.parametrize("permission", [MDPPerm.NO_CHANGES, MDPPerm.FILL_FORMS, MDPPerm.ANNOTATE])
def test_a_really_certified_pdf_is_refused(permission: MDPPerm) -> None:
    certified = really_signed((CORPUS / "pdfkit.pdf").read_bytes(), certify=permission)
    with pytest.raises(DocumentError, match=f"nivel {permission.value}"):
        watermark_pdf(certified, TEXT, name="camara.pdf")


def test_a_certified_pdf_is_refused_in_prepare_and_the_rest_is_not_written(
    tmp_path: Path,
) -> None:
    source = tmp_path / "camara.pdf"
    pdf = (CORPUS / "pdfkit.pdf").read_bytes()
    source.write_bytes(really_signed(pdf, certify=MDPPerm.ANNOTATE))
    spec = DocumentSpec("existencia", source, True, "watermark")
    with pytest.raises(DocumentError, match="certificado") as caught:
        prepare_documents([spec], SUPPLIER, tmp_path / "out")
    assert "constancia" in caught.value.hint
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_an_approval_signature_is_not_a_certification() -> None:
    result = watermark_pdf(signed_pdf(), TEXT)
    assert SIGNED_NOTE in result.notes
    assert not any("certificad" in note for note in result.notes)


def test_a_signed_page_tree_with_indirect_kids_is_marked_on_every_page() -> None:
    """/Kids may be a reference to an array (pyHanko's dict.get does not resolve it)."""
    with pikepdf.open(CORPUS / "pdflatex-4-pages.pdf") as pdf:
        pdf.Root.Pages.Kids = pdf.make_indirect(pdf.Root.Pages.Kids)
        buffer = io.BytesIO()
        pdf.save(buffer)
    original = really_signed(buffer.getvalue())
    result = watermark_pdf(original, TEXT)
    assert result.written_as == "signed-update"
    assert assert_watermarked(result.output, TEXT, original) == result.pages == 4
    _assert_signature_still_valid(result.output)


@pytest.mark.parametrize("signed", [False, True], ids=["full-copy", "signed-update"])
def test_a_rotation_written_as_a_real_number_is_honoured_on_both_paths(signed: bool) -> None:
    """/Rotate should be an integer; a producer that writes ``90.0`` still has its page shown
    turned, so the stamp must follow it on either path."""
    with pikepdf.open(CORPUS / "pdfkit.pdf") as pdf:
        for page in pdf.pages:
            page.obj.Rotate = pikepdf.Object.parse(b"90.0")
        buffer = io.BytesIO()
        pdf.save(buffer)
    original = really_signed(buffer.getvalue()) if signed else buffer.getvalue()
    result = watermark_pdf(original, TEXT)
    assert result.written_as == ("signed-update" if signed else "full-copy")
    assert_watermarked(result.output, TEXT, original)


def test_a_deeply_nested_page_is_marked_signed() -> None:
    """qpdf reads direct objects nested up to 499 levels; the page's new version mirrors them
    into pyHanko's objects without running out of Python's stack (300: what pyHanko's own
    recursive reader still takes, to sign the input and validate the output)."""
    with pikepdf.open(CORPUS / "pdfkit.pdf") as pdf:
        pdf.pages[0].obj["/PieceInfo"] = pikepdf.Object.parse(b"[" * 300 + b"1" + b"]" * 300)
        buffer = io.BytesIO()
        pdf.save(buffer)
    original = really_signed(buffer.getvalue())
    result = watermark_pdf(original, TEXT)
    assert result.written_as == "signed-update"
    assert_watermarked(result.output, TEXT, original)
    _assert_signature_still_valid(result.output)


def _raw_byte_in_a_catalog_name() -> bytes:
    signed = really_signed((CORPUS / "pdfkit.pdf").read_bytes())
    name = b"/Type /DeveloperExtensions"
    at = signed.rindex(name)
    return signed[:at] + name[:-1] + b"\xb7" + signed[at + len(name) :]


def _bad_checksum_in_the_signed_cross_reference_stream() -> bytes:
    with pikepdf.open(CORPUS / "pdfkit.pdf") as pdf:
        buffer = io.BytesIO()
        pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    signed = really_signed(buffer.getvalue())
    start = signed.index(b"stream", signed.rindex(b"/Type /XRef")) + len(b"stream\n")
    last = signed.index(b"endstream", start) - 2  # the deflated data's last byte: its Adler-32
    return signed[:last] + bytes([signed[last] ^ 0xFF]) + signed[last + 1 :]


@pytest.mark.parametrize(
    "damage", [_raw_byte_in_a_catalog_name, _bad_checksum_in_the_signed_cross_reference_stream]
)
def test_a_signed_pdf_that_only_qpdf_reads_is_marked_by_a_full_copy_that_says_so(
    damage: Callable[[], bytes],
) -> None:
    """qpdf reads the file without a word; pyHanko refuses it (PdfReadError, zlib.error). The
    update cannot be written, so the copy is rewritten whole, marked, and the note says the
    signature is not verifiable in it (found by fuzzing signed corpus files)."""
    damaged = damage()
    with pikepdf.open(io.BytesIO(damaged)) as pdf:
        assert not pdf.get_warnings()
    result = watermark_pdf(damaged, TEXT)
    assert result.written_as == "full-copy"
    assert SIGNATURE_LOST_NOTE in result.notes
    assert_watermarked(result.output, TEXT, damaged)


def test_small_damage_to_signed_files_is_marked_or_refused_never_a_crash(tmp_path: Path) -> None:
    """40 seeded mutations of signed corpus files, one to three bytes each (most still read
    cleanly, so the update is written): every one ends in a manifest whose copy has the mark on
    every page, or in a DocumentError; none in another exception."""
    rng = random.Random(8)
    names = ["pdfkit.pdf", "pdflatex-4-pages.pdf", "habibi-rotated.pdf"]
    originals = {name: really_signed((CORPUS / name).read_bytes()) for name in names}
    ways: collections.Counter[str] = collections.Counter()
    for run in range(40):
        data = bytearray(originals[names[run % len(names)]])
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] = rng.choice(b"0123456789/<>[]()Robj \n\x00\xb7")
        source = tmp_path / f"firmado-{run}.pdf"
        source.write_bytes(bytes(data))
        spec = DocumentSpec("rut", source, True, "watermark")
        try:
            manifest = prepare_documents([spec], SUPPLIER, tmp_path / f"out-{run}", limits=False)
        except DocumentError:
            ways["refused"] += 1
            continue
        (entry,) = manifest.entries
        ways["update" if SIGNED_NOTE in entry.notes else "full copy"] += 1
        marked = (tmp_path / f"out-{run}" / entry.output.name).read_bytes()
        assert unmarked_pages(marked, manifest.watermark_text) == [], run
    assert ways["update"] >= 20, ways  # the signed path is what this exercises
