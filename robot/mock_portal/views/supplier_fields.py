"""Fields of Registro de Proveedor and their rules (PORTAL.md 3.5), free of Flask.

``parse`` reads the posted form, ``format_errors`` is what Guardar checks (only what was
typed), ``finalize_errors`` is what Finalizar adds (everything required, and consistent).
Errors are keyed by the id of the element whose ``<id>Failure`` span shows them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from robot import refdata
from robot.portal_rules import (
    COMPANY_SIZES,
    ID_TYPES,
    MIPYME_SIZES,
    NATURAL_PERSON_TYPES,
    id_number_problem,
    nit_check_digit,
)

COUNTRIES: dict[str, str] = {
    "CO": "Colombia",
    "AR": "Argentina",
    "BR": "Brasil",
    "CL": "Chile",
    "EC": "Ecuador",
    "ES": "España",
    "US": "Estados Unidos",
    "MX": "México",
    "PA": "Panamá",
    "PE": "Perú",
    "VE": "Venezuela",
}
MIPYME_CHOICES = {"si": "Sí", "no": "No"}


@dataclass(frozen=True)
class Field:
    key: str  # key in accounts.form
    id: str  # element id and form field name
    label: str
    required: bool = False

    @property
    def error_id(self) -> str:
        return ERROR_IDS.get(self.id, self.id)


GENERAL = (
    Field("name", "txtName", "Nombre de la Entidad Estatal", True),
    Field("short_name", "txtShortName", "Nombre Abreviado", True),
    Field("nit", "txtNit", "Nit", True),
    Field("dv", "txtDv", "Dígito de verificación", True),
    Field("address", "txtAddress", "Dirección", True),
    Field("country", "selCountry", "País", True),
    Field("departamento_code", "hdnDepartamentoCode", "Departamento"),
    Field("municipio_code", "hdnMunicipioCode", "Municipio"),
    Field("city", "txtCity", "Ciudad"),
    Field("phone", "txtPhone", "Teléfono", True),
    Field("fax", "txtFax", "Fax"),
    Field("email", "txtEmail", "Correo electrónico para notificaciones SECOP", True),
    Field("website", "txtWebsite", "Sitio web"),
    Field("company_size", "selCompanySize", "Tamaño de empresa", True),
    Field("mipyme", "rdbMipyme", "¿Es MiPyme?", True),
)
LEGAL_REP = (
    Field("rep_first_name", "txtRepFirstName", "Nombres del representante legal", True),
    Field("rep_last_name", "txtRepLastName", "Apellidos del representante legal", True),
    Field("rep_id_type", "selRepIdType", "Tipo de documento del representante legal", True),
    Field("rep_id_number", "txtRepIdNumber", "Número de documento del representante legal", True),
    Field("rep_phone", "txtRepPhone", "Teléfono del representante legal", True),
    Field("rep_email", "txtRepEmail", "Correo electrónico del representante legal", True),
)
FINANCE = (
    Field("assets", "nbxAssets", "Activos totales"),
    Field("liabilities", "nbxLiabilities", "Pasivos totales"),
    Field("equity", "nbxEquity", "Patrimonio"),
    Field("revenue", "nbxRevenue", "Ingresos operacionales"),
    Field("cutoff_date", "txtCutoffDate", "Fecha de corte"),
)
ALL_FIELDS = GENERAL + LEGAL_REP + FINANCE
BY_KEY = {f.key: f for f in ALL_FIELDS}
# Hidden DANE codes show their errors next to the read-only name the user sees.
ERROR_IDS = {"hdnDepartamentoCode": "txtDepartamento", "hdnMunicipioCode": "txtMunicipio"}
UNSPSC_ERROR_ID = "tblUnspsc"

Values = dict[str, str]
Errors = dict[str, str]

_AMOUNT_RE = re.compile(r"-?\d+(?:[.,]\d{1,2})?")
_WEBSITE_RE = re.compile(r"(https?://)?[\w-]+(\.[\w-]+)+(/\S*)?", re.IGNORECASE)
_NIT_HINT = "escríbalo solo con dígitos, sin puntos, guiones ni dígito de verificación"


def parse(form: Mapping[str, str]) -> Values:
    """The posted values by form key, trimmed."""
    return {f.key: str(form.get(f.id, "")).strip() for f in ALL_FIELDS}


def is_natural(organization_type: str) -> bool:
    return organization_type in NATURAL_PERSON_TYPES


def person_type(organization_type: str) -> str:
    return "Persona natural" if is_natural(organization_type) else "Persona jurídica"


def _email_problem(value: str) -> str | None:
    try:
        validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        return "no es un correo electrónico válido (ejemplo: contacto@empresa.com.co)"
    return None


def _phone_problem(value: str, country: str) -> str | None:
    region = country if country in COUNTRIES else "CO"
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        return "no parece un número de teléfono válido (ejemplo: +57 601 5551234)"
    return None


def _nit_problem(value: str, organization_type: str) -> str | None:
    if not value.isdigit():
        return f"El Nit no es válido: {_NIT_HINT}."
    if is_natural(organization_type):
        if not 6 <= len(value) <= 10:
            return "El Nit de una persona natural es su número de cédula: de 6 a 10 dígitos."
    elif len(value) != 9:
        return f"El Nit de una persona jurídica tiene 9 dígitos; {_NIT_HINT}."
    return None


def _date_problem(value: str) -> str | None:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return "La fecha de corte no es válida: use el formato AAAA-MM-DD."
    if day > dt.date.today():
        return "La fecha de corte no puede estar en el futuro."
    return None


Check = Callable[[str, Values, str], str | None]


def _labelled(key: str, problem: str) -> str:
    return f"{BY_KEY[key].label}: {problem}"


def _choice(options: Mapping[str, str], message: str) -> Check:
    return lambda value, values, org: None if value in options else message


def _email(key: str) -> Check:
    def check(value: str, values: Values, org: str) -> str | None:
        problem = _email_problem(value)
        return _labelled(key, problem) if problem else None

    return check


def _phone(key: str) -> Check:
    def check(value: str, values: Values, org: str) -> str | None:
        problem = _phone_problem(value, values["country"])
        return _labelled(key, problem) if problem else None

    return check


def _amount(key: str, *, negative: bool = False) -> Check:
    def check(value: str, values: Values, org: str) -> str | None:
        if not _AMOUNT_RE.fullmatch(value.replace(" ", "")):
            return _labelled(key, "escriba solo el valor en pesos, con dígitos (ej. 1500000).")
        if value.startswith("-") and not negative:
            return _labelled(key, "el valor no puede ser negativo.")
        return None

    return check


def _rep_id_number(value: str, values: Values, org: str) -> str | None:
    if values["rep_id_type"] not in ID_TYPES:
        return None
    problem = id_number_problem(values["rep_id_type"], value)
    return _labelled("rep_id_number", problem) if problem else None


CHECKS: dict[str, Check] = {
    "nit": lambda value, values, org: _nit_problem(value, org),
    "dv": lambda value, values, org: (
        None
        if re.fullmatch(r"\d", value)
        else "El dígito de verificación es un solo dígito (0 a 9)."
    ),
    "country": _choice(COUNTRIES, "Seleccione un país de la lista."),
    "departamento_code": lambda value, values, org: (
        None
        if value in refdata.departamentos()
        else "Departamento desconocido: selecciónelo con la lupa."
    ),
    "municipio_code": lambda value, values, org: (
        None
        if value in refdata.municipio_by_code()
        else "Municipio desconocido: selecciónelo con la lupa."
    ),
    "phone": _phone("phone"),
    "fax": _phone("fax"),
    "email": _email("email"),
    "website": lambda value, values, org: (
        None
        if _WEBSITE_RE.fullmatch(value)
        else "Sitio web no válido (ejemplo: https://www.empresa.com.co)."
    ),
    "company_size": _choice(COMPANY_SIZES, "Seleccione un tamaño de empresa de la lista."),
    "mipyme": _choice(MIPYME_CHOICES, "Indique si la empresa es MiPyme: Sí o No."),
    "rep_id_type": _choice(ID_TYPES, "Seleccione un tipo de documento de la lista."),
    "rep_id_number": _rep_id_number,
    "rep_phone": _phone("rep_phone"),
    "rep_email": _email("rep_email"),
    "assets": _amount("assets"),
    "liabilities": _amount("liabilities"),
    "equity": _amount("equity", negative=True),
    "revenue": _amount("revenue"),
    "cutoff_date": lambda value, values, org: _date_problem(value),
}


def format_errors(values: Values, organization_type: str) -> Errors:
    """Problems in what was typed; empty fields are not checked (Guardar)."""
    errors: Errors = {}
    for key, check in CHECKS.items():
        value = values[key]
        if value and (problem := check(value, values, organization_type)):
            errors[BY_KEY[key].error_id] = problem
    return errors


def _required_keys(values: Values) -> list[str]:
    keys = [f.key for f in ALL_FIELDS if f.required]
    if values["country"] == "CO":
        keys += ["departamento_code", "municipio_code"]
    elif values["country"] in COUNTRIES:
        keys.append("city")
    if any(values[k] for k in ("assets", "liabilities", "equity", "revenue")):
        keys.append("cutoff_date")
    return keys


def finalize_errors(values: Values, organization_type: str) -> Errors:
    """Everything Finalizar needs beyond formats: required fields and their consistency."""
    errors = format_errors(values, organization_type)
    for key in _required_keys(values):
        field = BY_KEY[key]
        if not values[key] and field.error_id not in errors:
            errors[field.error_id] = f"El campo {field.label} es obligatorio."
    v = values
    checkable = v["nit"] and v["dv"] and "txtNit" not in errors and "txtDv" not in errors
    if checkable and nit_check_digit(v["nit"]) != v["dv"]:
        errors["txtDv"] = "El dígito de verificación no corresponde al Nit."
    mun = refdata.municipio_by_code().get(v["municipio_code"])
    dep_ok = v["departamento_code"] and "txtDepartamento" not in errors
    if mun and dep_ok and mun.codigo_departamento != v["departamento_code"]:
        errors["txtMunicipio"] = (
            f"El municipio {mun.nombre} no pertenece al departamento seleccionado."
        )
    if v["company_size"] in COMPANY_SIZES and v["mipyme"] in MIPYME_CHOICES:
        is_mipyme = v["company_size"] in MIPYME_SIZES
        if is_mipyme != (v["mipyme"] == "si"):
            errors["rdbMipyme"] = (
                f"¿Es MiPyme? no corresponde al tamaño {COMPANY_SIZES[v['company_size']]}."
            )
    return errors


# --- UNSPSC codes ---------------------------------------------------------------------------


def parse_unspsc(codes: list[str], principal: str) -> tuple[list[tuple[str, bool]], str | None]:
    """Known 8-digit codes in order, without repeats, each with its principal mark."""
    seen: list[str] = []
    bad: list[str] = []
    for raw in codes:
        code = raw.strip()
        if not code or code in seen:
            continue
        if re.fullmatch(r"\d{8}", code) and code in refdata.unspsc():
            seen.append(code)
        else:
            bad.append(code)
    error = None
    if bad:
        error = "Código(s) UNSPSC inexistente(s): " + ", ".join(bad) + ". Use la lupa."
    return [(c, c == principal.strip()) for c in seen], error


def unspsc_finalize_error(codes: list[tuple[str, bool]]) -> str | None:
    if not codes:
        return "Agregue al menos un código UNSPSC con la lupa y márquelo como principal."
    if not any(principal for _, principal in codes):
        return "Marque uno de los códigos UNSPSC como principal."
    return None
