"""Page objects turn what the portal shows into typed errors (real Chromium, the mock portal).

Maintenance, 5xx and dropped connections are PortalUnavailable; being sent back to login is
SessionExpired; a CAPTCHA parks (NeedsPerson) unless an operator types it (--headed); visible
field errors are PortalRejected with their labels, never the hidden error spans.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from playwright.async_api import Page, Route, async_playwright, expect

from robot import asyncrun
from robot.browser_path import CHROMIUM_ARGS, find_chromium
from robot.errors import NeedsPerson, PortalRejected, PortalUnavailable, SessionExpired
from robot.mock_portal.seed import seed_user
from robot.portal.limiter import Politeness
from robot.portal.mapping import FieldValue
from robot.portal.pages.auth import Landing, LoginPage
from robot.portal.pages.base import PortalSession
from robot.portal.pages.entity import EntityPage
from robot.portal.pages.register import RegisterPage
from tests.fixtures.portal import PortalProcess

pytestmark = pytest.mark.browser
PASSWORD = "Clave#Segura1"
T = TypeVar("T")


def with_session(
    portal: PortalProcess, body: Callable[[PortalSession], Awaitable[T]], timeout: float = 10.0
) -> T:
    async def main() -> T:
        async with async_playwright() as pw:
            options: dict[str, Any] = {"args": list(CHROMIUM_ARGS)}
            if (exe := find_chromium()) is not None:
                options["executable_path"] = exe
            browser = await pw.chromium.launch(**options)
            try:
                page: Page = await browser.new_page(locale="es-CO")
                session = PortalSession(page, portal.url, Politeness.unlimited(), timeout=timeout)
                return await body(session)
            finally:
                await browser.close()

    return asyncrun.run(main())


def user(portal: PortalProcess) -> str:
    name = f"pag_{uuid.uuid4().hex[:8]}"
    seed_user(portal.store(), username=name, password=PASSWORD, email=f"{name}@proveedores.test")
    return name


def test_maintenance_is_transient(make_portal: Callable[..., PortalProcess]) -> None:
    portal = make_portal(faults=["maintenance=[{start_seconds: 0, duration_seconds: 600}]"])
    with pytest.raises(PortalUnavailable, match="mantenimiento"):
        with_session(portal, lambda s: LoginPage(s).open())


def test_a_503_is_transient(make_portal: Callable[..., PortalProcess]) -> None:
    portal = make_portal(faults=["error_rate=1"])
    with pytest.raises(PortalUnavailable, match="HTTP 503"):
        with_session(portal, lambda s: LoginPage(s).open())


def test_a_dropped_connection_is_transient(make_portal: Callable[..., PortalProcess]) -> None:
    portal = make_portal(faults=["drop_rate=1"])
    with pytest.raises(PortalUnavailable, match="conexión"):
        with_session(portal, lambda s: LoginPage(s).open())


def test_an_expired_session_sends_back_to_login(make_portal: Callable[..., PortalProcess]) -> None:
    portal = make_portal(faults=["session_expiry_seconds=3"])
    name = user(portal)

    async def body(s: PortalSession) -> None:
        assert await LoginPage(s).login(name, PASSWORD) is Landing.ENTITY
        await asyncio.sleep(4)
        await EntityPage(s).open()

    with pytest.raises(SessionExpired, match="sesión"):
        with_session(portal, body)


def test_a_captcha_parks_when_nobody_can_type_it(make_portal: Callable[..., PortalProcess]) -> None:
    portal = make_portal(faults=["captcha=always"])
    name = user(portal)
    with pytest.raises(NeedsPerson, match="CAPTCHA"):
        with_session(portal, lambda s: LoginPage(s).login(name, PASSWORD))


def test_with_an_operator_the_login_goes_on_after_the_captcha(
    make_portal: Callable[..., PortalProcess],
) -> None:
    portal = make_portal(faults=["captcha=always"])
    name = user(portal)

    async def operator(page: Page) -> None:
        """What a person does in the --headed window: reads the image, types, clicks."""
        captcha = page.locator("#imgCaptcha")
        # the robot filled the form and put the cursor there (no page script: the CSP forbids)
        await expect(page.locator("#txttxtCaptcha")).to_be_focused(timeout=15_000)
        await page.locator("#txttxtCaptcha").fill(await captcha.inner_text())
        await page.get_by_role("button", name="Ingresar").click()

    async def body(s: PortalSession) -> Landing:
        started = time.monotonic()
        person = asyncio.create_task(operator(s.page))
        landing = await LoginPage(s).login(name, PASSWORD, operator_wait=20)
        await person
        assert time.monotonic() - started < 20
        return landing

    assert with_session(portal, body) is Landing.ENTITY


def test_wrong_and_unconfirmed_logins_are_told_apart(portal: PortalProcess) -> None:
    name = user(portal)
    unconfirmed = f"sin_{uuid.uuid4().hex[:8]}"
    seed_user(
        portal.store(),
        username=unconfirmed,
        password=PASSWORD,
        email=f"{unconfirmed}@proveedores.test",
        active=False,
    )

    async def body(s: PortalSession) -> tuple[Landing, Landing, Landing]:
        page = LoginPage(s)
        return (
            await page.login(name, "Otra#Clave99"),
            await page.login(unconfirmed, PASSWORD),
            await page.login(name, PASSWORD),
        )

    assert with_session(portal, body) == (Landing.REFUSED, Landing.NOT_ACTIVATED, Landing.ENTITY)


def test_a_login_answered_as_expired_is_retried_not_refused(portal: PortalProcess) -> None:
    """The portal logs the user in, the answer is cut, and Chromium sends the POST again on
    its own (a reset on a reused connection): the replay carries the cookie of the session the
    login just replaced, so the portal answers "Su sesión ha expirado". That is a session to
    open again (retried), never "el portal no aceptó el ingreso" (CI saw it end a supplier)."""
    name = user(portal)

    async def replay_once(route: Route) -> None:
        if route.request.method != "POST":
            await route.continue_()
            return
        await route.fetch(max_redirects=0)  # the portal acts on it; the answer is lost
        await route.fulfill(response=await route.fetch())  # the browser's own replay

    async def body(s: PortalSession) -> tuple[str, Landing]:
        await s.page.route("**/STS/Users/Login/Index?*", replay_once)
        with pytest.raises(SessionExpired) as found:
            await LoginPage(s).login(name, PASSWORD)
        await s.page.unroute_all()
        return found.value.message, await LoginPage(s).login(name, PASSWORD)

    message, landing = with_session(portal, body)
    assert "expirado" in message
    assert landing is Landing.ENTITY


def test_visible_field_errors_carry_their_labels_and_hidden_ones_stay_out(
    portal: PortalProcess,
) -> None:
    fields = (
        FieldValue("Nombre(s)", "text", "Ana"),
        FieldValue("Apellido(s)", "text", "Pérez"),
        FieldValue("Tipo de identificación", "select", "CC"),
        FieldValue("Número de identificación", "text", "12"),  # too short for a cédula
        FieldValue("Correo electrónico", "text", "ana@proveedores.test"),
        FieldValue("Confirmar correo electrónico", "text", "otra@proveedores.test"),
        FieldValue("Teléfono", "text", "3001234567"),
        FieldValue("Nombre de usuario", "text", f"ana_{uuid.uuid4().hex[:6]}"),
    )

    async def body(s: PortalSession) -> None:
        page = RegisterPage(s)
        await page.open()
        await page.register(fields, PASSWORD, accept_terms=True, data_policy_consent=True)

    with pytest.raises(PortalRejected) as caught:
        with_session(portal, body)
    errors = caught.value.errors
    assert any(e.startswith("Número de identificación:") for e in errors), errors
    assert any(e.startswith("Confirmar correo electrónico:") for e in errors), errors
    assert not any(e.startswith("Nombre(s)") or e.startswith("Teléfono") for e in errors)
