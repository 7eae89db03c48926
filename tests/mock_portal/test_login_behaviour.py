"""Login/Index behaviour (PORTAL.md 2, 3.1): errors, unconfirmed users, CAPTCHA, account
selector, session expiry and the mkey."""

from __future__ import annotations

import time
from collections.abc import Callable

from robot.mock_portal.seed import seed_account
from tests.fixtures.portal import PortalProcess
from tests.mock_portal.web_client import WebClient, new_user, register, unique_nit

LOGIN = "/STS/Users/Login/Index?SkinName=CCE&currentLanguage=es-CO&Page=login&Country=CO"


def test_bad_password_is_refused_with_a_visible_message(portal: PortalProcess) -> None:
    _, username, _ = new_user(portal)
    page = WebClient(portal.url).login(username, "Equivocada#1")
    assert page.status == 401
    assert page.soup.select_one("#divLoginFailure").get_text(strip=True) == (  # type: ignore[union-attr]
        "Usuario o contraseña incorrectos."
    )
    assert "display:none" not in str(page.soup.select_one("#divLoginFailure"))
    assert page.value("txtUserName") == username
    assert page.value("txtPassword") == ""


def test_unconfirmed_user_is_refused_with_reenviar_correo(portal: PortalProcess) -> None:
    username, _ = register(portal)
    page = WebClient(portal.url).login(username)
    assert page.status == 401
    assert "Su usuario aún no ha sido activado" in page.text()
    assert page.link("Reenviar correo") == f"/STS/Users/Register/Resend?usuario={username}"


def test_request_without_mkey_goes_to_login(portal: PortalProcess) -> None:
    _, username, _ = new_user(portal)
    client = WebClient(portal.url)
    client.login(username)
    page = client.get("/CO1Marketplace/Companies/Entity/Index")
    assert "/STS/Users/Login/Index" in page.url
    assert "Su sesión ha expirado" in page.text()


def test_user_with_two_accounts_picks_one(portal: PortalProcess) -> None:
    user_id, username, _ = new_user(portal)
    store = portal.store()
    first = seed_account(store, user_id, name="Consorcio Vial 2026", nit=unique_nit())
    seed_account(store, user_id, name="Constructora Vial SAS", nit=unique_nit(), status="draft")
    client = WebClient(portal.url)
    page = client.login(username)
    assert "/STS/Users/Login/SelectCompany" in page.url
    assert page.soup.find("label", attrs={"for": "seldpCompany"}) is not None
    button = page.soup.find(id="btnButton1")
    assert button is not None
    assert button.get_text(strip=True) == "Entrar"
    refused = client.submit({"seldpCompany": ""}, button="btnButton1")
    assert refused.status == 400
    page = client.submit({"seldpCompany": str(first)}, button="btnButton1")
    assert "/CO1Marketplace/Desktop/Index" in page.url
    assert "Consorcio Vial 2026" in page.text()


def test_captcha_once_per_session(make_portal: Callable[..., PortalProcess]) -> None:
    running = make_portal(faults=["captcha=once"])
    _, username, _ = new_user(running)
    client = WebClient(running.url)
    page = client.get(LOGIN)
    assert page.soup.find(id="imgCaptcha") is not None
    wrong = client.submit({"txtUserName": username, "txtPassword": "x", "txttxtCaptcha": "ZZZZ"})
    assert "El texto de la imagen no coincide." in wrong.text()
    captcha = wrong.soup.find(id="imgCaptcha").get_text(strip=True)  # type: ignore[union-attr]
    page = client.submit(
        {"txtUserName": username, "txtPassword": "Clave#Segura2026", "txttxtCaptcha": captcha}
    )
    assert "/CO1Marketplace/Companies/Entity/Index" in page.url
    client.get("/STS/Users/Logout")
    again = client.get(LOGIN)
    assert again.soup.find(id="imgCaptcha") is not None  # logout ends the session


def test_idle_session_expires(make_portal: Callable[..., PortalProcess]) -> None:
    running = make_portal(faults=["session_expiry_seconds=1"])
    _, username, _ = new_user(running)
    client = WebClient(running.url)
    page = client.login(username)
    assert "mkey=" in page.url
    time.sleep(1.3)  # idle: any request would keep the session alive
    page = client.get(page.url)
    assert "/STS/Users/Login/Index" in page.url
    assert "Su sesión ha expirado" in page.text()
