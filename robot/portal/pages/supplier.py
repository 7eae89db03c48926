"""Registro de Proveedor: the supplier form, its lupa pop-ups and its documents (PORTAL.md 3.5)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Response

from robot.errors import PortalError, PortalRejected, PortalUnavailable
from robot.portal.mapping import FieldValue, Location, SupplierValues
from robot.portal.pages.base import PortalSession, label_pattern

FORM_PATH = "/CO1Marketplace/Companies/SupplierRegistration/Index"
SAVED = "Borrador guardado"
FINALIZED = "El registro de proveedor fue finalizado"
UPLOAD_RETRY = "intente de nuevo"  # "No se pudo cargar el archivo X, intente de nuevo."


@dataclass(frozen=True)
class Uploaded:
    """A file the portal says it holds in a slot: name, size and SHA-256 as it shows them."""

    slot: str
    name: str
    size: int
    sha256: str


class SupplierForm:
    def __init__(self, session: PortalSession) -> None:
        self.s = session

    async def open(self) -> None:
        await self.s.goto(FORM_PATH)

    async def is_draft(self) -> bool:
        return await self.s.page.locator("#frmSupplierRegistration").count() > 0

    # --- filling --------------------------------------------------------------------------

    async def fill(self, values: SupplierValues) -> None:
        """Every section from the profile; fields the portal fixed (read-only) are left alone."""
        country = next((f for f in values.general if f.label == "País"), None)
        if country is not None:
            await self.s.field("País").select_option(value=country.value)
        for item in values.all_fields:
            if item.label != "País":
                await self._set(item)
        if values.location is not None:
            await self._set_location(values.location)
        await self._set_unspsc(values.unspsc)

    async def _set(self, item: FieldValue) -> None:
        page = self.s.page
        if item.kind == "radio":
            group = page.get_by_role("radiogroup", name=item.label)
            await group.get_by_label(item.value, exact=True).check()
            return
        control = self.s.field(item.label)
        if item.kind == "select":
            await control.select_option(value=item.value)
            return
        if not await control.is_editable():
            return  # Nit and DV are fixed once the draft exists
        if await control.input_value() != item.value:
            await control.fill(item.value)

    async def _set_location(self, where: Location) -> None:
        page = self.s.page
        if await page.locator("#hdnMunicipioCode").input_value() == where.municipio_code:
            return
        popup = await self._open_lupa("Buscar municipio")
        await popup.get_by_label(label_pattern("Departamento")).select_option(
            value=where.departamento_code
        )
        await popup.get_by_label(label_pattern("Municipio")).fill(where.municipio_name)
        await self._search_and_pick(popup, f"#btnSelect_{where.municipio_code}")
        await page.locator("#hdnMunicipioCode").wait_for(state="attached")
        if await page.locator("#hdnMunicipioCode").input_value() != where.municipio_code:
            raise PortalUnavailable("la lupa de municipio no dejó el municipio elegido")

    async def _set_unspsc(self, codes: tuple[str, ...]) -> None:
        page = self.s.page
        present = set(
            await page.locator("#tblUnspsc input[name=unspsc]").evaluate_all(
                "els => els.map(e => e.value)"
            )
        )
        for code in codes:
            if code in present:
                continue
            popup = await self._open_lupa("Buscar código UNSPSC")
            await popup.get_by_label(label_pattern("Código o descripción")).fill(code)
            await self._search_and_pick(popup, f"#btnSelect_{code}")
            await page.locator(f"#trUnspsc_{code}").wait_for()
        for code in sorted(present - set(codes)):
            await self.s.submit(page.locator(f"#btnRemoveUnspsc_{code}"))
        if codes:
            await page.locator(f"#rdbPrincipal_{codes[0]}").check()

    async def _open_lupa(self, button: str) -> Page:
        await self.s.politeness.requests.acquire()
        async with self.s.page.expect_popup() as info:
            await self.s.button(button).click()
        popup = await info.value
        await popup.wait_for_load_state("domcontentloaded")
        await self._check_popup(popup)
        return popup

    async def _check_popup(self, popup: Page) -> None:
        """A lupa showing an error page or a cut connection: a typed error (retried), closed."""
        try:
            await self.s.check(None, page=popup)
        except PortalError:
            await popup.close()
            raise

    async def _search_and_pick(self, popup: Page, select_button: str) -> None:
        await self.s.politeness.requests.acquire()

        async def search() -> Response | None:
            # Buscar is a form (GET): wait for its page, not for the one already loaded
            async with popup.expect_navigation(wait_until="domcontentloaded") as nav:
                await popup.get_by_role("button", name="Buscar", exact=True).click()
            return await nav.value

        try:
            response = await self.s.guard(search)
            await self.s.check(response, page=popup)
        except PortalError:
            await popup.close()
            raise
        choice = popup.locator(select_button)
        if not await choice.count():
            await popup.close()
            raise PortalRejected(f"la lupa no encontró {select_button.split('_', 1)[1]}")
        async with popup.expect_event("close"):
            try:
                await choice.click(no_wait_after=True)
            except PlaywrightError as err:  # the pop-up closes itself on the click
                if "closed" not in str(err):
                    raise

    # --- documents ------------------------------------------------------------------------

    async def uploaded(self) -> dict[str, Uploaded]:
        """What the portal shows in each slot now."""
        rows = self.s.page.locator("#tblDocuments tr[data-slot]")
        found: dict[str, Uploaded] = {}
        for i in range(await rows.count()):
            row = rows.nth(i)
            slot = await row.get_attribute("data-slot") or ""
            name = row.locator("[id^=spnDocName_]")
            if not await name.count():
                continue
            size = await row.locator("[id^=spnDocSize_]").get_attribute("data-bytes")
            sha = await row.locator("[id^=spnDocSha_]").inner_text()
            found[slot] = Uploaded(slot, (await name.inner_text()).strip(), int(size or 0), sha)
        return found

    async def attach(self, slot_label: str, path: Path) -> None:
        await self.s.field(slot_label).set_input_files(path)

    async def save(self) -> list[str]:
        """Guardar. Returns the upload errors the portal asks to retry; raises on data errors."""
        await self.s.submit(self.s.button("Guardar"))
        errors = await self.s.visible_errors()
        retry = [e for e in errors if UPLOAD_RETRY in e]
        rest = [e for e in errors if UPLOAD_RETRY not in e]
        if rest:
            raise PortalRejected("el portal rechazó el borrador", errors=tuple(rest))
        if not retry and SAVED not in await self.s.message():
            raise PortalError("Guardar no confirmó el borrador")
        return retry

    async def finalize(self) -> None:
        await self.s.submit(self.s.button("Finalizar"))
        errors = await self.s.visible_errors()
        if errors:
            raise PortalRejected(
                "el portal no aceptó Finalizar el registro", errors=tuple(errors), url=self.s.path
            )
        if FINALIZED not in await self.s.message():
            raise PortalError("Finalizar no confirmó el registro del proveedor")

    async def shown_values(self, values: SupplierValues) -> dict[str, str]:
        """What the draft form shows for each field the robot filled (by label)."""
        shown: dict[str, str] = {}
        for item in values.all_fields:
            if item.kind == "radio":
                group = self.s.page.get_by_role("radiogroup", name=item.label)
                checked = group.locator("input:checked")
                shown[item.label] = (
                    (await checked.get_attribute("value") or "") if await checked.count() else ""
                )
                continue
            shown[item.label] = await self.s.field(item.label).input_value()
        return shown
