"""Directorio SECOP: search of active suppliers and a supplier's published page (PORTAL.md 3.7)."""

from __future__ import annotations

from dataclasses import dataclass

from robot.portal.pages.base import PortalSession
from robot.portal.pages.spec import Control, PageSpec
from robot.portal.pages.supplier import Uploaded

DIRECTORY_PATH = "/Public/Directory/Index"

# Published fields by element id (what the robot reads back).
PUBLISHED = {
    "lblName": "Nombre",
    "lblShortName": "Nombre abreviado",
    "lblNit": "NIT",
    "lblOrganizationType": "Tipo de organización",
    "lblUnspscCode": "Código UNSPSC principal",
    "lblPhone": "Teléfono",
    "lblEmail": "Correo electrónico",
    "lblAddress": "Dirección",
    "lblMunicipio": "Municipio",
    "lblPyme": "Es PyME",
    "lblRepName": "Representante legal",
}


@dataclass(frozen=True)
class PublishedSupplier:
    url: str
    fields: dict[str, str]
    documents: tuple[Uploaded, ...]


class DirectoryPage:
    SEARCH = Control("Nombre o NIT del proveedor", "search")
    SUBMIT = Control("Buscar", "button")
    SPEC = PageSpec("directory", "Directorio SECOP", DIRECTORY_PATH, (SEARCH, SUBMIT))

    def __init__(self, session: PortalSession) -> None:
        self.s = session

    async def find(self, nit: str) -> PublishedSupplier | None:
        """Search by NIT and open the supplier's page; None when it is not published."""
        await self.s.goto(DIRECTORY_PATH)
        await self.s.field(self.SEARCH.label).fill(nit)
        await self.s.submit(self.s.button(self.SUBMIT.label))
        links = self.s.page.locator("#tblSuppliers a[id^=lnkSupplier_]")
        if not await links.count():
            return None
        await self.s.submit(links.first)
        return await self.read()

    async def read(self) -> PublishedSupplier:
        page = self.s.page
        fields = {}
        for element_id, name in PUBLISHED.items():
            node = page.locator(f"#{element_id}")
            fields[name] = (await node.inner_text()).strip() if await node.count() else ""
        rows = page.locator("#tblDocuments tbody tr")
        documents = []
        for i in range(await rows.count()):
            row = rows.nth(i)
            link = row.locator("a[id^=lnkDoc_]")
            if not await link.count():
                continue
            size = await row.locator("[id^=spnDocSize_]").get_attribute("data-bytes")
            sha = (await row.locator("[id^=spnDocSha_]").inner_text()).strip()
            documents.append(
                Uploaded(
                    await row.get_attribute("data-slot") or "",
                    (await link.inner_text()).strip(),
                    int(size or 0),
                    sha,
                )
            )
        return PublishedSupplier(page.url, fields, tuple(documents))
