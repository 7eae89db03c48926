"""Login/Index, the optional CAPTCHA, the account selector and logout (PORTAL.md 2, 3.1)."""

from __future__ import annotations

import secrets

from flask import Blueprint, g, redirect, request
from werkzeug.security import check_password_hash
from werkzeug.wrappers.response import Response as BaseResponse

from robot.mock_portal.web import (
    LOGIN_QUERY,
    ViewResult,
    login_redirect,
    login_required,
    portal,
    refresh_session,
    render,
    url,
)

bp = Blueprint("auth", __name__)

REASONS = {
    "expirada": "Su sesión ha expirado. Ingrese de nuevo.",
    "ingreso": "Ingrese con su usuario y contraseña para continuar.",
    "salida": "Ha cerrado su sesión.",
    "activado": "Su usuario fue activado. Ya puede ingresar.",
}
_BAD_LOGIN = "Usuario o contraseña incorrectos."


def _captcha_needed() -> bool:
    mode = portal().faults.config.captcha
    return mode == "always" or (mode == "once" and not g.session.captcha_passed)


def _new_captcha() -> str:
    code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(5))
    data = dict(g.session.data)
    data["captcha"] = code
    portal().store.set_session_data(g.session.id, data)
    return code


@bp.route("/STS/Users/Login/Index", methods=["GET", "POST"])
def login() -> ViewResult:
    if request.method == "GET":
        message = REASONS.get(request.args.get("motivo", ""), "")
        return _login_page(message=message, kind="warning" if message else "info")
    username = request.form.get("txtUserName", "").strip()
    password = request.form.get("txtPassword", "")
    if _captcha_needed():
        expected = g.session.data.get("captcha", "")
        if not expected or request.form.get("txttxtCaptcha", "").strip().upper() != expected:
            return _login_page(username=username, error="El texto de la imagen no coincide.")
        portal().store.set_captcha_passed(g.session.id)
        refresh_session()  # the page answered now must not ask again ("once")
    user = portal().store.user_by_username(username) if username else None
    if user is None or not check_password_hash(user["password_hash"], password):
        return _login_page(username=username, error=_BAD_LOGIN)
    if user["status"] != "active":
        return _login_page(
            username=username,
            error="Su usuario aún no ha sido activado. Revise su correo electrónico y use el "
            "enlace de activación, o solicite uno nuevo.",
            resend=True,
        )
    portal().store.log_in(g.session.id, user["id"])
    refresh_session()
    return _after_login(user["id"])


def _login_page(
    *,
    username: str = "",
    error: str = "",
    message: str = "",
    kind: str = "info",
    resend: bool = False,
) -> ViewResult:
    captcha = _new_captcha() if _captcha_needed() else ""
    return render(
        "auth/login.html",
        401 if error else 200,
        username=username,
        error=error,
        message=message,
        kind=kind,
        resend=resend,
        captcha=captcha,
        login_query=LOGIN_QUERY,
    )


def _after_login(user_id: int) -> BaseResponse:
    store = portal().store
    accepted = [m for m in store.memberships_of_user(user_id) if m["state"] == "Aceptado"]
    if len(accepted) > 1:
        return redirect(url("auth.select_account"))
    if len(accepted) == 1:
        store.set_session_account(g.session.id, accepted[0]["account_id"])
        refresh_session()
        if accepted[0]["account_status"] == "draft":
            return redirect(url("supplier.form"))
        return redirect(url("admin.desktop"))
    return redirect(url("entity.index"))


@bp.route("/STS/Users/Login/SelectCompany", methods=["GET", "POST"])
@login_required
def select_account() -> ViewResult:
    store = portal().store
    accepted = [m for m in store.memberships_of_user(g.session.user_id) if m["state"] == "Aceptado"]
    if request.method == "POST":
        chosen = request.form.get("seldpCompany", "")
        match = [m for m in accepted if str(m["account_id"]) == chosen]
        if not match:
            return render(
                "auth/select_account.html", 400, accounts=accepted, error="Seleccione una cuenta."
            )
        store.set_session_account(g.session.id, match[0]["account_id"])
        refresh_session()
        if match[0]["account_status"] == "draft":
            return redirect(url("supplier.form"))
        return redirect(url("admin.desktop"))
    return render("auth/select_account.html", accounts=accepted, error="")


@bp.get("/STS/Users/Logout")
def logout() -> BaseResponse:
    portal().store.delete_session(g.session.id)
    return login_redirect("salida")
