"""The PDF watermark: on every page of every real and generated PDF, upright and extractable."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from robot.documents import geometry
from robot.documents.watermark import (
    DEFAULT_OPACITY,
    PDFA1_NOTE,
    REMOVED_NOTE,
    REWRITTEN_NOTE,
    WatermarkResult,
    watermark_pdf,
)
from tests.documents.pdfcheck import (
    assert_upright,
    assert_watermarked,
    earlier_revisions,
    page_texts,
    squash,
    unmarked_pages,
)
from tests.documents.samples import hybrid_pdf
from tests.documents.signing import really_signed, signature_verdict
from tests.fixtures.documents import (
    CORPUS,
    CORPUS_PDFS,
    EDGE_PDFS,
    ENCRYPTED,
    UNICODE_LINE,
)

TEXT = "Documento de uso exclusivo para SECOP II — Ñandú Ingeniería S.A.S. — 14/03/2025"


def assert_no_unmarked_revision(result: WatermarkResult) -> None:
    """Cut anywhere ``head -c`` would, no reader finds an unmarked page."""
    out = result.output
    for earlier in earlier_revisions(out):
        assert unmarked_pages(earlier, TEXT) == [], f"cut at {len(earlier)}"


_NOTES = {
    "crazyones-pdfa.pdf": (PDFA1_NOTE,),
    "pdflatex-forms.pdf": (  # a Submit button
        REMOVED_NOTE.format(what="acciones que ejecutan código, abren programas o envían datos"),
    ),
    "with-attachment.pdf": (REMOVED_NOTE.format(what="archivos adjuntos"),),
}


@pytest.mark.parametrize("name", CORPUS_PDFS)
def test_real_world_pdfs_are_marked_on_every_page(name: str) -> None:
    original = (CORPUS / name).read_bytes()
    result = watermark_pdf(original, TEXT, name=name)
    out = result.output
    with pikepdf.open(io.BytesIO(original)) as pdf:
        pages = len(pdf.pages)
    assert assert_watermarked(out, TEXT, original) == pages
    assert result.pages == pages
    assert result.written_as == "full-copy"
    assert result.notes == _NOTES.get(name, ())
    assert_no_unmarked_revision(result)
    assert len(out) < len(original) * 1.05 + 30_000  # the font subset is the only real cost


def test_encrypted_pdf_with_its_password_is_marked_and_saved_without_password() -> None:
    original = (CORPUS / ENCRYPTED).read_bytes()
    out = watermark_pdf(original, TEXT, password="openpassword").output
    assert_watermarked(out, TEXT, original, password="openpassword")


@pytest.mark.parametrize("name", EDGE_PDFS)
def test_generated_edge_cases_are_marked_on_every_page(
    name: str, edge_pdfs: dict[str, Path]
) -> None:
    original = edge_pdfs[name].read_bytes()
    result = watermark_pdf(original, TEXT, name=name)
    out = result.output
    assert_watermarked(out, TEXT, original)
    assert result.written_as == "full-copy"
    assert_no_unmarked_revision(result)


def test_an_unsigned_pdf_is_one_new_file_without_the_original_inside() -> None:
    """qpdf's full rewrite: not the original followed by an update."""
    original = (CORPUS / "pdfkit.pdf").read_bytes()
    output = watermark_pdf(original, TEXT).output
    assert not output.startswith(original[:-100])
    assert output.count(b"%%EOF") == 1
    assert output == watermark_pdf(original, TEXT).output  # deterministic


@pytest.mark.parametrize("object_streams", [False, True])
def test_a_signed_update_uses_the_kind_of_cross_reference_of_the_original(
    object_streams: bool,
) -> None:
    with pikepdf.open(CORPUS / "pdfkit.pdf") as pdf:
        buffer = io.BytesIO()
        mode = pikepdf.ObjectStreamMode.generate if object_streams else None
        pdf.save(buffer, object_stream_mode=mode or pikepdf.ObjectStreamMode.disable)
    signed = really_signed(buffer.getvalue())
    out = watermark_pdf(signed, TEXT).output
    assert out.startswith(signed)
    update = out[len(signed) :]
    assert (b"/Type /XRef" in update) is object_streams
    assert (b"\nxref\n" in update) is not object_streams


