"""Registro de Proveedor: the supplier form, its lupa pop-ups and its documents (PORTAL.md 3.5)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Response

from robot import portal_rules, refdata
from robot.errors import PortalError, PortalRejected, PortalUnavailable
from robot.portal.mapping import FieldValue, Location, SupplierValues
from robot.portal.pages.base import PortalSession, label_pattern
from robot.portal.pages.spec import Control, PageSpec

FORM_PATH = "/CO1Marketplace/Companies/SupplierRegistration/Index"
MUNICIPIO_LUPA_PATH = "/CO1Marketplace/Common/Lookup/Municipio"
UNSPSC_LUPA_PATH = "/CO1Marketplace/Common/Lookup/Unspsc"
SAVED = "Borrador guardado"
FINALIZED = "El registro de proveedor fue finalizado"
UPLOAD_RETRY = "intente de nuevo"  # "No se pudo cargar el archivo X, intente de nuevo."

# The controls of the form by their label, read in one round trip: for each label, the value
# and whether it can be typed in (a radio group: the value of its checked input), or null when
# the label does not name exactly one control through <label> or aria-labelledby (then the
# page object asks Playwright's get_by_label, as for any other page). A label matches as
# label_pattern() does: the whole text, with or without the portal's red asterisk.
_CONTROLS_JS = """
(labels) => {
  const norm = (t) => (t || '').replace(/\\s+/g, ' ').trim();
  const bare = (t) => norm(t).replace(/\\s*\\*$/, '').trim();
  const found = new Map();
  const add = (text, el) => {
    const key = bare(text);
    const list = found.get(key) || [];
    if (!list.includes(el)) list.push(el);
    found.set(key, list);
  };
  for (const label of document.querySelectorAll('label')) {
    if (label.control) add(label.textContent, label.control);
  }
  for (const group of document.querySelectorAll('[role=radiogroup]')) {
    const ids = (group.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    const text = ids.map((id) => (document.getElementById(id) || {}).textContent || '');
    add(text.join(' ') || group.getAttribute('aria-label') || '', group);
  }
  return labels.map((label) => {
    const list = found.get(norm(label)) || [];
    if (list.length !== 1) return null;
    const el = list[0];
    if (el.getAttribute('role') === 'radiogroup') {
      const checked = el.querySelector('input:checked');
      return {value: checked ? checked.getAttribute('value') || '' : '', editable: true};
    }
    return {value: el.value === undefined ? '' : el.value, editable: !(el.readOnly || el.disabled)};
  });
}
"""

# The documents table (its id given): what each slot holds (name, size in bytes, SHA-256), in
# one round trip.
_UPLOADED_JS = """
(table) => Array.from(document.querySelectorAll('#' + table + ' tr[data-slot]')).flatMap((row) => {
  const name = row.querySelector('[id^=spnDocName_]');
  if (!name) return [];
  const size = row.querySelector('[id^=spnDocSize_]');
  const sha = row.querySelector('[id^=spnDocSha_]');
  return [{
    slot: row.getAttribute('data-slot') || '',
    name: name.innerText.trim(),
    size: (size && size.getAttribute('data-bytes')) || '',
    sha256: sha ? sha.innerText : '',
  }];
})
"""


@dataclass(frozen=True)
class Uploaded:
    """A file the portal says it holds in a slot: name, size and SHA-256 as it shows them."""

    slot: str
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Shown:
    """What a form control shows now: its value, and whether it can be typed in."""

    value: str
    editable: bool


class MunicipioLupa:
    """The lupa of Municipio: departamento and part of the name, Buscar, Seleccionar."""

    DEPARTAMENTO = Control("Departamento", "select", options=tuple(sorted(refdata.departamentos())))
    MUNICIPIO = Control("Municipio", "text")
    SEARCH = Control("Buscar", "button")
    SPEC = PageSpec(
        "lupa-municipio", "Buscar municipio", MUNICIPIO_LUPA_PATH, (DEPARTAMENTO, MUNICIPIO, SEARCH)
    )


class UnspscLupa:
    """The lupa of the UNSPSC classifier: code or words, Buscar, Seleccionar."""

    TEXT = Control("Código o descripción", "text")
    SEARCH = Control("Buscar", "button")
    SPEC = PageSpec("lupa-unspsc", "Buscar código UNSPSC", UNSPSC_LUPA_PATH, (TEXT, SEARCH))


class SupplierForm:
    # The fields robot.portal.mapping.supplier_values fills, by label (a test checks they agree).
    GENERAL = (
        Control("Nombre de la Entidad Estatal", "text"),
        Control("Nombre Abreviado", "text"),
        Control("Nit", "text"),
        Control("Dígito de verificación", "text"),
        Control("Dirección", "text"),
        Control("País", "select", options=("CO",)),  # any ISO code; Colombia at least
        Control("Ciudad", "text", always=False),  # outside Colombia only
        Control("Teléfono", "tel"),
        Control("Correo electrónico para notificaciones SECOP", "email"),
        Control("Sitio web", "text", always=False),
        Control("Tamaño de empresa", "select", options=tuple(portal_rules.COMPANY_SIZES)),
    )
    MIPYME = "¿Es MiPyme?"  # a radio group named by #lblMipyme, its options by their labels
    MIPYME_GROUP = "lblMipyme"
    MIPYME_CHOICES = (Control("Sí", "radio"), Control("No", "radio"))
    LEGAL_REPRESENTATIVE = (
        Control("Nombres del representante legal", "text"),
        Control("Apellidos del representante legal", "text"),
        Control(
            "Tipo de documento del representante legal",
            "select",
            options=tuple(portal_rules.ID_TYPES),
        ),
        Control("Número de documento del representante legal", "text"),
        Control("Teléfono del representante legal", "tel"),
        Control("Correo electrónico del representante legal", "email"),
    )
    FINANCIAL = (
        Control("Activos totales", "text", always=False),
        Control("Pasivos totales", "text", always=False),
        Control("Patrimonio", "text", always=False),
        Control("Ingresos operacionales", "text", always=False),
        Control("Fecha de corte", "date", always=False),
    )
    # One file input per slot, labelled as the slot; a file only where the profile has one.
    DOCUMENTS = tuple(
        Control(slot.label, "file", always=False) for slot in portal_rules.DOCUMENT_SLOTS.values()
    )
    MUNICIPIO_LUPA = Control("Buscar municipio", "button")
    UNSPSC_LUPA = Control("Buscar código UNSPSC", "button")
    SAVE = Control("Guardar", "button")
    FINALIZE = Control("Finalizar", "button")
    FORM = "frmSupplierRegistration"  # only a draft shows the form
    MUNICIPIO_CODE = "hdnMunicipioCode"  # what the municipio lupa leaves in the form
    UNSPSC_TABLE = "tblUnspsc"
    DOCUMENT_TABLE = "tblDocuments"
    SPEC = PageSpec(
        "supplier",
        "Registro de Proveedor",
        FORM_PATH,
        (
            *GENERAL,
            *MIPYME_CHOICES,
            *LEGAL_REPRESENTATIVE,
            *FINANCIAL,
            *DOCUMENTS,
            MUNICIPIO_LUPA,
            UNSPSC_LUPA,
            SAVE,
            FINALIZE,
        ),
        markers=(FORM, MUNICIPIO_CODE, MIPYME_GROUP, UNSPSC_TABLE, DOCUMENT_TABLE),
        # the draft's own data: its UNSPSC rows, its uploaded files, the last save's notices
        volatile=(
            "trUnspsc_",
            "spnUnspscCode_",
            "rdbPrincipal_",
            "btnRemoveUnspsc_",
            "trUnspscEmpty",
            "spnDocName_",
            "spnDocSize_",
            "spnDocSha_",
            "btnDeleteDoc_",
            "divMessage",
            "ulErrorSummary",
        ),
    )
    LUPAS = ((MUNICIPIO_LUPA, MunicipioLupa.SPEC), (UNSPSC_LUPA, UnspscLupa.SPEC))

    def __init__(self, session: PortalSession) -> None:
        self.s = session

    async def open(self) -> None:
        await self.s.goto(FORM_PATH)

    async def is_draft(self) -> bool:
        return await self.s.page.locator("#" + self.FORM).count() > 0

    # --- filling --------------------------------------------------------------------------

    async def fill(self, values: SupplierValues) -> None:
        """Every section from the profile; fields the portal fixed (read-only) are left alone."""
        country = next((f for f in values.general if f.label == "País"), None)
        if country is not None:
            await self.s.field("País").select_option(value=country.value)
        items = [f for f in values.all_fields if f.label != "País"]
        shown = await self.controls([f.label for f in items if f.kind == "text"])
        for item in items:
            await self._set(item, shown.get(item.label))
        if values.location is not None:
            await self._set_location(values.location)
        await self._set_unspsc(values.unspsc)

    async def controls(self, labels: list[str]) -> dict[str, Shown]:
        """What the controls named by ``labels`` show, in one round trip; a label that does
        not name exactly one control is left out (ask its locator instead)."""
        if not labels:
            return {}
        found: list[dict[str, object] | None] = await self.s.page.evaluate(_CONTROLS_JS, labels)
        return {
            label: Shown(str(state["value"]), bool(state["editable"]))
            for label, state in zip(labels, found, strict=True)
            if state is not None
        }

    async def _set(self, item: FieldValue, shown: Shown | None = None) -> None:
        """One field; ``shown``: what it showed when the form was read (else it is read now)."""
        page = self.s.page
        if item.kind == "radio":
            group = page.get_by_role("radiogroup", name=item.label)
            await group.get_by_label(item.value, exact=True).check()
            return
        control = self.s.field(item.label)
        if item.kind == "select":
            await control.select_option(value=item.value)
            return
        if shown is None:
            shown = Shown(await control.input_value(), await control.is_editable())
        if not shown.editable:
            return  # Nit and DV are fixed once the draft exists
        if shown.value != item.value:
            await control.fill(item.value)

    async def _set_location(self, where: Location) -> None:
        page = self.s.page
        code = page.locator("#" + self.MUNICIPIO_CODE)
        if await code.input_value() == where.municipio_code:
            return
        popup = await self.open_lupa(self.MUNICIPIO_LUPA)
        await popup.get_by_label(label_pattern(MunicipioLupa.DEPARTAMENTO.label)).select_option(
            value=where.departamento_code
        )
        await popup.get_by_label(label_pattern(MunicipioLupa.MUNICIPIO.label)).fill(
            where.municipio_name
        )
        await self._search_and_pick(
            popup, MunicipioLupa.SEARCH, f"#btnSelect_{where.municipio_code}"
        )
        await code.wait_for(state="attached")
        if await code.input_value() != where.municipio_code:
            raise PortalUnavailable("la lupa de municipio no dejó el municipio elegido")

    async def _set_unspsc(self, codes: tuple[str, ...]) -> None:
        page = self.s.page
        present = set(
            await page.locator(f"#{self.UNSPSC_TABLE} input[name=unspsc]").evaluate_all(
                "els => els.map(e => e.value)"
            )
        )
        for code in codes:
            if code in present:
                continue
            popup = await self.open_lupa(self.UNSPSC_LUPA)
            await popup.get_by_label(label_pattern(UnspscLupa.TEXT.label)).fill(code)
            await self._search_and_pick(popup, UnspscLupa.SEARCH, f"#btnSelect_{code}")
            await page.locator(f"#trUnspsc_{code}").wait_for()
        for code in sorted(present - set(codes)):
            await self.s.submit(page.locator(f"#btnRemoveUnspsc_{code}"))
        if codes:
            await page.locator(f"#rdbPrincipal_{codes[0]}").check()

    async def open_lupa(self, button: Control) -> Page:
        """Open a lupa pop-up with its button (a GET: nothing is saved) and check it."""
        await self.s.politeness.requests.acquire()
        async with self.s.page.expect_popup() as info:
            await self.s.button(button.label).click()
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

    async def _search_and_pick(self, popup: Page, button: Control, select_button: str) -> None:
        await self.s.politeness.requests.acquire()

        async def search() -> Response | None:
            # Buscar is a form (GET): wait for its page, not for the one already loaded
            async with popup.expect_navigation(wait_until="domcontentloaded") as nav:
                await popup.get_by_role("button", name=button.label, exact=True).click()
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
        rows: list[dict[str, str]] = await self.s.page.evaluate(_UPLOADED_JS, self.DOCUMENT_TABLE)
        return {
            r["slot"]: Uploaded(r["slot"], r["name"], int(r["size"] or 0), r["sha256"])
            for r in rows
        }

    async def attach(self, slot_label: str, path: Path) -> None:
        await self.s.field(slot_label).set_input_files(path)

    async def save(self) -> list[str]:
        """Guardar. Returns the upload errors the portal asks to retry; raises on data errors."""
        await self.s.submit(self.s.button(self.SAVE.label))
        errors = await self.s.visible_errors()
        retry = [e for e in errors if UPLOAD_RETRY in e]
        rest = [e for e in errors if UPLOAD_RETRY not in e]
        if rest:
            raise PortalRejected("el portal rechazó el borrador", errors=tuple(rest))
        if not retry and SAVED not in await self.s.message():
            raise PortalError("Guardar no confirmó el borrador")
        return retry

    async def finalize(self) -> None:
        await self.s.submit(self.s.button(self.FINALIZE.label))
        errors = await self.s.visible_errors()
        if errors:
            raise PortalRejected(
                "el portal no aceptó Finalizar el registro", errors=tuple(errors), url=self.s.path
            )
        if FINALIZED not in await self.s.message():
            raise PortalError("Finalizar no confirmó el registro del proveedor")

    async def shown_values(self, values: SupplierValues) -> dict[str, str]:
        """What the draft form shows for each field the robot filled (by label)."""
        read = await self.controls([f.label for f in values.all_fields])
        shown: dict[str, str] = {}
        for item in values.all_fields:
            if item.label in read:
                shown[item.label] = read[item.label].value
                continue
            if item.kind == "radio":
                group = self.s.page.get_by_role("radiogroup", name=item.label)
                checked = group.locator("input:checked")
                shown[item.label] = (
                    (await checked.get_attribute("value") or "") if await checked.count() else ""
                )
                continue
            shown[item.label] = await self.s.field(item.label).input_value()
        return shown
