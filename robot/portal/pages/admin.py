"""Escritorio and Administración de usuarios (PORTAL.md 3.6)."""

from __future__ import annotations

from playwright.async_api import Locator

from robot.errors import PortalError, PortalRejected
from robot.portal.mapping import FieldValue
from robot.portal.pages.base import PortalSession
from robot.portal.pages.register import fill_fields

DESKTOP_PATH = "/CO1Marketplace/Desktop/Index"
USERS_PATH = "/CO1Marketplace/Users/Admin/Index"


class DesktopPage:
    def __init__(self, session: PortalSession) -> None:
        self.s = session

    async def open(self) -> None:
        await self.s.goto(DESKTOP_PATH)

    async def account(self) -> tuple[str, str, str]:
        """The session's account: name, NIT and state (Activa / Borrador)."""
        page = self.s.page
        name = (await page.locator("#lblAccountName").inner_text()).strip()
        nit = (await page.locator("#lblAccountNit").inner_text()).strip()
        state = (await page.locator("#spnAccountState").inner_text()).strip()
        return name, nit, state


class UsersAdminPage:
    """The account's users and the administrator's actions on their access."""

    def __init__(self, session: PortalSession) -> None:
        self.s = session

    async def open(self) -> None:
        await self.s.goto(USERS_PATH)

    def _row(self, email: str) -> Locator:
        return self.s.page.locator("#tblUsers tbody tr").filter(
            has=self.s.page.get_by_role("cell", name=email, exact=True)
        )

    async def state_of(self, email: str) -> str | None:
        """Aceptado, Pendiente, Rechazado or Cancelado; None when the user is not listed."""
        row = self._row(email)
        if not await row.count():
            return None
        return (await row.first.locator("[id^=spnUserState]").inner_text()).strip()

    async def accept(self, email: str) -> str:
        row = self._row(email)
        if not await row.count():
            raise PortalError(f"{email} no aparece en Administración de usuarios")
        button = row.first.get_by_role("button", name="Aceptar acceso")
        if await button.count():
            await self.s.submit(button)
        state = await self.state_of(email)
        return state or ""

    async def create(self, fields: tuple[FieldValue, ...]) -> None:
        """Crear: the administrator creates a user directly (it gets a mail to set a password)."""
        await self.s.submit(self.s.link("Crear"))
        await fill_fields(self.s, fields)
        await self.s.submit(self.s.button("Crear"))
        errors = await self.s.visible_errors()
        if errors:
            raise PortalRejected("el portal rechazó Crear usuario", errors=tuple(errors))
