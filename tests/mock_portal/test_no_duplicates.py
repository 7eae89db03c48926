"""No way to a duplicate (issue 13, point 2): the NIT and DV of a draft are fixed once Generar
formulario created it, and a state change that mails is made once however many posts race for it.

Races are real: N threads post the same form at once (a barrier releases them together) through
the Flask test client on one session; the store must make one change and the portal one mail.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import TestResponse

from robot.mock_portal.seed import seed_account, seed_user
from robot.mock_portal.web import CSRF_FIELD, SESSION_COOKIE
from tests.mock_portal.supplier_helpers import (
    FORM_URL,
    PASSWORD,
    App,
    csrf_of,
    login,
    make_app,
    open_form,
    required_files,
    seed_draft,
    soup,
    unique,
    valid_fields,
    visible_errors,
)

ENTITY = "/CO1Marketplace/Companies/Entity/Index"
USERS = "/CO1Marketplace/Users/Admin/Index"
RACERS = 8


@pytest.fixture
def app(tmp_path: Path) -> App:
    return make_app(tmp_path)


def _all_at_once(count: int, call: Callable[[int], TestResponse]) -> list[TestResponse]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        results[index] = call(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def _same_session(app: App, sid: str) -> Any:
    client = app.client()
    client.set_cookie(SESSION_COOKIE, sid)
    return client


# --- NIT and DV fixed ------------------------------------------------------------------------


def test_the_nit_and_dv_of_a_draft_are_read_only(app: App) -> None:
    draft = seed_draft(app.store, nit="900123456")
    form = open_form(app, draft)
    page = soup(form.get())
    assert page.find(id="txtNit").has_attr("readonly")
    assert page.find(id="txtDv").has_attr("readonly")
    assert page.find(id="txtNit")["value"] == "900123456"
    assert page.find(id="txtDv")["value"] == "8"
    assert page.find(id="txtName").has_attr("readonly") is False


def test_a_post_cannot_change_or_clear_the_nit(app: App) -> None:
    draft = seed_draft(app.store, nit="900123456")
    form = open_form(app, draft)
    changed = form.post({**valid_fields(nit="901234560", dv="6")})
    assert changed.status_code == 422
    errors = visible_errors(changed)
    assert "no se puede cambiar (900123456)" in errors["txtNit"]
    assert "no se puede cambiar" in errors["txtDv"]
    assert soup(changed).find(id="txtNit")["value"] == "900123456"
    cleared = form.post({**valid_fields(), "txtNit": "", "txtDv": ""})
    assert cleared.status_code == 200
    assert "txtNit" not in visible_errors(cleared)
    account = app.store.account(draft.account_id)
    assert account is not None
    assert (account["nit"], account["dv"]) == ("900123456", "8")
    # so nobody else can generate a second draft for this NIT: Validar finds the account
    other = seed_user(app.store, username=unique("otro"), password=PASSWORD, email="o@x.test")
    assert other
    client = app.client()
    mkey, _ = login(client, str(app.store.user(other)["username"]))  # type: ignore[index]
    page = client.get(ENTITY, query_string={"mkey": mkey})
    found = client.post(
        ENTITY,
        query_string={"mkey": mkey},
        data={"txtEntityName": "", "txtEntityNit": "900123456", "action": "validar"}
        | {CSRF_FIELD: csrf_of(page.data)},
    )
    assert soup(found).find(id=f"btnRequestAccess{draft.account_id}") is not None
    assert soup(found).find(id="btnRegisterEntity") is None


def test_finalizar_keeps_the_fixed_nit(app: App) -> None:
    draft = seed_draft(app.store, nit="900123456")
    form = open_form(app, draft)
    fields = {k: v for k, v in valid_fields().items() if k not in ("txtNit", "txtDv")}
    resp = form.post(fields, required_files(), action="finalizar")
    assert resp.status_code == 302, visible_errors(resp)
    account = app.store.account(draft.account_id)
    assert account is not None
    assert (account["status"], account["nit"], account["dv"]) == ("active", "900123456", "8")


def test_nombre_abreviado_is_prefilled_from_the_name(app: App) -> None:
    draft = seed_draft(app.store, nit="900123456")
    page = soup(open_form(app, draft).get())
    name = app.store.account(draft.account_id)["name"]  # type: ignore[index]
    assert page.find(id="txtShortName")["value"] == name.upper()


# --- one change, one mail --------------------------------------------------------------------


def test_racing_finalizar_posts_activate_once_and_mail_once(app: App) -> None:
    draft = seed_draft(app.store, nit="900123456")
    form = open_form(app, draft)
    form.post(valid_fields(), required_files())  # the draft holds every document
    sid = form.client.get_cookie(SESSION_COOKIE).value  # type: ignore[union-attr]
    csrf = csrf_of(form.get().data)

    def finalize(_: int) -> TestResponse:
        client = _same_session(app, sid)
        data = {**valid_fields(), CSRF_FIELD: csrf, "action": "finalizar"}
        data["fileDoc_experiencia"] = (io.BytesIO(b"%PDF-1.4 x"), "experiencia.pdf")
        return client.post(  # type: ignore[no-any-return]
            FORM_URL,
            query_string={"mkey": form.mkey},
            data=data,
            content_type="multipart/form-data",
        )

    results = _all_at_once(RACERS, finalize)
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(302) == 1, statuses
    assert set(statuses) <= {302, 409}
    mails = [m for m in app.mailer.sent if m.kind == "supplier_registered"]
    assert len(mails) == 1
    assert app.store.account(draft.account_id)["status"] == "active"  # type: ignore[index]


def _requester_on_found_account(app: App, account_id: int, nit: str) -> tuple[str, str, str]:
    """A user who pressed Validar and found the account: (sid, mkey, csrf)."""
    username = unique("sol")
    seed_user(app.store, username=username, password=PASSWORD, email=f"{username}@x.test")
    client = app.client()
    mkey, _ = login(client, username)
    page = client.get(ENTITY, query_string={"mkey": mkey})
    client.post(
        ENTITY,
        query_string={"mkey": mkey},
        data={"txtEntityNit": nit, "action": "validar", CSRF_FIELD: csrf_of(page.data)},
    )
    sid = client.get_cookie(SESSION_COOKIE).value  # type: ignore[union-attr]
    return sid, mkey, csrf_of(client.get(ENTITY, query_string={"mkey": mkey}).data)


def test_racing_access_requests_mail_the_administrators_once(app: App) -> None:
    admin = unique("adm")
    admin_id = seed_user(app.store, username=admin, password=PASSWORD, email=f"{admin}@x.test")
    account_id = seed_account(app.store, admin_id, name="Cuenta Activa S.A.S.", nit="900123456")
    sid, mkey, csrf = _requester_on_found_account(app, account_id, "900123456")

    def finish(_: int) -> TestResponse:
        data = {"action": "finalizar", "account_id": str(account_id), CSRF_FIELD: csrf}
        client = _same_session(app, sid)
        return client.post(ENTITY, query_string={"mkey": mkey}, data=data)  # type: ignore[no-any-return]

    results = _all_at_once(RACERS, finish)
    assert {r.status_code for r in results} == {302}
    assert [m.kind for m in app.mailer.sent].count("access_requested") == 1
    states = app.store.all("SELECT state FROM memberships WHERE account_id = ?", account_id)
    assert sorted(r["state"] for r in states) == ["Aceptado", "Pendiente"]


def test_racing_decisions_of_administrators_mail_once(app: App) -> None:
    admin = unique("adm")
    admin_id = seed_user(app.store, username=admin, password=PASSWORD, email=f"{admin}@x.test")
    account_id = seed_account(app.store, admin_id, name="Cuenta Activa S.A.S.", nit="900123456")
    requester = seed_user(app.store, username=unique("sol"), password=PASSWORD, email="s@x.test")
    app.store.request_access(requester, account_id)
    client = app.client()
    mkey, _ = login(client, admin)
    sid = client.get_cookie(SESSION_COOKIE).value  # type: ignore[union-attr]
    csrf = csrf_of(client.get(USERS, query_string={"mkey": mkey}).data)

    def accept(_: int) -> TestResponse:
        data = {"action": "aceptar", "user_id": str(requester), CSRF_FIELD: csrf}
        return _same_session(app, sid).post(USERS, query_string={"mkey": mkey}, data=data)  # type: ignore[no-any-return]

    _all_at_once(RACERS, accept)
    assert [m.kind for m in app.mailer.sent].count("access_accepted") == 1
    assert app.store.membership(requester, account_id)["state"] == "Aceptado"  # type: ignore[index]
