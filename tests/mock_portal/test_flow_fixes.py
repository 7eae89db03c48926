"""Flow fixes (issue 13, point 4): the access-request mail's link, expired-session pages, the
users' states, in-process on the real app (Flask test client, mail recorded)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from robot.mock_portal.seed import seed_account, seed_user
from robot.mock_portal.web import CSRF_FIELD
from tests.mock_portal.supplier_helpers import (
    LOGIN_URL,
    PASSWORD,
    App,
    csrf_of,
    login,
    make_app,
    soup,
    unique,
)

ENTITY = "/CO1Marketplace/Companies/Entity/Index"
USERS = "/CO1Marketplace/Users/Admin/Index"


@pytest.fixture
def app(tmp_path: Path) -> App:
    return make_app(tmp_path)


def _account_with_request(app: App) -> tuple[str, int, str]:
    """An active account whose administrator got an access-request mail: (admin, id, link)."""
    admin = unique("adm")
    admin_id = seed_user(app.store, username=admin, password=PASSWORD, email=f"{admin}@x.test")
    account_id = seed_account(app.store, admin_id, name="Cuenta Correo S.A.S.", nit="900123456")
    asker = unique("sol")
    seed_user(app.store, username=asker, password=PASSWORD, email=f"{asker}@x.test")
    client = app.client()
    mkey, _ = login(client, asker)
    q = {"mkey": mkey}
    page = client.get(ENTITY, query_string=q)
    data = {"txtEntityNit": "900123456", "action": "validar", CSRF_FIELD: csrf_of(page.data)}
    client.post(ENTITY, query_string=q, data=data)
    data = {"action": "finalizar", "account_id": str(account_id), CSRF_FIELD: data[CSRF_FIELD]}
    assert client.post(ENTITY, query_string=q, data=data).status_code == 302
    [mail] = [m for m in app.mailer.sent if m.kind == "access_requested"]
    assert mail.link is not None
    link = mail.link.removeprefix(app.config.base_url)
    return admin, account_id, link


def test_the_access_request_link_takes_a_logged_in_admin_to_usuarios(app: App) -> None:
    admin, _, link = _account_with_request(app)
    client = app.client()
    mkey, _ = login(client, admin)
    resp = client.get(link)
    assert resp.status_code == 302
    target = urlparse(resp.headers["Location"])
    assert target.path == USERS
    assert target.query == f"mkey={mkey}"
    page = client.get(resp.headers["Location"])
    assert page.status_code == 200
    assert "Su sesión ha expirado" not in page.get_data(as_text=True)
    assert soup(page).find(id="lblTitle").get_text() == "Administración de usuarios"


def test_the_access_request_link_asks_a_logged_out_admin_to_log_in_first(app: App) -> None:
    admin, account_id, link = _account_with_request(app)
    assert urlparse(link).path == USERS  # the robot's mail rules expect this path
    assert "origen=correo" in link
    assert f"cuenta={account_id}" in link
    client = app.client()
    resp = client.get(link)
    assert resp.status_code == 302
    login_page = resp.headers["Location"]
    assert urlparse(login_page).path == LOGIN_URL
    assert "motivo=expirada" not in login_page
    page = client.get(login_page)
    form = soup(page).find(id="frmLogin")
    assert form.find("input", attrs={"name": "ReturnUrl"})["value"] == USERS
    assert form.find("input", attrs={"name": "cuenta"})["value"] == str(account_id)
    resp = client.post(
        login_page,
        data={
            "txtUserName": admin,
            "txtPassword": PASSWORD,
            "ReturnUrl": USERS,
            "cuenta": str(account_id),
            CSRF_FIELD: csrf_of(page.data),
        },
    )
    assert resp.status_code == 302
    assert urlparse(resp.headers["Location"]).path == USERS
    assert client.get(resp.headers["Location"]).status_code == 200


def test_other_links_without_mkey_still_read_as_expired(app: App) -> None:
    admin, _, _ = _account_with_request(app)
    client = app.client()
    login(client, admin)
    resp = client.get(USERS)
    assert "motivo=expirada" in resp.headers["Location"]


@pytest.mark.parametrize("target", ["https://evil.test/x", "//evil.test/x", "/STS/Users/Logout"])
def test_return_url_never_leaves_the_portals_pages(app: App, target: str) -> None:
    user = unique("usr")
    seed_user(app.store, username=user, password=PASSWORD, email=f"{user}@x.test")
    client = app.client()
    page = client.get(LOGIN_URL, query_string={"ReturnUrl": target})
    assert soup(page).find("input", attrs={"name": "ReturnUrl"}) is None
    resp = client.post(
        LOGIN_URL,
        data={
            "txtUserName": user,
            "txtPassword": PASSWORD,
            "ReturnUrl": target,
            CSRF_FIELD: csrf_of(page.data),
        },
    )
    assert urlparse(resp.headers["Location"]).netloc in ("", "localhost")
    assert urlparse(resp.headers["Location"]).path == ENTITY


def test_an_expired_session_page_never_shows_the_users_menu(app: App) -> None:
    user = unique("usr")
    seed_user(app.store, username=user, password=PASSWORD, email=f"{user}@x.test")
    client = app.client()
    login(client, user)
    resp = client.get(ENTITY)  # no mkey: the portal says the session expired
    assert "motivo=expirada" in resp.headers["Location"]
    page = soup(client.get(resp.headers["Location"]))
    assert "Su sesión ha expirado" in page.get_text()
    assert page.find(id="lblUserName") is None
    assert page.find(id="lnkLogout") is None
    # idle expiry too
    app.store.execute("UPDATE sessions SET last_seen = last_seen - 100000")
    resp = client.get(ENTITY, query_string={"mkey": "x"})
    page = soup(client.get(resp.headers["Location"]))
    assert page.find(id="lblUserName") is None


def test_users_page_shows_the_four_states_and_activation_apart(app: App) -> None:
    admin = unique("adm")
    admin_id = seed_user(app.store, username=admin, password=PASSWORD, email=f"{admin}@x.test")
    account_id = seed_account(app.store, admin_id, name="Cuenta Estados S.A.S.", nit="900123456")
    fresh = unique("new")
    new_id = seed_user(
        app.store, username=fresh, password=PASSWORD, email=f"{fresh}@x.test", active=False
    )
    app.store.execute(
        "INSERT INTO memberships (user_id, account_id, role, state, requested_at)"
        " VALUES (?, ?, 'user', 'Aceptado', 0)",
        new_id,
        account_id,
    )
    client = app.client()
    mkey, _ = login(client, admin)
    page = soup(client.get(USERS, query_string={"mkey": mkey}))
    assert page.find(id=f"spnUserState{new_id}").get_text() == "Aceptado"
    assert page.find(id=f"spnUserActivation{new_id}").get_text() == "Sin activar"
    assert page.find(id=f"spnUserActivation{admin_id}").get_text() == "Activo"
    states = {s.get_text() for s in page.select("[id^=spnUserState]")}
    assert states <= {"Aceptado", "Pendiente", "Rechazado", "Cancelado"}
    assert "sin activar)" not in page.get_text()
