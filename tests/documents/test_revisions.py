"""The unmarked original inside a watermarked PDF: blanked, unless a digital signature needs it.

Every unsigned input of the corpus and the edge cases is checked in test_watermark.py (no earlier
revision gives a reader an unmarked page); here, signed PDFs, the fall-backs, exactly what is
blanked, and that the check catches an output whose old pages were left in place.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest

from robot.documents import incremental, prepare_documents, revisions
from robot.documents import watermark as watermark_module
from robot.documents.model import DocumentSpec
from robot.documents.pdfsyntax import Document, Name, PdfSyntaxError, Ref
from robot.documents.revisions import is_signed, is_signed_doc
from robot.documents.watermark import (
    CERTIFIED_NOTE,
    REWRITTEN_NOTE,
    SIGNATURE_LOST_NOTE,
    SIGNED_NOTE,
    watermark_pdf_result,
)
from tests.documents.pdfcheck import assert_watermarked, earlier_revisions, unmarked_pages
from tests.documents.test_images_constancia import SUPPLIER
from tests.documents.test_watermark import TEXT
from tests.fixtures.documents import CORPUS, signed_pdf

_OBJECT = re.compile(rb"\n(\d+) (\d+) obj\n")


@pytest.mark.parametrize("object_streams", [False, True])
def test_a_signed_pdf_keeps_its_signed_bytes_and_says_so(object_streams: bool) -> None:
    original = signed_pdf(object_streams=object_streams)
    result = watermark_pdf_result(original, TEXT)
    out = result.output.to_bytes()
    assert result.written_as == "signed-update"
    assert out.startswith(original)  # the signed bytes, untouched
    assert result.output.parts[0] is original
    assert SIGNED_NOTE in result.notes
    assert_watermarked(out, TEXT, original)
    # What the note tells the reviewer is true: the unmarked signed version is one cut away.
    assert unmarked_pages(out[: len(original)], TEXT)


def test_the_signed_note_reaches_the_manifest(tmp_path: Path) -> None:
    source = tmp_path / "certificado.pdf"
    source.write_bytes(signed_pdf())
    spec = DocumentSpec("existencia", source, True, "watermark")
    manifest = prepare_documents([spec], SUPPLIER, tmp_path / "out")
    (entry,) = manifest.entries
    assert SIGNED_NOTE in entry.notes
    text = (tmp_path / "out" / "manifest.json").read_text(encoding="utf-8")
    assert "la versión firmada sin marca sigue dentro del archivo" in text


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
        ("empty signature field", False),  # a field waiting for a signature
        ("libreoffice-form.pdf", False),  # text fields
        ("pdfkit.pdf", False),  # no form at all
    ],
)
def test_a_signature_is_a_sig_field_with_a_value(name: str, signed: bool) -> None:
    if name == "signed":
        data = signed_pdf()
    elif name == "empty signature field":
        data = signed_pdf(signature=False)
    else:
        data = (CORPUS / name).read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert is_signed(pdf) is signed
    assert is_signed_doc(Document(data)) is signed  # the lean reader's check agrees


@pytest.mark.parametrize("change", [_sig_on_parent, _kind_on_parent])
def test_a_signature_field_in_a_field_tree_is_found(
    change: Callable[[pikepdf.Pdf], None],
) -> None:
    with pikepdf.open(io.BytesIO(signed_pdf())) as pdf:
        change(pdf)
        assert is_signed(pdf)
        buffer = io.BytesIO()
        pdf.save(buffer)
    assert is_signed_doc(Document(buffer.getvalue()))


def test_an_empty_signature_field_is_blanked_like_any_page() -> None:
    original = signed_pdf(signature=False)
    result = watermark_pdf_result(original, TEXT)
    out = result.output.to_bytes()
    assert result.written_as == "update"
    assert SIGNED_NOTE not in result.notes
    assert not out.startswith(original)
    assert unmarked_pages(out[: len(original)], TEXT) == []


def test_a_signed_pdf_that_must_be_rewritten_says_its_signature_is_lost() -> None:
    with pikepdf.open(io.BytesIO(signed_pdf())) as pdf:
        buffer = io.BytesIO()
        pdf.save(buffer, encryption=pikepdf.Encryption(owner="dueño", user="clave"))
    result = watermark_pdf_result(buffer.getvalue(), TEXT, password="clave")
    assert result.written_as == "decrypted-update"  # a decrypted copy: not the signed bytes
    assert SIGNATURE_LOST_NOTE in result.notes
    assert SIGNED_NOTE not in result.notes
    out = result.output.to_bytes()
    assert_watermarked(out, TEXT)
    assert all(unmarked_pages(cut, TEXT) == [] for cut in earlier_revisions(out))


@pytest.mark.parametrize("name", ["pdfkit.pdf", "pdflatex-4-pages.pdf"])  # table, streams
def test_a_file_with_an_earlier_revision_has_every_earlier_version_blanked(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that already has two revisions (here: marked once with its original kept, as a
    signed one is): the update blanks the versions the newest revision no longer uses, so
    neither earlier revision gives a reader an unmarked page. With object streams, the old
    page dictionaries sit in the first revision's object streams and the second revision's
    new ones in its own."""
    with monkeypatch.context() as patch:
        patch.setattr(watermark_module, "is_signed_doc", lambda doc: True)
        twice = watermark_pdf_result((CORPUS / name).read_bytes(), TEXT)
    two_revisions = twice.output.to_bytes()
    assert unmarked_pages(earlier_revisions(two_revisions)[0], TEXT)  # the input leaks
    result = watermark_pdf_result(two_revisions, TEXT)
    assert result.written_as == "update"
    assert REWRITTEN_NOTE not in result.notes
    out = result.output.to_bytes()
    assert len(earlier_revisions(out)) == 2
    assert_watermarked(out, TEXT)
    assert all(unmarked_pages(cut, TEXT) == [] for cut in earlier_revisions(out))
    changed = {out[i] for i in range(len(two_revisions)) if out[i] != two_revisions[i]}
    assert changed == {ord(" ")}


