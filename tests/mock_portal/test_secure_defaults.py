"""Secure by default and no 500 (issue 13, points 3 and 5): headers on every answer, the
session id renewed at login, cookie flags, uploads whose declared type lies, ids too large for
SQLite, URLs and headers too large for the server, Retry-After in maintenance, /_state off."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest

from robot.mock_portal.web import CSRF_FIELD, SECURITY_HEADERS, SESSION_COOKIE
from tests.fixtures.portal import PortalProcess
from tests.mock_portal.supplier_helpers import (
    FORM_URL,
    LOGIN_URL,
    PASSWORD,
    PDF,
    App,
    csrf_of,
    login,
    make_app,
    open_form,
    seed_draft,
    visible_errors,
)

HUGE = "9" * 40  # far beyond SQLite's 64-bit integers


@pytest.fixture
def app(tmp_path: Path) -> App:
    return make_app(tmp_path)


@pytest.mark.parametrize(
    "path",
    [LOGIN_URL, "/Public/Directory/Index", "/static/portal.css", "/no/existe", "/_state"],
)
def test_every_answer_carries_the_security_headers(app: App, path: str) -> None:
    resp = app.client().get(path)
    for name, value in SECURITY_HEADERS.items():
        assert resp.headers[name] == value, (path, name)
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp


def test_the_session_id_is_renewed_at_login_and_the_old_one_dies(app: App) -> None:
    draft = seed_draft(app.store)
    client = app.client()
    client.get(LOGIN_URL)
    before = client.get_cookie(SESSION_COOKIE)
    assert before is not None
    assert before.http_only
    assert before.same_site == "Lax"
    assert not before.secure  # plain HTTP here
    login(client, draft.username)
    after = client.get_cookie(SESSION_COOKIE)
    assert after is not None
    assert after.value != before.value
    assert after.http_only
    assert app.store.get_session(before.value) is None
    # an attacker who planted the old id before login has nothing
    planted = app.client()
    planted.set_cookie(SESSION_COOKIE, before.value)
    resp = planted.get(FORM_URL)
    assert resp.status_code == 302
    assert "/STS/Users/Login/Index" in resp.headers["Location"]


def test_the_cookie_is_secure_over_tls(app: App) -> None:
    resp = app.client().get(LOGIN_URL, base_url="https://localhost")
    cookie = resp.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_an_upload_whose_declared_type_lies_is_refused(app: App) -> None:
    draft = seed_draft(app.store)
    form = open_form(app, draft)
    csrf = csrf_of(form.get().data)
    resp = form.client.post(
        FORM_URL,
        query_string={"mkey": form.mkey},
        data={
            CSRF_FIELD: csrf,
            "action": "guardar",
            "fileDoc_rut": (io.BytesIO(PDF), "rut.pdf", "text/html"),
        },
        content_type="multipart/form-data",
    )
    assert "no corresponde a su contenido" in visible_errors(resp)["fileDoc_rut"]
    assert app.store.account_documents(draft.account_id) == []
    ok = form.client.post(
        FORM_URL,
        query_string={"mkey": form.mkey},
        data={
            CSRF_FIELD: csrf,
            "action": "guardar",
            "fileDoc_rut": (io.BytesIO(PDF), "rut.pdf", "application/octet-stream"),
        },
        content_type="multipart/form-data",
    )
    assert "fileDoc_rut" not in visible_errors(ok)


def test_ids_too_large_for_sqlite_are_not_found_not_500(app: App) -> None:
    draft = seed_draft(app.store)
    client = app.client()
    mkey, _ = login(client, draft.username)
    q = {"mkey": mkey}
    for path in (
        f"/Public/Directory/Supplier/{HUGE}",
        f"/Public/Directory/Supplier/{HUGE}/Document/{HUGE}",
        f"/Public/Directory/Supplier/1/Document/{HUGE}",
    ):
        assert client.get(path, query_string=q).status_code == 404, path
    page = client.get(FORM_URL, query_string=q)
    for action in (f"eliminar:{HUGE}", f"eliminar:rut:{HUGE}", f"quitar:{HUGE}"):
        resp = client.post(
            FORM_URL, query_string=q, data={CSRF_FIELD: csrf_of(page.data), "action": action}
        )
        assert resp.status_code < 500, action
    users = client.post(
        "/CO1Marketplace/Users/Admin/Index",
        query_string=q,
        data={CSRF_FIELD: csrf_of(page.data), "action": "aceptar", "user_id": HUGE},
    )
    assert users.status_code == 302
    entity = client.post(
        "/CO1Marketplace/Companies/Entity/Index",
        query_string=q,
        data={CSRF_FIELD: csrf_of(page.data), "action": "solicitar", "account_id": HUGE},
    )
    assert entity.status_code == 400
    choose = client.post(
        "/CO1Marketplace/Users/Settings/Registrations",
        query_string=q,
        data={CSRF_FIELD: csrf_of(page.data), "account_id": HUGE},
    )
    assert choose.status_code == 302


def test_a_url_too_long_for_the_app_gets_the_spanish_414_page(app: App) -> None:
    resp = app.client().get("/Public/Directory/Index", query_string={"txtSearch": "a" * 9000})
    assert resp.status_code == 414
    assert "Dirección demasiado larga" in resp.get_data(as_text=True)


def test_maintenance_says_when_to_retry(tmp_path: Path) -> None:
    app = make_app(
        tmp_path, faults={"maintenance": [{"start_seconds": 0, "duration_seconds": 120}]}
    )
    resp = app.client().get(LOGIN_URL)
    assert resp.status_code == 503
    assert 1 <= int(resp.headers["Retry-After"]) <= 120
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_the_state_endpoint_is_off_unless_asked(app: App) -> None:
    assert app.config.state_endpoint is False
    assert app.client().get("/_state").status_code == 404


# --- the HTTP server's own refusals, on a real server ------------------------------------------


def _raw(portal: PortalProcess, request: bytes) -> tuple[int, str]:
    host, port = portal.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    assert b"X-Content-Type-Options: nosniff" in head
    return status, body.decode("utf-8")


def test_a_request_line_too_long_gets_the_spanish_414_page(portal: PortalProcess) -> None:
    status, body = _raw(portal, b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 414
    assert "Dirección demasiado larga" in body
    assert 'lang="es-CO"' in body


def test_too_many_headers_get_the_spanish_431_page(portal: PortalProcess) -> None:
    headers = b"".join(b"X-H%d: v\r\n" % i for i in range(120))
    status, body = _raw(portal, b"GET / HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert status == 431
    assert "Encabezados demasiado grandes" in body


def test_the_portals_cookie_flags_over_http(portal: PortalProcess) -> None:
    host, port = portal.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET " + LOGIN_URL.encode() + b" HTTP/1.0\r\nHost: x\r\n\r\n")
        head = sock.recv(65536).split(b"\r\n\r\n")[0].decode()
    [cookie] = [line for line in head.split("\r\n") if line.startswith("Set-Cookie:")]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert PASSWORD not in head
