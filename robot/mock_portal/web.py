"""Request plumbing shared by every page: sessions with mkey, CSRF, faults, error pages.

Views get what they need from here: ``portal()`` (store, mailer, faults, config),
``g.session``, ``current_user()``, the ``login_required`` decorator, ``url()`` that carries
the session's mkey, ``render()`` and ``error_page()``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import socket
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Response, current_app, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers.response import Response as BaseResponse

from robot.mock_portal import drift
from robot.mock_portal.config import PortalConfig
from robot.mock_portal.faults import FaultInjector
from robot.mock_portal.mailer import Mailer
from robot.mock_portal.store import Session, Store

log = logging.getLogger(__name__)

SESSION_COOKIE = "SECOPSessionId"
CSRF_FIELD = "__RequestVerificationToken"
EXEMPT_PREFIXES = ("/static/", "/_state")
LOGIN_ENDPOINT = "auth.login"

# Longest URL (path and query) the portal answers; longer: 414 with the Spanish error page.
MAX_URL_LENGTH = 8192
# What a real portal promises on every answer (issue 13): no MIME sniffing, no framing, scripts
# only from the portal itself. Inline styles stay allowed: the pages hide error spans with
# style="display:none", as the real portal does.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

ViewResult = Response | BaseResponse | str | tuple[str, int]
V = TypeVar("V", bound=Callable[..., Any])


@dataclass
class Portal:
    """Everything a view needs, kept in ``app.extensions['secop_portal']``."""

    config: PortalConfig
    store: Store
    mailer: Mailer
    faults: FaultInjector


def portal() -> Portal:
    p: Portal = current_app.extensions["secop_portal"]
    return p


def current_user() -> sqlite3.Row | None:
    session: Session = g.session
    if session.user_id is None:
        return None
    return portal().store.user(session.user_id)


def url(endpoint: str, **values: Any) -> str:
    """``url_for`` that carries the session's mkey, as the real portal's links do."""
    session: Session | None = g.get("session")
    if session is not None and session.user_id is not None and endpoint != LOGIN_ENDPOINT:
        values.setdefault("mkey", session.mkey)
    return url_for(endpoint, **values)


def render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, **context), status


def error_page(
    status: int, title: str, message: str, *, actions: list[tuple[str, str]] | None = None
) -> tuple[str, int]:
    """A Spanish error page; ``actions`` are (label, href) links such as Reenviar correo."""
    return render("error.html", status, title=title, message=message, actions=actions or [])


def login_redirect(reason: str = "", **extra: Any) -> BaseResponse:
    values: dict[str, Any] = dict(LOGIN_QUERY)
    if reason:
        values["motivo"] = reason
    return redirect(url_for(LOGIN_ENDPOINT, **values, **extra))


# A link from a portal mail carries ?origen=correo (and the account, ?cuenta=<id>) instead of
# an mkey: it is an entry point, like the login page, not a stale link of an old session.
FROM_MAIL = "correo"


def _enter_from_mail(session: Session) -> BaseResponse:
    """A mail's link opened without mkey: log in first (then come back), or, already logged
    in, enter the link's account when the user is accepted in it and add the session's mkey."""
    cuenta = request.args.get("cuenta", "")
    if session.user_id is None:
        return login_redirect("ingreso", ReturnUrl=request.path, cuenta=cuenta)
    store = portal().store
    member = store.membership(session.user_id, int(cuenta)) if cuenta.isdecimal() else None
    if member is not None and member["state"] == "Aceptado":
        store.set_session_account(session.id, member["account_id"])
    return redirect(f"{request.path}?mkey={session.mkey}")


LOGIN_QUERY = {"SkinName": "CCE", "currentLanguage": "es-CO", "Page": "login", "Country": "CO"}


def login_required(view: V) -> V:
    """Only for a logged-in session whose mkey matches the one in the URL or form action."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        session: Session = g.session
        from_mail = request.args.get("origen") == FROM_MAIL and "mkey" not in request.args
        if from_mail and request.method == "GET":
            return _enter_from_mail(session)
        if g.get("session_expired"):
            return login_redirect("expirada")
        if session.user_id is None:
            return login_redirect("ingreso")
        if request.args.get("mkey") != session.mkey:
            return login_redirect("expirada")
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# --- the request pipeline ----------------------------------------------------------------


def _drop_connection() -> None:
    """Cut the TCP connection without an answer, as a failing load balancer would."""
    sock = request.environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class DroppedConnection(Exception):
    """Raised to abandon a request whose connection was cut by a fault switch."""