def test_pages_that_share_content_share_one_form_and_one_stamp(
    edge_pdfs: dict[str, Path],
) -> None:
    """Two pages drawing the same content stream with the same resources: one form XObject
    of that content (the stream itself, not a copy), one stamp, one drawing stream."""
    out = watermark_pdf(edge_pdfs["shared-content.pdf"].read_bytes(), TEXT).output
    with pikepdf.open(io.BytesIO(out)) as pdf:
        first, second = (page.obj.Resources.XObject for page in pdf.pages)
        assert first.SecopPagina.objgen == second.SecopPagina.objgen != (0, 0)
        forms = [
            o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Form"
        ]
        assert len(forms) == 2  # the shared page content and the stamp
        assert first.SecopWM.objgen == second.SecopWM.objgen != (0, 0)
        contents = [page.obj.Contents for page in pdf.pages]
        assert contents[0][-1].objgen == contents[1][-1].objgen  # one drawing stream for both


def test_signed_pages_that_share_content_and_resources_share_one_form(
    edge_pdfs: dict[str, Path],
) -> None:
    """Both pages draw the same content stream with the same resources: one form XObject of it
    and one drawing stream serve both, and the shared resources are not written again."""
    signed = really_signed(edge_pdfs["shared-content.pdf"].read_bytes())
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        shared = pdf.pages[0].obj.Resources.objgen
        assert shared == pdf.pages[1].obj.Resources.objgen != (0, 0)
    out = watermark_pdf(signed, TEXT).output
    update = out[len(signed) :]
    with pikepdf.open(io.BytesIO(out)) as pdf:
        first, second = (page.obj.Resources.XObject.SecopPagina for page in pdf.pages)
        assert first.objgen == second.objgen
        assert first.Resources.objgen == shared
        assert b"\n%d %d obj" % shared not in b"\n" + update
        contents = [page.obj.Contents for page in pdf.pages]
        assert contents[0][-1].objgen == contents[1][-1].objgen  # one drawing stream for both
    assert_watermarked(out, TEXT, signed)


@pytest.mark.parametrize("signed", [False, True], ids=["full-copy", "signed-update"])
def test_a_shared_stream_drawn_with_each_page_own_resources_keeps_them(signed: bool) -> None:
    """Two pages draw one content stream (``/F1``) with their own direct /Resources naming
    different fonts: each page's form keeps its own page's resources, not the first page's."""
    with pikepdf.open(io.BytesIO(_two_fonts_one_stream())) as pdf:
        buffer = io.BytesIO()
        pdf.save(buffer)
    original = really_signed(buffer.getvalue()) if signed else buffer.getvalue()
    out = watermark_pdf(original, TEXT).output
    with pikepdf.open(io.BytesIO(out)) as pdf:
        fonts = [
            str(page.obj.Resources.XObject.SecopPagina.Resources.Font.F1.BaseFont)
            for page in pdf.pages
        ]
    assert fonts == ["/Helvetica", "/Courier"]
    assert_watermarked(out, TEXT, original)


def _two_fonts_one_stream() -> bytes:
    pdf = pikepdf.new()
    content = pdf.make_stream(b"BT /F1 24 Tf 72 700 Td (Compartida) Tj ET")
    for font in ("Helvetica", "Courier"):
        pdf.add_blank_page(page_size=(612, 792))
        page = pdf.pages[-1].obj
        page.Contents = content
        base = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1)
        base.BaseFont = pikepdf.Name("/" + font)
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=base))
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def test_a_pdf_1_3_gets_a_1_4_header_for_the_transparency(edge_pdfs: dict[str, Path]) -> None:
    out = watermark_pdf(edge_pdfs["version-1.3.pdf"].read_bytes(), TEXT).output
    assert out.startswith(b"%PDF-1.4")


def test_a_signed_pdf_1_3_declares_at_least_1_4(edge_pdfs: dict[str, Path]) -> None:
    signed = really_signed(edge_pdfs["version-1.3.pdf"].read_bytes())
    out = watermark_pdf(signed, TEXT).output
    assert out.startswith(signed)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert str(pdf.Root.Version) >= "/1.4"  # the header of an updated file cannot change


