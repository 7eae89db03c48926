"""The baseline of bench/robot.py: the robot's page actions as a minimal hand-written script.

Plain async Playwright, per supplier, in one Chromium with one context per supplier (as the
robot): Registrar usuario, the activation mail over IMAP (the project's MailWatcher: the same
mail path as the robot), the link opened, Ingresar, Validar + Registrar Entidad + Generar
formulario, every field of Registro de Proveedor with the lupas, the prepared files, Guardar,
Finalizar, and the supplier opened in the Directorio SECOP as the logged-in user.

No ledger, no retries, no page objects, no probes before creating, no reading back: what a
person would write in an afternoon, knowing that nothing goes wrong. The values come from the
same profile-to-form mapping as the robot's (``robot.portal.mapping``: pure data), so both type
exactly the same thing.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Browser, Locator, Page

from robot.mail import ACTIVATION_KINDS, MailWatcher
from robot.portal.mapping import FieldValue, SupplierValues, user_fields
from robot.portal_rules import DOCUMENT_SLOTS
from robot.profiles.models import Profile

CONTEXT = {
    "locale": "es-CO",
    "timezone_id": "America/Bogota",
    "viewport": {"width": 1280, "height": 900},
}
LOGIN = "/STS/Users/Login/Index?SkinName=CCE&currentLanguage=es-CO&Page=login&Country=CO"
READ_ONLY = ("Nit", "Dígito de verificación")  # fixed by Generar formulario


@dataclass
class Supplier:
    """What the script needs for one supplier, prepared before the clock starts."""

    profile: Profile
    values: SupplierValues
    password: str
    files: dict[str, Path]  # slot → prepared file (the robot's documents step, done ahead)
    marks: dict[str, float] = field(default_factory=dict)  # phase → seconds since start


def by_label(page: Page, label: str) -> Locator:
    return page.get_by_label(re.compile(r"^\s*" + re.escape(label) + r"(\s*\*)?\s*$"))


async def click_and_wait(page: Page, control: Locator) -> None:
    async with page.expect_navigation(wait_until="domcontentloaded"):
        await control.click()


def button(page: Page, name: str) -> Locator:
    return page.get_by_role("button", name=name, exact=True)


async def fill(page: Page, item: FieldValue) -> None:
    if item.kind == "radio":
        group = page.get_by_role("radiogroup", name=item.label)
        await group.get_by_label(item.value, exact=True).check()
    elif item.kind == "select":
        await by_label(page, item.label).select_option(value=item.value)
    elif item.value:
        await by_label(page, item.label).fill(item.value)


async def lupa(page: Page, opener: str, search: dict[str, str], pick: str) -> None:
    async with page.expect_popup() as info:
        await button(page, opener).click()
    popup = await info.value
    await popup.wait_for_load_state("domcontentloaded")
    for label, value in search.items():
        control = by_label(popup, label)
        if label == "Departamento":
            await control.select_option(value=value)
        else:
            await control.fill(value)
    await button(popup, "Buscar").click()
    await popup.wait_for_load_state("domcontentloaded")
    async with popup.expect_event("close"):
        try:
            await popup.locator(pick).click(no_wait_after=True)
        except Exception as err:  # the pop-up closes itself on the click
            if "closed" not in str(err):
                raise


async def onboard(browser: Browser, base: str, watcher: MailWatcher, s: Supplier) -> None:
    start = time.perf_counter()

    def mark(phase: str) -> None:
        s.marks[phase] = time.perf_counter() - start

    context = await browser.new_context(**CONTEXT)  # type: ignore[arg-type]
    page = await context.new_page()
    try:
        await user(page, base, watcher, s, mark)
        await account(page, base, s, mark)
    finally:
        await context.close()


async def user(
    page: Page, base: str, watcher: MailWatcher, s: Supplier, mark: Callable[[str], None]
) -> None:
    admin = s.profile.administrator
    # 1. Registrar usuario; the watcher knows the mail is coming before the click
    await page.goto(base + "/STS/Users/Register/Index", wait_until="domcontentloaded")
    for item in user_fields(admin):
        await fill(page, item)
    await by_label(page, "Contraseña").fill(s.password)
    await by_label(page, "Confirmar contraseña").fill(s.password)
    await by_label(page, "Acepto los términos y condiciones de uso").check()
    await by_label(page, "Autorizo el tratamiento de mis datos personales").check()
    expectation = await watcher.register(admin.email, ACTIVATION_KINDS)
    await click_and_wait(page, button(page, "Registrar"))
    mark("register")
    # 2. the activation mail, its link
    found = await expectation.wait(120)
    mark("mail")
    assert found.link is not None
    await page.goto(found.link, wait_until="domcontentloaded")
    mark("activate")
    # 3. Ingresar
    await page.goto(base + LOGIN, wait_until="domcontentloaded")
    await by_label(page, "Usuario").fill(admin.username)
    await by_label(page, "Contraseña").fill(s.password)
    await click_and_wait(page, button(page, "Ingresar"))
    mark("login")


async def account(page: Page, base: str, s: Supplier, mark: Callable[[str], None]) -> None:
    supplier = s.profile.supplier
    # 4. Crear o solicitar acceso a una Entidad → Validar → Registrar Entidad → Generar
    await by_label(page, "Nombre").fill(supplier.legal_name)
    await by_label(page, "NIT").fill(supplier.nit)
    await click_and_wait(page, button(page, "Validar"))
    await click_and_wait(page, button(page, "Registrar Entidad"))
    await by_label(page, "Tipo").select_option(label="Proveedor")
    await by_label(page, "Área de negocio").select_option(label="Privado")
    await by_label(page, "Tipo de organización").select_option(label=s.values.organization_type)
    await click_and_wait(page, button(page, "Generar formulario"))
    mark("entity")
    # 5. Registro de Proveedor: every field, the lupas
    for item in s.values.all_fields:
        if item.label not in READ_ONLY:
            await fill(page, item)
    where = s.values.location
    if where is not None:
        await lupa(
            page,
            "Buscar municipio",
            {"Departamento": where.departamento_code, "Municipio": where.municipio_name},
            f"#btnSelect_{where.municipio_code}",
        )
    for code in s.values.unspsc:
        await lupa(
            page, "Buscar código UNSPSC", {"Código o descripción": code}, f"#btnSelect_{code}"
        )
        await page.locator(f"#trUnspsc_{code}").wait_for()
    await page.locator(f"#rdbPrincipal_{s.values.unspsc[0]}").check()
    mark("form")
    # 6. the prepared files, Guardar, Finalizar
    for slot, path in s.files.items():
        await by_label(page, DOCUMENT_SLOTS[slot].label).set_input_files(path)
    await click_and_wait(page, button(page, "Guardar"))
    mark("save")
    await click_and_wait(page, button(page, "Finalizar"))
    message = await page.locator("#divMessage").inner_text()
    assert "finalizado" in message, message
    mark("finalize")
    # 7. the supplier in the Directorio SECOP, as the logged-in administrator
    await page.goto(base + "/Public/Directory/Index", wait_until="domcontentloaded")
    await by_label(page, "Nombre o NIT del proveedor").fill(supplier.nit)
    await click_and_wait(page, button(page, "Buscar"))
    await click_and_wait(page, page.locator("#tblSuppliers a[id^=lnkSupplier_]").first)
    await page.locator("#tblDocuments a[id^=lnkDoc_]").first.wait_for()
    mark("directory")


async def run_batch(
    browser: Browser, base: str, watcher: MailWatcher, suppliers: list[Supplier], concurrency: int
) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(s: Supplier) -> None:
        async with gate:
            await onboard(browser, base, watcher, s)

    await asyncio.gather(*(one(s) for s in suppliers))