@pytest.mark.parametrize(
    "name", ["shared-content.pdf", "inherited-rotation.pdf", "version-1.3.pdf", "form.pdf"]
)
def test_exactly_the_replaced_objects_are_blanked(name: str, edge_pdfs: dict[str, Path]) -> None:
    """The old versions of the objects the update writes again (pages, a shared resources
    dictionary, the page-tree node holding inherited resources, the catalog given /Version),
    each from ``n g obj`` to ``endobj``; nothing else."""
    original = edge_pdfs[name].read_bytes()
    out = watermark_pdf_result(original, TEXT).output.to_bytes()
    with pikepdf.open(io.BytesIO(original)) as pdf:
        size = int(pdf.trailer.Size)
        offsets = {ref: entry.offset for ref, entry in pdf.get_xref_table().items()}
    update = out[len(original) - 1 :]
    redefined = {(int(m[1]), int(m[2])) for m in _OBJECT.finditer(update) if int(m[1]) < size}
    blanked = {ref for ref, at in offsets.items() if out[at : at + 6] == b" " * 6}
    assert redefined
    assert blanked == redefined
    restored = bytearray(out[: len(original)])
    for ref in blanked:
        start = offsets[ref]
        end = original.index(b"endobj", start) + len(b"endobj")
        assert out[start:end].strip() == b""
        restored[start:end] = original[start:end]
    assert restored == original  # nothing else changed
    if name == "version-1.3.pdf":
        with pikepdf.open(io.BytesIO(original)) as pdf:
            assert pdf.Root.objgen in blanked
    if name == "inherited-rotation.pdf":
        with pikepdf.open(io.BytesIO(original)) as pdf:
            assert pdf.Root.Pages.objgen in blanked


