"""Bad requests get clear Spanish error pages, never a 500 trace (in-process, no browser)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from robot.mock_portal.app import create_app
from robot.mock_portal.config import PortalConfig
from robot.mock_portal.faults import FaultConfig, FaultInjector
from robot.mock_portal.mailer import Mailer
from robot.mock_portal.seed import seed_user
from robot.mock_portal.server import _mail_templates
from robot.mock_portal.store import Store
from robot.mock_portal.web import Portal

LOGIN = "/STS/Users/Login/Index?SkinName=CCE&currentLanguage=es-CO&Page=login&Country=CO"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    config = PortalConfig(
        db_path=tmp_path / "p.sqlite3", smtp_host="127.0.0.1", smtp_port=9, max_upload_mb=0.01
    )
    store = Store(config.db_path)
    faults = FaultInjector(FaultConfig())
    mailer = Mailer(
        store,
        _mail_templates(),
        smtp_host="127.0.0.1",
        smtp_port=9,
        sender="n@secop.test",
        faults=faults,
    )
    application = create_app(Portal(config=config, store=store, mailer=mailer, faults=faults))

    @application.get("/_test/boom")
    def boom() -> str:
        raise RuntimeError("secret internals that must not leak")

    yield application
    mailer.close()
    store.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _csrf(html: str) -> str:
    match = re.search(r'name="__RequestVerificationToken" value="([^"]+)"', html)
    assert match
    return match.group(1)


def _is_spanish_error_page(html: str) -> bool:
    return 'id="divErrorPage"' in html and "Traceback" not in html and 'lang="es-CO"' in html


def test_post_without_csrf_token_is_refused(client: FlaskClient) -> None:
    client.get(LOGIN)
    resp = client.post(LOGIN, data={"txtUserName": "x", "txtPassword": "y"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert _is_spanish_error_page(html)
    assert "token de seguridad" in html


def test_post_with_a_foreign_csrf_token_is_refused(app: Flask) -> None:
    one, two = app.test_client(), app.test_client()
    token = _csrf(one.get(LOGIN).get_data(as_text=True))
    two.get(LOGIN)
    resp = two.post(LOGIN, data={"__RequestVerificationToken": token, "txtUserName": "x"})
    assert resp.status_code == 400


def test_unknown_page_is_a_spanish_404(client: FlaskClient) -> None:
    resp = client.get("/CO1Marketplace/NoExiste")
    assert resp.status_code == 404
    assert "Página no encontrada" in resp.get_data(as_text=True)


def test_wrong_method_is_a_spanish_405(client: FlaskClient) -> None:
    resp = client.delete(LOGIN)
    assert resp.status_code == 405
    assert "Operación no permitida" in resp.get_data(as_text=True)


def test_oversized_request_is_a_spanish_413(client: FlaskClient) -> None:
    token = _csrf(client.get(LOGIN).get_data(as_text=True))
    resp = client.post(
        LOGIN,
        data={"__RequestVerificationToken": token, "txtUserName": "x" * 200_000},
    )
    assert resp.status_code == 413
    assert "Archivo demasiado grande" in resp.get_data(as_text=True)


def test_unexpected_error_hides_the_internals(client: FlaskClient) -> None:
    resp = client.get("/_test/boom")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 500
    assert _is_spanish_error_page(html)
    assert "secret internals" not in html


def test_stale_session_cookie_on_post_goes_to_login_as_expired(
    app: Flask, client: FlaskClient
) -> None:
    token = _csrf(client.get(LOGIN).get_data(as_text=True))
    portal: Portal = app.extensions["secop_portal"]
    portal.store.execute("DELETE FROM sessions")
    resp = client.post(LOGIN, data={"__RequestVerificationToken": token, "txtUserName": "x"})
    assert resp.status_code == 302
    assert "motivo=expirada" in resp.headers["Location"]


def test_login_rotates_the_mkey_and_the_csrf_token(app: Flask, client: FlaskClient) -> None:
    portal: Portal = app.extensions["secop_portal"]
    seed_user(
        portal.store, username="rotacion", password="Clave#Segura2026", email="r@proveedores.test"
    )
    token = _csrf(client.get(LOGIN).get_data(as_text=True))
    resp = client.post(
        LOGIN,
        data={
            "__RequestVerificationToken": token,
            "txtUserName": "rotacion",
            "txtPassword": "Clave#Segura2026",
        },
    )
    assert resp.status_code == 302
    row = portal.store.one("SELECT csrf, mkey FROM sessions WHERE user_id IS NOT NULL")
    assert row is not None
    assert row["csrf"] != token
    assert row["mkey"] in resp.headers["Location"]
