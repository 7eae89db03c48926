"""Registrar usuario, Confirmar registro and Reenviar correo (PORTAL.md 3.1-3.3)."""

from __future__ import annotations

import sqlite3

from flask import Blueprint, g, redirect, request
from werkzeug.wrappers.response import Response as BaseResponse

from robot.mock_portal.views import user_form
from robot.mock_portal.views.notices import flash, send_activation, take_flash
from robot.mock_portal.web import ViewResult, error_page, portal, render, url

bp = Blueprint("register", __name__)

CONSENTS = {
    "chkTerms": "Debe aceptar los términos y condiciones de uso.",
    "chkDataPolicy": "Debe autorizar el tratamiento de sus datos personales.",
}
TOKEN_PROBLEMS = {
    "used": (
        "Enlace ya utilizado",
        "Este enlace de activación ya fue utilizado. Si su usuario ya está activo, ingrese con "
        "su usuario y contraseña; si no, solicite un nuevo correo.",
    ),
    "voided": (
        "Enlace reemplazado",
        "Este enlace de activación ya no es válido porque se envió un correo más reciente. "
        "Use el enlace del último correo recibido o solicite uno nuevo.",
    ),
    "expired": (
        "Enlace vencido",
        "Este enlace de activación venció. Solicite un nuevo correo de activación.",
    ),
    "unknown": (
        "Enlace no válido",
        "El enlace de activación no es válido. Copie el enlace completo del correo o solicite "
        "un nuevo correo de activación.",
    ),
}


@bp.route("/STS/Users/Register/Index", methods=["GET", "POST"])
def index() -> ViewResult:
    if request.method == "GET":
        return _form_page(user_form.empty_form(), {})
    form = user_form.read_personal(request.form, portal().store)
    password = user_form.read_passwords(request.form, form.errors)
    consents = {key: request.form.get(key) == "1" for key in CONSENTS}
    for key, given in consents.items():
        if not given:
            form.errors[key] = CONSENTS[key]
    if not form.ok:
        return _form_page(form, consents, status=400)
    columns = user_form.user_columns(form.values)
    columns["password_hash"] = user_form.hash_password(password)
    store = portal().store
    try:
        user_id = store.create_user(columns)
    except sqlite3.IntegrityError:  # another registration took the name or e-mail meanwhile
        form.errors.update(user_form.taken_errors(form.values, store))
        return _form_page(form, consents, status=400)
    user = store.user(user_id)
    assert user is not None
    send_activation(user)
    data = dict(g.session.data)
    data["registered"] = {"email": user["email"], "username": user["username"]}
    store.set_session_data(g.session.id, data)
    return redirect(url("register.sent"))


def _form_page(
    form: user_form.UserForm, consents: dict[str, bool], status: int = 200
) -> ViewResult:
    return render(
        "register/index.html",
        status,
        v=form.values,
        errors=form.errors,
        consents=consents,
        options=user_form.options(),
    )


@bp.get("/STS/Users/Register/Sent")
def sent() -> ViewResult:
    """Section 2: the activation mail is on its way."""
    registered = g.session.data.get("registered")
    if not registered:
        return redirect(url("register.index"))
    return render("register/sent.html", email=registered["email"], username=registered["username"])


@bp.route("/STS/Users/Register/Confirm", methods=["GET", "POST"])
def confirm() -> ViewResult:
    source = request.form if request.method == "POST" else request.args
    token = source.get("token", "").strip()
    store = portal().store
    state, user_id = store.activation_token_state(token) if token else ("unknown", None)
    user = store.user(user_id) if user_id is not None else None
    if state != "ok" or user is None:
        return _token_problem(state, user["username"] if user else "")
    needs_password = not user["password_hash"]
    errors: dict[str, str] = {}
    if needs_password:
        consents = {key: request.form.get(key) == "1" for key in CONSENTS}
        if request.method == "GET":
            # "created", not "user": that name is the logged-in user of the page's header
            return render(
                "register/choose_password.html",
                token=token,
                created=user,
                errors={},
                consents=consents,
            )
        password = user_form.read_passwords(request.form, errors)
        # A user created by an administrator accepts the terms and the data policy personally,
        # before their first login (the administrator's Crear has no consent boxes).
        errors |= {key: CONSENTS[key] for key, given in consents.items() if not given}
        if errors:
            return render(
                "register/choose_password.html",
                400,
                token=token,
                created=user,
                errors=errors,
                consents=consents,
            )
    state, _ = store.use_activation_token(token)
    if state != "ok":
        return _token_problem(state, user["username"])
    if needs_password:
        store.set_user_password(user["id"], user_form.hash_password(password))
    return render("register/confirmed.html", username=user["username"])


def _token_problem(state: str, username: str) -> ViewResult:
    title, message = TOKEN_PROBLEMS.get(state, TOKEN_PROBLEMS["unknown"])
    status = 404 if state == "unknown" else 410
    actions = [("Reenviar correo", url("register.resend", usuario=username))]
    return error_page(status, title, message, actions=actions)


@bp.route("/STS/Users/Register/Resend", methods=["GET", "POST"])
def resend() -> ViewResult:
    if request.method == "GET":
        message, kind = take_flash()
        return render(
            "register/resend.html",
            username=request.args.get("usuario", "").strip(),
            error="",
            message=message,
            kind=kind,
        )
    who = request.form.get("txtUserName", "").strip()
    if not who:
        return render(
            "register/resend.html",
            400,
            username="",
            error=user_form.REQUIRED,
            message="",
            kind="info",
        )
    return _resend_to(who)


def _resend_to(who: str) -> BaseResponse:
    store = portal().store
    user = store.user_by_username(who) or store.user_by_email(who)
    if user is not None and user["status"] != "active":
        send_activation(user)
    # One answer for unknown, pending and active users alike: the page tells nobody which user
    # names or e-mails exist (no user enumeration).
    flash(
        "Si el usuario está registrado y pendiente de activación, se ha enviado un nuevo "
        "correo electrónico para activarlo. Los enlaces enviados antes ya no son válidos. Si "
        "su usuario ya está activo, ingrese con su usuario y contraseña."
    )
    return redirect(url("register.resend", usuario=who))
