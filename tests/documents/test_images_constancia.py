"""Image watermarks, image-to-PDF, and the constancia de confidencialidad."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

import pikepdf
import pytest
from PIL import Image

from robot.documents.constancia import CoveredDocument, make_constancia
from robot.documents.images import image_to_watermarked_pdf, watermark_image
from robot.documents.model import SupplierFacts
from robot.documents.preview import image_preview, pdf_preview
from robot.documents.watermark import watermark_pdf
from tests.documents.pdfcheck import assert_opens_cleanly, assert_watermarked, page_texts, squash
from tests.fixtures.documents import CORPUS

TEXT = "Documento de uso exclusivo para SECOP II — Ñandú S.A.S. — 14/03/2025"
SUPPLIER = SupplierFacts(
    razon_social="Ñandú Ingeniería S.A.S.",
    nit="900123456",
    dv="8",
    representante_nombre="María José Peña Álvarez",
    representante_tipo_id="CC",
    representante_numero="52123456",
    ciudad="Bogotá, D.C.",
)


def _pixels_changed(before: Image.Image, after: Image.Image) -> float:
    a, b = before.convert("RGB").tobytes(), after.convert("RGB").tobytes()
    return sum(x != y for x, y in zip(a, b, strict=True)) / len(a)


@pytest.mark.parametrize(("name", "fmt"), [("smile.jpg", "jpeg"), ("image.png", "png")])
def test_image_watermark_keeps_format_and_size(name: str, fmt: str) -> None:
    data = (CORPUS / name).read_bytes()
    out = watermark_image(data, TEXT, fmt)  # type: ignore[arg-type]
    with Image.open(io.BytesIO(data)) as before, Image.open(io.BytesIO(out)) as after:
        assert after.format == fmt.upper()
        assert after.size == before.size
        assert _pixels_changed(before, after) > 0


def _changed(before: Image.Image, after: Image.Image, cx: float, cy: float) -> float:
    w, h = before.size
    box = (
        int(w * cx) - w // 16,
        int(h * cy) - h // 16,
        int(w * cx) + w // 16,
        int(h * cy) + h // 16,
    )
    return _pixels_changed(before.crop(box), after.crop(box))


def test_image_watermark_runs_along_the_rising_diagonal() -> None:
    blank = Image.new("RGB", (1600, 1000), "white")
    buffer = io.BytesIO()
    blank.save(buffer, "PNG")
    out = watermark_image(buffer.getvalue(), TEXT, "png")
    with Image.open(io.BytesIO(out)) as after:
        # image rows grow downwards: the rising diagonal goes through (0.3, 0.7) and (0.7, 0.3)
        for cx, cy in ((0.5, 0.5), (0.3, 0.7), (0.7, 0.3)):
            assert _changed(blank, after, cx, cy) > 0.02, (cx, cy)
        for cx, cy in ((0.3, 0.3), (0.7, 0.7), (0.05, 0.05), (0.95, 0.95)):
            assert _changed(blank, after, cx, cy) == 0, (cx, cy)


def test_exif_rotated_jpeg_is_marked_as_displayed() -> None:
    image = Image.new("RGB", (400, 200), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # displayed turned 90°: 200 wide, 400 high
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    out = watermark_image(buffer.getvalue(), TEXT, "jpeg")
    with Image.open(io.BytesIO(out)) as marked:
        assert marked.size == (200, 400)
        assert marked.getexif().get(0x0112) in (None, 1)


@pytest.mark.parametrize("name", ["smile.jpg", "image.png"])
def test_image_to_watermarked_pdf_has_extractable_upright_text(name: str) -> None:
    out = image_to_watermarked_pdf((CORPUS / name).read_bytes(), TEXT)
    assert assert_watermarked(out, TEXT) == 1


def test_image_to_pdf_without_text_only_converts() -> None:
    out = image_to_watermarked_pdf((CORPUS / "image.png").read_bytes(), None)
    assert_opens_cleanly(out)
    assert "SECOP" not in page_texts(out)[0]


def test_constancia_is_one_spanish_page_with_the_facts() -> None:
    doc = CoveredDocument("estados_financieros", "estados_financieros-2024.pdf", 12, "ab" * 32)
    data = make_constancia(SUPPLIER, doc, dt.date(2025, 3, 14))
    assert_opens_cleanly(data)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 1
    text = page_texts(data)[0]
    for expected in (
        "CONSTANCIA DE CONFIDENCIALIDAD",
        "María José Peña Álvarez",
        "Cédula de Ciudadanía n.º 52123456",
        "Ñandú Ingeniería S.A.S.",
        "NIT 900123456-8",
        "Estados financieros",
        "estados_financieros-2024.pdf",
        "abababababababab",
        "Bogotá, D.C., 14 de marzo de 2025",
        "uso exclusivo de SECOP II",
    ):
        assert squash(expected) in text, expected


def test_constancia_with_long_names_still_fits_one_page() -> None:
    """The text shrinks until it fits: every name as long as a profile allows (300
    characters; the representative's two) takes two pages at the first size."""
    long = ("Ingeniería y Obras Civiles " * 12)[:300]
    supplier = replace(
        SUPPLIER, razon_social=long, representante_nombre=f"{long} {long}", ciudad=long
    )
    name = ("contrato de obra " * 20)[:250] + ".pdf"
    day = dt.date(2025, 3, 14)
    data = make_constancia(supplier, CoveredDocument("experiencia", name, 3, "ef" * 32), day)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 1
    assert squash(name[-20:]) in page_texts(data)[0]


def _reddened(before: Image.Image, after: Image.Image) -> list[tuple[int, int]]:
    """Pixels the watermark turned towards its red: redder than blue and green, and changed."""
    width = before.width
    old, new = before.convert("RGB"), after.convert("RGB")
    return [
        (index % width, index // width)
        for index, (a, b) in enumerate(
            zip(old.get_flattened_data(), new.get_flattened_data(), strict=True)
        )
        if a != b and b[0] > b[1] and b[0] > b[2]
    ]


@pytest.mark.parametrize("kind", ["pdf", "image"])
def test_the_preview_shows_the_watermark(kind: str) -> None:
    """The thumbnail of a marked document shows red along the rising diagonal, and nowhere
    near the other corners (rows grow downwards: bottom-left to top-right)."""
    if kind == "pdf":
        original = (CORPUS / "minimal-document.pdf").read_bytes()
        before, after = pdf_preview(original), pdf_preview(watermark_pdf(original, TEXT).output)
    else:
        blank = io.BytesIO()
        Image.new("RGB", (1200, 1600), "white").save(blank, "PNG")
        marked = watermark_image(blank.getvalue(), TEXT, "png")
        before, after = image_preview(blank.getvalue()), image_preview(marked)
    with Image.open(io.BytesIO(before)) as old, Image.open(io.BytesIO(after)) as new:
        assert new.width == 320
        red = _reddened(old, new)
        width, height = new.size
    assert len(red) > 300, "the watermark does not show in the preview"
    xs, ys = sorted(x for x, _ in red), sorted(y for _, y in red)
    centre = (xs[len(xs) // 2] / width, ys[len(ys) // 2] / height)
    assert abs(centre[0] - 0.5) < 0.1 and abs(centre[1] - 0.5) < 0.1, centre
    for x, y in red:  # on the rising diagonal: x / width + y / height close to 1
        assert abs(x / width + y / height - 1) < 0.35, (x, y)


def test_a_preview_is_bounded_in_pixels_whatever_the_page_size() -> None:
    """A page 3 points wide and 14,400 high (the extremes PDF allows) would be rendered 1.5
    million pixels high at the preview's 320 pixels wide: it is bounded to 4 × 320."""
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(3, 14400))
        buffer = io.BytesIO()
        pdf.save(buffer)
    with Image.open(io.BytesIO(pdf_preview(buffer.getvalue()))) as image:
        assert image.height <= 4 * 320
        assert image.width <= 320
