"""Two registrations racing for one user name or e-mail: the loser sees a field error, not a 500.

The race is forced: the store's insert is wrapped so that a competitor with the same e-mail
(or user name) is inserted between the portal's uniqueness check and its own insert.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from robot.mock_portal.seed import seed_account, seed_user
from tests.mock_portal.supplier_helpers import (
    PASSWORD,
    App,
    csrf_of,
    login,
    make_app,
    unique,
    visible_errors,
)

REGISTER = "/STS/Users/Register/Index"
CREATE = "/CO1Marketplace/Users/Admin/Create"


def _personal(username: str, email: str) -> dict[str, str]:
    return {
        "txtFirstName": "Carlos",
        "txtLastName": "Quintero",
        "selIdType": "CC",
        "txtIdNumber": "79123456",
        "txtEmail": email,
        "txtEmailConfirm": email,
        "txtPhone": "3001234567",
        "txtUserName": username,
    }


def _race(app: App, method: str, competitor: dict[str, str]) -> None:
    """Make ``store.<method>`` lose a race against ``competitor`` (username, email)."""
    original: Callable[..., int] = getattr(app.store, method)

    def insert_after_the_competitor(*args: Any) -> int:
        delattr(app.store, method)  # one race only; the competitor's own insert is plain
        seed_user(app.store, password=PASSWORD, **competitor)
        return original(*args)

    setattr(app.store, method, insert_after_the_competitor)


@pytest.mark.parametrize(
    ("clash", "field", "message"),
    [
        ("email", "txtEmail", "Ya existe un usuario registrado con este correo electrónico."),
        ("username", "txtUserName", "Este nombre de usuario ya está en uso. Elija otro."),
    ],
)
def test_registrar_usuario_race(tmp_path: Path, clash: str, field: str, message: str) -> None:
    app = make_app(tmp_path)
    username, email = unique("carrera"), f"t+{unique()}@proveedores.test"
    competitor = {"username": unique("otro"), "email": f"t+{unique()}@proveedores.test"}
    competitor[clash] = email if clash == "email" else username
    _race(app, "create_user", competitor)
    client = app.client()
    form = {
        **_personal(username, email),
        "txtPassword": PASSWORD,
        "txtPasswordConfirm": PASSWORD,
        "chkTerms": "1",
        "chkDataPolicy": "1",
        "__RequestVerificationToken": csrf_of(client.get(REGISTER).data),
    }
    resp = client.post(REGISTER, data=form)
    assert resp.status_code == 400
    assert visible_errors(resp) == {field: message}
    assert app.mailer.sent == []


def test_crear_usuario_race(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    admin = unique("admin")
    admin_id = seed_user(
        app.store, username=admin, password=PASSWORD, email=f"t+{admin}@proveedores.test"
    )
    seed_account(app.store, admin_id, name=f"Cuenta {admin} S.A.S.", nit="900123456")
    client = app.client()
    mkey, _ = login(client, admin)
    username, email = unique("creado"), f"t+{unique()}@proveedores.test"
    _race(app, "create_member_user", {"username": unique("otro"), "email": email})
    page = client.get(CREATE, query_string={"mkey": mkey})
    form = {**_personal(username, email), "__RequestVerificationToken": csrf_of(page.data)}
    resp = client.post(CREATE, query_string={"mkey": mkey}, data=form)
    assert resp.status_code == 400
    assert visible_errors(resp) == {
        "txtEmail": "Ya existe un usuario registrado con este correo electrónico."
    }
    assert app.store.user_by_username(username) is None
    assert app.mailer.sent == []