def test_a_file_qpdf_has_to_repair_is_copied_in_full() -> None:
    """Bytes inserted before the objects: every offset of the cross-reference table is wrong.
    qpdf repairs it and the full copy is the repaired one, with a note for the reviewer."""
    original = (CORPUS / "pdfkit.pdf").read_bytes()
    cut = original.index(b"1 0 obj")
    damaged = original[:cut] + b"% moved\n" + original[cut:]
    with pikepdf.open(io.BytesIO(damaged)) as pdf:
        assert len(pdf.pages) > 0
        assert pdf.get_warnings()  # qpdf had to repair it
    result = watermark_pdf(damaged, TEXT)
    assert result.written_as == "full-copy"
    assert REWRITTEN_NOTE in result.notes
    assert result.output.count(b"%%EOF") == 1  # one new file, not an update appended
    assert_no_unmarked_revision(result)
    assert_watermarked(result.output, TEXT, damaged)


def test_pdf_version_is_kept(edge_pdfs: dict[str, Path]) -> None:
    out = watermark_pdf(edge_pdfs["version-2.0.pdf"].read_bytes(), TEXT).output
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert pdf.pdf_version == "2.0"


def test_unicode_original_text_survives(edge_pdfs: dict[str, Path]) -> None:
    out = watermark_pdf(edge_pdfs["unicode.pdf"].read_bytes(), TEXT).output
    assert squash(UNICODE_LINE) in page_texts(out)[0]


def test_upright_check_catches_a_watermark_that_ignores_rotation(
    edge_pdfs: dict[str, Path],
) -> None:
    """The checker can fail: drop /Rotate after marking, put it back, and it must complain."""
    out = watermark_pdf(edge_pdfs["rotated.pdf"].read_bytes(), TEXT).output
    with pikepdf.open(io.BytesIO(out)) as pdf:
        pdf.pages[1].obj.Rotate = 0  # marked for 90°, now shown at 0°
        buffer = io.BytesIO()
        pdf.save(buffer)
    with pytest.raises(AssertionError, match="page 2"):
        assert_upright(buffer.getvalue(), TEXT)


_VIEW_OF = geometry.view_of


def _origin_at_zero(
    media: geometry.Box | None, crop: geometry.Box | None, turn: int
) -> geometry.PageView:
    view = _VIEW_OF(media, crop, turn)
    return geometry.PageView(0, 0, view.x1 - view.x0, view.y1 - view.y0, view.rotate)


@pytest.mark.parametrize(
    ("target", "broken", "says"),
    [
        ("MARGIN", 1.6 * geometry.MARGIN, "runs off the visible page"),
        ("MARGIN", 0.4 * geometry.MARGIN, "covers only"),
        ("view_of", _origin_at_zero, "runs off the visible page|not centred"),
    ],
)
def test_fit_check_catches_a_watermark_that_does_not_fit(
    target: str,
    broken: object,
    says: str,
    edge_pdfs: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The checker can fail: a stamp too big, too small or placed as if every box started at
    the origin must be caught on the cropped pages."""
    monkeypatch.setattr(geometry, target, broken)
    original = edge_pdfs["boxes-off-origin.pdf"].read_bytes()
    out = watermark_pdf(original, TEXT).output
    with pytest.raises(AssertionError, match=says):
        assert_upright(out, TEXT)


def _stamp_alphas(data: bytes) -> list[float]:
    """The fill opacity (/ca) the watermark's form XObject sets, page by page (1.0: opaque)."""
    alphas = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            node = page.obj
            while "/Resources" not in node:  # inherited from the page tree
                node = node.Parent
            xobjects = node.Resources.XObject
            forms = [xobjects[k] for k in xobjects if k.startswith("/SecopWM")]
            assert len(forms) == 1, "the page does not carry the watermark form"
            states = forms[0].get("/Resources", {}).get("/ExtGState", {})
            found = [float(state.ca) for state in states.values() if "/ca" in state]
            alphas.append(min(found, default=1.0))
    return alphas


def test_pdfa1_gets_an_opaque_watermark() -> None:
    result = watermark_pdf((CORPUS / "crazyones-pdfa.pdf").read_bytes(), TEXT)
    assert any("PDF/A-1" in note for note in result.notes)
    out = result.output
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert pdf.open_metadata().pdfa_status.startswith("1")
    assert _stamp_alphas(out) == [1.0]


def test_the_watermark_is_semi_transparent(edge_pdfs: dict[str, Path]) -> None:
    out = watermark_pdf(edge_pdfs["mixed-sizes.pdf"].read_bytes(), TEXT).output
    assert _stamp_alphas(out) == [pytest.approx(DEFAULT_OPACITY)] * 5


def _solid_page(rgb: tuple[float, float, float]) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=1)
    page.setFillColorRGB(*rgb)
    page.rect(0, 0, *A4, stroke=0, fill=1)
    page.showPage()
    page.save()
    return out.getvalue()


