"""The three sections of user registration in real Chromium, with the mail read over IMAP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.fixtures.portal import PortalProcess
from tests.mock_portal.web_client import PASSWORD, mail_link, tag, unique_nit

pytestmark = pytest.mark.browser


def test_register_confirm_login_and_create_the_entity(page: Page, portal: PortalProcess) -> None:
    t = tag()
    email, username, nit = f"t+{t}@proveedores.test", f"browser_{t}", unique_nit()
    page.goto(portal.url)
    page.get_by_role("link", name="Registrarse").click()
    # section 1: Registrar usuario
    page.get_by_label("Nombre(s)").fill("Luisa")
    page.get_by_label("Apellido(s)").fill("Fernández")
    page.get_by_label("Tipo de identificación").select_option(label="Cédula de Ciudadanía")
    page.get_by_label("Número de identificación").fill("1032456789")
    page.get_by_label(re.compile(r"^Correo electrónico")).fill(email)
    page.get_by_label("Confirmar correo electrónico").fill(email)
    page.get_by_label("Teléfono").fill("+57 300 1234567")
    page.get_by_label("Nombre de usuario").fill(username)
    page.get_by_label(re.compile(r"^Contraseña")).fill(PASSWORD)
    page.get_by_label("Confirmar contraseña").fill(PASSWORD)
    page.get_by_label("Acepto los términos y condiciones de uso").check()
    page.get_by_label("Autorizo el tratamiento de mis datos personales").check()
    page.get_by_role("button", name="Registrar").click()
    # section 2: Confirmar registro, by the link in the mail
    expect(page.get_by_role("status")).to_contain_text(
        f"Se ha enviado un correo electrónico a {email} para activar su usuario"
    )
    [mail] = portal.wait_for_mail(to=email, subject="Confirmación de registro de usuario")
    page.goto(portal.url + mail_link(mail.text))
    expect(page.get_by_role("status")).to_contain_text("fue activado")
    page.get_by_role("link", name="Ingresar").click()
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    # section 3: Crear o solicitar acceso a una Entidad
    expect(
        page.get_by_role("heading", name="Crear o solicitar acceso a una Entidad")
    ).to_be_visible()
    page.get_by_label("Nombre", exact=True).fill(f"Servicios Integrales {t} S.A.S.")
    page.get_by_label("NIT", exact=True).fill(nit)
    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_text("No se encontró ninguna entidad")).to_be_visible()
    page.get_by_role("button", name="Registrar Entidad").click()
    expect(page.get_by_label(re.compile(r"^Tipo( \*)?$"))).to_have_value("Proveedor")
    expect(page.get_by_label("Área de negocio")).to_have_value("Privado")
    page.get_by_label("Tipo de organización").select_option(
        label="Sociedad por acciones simplificada"
    )
    page.get_by_role("button", name="Generar formulario").click()
    expect(page).to_have_url(
        re.compile(r"/CO1Marketplace/Companies/SupplierRegistration/Index\?mkey=")
    )
    [account] = [a for a in portal.state()["accounts"] if a["nit"] == nit]
    assert (account["status"], account["organization_type"]) == ("draft", "sas")
