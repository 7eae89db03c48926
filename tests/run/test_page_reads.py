"""The page objects read the supplier form, its documents and the Directorio page in one round
trip each (one ``evaluate``); on the mock portal in real Chromium they read exactly what one
Playwright locator per field reads (by label, as the robot finds fields on any page)."""

from __future__ import annotations

import hashlib
import random
import uuid
from pathlib import Path
from typing import Any

import pytest

from robot.mock_portal.seed import seed_account, seed_user, supplier_form
from robot.portal.mapping import SupplierValues, supplier_values
from robot.portal.pages.auth import AccountSelector, Landing, LoginPage
from robot.portal.pages.base import PortalSession
from robot.portal.pages.directory import PUBLISHED, DirectoryPage, PublishedSupplier
from robot.portal.pages.supplier import Shown, SupplierForm, Uploaded
from robot.portal_rules import nit_check_digit
from robot.profiles import load_profile
from tests.fixtures.portal import PortalProcess
from tests.run.test_pages import PASSWORD, with_session

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser


async def one_by_one(s: PortalSession, values: SupplierValues) -> dict[str, Shown]:
    """Each field through its own locators, as the page objects read them before."""
    found: dict[str, Shown] = {}
    for item in values.all_fields:
        if item.kind == "radio":
            checked = s.page.get_by_role("radiogroup", name=item.label).locator("input:checked")
            value = (await checked.get_attribute("value") or "") if await checked.count() else ""
            found[item.label] = Shown(value, True)
            continue
        control = s.field(item.label)
        found[item.label] = Shown(await control.input_value(), await control.is_editable())
    return found


async def uploads_one_by_one(s: PortalSession) -> dict[str, Uploaded]:
    rows = s.page.locator("#tblDocuments tr[data-slot]")
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


async def published_one_by_one(s: PortalSession) -> PublishedSupplier:
    page = s.page
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
        slot = await row.get_attribute("data-slot") or ""
        documents.append(Uploaded(slot, (await link.inner_text()).strip(), int(size or 0), sha))
    return PublishedSupplier(page.url, fields, tuple(documents))


def _nit() -> str:
    number = str(random.randint(800_000_000, 899_999_999))
    return number + nit_check_digit(number)


def _put(portal: PortalProcess, account: int, slot: str, name: str, data: bytes, user: int) -> None:
    portal.store().put_document(
        account,
        slot,
        {
            "filename": name,
            "content_type": "application/pdf",
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "data": data,
            "uploaded_by": user,
        },
    )


def test_one_evaluate_reads_what_one_locator_per_field_reads(
    portal: PortalProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECOP_DEMO_PASSWORD", PASSWORD)
    profile = load_profile(ROOT / "profiles" / "acme-sas.yaml")
    values = supplier_values(profile)
    name = f"lee_{uuid.uuid4().hex[:8]}"
    store = portal.store()
    user = seed_user(store, username=name, password=PASSWORD, email=f"{name}@proveedores.test")
    draft_nit, active_nit = _nit()[:-1], _nit()[:-1]
    form = {**supplier_form(profile.supplier), "nit": draft_nit, "dv": nit_check_digit(draft_nit)}
    draft = seed_account(
        store, user, name=f"Borrador {name}", nit=draft_nit, status="draft", form=form
    )
    active = seed_account(
        store,
        user,
        name=f"Publicado {name}",
        nit=active_nit,
        form={**form, "nit": active_nit, "dv": nit_check_digit(active_nit)},
        unspsc=["43211500"],
    )
    for account in (draft, active):
        _put(portal, account, "rut", f"rut {name}.pdf", b"%PDF-1.4 rut " + name.encode(), user)
        _put(portal, account, "existencia", "existencia.pdf", b"%PDF-1.4 camara", user)

    async def body(s: PortalSession) -> dict[str, Any]:
        assert await LoginPage(s).login(name, PASSWORD) is Landing.SELECTOR  # two accounts
        assert await AccountSelector(s).choose(draft_nit) is Landing.SUPPLIER_FORM
        page = SupplierForm(s)
        read = {
            "controls": await page.controls([f.label for f in values.all_fields]),
            "reference": await one_by_one(s, values),
            "shown": await page.shown_values(values),
            "uploaded": await page.uploaded(),
            "uploads_reference": await uploads_one_by_one(s),
        }
        directory = DirectoryPage(s)
        found = await directory.find(active_nit)
        read["published"] = found
        read["published_reference"] = await published_one_by_one(s)
        return read

    read = with_session(portal, body)
    assert read["controls"] == read["reference"]
    assert len(read["controls"]) == len(values.all_fields)  # every label found at once
    assert not read["controls"]["Nit"].editable and read["controls"]["Nit"].value == draft_nit
    assert read["shown"] == {k: c.value for k, c in read["reference"].items()}
    assert read["uploaded"] == read["uploads_reference"] and len(read["uploaded"]) == 2
    assert read["published"] == read["published_reference"]
    assert read["published"].fields["NIT"].startswith(active_nit)
    assert len(read["published"].documents) == 2


def test_a_label_that_names_no_single_control_is_left_to_its_locator(
    portal: PortalProcess,
) -> None:
    async def body(s: PortalSession) -> dict[str, Shown]:
        await s.page.set_content(
            '<label for="a">Correo *</label><input id="a" value="uno">'
            '<label for="b">Doble</label><input id="b"><label for="c">Doble</label><input id="c">'
            '<label for="d">Fijo</label><input id="d" value="7" readonly>'
        )
        return await SupplierForm(s).controls(["Correo", "Doble", "Falta", "Fijo"])

    assert with_session(portal, body) == {
        "Correo": Shown("uno", True),
        "Fijo": Shown("7", False),
    }
