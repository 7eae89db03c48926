"""Confirmar registro and Reenviar correo (PORTAL.md 3.3): one-time, voidable, expiring links."""

from __future__ import annotations

import urllib.parse

from tests.fixtures.portal import PortalProcess
from tests.mock_portal.web_client import WebClient, mail_link, new_user, register

ACTIVATION = "SECOP II - Confirmación de registro de usuario"


def _user_state(portal: PortalProcess, username: str) -> str:
    [user] = [u for u in portal.state()["users"] if u["username"] == username]
    return str(user["status"])


def _resend(client: WebClient, who: str) -> str:
    client.get("/STS/Users/Register/Resend?" + urllib.parse.urlencode({"usuario": who}))
    assert client.page is not None
    assert client.page.value("txtUserName") == who  # prefilled from ?usuario=
    return client.submit(button="btnResend").text()


def test_link_activates_once_then_reads_as_used(portal: PortalProcess) -> None:
    username, email = register(portal)
    [mail] = portal.wait_for_mail(to=email, subject=ACTIVATION)
    link = mail_link(mail.text)
    client = WebClient(portal.url)
    page = client.get(link)
    assert page.status == 200
    assert f"Su usuario {username} fue activado" in page.text()
    assert page.link("Ingresar").startswith("/STS/Users/Login/Index")
    assert _user_state(portal, username) == "active"
    again = client.get(link)
    assert again.status == 410
    assert "Enlace ya utilizado" in again.text()
    assert again.link("Reenviar correo") == f"/STS/Users/Register/Resend?usuario={username}"


def test_resend_voids_the_older_link_and_only_the_newest_works(portal: PortalProcess) -> None:
    username, email = register(portal)
    portal.wait_for_mail(to=email, subject=ACTIVATION)
    client = WebClient(portal.url)
    assert "se ha enviado un nuevo correo" in _resend(client, username)
    links = {mail_link(m.text) for m in portal.wait_for_mail(to=email, subject=ACTIVATION, count=2)}
    voided = {link for link in links if _voided(portal, link)}
    assert len(links) == 2
    assert len(voided) == 1  # the mails may arrive in any order; the store knows the older
    old = client.get(voided.pop())
    assert old.status == 410
    assert "Enlace reemplazado" in old.text()
    assert "Reenviar correo" in old.text()
    newest = client.get((links - {old.url.removeprefix(portal.url)}).pop())
    assert newest.status == 200
    assert _user_state(portal, username) == "active"


def _voided(portal: PortalProcess, link: str) -> bool:
    row = portal.store().one("SELECT voided_at FROM tokens WHERE token = ?", link.split("=")[1])
    assert row is not None
    return row["voided_at"] is not None


def test_unknown_or_missing_token_is_a_clear_error(portal: PortalProcess) -> None:
    client = WebClient(portal.url)
    for link in ("/STS/Users/Register/Confirm?token=inventado", "/STS/Users/Register/Confirm"):
        page = client.get(link)
        assert page.status == 404
        assert "Enlace no válido" in page.text()
        assert page.link("Reenviar correo").startswith("/STS/Users/Register/Resend")


def test_expired_link_is_refused(portal: PortalProcess) -> None:
    username, email = register(portal)
    [mail] = portal.wait_for_mail(to=email, subject=ACTIVATION)
    [user_id] = [u["id"] for u in portal.state()["users"] if u["username"] == username]
    # The link's validity ran out: age the token (the TTL setting is at least 36 s).
    portal.store().execute("UPDATE tokens SET expires_at = ? WHERE user_id = ?", 1.0, user_id)
    page = WebClient(portal.url).get(mail_link(mail.text))
    assert page.status == 410
    assert "Enlace vencido" in page.text()
    assert "Reenviar correo" in page.text()
    assert _user_state(portal, username) == "unconfirmed"


def test_resend_is_neutral_for_unknown_users_and_sends_nothing(portal: PortalProcess) -> None:
    before = len(portal.state()["mails"])
    text = _resend(WebClient(portal.url), "nadie_registrado_123")
    assert "Si el usuario está registrado y pendiente de activación" in text
    assert len(portal.state()["mails"]) == before


def test_resend_answers_the_same_for_unknown_and_active_users(portal: PortalProcess) -> None:
    """No user enumeration: the page does not tell an active user from an unknown one."""
    _, username, email = new_user(portal)
    active = _resend(WebClient(portal.url), username)
    unknown = _resend(WebClient(portal.url), "nadie_registrado_456")
    assert active.replace(username, "X") == unknown.replace("nadie_registrado_456", "X")
    assert "Si su usuario ya está activo, ingrese con su usuario y contraseña." in active
    assert not [m for m in portal.state()["mails"] if m["recipient"] == email]


def test_resend_by_email_and_empty_field(portal: PortalProcess) -> None:
    username, email = register(portal)
    client = WebClient(portal.url)
    _resend(client, email)
    portal.wait_for_mail(to=email, subject=ACTIVATION, count=2)
    client.get("/STS/Users/Register/Resend")
    page = client.submit({"txtUserName": ""}, button="btnResend")
    assert page.status == 400
    assert page.visible_error("txtUserName") == "Este campo es obligatorio."
    assert _user_state(portal, username) == "unconfirmed"