def _pixels(data: bytes) -> list[tuple[int, int, int]]:
    doc = pdfium.PdfDocument(data)
    try:
        image = doc[0].render(scale=1).to_pil().convert("RGB")
        return list(image.get_flattened_data())
    finally:
        doc.close()


def test_content_under_the_watermark_shows_through() -> None:
    """The same page in blue and in green, marked: where the stamp's glyphs are, the marked
    pixels still differ as the backgrounds do (an opaque stamp would make them equal)."""
    blue, green = _solid_page((0, 0, 1)), _solid_page((0, 1, 0))
    before = _pixels(blue)
    marked_blue, marked_green = (
        _pixels(watermark_pdf(blue, TEXT).output),
        _pixels(watermark_pdf(green, TEXT).output),
    )
    under = [
        i
        for i, (old, new) in enumerate(zip(before, marked_blue, strict=True))
        if sum(abs(a - b) for a, b in zip(old, new, strict=True)) > 40
    ]
    assert len(under) > 1000, "the stamp is not drawn"
    shows = sorted(abs(marked_green[i][1] - marked_blue[i][1]) for i in under)
    assert shows[len(shows) // 2] > 100, "the stamp hides what is under it"
    assert all(marked_blue[i][0] > 0 for i in under), "the stamp is not visible"


def test_watermark_is_marked_as_an_artifact() -> None:
    out = watermark_pdf((CORPUS / "minimal-document.pdf").read_bytes(), TEXT).output
    with pikepdf.open(io.BytesIO(out)) as pdf:
        streams = pdf.pages[0].obj.Contents
        assert b"/Artifact" in streams[len(streams) - 1].read_bytes()


def test_a_hybrid_file_is_marked_without_its_old_cross_reference() -> None:
    """A hybrid-reference file (a table plus /XRefStm, as Word writes) whose page resources
    sit in an object stream."""
    original = hybrid_pdf()
    result = watermark_pdf(original, TEXT)
    assert result.written_as == "full-copy"
    out = result.output
    assert_watermarked(out, TEXT)
    assert_no_unmarked_revision(result)
    with pikepdf.open(io.BytesIO(out)) as pdf:  # the page's own resources, read right
        assert pdf.pages[0].obj.Resources.XObject.SecopPagina.Resources.Marker == "in the stream"


@pytest.mark.parametrize("signed", [False, True])
def test_an_indirect_contents_array_is_taken_apart(tmp_path: Path, signed: bool) -> None:
    """/Contents as a reference to an array of streams, /Resources direct in the page (where
    pyHanko's own add_stream_to_page loses the stamp): signed or not, the streams are joined
    into the page's form XObject, drawn before the stamp."""
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(400, 300))
        page = pdf.pages[0].obj
        first = pdf.make_stream(b"BT /F1 12 Tf 50 150 Td (Primera) Tj ET")
        second = pdf.make_stream(b"BT /F1 12 Tf 50 100 Td (Segunda) Tj ET")
        page.Contents = pdf.make_indirect(pikepdf.Array([first, second]))
        font = pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        pdf.save(tmp_path / "arreglo.pdf")
    original = (tmp_path / "arreglo.pdf").read_bytes()
    if signed:
        original = really_signed(original)
    result = watermark_pdf(original, TEXT)
    assert result.written_as == ("signed-update" if signed else "full-copy")
    out = result.output
    if signed:
        assert signature_verdict(out).intact
    assert_watermarked(out, TEXT, original)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        contents = pdf.pages[0].obj.Contents
        assert isinstance(contents, pikepdf.Array) and len(contents) == 2
        form = pdf.pages[0].obj.Resources.XObject.SecopPagina.read_bytes()
        assert b"(Primera) Tj ET" in form and b"(Segunda) Tj ET" in form
