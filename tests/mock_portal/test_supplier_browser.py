"""One person's whole Registro de Proveedor in real Chromium, then the Directorio SECOP."""

from __future__ import annotations

import hashlib
import random
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from robot.mock_portal.seed import seed_account, seed_user
from robot.portal_rules import nit_check_digit
from tests.fixtures.portal import PortalProcess
from tests.mock_portal.supplier_helpers import JPG, PASSWORD, PDF, pick_from_lupa

pytestmark = pytest.mark.browser
# Labels end with an aria-hidden red asterisk: get_by_label(exact=True) sees "Nit *", while
# get_by_role(name=..., exact=True) uses the accessible name "Nit". Short labels that are
# part of longer ones (Nit, Teléfono, Municipio) are therefore found by role.


def test_a_person_registers_a_supplier_and_finds_it_in_the_directory(
    page: Page, portal: PortalProcess, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    store = portal.store()
    user_id = seed_user(
        store, username=f"prov_{tag}", password=PASSWORD, email=f"t+{tag}@proveedores.test"
    )
    seed_account(store, user_id, name=f"Tornillos {tag} S.A.S.", nit=None, status="draft")
    nit = "9" + "".join(random.choice("0123456789") for _ in range(8))
    notify = f"t+notif{tag}@proveedores.test"

    page.goto(portal.url)
    page.get_by_label("Usuario").fill(f"prov_{tag}")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Registro de Proveedor")).to_be_visible()

    name = f"Tornillería Ñ {tag} S.A.S."
    page.get_by_label("Nombre de la Entidad Estatal").fill(name)
    page.get_by_label("Nombre Abreviado").fill(f"TORNILLERIA {tag}".upper())
    page.get_by_role("textbox", name="Nit", exact=True).fill(nit)
    page.get_by_label("Dígito de verificación").fill(nit_check_digit(nit))
    page.get_by_label("Dirección").fill("Carrera 50 # 10-20")
    expect(page.get_by_label("País")).to_have_value("CO")
    pick_from_lupa(
        page,
        "Buscar municipio",
        {"Departamento": "ANTIOQUIA", "Municipio": "medellin"},
        "Seleccionar MEDELLÍN",
    )
    expect(page.get_by_role("textbox", name="Municipio", exact=True)).to_have_value("MEDELLÍN")
    expect(page.get_by_label("Departamento")).to_have_value("ANTIOQUIA")
    page.get_by_role("textbox", name="Teléfono", exact=True).fill("+57 604 4441234")
    page.get_by_label("Correo electrónico para notificaciones SECOP").fill(notify)
    page.get_by_label("Tamaño de empresa").select_option(label="Pequeña empresa")
    page.get_by_role("radiogroup", name="¿Es MiPyme?").get_by_label("Sí").check()
    pick_from_lupa(
        page, "Buscar código UNSPSC", {"Código o descripción": "tornillos"}, "Seleccionar 31161500"
    )
    pick_from_lupa(
        page, "Buscar código UNSPSC", {"Código o descripción": "271117"}, "Seleccionar 27111700"
    )
    expect(page.get_by_label("Principal 31161500")).to_be_checked()  # the first one added
    page.get_by_label("Nombres del representante legal").fill("Ana Lucía")
    page.get_by_label("Apellidos del representante legal").fill("Zuluaga Mejía")
    page.get_by_label("Tipo de documento del representante legal").select_option(
        label="Cédula de Ciudadanía"
    )
    page.get_by_label("Número de documento del representante legal").fill("43999888")
    page.get_by_label("Teléfono del representante legal").fill("3104445566")
    page.get_by_label("Correo electrónico del representante legal").fill(
        f"t+rep{tag}@proveedores.test"
    )
    rut = PDF + tag.encode()
    page.get_by_label("RUT (Registro Único Tributario)").set_input_files(
        {"name": "rut.pdf", "mimeType": "application/pdf", "buffer": rut}
    )
    page.get_by_label("Certificado de existencia y representación legal").set_input_files(
        {"name": "camara.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    cedula = tmp_path / "cédula.jpg"
    cedula.write_bytes(JPG)
    page.get_by_label("Cédula del representante legal").set_input_files(cedula)

    page.get_by_role("button", name="Guardar").click()
    expect(page.locator("#divMessage")).to_contain_text("Borrador guardado")
    expect(page.locator("#spnDocSha_rut")).to_have_text(hashlib.sha256(rut).hexdigest())
    # Once a slot holds a file, its label still finds only the file input (strict mode), and
    # Eliminar has a name of its own that does not start with the slot's label.
    rut_input = page.get_by_label("RUT (Registro Único Tributario)")
    expect(rut_input).to_have_count(1)
    expect(rut_input).to_have_attribute("type", "file")
    expect(page.get_by_label("Cédula del representante legal")).to_have_count(1)
    expect(
        page.get_by_role("button", name="Eliminar el archivo cargado: rut.pdf", exact=True)
    ).to_have_id("btnDeleteDoc_rut")
    expect(page.locator("#spnDocName_cedula_representante")).to_have_text("cédula.jpg")
    page.get_by_label("Principal 27111700").check()
    page.get_by_role("button", name="Finalizar").click()
    expect(page).to_have_url(re.compile(r"/CO1Marketplace/Desktop/Index\?.*mensaje=registrado"))
    expect(page.get_by_text("El registro de proveedor fue finalizado")).to_be_visible()
    [mail] = portal.wait_for_mail(to=notify, subject="Registro de proveedor finalizado")
    assert name in mail.text

    page.goto(portal.url + "/Public/Directory/Index")
    page.get_by_label("Nombre o NIT del proveedor").fill(nit)
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("link", name=name).click()
    expect(page.locator("#lblNit")).to_have_text(f"{nit}-{nit_check_digit(nit)}")
    expect(page.locator("#lblUnspscCode")).to_have_text("27111700")
    expect(page.locator("#lblMunicipio")).to_have_text("MEDELLÍN")
    with page.expect_download() as info:
        page.get_by_role("link", name="rut.pdf").click()
    download = info.value
    assert download.suggested_filename == "rut.pdf"
    assert Path(download.path()).read_bytes() == rut
