"""The pages the other browser tests do not reach, walked in real Chromium as a person would.

Login with the CAPTCHA, an unconfirmed user's refusal and Reenviar correo, Mis registros →
Nuevo registro, Salir; the account selector and every action of Administración de usuarios,
Crear and the created user's choose-password page; visible and hidden errors on Registrar
usuario and Registro de Proveedor; an error page; the maintenance page. Mail over real IMAP.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from robot.mock_portal.seed import seed_account, seed_user
from tests.fixtures.portal import PortalProcess
from tests.mock_portal.web_client import (
    PASSWORD,
    mail_link,
    request_access,
    seeded_account,
    state_of,
    tag,
    unique_nit,
)

pytestmark = pytest.mark.browser


def _log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()


def _shown_errors(page: Page) -> set[str]:
    """Ids of the fields whose error span is visible (``<id>Failure``)."""
    ids = page.locator(".error-text[id$=Failure]:visible").evaluate_all(
        "spans => spans.map(s => s.id)"
    )
    return {i.removesuffix("Failure") for i in ids}


def test_captcha_unconfirmed_user_resend_mis_registros_and_salir(
    page: Page, make_portal: Callable[..., PortalProcess]
) -> None:
    portal = make_portal(faults=["captcha=once"])
    t = tag()
    username, email = f"pend_{t}", f"t+pend{t}@proveedores.test"
    seed_user(portal.store(), username=username, password=PASSWORD, email=email, active=False)
    failure = page.locator("#divLoginFailure")

    page.goto(portal.url)
    captcha = page.get_by_label("Escriba el texto de la imagen")
    expect(captcha).to_be_visible()
    expect(failure).to_be_hidden()
    captcha.fill("00000")  # never a code: 0 is not in the CAPTCHA's alphabet
    _log_in(page, username)
    expect(failure).to_have_text("El texto de la imagen no coincide.")
    code = page.locator("#imgCaptcha").inner_text()
    page.get_by_label("Escriba el texto de la imagen").fill(code.lower())  # case is ignored
    _log_in(page, username)
    expect(failure).to_contain_text("Su usuario aún no ha sido activado")
    expect(page.get_by_label("Escriba el texto de la imagen")).to_have_count(0)  # passed once

    page.get_by_role("link", name="Reenviar correo").click()
    expect(page.get_by_label("Nombre de usuario o correo electrónico")).to_have_value(username)
    page.get_by_role("button", name="Reenviar correo").click()
    expect(page.get_by_role("status")).to_contain_text("se ha enviado un nuevo correo")
    [mail] = portal.wait_for_mail(to=email, subject="Confirmación de registro de usuario")
    page.goto(portal.url + mail_link(mail.text))
    expect(page.get_by_role("status")).to_contain_text("fue activado")
    page.get_by_role("link", name="Ingresar").click()
    _log_in(page, username)

    heading = page.get_by_role("heading", name="Crear o solicitar acceso a una Entidad")
    expect(heading).to_be_visible()
    page.get_by_role("link", name="Configuraciones del usuario").click()
    expect(page.locator("#lblNoRegistrations")).to_have_text(
        "Usted aún no pertenece a ninguna cuenta."
    )
    page.get_by_role("button", name="Nuevo registro").click()
    expect(heading).to_be_visible()
    expect(page).to_have_url(re.compile(r"/Companies/Entity/Index\?mkey="))
    page.get_by_role("link", name="Salir").click()
    expect(page.get_by_role("status")).to_have_text("Ha cerrado su sesión.")
    expect(page.get_by_label("Usuario")).to_be_visible()


def _row(page: Page, email: str) -> Locator:
    return page.get_by_role("row", name=email)


def test_account_selector_user_administration_and_crear(
    page: Page, browser: Browser, portal: PortalProcess
) -> None:
    account = seeded_account(portal)
    t = tag()
    consorcio = f"Consorcio Vial {t}"
    seed_account(portal.store(), account.admin_id, name=consorcio, nit=unique_nit())
    rejected_id, rejected, _ = request_access(portal, account)
    cancelled_id, cancelled, _ = request_access(portal, account)

    # The administrator belongs to two accounts: the selector comes first.
    page.goto(portal.url)
    _log_in(page, account.admin_username)
    expect(
        page.get_by_role("heading", name="Seleccione la cuenta con la que desea ingresar")
    ).to_be_visible()
    expect(page.locator("#seldpCompanyFailure")).to_be_hidden()
    page.get_by_role("button", name="Entrar").click()
    expect(page.locator("#seldpCompanyFailure")).to_have_text("Seleccione una cuenta.")
    page.get_by_label("Cuenta").select_option(label=f"{account.name} (NIT {account.nit})")
    page.get_by_role("button", name="Entrar").click()
    expect(page.locator("#lblAccountName")).to_have_text(account.name)

    # Rechazar, then Revertir rechazo; Aceptar, then Cancelar.
    page.get_by_role("link", name="Administración de usuarios").click()
    _row(page, rejected).get_by_role("button", name="Rechazar acceso").click()
    expect(page.get_by_role("status")).to_contain_text("Se rechazó el acceso")
    expect(_row(page, rejected)).to_contain_text("Rechazado")
    _row(page, rejected).get_by_role("button", name="Revertir rechazo del acceso").click()
    expect(page.get_by_role("status")).to_contain_text("Se revirtió el rechazo")
    expect(_row(page, rejected)).to_contain_text("Pendiente")
    _row(page, cancelled).get_by_role("button", name="Aceptar acceso").click()
    expect(_row(page, cancelled)).to_contain_text("Aceptado")
    _row(page, cancelled).get_by_role("button", name="Cancelar acceso").click()
    expect(page.get_by_role("status")).to_contain_text("Se canceló el acceso")
    expect(_row(page, cancelled)).to_contain_text("Cancelado")
    assert state_of(portal, rejected_id, account.id)["state"] == "Pendiente"  # type: ignore[index]
    assert state_of(portal, cancelled_id, account.id)["state"] == "Cancelado"  # type: ignore[index]
    portal.wait_for_mail(to=rejected, subject="Solicitud de acceso de nuevo pendiente")
    portal.wait_for_mail(to=cancelled, subject="Acceso cancelado")

    # Crear: a wrong e-mail first, shown next to its field only.
    created, created_email = f"creado_{t}", f"t+creado{t}@proveedores.test"
    page.get_by_role("link", name="Crear", exact=True).click()
    page.get_by_label("Nombre(s)").fill("Marta")
    page.get_by_label("Apellido(s)").fill("Lucía Ortega")
    page.get_by_label("Tipo de identificación").select_option(label="Cédula de Ciudadanía")
    page.get_by_label("Número de identificación").fill("52987654")
    page.get_by_label(re.compile(r"^Correo electrónico")).fill("marta-sin-arroba")
    page.get_by_label("Confirmar correo electrónico").fill("marta-sin-arroba")
    page.get_by_label("Teléfono").fill("3105550000")
    page.get_by_label("Nombre de usuario").fill(created)
    page.get_by_role("button", name="Crear").click()
    expect(page.locator("#txtEmailFailure")).to_contain_text("Escriba un correo electrónico válido")
    assert _shown_errors(page) == {"txtEmail"}
    expect(page.get_by_label("Nombre(s)")).to_have_value("Marta")
    page.get_by_label(re.compile(r"^Correo electrónico")).fill(created_email)
    page.get_by_label("Confirmar correo electrónico").fill(created_email)
    page.get_by_role("button", name="Crear").click()
    expect(page.get_by_role("status")).to_contain_text(f"Se creó el usuario {created}")
    expect(_row(page, created_email)).to_contain_text("Aceptado")

    # The created user chooses a password from the mail's link, then enters the account.
    [mail] = portal.wait_for_mail(to=created_email, subject="Se ha creado su usuario")
    other = browser.new_context(locale="es-CO").new_page()
    other.goto(portal.url + mail_link(mail.text))
    expect(other.locator("#lblNewUserName")).to_have_text(created)
    expect(other.get_by_role("link", name="Salir")).to_have_count(0)  # nobody is logged in
    other.get_by_label(re.compile(r"^Contraseña")).fill(PASSWORD)
    other.get_by_label("Confirmar contraseña").fill("Otra#Clave2026")
    other.get_by_label(re.compile(r"^Acepto los términos")).check()
    other.get_by_label(re.compile(r"^Autorizo el tratamiento")).check()
    other.get_by_role("button", name="Activar usuario").click()
    expect(other.locator("#txtPasswordConfirmFailure")).to_have_text(
        "Las contraseñas no coinciden."
    )
    assert _shown_errors(other) == {"txtPasswordConfirm"}
    other.get_by_label(re.compile(r"^Contraseña")).fill(PASSWORD)
    other.get_by_label("Confirmar contraseña").fill(PASSWORD)
    other.get_by_role("button", name="Activar usuario").click()
    expect(other.get_by_role("status")).to_contain_text("fue activado")
    other.get_by_role("link", name="Ingresar").click()
    _log_in(other, created)
    expect(other.locator("#lblAccountName")).to_have_text(account.name)
    other.context.close()


def test_visible_and_hidden_errors_and_an_error_page(page: Page, portal: PortalProcess) -> None:
    # Registrar usuario: every error span is in the page, hidden until Registrar.
    page.goto(portal.url)
    page.get_by_role("link", name="Registrarse").click()
    expect(page.locator(".error-text[id$=Failure]").first).to_be_attached()
    assert _shown_errors(page) == set()
    expect(page.locator("#divErrorSummary")).to_be_hidden()
    email = f"t+{tag()}@proveedores.test"
    page.get_by_label("Nombre(s)").fill("Pedro")
    page.get_by_label("Tipo de identificación").select_option(label="Cédula de Ciudadanía")
    page.get_by_label("Número de identificación").fill("12")
    page.get_by_label(re.compile(r"^Correo electrónico")).fill(email)
    page.get_by_label("Confirmar correo electrónico").fill("otro" + email)
    page.get_by_label("Teléfono").fill("3001112233")
    page.get_by_label("Nombre de usuario").fill("ab")
    page.get_by_label(re.compile(r"^Contraseña")).fill("corta")
    page.get_by_label("Confirmar contraseña").fill("corta")
    page.get_by_role("button", name="Registrar").click()
    assert _shown_errors(page) == {
        "txtLastName",
        "txtIdNumber",
        "txtEmailConfirm",
        "txtUserName",
        "txtPassword",
        "chkTerms",
        "chkDataPolicy",
    }
    expect(page.locator("#txtLastNameFailure")).to_have_text("Este campo es obligatorio.")
    expect(page.locator("#txtEmailConfirmFailure")).to_have_text(
        "Los correos electrónicos no coinciden."
    )
    expect(page.locator("#txtFirstNameFailure")).to_be_hidden()
    expect(page.locator("#divErrorSummary")).to_have_text(
        "Corrija los campos marcados: 7 error(es)."
    )
    expect(page.get_by_label("Nombre(s)")).to_have_value("Pedro")
    expect(page.get_by_label(re.compile(r"^Contraseña"))).to_have_value("")

    # Registro de Proveedor: Finalizar shows what is missing, Guardar only what is malformed.
    t = tag()
    admin_id = seed_user(
        portal.store(), username=f"prov_{t}", password=PASSWORD, email=f"t+p{t}@proveedores.test"
    )
    seed_account(portal.store(), admin_id, name=f"Tornillos {t} S.A.S.", nit=None, status="draft")
    page.goto(portal.url)
    _log_in(page, f"prov_{t}")
    expect(page.get_by_role("heading", name="Registro de Proveedor")).to_be_visible()
    assert _shown_errors(page) == set()
    page.get_by_role("textbox", name="Nit", exact=True).fill("12ab")
    page.get_by_label("Dirección").fill("Calle 1 # 2-3")
    page.get_by_role("button", name="Finalizar").click()
    shown = _shown_errors(page)
    expected_missing = {"txtDv", "txtPhone", "txtEmail", "txtMunicipio", "txtRepFirstName"}
    assert expected_missing | {"txtNit", "tblUnspsc", "fileDoc_rut"} <= shown
    assert not shown & {"txtName", "txtShortName", "txtAddress", "txtFax", "txtWebsite"}
    expect(page.locator("#txtNitFailure")).to_contain_text("El Nit no es válido")
    expect(page.locator("#txtPhoneFailure")).to_have_text("El campo Teléfono es obligatorio.")
    expect(page.locator("#ulErrorSummary")).to_be_visible()
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator("#divMessage")).to_contain_text("Borrador guardado")
    assert _shown_errors(page) == {"txtNit"}
    expect(page.get_by_label("Dirección")).to_have_value("Calle 1 # 2-3")

    # An unknown page: a Spanish error page with a way back, no trace.
    response = page.goto(portal.url + "/CO1Marketplace/No/Existe")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Página no encontrada")).to_be_visible()
    expect(page.locator("#lblErrorMessage")).to_be_visible()
    expect(page.get_by_text("Traceback")).to_have_count(0)
    page.get_by_role("link", name="Volver al inicio").click()
    expect(page.get_by_role("button", name="Ingresar")).to_be_visible()


def test_the_maintenance_page(page: Page, make_portal: Callable[..., PortalProcess]) -> None:
    portal = make_portal(faults=["maintenance=[{start_seconds: 0, duration_seconds: 600}]"])
    for path in ("/", "/Public/Directory/Index"):
        response = page.goto(portal.url + path)
        assert response is not None and response.status == 503
        expect(page.get_by_role("heading", name="Plataforma en mantenimiento")).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text("mantenimiento programado")
    expect(page.get_by_label("Usuario")).to_have_count(0)
