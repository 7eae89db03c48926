"""The personal fields of Registrar usuario (PORTAL.md 3.2), shared with the admin's Crear.

Each field is (form id, Spanish label); ``validate`` returns Spanish messages by field id.
"""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from werkzeug.datastructures import MultiDict
from werkzeug.security import generate_password_hash

from robot.mock_portal.store import Store
from robot.portal_rules import (
    DEFAULT_LANGUAGE,
    DEFAULT_TIME_ZONE,
    ID_TYPES,
    LANGUAGES,
    TIME_ZONES,
    USERNAME_RE,
    USERNAME_RULE,
    id_number_problem,
    password_problem,
)

PASSWORD_HASH_METHOD = "pbkdf2:sha256:30000"
REQUIRED = "Este campo es obligatorio."
EMAIL_TAKEN = "Ya existe un usuario registrado con este correo electrónico."
USERNAME_TAKEN = "Este nombre de usuario ya está en uso. Elija otro."

# form id -> users column, for the fields kept as typed
TEXT_FIELDS = {
    "txtFirstName": "first_name",
    "txtLastName": "last_name",
    "txtIdNumber": "id_number",
    "txtEmail": "email",
    "txtPhone": "phone",
    "txtPosition": "position",
    "txtUserName": "username",
}
SELECT_FIELDS = {"selIdType": "id_type", "selLanguage": "language", "selTimeZone": "time_zone"}
DEFAULTS = {"selLanguage": DEFAULT_LANGUAGE, "selTimeZone": DEFAULT_TIME_ZONE}
OPTIONAL = frozenset({"txtPosition"})


@dataclass
class UserForm:
    """What was typed (never the passwords) and the errors found, by field id."""

    values: dict[str, str]
    errors: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.errors


def options() -> dict[str, list[tuple[str, str]]]:
    """Choices of the three selects, for the templates."""
    return {
        "selIdType": list(ID_TYPES.items()),
        "selLanguage": list(LANGUAGES.items()),
        "selTimeZone": list(TIME_ZONES.items()),
    }


def empty_form() -> UserForm:
    values = dict.fromkeys([*TEXT_FIELDS, "txtEmailConfirm", *SELECT_FIELDS], "")
    values.update(DEFAULTS)
    return UserForm(values, {})


def read_personal(form: MultiDict[str, str], store: Store) -> UserForm:
    """Read and check every personal field (no password, no consent checkboxes)."""
    values = {key: form.get(key, "").strip() for key in [*TEXT_FIELDS, "txtEmailConfirm"]}
    values.update({key: form.get(key, "").strip() for key in SELECT_FIELDS})
    errors: dict[str, str] = {}
    for key, value in values.items():
        if not value and key not in OPTIONAL and key not in DEFAULTS:
            errors[key] = REQUIRED
    _check_choices(values, errors)
    _check_id_number(values, errors)
    _check_email(values, errors, store)
    _check_username(values, errors, store)
    return UserForm(values, errors)


def read_passwords(form: MultiDict[str, str], errors: dict[str, str]) -> str:
    """Check Contraseña and Confirmar contraseña; returns the password (kept out of values)."""
    password = form.get("txtPassword", "")
    confirm = form.get("txtPasswordConfirm", "")
    if not password:
        errors["txtPassword"] = REQUIRED
    elif problem := password_problem(password):
        errors["txtPassword"] = _sentence(problem)
    if not confirm:
        errors["txtPasswordConfirm"] = REQUIRED
    elif password and confirm != password:
        errors["txtPasswordConfirm"] = "Las contraseñas no coinciden."
    return password


def taken_errors(values: dict[str, str], store: Store) -> dict[str, str]:
    """After an insert lost a race (UNIQUE failed): which field another user took meanwhile."""
    errors = {}
    if store.user_by_email(values["txtEmail"]) is not None:
        errors["txtEmail"] = EMAIL_TAKEN
    if store.user_by_username(values["txtUserName"]) is not None:
        errors["txtUserName"] = USERNAME_TAKEN
    return errors or {"txtUserName": USERNAME_TAKEN}


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_HASH_METHOD)


def user_columns(values: dict[str, str]) -> dict[str, str]:
    """The users-table columns of a checked form."""
    row = {column: values[key] for key, column in TEXT_FIELDS.items()}
    row.update({column: values[key] for key, column in SELECT_FIELDS.items()})
    return row


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _check_choices(values: dict[str, str], errors: dict[str, str]) -> None:
    for key, choices in (
        ("selIdType", ID_TYPES),
        ("selLanguage", LANGUAGES),
        ("selTimeZone", TIME_ZONES),
    ):
        if key in DEFAULTS and not values[key]:
            values[key] = DEFAULTS[key]
        if values[key] and values[key] not in choices:
            errors[key] = "Seleccione una opción de la lista."


def _check_id_number(values: dict[str, str], errors: dict[str, str]) -> None:
    number, id_type = values["txtIdNumber"], values["selIdType"]
    if number and id_type in ID_TYPES and (problem := id_number_problem(id_type, number)):
        errors["txtIdNumber"] = "Número de identificación no válido: " + problem + "."


def _check_email(values: dict[str, str], errors: dict[str, str], store: Store) -> None:
    email = typed = values["txtEmail"]
    if email:
        try:
            # test_environment: the mock's mailboxes live under the reserved .test domain
            email = validate_email(
                email, check_deliverability=False, test_environment=True
            ).normalized
        except EmailNotValidError:
            errors["txtEmail"] = (
                "Escriba un correo electrónico válido, por ejemplo nombre@empresa.com.co."
            )
        else:
            values["txtEmail"] = email
            if store.user_by_email(email) is not None:
                errors["txtEmail"] = EMAIL_TAKEN
    confirm = values["txtEmailConfirm"]
    if confirm and typed and confirm.casefold() != typed.casefold():
        errors["txtEmailConfirm"] = "Los correos electrónicos no coinciden."


def _check_username(values: dict[str, str], errors: dict[str, str], store: Store) -> None:
    username = values["txtUserName"]
    if not username:
        return
    if not USERNAME_RE.fullmatch(username):
        errors["txtUserName"] = f"Nombre de usuario no válido: {USERNAME_RULE}."
    elif store.user_by_username(username) is not None:
        errors["txtUserName"] = USERNAME_TAKEN
