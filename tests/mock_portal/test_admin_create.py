"""Crear (PORTAL.md 3.6): the administrator creates a user, who picks a password from the mail."""

from __future__ import annotations

from tests.fixtures.portal import PortalProcess
from tests.mock_portal.web_client import (
    PASSWORD,
    WebClient,
    mail_link,
    new_user,
    seeded_account,
    state_of,
    tag,
)

CREATED = "SECOP II - Se ha creado su usuario"


def _create_form(portal: PortalProcess) -> tuple[WebClient, int]:
    account = seeded_account(portal)
    client = WebClient(portal.url)
    desk = client.login(account.admin_username)
    users = client.get(desk.link("Administración de usuarios"))
    page = client.get(users.link("Crear"))
    assert page.status == 200
    assert page.soup.find(id="txtPassword") is None  # the admin never sets a password
    return client, account.id


def _fields(t: str, **over: str) -> dict[str, str]:
    email = f"t+{t}@proveedores.test"
    return {
        "txtFirstName": "Carlos",
        "txtLastName": "Díaz",
        "selIdType": "CC",
        "txtIdNumber": "79111222",
        "txtEmail": email,
        "txtEmailConfirm": email,
        "txtPhone": "3109998877",
        "txtUserName": f"cdiaz_{t}",
        **over,
    }


def test_created_user_is_accepted_and_chooses_a_password_from_the_mail(
    portal: PortalProcess,
) -> None:
    client, account_id = _create_form(portal)
    t = tag()
    data = _fields(t)
    page = client.submit(data, button="btnCreate")
    assert "/CO1Marketplace/Users/Admin/Index" in page.url
    assert f"Se creó el usuario {data['txtUserName']}" in page.text()
    [user] = [u for u in portal.state()["users"] if u["username"] == data["txtUserName"]]
    assert user["status"] == "unconfirmed"
    membership = state_of(portal, user["id"], account_id)
    assert membership is not None
    assert (membership["role"], membership["state"]) == ("user", "Aceptado")
    [mail] = portal.wait_for_mail(to=data["txtEmail"], subject=CREATED)
    link = mail_link(mail.text)

    newcomer = WebClient(portal.url)
    form = newcomer.get(link)
    assert "Elija su contraseña y acepte los términos" in form.text()
    # The person accepts the terms and the data policy herself (the administrator cannot).
    unconsented = newcomer.submit(
        {"txtPassword": PASSWORD, "txtPasswordConfirm": PASSWORD}, button="btnActivate"
    )
    assert unconsented.status == 400
    assert set(unconsented.visible_errors()) == {"chkTerms", "chkDataPolicy"}
    assert "términos y condiciones" in unconsented.visible_error("chkTerms")
    consents = {"chkTerms": "1", "chkDataPolicy": "1"}
    bad = newcomer.submit(
        {"txtPassword": PASSWORD, "txtPasswordConfirm": "Otra#Clave1", **consents},
        button="btnActivate",
    )
    assert bad.status == 400
    assert bad.visible_error("txtPasswordConfirm") == "Las contraseñas no coinciden."
    weak = newcomer.submit(
        {"txtPassword": "debil", "txtPasswordConfirm": "debil", **consents}, button="btnActivate"
    )
    assert "mínimo 8 caracteres" in weak.visible_error("txtPassword")
    done = newcomer.submit(
        {"txtPassword": PASSWORD, "txtPasswordConfirm": PASSWORD, **consents},
        button="btnActivate",
    )
    assert "fue activado" in done.text()
    desk = newcomer.login(data["txtUserName"])
    assert "/CO1Marketplace/Desktop/Index" in desk.url
    assert newcomer.get(link).status == 410  # the link was used


def test_crear_applies_the_registration_rules(portal: PortalProcess) -> None:
    client, _ = _create_form(portal)
    _, taken_name, taken_email = new_user(portal)
    cases = [
        (_fields(tag(), txtUserName=taken_name.upper()), "txtUserName", "ya está en uso"),
        (
            _fields(tag(), txtEmail=taken_email, txtEmailConfirm=taken_email),
            "txtEmail",
            "Ya existe un usuario",
        ),
        (_fields(tag(), txtIdNumber="12"), "txtIdNumber", "6 a 10 dígitos"),
        (_fields(tag(), txtFirstName=""), "txtFirstName", "obligatorio"),
    ]
    for data, field_id, message in cases:
        page = client.submit(data, button="btnCreate")
        assert page.status == 400
        assert list(page.visible_errors()) == [field_id]
        assert message in page.visible_error(field_id)
