"""The watermark text template: its placeholders, and the one check used by the profile field
(``watermark_text``), the ``--watermark-text`` option and :func:`robot.documents.watermark_text`.

Light on purpose (the profile loader imports it): no PDF or font library here.
"""

from __future__ import annotations

import string
from typing import Annotated

from pydantic import AfterValidator

PLACEHOLDERS = {
    "razon_social": "razón social del proveedor",
    "nit": "NIT con dígito de verificación (900123456-8)",
    "fecha": "fecha de preparación, dd/mm/aaaa",
}
MAX_LENGTH = 200  # [our design]: a longer text gets too small to read once fitted to a page
_ALLOWED = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


def template_problem(template: str) -> str | None:
    """Spanish message if ``template`` cannot be used as the watermark, else None."""
    if not template.strip():
        return "el texto de la marca de agua está vacío"
    if len(template) > MAX_LENGTH:
        return (
            f"el texto de la marca de agua tiene {len(template)} caracteres; el máximo es "
            f"{MAX_LENGTH} (más largo no se lee en la página)"
        )
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(template)
            if name is not None
        ]
    except ValueError:
        return "una llave «{» o «}» sin pareja; escriba {{ o }} para una llave literal"
    for name, spec, conversion in fields:
        if name not in PLACEHOLDERS:
            shown = f"{{{name}}}" if name else "{}"
            return f"el campo {shown} no existe; use {_ALLOWED}"
        if spec or conversion:
            return f"el campo {{{name}}} no admite formato (!r, :…); escríbalo como {{{name}}}"
    return None


def check_template(template: str) -> str:
    """Pydantic validator: the template, or a ValueError with the Spanish message."""
    problem = template_problem(template)
    if problem is not None:
        raise ValueError(problem)
    return template


WatermarkTemplate = Annotated[str, AfterValidator(check_template)]
