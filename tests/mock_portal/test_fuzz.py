"""Fuzz the mock portal (issue 13, point 6): every route, posted with random, oversized and
hostile values by an anonymous client and by logged-in ones; no answer may be a 500, and the
SQLite state must keep its unique rules (one account per NIT, one user per e-mail and per user
name, one membership per user and account) and the fixed NIT of every account.

A seeded generator (``random.Random``), not hypothesis: the requests form long sequences whose
state matters (Validar before Generar formulario, a draft before Finalizar), and a failure must
replay exactly. ``SECOP_FUZZ_SEED`` and ``SECOP_FUZZ_REQUESTS`` change the seed and the count
(default 5,000 requests: about 25 s on one core). The app is the real one, in-process (Flask
test client, as supplier_helpers.py does), with the mail recorded.
"""

from __future__ import annotations

import io
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from robot.mock_portal.seed import seed_account, seed_user
from robot.mock_portal.store import Store
from robot.mock_portal.web import CSRF_FIELD, SESSION_COOKIE
from robot.portal_rules import DOCUMENT_SLOTS, ORGANIZATION_TYPES, nit_check_digit
from tests.mock_portal.supplier_helpers import (
    JPG,
    PASSWORD,
    PDF,
    PNG,
    App,
    login,
    make_app,
    valid_fields,
)

SEED = int(os.environ.get("SECOP_FUZZ_SEED", "20261203"))
REQUESTS = int(os.environ.get("SECOP_FUZZ_REQUESTS", "5000"))
CHECK_EVERY = 250  # requests between two checks of the unique rules

NITS = ["900123456", "901234560", "860555777", "800197268", "830041394", "12345678"]
HUGE = "9" * 40
FIELDS = [
    "chkDataPolicy",
    "chkTerms",
    "hdnDepartamentoCode",
    "hdnMunicipioCode",
    "nbxAssets",
    "nbxEquity",
    "nbxLiabilities",
    "nbxRevenue",
    "rdbMipyme",
    "rdbPrincipal",
    "selBusinessArea",
    "selCompanySize",
    "selCountry",
    "selDepartamento",
    "selIdType",
    "selLanguage",
    "selOrganizationType",
    "selRepIdType",
    "selTimeZone",
    "selType",
    "seldpCompany",
    "txtAddress",
    "txtCity",
    "txtCutoffDate",
    "txtDepartamento",
    "txtDv",
    "txtEmail",
    "txtEmailConfirm",
    "txtEntityName",
    "txtEntityNit",
    "txtFax",
    "txtFirstName",
    "txtIdNumber",
    "txtLastName",
    "txtMunicipio",
    "txtName",
    "txtNit",
    "txtPassword",
    "txtPasswordConfirm",
    "txtPhone",
    "txtPosition",
    "txtRepEmail",
    "txtRepFirstName",
    "txtRepIdNumber",
    "txtRepLastName",
    "txtRepPhone",
    "txtSearch",
    "txtShortName",
    "txtUserName",
    "txtWebsite",
    "txttxtCaptcha",
    "account_id",
    "user_id",
    "token",
    "unspsc",
    "ReturnUrl",
    "cuenta",
    "origen",
    "mkey",
]
ACTIONS = [
    "guardar",
    "finalizar",
    "quitar:27111700",
    "validar",
    "registrar",
    "generar",
    "solicitar",
    "aceptar",
    "rechazar",
    "cancelar",
    "revertir",
    "activar",
    *(f"eliminar:{slot}" for slot in DOCUMENT_SLOTS),
    "eliminar:constancia",
    f"eliminar:rut:{HUGE}",
    f"quitar:{HUGE}",
    "",
    ":",
]
HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "2",
    "3",
    HUGE,
    "9" * 19,
    str(2**63),
    "1e309",
    "NaN",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR '1'='1' --",
    "'; DROP TABLE users; --",
    "\x00",
    "a\x00b",
    "\u202e\u200b",
    "../../../../etc/passwd",
    "%00%2e%2e",
    "😀" * 40,
    "Ñandú Ingeniería",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "null",
    "[]",
    "a" * 5000,
    "9" * 5000,
    "https://evil.test/",
    "//evil.test",
    "/CO1Marketplace/Users/Admin/Index",
    "2024-02-30",
    "31/12/2024",
    "900.123.456-8",
    "-",
    "\r\nSet-Cookie: x=1",
]


