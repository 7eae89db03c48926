"""Directorio SECOP: search by name or NIT, supplier page, byte-exact downloads, no drafts.

Searching and the published data are public; documents are for users with access to an account
(PORTAL.md 1: "visible ... to every user who has access to an account")."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.mock_portal.supplier_helpers import (
    JPG,
    PDF,
    App,
    login,
    make_app,
    open_form,
    required_files,
    seed_draft,
    sha256,
    soup,
    valid_fields,
)

INDEX_URL = "/Public/Directory/Index"
CONSTANCIA = (PDF + b"c22", "estados_financieros-constancia-confidencialidad.pdf")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> App:
    return make_app(tmp_path_factory.mktemp("directory"))


@pytest.fixture(scope="module")
def supplier(app: App) -> int:
    """One supplier finalized through the form, plus one draft that must stay hidden."""
    draft = seed_draft(app.store)
    form = open_form(app, draft)
    files = {
        **required_files(),
        "experiencia": (JPG + b"\x01" * 300, "experiencia ñ.jpg"),
        "estados_financieros": CONSTANCIA,  # the constancia, in the document's own slot
    }
    resp = form.post(valid_fields(nit="900123456", dv="8"), files, action="finalizar")
    assert resp.status_code == 302
    hidden = seed_draft(app.store, nit="901000001")
    app.store.execute(
        "UPDATE accounts SET name = 'Ferretería Borrador S.A.S.' WHERE id = ?", hidden.account_id
    )
    return draft.account_id


def _names(app: App, query: str) -> list[str]:
    resp = app.client().get(INDEX_URL, query_string={"txtSearch": query})
    assert resp.status_code == 200
    return [a.get_text() for a in soup(resp).select("#tblSuppliers a")]


def test_search_by_name_ignores_accents_and_hides_drafts(app: App, supplier: int) -> None:
    assert _names(app, "ferreteria nandu") == ["Ferretería Ñandú S.A.S."]
    assert _names(app, "FERRETERÍA") == ["Ferretería Ñandú S.A.S."]
    assert _names(app, "borrador") == []


def test_search_by_nit_with_or_without_check_digit(app: App, supplier: int) -> None:
    assert _names(app, "900123456") == ["Ferretería Ñandú S.A.S."]
    assert _names(app, "900.123.456-8") == ["Ferretería Ñandú S.A.S."]
    assert _names(app, "901000001") == []  # the draft's NIT


def test_no_results_says_so(app: App, supplier: int) -> None:
    resp = app.client().get(INDEX_URL, query_string={"txtSearch": "no existe ninguna"})
    assert "No se encontraron proveedores" in soup(resp).find(id="lblResultCount").get_text()


def _member(app: App) -> tuple[FlaskClient, str]:
    """A client logged in as a user with access to an account (its own draft), and its mkey."""
    viewer = seed_draft(app.store)
    client = app.client()
    mkey, _ = login(client, viewer.username)
    return client, mkey


def test_supplier_page_shows_the_published_data(app: App, supplier: int) -> None:
    client, mkey = _member(app)
    resp = client.get(f"/Public/Directory/Supplier/{supplier}", query_string={"mkey": mkey})
    assert resp.status_code == 200
    page = soup(resp)

    def text(element_id: str) -> str:
        return page.find(id=element_id).get_text()

    assert text("lblName") == "Ferretería Ñandú S.A.S."
    assert text("lblNit") == "900123456-8"
    assert text("lblCompanyType") == "PERSONA JURIDICA COLOMBIANA"
    assert (text("lblUnspscCode"), text("lblUnspscName")) == ("27111700", "Llaves inglesas y guías")
    assert (text("lblDepartamento"), text("lblMunicipio")) == ("ANTIOQUIA", "MEDELLÍN")
    assert text("lblCountry") == "Colombia"
    assert text("lblPyme") == "Sí"
    assert text("lblRepName") == "María José Restrepo Gómez"
    assert text("lblRepIdType") == "Cédula de Ciudadanía"
    assert text("lblEmail") == "notificaciones@ferreteria.test"
    assert text("lblWebsite") == "https://www.ferreteria.test"
    slots = [tr["data-slot"] for tr in page.select("#tblDocuments tbody tr")]
    assert slots == [
        "rut",
        "existencia",
        "cedula_representante",
        "estados_financieros",
        "experiencia",
    ]
    assert text("spnDocSha_rut") == sha256(PDF)
    assert page.find(id="lblDocumentsLoginRequired") is None


def test_documents_need_a_logged_in_user_with_access_to_an_account(app: App, supplier: int) -> None:
    """The seed: documents are visible through the Directorio to users who have access to an
    account. Anonymous visitors see the data but no document, and cannot download one."""
    anonymous = app.client()
    page = soup(anonymous.get(f"/Public/Directory/Supplier/{supplier}"))
    assert page.find(id="lblName").get_text() == "Ferretería Ñandú S.A.S."
    assert page.find(id="tblDocuments") is None
    assert page.find(id="lnkDoc_rut") is None
    note = page.find(id="lblDocumentsLoginRequired").get_text()
    assert "usuarios con acceso a una cuenta" in note
    assert page.find(id="lnkLoginForDocuments")["href"].startswith("/STS/Users/Login/Index")
    doc = app.store.account_documents(supplier)[0]
    download = f"/Public/Directory/Supplier/{supplier}/Document/{doc['id']}"
    resp = anonymous.get(download)
    assert resp.status_code == 302
    assert "/STS/Users/Login/Index" in resp.headers["Location"]
    # a logged-in user with no accepted membership in any account is refused too
    from robot.mock_portal.seed import seed_user
    from tests.mock_portal.supplier_helpers import unique

    lone = unique("solo")
    seed_user(app.store, username=lone, password="Clave#Segura1", email=f"{lone}@x.test")
    client = app.client()
    mkey, _ = login(client, lone)
    page = soup(client.get(f"/Public/Directory/Supplier/{supplier}", query_string={"mkey": mkey}))
    assert page.find(id="tblDocuments") is None
    assert page.find(id="lnkLoginForDocuments") is None  # logged in: no login link
    refused = client.get(download, query_string={"mkey": mkey})
    assert refused.status_code == 403
    assert "usuarios con acceso a una cuenta" in refused.get_data(as_text=True)


def test_document_download_is_byte_exact(app: App, supplier: int) -> None:
    client, mkey = _member(app)
    page = soup(client.get(f"/Public/Directory/Supplier/{supplier}", query_string={"mkey": mkey}))
    link = page.find(id="lnkDoc_experiencia")
    resp = client.get(link["href"])
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "image/jpeg"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''experiencia%20%C3%B1.jpg" in disposition
    assert resp.data == JPG + b"\x01" * 300
    assert sha256(resp.data) == page.find(id="spnDocSha_experiencia").get_text()
    pdf = client.get(page.find(id="lnkDoc_rut")["href"])
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Content-Disposition"] == "attachment; filename=rut.pdf"
    assert pdf.data == PDF


def test_the_constancia_is_published_in_the_slot_of_its_document(app: App, supplier: int) -> None:
    client, mkey = _member(app)
    page = soup(client.get(f"/Public/Directory/Supplier/{supplier}", query_string={"mkey": mkey}))
    content, name = CONSTANCIA
    row = page.find(id="trDoc_estados_financieros")
    assert row.find("td").get_text() == "Estados financieros"
    link = row.find(id="lnkDoc_estados_financieros")
    assert link.get_text() == name
    assert row.find(id="spnDocSha_estados_financieros").get_text() == sha256(content)
    assert client.get(link["href"]).data == content
    assert page.find(attrs={"data-slot": "constancia"}) is None


def test_drafts_and_foreign_documents_are_not_found(app: App, supplier: int) -> None:
    client, mkey = _member(app)
    q = {"mkey": mkey}
    draft = app.store.one("SELECT id FROM accounts WHERE status = 'draft'")
    assert draft is not None
    assert client.get(f"/Public/Directory/Supplier/{draft['id']}").status_code == 404
    assert client.get("/Public/Directory/Supplier/99999").status_code == 404
    doc = app.store.account_documents(supplier)[0]
    wrong = client.get(
        f"/Public/Directory/Supplier/{draft['id']}/Document/{doc['id']}", query_string=q
    )
    assert wrong.status_code == 404
    missing = client.get(f"/Public/Directory/Supplier/{supplier}/Document/99999", query_string=q)
    assert missing.status_code == 404
