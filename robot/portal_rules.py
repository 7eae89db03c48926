"""What SECOP II asks for, in one place: shared by the mock portal and profile validation.

Sources: PORTAL.md sections 3.2 (Registrar usuario), 3.4 (tipos de organización) and 3.5
(Registro de Proveedor, document slots). Labels are the portal's Spanish ones; keys are the
stable identifiers used in profiles, the mock's database and reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- Registrar usuario (PORTAL.md 3.2) ------------------------------------------------------

ID_TYPES: dict[str, str] = {
    "CC": "Cédula de Ciudadanía",
    "CE": "Cédula de Extranjería",
    "PA": "Pasaporte",
    "TI": "Tarjeta de Identidad",
}

_ID_NUMBER_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "CC": (re.compile(r"\d{6,10}"), "la cédula de ciudadanía tiene de 6 a 10 dígitos"),
    "CE": (re.compile(r"\d{6,7}"), "la cédula de extranjería tiene de 6 a 7 dígitos"),
    "PA": (
        re.compile(r"(?=.*[A-Za-z])(?=.*\d)[A-Za-z0-9]{5,20}"),
        "el pasaporte tiene letras y dígitos (5 a 20 caracteres)",
    ),
    "TI": (re.compile(r"\d{10,11}"), "la tarjeta de identidad tiene de 10 a 11 dígitos"),
}

LANGUAGES: dict[str, str] = {"es-CO": "Español (Colombia)", "en-US": "English (United States)"}
TIME_ZONES: dict[str, str] = {
    "America/Bogota": "(UTC-05:00) Bogotá, Lima, Quito",
    "America/New_York": "(UTC-05:00) Hora del Este (EE. UU. y Canadá)",
    "Europe/Madrid": "(UTC+01:00) Madrid",
}
DEFAULT_LANGUAGE = "es-CO"
DEFAULT_TIME_ZONE = "America/Bogota"

USERNAME_RE = re.compile(r"[A-Za-z0-9._-]{6,30}")
USERNAME_RULE = "de 6 a 30 caracteres: letras, dígitos, punto, guion o guion bajo"
PASSWORD_MIN_LENGTH = 8
PASSWORD_RULE = (
    "mínimo 8 caracteres, con al menos una mayúscula, una minúscula, un dígito y un símbolo"
)


def id_number_problem(id_type: str, number: str) -> str | None:
    """Spanish message if ``number`` is not a valid identification of ``id_type``, else None."""
    rule = _ID_NUMBER_RULES.get(id_type)
    if rule is None:
        return f"tipo de identificación desconocido: {id_type}"
    pattern, message = rule
    return None if pattern.fullmatch(number) else message


def password_problem(password: str) -> str | None:
    """Spanish message if the password breaks the portal's policy, else None."""
    ok = (
        len(password) >= PASSWORD_MIN_LENGTH
        and re.search(r"[A-Z]", password)
        and re.search(r"[a-z]", password)
        and re.search(r"\d", password)
        and re.search(r"[^A-Za-z0-9]", password)
    )
    return None if ok else f"la contraseña no cumple la política: {PASSWORD_RULE}"


# --- Crear o solicitar acceso a una Entidad (PORTAL.md 3.4) ---------------------------------

ORGANIZATION_TYPES: dict[str, str] = {
    "persona_natural": "Persona natural",
    "sas": "Sociedad por acciones simplificada",
    "ltda": "Sociedad de responsabilidad limitada",
    "sa": "Sociedad anónima",
    "esal": "Entidad sin ánimo de lucro",
    "consorcio": "Consorcio",
    "union_temporal": "Unión temporal",
    "extranjera": "Persona jurídica extranjera",
}
NATURAL_PERSON_TYPES = frozenset({"persona_natural"})

COMPANY_SIZES: dict[str, str] = {
    "micro": "Microempresa",
    "pequena": "Pequeña empresa",
    "mediana": "Mediana empresa",
    "grande": "Gran empresa",
}
MIPYME_SIZES = frozenset({"micro", "pequena", "mediana"})

# --- Registro de Proveedor: documents (PORTAL.md 3.5) ---------------------------------------


@dataclass(frozen=True)
class DocumentSlot:
    key: str
    label: str
    required: str  # "always" | "juridica" (persona jurídica only) | "optional"
    max_pages: int | None = None  # checked by the robot before upload; None: no limit

    def is_required(self, organization_type: str) -> bool:
        if self.required == "always":
            return True
        if self.required == "juridica":
            return organization_type not in NATURAL_PERSON_TYPES
        return False


# Page limits are [our design], not the portal's: a RUT is one or two pages (10 leaves room
# for annexes), a cédula two (front and back); certificates, financial statements and
# experience have no sensible limit. There is no constancia slot: a confidential document's
# constancia goes in the document's own slot, in its place (PORTAL.md 3.5, the seed's "en los
# campos requeridos para los documentos").
DOCUMENT_SLOTS: dict[str, DocumentSlot] = {
    s.key: s
    for s in (
        DocumentSlot("rut", "RUT (Registro Único Tributario)", "always", max_pages=10),
        DocumentSlot("existencia", "Certificado de existencia y representación legal", "juridica"),
        DocumentSlot(
            "cedula_representante", "Cédula del representante legal", "always", max_pages=2
        ),
        DocumentSlot("estados_financieros", "Estados financieros", "optional"),
        DocumentSlot("experiencia", "Certificado de experiencia", "optional"),
    )
}

UPLOAD_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
DEFAULT_MAX_UPLOAD_MB = 10
WATERMARK_TEXT = "Documento de uso exclusivo para SECOP II — {razon_social} — {fecha}"


def nit_check_digit(nit: str) -> str:
    """DIAN check digit of a NIT given without it (python-stdnum, ``stdnum.co.nit``)."""
    from stdnum.co import nit as stdnum_nit

    return str(stdnum_nit.calc_check_digit(nit))