def _valid_value(name: str, rng: random.Random, tag: str) -> str:
    """A plausible value for a known field, so the fuzz also reaches the views' deep paths."""
    nit = rng.choice(NITS)
    options: dict[str, list[str]] = {
        "txtNit": [nit],
        "txtEntityNit": [nit, f"{nit}-{nit_check_digit(nit)}"],
        "txtDv": [nit_check_digit(nit), "0"],
        "txtEntityName": ["Ferretería Ñandú S.A.S.", f"Empresa {tag} S.A.S."],
        "txtName": ["Ferretería Ñandú S.A.S."],
        "txtUserName": [f"fuzz_{tag}", "fuzz_user_1", "FUZZ_USER_1"],
        "txtEmail": [f"f+{tag}@x.test", "f+1@x.test", "F+1@X.TEST"],
        "txtEmailConfirm": [f"f+{tag}@x.test", "f+1@x.test"],
        "txtPassword": [PASSWORD],
        "txtPasswordConfirm": [PASSWORD],
        "selIdType": ["CC", "PA"],
        "txtIdNumber": ["79123456"],
        "selOrganizationType": list(ORGANIZATION_TYPES),
        "selType": ["Proveedor"],
        "selBusinessArea": ["Privado"],
        "chkTerms": ["1"],
        "chkDataPolicy": ["1"],
        "unspsc": ["27111700", "31161500", "99999999"],
        "rdbPrincipal": ["27111700"],
        "hdnDepartamentoCode": ["05", "11"],
        "hdnMunicipioCode": ["05001", "11001"],
        "account_id": ["1", "2", "3", "4", HUGE],
        "user_id": ["1", "2", "3", "4", "5", "6", HUGE],
        "seldpCompany": ["1", "2", "3"],
        "cuenta": ["1", "2", HUGE],
        "origen": ["correo"],
        "ReturnUrl": ["/CO1Marketplace/Users/Admin/Index", "/CO1Marketplace/Desktop/Index"],
        "txtSearch": ["ferreteria", "900123456", "tornillos", "medellin", "a"],
    }
    return rng.choice(options.get(name, HOSTILE))


def _value(name: str, rng: random.Random, tag: str) -> str:
    roll = rng.random()
    if roll < 0.55:
        return _valid_value(name, rng, tag)
    if roll < 0.9:
        return rng.choice(HOSTILE)
    return "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(1, 300)))


def _file(rng: random.Random) -> tuple[io.BytesIO, str, str]:
    content = rng.choice([PDF, PNG, JPG, b"", b"<html>", PDF + os.urandom(64), b"MZ\x90\x00"])
    name = rng.choice(["rut.pdf", "x.png", "c.jpg", "a.exe", "", "../../x.pdf", "ñ" * 200 + ".pdf"])
    kind = rng.choice(["application/pdf", "image/png", "text/html", "", "x/" + "y" * 300])
    return io.BytesIO(content), name or "sin-nombre", kind


@dataclass
class Actor:
    """One client: anonymous, or logged in as ``username`` (logged in again when it is not)."""

    client: FlaskClient
    username: str | None = None
    seen: dict[str, int] = field(default_factory=dict)

    def session(self, store: Store) -> tuple[str, str]:
        """(mkey, csrf) of the client's current session ('' when it has none yet)."""
        cookie = self.client.get_cookie(SESSION_COOKIE)
        session = store.get_session(cookie.value) if cookie is not None else None
        return (session.mkey, session.csrf) if session is not None else ("", "")

    def ensure_logged_in(self, store: Store) -> None:
        if self.username is None:
            return
        cookie = self.client.get_cookie(SESSION_COOKIE)
        session = store.get_session(cookie.value) if cookie is not None else None
        if session is None or session.user_id is None:
            login(self.client, self.username)


def _routes(app: App) -> list[tuple[str, list[str]]]:
    """(rule, methods) of every route of the app."""
    found = []
    for rule in app.flask.url_map.iter_rules():
        methods = sorted(m for m in (rule.methods or ()) if m in ("GET", "POST"))
        found.append((rule.rule, methods))
    return found


_ARGUMENT = re.compile(r"<(?:[a-z]+:)?[a-z_]+>")
_ARGUMENT_VALUES = ["1", "2", "3", "0", HUGE, "-1", "abc", "../app.py", "portal.css"]


def _path(rule: str, rng: random.Random) -> str:
    return _ARGUMENT.sub(lambda _: rng.choice(_ARGUMENT_VALUES), rule)


