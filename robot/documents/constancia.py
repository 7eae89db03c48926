"""The constancia de confidencialidad: a one-page PDF, in Spanish, signed by the legal
representative, naming the confidential document it stands for.

It is uploaded in the slot of that document, in its place (PORTAL.md 3.5: "en los campos
requeridos para los documentos"); the document itself is not published."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

import pikepdf
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from robot.documents.fonts import FONT_BOLD, FONT_NAME, register_fonts
from robot.documents.model import SupplierFacts, long_date
from robot.errors import DocumentError
from robot.portal_rules import DOCUMENT_SLOTS, ID_TYPES


@dataclass(frozen=True)
class CoveredDocument:
    """One document the constancia declares confidential."""

    slot: str
    file_name: str
    pages: int
    sha256: str


def make_constancia(supplier: SupplierFacts, document: CoveredDocument, day: dt.date) -> bytes:
    """The constancia as PDF bytes; always exactly one page (the text shrinks to fit)."""
    register_fonts()
    for size in (10.5, 9.5, 8.5, 7.5, 6.5, 5.5):
        data, pages = _build(supplier, document, day, size)
        if pages == 1:
            return data
    raise DocumentError(
        f"la constancia de {document.file_name} no cabe en una página",
        hint="acorte el nombre del archivo y vuelva a intentarlo",
    )


def _build(
    supplier: SupplierFacts, document: CoveredDocument, day: dt.date, size: float
) -> tuple[bytes, int]:
    body = ParagraphStyle("body", fontName=FONT_NAME, fontSize=size, leading=size * 1.4)
    title = ParagraphStyle(
        "title", parent=body, fontName=FONT_BOLD, fontSize=size + 3.5, alignment=1
    )
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=LETTER,
        **dict.fromkeys(("leftMargin", "rightMargin", "topMargin", "bottomMargin"), 2.5 * cm),
        title="Constancia de confidencialidad",
        author=supplier.razon_social,
        subject="SECOP II - Registro de proveedor",
        invariant=1,
    )
    story = [
        Paragraph("CONSTANCIA DE CONFIDENCIALIDAD", title),
        Spacer(1, size * 2),
        Paragraph(_declaration(supplier), body),
        Spacer(1, size),
        _table(document, size),
        Spacer(1, size),
        Paragraph(
            "Solicito que este documento no se divulgue a terceros y que se use "
            "únicamente para el registro del proveedor en SECOP II.",
            body,
        ),
        Spacer(1, size),
        Paragraph(f"{escape(supplier.ciudad)}, {long_date(day)}.", body),
        Spacer(1, size * 4),
        Paragraph("_______________________________", body),
        Paragraph(escape(supplier.representante_nombre), body),
        Paragraph(f"{_id_label(supplier)}", body),
        Paragraph(f"Representante legal de {escape(supplier.razon_social)}", body),
    ]
    doc.build(story)
    data = out.getvalue()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return data, len(pdf.pages)


def _declaration(supplier: SupplierFacts) -> str:
    return (
        f"Yo, <b>{escape(supplier.representante_nombre)}</b>, identificado(a) con "
        f"{_id_label(supplier)}, en calidad de representante legal de "
        f"<b>{escape(supplier.razon_social)}</b>, NIT {escape(supplier.nit_completo)}, hago "
        "constar que el documento que se relaciona a continuación, requerido para el registro "
        "del proveedor en la plataforma SECOP II, contiene información confidencial de la "
        "empresa, protegida en los términos del artículo 18 de la Ley 1712 de 2014, de uso "
        "exclusivo de SECOP II. Por eso esta constancia se adjunta en su lugar, en la casilla "
        "que le corresponde:"
    )


def _id_label(supplier: SupplierFacts) -> str:
    kind = ID_TYPES.get(supplier.representante_tipo_id, supplier.representante_tipo_id)
    return f"{escape(kind)} n.º {escape(supplier.representante_numero)}"


def _table(doc: CoveredDocument, size: float) -> Table:
    cell = ParagraphStyle("cell", fontName=FONT_NAME, fontSize=size - 1, leading=(size - 1) * 1.25)
    head = ParagraphStyle("head", parent=cell, fontName=FONT_BOLD)
    slot = DOCUMENT_SLOTS.get(doc.slot)
    rows = [
        [Paragraph(h, head) for h in ("Documento", "Archivo", "Páginas", "SHA-256")],
        [
            Paragraph(escape(slot.label if slot else doc.slot), cell),
            Paragraph(escape(doc.file_name), cell),
            Paragraph(str(doc.pages), cell),
            Paragraph(f"{doc.sha256[:16]}…", cell),
        ],
    ]
    table = Table(rows, colWidths=[4.5 * cm, 5.0 * cm, 2.3 * cm, 4.6 * cm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, (0.5, 0.5, 0.5)),
                ("BACKGROUND", (0, 0), (-1, 0), (0.92, 0.92, 0.92)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table
