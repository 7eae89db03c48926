"""Crear o solicitar acceso a una Entidad, and Mis registros (PORTAL.md 3.4).

Validar searches the accounts by full name (case and accents ignored) or NIT. Not found:
Registrar Entidad -> Generar formulario creates the draft account with the user as its
administrator. Found: Solicitud de acceso -> Finalizar leaves the user Pendiente and mails the
account's administrators. The search result lives in the session, not in hidden fields, so
Generar formulario uses exactly the name and NIT that Validar checked.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from flask import Blueprint, g, redirect, request

from robot.mock_portal.views.notices import flash, send_access_requested, take_flash
from robot.mock_portal.web import ViewResult, login_required, portal, refresh_session, render, url
from robot.portal_rules import ORGANIZATION_TYPES, nit_check_digit
from robot.refdata import fold

bp = Blueprint("entity", __name__)

KINDS = {"Proveedor": "Proveedor"}
BUSINESS_AREAS = {"Privado": "Privado"}
_NIT_RE = re.compile(r"(\d{6,10})(?:-(\d))?")
STATE_NOTES = {
    "Aceptado": "Usted ya tiene acceso a esta cuenta.",
    "Pendiente": "Su solicitud de acceso a esta cuenta ya está pendiente de aprobación.",
    "Rechazado": "Su solicitud de acceso a esta cuenta fue rechazada. Comuníquese con el "
    "administrador de la cuenta.",
}


def normalize_nit(text: str) -> tuple[str, str]:
    """(NIT digits, problem): dots and spaces dropped, a trailing -DV checked and dropped."""
    compact = re.sub(r"[\s.]", "", text)
    match = _NIT_RE.fullmatch(compact)
    if match is None:
        return (
            "",
            "Escriba el NIT con 6 a 10 dígitos, sin letras (p. ej. 900123456 o 900.123.456-8).",
        )
    nit, dv = match.groups()
    if dv is not None and dv != nit_check_digit(nit):
        return "", (
            f"El dígito de verificación {dv} no corresponde al NIT {nit}. "
            "Revise el NIT o escríbalo sin dígito de verificación."
        )
    return nit, ""


def _name_key(name: str) -> str:
    return " ".join(fold(name).split())


def find_accounts(name: str, nit: str) -> list[sqlite3.Row]:
    """Accounts whose full name (folded) equals ``name`` or whose NIT equals ``nit``."""
    key = _name_key(name)
    return [
        a
        for a in portal().store.all_accounts()
        if (key and _name_key(a["name"]) == key) or (nit and a["nit"] == nit)
    ]


def _search() -> dict[str, Any]:
    search: dict[str, Any] = g.session.data.get("entity_search") or {}
    return search


def _save_search(search: dict[str, Any]) -> None:
    data = dict(g.session.data)
    data["entity_search"] = search
    portal().store.set_session_data(g.session.id, data)
    refresh_session()


def _page(status: int = 200, **context: Any) -> ViewResult:
    values: dict[str, Any] = {
        "name": "",
        "nit": "",
        "errors": {},
        "searched": False,
        "found": [],
        "can_register": False,
        "message": "",
        "kind": "info",
        "memberships": {},
    }
    values.update(context)
    user_id = g.session.user_id
    values["memberships"] = {
        m["account_id"]: m["state"] for m in portal().store.memberships_of_user(user_id)
    }
    return render("entity/index.html", status, **values)


@bp.route("/CO1Marketplace/Companies/Entity/Index", methods=["GET", "POST"])
@login_required
def index() -> ViewResult:
    if request.method == "GET":
        message, kind = take_flash()
        return _page(message=message, kind=kind)
    action = request.form.get("action", "")
    handlers = {
        "validar": _validate,
        "registrar": _register_form,
        "generar": _generate,
        "solicitar": _request_confirm,
        "finalizar": _finish_request,
    }
    handler = handlers.get(action)
    if handler is None:
        return _page(400, message="Operación no reconocida. Use los botones de la página.")
    return handler()


def _validate() -> ViewResult:
    name = request.form.get("txtEntityName", "").strip()
    raw_nit = request.form.get("txtEntityNit", "").strip()
    errors: dict[str, str] = {}
    nit = ""
    if raw_nit:
        nit, problem = normalize_nit(raw_nit)
        if problem:
            errors["txtEntityNit"] = problem
    if not name and not raw_nit:
        errors["txtEntityName"] = "Escriba el Nombre o el NIT de la entidad."
    if errors:
        return _page(400, name=name, nit=raw_nit, errors=errors)
    found = find_accounts(name, nit)
    _save_search({"name": name, "nit": nit, "found": [a["id"] for a in found]})
    return _page(
        name=name,
        nit=raw_nit,
        searched=True,
        found=found,
        can_register=not found and bool(name and nit),
    )


def _register_form(errors: dict[str, str] | None = None, status: int = 200) -> ViewResult:
    search = _search()
    if not search or search.get("found") or not (search.get("name") and search.get("nit")):
        return _page(
            400,
            message="Para registrar una entidad escriba su Nombre y su NIT y pulse Validar.",
            kind="error",
        )
    return render(
        "entity/register.html",
        status,
        search=search,
        kinds=KINDS,
        areas=BUSINESS_AREAS,
        organization_types=ORGANIZATION_TYPES,
        selected={k: request.form.get(k, "") for k in ("selType", "selBusinessArea")}
        | {"selOrganizationType": request.form.get("selOrganizationType", "")},
        errors=errors or {},
    )


def _generate() -> ViewResult:
    search = _search()
    choices = {
        "selType": KINDS,
        "selBusinessArea": BUSINESS_AREAS,
        "selOrganizationType": ORGANIZATION_TYPES,
    }
    errors = {
        key: "Seleccione una opción de la lista."
        for key, options in choices.items()
        if request.form.get(key, "") not in options
    }
    if errors:
        return _register_form(errors, 400)
    if not search or not (search.get("name") and search.get("nit")):
        return _register_form()
    found = find_accounts(search["name"], search["nit"])
    if found:
        _save_search({**search, "found": [a["id"] for a in found]})
        return _page(
            409,
            name=search["name"],
            nit=search["nit"],
            searched=True,
            found=found,
            message="La entidad ya está registrada en SECOP II. Solicite acceso a la cuenta.",
            kind="error",
        )
    return _create_account(search)


def _create_account(search: dict[str, Any]) -> ViewResult:
    store = portal().store
    fields = {
        "name": search["name"],
        "nit": search["nit"],
        "dv": nit_check_digit(search["nit"]),
        "kind": request.form["selType"],
        "business_area": request.form["selBusinessArea"],
        "organization_type": request.form["selOrganizationType"],
    }
    try:
        account_id = store.create_account_with_admin(fields, g.session.user_id)
    except sqlite3.IntegrityError:
        return _page(
            409,
            message="Ya existe una cuenta con este NIT. Valide de nuevo y solicite acceso.",
            kind="error",
        )
    _save_search({})
    store.set_session_account(g.session.id, account_id)
    refresh_session()
    return redirect(url("supplier.form"))


def _chosen_account() -> sqlite3.Row | None:
    """The account of the Solicitud de acceso button, if Validar found it in this session."""
    try:
        account_id = int(request.form.get("account_id", ""))
    except ValueError:
        return None
    if account_id not in _search().get("found", []):
        return None
    return portal().store.account(account_id)


def _request_confirm() -> ViewResult:
    account = _chosen_account()
    if account is None:
        return _page(400, message="Valide primero la entidad a la que pide acceso.", kind="error")
    membership = portal().store.membership(g.session.user_id, account["id"])
    note = STATE_NOTES.get(membership["state"], "") if membership else ""
    return render("entity/request.html", account=account, note=note)


def _finish_request() -> ViewResult:
    account = _chosen_account()
    if account is None:
        return _page(400, message="Valide primero la entidad a la que pide acceso.", kind="error")
    store = portal().store
    membership = store.membership(g.session.user_id, account["id"])
    if membership is not None and membership["state"] in STATE_NOTES:
        flash(STATE_NOTES[membership["state"]], "warning")
        return redirect(url("entity.registrations"))
    if not store.request_access(g.session.user_id, account["id"]):
        # a concurrent Finalizar of the same request got there first: it sent the mail
        fresh = store.membership(g.session.user_id, account["id"])
        flash(STATE_NOTES.get(fresh["state"], "") if fresh else "", "warning")
        return redirect(url("entity.registrations"))
    requester = store.user(g.session.user_id)
    assert requester is not None
    for admin in store.account_admins(account["id"]):
        send_access_requested(admin, requester, account)
    flash(
        f"Su solicitud de acceso a {account['name']} quedó en estado Pendiente. Podrá trabajar "
        "en nombre de la cuenta cuando un administrador la acepte."
    )
    return redirect(url("entity.registrations"))


@bp.route("/CO1Marketplace/Users/Settings/Registrations", methods=["GET", "POST"])
@login_required
def registrations() -> ViewResult:
    """Mis registros: the user's accounts and states; an accepted one can be entered."""
    store = portal().store
    memberships = store.memberships_of_user(g.session.user_id)
    if request.method == "POST":
        chosen = request.form.get("account_id", "")
        match = [
            m for m in memberships if str(m["account_id"]) == chosen and m["state"] == "Aceptado"
        ]
        if not match:
            flash("Solo puede entrar a cuentas en las que su acceso está Aceptado.", "error")
            return redirect(url("entity.registrations"))
        store.set_session_account(g.session.id, match[0]["account_id"])
        refresh_session()
        target = "supplier.form" if match[0]["account_status"] == "draft" else "admin.desktop"
        return redirect(url(target))
    message, kind = take_flash()
    return render("entity/registrations.html", memberships=memberships, message=message, kind=kind)
