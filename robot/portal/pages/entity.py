"""Crear o solicitar acceso a una Entidad (section 3), Registrar Entidad, Solicitud de acceso and
Mis registros (PORTAL.md 3.4)."""

from __future__ import annotations

from dataclasses import dataclass

from robot.errors import PortalError, PortalRejected
from robot.portal.pages.base import PortalSession

ENTITY_PATH = "/CO1Marketplace/Companies/Entity/Index"
REGISTRATIONS_PATH = "/CO1Marketplace/Users/Settings/Registrations"
ALREADY_REGISTERED = "ya está registrada"


@dataclass(frozen=True)
class FoundEntity:
    """One row of the search result."""

    account_id: str
    name: str
    nit: str
    state: str  # the user's membership state, or Activa / En registro


@dataclass(frozen=True)
class EntitySearch:
    found: tuple[FoundEntity, ...]
    can_register: bool


class EntityPage:
    def __init__(self, session: PortalSession) -> None:
        self.s = session

    async def open(self) -> None:
        await self.s.goto(ENTITY_PATH)

    async def validate(self, name: str, nit: str) -> EntitySearch:
        """Search by the full name and the NIT (with its check digit)."""
        await self.s.field("Nombre").fill(name)
        await self.s.field("NIT").fill(nit)
        await self.s.submit(self.s.button("Validar"))
        errors = await self.s.visible_errors()
        if errors:
            raise PortalRejected(
                "el portal rechazó la búsqueda de la entidad", errors=tuple(errors)
            )
        rows = self.s.page.locator("#tblEntities tbody tr")
        found = []
        for i in range(await rows.count()):
            row = rows.nth(i)
            cells = [c.strip() for c in await row.locator("td").all_inner_texts()]
            row_id = await row.get_attribute("id") or ""
            found.append(FoundEntity(row_id.removeprefix("trEntity"), cells[0], cells[1], cells[2]))
        can_register = await self.s.button("Registrar Entidad").count() > 0
        return EntitySearch(tuple(found), can_register)

    async def register_entity(self, organization_type: str) -> None:
        """Registrar Entidad → Proveedor, Privado, the organization type → Generar formulario.

        A NIT registered meanwhile is a PortalError whose message says so (409)."""
        await self.s.submit(self.s.button("Registrar Entidad"))
        await self.s.field("Tipo").select_option(label="Proveedor")
        await self.s.field("Área de negocio").select_option(label="Privado")
        await self.s.field("Tipo de organización").select_option(label=organization_type)
        await self.s.submit(self.s.button("Generar formulario"))
        errors = await self.s.visible_errors()
        if errors:
            raise PortalRejected("el portal rechazó Registrar Entidad", errors=tuple(errors))

    async def request_access(self, entity: FoundEntity) -> str:
        """Solicitud de acceso → Finalizar. Returns the note when a request already exists."""
        row = self.s.page.locator(f"#trEntity{entity.account_id}")
        await self.s.submit(row.get_by_role("button", name="Solicitud de acceso"))
        finish = self.s.button("Finalizar")
        if not await finish.count():
            note = await self.s.page.locator(".Message").all_inner_texts()
            return " ".join(t.strip() for t in note) or "solicitud ya existente"
        await self.s.submit(finish)
        return ""


class RegistrationsPage:
    """Mis registros: the user's accounts and the state of each membership."""

    def __init__(self, session: PortalSession) -> None:
        self.s = session

    async def open(self) -> None:
        await self.s.goto(REGISTRATIONS_PATH)

    async def states(self) -> dict[str, str]:
        """NIT (or account name when it has none) → membership state."""
        rows = self.s.page.locator("#tblRegistrations tbody tr")
        result = {}
        for i in range(await rows.count()):
            cells = [c.strip() for c in await rows.nth(i).locator("td").all_inner_texts()]
            key = cells[1] if cells[1] not in ("", "—") else cells[0]
            result[key] = cells[3]
        return result

    async def enter(self, nit: str) -> None:
        rows = self.s.page.locator("#tblRegistrations tbody tr")
        for i in range(await rows.count()):
            row = rows.nth(i)
            cells = [c.strip() for c in await row.locator("td").all_inner_texts()]
            if cells[1] == nit:
                await self.s.submit(row.get_by_role("button", name="Entrar"))
                return
        raise PortalError(f"la cuenta con NIT {nit} no está en Mis registros")
