"""Administración de usuarios in Chromium: a row is found by the user's e-mail."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.fixtures.portal import PortalProcess
from tests.mock_portal.web_client import PASSWORD, request_access, seeded_account, state_of

pytestmark = pytest.mark.browser


def test_admin_accepts_a_request_from_the_users_row(page: Page, portal: PortalProcess) -> None:
    account = seeded_account(portal)
    user_id, email, _ = request_access(portal, account)
    page.goto(portal.url)
    page.get_by_label("Usuario").fill(account.admin_username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("row", name=email)).to_be_visible()  # the desk's pending list
    page.get_by_role("link", name="Administración de usuarios").click()
    row = page.get_by_role("row", name=email)
    expect(row).to_contain_text("Pendiente")
    row.get_by_role("button", name="Aceptar acceso").click()
    expect(page.get_by_role("status")).to_contain_text("Se aceptó el acceso")
    expect(page.get_by_role("row", name=email)).to_contain_text("Aceptado")
    assert state_of(portal, user_id, account.id)["state"] == "Aceptado"  # type: ignore[index]
