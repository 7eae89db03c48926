"""Registro de Proveedor: the supplier account form, its draft, documents and Finalizar.

PORTAL.md 3.5. Guardar keeps a draft (formats checked only); Finalizar checks everything,
activates the account, mails the notification address and goes to the Escritorio.

The NIT and DV are fixed once Generar formulario created the draft with them: the fields are
read-only and a post that changes them is refused, so no second draft for one NIT can appear.
Finalizar activates only a draft (one conditional update), so two Finalizar posts of the same
form at once activate it once and send one mail.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

from flask import Blueprint, g, redirect, request, url_for

from robot import refdata
from robot.mock_portal.mailer import Mail
from robot.mock_portal.views import supplier_fields as fields
from robot.mock_portal.views.directory import published_data
from robot.mock_portal.views.notices import flash
from robot.mock_portal.views.supplier_docs import (
    ACCEPT,
    UploadContext,
    human_size,
    missing_required,
    slot_rows,
    store_uploads,
)
from robot.mock_portal.web import ViewResult, error_page, login_required, portal, render, url
from robot.portal_rules import COMPANY_SIZES, ID_TYPES, ORGANIZATION_TYPES

bp = Blueprint("supplier", __name__)

NIT_TAKEN = (
    "Ya existe en SECOP II una cuenta con este Nit. No cree una cuenta duplicada: "
    "solicite acceso a la cuenta existente."
)
REGISTERED = (
    "El registro de proveedor fue finalizado: la cuenta está activa y aparece en el "
    "Directorio SECOP."
)
NIT_FIXED = (
    "El Nit de la cuenta se fijó al generar el formulario y no se puede cambiar ({nit}). Si no "
    "es el correcto, no continúe este registro: comuníquese con la mesa de servicio."
)
DV_FIXED = "El dígito de verificación se fijó al generar el formulario y no se puede cambiar."
ALREADY_FINALIZED = "Esta cuenta de proveedor ya fue registrada; sus datos no se modifican aquí."
MESSAGES = {
    "guardar": "Borrador guardado. Sus datos y documentos se conservan para continuar después.",
    "eliminar": "Documento eliminado. Borrador guardado.",
    "sin_documento": "No hay un documento cargado en esa casilla de su cuenta; no se eliminó "
    "nada. Borrador guardado.",
    "quitar": "Código UNSPSC quitado. Borrador guardado.",
}


@bp.route("/CO1Marketplace/Companies/SupplierRegistration/Index", methods=["GET", "POST"])
@login_required
def form() -> ViewResult:
    account = _session_account()
    if not isinstance(account, sqlite3.Row):
        return account
    if account["status"] != "draft":
        if request.method == "POST":
            return _already_finalized(account)
        return render(
            "supplier/view.html",
            account=account,
            data=published_data(account),
            directory_link=_directory_link(account),
        )
    if request.method == "GET":
        store = portal().store
        codes = [(r["code"], bool(r["principal"])) for r in store.account_unspsc(account["id"])]
        return _render(account, _stored_values(account), codes, {}, "")
    return _post(account)


def _session_account() -> sqlite3.Row | ViewResult:
    store = portal().store
    account_id = g.session.account_id
    account = store.account(account_id) if account_id is not None else None
    if account is None:
        return error_page(
            403,
            "Sin cuenta de proveedor",
            "Su sesión no tiene una cuenta de proveedor seleccionada. Cree la Entidad o "
            "solicite acceso a una existente.",
            actions=[("Crear o solicitar acceso a una Entidad", url("entity.index"))],
        )
    membership = store.membership(g.session.user_id, account["id"])
    if membership is None or membership["role"] != "admin" or membership["state"] != "Aceptado":
        return error_page(
            403,
            "Acceso denegado",
            "Solo un administrador aceptado de la cuenta puede diligenciar el Registro de "
            "Proveedor.",
        )
    return account


def _already_finalized(account: sqlite3.Row) -> ViewResult:
    return error_page(
        409,
        "Registro ya finalizado",
        ALREADY_FINALIZED,
        actions=[("Ver en el Directorio SECOP", _directory_link(account))],
    )


def _directory_link(account: sqlite3.Row) -> str:
    return url("directory.supplier", account_id=account["id"])


def _stored_values(account: sqlite3.Row) -> fields.Values:
    stored: dict[str, Any] = json.loads(account["form"] or "{}")
    values = {f.key: str(stored.get(f.key, "")) for f in fields.ALL_FIELDS}
    values["name"] = values["name"] or account["name"]
    # Nombre Abreviado: the stored one, else the name in capitals (the field's own advice).
    values["short_name"] = values["short_name"] or account["short_name"] or _short(account)
    values["nit"] = values["nit"] or (account["nit"] or "")
    values["dv"] = values["dv"] or account["dv"]
    values["country"] = values["country"] or "CO"
    return values


def _post(account: sqlite3.Row) -> ViewResult:
    p = portal()
    account_id = account["id"]
    org = account["organization_type"]
    values = fields.parse(request.form)
    fixed_errors = _keep_fixed_nit(account, values)
    codes, unspsc_error = fields.parse_unspsc(
        request.form.getlist("unspsc"), request.form.get("rdbPrincipal", "")
    )
    action, _, target = request.form.get("action", "guardar").partition(":")
    ctx = UploadContext(p.store, account_id, g.session.user_id, p.config.max_upload_bytes)
    errors = store_uploads(request.files, ctx, p.faults.upload_should_fail)
    errors |= fixed_errors
    if action == "eliminar" and not p.store.delete_document(account_id, target):
        action = "sin_documento"  # not a slot, or nothing of this account's in it
    elif action == "quitar":
        codes = [c for c in codes if c[0] != target]
    finalize = action == "finalizar"
    check = fields.finalize_errors if finalize else fields.format_errors
    errors |= check(values, org)
    if unspsc_error:
        errors[fields.UNSPSC_ERROR_ID] = unspsc_error
    if values["nit"] and "txtNit" not in errors and _nit_taken(values["nit"], account_id):
        errors["txtNit"] = NIT_TAKEN
    if finalize:
        if problem := fields.unspsc_finalize_error(codes):
            errors.setdefault(fields.UNSPSC_ERROR_ID, problem)
        for key, problem in missing_required(slot_rows(p.store, account_id, org)).items():
            errors.setdefault(key, problem)
        if not errors:
            return _finalize(account, values, codes)
    if not _save_draft(account, values, codes, errors):
        return _already_finalized(account)
    message = MESSAGES.get(action, MESSAGES["guardar"])
    if finalize:
        message = "No se pudo finalizar el registro: corrija los campos marcados."
    return _render(account, values, codes, errors, message, 422 if errors else 200)


def _nit_taken(nit: str, account_id: int) -> bool:
    other = portal().store.account_by_nit(nit)
    return other is not None and other["id"] != account_id


def _short(account: sqlite3.Row) -> str:
    return str(account["name"]).upper()[:60]


def _keep_fixed_nit(account: sqlite3.Row, values: fields.Values) -> fields.Errors:
    """Put the account's fixed NIT and DV back into ``values``; errors for a post that tried
    to change them (an empty or unchanged value is no change: read-only fields post theirs)."""
    if not account["nit"]:
        return {}  # only a seeded test account has no NIT yet
    errors: fields.Errors = {}
    if values["nit"] and values["nit"] != account["nit"]:
        errors["txtNit"] = NIT_FIXED.format(nit=account["nit"])
    if values["dv"] and values["dv"] != account["dv"]:
        errors["txtDv"] = DV_FIXED
    values["nit"], values["dv"] = account["nit"], account["dv"]
    return errors


def _draft_columns(
    account: sqlite3.Row, values: fields.Values, errors: fields.Errors
) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    if values["name"]:
        columns["name"] = values["name"]
    columns["short_name"] = values["short_name"]
    if account["nit"]:
        return columns  # fixed at Generar formulario
    if "txtNit" not in errors:
        columns["nit"] = values["nit"] or None
    if "txtDv" not in errors:
        columns["dv"] = values["dv"]
    return columns


def _save_draft(
    account: sqlite3.Row,
    values: fields.Values,
    codes: list[tuple[str, bool]],
    errors: fields.Errors,
) -> bool:
    """Save the draft; False when the account is no longer a draft (finalized meanwhile)."""
    store = portal().store
    columns = _draft_columns(account, values, errors)
    try:
        return store.save_supplier_form(account["id"], columns, values, codes)
    except sqlite3.IntegrityError:  # another account took the NIT meanwhile
        errors["txtNit"] = NIT_TAKEN
        columns.pop("nit", None)
        return store.save_supplier_form(account["id"], columns, values, codes)


def _finalize(
    account: sqlite3.Row, values: fields.Values, codes: list[tuple[str, bool]]
) -> ViewResult:
    p = portal()
    columns = {
        "name": values["name"],
        "short_name": values["short_name"],
        "nit": values["nit"],
        "dv": values["dv"],
        "status": "active",
        "finalized_at": time.time(),
    }
    try:
        activated = p.store.save_supplier_form(account["id"], columns, values, codes)
    except sqlite3.IntegrityError:
        errors = {"txtNit": NIT_TAKEN}
        if not _save_draft(account, values, codes, errors):
            return _already_finalized(account)
        message = "No se pudo finalizar el registro: corrija los campos marcados."
        return _render(account, values, codes, errors, message, 422)
    if not activated:  # a concurrent Finalizar activated it first and sent the mail
        return _already_finalized(account)
    user = p.store.user(g.session.user_id)
    greeting = f"{user['first_name']} {user['last_name']}" if user else values["name"]
    p.mailer.send(
        Mail(
            kind="supplier_registered",
            to=values["email"],
            greeting_name=greeting,
            paragraphs=[
                f"El registro de la cuenta de proveedor {values['name']} "
                f"(Nit {values['nit']}-{values['dv']}) fue finalizado y la cuenta está activa.",
                "Sus datos y documentos ya se pueden consultar en el Directorio SECOP.",
            ],
            link=p.config.base_url + url_for("directory.supplier", account_id=account["id"]),
            link_text="Ver la cuenta en el Directorio SECOP",
        )
    )
    flash(REGISTERED)
    return redirect(url("admin.desktop", mensaje="registrado"))


def _render(
    account: sqlite3.Row,
    values: fields.Values,
    codes: list[tuple[str, bool]],
    errors: fields.Errors,
    message: str,
    status: int = 200,
) -> ViewResult:
    store = portal().store
    org = account["organization_type"]
    unspsc = refdata.unspsc()
    mun = refdata.municipio_by_code().get(values["municipio_code"])
    return render(
        "supplier/form.html",
        status,
        account=account,
        v=values,
        errors=errors,
        error_list=list(errors.values()),
        message=message,
        fields=fields.BY_KEY,
        organization_label=ORGANIZATION_TYPES.get(org, org),
        person_type=fields.person_type(org),
        countries=list(fields.COUNTRIES.items()),
        departamento_name=refdata.departamentos().get(values["departamento_code"], ""),
        municipio_name=mun.nombre if mun else "",
        company_sizes=list(COMPANY_SIZES.items()),
        mipyme_choices=list(fields.MIPYME_CHOICES.items()),
        id_types=list(ID_TYPES.items()),
        codes=[(c, unspsc[c].nombre if c in unspsc else "", pr) for c, pr in codes],
        rows=slot_rows(store, account["id"], org),
        nit_fixed=bool(account["nit"]),
        accept=ACCEPT,
        max_upload_human=human_size(portal().config.max_upload_bytes),
    )