def before_request() -> ViewResult | None:
    if len(request.full_path) > MAX_URL_LENGTH:
        return error_page(
            414,
            "Dirección demasiado larga",
            "La dirección de la página es demasiado larga. Vuelva a la página anterior e "
            "intente de nuevo.",
        )
    if request.path.startswith(EXEMPT_PREFIXES):
        return None
    p = portal()
    left = p.faults.maintenance_left()
    if left > 0:
        html, status = render("maintenance.html", 503)
        return Response(html, status, headers={"Retry-After": str(math.ceil(left))})
    key = p.faults.request_key(request.method, request.path)
    delay = p.faults.latency_seconds(key)
    if delay:
        time.sleep(delay)
    decision = p.faults.decide(request.method, key)
    if decision == "ok" and request.method == "POST":
        fields = [(k, v) for k, v in request.form.items(multi=True) if k != CSRF_FIELD]
        fields += [(k, f.filename or "") for k, f in request.files.items(multi=True)]
        if p.faults.drop_after_first(request.path, fields):
            decision = "drop_after"
    if decision != "ok":
        p.store.log_fault(decision, request.method, request.path)
    if decision == "error":
        return error_page(
            503,
            "Servicio no disponible",
            "La plataforma no pudo atender su solicitud. Intente de nuevo en unos minutos.",
        )
    if decision == "drop":
        _drop_connection()
        raise DroppedConnection
    g.drop_after = decision == "drop_after"
    _load_session(p)
    if request.method == "POST":
        return _check_csrf()
    return None


def _load_session(p: Portal) -> None:
    sid = request.cookies.get(SESSION_COOKIE, "")
    session = p.store.get_session(sid) if sid else None
    g.session_expired = False
    if session is not None and time.time() - session.last_seen > p.config.session_idle_seconds:
        p.store.delete_session(session.id)
        g.session_expired = session.user_id is not None
        session = None
    # A cookie the portal no longer knows (expired, logged out, restarted) reads as expired.
    g.stale_cookie = bool(sid) and session is None
    if session is None:
        session = p.store.create_session()
        g.new_session = True
    else:
        p.store.touch_session(session.id)
    g.session = session


def _check_csrf() -> ViewResult | None:
    session: Session = g.session
    if request.form.get(CSRF_FIELD) == session.csrf:
        return None
    if g.session_expired or g.stale_cookie:
        return login_redirect("expirada")
    return error_page(
        400,
        "Solicitud no válida",
        "El formulario no trae un token de seguridad válido (puede haber caducado). "
        "Vuelva a cargar la página e intente de nuevo.",
    )


def after_request(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    session: Session | None = g.get("session")
    if session is not None and g.get("new_session"):
        response.set_cookie(
            SESSION_COOKIE,
            session.id,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,  # over TLS the cookie never travels in the clear
            path="/",
        )
    if g.get("drop_after"):
        _drop_connection()
    _drift(response)
    return response


def _drift(response: Response) -> None:
    """The ``drift`` fault switch: the pages the drift canary visits, changed (drift.py)."""
    cfg = portal().faults.config
    if cfg.drift and request.path in drift.DRIFT_PATHS and response.mimetype == "text/html":
        html = response.get_data(as_text=True)
        response.set_data(drift.apply(html, request.path, cfg.seed, cfg.drift, cfg.drift_kinds))


def refresh_session() -> None:
    """Reload ``g.session`` after a view changed it (login, account choice)."""
    fresh = portal().store.get_session(g.session.id)
    if fresh is not None:
        g.session = fresh


def renew_session(user_id: int) -> None:
    """Log ``user_id`` in under a **new** session id (the old cookie's session is deleted),
    with a new mkey and CSRF token: a session id known before login is worth nothing after."""
    g.session = portal().store.log_in(g.session.id, user_id)
    g.new_session = True


# --- errors -----------------------------------------------------------------------------

_HTTP_MESSAGES = {
    400: ("Solicitud no válida", "La solicitud no se pudo procesar."),
    403: ("Acceso denegado", "No tiene permiso para ver esta página."),
    404: ("Página no encontrada", "La página que busca no existe o fue movida."),
    405: ("Operación no permitida", "Esta página no acepta esa operación."),
    413: (
        "Archivo demasiado grande",
        "El archivo supera el tamaño máximo permitido. Reduzca su tamaño e intente de nuevo.",
    ),
    414: (
        "Dirección demasiado larga",
        "La dirección de la página es demasiado larga. Vuelva a la página anterior e intente "
        "de nuevo.",
    ),
    431: (
        "Encabezados demasiado grandes",
        "La solicitud trae encabezados demasiado grandes (por ejemplo, demasiadas cookies). "
        "Borre las cookies del sitio e intente de nuevo.",
    ),
}


def http_error_page(status: int) -> tuple[str, str]:
    """(title, message) of the Spanish error page for an HTTP status."""
    return _HTTP_MESSAGES.get(status, ("Error", "La solicitud no se pudo procesar."))


def handle_http_error(err: HTTPException) -> ViewResult:
    status = err.code or 500
    title, message = _HTTP_MESSAGES.get(status, ("Error", err.description or "Error"))
    return error_page(status, title, message)


def handle_unexpected(err: Exception) -> ViewResult:
    if isinstance(err, DroppedConnection):
        return Response(b"", status=502)
    log.exception("unexpected error on %s", request.path)
    return error_page(
        500,
        "Error inesperado",
        "Ocurrió un error inesperado. Nuestro equipo fue notificado; intente de nuevo.",
    )


def template_globals() -> dict[str, Any]:
    session: Session | None = g.get("session")
    return {
        "url": url,
        "csrf_field": CSRF_FIELD,
        "csrf_token": session.csrf if session else "",
        "session": session,
        "user": current_user() if session is not None else None,
    }
