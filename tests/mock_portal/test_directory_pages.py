"""Directorio SECOP: search by name or NIT, supplier page, byte-exact downloads, no drafts."""

from __future__ import annotations

import pytest

from tests.mock_portal.supplier_helpers import (
    JPG,
    PDF,
    App,
    make_app,
    open_form,
    required_files,
    seed_draft,
    sha256,
    soup,
    valid_fields,
)

INDEX_URL = "/Public/Directory/Index"
CONSTANCIAS = [(PDF + b"c1", "constancia RUT.pdf"), (PDF + b"c22", "constancia estados.pdf")]


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
        "constancia": CONSTANCIAS,
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


def test_supplier_page_shows_the_published_data(app: App, supplier: int) -> None:
    resp = app.client().get(f"/Public/Directory/Supplier/{supplier}")
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
        "experiencia",
        "constancia",
        "constancia",
    ]
    assert text("spnDocSha_rut") == sha256(PDF)


def test_document_download_is_byte_exact(app: App, supplier: int) -> None:
    client = app.client()
    page = soup(client.get(f"/Public/Directory/Supplier/{supplier}"))
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


def test_every_constancia_is_listed_and_downloadable(app: App, supplier: int) -> None:
    client = app.client()
    page = soup(client.get(f"/Public/Directory/Supplier/{supplier}"))
    rows = page.select("#tblDocuments tr[data-slot=constancia]")
    assert len(rows) == 2
    for row, (content, name) in zip(rows, CONSTANCIAS, strict=True):
        key = f"constancia_{row['data-document-id']}"
        link = row.find(id=f"lnkDoc_{key}")
        assert link.get_text() == name
        assert row.find(id=f"spnDocSize_{key}")["data-bytes"] == str(len(content))
        assert row.find(id=f"spnDocSha_{key}").get_text() == sha256(content)
        assert client.get(link["href"]).data == content


def test_drafts_and_foreign_documents_are_not_found(app: App, supplier: int) -> None:
    client = app.client()
    draft = app.store.one("SELECT id FROM accounts WHERE status = 'draft'")
    assert draft is not None
    assert client.get(f"/Public/Directory/Supplier/{draft['id']}").status_code == 404
    assert client.get("/Public/Directory/Supplier/99999").status_code == 404
    doc = app.store.account_documents(supplier)[0]
    wrong = client.get(f"/Public/Directory/Supplier/{draft['id']}/Document/{doc['id']}")
    assert wrong.status_code == 404
    assert client.get(f"/Public/Directory/Supplier/{supplier}/Document/99999").status_code == 404
