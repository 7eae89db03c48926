"""Registro de Proveedor: Guardar, Finalizar and every validation error (Flask test client)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from robot.mock_portal.seed import seed_account, seed_user
from robot.portal_rules import nit_check_digit
from tests.mock_portal.supplier_helpers import (
    FORM_URL,
    PASSWORD,
    App,
    csrf_of,
    login,
    make_app,
    open_form,
    required_files,
    seed_draft,
    soup,
    unique,
    valid_fields,
    visible_errors,
)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> App:
    return make_app(tmp_path_factory.mktemp("supplier-form"))


def test_finalizar_activates_the_account_and_mails_the_notification_address(app: App) -> None:
    draft = seed_draft(app.store)
    form = open_form(app, draft)
    resp = form.post(valid_fields(nit="900123456", dv="8"), required_files(), action="finalizar")
    assert resp.status_code == 302
    assert "/CO1Marketplace/Desktop/Index" in resp.headers["Location"]
    assert "mensaje=registrado" in resp.headers["Location"]
    account = app.store.account(draft.account_id)
    assert account is not None
    assert account["status"] == "active"
    assert account["finalized_at"] is not None
    assert (account["nit"], account["dv"]) == ("900123456", "8")
    assert account["name"] == "Ferretería Ñandú S.A.S."
    form_data = json.loads(account["form"])
    assert form_data["municipio_code"] == "05001"
    assert form_data["rep_email"] == "mjrestrepo@ferreteria.test"
    codes = [(r["code"], r["principal"]) for r in app.store.account_unspsc(draft.account_id)]
    assert codes == [("27111700", 1), ("31161500", 0)]
    slots = {d["slot"] for d in app.store.account_documents(draft.account_id)}
    assert slots == {"rut", "existencia", "cedula_representante"}
    mail = app.mailer.sent[-1]
    assert (mail.kind, mail.to) == ("supplier_registered", "notificaciones@ferreteria.test")
    assert mail.link.endswith(f"/Public/Directory/Supplier/{draft.account_id}")
    # A finalized account shows its data read-only and refuses changes.
    page = form.get()
    assert page.status_code == 200
    assert soup(page).find("form", id="frmSupplierRegistration") is None
    assert soup(page).find(id="lblNit").get_text() == "900123456-8"
    again = form.client.post(
        FORM_URL, query_string={"mkey": form.mkey}, data={"__RequestVerificationToken": "x"}
    )
    assert again.status_code in (400, 409)


def _nit_dv(app: App) -> dict[str, str]:
    """A 9-digit NIT no account of this app uses yet, with its check digit."""
    count = app.store.one("SELECT COUNT(*) AS n FROM accounts")
    nit = str(810000000 + int(count["n"] if count else 0) * 7)
    return {"txtNit": nit, "txtDv": nit_check_digit(nit)}


REQUIRED_IDS = [
    "txtName",
    "txtShortName",
    "txtNit",
    "txtDv",
    "txtAddress",
    "selCountry",
    "txtPhone",
    "txtEmail",
    "selCompanySize",
    "rdbMipyme",
    "txtRepFirstName",
    "txtRepLastName",
    "selRepIdType",
    "txtRepIdNumber",
    "txtRepPhone",
    "txtRepEmail",
]


def _post_final(app: App, changes: dict[str, Any], *, organization_type: str = "sas") -> Any:
    draft = seed_draft(app.store, organization_type=organization_type)
    form = open_form(app, draft)
    fields = {**valid_fields(), **_nit_dv(app), **changes}
    resp = form.post(fields, required_files(), action="finalizar")
    return resp, draft


@pytest.mark.parametrize("field_id", REQUIRED_IDS)
def test_each_required_field_is_reported_when_empty(app: App, field_id: str) -> None:
    resp, draft = _post_final(app, {field_id: ""})
    assert resp.status_code == 422
    errors = visible_errors(resp)
    assert "obligatorio" in errors[field_id]
    account = app.store.account(draft.account_id)
    assert account is not None
    assert account["status"] == "draft"


WRONG_DV = str((int(nit_check_digit("811111119")) + 1) % 10)
CASES = [
    ({"txtNit": "900.123.456-8"}, "txtNit", "sin puntos"),
    ({"txtNit": "90012345"}, "txtNit", "9 dígitos"),
    ({"txtDv": "x"}, "txtDv", "un solo dígito"),
    ({"txtNit": "811111119", "txtDv": WRONG_DV}, "txtDv", "no corresponde al Nit"),
    ({"hdnMunicipioCode": "76001"}, "txtMunicipio", "no pertenece al departamento"),
    ({"hdnMunicipioCode": "99999"}, "txtMunicipio", "Municipio desconocido"),
    ({"hdnDepartamentoCode": "05", "hdnMunicipioCode": ""}, "txtMunicipio", "obligatorio"),
    ({"hdnDepartamentoCode": "", "hdnMunicipioCode": "05001"}, "txtDepartamento", "obligatorio"),
    ({"hdnDepartamentoCode": "00"}, "txtDepartamento", "Departamento desconocido"),
    ({"selCountry": "XX"}, "selCountry", "país de la lista"),
    ({"selCountry": "EC", "txtCity": ""}, "txtCity", "obligatorio"),
    ({"txtPhone": "12"}, "txtPhone", "teléfono"),
    ({"txtFax": "abc"}, "txtFax", "teléfono"),
    ({"txtRepPhone": "1"}, "txtRepPhone", "teléfono"),
    ({"txtEmail": "notificaciones@"}, "txtEmail", "correo electrónico válido"),
    ({"txtRepEmail": "maria.ferreteria.test"}, "txtRepEmail", "correo electrónico válido"),
    ({"txtWebsite": "no es un sitio"}, "txtWebsite", "Sitio web no válido"),
    ({"selCompanySize": "enorme"}, "selCompanySize", "tamaño de empresa"),
    ({"selCompanySize": "grande", "rdbMipyme": "si"}, "rdbMipyme", "no corresponde al tamaño"),
    ({"rdbMipyme": "tal vez"}, "rdbMipyme", "Sí o No"),
    ({"selRepIdType": "XX"}, "selRepIdType", "tipo de documento"),
    ({"selRepIdType": "CC", "txtRepIdNumber": "12ab"}, "txtRepIdNumber", "cédula"),
    ({"nbxAssets": "mucho"}, "nbxAssets", "dígitos"),
    ({"nbxLiabilities": "-5"}, "nbxLiabilities", "negativo"),
    ({"txtCutoffDate": "31/12/2024"}, "txtCutoffDate", "AAAA-MM-DD"),
    ({"txtCutoffDate": "2999-01-01"}, "txtCutoffDate", "futuro"),
    ({"txtCutoffDate": ""}, "txtCutoffDate", "obligatorio"),
    ({"unspsc": [], "rdbPrincipal": ""}, "tblUnspsc", "al menos un código"),
    ({"rdbPrincipal": ""}, "tblUnspsc", "principal"),
    ({"unspsc": ["27111700", "12345678"]}, "tblUnspsc", "12345678"),
]


@pytest.mark.parametrize(("changes", "field_id", "text"), CASES)
def test_finalizar_shows_the_error_next_to_its_field(
    app: App, changes: dict[str, Any], field_id: str, text: str
) -> None:
    resp, _ = _post_final(app, changes)
    assert resp.status_code == 422
    errors = visible_errors(resp)
    assert text in errors[field_id], errors
    # Only that problem: the rest of the valid form raises nothing else.
    assert set(errors) == {field_id}
    # The summary counts it and the entered values stay in the form.
    page = soup(resp)
    assert "1 error" in page.find(id="divErrorSummary").get_text()
    assert page.find(id="txtRepFirstName")["value"] == "María José"


def test_persona_natural_nit_is_the_cedula_and_needs_no_existencia(app: App) -> None:
    files = required_files()
    del files["existencia"]
    draft = seed_draft(app.store, organization_type="persona_natural")
    form = open_form(app, draft)
    bad = form.post({**valid_fields(), "txtNit": "123", "txtDv": "0"}, files, "finalizar")
    assert "cédula" in visible_errors(bad)["txtNit"]
    good = form.post({**valid_fields(), "txtNit": "43123456", "txtDv": "1"}, files, "finalizar")
    assert good.status_code == 302, visible_errors(good)


def test_required_documents_are_reported(app: App) -> None:
    draft = seed_draft(app.store)
    form = open_form(app, draft)
    resp = form.post({**valid_fields(), **_nit_dv(app)}, {}, action="finalizar")
    errors = visible_errors(resp)
    assert set(errors) == {"fileDoc_rut", "fileDoc_existencia", "fileDoc_cedula_representante"}
    assert "Certificado de existencia" in errors["fileDoc_existencia"]
    # Optional slots carry no asterisk; required ones do.
    row = soup(resp).find(id="trDoc_experiencia")
    assert row.find(class_="RequiredField") is None
    assert soup(resp).find(id="trDoc_rut").find(class_="RequiredField") is not None


def test_nit_of_another_account_is_refused(app: App) -> None:
    other = seed_draft(app.store)
    taken = _nit_dv(app)
    app.store.execute(
        "UPDATE accounts SET nit = ?, status = 'active' WHERE id = ?",
        taken["txtNit"],
        other.account_id,
    )
    resp, draft = _post_final(app, taken)
    assert "Ya existe en SECOP II una cuenta con este Nit" in visible_errors(resp)["txtNit"]
    # Guardar reports it too and keeps the draft without stealing the NIT.
    form = open_form(app, draft)
    saved = form.post({**valid_fields(), **taken})
    assert "txtNit" in visible_errors(saved)
    account = app.store.account(draft.account_id)
    assert account is not None
    assert account["nit"] is None


def test_an_empty_finalizar_shows_every_error_at_once(app: App) -> None:
    draft = seed_draft(app.store)
    form = open_form(app, draft)
    empty = dict.fromkeys(valid_fields(), "")
    resp = form.post(empty, {}, action="finalizar")
    errors = visible_errors(resp)
    assert set(REQUIRED_IDS) - {"txtName", "txtShortName", "selCountry"} <= set(errors)
    assert "tblUnspsc" in errors
    assert "fileDoc_rut" in errors
    items = soup(resp).select("#ulErrorSummary li")
    assert len(items) == len(errors)
    # Hidden error spans stay in the DOM for fields without errors.
    assert soup(resp).find(id="txtFaxFailure")["style"] == "display:none"


def test_guardar_keeps_a_partial_draft_checking_formats_only(app: App) -> None:
    draft = seed_draft(app.store)
    form = open_form(app, draft)
    resp = form.post(
        {"txtName": "Mi Empresa", "txtAddress": "Cra 7 # 1-2", "txtEmail": "malo@"},
        {"rut": required_files()["rut"]},
    )
    assert resp.status_code == 422
    assert set(visible_errors(resp)) == {"txtEmail"}
    assert "Borrador guardado" in soup(resp).find(id="divMessage").get_text()
    page = soup(form.get())
    assert page.find(id="txtAddress")["value"] == "Cra 7 # 1-2"
    assert page.find(id="txtEmail")["value"] == "malo@"
    assert page.find(id="spnDocName_rut").get_text() == "rut.pdf"
    account = app.store.account(draft.account_id)
    assert account is not None
    assert (account["status"], account["name"]) == ("draft", "Mi Empresa")


def test_quitar_and_eliminar_remove_a_code_and_a_document(app: App) -> None:
    draft = seed_draft(app.store)
    form = open_form(app, draft)
    form.post(valid_fields(), required_files())
    resp = form.post(valid_fields(), action="quitar:31161500")
    assert [r["code"] for r in app.store.account_unspsc(draft.account_id)] == ["27111700"]
    assert soup(resp).find(id="trUnspsc_31161500") is None
    fields = {**valid_fields(), "unspsc": ["27111700"]}
    resp = form.post(fields, action="eliminar:rut")
    slots = {d["slot"] for d in app.store.account_documents(draft.account_id)}
    assert "rut" not in slots
    assert "Documento eliminado" in soup(resp).find(id="divMessage").get_text()


def test_draft_survives_session_expiry(tmp_path: Path) -> None:
    app = make_app(tmp_path, faults={"session_expiry_seconds": 1})
    draft = seed_draft(app.store)
    form = open_form(app, draft)
    form.post({"txtAddress": "Av. Siempre Viva 742", "txtPhone": "6015551234"})
    # The session expires (idle time passes): age it instead of sleeping.
    app.store.execute("UPDATE sessions SET last_seen = last_seen - 60")
    expired = form.get()
    assert expired.status_code == 302
    assert "motivo=expirada" in expired.headers["Location"]
    client = app.client()
    mkey, location = login(client, draft.username)
    assert location.startswith(FORM_URL)
    page = soup(client.get(FORM_URL, query_string={"mkey": mkey}))
    assert page.find(id="txtAddress")["value"] == "Av. Siempre Viva 742"
    assert page.find(id="txtPhone")["value"] == "6015551234"


def test_only_accepted_admins_of_the_session_account_get_the_form(app: App) -> None:
    admin = seed_draft(app.store)
    name = unique("user")
    user_id = seed_user(
        app.store, username=name, password=PASSWORD, email=f"t+{name}@proveedores.test"
    )
    app.store.execute(
        "INSERT INTO memberships (user_id, account_id, role, state, requested_at)"
        " VALUES (?, ?, 'user', 'Aceptado', 0)",
        user_id,
        admin.account_id,
    )
    client = app.client()
    mkey, _ = login(client, name)
    resp = client.get(FORM_URL, query_string={"mkey": mkey})
    assert resp.status_code == 403
    assert "administrador" in soup(resp).find(id="lblErrorMessage").get_text()


def test_without_an_account_the_form_points_to_entity_creation(app: App) -> None:
    name = unique("user")
    seed_user(app.store, username=name, password=PASSWORD, email=f"t+{name}@proveedores.test")
    client = app.client()
    mkey, _ = login(client, name)
    resp = client.get(FORM_URL, query_string={"mkey": mkey})
    assert resp.status_code == 403
    assert soup(resp).find("a", string="Crear o solicitar acceso a una Entidad") is not None


def test_form_needs_login_and_mkey(app: App) -> None:
    draft = seed_draft(app.store)
    client = app.client()
    assert client.get(FORM_URL).status_code == 302
    mkey, _ = login(client, draft.username)
    wrong = client.get(FORM_URL, query_string={"mkey": "otro"})
    assert wrong.status_code == 302
    assert "/STS/Users/Login/Index" in wrong.headers["Location"]
    page = client.get(FORM_URL, query_string={"mkey": mkey})
    assert page.status_code == 200
    assert csrf_of(page.data)


def test_the_form_is_built_for_labels_and_roles(app: App) -> None:
    draft = seed_draft(app.store, nit="901234567")
    page = soup(open_form(app, draft).get())
    # Every input/select the user fills has a <label for>.
    labelled = {str(label["for"]) for label in page.find_all("label")}
    for tag in page.select("#frmSupplierRegistration input, #frmSupplierRegistration select"):
        if tag.get("type") in ("hidden",) or tag.get("readonly") is not None:
            continue
        assert tag["id"] in labelled, tag["id"]
    assert (
        page.find("label", attrs={"for": "txtName"})
        .get_text(strip=True)
        .startswith("Nombre de la Entidad Estatal")
    )
    legends = [legend.get_text() for legend in page.find_all("legend")]
    assert legends == [
        "Información general",
        "Clasificación UNSPSC",
        "Representante legal",
        "Información financiera",
        "Documentos",
    ]
    # Prefilled from Generar formulario: name and NIT with its check digit.
    assert page.find(id="txtNit")["value"] == "901234567"
    assert page.find(id="lblOrganizationType").get_text() == "Sociedad por acciones simplificada"
    assert page.find(id="lblPersonType").get_text() == "Persona jurídica"
    assert page.find(id="selCountry").find("option", selected=True)["value"] == "CO"


def test_seeded_active_account_is_read_only(app: App) -> None:
    name = unique("prov")
    user_id = seed_user(
        app.store, username=name, password=PASSWORD, email=f"t+{name}@proveedores.test"
    )
    seed_account(app.store, user_id, name="Activa S.A.", nit=None)
    client = app.client()
    mkey, location = login(client, name)
    assert "Desktop" in location
    resp = client.get(FORM_URL, query_string={"mkey": mkey})
    assert resp.status_code == 200
    assert soup(resp).find(id="lnkDirectorySupplier") is not None