@pytest.mark.parametrize("source", ["pdfkit.pdf", "habibi-rotated.pdf"])
def test_the_check_catches_old_pages_left_in_place(
    source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With blanking skipped (nothing to blank), the original is a prefix of the output again,
    and each of the three readers finds its unmarked pages at the original's cut."""
    monkeypatch.setattr(incremental, "plan", lambda doc, replaced: revisions.Plan())
    original = (CORPUS / source).read_bytes()
    out = watermark_pdf_result(original, TEXT).output.to_bytes()
    assert out.startswith(original)
    found = unmarked_pages(earlier_revisions(out)[-1], TEXT)
    assert {reader.split()[0] for reader in found} == {"qpdf", "pypdf", "pdfium"}


def test_old_versions_are_blanked_where_the_table_says() -> None:
    """Read from the original's own table, from ``n g obj`` to ``endobj``; a wrong entry is
    refused (the caller then leaves the file to qpdf)."""
    data = (CORPUS / "pdfkit.pdf").read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0].obj.objgen
        offsets = {ref: entry.offset for ref, entry in pdf.get_xref_table().items()}
    replaced = bytearray(page[0] + 1)
    replaced[page[0]] = 1
    found = revisions.plan(Document(data), replaced)
    start, end = found.spans
    assert start == offsets[page]
    assert data[start:end].startswith(b"%d %d obj" % page)
    assert data[start:end].endswith(b"endobj")
    assert found.rewrite == [] and found.freed == {}
    wrong = data.replace(
        b"%010d %05d n" % (offsets[page], 0), b"%010d %05d n" % (offsets[(1, 0)], 0)
    )
    assert len(wrong) == len(data)
    assert wrong != data
    with pytest.raises(PdfSyntaxError):
        revisions.plan(Document(wrong), replaced)


def test_an_object_stream_holding_an_old_version_is_blanked_whole() -> None:
    """A page dictionary inside an object stream: the stream is blanked, its number freed,
    and every other object still in use inside it listed to be written again."""
    data = (CORPUS / "pdflatex-4-pages.pdf").read_bytes()
    doc = Document(data)
    assert doc.uses_streams
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0].obj.objgen[0]
    located = doc.locate(page)
    assert located is not None
    stream = located[1].stream
    assert stream >= 0
    replaced = bytearray(doc.size)
    replaced[page] = 1
    found = revisions.plan(doc, replaced)
    assert list(found.freed) == [stream]
    span = tuple(found.spans)
    assert len(span) == 2
    assert data[span[0] : span[1]].startswith(b"%d 0 obj" % stream)
    assert data[span[0] : span[1]].endswith(b"endobj")
    _, numbers, _ = doc.object_stream(stream)
    inside = set(numbers[::2])
    assert {number for number, _, _ in found.rewrite} == inside - {page}


@pytest.mark.parametrize(("level", "said"), [(1, 1), (2, 2), (3, 3), (0, 2)])  # 0: no /P
def test_a_certified_pdf_says_its_certification_does_not_allow_the_mark(
    level: int, said: int
) -> None:
    """A certifying signature (DocMDP) forbids page-content changes at every level: the
    signed bytes are kept as for any signature, and the manifest note says the readers will
    flag the watermark, with the level."""
    original = signed_pdf(certified=level)
    result = watermark_pdf_result(original, TEXT)
    assert result.written_as == "signed-update"
    assert CERTIFIED_NOTE.format(level=said) in result.notes
    assert result.output.to_bytes().startswith(original)


def test_an_approval_signature_is_not_a_certification() -> None:
    result = watermark_pdf_result(signed_pdf(), TEXT)
    assert SIGNED_NOTE in result.notes
    assert not any("certificado" in note for note in result.notes)


