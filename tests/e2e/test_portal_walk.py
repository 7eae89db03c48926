"""The whole mock portal walked as two people would, in real Chromium, with mail over real IMAP.

Once per IMAP server of the mail stack (pymap and Dovecot): an administrator registers,
activates from the mail, creates the supplier account with its documents and finalizes it; a
second person registers, finds the supplier and requests access; the administrator accepts; the
second person gets the mail and enters the account; anyone finds the supplier and downloads
its documents in the Directorio SECOP.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from robot.portal_rules import nit_check_digit
from tests.fixtures.mail import require_dovecot
from tests.fixtures.portal import PortalProcess, start_portal
from tests.mock_portal.supplier_helpers import JPG, PDF, pick_from_lupa

pytestmark = pytest.mark.browser
PASSWORD = "Caminata#2026"
LINK = re.compile(r"https?://[^\s\"<>]+/STS/Users/Register/Confirm\?token=[\w-]+")


@pytest.fixture(params=["pymap", "dovecot"])
def walk_portal(request: pytest.FixtureRequest) -> Iterator[PortalProcess]:
    if request.param == "dovecot":
        require_dovecot()
    running = start_portal("--mail-backend", request.param)
    assert running.info["backend"] == request.param
    yield running
    running.stop()


def _log_in(page: Page, portal: PortalProcess, username: str) -> None:
    page.goto(portal.url)
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()


def _register_and_activate(page: Page, portal: PortalProcess, who: dict[str, str]) -> None:
    """Sections 1 and 2: Registrar usuario, then the activation link from the mail."""
    page.goto(portal.url)
    page.get_by_role("link", name="Registrarse").click()
    page.get_by_label("Nombre(s)").fill(who["first"])
    page.get_by_label("Apellido(s)").fill(who["last"])
    page.get_by_label("Tipo de identificación").select_option(label="Cédula de Ciudadanía")
    page.get_by_label("Número de identificación").fill(who["cc"])
    page.get_by_label(re.compile(r"^Correo electrónico")).fill(who["email"])
    page.get_by_label("Confirmar correo electrónico").fill(who["email"])
    page.get_by_label("Teléfono").fill("+57 300 5551234")
    page.get_by_label("Nombre de usuario").fill(who["username"])
    page.get_by_label(re.compile(r"^Contraseña")).fill(PASSWORD)
    page.get_by_label("Confirmar contraseña").fill(PASSWORD)
    page.get_by_label("Acepto los términos y condiciones de uso").check()
    page.get_by_label("Autorizo el tratamiento de mis datos personales").check()
    page.get_by_role("button", name="Registrar").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Se ha enviado un correo electrónico a {who['email']}"
    )
    [mail] = portal.wait_for_mail(to=who["email"], subject="Confirmación de registro de usuario")
    assert mail.from_values is not None and mail.from_values.name == "SECOP II"
    links = set(LINK.findall(mail.text)) | set(LINK.findall(mail.html))
    assert len(links) == 1, links
    page.goto(links.pop())
    expect(page.get_by_role("status")).to_contain_text("fue activado")


def _fill_supplier_form(page: Page, tag: str, nit: str, files: dict[str, bytes]) -> None:
    """Registro de Proveedor: every mandatory field, lupas, UNSPSC and the documents."""
    expect(page.get_by_role("heading", name="Registro de Proveedor")).to_be_visible()
    page.get_by_label("Nombre Abreviado").fill(f"ANDES {tag}".upper())
    # Nit and DV were fixed by Generar formulario: read-only, checked, never filled.
    expect(page.get_by_role("textbox", name="Nit", exact=True)).to_have_value(nit)
    expect(page.get_by_role("textbox", name="Nit", exact=True)).not_to_be_editable()
    expect(page.get_by_label("Dígito de verificación")).to_have_value(nit_check_digit(nit))
    expect(page.get_by_label("Dígito de verificación")).not_to_be_editable()
    page.get_by_label("Dirección").fill("Calle 26 # 69-76, oficina 1203")
    pick_from_lupa(
        page,
        "Buscar municipio",
        {"Departamento": "BOGOTÁ, D.C.", "Municipio": "bogota"},
        "Seleccionar BOGOTÁ, D.C.",
    )
    page.get_by_role("textbox", name="Teléfono", exact=True).fill("+57 601 7435000")
    page.get_by_label("Correo electrónico para notificaciones SECOP").fill(
        f"t+notif{tag}@proveedores.test"
    )
    page.get_by_label("Tamaño de empresa").select_option(label="Mediana empresa")
    page.get_by_role("radiogroup", name="¿Es MiPyme?").get_by_label("Sí").check()
    pick_from_lupa(
        page, "Buscar código UNSPSC", {"Código o descripción": "81111500"}, "Seleccionar 81111500"
    )
    page.get_by_label("Nombres del representante legal").fill("Camila Andrea")
    page.get_by_label("Apellidos del representante legal").fill("Restrepo Ñáñez")
    page.get_by_label("Tipo de documento del representante legal").select_option(
        label="Cédula de Ciudadanía"
    )
    page.get_by_label("Número de documento del representante legal").fill("52333444")
    page.get_by_label("Teléfono del representante legal").fill("3157778899")
    page.get_by_label("Correo electrónico del representante legal").fill(
        f"t+rep{tag}@proveedores.test"
    )
    page.get_by_label("RUT (Registro Único Tributario)").set_input_files(
        {"name": "rut.pdf", "mimeType": "application/pdf", "buffer": files["rut.pdf"]}
    )
    page.get_by_label("Certificado de existencia y representación legal").set_input_files(
        {"name": "existencia.pdf", "mimeType": "application/pdf", "buffer": files["existencia.pdf"]}
    )
    page.get_by_label("Cédula del representante legal").set_input_files(
        {"name": "cedula.jpg", "mimeType": "image/jpeg", "buffer": files["cedula.jpg"]}
    )


def test_two_people_walk_every_page(walk_portal: PortalProcess, browser: Browser) -> None:
    portal = walk_portal
    tag = uuid.uuid4().hex[:8]
    nit = f"90{int(tag, 16) % 10**7:07d}"
    name = f"Soluciones Andinas {tag} S.A.S."
    admin = {
        "first": "Camila",
        "last": "Restrepo",
        "cc": "52333444",
        "email": f"tramites+admin-{tag}@proveedores.test",
        "username": f"admin_{tag}",
    }
    second = {
        "first": "Julián",
        "last": "Gómez Peña",
        "cc": "80111222",
        "email": f"tramites+user-{tag}@proveedores.test",
        "username": f"user_{tag}",
    }
    files = {"rut.pdf": PDF + tag.encode(), "existencia.pdf": PDF, "cedula.jpg": JPG}
    new_page: Callable[[], Page] = lambda: browser.new_context(locale="es-CO").new_page()  # noqa: E731

    # 1. The administrator: user, activation, Crear entidad, Registro de Proveedor, Finalizar.
    page = new_page()
    _register_and_activate(page, portal, admin)
    _log_in(page, portal, admin["username"])
    page.get_by_label("Nombre", exact=True).fill(name)
    page.get_by_label("NIT", exact=True).fill(nit)
    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_text("No se encontró ninguna entidad")).to_be_visible()
    page.get_by_role("button", name="Registrar Entidad").click()
    page.get_by_label("Tipo de organización").select_option(
        label="Sociedad por acciones simplificada"
    )
    page.get_by_role("button", name="Generar formulario").click()
    _fill_supplier_form(page, tag, nit, files)
    page.get_by_role("button", name="Finalizar").click()
    expect(page.get_by_text("El registro de proveedor fue finalizado")).to_be_visible()
    for slot, filename in (("rut", "rut.pdf"), ("cedula_representante", "cedula.jpg")):
        [doc] = [
            d
            for d in portal.state()["documents"]
            if d["slot"] == slot
            and d["filename"] == filename
            and d["sha256"] == hashlib.sha256(files[filename]).hexdigest()
        ]
        assert doc["size"] == len(files[filename])
    page.context.close()

    # 2. The second person: user, activation, finds the supplier by NIT, requests access.
    page = new_page()
    _register_and_activate(page, portal, second)
    _log_in(page, portal, second["username"])
    page.get_by_label("NIT", exact=True).fill(
        f"{nit[:3]}.{nit[3:6]}.{nit[6:]}-{nit_check_digit(nit)}"
    )
    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_text(name)).to_be_visible()
    page.get_by_role("button", name="Solicitud de acceso").click()
    page.get_by_role("button", name="Finalizar").click()
    expect(page.get_by_text("Pendiente").first).to_be_visible()
    [request_mail] = portal.wait_for_mail(to=admin["email"], subject="Solicitud de acceso")
    assert second["email"] in request_mail.text
    page.context.close()

    # 3. The administrator accepts the request in Administración de usuarios.
    page = new_page()
    _log_in(page, portal, admin["username"])
    expect(page.get_by_role("row", name=second["email"])).to_be_visible()
    page.get_by_role("link", name="Administración de usuarios").click()
    page.get_by_role("row", name=second["email"]).get_by_role(
        "button", name="Aceptar acceso"
    ).click()
    expect(page.get_by_role("row", name=second["email"])).to_contain_text("Aceptado")
    page.context.close()

    # 4. The second person gets the mail and now enters the supplier's account.
    portal.wait_for_mail(to=second["email"], subject="Solicitud de acceso aceptada")
    page = new_page()
    _log_in(page, portal, second["username"])
    expect(page).to_have_url(re.compile(r"/CO1Marketplace/Desktop/Index\?mkey="))
    expect(page.get_by_text(name).first).to_be_visible()
    page.context.close()

    # 5. Anyone finds the supplier in the Directorio SECOP; its documents are for users with
    #    access to an account (PORTAL.md 1), so an anonymous visitor sees none of them.
    page = new_page()
    page.goto(portal.url + "/Public/Directory/Index")
    page.get_by_label("Nombre o NIT del proveedor").fill(name.split()[1])
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("link", name=name).click()
    expect(page.locator("#lblNit")).to_have_text(f"{nit}-{nit_check_digit(nit)}")
    expect(page.locator("#lblDocumentsLoginRequired")).to_be_visible()
    expect(page.get_by_role("link", name="rut.pdf")).to_have_count(0)
    page.context.close()
    page = new_page()
    _log_in(page, portal, second["username"])
    page.goto(portal.url + "/Public/Directory/Index")
    page.get_by_label("Nombre o NIT del proveedor").fill(name.split()[1])
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("link", name=name).click()
    for filename in ("rut.pdf", "cedula.jpg"):
        with page.expect_download() as info:
            page.get_by_role("link", name=filename).click()
        assert info.value.path().read_bytes() == files[filename]
    page.context.close()
