"""Registro de Proveedor documents: types, size limit, SHA-256 shown, upload_fail_once."""

from __future__ import annotations

from pathlib import Path

import pytest

from robot.mock_portal.views.supplier_docs import clean_filename, human_size, upload_problem
from tests.mock_portal.supplier_helpers import (
    JPG,
    PDF,
    PNG,
    App,
    make_app,
    open_form,
    seed_draft,
    sha256,
    soup,
    visible_errors,
)

MAX_MB = 0.01  # 10 240 bytes: keeps the oversized file small


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> App:
    return make_app(tmp_path_factory.mktemp("uploads"), max_upload_mb=MAX_MB)


def _upload(app: App, slot: str, content: bytes, name: str) -> tuple[object, int]:
    draft = seed_draft(app.store)
    form = open_form(app, draft)
    return form.post({}, {slot: (content, name)}), draft.account_id


@pytest.mark.parametrize(
    ("content", "name", "text"),
    [
        (PNG, "rut.pdf", "no corresponde a su extensión .pdf"),
        (b"MZ\x90\x00" + b"\x00" * 60, "rut.exe", "no es de un tipo permitido"),
        (PDF, "rut", "no es de un tipo permitido"),
        (b"", "rut.pdf", "está vacío"),
        (PDF, "rut.png", "no corresponde a su extensión .png"),
    ],
)
def test_wrong_files_are_refused_with_a_visible_error(
    app: App, content: bytes, name: str, text: str
) -> None:
    resp, account_id = _upload(app, "rut", content, name)
    errors = visible_errors(resp)  # type: ignore[arg-type]
    assert text in errors["fileDoc_rut"]
    assert name in errors["fileDoc_rut"]
    assert app.store.account_documents(account_id) == []


def test_oversized_file_names_the_file_and_the_limit(app: App) -> None:
    big = PDF + b"0" * app.config.max_upload_bytes
    resp, account_id = _upload(app, "estados_financieros", big, "balance 2024.pdf")
    assert resp.status_code == 422  # type: ignore[attr-defined]
    message = visible_errors(resp)["fileDoc_estados_financieros"]  # type: ignore[arg-type]
    assert "balance 2024.pdf" in message
    assert f"máximo permitido es {human_size(app.config.max_upload_bytes)}" in message
    assert app.store.account_documents(account_id) == []


def test_accepted_file_shows_name_size_and_sha256(app: App) -> None:
    content = JPG + b"foto de la cedula" * 50
    resp, account_id = _upload(app, "cedula_representante", content, "cédula.JPG")
    page = soup(resp)  # type: ignore[arg-type]
    assert page.find(id="spnDocName_cedula_representante").get_text() == "cédula.JPG"
    size = page.find(id="spnDocSize_cedula_representante")
    assert size["data-bytes"] == str(len(content))
    assert size.get_text().startswith(f"{len(content)} bytes")
    assert page.find(id="spnDocSha_cedula_representante").get_text() == sha256(content)
    button = page.find(id="btnDeleteDoc_cedula_representante")
    assert button.get_text() == "Eliminar"
    # its accessible name does not contain the slot's label (strict-mode locators by label)
    assert button["aria-label"] == "Eliminar el archivo cargado: cédula.JPG"
    [doc] = app.store.account_documents(account_id)
    assert (doc["content_type"], doc["size"]) == ("image/jpeg", len(content))
    stored = app.store.document(doc["id"])
    assert stored is not None
    assert bytes(stored["data"]) == content


def test_a_new_upload_replaces_the_slot(app: App) -> None:
    draft = seed_draft(app.store)
    form = open_form(app, draft)
    form.post({}, {"rut": (PDF, "viejo.pdf")})
    form.post({}, {"rut": (PNG, "nuevo.png")})
    [doc] = app.store.account_documents(draft.account_id)
    assert (doc["filename"], doc["sha256"]) == ("nuevo.png", sha256(PNG))


def test_there_is_no_separate_constancia_slot(tmp_path: Path) -> None:
    """PORTAL.md 3.5: a constancia goes in the field of the document it stands for; a file
    posted to an old fileDoc_constancia field is not stored anywhere."""
    app = make_app(tmp_path)
    draft = seed_draft(app.store)
    form = open_form(app, draft)
    resp = form.post({}, {"constancia": (PDF, "constancia.pdf")})
    page = soup(resp)
    assert page.find(id="fileDoc_constancia") is None
    assert page.find(id="trDoc_constancia") is None
    assert app.store.account_documents(draft.account_id) == []
    # the constancia that stands for a confidential document goes in that document's slot
    resp = form.post({}, {"estados_financieros": (PDF + b"c", "constancia balance.pdf")})
    [doc] = app.store.account_documents(draft.account_id)
    assert (doc["slot"], doc["filename"]) == ("estados_financieros", "constancia balance.pdf")
    assert soup(resp).find(id="spnDocName_estados_financieros").get_text() == (
        "constancia balance.pdf"
    )


def test_deleting_a_document_the_account_does_not_hold_says_so(app: App) -> None:
    draft = seed_draft(app.store)
    form = open_form(app, draft)
    for target in ("rut", "constancia", "nada", "rut:99999999999999999999999", ""):
        resp = form.post({}, action=f"eliminar:{target}")
        assert resp.status_code == 200
        text = soup(resp).find(id="divMessage").get_text()
        assert "No hay un documento cargado en esa casilla" in text, target
        assert "Documento eliminado" not in text
    form.post({}, {"rut": (PDF, "rut.pdf")})
    resp = form.post({}, action="eliminar:rut")
    assert "Documento eliminado" in soup(resp).find(id="divMessage").get_text()
    assert app.store.account_documents(draft.account_id) == []


def test_other_slots_keep_one_file_even_when_several_are_posted(app: App) -> None:
    draft = seed_draft(app.store)
    form = open_form(app, draft)
    resp = form.post({}, {"rut": [(PDF, "primero.pdf"), (PDF + b"2", "segundo.pdf")]})
    [doc] = app.store.account_documents(draft.account_id)
    assert doc["filename"] == "primero.pdf"
    assert not soup(resp).find(id="fileDoc_rut").has_attr("multiple")


def test_upload_fail_once_fails_the_first_upload_of_each_slot(tmp_path: Path) -> None:
    app = make_app(tmp_path, faults={"upload_fail_once": True})
    draft = seed_draft(app.store)
    form = open_form(app, draft)
    first = form.post({}, {"rut": (PDF, "rut.pdf"), "experiencia": (PNG, "exp.png")})
    errors = visible_errors(first)
    assert errors["fileDoc_rut"] == "No se pudo cargar el archivo rut.pdf, intente de nuevo."
    assert "exp.png" in errors["fileDoc_experiencia"]
    assert app.store.account_documents(draft.account_id) == []
    second = form.post({}, {"rut": (PDF, "rut.pdf")})
    assert "fileDoc_rut" not in visible_errors(second)
    assert [d["slot"] for d in app.store.account_documents(draft.account_id)] == ["rut"]


def test_helpers() -> None:
    assert human_size(500) == "500 bytes"
    assert human_size(1536) == "1,5 KB"
    assert human_size(10 * 1024 * 1024) == "10,0 MB"
    assert clean_filename("/tmp/x/../a b.pdf") == "a b.pdf"
    assert clean_filename("C:\\fotos\\cédula.JPG") == "cédula.JPG"
    assert upload_problem("a.jpeg", JPG, 100) == ("image/jpeg", None)