def _relisting_update(data: bytes) -> bytes:
    """``data`` with an incremental update that adds one object and lists every entry of the
    newest section again, at the same place (legal: some writers emit a complete section per
    revision), as a table or a cross-reference stream like the original's."""
    doc = Document(data)
    entries = dict(doc.sections[0].listed(data))
    new = doc.size
    body = b"%d 0 obj\n<< /Producer (editor) >>\nendobj\n" % new
    at = len(data)
    root = doc.trailer[Name(b"/Root")]
    assert isinstance(root, Ref)
    head = b"/Size %d /Root %d %d R /Prev %d" % (
        new + 1,
        root.number,
        root.generation,
        doc.startxref,
    )
    if not doc.uses_streams:
        rows = b"".join(
            b"%010d %05d n\r\n" % (place.offset, place.generation)
            if place.offset >= 0
            else b"0000000000 65535 f\r\n"
            for _, place in sorted(entries.items())
        )
        xref_at = at + len(body)
        section = b"xref\n0 %d\n%s%010d 00000 n\r\ntrailer\n<< %s >>\n" % (
            new + 1,
            b"".join([rows]),
            at,
            head,
        )
        assert sorted(entries) == list(range(new))
        return data + body + section + b"startxref\n%d\n%%%%EOF\n" % xref_at
    own = new + 1
    xref_at = at + len(body)
    rows = bytearray()
    for number in range(own + 1):
        place = entries.get(number)
        if number == new:
            rows += b"\x01" + at.to_bytes(4, "big") + b"\x00\x00"
        elif number == own:
            rows += b"\x01" + xref_at.to_bytes(4, "big") + b"\x00\x00"
        elif place is None or (place.offset < 0 and place.stream < 0):
            rows += b"\x00" + bytes(4) + b"\xff\xff"
        elif place.stream >= 0:
            rows += b"\x02" + place.stream.to_bytes(4, "big") + place.index.to_bytes(2, "big")
        else:
            rows += b"\x01" + place.offset.to_bytes(4, "big") + place.generation.to_bytes(2, "big")
    head = head.replace(b"/Size %d" % (new + 1), b"/Size %d" % (own + 1))
    stream = (
        b"%d 0 obj\n<< /Type /XRef %s /W [1 4 2] /Length %d >>\nstream\n%s\nendstream\nendobj\n"
        % (
            own,
            head,
            len(rows),
            bytes(rows),
        )
    )
    return data + body + stream + b"startxref\n%d\n%%%%EOF\n" % xref_at


@pytest.mark.parametrize("name", ["pdfkit.pdf", "pdflatex-4-pages.pdf"])  # table, streams
def test_objects_a_later_section_lists_again_at_the_same_place_stay(name: str) -> None:
    """Found in review: an older section's entry for an object the newest section lists again
    at the same place counted as an old version, and the live catalog, fonts and content were
    blanked. In use means the same place, whichever section says so."""
    original = (CORPUS / name).read_bytes()
    relisted = _relisting_update(original)
    with pikepdf.open(io.BytesIO(relisted)) as pdf:
        assert pdf.get_warnings() == []
        assert pdf.check_pdf_syntax() == []
    result = watermark_pdf_result(relisted, TEXT)
    assert result.written_as == "update"
    out = result.output.to_bytes()
    assert_watermarked(out, TEXT, original)  # opens cleanly, original text on every page
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert pdf.check_pdf_syntax() == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("/PieceInfo", pikepdf.Dictionary(Nota=pikepdf.String("a endobj b"))),  # a string
        ("/Xendobj", pikepdf.Name("/b")),  # a name ending in endobj
    ],
    ids=["string", "name"],
)
def test_the_word_endobj_inside_does_not_cut_a_blanked_object_short(
    key: str, value: pikepdf.Object
) -> None:
    """Found in review: the quick way to an object's end stopped at the word endobj inside a
    string, or at the end of a name like /Xendobj, leaving the rest of the old page
    dictionary in the file."""
    with pikepdf.open(CORPUS / "pdfkit.pdf") as pdf:
        pdf.pages[0].obj[key] = value
        buffer = io.BytesIO()
        pdf.save(buffer)
    original = buffer.getvalue()
    with pikepdf.open(io.BytesIO(original)) as pdf:
        page = pdf.pages[0].obj.objgen
        start = pdf.get_xref_table()[page].offset
    end = Document(original).object_span(start, Ref(*page))[1]
    assert original[end - 6 : end] == b"endobj"
    assert original.index(b"endobj", start) < end - 6  # the word comes earlier, inside
    out = watermark_pdf_result(original, TEXT).output.to_bytes()
    assert out[start:end].strip() == b""  # the old version blanked whole, to its own endobj
