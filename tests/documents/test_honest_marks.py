"""A watermark counts only if it can be seen (issue 14, point 6): every page of the corpus and of
hostile documents rendered by pdfium, annotations and form fields included, shows the mark; what
could carry the unmarked original or run code is removed, and the manifest says so."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from robot.documents.watermark import REMOVED_NOTE, watermark_pdf
from tests.documents.marks import visible_mark
from tests.documents.pdfcheck import assert_watermarked
from tests.documents.signing import really_signed, signature_verdict
from tests.documents.test_watermark import TEXT
from tests.fixtures.documents import CORPUS, CORPUS_PDFS, EDGE_PDFS

SEEN = 0.003  # the share of a page's pixels the mark changes at least (measured: 0.5 to 1.3 %)


def _page(extra: bytes = b"") -> pikepdf.Pdf:
    """One A4 page of text, its content stream followed by ``extra``."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=1, pageCompression=0)
    page.setFont("Helvetica", 24)
    page.drawString(72, 700, "Estados financieros 2025")
    page.showPage()
    page.save()
    pdf = pikepdf.open(io.BytesIO(out.getvalue()))
    if extra:
        contents = pdf.pages[0].obj.Contents
        contents.write(contents.read_bytes() + b"\n" + extra)
    return pdf


def _saved(pdf: pikepdf.Pdf) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def _cover(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    """An opaque white Square annotation over the whole page, drawn by every reader."""
    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    appearance = pdf.make_stream(
        b"1 1 1 rg 0 0 %f %f re f" % (x1 - x0, y1 - y0),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Form,
        BBox=[0, 0, x1 - x0, y1 - y0],
    )
    annot = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Square,
            Rect=[x0, y0, x1, y1],
            F=4,
            AP=pikepdf.Dictionary(N=appearance),
        )
    )
    page.obj.Annots = pdf.make_indirect(pikepdf.Array([annot]))


def _unbalanced() -> bytes:
    """Content that pops more states than it pushed, then clips everything away and makes
    text invisible: a stamp drawn after it in the same graphics state would not show."""
    return _saved(_page(b"Q Q Q 0 0 m 0 0 l h W n 3 Tr 0 Tz"))


def _covered() -> bytes:
    pdf = _page()
    _cover(pdf, pdf.pages[0])
    return _saved(pdf)


def _soft_mask_left_on() -> bytes:
    """A graphics state with a luminosity soft mask of black (everything drawn after it is
    fully transparent), set and never restored."""
    pdf = _page(b"Q /Oculto gs")
    group = pdf.make_stream(
        b"0 g 0 0 1000 1000 re f",
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Form,
        BBox=[0, 0, 1000, 1000],
        Group=pikepdf.Dictionary(S=pikepdf.Name.Transparency, CS=pikepdf.Name.DeviceGray),
    )
    state = pikepdf.Dictionary(
        Type=pikepdf.Name.ExtGState,
        SMask=pikepdf.Dictionary(Type=pikepdf.Name.Mask, S=pikepdf.Name.Luminosity, G=group),
    )
    pdf.pages[0].obj.Resources.ExtGState = pikepdf.Dictionary(Oculto=state)
    return _saved(pdf)


HOSTILE = {
    "unbalanced-clip-invisible-text": _unbalanced,
    "annotation-over-the-page": _covered,
    "soft-mask-left-on": _soft_mask_left_on,
}


def _assert_seen(out: bytes) -> None:
    shares = visible_mark(out)
    hidden = [number for number, share in enumerate(shares, 1) if share < SEEN]
    assert not hidden, f"pages without a visible mark: {hidden} ({min(shares):.2%})"


@pytest.mark.parametrize("name", CORPUS_PDFS)
def test_the_mark_is_seen_on_every_page_of_the_corpus(name: str) -> None:
    _assert_seen(watermark_pdf((CORPUS / name).read_bytes(), TEXT, name=name).output)


@pytest.mark.parametrize("name", EDGE_PDFS)
def test_the_mark_is_seen_on_every_edge_case(name: str, edge_pdfs: dict[str, Path]) -> None:
    _assert_seen(watermark_pdf(edge_pdfs[name].read_bytes(), TEXT).output)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_the_mark_is_seen_whatever_the_page_does(case: str) -> None:
    original = HOSTILE[case]()
    out = watermark_pdf(original, TEXT).output
    _assert_seen(out)
    assert_watermarked(out, TEXT, original)


def test_the_check_catches_a_mark_covered_after_marking() -> None:
    """The check can fail: an opaque annotation put over the page after marking hides it."""
    out = watermark_pdf(_saved(_page()), TEXT).output
    _assert_seen(out)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        _cover(pdf, pdf.pages[0])
        covered = _saved(pdf)
    with pytest.raises(AssertionError, match="pages without a visible mark: \\[1\\]"):
        _assert_seen(covered)


