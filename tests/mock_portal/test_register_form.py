"""Registrar usuario (PORTAL.md 3.2): fields, every validation rule, success and its mail."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.portal import PortalProcess
from tests.mock_portal.web_client import PASSWORD, WebClient, new_user, tag

REGISTER = "/STS/Users/Register/Index"
FIELDS = [
    ("Nombre(s)", "txtFirstName", True),
    ("Apellido(s)", "txtLastName", True),
    ("Tipo de identificación", "selIdType", True),
    ("Número de identificación", "txtIdNumber", True),
    ("Correo electrónico", "txtEmail", True),
    ("Confirmar correo electrónico", "txtEmailConfirm", True),
    ("Teléfono", "txtPhone", True),
    ("Cargo", "txtPosition", False),
    ("Idioma", "selLanguage", False),
    ("Zona horaria", "selTimeZone", False),
    ("Nombre de usuario", "txtUserName", True),
    ("Contraseña", "txtPassword", True),
    ("Confirmar contraseña", "txtPasswordConfirm", True),
    ("Acepto los términos y condiciones de uso", "chkTerms", True),
    ("Autorizo el tratamiento de mis datos personales", "chkDataPolicy", True),
]


def valid_form(t: str) -> dict[str, str]:
    email = f"t+{t}@proveedores.test"
    return {
        "txtFirstName": "María José",
        "txtLastName": "Pérez Gómez",
        "selIdType": "CC",
        "txtIdNumber": "52123456",
        "txtEmail": email,
        "txtEmailConfirm": email,
        "txtPhone": "+57 601 5551234",
        "txtPosition": "Gerente",
        "selLanguage": "es-CO",
        "selTimeZone": "America/Bogota",
        "txtUserName": f"mjperez_{t}",
        "txtPassword": PASSWORD,
        "txtPasswordConfirm": PASSWORD,
        "chkTerms": "1",
        "chkDataPolicy": "1",
    }


def test_every_field_has_its_label_id_and_asterisk(portal: PortalProcess) -> None:
    page = WebClient(portal.url).get(REGISTER)
    assert page.status == 200
    for label, field_id, required in FIELDS:
        tag_ = page.soup.find("label", attrs={"for": field_id})
        assert tag_ is not None, field_id
        assert tag_.get_text(" ", strip=True).removesuffix(" *") == label
        assert bool(tag_.select(".RequiredField")) is required, field_id
        assert page.visible_error(field_id) == ""
    assert page.value("selLanguage") == "es-CO"
    assert page.value("selTimeZone") == "America/Bogota"
    button = page.soup.find(id="btnRegister")
    assert button is not None
    assert button.get_text(strip=True) == "Registrar"


CASES = [
    ("txtFirstName", "", "obligatorio"),
    ("txtLastName", "", "obligatorio"),
    ("selIdType", "", "obligatorio"),
    ("selIdType", "XX", "Seleccione una opción"),
    ("txtIdNumber", "", "obligatorio"),
    ("txtIdNumber", "12345", "6 a 10 dígitos"),
    ("txtIdNumber", "52A23456", "6 a 10 dígitos"),
    ("txtEmail", "", "obligatorio"),
    ("txtEmail", "no-es-un-correo", "correo electrónico válido"),
    ("txtEmailConfirm", "", "obligatorio"),
    ("txtEmailConfirm", "otro@proveedores.test", "no coinciden"),
    ("txtPhone", "", "obligatorio"),
    ("selLanguage", "fr-FR", "Seleccione una opción"),
    ("selTimeZone", "Mars/Base", "Seleccione una opción"),
    ("txtUserName", "", "obligatorio"),
    ("txtUserName", "abc", "6 a 30 caracteres"),
    ("txtUserName", "con espacio", "6 a 30 caracteres"),
    ("txtPassword", "", "obligatorio"),
    ("txtPassword", "Co#1abc", "mínimo 8 caracteres"),
    ("txtPassword", "sinmayuscula#1", "mínimo 8 caracteres"),
    ("txtPassword", "SINMINUSCULA#1", "mínimo 8 caracteres"),
    ("txtPassword", "SinDigitos#!", "mínimo 8 caracteres"),
    ("txtPassword", "SinSimbolo123", "mínimo 8 caracteres"),
    ("txtPasswordConfirm", "", "obligatorio"),
    ("txtPasswordConfirm", "Otra#Clave2026", "no coinciden"),
    ("chkTerms", None, "términos y condiciones"),
    ("chkDataPolicy", None, "tratamiento de sus datos"),
]


@pytest.mark.parametrize(("field_id", "value", "message"), CASES)
def test_each_rule_shows_its_error_next_to_the_field(
    portal: PortalProcess, field_id: str, value: str | None, message: str
) -> None:
    t = tag()
    data = valid_form(t)
    if value is None:
        del data[field_id]
    else:
        data[field_id] = value
        # the confirmation follows, so that only the rule under test is broken
        confirm = {"txtEmail": "txtEmailConfirm", "txtPassword": "txtPasswordConfirm"}
        if field_id in confirm and value:
            data[confirm[field_id]] = value
    client = WebClient(portal.url)
    client.get(REGISTER)
    page = client.submit(data, button="btnRegister")
    assert page.status == 400
    assert message in page.visible_error(field_id)
    assert list(page.visible_errors()) == [field_id]
    assert "Corrija los campos marcados: 1 error(es)." in page.text()
    # what was typed is kept, never the passwords
    kept = "txtLastName" if field_id == "txtFirstName" else "txtFirstName"
    assert page.value(kept) == data[kept]
    assert page.value("txtPassword") == ""
    assert page.value("txtPasswordConfirm") == ""
    assert not [u for u in portal.state()["users"] if u["username"] == data["txtUserName"]]


@pytest.mark.parametrize(
    ("id_type", "number", "ok"),
    [
        ("CE", "1234567", True),
        ("CE", "12345678", False),
        ("PA", "AB123456", True),
        ("PA", "ABCDEFG", False),
    ],
)
def test_id_number_rule_depends_on_the_type(
    portal: PortalProcess, id_type: str, number: str, ok: bool
) -> None:
    data = valid_form(tag()) | {"selIdType": id_type, "txtIdNumber": number}
    client = WebClient(portal.url)
    client.get(REGISTER)
    page = client.submit(data, button="btnRegister")
    assert page.status == (200 if ok else 400)
    assert ("/STS/Users/Register/Sent" in page.url) is ok
    if not ok:
        assert list(page.visible_errors()) == ["txtIdNumber"]


def test_empty_form_lists_every_required_field(portal: PortalProcess) -> None:
    client = WebClient(portal.url)
    client.get(REGISTER)
    page = client.submit({}, button="btnRegister")
    required = {field_id for _, field_id, req in FIELDS if req}
    assert set(page.visible_errors()) == required


@pytest.mark.parametrize("field_id", ["txtUserName", "txtEmail"])
def test_user_name_and_email_are_unique_ignoring_case(portal: PortalProcess, field_id: str) -> None:
    _, username, email = new_user(portal)
    data = valid_form(tag())
    taken = {"txtUserName": username.upper(), "txtEmail": email.upper()}[field_id]
    data[field_id] = taken
    if field_id == "txtEmail":
        data["txtEmailConfirm"] = taken
    client = WebClient(portal.url)
    client.get(REGISTER)
    page = client.submit(data, button="btnRegister")
    assert page.status == 400
    assert list(page.visible_errors()) == [field_id]
    assert "Ya existe" in page.visible_error(field_id) or "ya está en uso" in page.visible_error(
        field_id
    )


def test_success_creates_an_unconfirmed_user_and_mails_the_activation_link(
    portal: PortalProcess,
) -> None:
    t = tag()
    data = valid_form(t)
    client = WebClient(portal.url)
    client.get(REGISTER)
    page = client.submit(data, button="btnRegister")
    assert page.status == 200
    assert page.url.startswith(portal.url + "/STS/Users/Register/Sent")  # post-redirect-get
    assert (
        f"Se ha enviado un correo electrónico a {data['txtEmail']} para activar su usuario"
        in page.text()
    )
    assert "Reenviar correo" in page.text()
    client.get(page.url)  # a refresh registers nothing twice
    users = [u for u in portal.state()["users"] if u["username"] == data["txtUserName"]]
    assert len(users) == 1
    assert users[0]["status"] == "unconfirmed"
    assert users[0]["email"] == data["txtEmail"]
    assert (users[0]["language"], users[0]["time_zone"]) == ("es-CO", "America/Bogota")
    assert "password_hash" not in users[0]
    hashed = portal.store().user(users[0]["id"])
    assert hashed is not None
    assert hashed["password_hash"].startswith("pbkdf2:sha256:30000$")
    [mail] = portal.wait_for_mail(
        to=data["txtEmail"], subject="SECOP II - Confirmación de registro de usuario"
    )
    assert re.search(r"/STS/Users/Register/Confirm\?token=[\w-]+", mail.text)
    assert mail.html and "María José Pérez Gómez" in mail.text
