"""The small, frozen inputs of the document pipeline, independent of the profile models."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from robot.documents.fonts import missing_glyphs
from robot.documents.template import PLACEHOLDERS, template_problem
from robot.errors import DocumentError
from robot.portal_rules import WATERMARK_TEXT

Marking = Literal["watermark", "constancia"]
ImageOutput = Literal["image", "pdf"]

FIELDS = ", ".join(f"{{{name}}} ({meaning})" for name, meaning in PLACEHOLDERS.items())
MONTHS = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"


@dataclass(frozen=True)
class DocumentSpec:
    """One document of a profile: where it is and how it must be marked."""

    slot: str
    path: Path
    confidential: bool = False
    marking: Marking = "watermark"
    image_output: ImageOutput = "image"
    password: str | None = field(default=None, repr=False)  # never shown
    max_pages: int | None = None


@dataclass(frozen=True)
class SupplierFacts:
    """What the documents need to know about the supplier."""

    razon_social: str
    nit: str
    dv: str
    representante_nombre: str
    representante_tipo_id: str
    representante_numero: str
    ciudad: str

    @property
    def nit_completo(self) -> str:
        return f"{self.nit}-{self.dv}" if self.dv else self.nit


def long_date(day: dt.date) -> str:
    """``14 de marzo de 2025``."""
    return f"{day.day} de {MONTHS.split()[day.month - 1]} de {day.year}"


def watermark_text(supplier: SupplierFacts, day: dt.date, template: str = WATERMARK_TEXT) -> str:
    """The watermark with its placeholders filled: {razon_social}, {nit}, {fecha}."""
    problem = template_problem(template)
    if problem is not None:
        raise DocumentError(
            f"texto de la marca de agua inválido: {problem}",
            hint=f"corrija `watermark_text` en el perfil o --watermark-text; campos: {FIELDS}",
        )
    text = template.format(
        razon_social=supplier.razon_social,
        nit=supplier.nit_completo,
        fecha=day.strftime("%d/%m/%Y"),
    )
    missing = missing_glyphs(text)
    if missing:
        raise DocumentError(
            f"la marca de agua «{text}» tiene caracteres que la fuente no puede dibujar: "
            + " ".join(missing),
            hint="quite esos caracteres del texto de la marca de agua (o de la razón social)",
        )
    return text
