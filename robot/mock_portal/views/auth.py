"""Login/Index, the optional CAPTCHA, the account selector and logout (PORTAL.md 2, 3.1)."""

from __future__ import annotations

import re
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
    renew_session,
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
# Where a mail link may send a user after login (ReturnUrl): a page of the portal, never
# another site (no scheme, no //, no query of its own).
_RETURN_RE = re.compile(r"/CO1Marketplace/[A-Za-z]+(?:/[A-Za-z]+)*")


def _return_to() -> tuple[str, int | None]:
    """(ReturnUrl, cuenta) of the login link, when they are acceptable; else ('', None)."""
    source = request.form if request.method == "POST" else request.args
    path = source.get("ReturnUrl", "")
    if not _RETURN_RE.fullmatch(path):
        return "", None
    cuenta = source.get("cuenta", "")
    return path, int(cuenta) if cuenta.isdecimal() and len(cuenta) < 19 else None


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
        reason = request.args.get("motivo", "")
        if g.session.user_id is not None and reason != "expirada" and _return_to()[0]:
            # a mail's link (ReturnUrl) opened in a browser that is already logged in
            return _after_login(g.session.user_id)
        message = REASONS.get(reason, "")
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
    renew_session(user["id"])
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
    return_url, cuenta = _return_to()
    extra = {"user": None} if request.args.get("motivo") == "expirada" else {}
    return render(
        "auth/login.html",
        401 if error else 200,
        return_url=return_url,
        cuenta=cuenta,
        **extra,  # an expired-session page never shows the user's menu
        username=username,
        error=error,
        message=message,
        kind=kind,
        resend=resend,
        captcha=captcha,
        login_query=LOGIN_QUERY,
    )


def _after_login(user_id: int) -> BaseResponse:
    """Where a user goes after login: the page of the mail's link (ReturnUrl, in the account
    ``cuenta`` when the user is an accepted member of it), else by their accounts."""
    store = portal().store
    accepted = [m for m in store.memberships_of_user(user_id) if m["state"] == "Aceptado"]
    return_url, cuenta = _return_to()
    if return_url:
        chosen = [m for m in accepted if m["account_id"] == cuenta]
        if chosen or len(accepted) == 1:
            store.set_session_account(g.session.id, (chosen or accepted)[0]["account_id"])
            refresh_session()
            return redirect(f"{return_url}?mkey={g.session.mkey}")
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
