"""Field types of the profile format: each checks one value and says what is wrong in Spanish.

Checks that need two fields (a municipio inside its departamento, an ID number for its ID type)
live in ``checks.py``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, Field, GetJsonSchemaHandler, StringConstraints
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from robot import portal_rules, refdata, secrets
from robot.errors import CONTROL_CHARACTERS


@dataclass(frozen=True)
class SchemaHint:
    """Extra JSON Schema keywords for editors; validation stays in Python (Spanish messages).

    The hints must never be stricter than the validators: a value the loader accepts must
    not be underlined by an editor. (Kept as JSON text: type metadata must be hashable.)
    """

    extra_json: str

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema.update(json.loads(self.extra_json))
        return schema


def hint(**extra: Any) -> SchemaHint:
    return SchemaHint(json.dumps(extra))


# Numbers written where text is expected are converted to text (``id_number: 79123456``).
NUMBER_AS_TEXT = hint(type=["string", "integer"])


def control_problem(value: Any) -> str | None:
    """Spanish message if a text (or a text of a list) holds a control character, else None."""
    if isinstance(value, str):
        match = CONTROL_CHARACTERS.search(value.strip(" \t\n\r\v\f"))
        if match is not None:
            code = ord(match.group())
            return f"contiene un carácter de control o no imprimible (U+{code:04X}); quítelo"
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            problem = control_problem(item) if isinstance(item, str) else None
            if problem is not None:
                return f"el elemento [{index}] {problem}"
    return None


# Characters that show nothing, or change how the text around them is shown, beyond the
# control characters (robot.errors.CONTROL_CHARACTERS): format characters (Unicode category
# Cf: zero-width space and joiners, the Arabic letter mark, word joiner, soft hyphen, BOM,
# tags) and the blank letters and marks (fillers, variation selectors, grapheme joiner). A
# name holding one looks like another name and is not the same text.
_INVISIBLE_MARKS = frozenset(
    {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164, 0xFFA0}
    | set(range(0xFE00, 0xFE10))  # variation selectors
)


def invisible_problem(value: str) -> str | None:
    """Spanish message if the text holds an invisible or direction-changing character."""
    for char in value:
        if unicodedata.category(char) == "Cf" or ord(char) in _INVISIBLE_MARKS:
            return (
                f"contiene un carácter invisible o que cambia la dirección del texto "
                f"(U+{ord(char):04X}); quítelo"
            )
    return None


def check_visible(value: str) -> str:
    problem = invisible_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(check_visible),
    NUMBER_AS_TEXT,
]


# --- identifiers: ASCII only ------------------------------------------------------------------


def ascii_problem(value: str, expected: str) -> str | None:
    """Spanish message if an identifier holds a character that is not ASCII, else None.

    NFKC tells what a character looks like: a full-width or Arabic-Indic digit looks like a
    digit and is told so, never silently converted (the same NIT written with look-alike
    digits would otherwise pass the check for a NIT used twice). ``expected`` says what to
    write instead.
    """
    for char in value:
        if char.isascii():
            continue
        code = f"U+{ord(char):04X}"
        looks = unicodedata.normalize("NFKC", char)
        if unicodedata.category(char) == "Nd" or (looks.isascii() and looks.isdigit()):
            return (
                f"contiene un carácter que parece un dígito pero no lo es ({code}); "
                f"escriba {expected} con los dígitos 0-9 del teclado"
            )
        if looks.isascii() and looks.isspace():
            return f"contiene un espacio especial ({code}); use un espacio normal"
        return f"contiene un carácter no permitido ({code}); escriba {expected}"
    return None


def check_id_number(value: str) -> str:
    problem = ascii_problem(value, "el número")
    if problem is not None:
        raise ValueError(problem)
    return value


IdNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(check_id_number),
    NUMBER_AS_TEXT,
]


def one_of(options: Mapping[str, object]) -> Callable[[str], str]:
    """A validator: the text must be one of the keys of ``options``."""

    def check(value: str) -> str:
        if value not in options:
            raise ValueError(f"valor no permitido «{value}»; use uno de: {', '.join(options)}")
        return value

    return check


def choice_of(options: Mapping[str, object]) -> Any:
    """Annotated text restricted to the keys of ``options`` (listed as an enum in the schema)."""
    return Field(json_schema_extra={"enum": list(options)})


IdType = Annotated[
    str, AfterValidator(one_of(portal_rules.ID_TYPES)), choice_of(portal_rules.ID_TYPES)
]
Language = Annotated[
    str, AfterValidator(one_of(portal_rules.LANGUAGES)), choice_of(portal_rules.LANGUAGES)
]
TimeZone = Annotated[
    str, AfterValidator(one_of(portal_rules.TIME_ZONES)), choice_of(portal_rules.TIME_ZONES)
]
OrganizationType = Annotated[
    str,
    AfterValidator(one_of(portal_rules.ORGANIZATION_TYPES)),
    choice_of(portal_rules.ORGANIZATION_TYPES),
]
CompanySize = Annotated[
    str,
    AfterValidator(one_of(portal_rules.COMPANY_SIZES)),
    choice_of(portal_rules.COMPANY_SIZES),
]
NO_CONSTANCIA_SLOT = (
    "la casilla «constancia» ya no existe: la constancia de confidencialidad va en la casilla "
    "del documento que reemplaza; ponga confidential: true y marking: constancia en ese "
    "documento (secop-robot genera la constancia) y quite esta entrada"
)


def _check_slot(value: str) -> str:
    if value == "constancia":
        raise ValueError(NO_CONSTANCIA_SLOT)
    return one_of(portal_rules.DOCUMENT_SLOTS)(value)


Slot = Annotated[str, AfterValidator(_check_slot), choice_of(portal_rules.DOCUMENT_SLOTS)]


# --- NIT ------------------------------------------------------------------------------------

_NIT_RE = re.compile(r"([0-9]{5,15})-([0-9])")


def check_nit(value: str) -> str:
    """``900.123.456-8`` -> ``900123456-8``; the check digit must match (DIAN). ASCII only."""
    problem = ascii_problem(value, "el NIT")
    if problem is not None:
        raise ValueError(problem)
    compact = re.sub(r"[ \t.]", "", value)
    match = _NIT_RE.fullmatch(compact)
    if match is None:
        if compact.isdigit():
            raise ValueError(
                "escriba el NIT con guion y dígito de verificación, p. ej. 900123456-8"
            )
        raise ValueError("NIT no válido: use dígitos, guion y dígito de verificación (900123456-8)")
    number, digit = match.groups()
    expected = portal_rules.nit_check_digit(number)
    if digit != expected:
        raise ValueError(f"el dígito de verificación no corresponde (esperado {expected})")
    return f"{number}-{digit}"


Nit = Annotated[str, AfterValidator(check_nit), hint(pattern=r"^[0-9.\s]+-[0-9.\s]+$")]


# --- e-mail and phone -----------------------------------------------------------------------


def check_email(value: str) -> str:
    try:
        # test_environment admits the special-use domain .test of the mock mail stack.
        result = validate_email(value.strip(), check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        raise ValueError(
            "correo electrónico no válido; debe tener la forma usuario@dominio.com.co"
        ) from None
    return result.normalized


Email = Annotated[str, AfterValidator(check_email)]


def check_phone(value: str) -> str:
    """A Colombian number (mobile 3xx or landline 60x) or a foreign one with +country code."""
    message = (
        "número de teléfono no válido; en Colombia: celular 3xx xxx xxxx o fijo 60x xxx xxxx; "
        "de otro país, con + e indicativo"
    )
    problem = ascii_problem(value, "el teléfono")
    if problem is not None:  # phonenumbers would read look-alike digits as digits
        raise ValueError(problem)
    try:
        number = phonenumbers.parse(value, "CO")
    except phonenumbers.NumberParseException:
        raise ValueError(message) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(message)
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


Phone = Annotated[str, AfterValidator(check_phone), NUMBER_AS_TEXT]


# --- country, places, UNSPSC ----------------------------------------------------------------


def check_country(value: str) -> str:
    code = value.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(
            f"país «{value}» desconocido; use el código ISO de dos letras (CO, US, ES…)"
        )
    return code


Country = Annotated[str, AfterValidator(check_country)]


def check_departamento(value: str) -> str:
    if refdata.find_departamento(value) is None:
        raise ValueError(f"el departamento «{value}» no existe en la DIVIPOLA del DANE")
    return value


Departamento = Annotated[str, AfterValidator(check_departamento)]


def check_unspsc(value: str) -> str:
    code = value.strip()
    if not re.fullmatch(r"\d{8}", code):
        raise ValueError(f"el código UNSPSC «{value}» debe tener 8 dígitos")
    if code not in refdata.unspsc():
        raise ValueError(
            f"el código UNSPSC {code} no existe en el Clasificador de Bienes y Servicios v14.1"
        )
    return code


Unspsc = Annotated[
    str,
    AfterValidator(check_unspsc),
    hint(
        type=["string", "integer"],
        pattern=r"^\s*[0-9]{8}\s*$",
        minimum=10_000_000,
        maximum=99_999_999,
    ),
]


# --- users, secrets, web ----------------------------------------------------------------------


def check_username(value: str) -> str:
    if not portal_rules.USERNAME_RE.fullmatch(value):
        raise ValueError(f"nombre de usuario no válido: {portal_rules.USERNAME_RULE}")
    return value


Username = Annotated[
    str,
    AfterValidator(check_username),
    hint(type=["string", "integer"], pattern=r"^[A-Za-z0-9._-]{6,30}$", minimum=100_000),
]


def check_secret(value: str) -> str:
    problem = secrets.reference_problem(value)
    if problem is not None:
        raise ValueError(problem)
    if not value.strip():
        raise ValueError("no puede estar vacío")
    return value.strip() if secrets.looks_like_reference(value) else value


# ${NAME}, file:path, or (only with allow_literal_secrets) any other non-empty text.
SECRET_PATTERN = r"^\s*(?:\$\{[A-Za-z_][A-Za-z0-9_]*\}|file:\s*\S.*|(?!file:)[^\s$].*)$"
Secret = Annotated[str, AfterValidator(check_secret), hint(pattern=SECRET_PATTERN)]


def check_url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", value.strip()):
        raise ValueError("dirección web no válida; debe empezar por https:// o http://")
    return value.strip()


Url = Annotated[str, AfterValidator(check_url)]


# --- consents of the Registrar usuario form (PORTAL.md 3.2) ----------------------------------

CONSENT_MESSAGES = {
    "accept_terms": "la persona debe aceptar los términos y condiciones de uso del SECOP II; "
    "sin su aceptación no se puede registrar: escriba accept_terms: true cuando la persona "
    "los haya aceptado",
    "data_policy_consent": "la persona debe autorizar el tratamiento de sus datos personales "
    "(Ley 1581 de 2012); sin su autorización no se puede registrar: escriba "
    "data_policy_consent: true cuando la persona lo haya autorizado",
}


def consent(name: str, description: str) -> Any:
    """A required ``true``: the person's own consent, never a default, never ``yes`` or ``1``."""
    assert name in CONSENT_MESSAGES
    return Field(description=description, strict=True, json_schema_extra={"const": True})
