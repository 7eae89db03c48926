"""Mails and one-shot page messages of registration and user administration.

Links in mails are absolute and never carry an mkey: the reader opens them in another session.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import g, url_for

from robot.mock_portal.mailer import Mail
from robot.mock_portal.web import FROM_MAIL, LOGIN_QUERY, portal, refresh_session


def flash(text: str, kind: str = "success") -> None:
    """Keep a message for the next page this session renders (post-redirect-get)."""
    data = dict(g.session.data)
    data["flash"] = [text, kind]
    portal().store.set_session_data(g.session.id, data)
    refresh_session()


def take_flash() -> tuple[str, str]:
    """The pending message and its kind ("", "info") when there is none; clears it."""
    data = dict(g.session.data)
    pending = data.pop("flash", None)
    if not pending:
        return "", "info"
    portal().store.set_session_data(g.session.id, data)
    refresh_session()
    return str(pending[0]), str(pending[1])


def _absolute(endpoint: str, **values: Any) -> str:
    return portal().config.base_url + url_for(endpoint, **values)


def full_name(user: sqlite3.Row) -> str:
    return f"{user['first_name']} {user['last_name']}"


def send_activation(user: sqlite3.Row) -> None:
    """A new activation link (older ones become void). A user an administrator created
    (no password yet) gets the ``user_created`` mail, whose link asks for a password."""
    p = portal()
    token = p.store.new_activation_token(user["id"], p.config.token_ttl_hours * 3600)
    link = _absolute("register.confirm", token=token)
    if user["password_hash"]:
        mail = Mail(
            kind="activation",
            to=user["email"],
            greeting_name=full_name(user),
            paragraphs=[
                "Gracias por registrarse en SECOP II.",
                f"Para activar su usuario {user['username']} haga clic en el siguiente enlace. "
                f"El enlace es válido por {p.config.token_ttl_hours:g} horas y solo puede "
                "usarse una vez.",
            ],
            link=link,
            link_text="Activar usuario",
        )
    else:
        mail = Mail(
            kind="user_created",
            to=user["email"],
            greeting_name=full_name(user),
            paragraphs=[
                "El administrador de una cuenta de SECOP II creó un usuario para usted: "
                f"{user['username']}.",
                "Para activarlo y elegir su contraseña haga clic en el siguiente enlace. "
                f"El enlace es válido por {p.config.token_ttl_hours:g} horas.",
            ],
            link=link,
            link_text="Activar usuario y elegir contraseña",
        )
    p.mailer.send(mail)


def send_access_requested(admin: sqlite3.Row, requester: sqlite3.Row, account: sqlite3.Row) -> None:
    portal().mailer.send(
        Mail(
            kind="access_requested",
            to=admin["email"],
            greeting_name=full_name(admin),
            paragraphs=[
                f"{full_name(requester)} ({requester['email']}) solicitó acceso a la cuenta "
                f"{account['name']} (NIT {account['nit']}).",
                "Acepte o rechace la solicitud en Administración de usuarios.",
            ],
            # An entry point (web.FROM_MAIL): a logged-in administrator goes straight to the
            # Usuarios page of this account; anyone else logs in first, then goes there.
            link=_absolute("admin.users", origen=FROM_MAIL, cuenta=account["id"]),
            link_text="Administración de usuarios",
        )
    )


_DECISIONS = {
    "access_accepted": (
        "Su solicitud de acceso a la cuenta {name} (NIT {nit}) fue aceptada. "
        "Ya puede ingresar y trabajar en nombre de la cuenta."
    ),
    "access_rejected": (
        "Su solicitud de acceso a la cuenta {name} (NIT {nit}) fue rechazada. "
        "Si cree que es un error, comuníquese con el administrador de la cuenta."
    ),
    "access_cancelled": (
        "Su acceso a la cuenta {name} (NIT {nit}) fue cancelado por un administrador."
    ),
    "access_reverted": (
        "Un administrador revirtió el rechazo de su solicitud de acceso a la cuenta {name} "
        "(NIT {nit}). La solicitud está de nuevo Pendiente: recibirá otro correo cuando la "
        "acepten o la rechacen."
    ),
}


def send_access_decision(kind: str, user: sqlite3.Row, account: sqlite3.Row) -> None:
    """``access_accepted``, ``access_rejected``, ``access_cancelled`` or ``access_reverted``."""
    text = _DECISIONS[kind].format(name=account["name"], nit=account["nit"])
    portal().mailer.send(
        Mail(
            kind=kind,
            to=user["email"],
            greeting_name=full_name(user),
            paragraphs=[text],
            link=_absolute("auth.login", **LOGIN_QUERY),
            link_text="Ingresar a SECOP II",
        )
    )