@dataclass
class Fuzzer:
    app: App
    rng: random.Random
    actors: list[Actor]
    routes: list[tuple[str, list[str]]]
    failures: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    nits: dict[int, str] = field(default_factory=dict)

    def one(self, index: int) -> None:
        rng = self.rng
        actor = rng.choice(self.actors)
        if index % 50 == 0:
            actor.ensure_logged_in(self.app.store)
        rule, methods = rng.choice(self.routes)
        while rule == "/STS/Users/Logout" and actor.username and rng.random() < 0.9:
            rule, methods = rng.choice(self.routes)  # keep logged-in actors logged in
        method = rng.choice(methods)
        path = _path(rule, rng)
        mkey, csrf = actor.session(self.app.store)
        query: dict[str, str] = {}
        if rng.random() < 0.85 and mkey:
            query["mkey"] = mkey
        for _ in range(rng.randrange(0, 3)):
            name = rng.choice(FIELDS)
            query[name] = _value(name, rng, str(index))
        data: dict[str, Any] = {}
        if method == "POST":
            tag = f"{index}"
            if rng.random() < 0.3:
                data.update(_coherent(rule, rng, tag))
            for name in rng.sample(FIELDS, rng.randrange(0, 12)):
                data[name] = _value(name, rng, tag)
            data["action"] = rng.choice(ACTIONS) if rng.random() < 0.9 else data.get("action", "")
            if rng.random() < 0.9:
                data[CSRF_FIELD] = csrf
            for slot in rng.sample(list(DOCUMENT_SLOTS), rng.randrange(0, 3)):
                data[f"fileDoc_{slot}"] = _file(rng)
        self._send(actor, method, path, query, data)

    def _send(
        self, actor: Actor, method: str, path: str, query: dict[str, str], data: dict[str, Any]
    ) -> None:
        try:
            if method == "GET":
                resp = actor.client.get(path, query_string=query)
            else:
                resp = actor.client.post(
                    path, query_string=query, data=data, content_type="multipart/form-data"
                )
            status = resp.status_code
        except Exception as err:
            status = 500
            data = {**data, "exception": repr(err)}
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500:
            shown = {k: (v if isinstance(v, str) else "<file>")[:80] for k, v in data.items()}
            self.failures.append(f"{status} {method} {path[:120]} {query} {shown}")

    def check_state(self) -> None:
        """The unique rules and the fixed NITs, straight from SQLite."""
        store = self.app.store
        broken = [
            *(
                f"NIT {r[0]} en {r[1]} cuentas"
                for r in store.all(
                    "SELECT nit, COUNT(*) FROM accounts WHERE nit IS NOT NULL"
                    " GROUP BY nit HAVING COUNT(*) > 1"
                )
            ),
            *(
                f"correo {r[0]} en {r[1]} usuarios"
                for r in store.all(
                    "SELECT lower(email), COUNT(*) FROM users GROUP BY lower(email)"
                    " HAVING COUNT(*) > 1"
                )
            ),
            *(
                f"usuario {r[0]} {r[1]} veces"
                for r in store.all(
                    "SELECT lower(username), COUNT(*) FROM users GROUP BY lower(username)"
                    " HAVING COUNT(*) > 1"
                )
            ),
            *(
                f"membresía {r[0]}/{r[1]} {r[2]} veces"
                for r in store.all(
                    "SELECT user_id, account_id, COUNT(*) FROM memberships"
                    " GROUP BY user_id, account_id HAVING COUNT(*) > 1"
                )
            ),
        ]
        for account in store.all("SELECT id, nit, dv, status FROM accounts"):
            nit = account["nit"] or ""
            first = self.nits.setdefault(int(account["id"]), nit)
            if first and nit != first:
                broken.append(f"la cuenta {account['id']} cambió de NIT: {first} -> {nit}")
            if nit and account["dv"] != nit_check_digit(nit):
                broken.append(f"la cuenta {account['id']} tiene DV {account['dv']} para {nit}")
        # one "registro finalizado" mail per account, whatever raced (the mailer is recorded)
        links = [m.link for m in self.app.mailer.sent if m.kind == "supplier_registered"]
        broken += [
            f"{links.count(link)} correos de registro para {link}"
            for link in set(links)
            if links.count(link) > 1
        ]
        self.failures.extend(broken)