def _active() -> bytes:
    """Every kind of active or hidden content: JavaScript on opening and by name, an embedded
    file, a file-attachment annotation, a link that starts a program, additional actions,
    an XFA form."""
    pdf = _page()
    script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    pdf.Root.OpenAction = pdf.make_indirect(script)
    pdf.Root.AA = pikepdf.Dictionary(WC=script)
    attached = pdf.make_stream(b"el original sin marca", Type=pikepdf.Name.EmbeddedFile)
    spec = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Filespec,
            F=pikepdf.String("original.pdf"),
            EF=pikepdf.Dictionary(F=attached),
        )
    )
    pdf.Root.Names = pikepdf.Dictionary(
        EmbeddedFiles=pikepdf.Dictionary(Names=[pikepdf.String("original.pdf"), spec]),
        JavaScript=pikepdf.Dictionary(Names=[pikepdf.String("inicio"), script]),
    )
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[], XFA=pdf.make_stream(b"<xdp:xdp/>"))
    page = pdf.pages[0].obj
    page.AA = pikepdf.Dictionary(O=script)
    page.Annots = pikepdf.Array(
        [
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.FileAttachment,
                Rect=[10, 10, 30, 30],
                FS=spec,
            ),
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=[72, 690, 300, 720],
                A=pikepdf.Dictionary(
                    S=pikepdf.Name.GoTo,
                    D=[pdf.pages[0].obj, pikepdf.Name.Fit],
                    Next=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe")),
                ),
            ),
        ]
    )
    return _saved(pdf)


def test_attachments_scripts_and_actions_are_removed_and_noted() -> None:
    result = watermark_pdf(_active(), TEXT)
    out = result.output
    (note,) = result.notes
    assert note.startswith(REMOVED_NOTE.split("{")[0])
    for said in ("archivos adjuntos", "JavaScript", "acción al abrir", "formulario XFA"):
        assert said in note
    for kept in (b"/JavaScript", b"/EmbeddedFile", b"/FileAttachment", b"/Launch", b"/XFA"):
        assert kept not in out
    assert b"el original sin marca" not in out
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
        assert "/AA" not in pdf.pages[0].obj
    _assert_seen(out)


def test_a_plain_destination_on_opening_is_kept() -> None:
    """/OpenAction as a page destination (open at page 1, fit): no code, nothing removed."""
    pdf = _page()
    pdf.Root.OpenAction = [pdf.pages[0].obj, pikepdf.Name.Fit]
    result = watermark_pdf(_saved(pdf), TEXT)
    assert result.notes == ()
    with pikepdf.open(io.BytesIO(result.output)) as marked:
        assert "/OpenAction" in marked.Root


def _hidden_actions() -> bytes:
    """An action on opening whose /Next is an array holding itself (a loop), and a link
    whose JavaScript action names its type through a reference (/S 9 0 R)."""
    pdf = _page()
    loop = pdf.make_indirect(pikepdf.Array())
    loop.append(loop)
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.GoTo, D=[pdf.pages[0].obj, pikepdf.Name.Fit], Next=loop
    )
    script = pikepdf.Dictionary(S=pdf.make_indirect(pikepdf.Name.JavaScript), JS="app.alert(1)")
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 690, 300, 720], A=script
    )
    pdf.pages[0].obj.Annots = pikepdf.Array([pdf.make_indirect(link)])
    return _saved(pdf)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("signed", [False, True])
def test_a_looping_or_indirect_action_is_removed(signed: bool) -> None:
    """Both object models read an action alike: a /Next loop ends (counted as running code:
    removed rather than left unread) and a type given by reference is read."""
    original = really_signed(_hidden_actions()) if signed else _hidden_actions()
    result = watermark_pdf(original, TEXT)
    assert result.written_as == ("signed-update" if signed else "full-copy")
    assert "acción al abrir" in result.notes[0]
    assert "acciones que ejecutan código" in result.notes[0]
    with pikepdf.open(io.BytesIO(result.output)) as pdf:
        assert "/OpenAction" not in pdf.Root
        assert all("/A" not in annot for annot in pdf.pages[0].obj.Annots)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_the_mark_is_seen_on_a_signed_pdf_whatever_the_page_does(case: str) -> None:
    """The signed path isolates the page the same way, and puts the stamp once more as a
    watermark annotation above the others; the signature still checks out."""
    original = really_signed(HOSTILE[case]())
    result = watermark_pdf(original, TEXT)
    assert result.written_as == "signed-update"
    out = result.output
    _assert_seen(out)
    assert_watermarked(out, TEXT, original)
    verdict = signature_verdict(out)
    assert verdict.intact and verdict.valid


@pytest.mark.parametrize("name", CORPUS_PDFS)
def test_the_mark_is_seen_on_every_page_of_the_corpus_signed(name: str) -> None:
    original = really_signed((CORPUS / name).read_bytes())
    result = watermark_pdf(original, TEXT, name=name)
    assert result.written_as == "signed-update"
    _assert_seen(result.output)


def test_a_signed_pdf_loses_attachments_scripts_and_actions_in_the_new_revision() -> None:
    """The signed revision keeps them (its bytes cannot change, and the note says the unmarked
    version is inside); the revision readers open has none of them, and says so."""
    original = really_signed(_active())
    result = watermark_pdf(original, TEXT)
    assert result.written_as == "signed-update"
    removed, _signed = result.notes
    for said in ("archivos adjuntos", "JavaScript", "acción al abrir", "formulario XFA"):
        assert said in removed
    out = result.output
    with pikepdf.open(io.BytesIO(out)) as pdf:
        root = pdf.Root
        assert "/OpenAction" not in root and "/AA" not in root
        assert "/EmbeddedFiles" not in root.Names and "/JavaScript" not in root.Names
        assert "/XFA" not in root.AcroForm
        page = pdf.pages[0].obj
        assert "/AA" not in page
        kinds = [annot.Subtype for annot in page.Annots]
        assert "/FileAttachment" not in kinds and kinds[-1] == "/Watermark"
        (link,) = [annot for annot in page.Annots if annot.Subtype == "/Link"]
        assert "/A" not in link
    verdict = signature_verdict(out)
    assert verdict.intact and verdict.valid
    _assert_seen(out)
