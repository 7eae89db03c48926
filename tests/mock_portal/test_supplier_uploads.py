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
    assert page.find(id="btnDeleteDoc_cedula_representante").get_text() == "Eliminar"
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


def _files_shown(resp: object, slot: str) -> list[tuple[str, str, str]]:
    """(name, data-bytes, SHA-256) of each file row of a slot in the Documentos table."""
    page = soup(resp)  # type: ignore[arg-type]
    return [
        (
            row.find(id=f"spnDocName_{slot}_{row['data-document-id']}").get_text(),
            row.find(id=f"spnDocSize_{slot}_{row['data-document-id']}")["data-bytes"],
            row.find(id=f"spnDocSha_{slot}_{row['data-document-id']}").get_text(),
        )
        for row in page.select(f"tr.DocFile[data-slot={slot}]")
    ]


def test_the_constancia_slot_holds_several_files(tmp_path: Path) -> None:
    app = make_app(tmp_path, state_endpoint=True)
    draft = seed_draft(app.store)
    form = open_form(app, draft)
    one, two, three = PDF + b"uno", PDF + b"dos", PNG + b"tres"
    files = [(one, "constancia RUT.pdf"), (two, "constancia balance.pdf")]
    form.post({}, {"constancia": files})
    resp = form.post({}, {"constancia": (three, "constancia cedula.png")})
    shown = _files_shown(resp, "constancia")
    expected = [
        ("constancia RUT.pdf", str(len(one)), sha256(one)),
        ("constancia balance.pdf", str(len(two)), sha256(two)),
        ("constancia cedula.png", str(len(three)), sha256(three)),
    ]
    assert shown == expected
    assert soup(resp).find(id="fileDoc_constancia").has_attr("multiple")
    # the same name again replaces that file only: a re-sent upload is no duplicate
    resp = form.post({}, {"constancia": (one + b"v2", "constancia RUT.pdf")})
    assert [name for name, _, _ in _files_shown(resp, "constancia")] == [
        "constancia balance.pdf",
        "constancia cedula.png",
        "constancia RUT.pdf",
    ]
    # each file has its own Eliminar
    balance = next(
        d for d in app.store.account_documents(draft.account_id) if "balance" in d["filename"]
    )
    resp = form.post({}, action=f"eliminar:constancia:{balance['id']}")
    assert [name for name, _, _ in _files_shown(resp, "constancia")] == [
        "constancia cedula.png",
        "constancia RUT.pdf",
    ]
    dump = app.client().get("/_state").get_json()
    assert sorted(d["filename"] for d in dump["documents"] if d["slot"] == "constancia") == [
        "constancia RUT.pdf",
        "constancia cedula.png",
    ]


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
