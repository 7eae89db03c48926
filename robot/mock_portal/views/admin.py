"""Escritorio and Administración de usuarios of the session's account (PORTAL.md 3.6).

Per-row actions change a membership's state and mail the user:

    Pendiente --Aceptar acceso--> Aceptado   (access_accepted)
    Pendiente --Rechazar acceso--> Rechazado (access_rejected)
    Aceptado  --Cancelar acceso--> Cancelado (access_cancelled; not yourself, not the last admin)
    Rechazado --Revertir rechazo del acceso--> Pendiente (access_reverted: open again)

Crear makes a user directly: accepted member, no password yet, mail ``user_created``.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from flask import Blueprint, g, redirect, request
from werkzeug.wrappers.response import Response as BaseResponse

from robot.mock_portal.views import user_form
from robot.mock_portal.views.notices import (
    flash,
    full_name,
    send_access_decision,
    send_activation,
    take_flash,
)
from robot.mock_portal.web import ViewResult, error_page, login_required, portal, render, url

bp = Blueprint("admin", __name__)


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    mail: str  # mail kind, "" for none
    done: str  # Spanish confirmation, {name} is the user's name


TRANSITIONS = {
    "aceptar": Transition(
        "Pendiente", "Aceptado", "access_accepted", "Se aceptó el acceso de {name}."
    ),
    "rechazar": Transition(
        "Pendiente", "Rechazado", "access_rejected", "Se rechazó el acceso de {name}."
    ),
    "cancelar": Transition(
        "Aceptado", "Cancelado", "access_cancelled", "Se canceló el acceso de {name}."
    ),
    "revertir": Transition(
        "Rechazado",
        "Pendiente",
        "access_reverted",
        "Se revirtió el rechazo: el acceso de {name} está Pendiente.",
    ),
}


def accepted_membership() -> tuple[sqlite3.Row, sqlite3.Row] | None:
    """(account, membership) of the session's account when the user's access is Aceptado."""
    account_id = g.session.account_id
    if account_id is None:
        return None
    store = portal().store
    membership = store.membership(g.session.user_id, account_id)
    account = store.account(account_id)
    if membership is None or account is None or membership["state"] != "Aceptado":
        return None
    return account, membership


def _no_access() -> ViewResult:
    return error_page(
        403,
        "Acceso denegado",
        "Usted no tiene acceso aceptado a esta cuenta. Consulte el estado de sus solicitudes "
        "en Mis registros.",
        actions=[("Mis registros", url("entity.registrations"))],
    )


def _not_admin() -> ViewResult:
    return error_page(
        403,
        "Acceso denegado",
        "Solo los administradores de la cuenta pueden administrar sus usuarios.",
        actions=[("Escritorio", url("admin.desktop"))],
    )


@bp.route("/CO1Marketplace/Desktop/Index", methods=["GET", "POST"])
@login_required
def desktop() -> ViewResult:
    if g.session.account_id is None:
        return redirect(url("entity.registrations"))
    found = accepted_membership()
    if found is None:
        return _no_access()
    account, membership = found
    is_admin = membership["role"] == "admin"
    members = portal().store.account_members(account["id"]) if is_admin else []
    pending = [
        {
            "id": m["id"],
            "name": full_name(m),
            "email": m["email"],
            "date": time.strftime("%d/%m/%Y %H:%M", time.localtime(m["requested_at"])),
        }
        for m in members
        if m["state"] == "Pendiente"
    ]
    message, kind = take_flash()
    return render(
        "admin/desktop.html",
        account=account,
        is_admin=is_admin,
        pending=pending,
        message=message,
        kind=kind,
    )


@bp.route("/CO1Marketplace/Users/Admin/Index", methods=["GET", "POST"])
@login_required
def users() -> ViewResult:
    found = accepted_membership()
    if found is None:
        return _no_access()
    account, membership = found
    if membership["role"] != "admin":
        return _not_admin()
    if request.method == "POST":
        return _apply(account, request.form.get("action", ""), request.form.get("user_id", ""))
    message, kind = take_flash()
    return render(
        "admin/users.html",
        account=account,
        members=portal().store.account_members(account["id"]),
        me=g.session.user_id,
        message=message,
        kind=kind,
    )


def _apply(account: sqlite3.Row, action: str, raw_user_id: str) -> BaseResponse:
    transition = TRANSITIONS.get(action)
    store = portal().store
    target = store.membership(int(raw_user_id), account["id"]) if raw_user_id.isdecimal() else None
    user = store.user(target["user_id"]) if target is not None else None
    if transition is None or target is None or user is None:
        flash("Seleccione un usuario de la cuenta y una acción de la lista.", "error")
        return redirect(url("admin.users"))
    problem = _refusal(transition, target, account["id"])
    if problem:
        flash(problem, "error")
        return redirect(url("admin.users"))
    changed = store.set_membership_state(
        user["id"], account["id"], transition.target, g.session.user_id, source=transition.source
    )
    if not changed:  # another request changed it between the check and now: no second mail
        fresh = store.membership(user["id"], account["id"])
        flash(_refusal(transition, fresh, account["id"]) if fresh else "", "error")
        return redirect(url("admin.users"))
    if transition.mail:
        send_access_decision(transition.mail, user, account)
    flash(transition.done.format(name=full_name(user)))
    return redirect(url("admin.users"))


def _refusal(transition: Transition, target: sqlite3.Row, account_id: int) -> str:
    if target["state"] != transition.source:
        return (
            f"La acción no aplica: el acceso del usuario está {target['state']} "
            f"y la acción es para accesos en estado {transition.source}."
        )
    if transition.target == "Cancelado":
        if target["user_id"] == g.session.user_id:
            return "No puede cancelar su propio acceso."
        admins = portal().store.account_admins(account_id)
        if target["role"] == "admin" and len(admins) <= 1:
            return "No puede cancelar el acceso del último administrador de la cuenta."
    return ""


@bp.route("/CO1Marketplace/Users/Admin/Create", methods=["GET", "POST"])
@login_required
def create_user() -> ViewResult:
    """Crear: the administrator registers a user, who chooses a password from the mail."""
    found = accepted_membership()
    if found is None:
        return _no_access()
    account, membership = found
    if membership["role"] != "admin":
        return _not_admin()
    store = portal().store
    if request.method == "GET":
        return _create_page(account, user_form.empty_form())
    form = user_form.read_personal(request.form, store)
    if not form.ok:
        return _create_page(account, form, 400)
    columns = user_form.user_columns(form.values)
    columns["password_hash"] = ""
    try:
        user_id = store.create_member_user(columns, account["id"], g.session.user_id)
    except sqlite3.IntegrityError:  # another registration took the name or e-mail meanwhile
        form.errors.update(user_form.taken_errors(form.values, store))
        return _create_page(account, form, 400)
    user = store.user(user_id)
    assert user is not None
    send_activation(user)
    flash(
        f"Se creó el usuario {user['username']}. {full_name(user)} recibirá un correo en "
        f"{user['email']} para activarlo y elegir su contraseña."
    )
    return redirect(url("admin.users"))


def _create_page(account: sqlite3.Row, form: user_form.UserForm, status: int = 200) -> ViewResult:
    return render(
        "admin/create.html",
        status,
        account=account,
        v=form.values,
        errors=form.errors,
        options=user_form.options(),
    )