def _coherent(rule: str, rng: random.Random, tag: str) -> dict[str, Any]:
    """A well-formed payload for a form, so the fuzz walks the real flows too."""
    nit = rng.choice(NITS)
    builders: dict[str, Callable[[], dict[str, Any]]] = {
        "/CO1Marketplace/Companies/SupplierRegistration/Index": lambda: valid_fields(
            nit=nit, dv=nit_check_digit(nit)
        ),
        "/CO1Marketplace/Companies/Entity/Index": lambda: {
            "txtEntityName": f"Entidad {rng.randrange(4)} S.A.S.",
            "txtEntityNit": nit,
            "selType": "Proveedor",
            "selBusinessArea": "Privado",
            "selOrganizationType": "sas",
            "account_id": str(rng.randrange(1, 6)),
        },
        "/STS/Users/Register/Index": lambda: {
            "txtFirstName": "Ana",
            "txtLastName": "Rojas",
            "selIdType": "CC",
            "txtIdNumber": "1010101010",
            "txtEmail": f"r+{rng.randrange(30)}@x.test",
            "txtEmailConfirm": f"r+{rng.randrange(30)}@x.test",
            "txtPhone": "3001234567",
            "txtUserName": f"reg_{rng.randrange(30)}",
            "txtPassword": PASSWORD,
            "txtPasswordConfirm": PASSWORD,
            "chkTerms": "1",
            "chkDataPolicy": "1",
        },
        "/STS/Users/Login/Index": lambda: {
            "txtUserName": rng.choice(["fuzz_admin", "fuzz_draft", "fuzz_plain", "nadie"]),
            "txtPassword": rng.choice([PASSWORD, "mala"]),
        },
        "/CO1Marketplace/Users/Admin/Index": lambda: {"user_id": str(rng.randrange(1, 8))},
    }
    build = builders.get(rule)
    return build() if build else {}


def _world(app: App) -> list[Actor]:
    """An anonymous client and three logged-in ones: an administrator of an active account,
    one of a draft (Registro de Proveedor), and a user with no account."""
    store = app.store
    admin = seed_user(store, username="fuzz_admin", password=PASSWORD, email="admin@x.test")
    seed_account(store, admin, name="Activa Fuzz S.A.S.", nit="830041394", status="active")
    draft = seed_user(store, username="fuzz_draft", password=PASSWORD, email="draft@x.test")
    seed_account(store, draft, name="Borrador Fuzz S.A.S.", nit="860555777", status="draft")
    seed_user(store, username="fuzz_plain", password=PASSWORD, email="plain@x.test")
    pending = seed_user(store, username="fuzz_pending", password=PASSWORD, email="p@x.test")
    store.request_access(pending, 1)
    actors = [Actor(app.client())]
    for username in ("fuzz_admin", "fuzz_draft", "fuzz_plain"):
        actor = Actor(app.client(), username)
        login(actor.client, username)
        actors.append(actor)
    return actors


def test_fuzz_every_route_no_500_and_no_broken_unique_rule(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    rng = random.Random(SEED)
    fuzzer = Fuzzer(app, rng, _world(app), _routes(app))
    assert len(fuzzer.routes) >= 20  # every route of the app is a target
    started = time.monotonic()
    for index in range(REQUESTS):
        fuzzer.one(index)
        if index % CHECK_EVERY == 0:
            fuzzer.check_state()
    fuzzer.check_state()
    elapsed = time.monotonic() - started
    sent = sum(fuzzer.statuses.values())
    print(f"fuzz: seed {SEED}, {sent} requests in {elapsed:.1f} s, statuses {fuzzer.statuses}")
    assert not fuzzer.failures, "\n".join(fuzzer.failures[:20])
    assert sent == REQUESTS
    # The fuzz reached the portal's deep paths, not only its refusals.
    assert fuzzer.statuses.get(200, 0) > REQUESTS / 10
    assert fuzzer.statuses.get(302, 0) > REQUESTS / 50


def test_the_fuzzer_sees_a_500_and_a_broken_rule(tmp_path: Path) -> None:
    """The checks above can fail: a route that crashes and a NIT changed behind the portal's
    back are both reported."""
    app = make_app(tmp_path)

    @app.flask.get("/_test/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    fuzzer = Fuzzer(app, random.Random(1), _world(app), [("/_test/boom", ["GET"])])
    for index in range(5):
        fuzzer.one(index)
    assert len(fuzzer.failures) == 5
    assert fuzzer.failures[0].startswith("500 GET /_test/boom")
    fuzzer.failures.clear()
    fuzzer.check_state()
    assert fuzzer.failures == []
    app.store.execute("UPDATE accounts SET nit = '900123456', dv = '8' WHERE id = 1")
    fuzzer.check_state()
    assert fuzzer.failures == ["la cuenta 1 cambió de NIT: 830041394 -> 900123456"]
