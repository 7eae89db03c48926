"""Crear o solicitar acceso a una Entidad (PORTAL.md 3.4): Validar, Registrar Entidad."""

from __future__ import annotations

import pytest

from robot.mock_portal.seed import seed_account
from robot.portal_rules import nit_check_digit
from tests.fixtures.portal import PortalProcess
from tests.mock_portal.web_client import (
    WebClient,
    new_user,
    seeded_account,
    unique_nit,
    validate_entity,
)


def _logged_in(portal: PortalProcess) -> tuple[int, WebClient]:
    user_id, username, _ = new_user(portal)
    client = WebClient(portal.url)
    page = client.login(username)
    assert "/CO1Marketplace/Companies/Entity/Index?mkey=" in page.url
    return user_id, client


def _found_ids(page_html: str, account_id: int) -> bool:
    return f'id="btnRequestAccess{account_id}"' in page_html


def _variants(name: str, nit: str) -> list[tuple[str, str]]:
    dotted = f"{nit[:3]}.{nit[3:6]}.{nit[6:]}"
    return [
        ("", nit),
        ("", dotted),
        ("", f"{nit}-{nit_check_digit(nit)}"),
        ("", f" {dotted}-{nit_check_digit(nit)} "),
        (name.upper().replace("Í", "I"), ""),  # case and accents ignored
        ("  " + name.lower().replace(" ", "   ") + " ", ""),  # spacing ignored
        ("Otra Empresa Cualquiera", nit),  # either one matches
    ]


def test_validar_finds_by_full_name_or_nit_in_every_usual_spelling(
    portal: PortalProcess,
) -> None:
    account = seeded_account(portal)
    _, client = _logged_in(portal)
    for name, nit in _variants(account.name, account.nit):
        page = validate_entity(client, name, nit)
        assert page.status == 200, (name, nit)
        assert _found_ids(page.html, account.id), (name, nit)
        assert "Solicitud de acceso" in page.text()
        assert "Registrar Entidad" not in page.text()


def test_validar_does_not_match_part_of_a_name(portal: PortalProcess) -> None:
    account = seeded_account(portal)
    _, client = _logged_in(portal)
    partial = account.name.split(" S.A.S.")[0]
    page = validate_entity(client, partial, "")
    assert not _found_ids(page.html, account.id)
    assert "No se encontró ninguna entidad con ese nombre o NIT." in page.text()
    assert "Para registrar una entidad nueva escriba su Nombre y su NIT" in page.text()
    assert page.soup.find(id="btnRegisterEntity") is None


@pytest.mark.parametrize(
    ("nit", "message"),
    [
        ("90012A456", "6 a 10 dígitos"),
        ("12345", "6 a 10 dígitos"),
        ("900123456-1", "El dígito de verificación 1 no corresponde al NIT 900123456"),
    ],
)
def test_validar_explains_a_bad_nit(portal: PortalProcess, nit: str, message: str) -> None:
    _, client = _logged_in(portal)
    page = validate_entity(client, "Empresa", nit)
    assert page.status == 400
    assert message in page.visible_error("txtEntityNit")
    assert page.value("txtEntityNit") == nit


def test_validar_needs_name_or_nit(portal: PortalProcess) -> None:
    _, client = _logged_in(portal)
    page = validate_entity(client, "", "")
    assert page.status == 400
    assert page.visible_error("txtEntityName") == "Escriba el Nombre o el NIT de la entidad."


def test_registrar_entidad_creates_a_draft_account_with_the_user_as_admin(
    portal: PortalProcess,
) -> None:
    user_id, client = _logged_in(portal)
    nit = unique_nit()
    name = f"Comercializadora Andina {nit} S.A.S."
    page = validate_entity(client, name, f"{nit}-{nit_check_digit(nit)}")
    assert "No se encontró ninguna entidad" in page.text()
    page = client.submit(button="btnRegisterEntity")
    assert page.value("selType") == "Proveedor"
    assert page.value("selBusinessArea") == "Privado"
    page = client.submit(button="btnGenerateForm")  # Tipo de organización still missing
    assert page.status == 400
    assert page.visible_error("selOrganizationType") == "Seleccione una opción de la lista."
    page = client.submit({"selOrganizationType": "sas"}, button="btnGenerateForm")
    assert "/CO1Marketplace/Companies/SupplierRegistration/Index?mkey=" in page.url
    state = portal.state()
    [account] = [a for a in state["accounts"] if a["nit"] == nit]
    assert account["name"] == name
    assert account["dv"] == nit_check_digit(nit)
    assert (account["kind"], account["business_area"]) == ("Proveedor", "Privado")
    assert (account["organization_type"], account["status"]) == ("sas", "draft")
    [membership] = [m for m in state["memberships"] if m["account_id"] == account["id"]]
    assert (membership["user_id"], membership["role"], membership["state"]) == (
        user_id,
        "admin",
        "Aceptado",
    )


def test_generar_formulario_never_makes_a_second_account_for_a_nit(
    portal: PortalProcess,
) -> None:
    _, client = _logged_in(portal)
    nit = unique_nit()
    validate_entity(client, "Nueva Empresa", nit)
    client.submit(button="btnRegisterEntity")
    # meanwhile someone else registers the same NIT
    other_id, _, _ = new_user(portal)
    other = seed_account(portal.store(), other_id, name="Otra Razón Social", nit=nit)
    page = client.submit({"selOrganizationType": "ltda"}, button="btnGenerateForm")
    assert page.status == 409
    assert "La entidad ya está registrada en SECOP II. Solicite acceso a la cuenta." in page.text()
    assert _found_ids(page.html, other)
    assert [a["id"] for a in portal.state()["accounts"] if a["nit"] == nit] == [other]


def test_registrar_entidad_without_validar_is_refused(portal: PortalProcess) -> None:
    _, client = _logged_in(portal)
    forged = {"action": "generar", "selType": "Proveedor", "selBusinessArea": "Privado"}
    page = client.post(forged | {"selOrganizationType": "sas"})
    assert page.status == 400
    assert "Para registrar una entidad escriba su Nombre y su NIT y pulse Validar." in page.text()
