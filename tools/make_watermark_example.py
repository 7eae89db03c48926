"""Regenerate the README's picture of a watermarked page (docs/img/watermark-example.png).

    python tools/make_watermark_example.py

Marks the first page of a real-world PDF of the test corpus (``multicolumn.pdf``, CC-BY-SA-4.0,
py-pdf/sample-files) with the default watermark text for a fictitious supplier, as
``secop-robot documents`` does, and renders it with pdfium, 600 pixels wide.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOURCE = ROOT / "tests" / "data" / "pdfs" / "corpus" / "multicolumn.pdf"
TARGET = ROOT / "docs" / "img" / "watermark-example.png"
WIDTH = 600


def main() -> None:
    import pypdfium2 as pdfium

    from robot.documents.model import SupplierFacts, watermark_text
    from robot.documents.watermark import watermark_pdf

    supplier = SupplierFacts(
        razon_social="Ñandú Ingeniería S.A.S.",  # invented
        nit="901234560",
        dv="6",
        representante_nombre="Ana Peña",
        representante_tipo_id="CC",
        representante_numero="1020304050",
        ciudad="Bogotá",
    )
    text = watermark_text(supplier, dt.date(2025, 3, 14))
    marked = watermark_pdf(SOURCE.read_bytes(), text, name=SOURCE.name).output
    doc = pdfium.PdfDocument(marked)
    try:
        page = doc[0]
        image = page.render(scale=WIDTH / page.get_width()).to_pil().convert("RGB")
    finally:
        doc.close()
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    TARGET.write_bytes(out.getvalue())
    print(f"{TARGET.relative_to(ROOT)}: {image.width}×{image.height}, {len(out.getvalue())} bytes")


if __name__ == "__main__":
    main()
