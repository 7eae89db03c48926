"""The core pages in real Chromium: login markup, visible vs hidden errors, CSRF, sessions."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from robot.mock_portal.seed import seed_user
from tests.fixtures.portal import PortalProcess

pytestmark = pytest.mark.browser
PASSWORD = "Clave#Segura2026"


def _user(portal: PortalProcess) -> tuple[str, str]:
    tag = uuid.uuid4().hex[:8]
    username = f"usr_{tag}"
    seed_user(
        portal.store(), username=username, password=PASSWORD, email=f"t+{tag}@proveedores.test"
    )
    return username, PASSWORD


def test_login_page_keeps_errors_hidden_until_a_bad_login(
    page: Page, portal: PortalProcess
) -> None:
    page.goto(portal.url)
    expect(page).to_have_title(re.compile("Ingresar"))
    failure = page.locator("#divLoginFailure")
    expect(failure).to_be_attached()
    expect(failure).to_be_hidden()
    page.get_by_label("Usuario").fill("nadie_por_aqui")
    page.get_by_label("Contraseña").fill("Incorrecta#1")
    page.get_by_role("button", name="Ingresar").click()
    expect(failure).to_be_visible()
    expect(failure).to_have_text("Usuario o contraseña incorrectos.")
    expect(page.get_by_label("Usuario")).to_have_value("nadie_por_aqui")


def test_login_without_account_goes_to_entity_page_with_mkey(
    page: Page, portal: PortalProcess
) -> None:
    username, password = _user(portal)
    page.goto(portal.url)
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()
    expect(page).to_have_url(
        re.compile(r"/CO1Marketplace/Companies/Entity/Index\?mkey=[0-9a-f_]{36}")
    )


def test_mkey_from_another_session_is_refused(page: Page, portal: PortalProcess) -> None:
    username, password = _user(portal)
    page.goto(portal.url)
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url(re.compile("mkey="))
    page.goto(
        portal.url + "/STS/Users/Login/SelectCompany?mkey=00000000_0000_0000_0000_000000000000"
    )
    expect(page).to_have_url(re.compile("/STS/Users/Login/Index"))
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_contain_text(
        "Su sesión ha expirado"
    )
