"""Directorio SECOP: search of active suppliers and a supplier's published page (PORTAL.md 3.7)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


# The published fields (by element id; missing ones empty) and the documents table, in one
# round trip.
_READ_JS = """
(ids) => ({
  fields: ids.map((id) => {
    const node = document.getElementById(id);
    return node ? node.innerText.trim() : '';
  }),
  documents: Array.from(document.querySelectorAll('#tblDocuments tbody tr')).flatMap((row) => {
    const link = row.querySelector('a[id^=lnkDoc_]');
    if (!link) return [];
    const size = row.querySelector('[id^=spnDocSize_]');
    const sha = row.querySelector('[id^=spnDocSha_]');
    return [{
      slot: row.getAttribute('data-slot') || '',
      name: link.innerText.trim(),
      size: (size && size.getAttribute('data-bytes')) || '',
      sha256: sha ? sha.innerText.trim() : '',
    }];
  }),
})
"""


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
        found: dict[str, list[Any]] = await page.evaluate(_READ_JS, list(PUBLISHED))
        fields = dict(zip(PUBLISHED.values(), found["fields"], strict=True))
        documents = tuple(
            Uploaded(d["slot"], d["name"], int(d["size"] or 0), d["sha256"])
            for d in found["documents"]
        )
        return PublishedSupplier(page.url, fields, documents)
