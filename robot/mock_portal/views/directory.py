"""Directorio SECOP: public search of active suppliers and their published data; their
documents only for users who have access to an account.

PORTAL.md 1 and 3.7: the documents of an active supplier are visible through the Directorio "to
every user who has access to an account" (entities and suppliers). So searching and the
supplier's data are public, while listing and downloading documents need a logged-in user with
an accepted membership in some account. Draft accounts never appear. The published fields
follow the open data set "SECOP II - Proveedores Registrados" (PORTAL.md 3.5).
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
from typing import Any

from flask import Blueprint, g, request, send_file

from robot import refdata
from robot.mock_portal.views.supplier_docs import size_text
from robot.mock_portal.views.supplier_fields import COUNTRIES, MIPYME_CHOICES
from robot.mock_portal.web import (
    ViewResult,
    error_page,
    login_required,
    portal,
    render,
)
from robot.portal_rules import DOCUMENT_SLOTS, ID_TYPES, NATURAL_PERSON_TYPES, ORGANIZATION_TYPES

bp = Blueprint("directory", __name__)

MAX_RESULTS = 100


def _not_found() -> ViewResult:
    return error_page(
        404, "Proveedor no encontrado", "No hay un proveedor activo con ese identificador."
    )


@bp.route("/Public/Directory/Index", methods=["GET"])
def index() -> ViewResult:
    query = request.args.get("txtSearch", "").strip()
    results = search(query) if query else []
    return render(
        "directory/index.html",
        query=query,
        searched=bool(query),
        results=results[:MAX_RESULTS],
        total=len(results),
        max_results=MAX_RESULTS,
        organizations=ORGANIZATION_TYPES,
    )


def search(query: str) -> list[sqlite3.Row]:
    """Active accounts whose name contains ``query`` (accents ignored) or whose NIT it is."""
    digits = re.sub(r"[\s.\-]", "", query)
    key = refdata.fold(query)
    found = []
    for account in portal().store.active_accounts():
        nit = account["nit"] or ""
        by_nit = digits.isdigit() and digits in (nit, nit + account["dv"])
        if by_nit or (key and key in refdata.fold(account["name"])):
            found.append(account)
    return found


def may_see_documents() -> bool:
    """True for a logged-in user who has access to an account (an accepted membership)."""
    user_id = g.session.user_id
    if user_id is None:
        return False
    return any(m["state"] == "Aceptado" for m in portal().store.memberships_of_user(user_id))


def _no_account_access() -> ViewResult:
    return error_page(
        403,
        "Acceso denegado",
        "Los documentos de los proveedores solo los pueden consultar los usuarios con acceso a "
        "una cuenta de Entidad Estatal o de Proveedor en SECOP II.",
    )


@bp.get("/Public/Directory/Supplier/<int:account_id>")
def supplier(account_id: int) -> ViewResult:
    account = portal().store.account(account_id)
    if account is None or account["status"] != "active":
        return _not_found()
    allowed = may_see_documents()
    return render(
        "directory/supplier.html",
        account=account,
        data=published_data(account),
        documents=document_rows(account) if allowed else [],
        documents_allowed=allowed,
        logged_in=g.session.user_id is not None,
    )


@bp.get("/Public/Directory/Supplier/<int:account_id>/Document/<int:document_id>")
@login_required
def document(account_id: int, document_id: int) -> Any:
    if not may_see_documents():
        return _no_account_access()
    store = portal().store
    account = store.account(account_id)
    doc = store.document(document_id)
    if account is None or account["status"] != "active" or doc is None:
        return _not_found()
    if doc["account_id"] != account_id:
        return _not_found()
    return send_file(
        io.BytesIO(doc["data"]),
        mimetype=doc["content_type"],
        as_attachment=True,
        download_name=doc["filename"],
        etag=doc["sha256"],
        max_age=0,
    )


def company_type(organization_type: str, country: str) -> str:
    """As the open data set writes it: 'PERSONA NATURAL COLOMBIANA'."""
    person = "PERSONA NATURAL" if organization_type in NATURAL_PERSON_TYPES else "PERSONA JURIDICA"
    foreign = organization_type == "extranjera" or country not in ("", "CO")
    return f"{person} {'EXTRANJERA' if foreign else 'COLOMBIANA'}"


def published_data(account: sqlite3.Row) -> list[tuple[str, str, str]]:
    """(element id, label, value) of every published field of an account."""
    form: dict[str, str] = json.loads(account["form"] or "{}")
    f = {k: str(v) for k, v in form.items()}
    store = portal().store
    principal = next((r["code"] for r in store.account_unspsc(account["id"]) if r["principal"]), "")
    entry = refdata.unspsc().get(principal)
    mun = refdata.municipio_by_code().get(f.get("municipio_code", ""))
    country = f.get("country", "")
    org = account["organization_type"]
    nit = f"{account['nit']}-{account['dv']}" if account["nit"] else ""
    rep_name = f"{f.get('rep_first_name', '')} {f.get('rep_last_name', '')}".strip()
    return [
        ("lblName", "Nombre", account["name"]),
        ("lblShortName", "Nombre abreviado", account["short_name"]),
        ("lblNit", "NIT", nit),
        ("lblCompanyType", "Tipo de empresa", company_type(org, country)),
        ("lblOrganizationType", "Tipo de organización", ORGANIZATION_TYPES.get(org, org)),
        ("lblUnspscCode", "Código de la categoría principal (UNSPSC)", principal),
        ("lblUnspscName", "Descripción de la categoría principal", entry.nombre if entry else ""),
        ("lblPhone", "Teléfono", f.get("phone", "")),
        ("lblFax", "Fax", f.get("fax", "")),
        ("lblEmail", "Correo electrónico", f.get("email", "")),
        ("lblAddress", "Dirección", f.get("address", "")),
        ("lblCountry", "País", COUNTRIES.get(country, country)),
        ("lblDepartamento", "Departamento", mun.departamento if mun else ""),
        ("lblMunicipio", "Municipio", mun.nombre if mun else f.get("city", "")),
        ("lblWebsite", "Sitio web", f.get("website", "")),
        ("lblPyme", "Es PyME", MIPYME_CHOICES.get(f.get("mipyme", ""), "")),
        ("lblRepName", "Nombre del representante legal", rep_name),
        (
            "lblRepIdType",
            "Tipo de documento del representante legal",
            ID_TYPES.get(f.get("rep_id_type", ""), ""),
        ),
        (
            "lblRepIdNumber",
            "Número de documento del representante legal",
            f.get("rep_id_number", ""),
        ),
        ("lblRepPhone", "Teléfono del representante legal", f.get("rep_phone", "")),
        ("lblRepEmail", "Correo electrónico del representante legal", f.get("rep_email", "")),
    ]


def document_rows(account: sqlite3.Row) -> list[dict[str, Any]]:
    rows = []
    for doc in portal().store.account_documents(account["id"]):
        slot = DOCUMENT_SLOTS.get(doc["slot"])
        rows.append(
            {
                "id": doc["id"],
                "slot": doc["slot"],
                "key": doc["slot"],
                "label": slot.label if slot else doc["slot"],
                "filename": doc["filename"],
                "size": doc["size"],
                "size_text": size_text(doc["size"]),
                "sha256": doc["sha256"],
            }
        )
    return rows
