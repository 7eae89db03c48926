"""In-process mock portal for the supplier form, lupa and Directorio tests (Flask test client).

The app is the real one (store on a temporary SQLite file, real fault switches); only the
mailer is a recording seam. End-to-end tests use the ``portal`` fixtures instead.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page
from werkzeug.test import TestResponse

from robot.mock_portal.app import create_app
from robot.mock_portal.config import PortalConfig
from robot.mock_portal.faults import FaultConfig, FaultInjector
from robot.mock_portal.mailer import Mail
from robot.mock_portal.seed import seed_account, seed_user
from robot.mock_portal.store import Store
from robot.mock_portal.web import CSRF_FIELD, Portal

FORM_URL = "/CO1Marketplace/Companies/SupplierRegistration/Index"
LOGIN_URL = "/STS/Users/Login/Index"
PASSWORD = "Clave#Segura1"

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


class RecordingMailer:
    """Stands in for the SMTP mailer: keeps what would have been sent."""

    def __init__(self) -> None:
        self.sent: list[Mail] = []

    def send(self, mail: Mail) -> None:
        self.sent.append(mail)

    def close(self, timeout: float = 5.0) -> None:
        return None

    def pending(self) -> int:
        return 0


@dataclass
class App:
    flask: Flask
    store: Store
    mailer: RecordingMailer
    config: PortalConfig

    def client(self) -> FlaskClient:
        return self.flask.test_client()


def make_app(tmp_path: Path, *, faults: dict[str, Any] | None = None, **settings: Any) -> App:
    config = PortalConfig(
        db_path=tmp_path / "portal.sqlite3",
        smtp_host="127.0.0.1",
        smtp_port=9,
        faults=FaultConfig(**(faults or {})),
        base_url="http://127.0.0.1:8",
        **settings,
    )
    store = Store(config.db_path)
    mailer = RecordingMailer()
    portal = Portal(config=config, store=store, mailer=mailer, faults=FaultInjector(config.faults))  # type: ignore[arg-type]
    app = create_app(portal)
    app.testing = True
    return App(app, store, mailer, config)


def unique(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@dataclass
class Draft:
    username: str
    account_id: int
    user_id: int
    email: str = field(default="")


def seed_draft(store: Store, *, organization_type: str = "sas", nit: str | None = None) -> Draft:
    """An active admin user whose only accepted account is a draft (after Generar formulario)."""
    username = unique("prov")
    email = f"t+{username}@proveedores.test"
    user_id = seed_user(store, username=username, password=PASSWORD, email=email)
    account_id = seed_account(
        store,
        user_id,
        name=f"Empresa {username} S.A.S.",
        nit=nit,
        organization_type=organization_type,
        status="draft",
    )
    return Draft(username, account_id, user_id, email)


def csrf_of(html: str | bytes) -> str:
    soup = BeautifulSoup(html, "html.parser")
    tag = soup.find("input", attrs={"name": CSRF_FIELD})
    assert tag is not None, "page has no CSRF field"
    return str(tag["value"])


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> tuple[str, str]:
    """Log in through the login page; returns (mkey, where the portal sent the user)."""
    page = client.get(LOGIN_URL)
    resp = client.post(
        LOGIN_URL,
        data={"txtUserName": username, "txtPassword": password, CSRF_FIELD: csrf_of(page.data)},
    )
    assert resp.status_code == 302, resp.data[:500]
    location = resp.headers["Location"]
    return parse_qs(urlparse(location).query)["mkey"][0], location


class FormClient:
    """A logged-in client on the supplier form: get(), post(fields, files, action)."""

    def __init__(self, client: FlaskClient, mkey: str) -> None:
        self.client = client
        self.mkey = mkey

    def get(self) -> TestResponse:
        return self.client.get(FORM_URL, query_string={"mkey": self.mkey})

    def post(
        self,
        fields: dict[str, Any],
        files: Mapping[str, tuple[bytes, str] | list[tuple[bytes, str]]] | None = None,
        action: str = "guardar",
    ) -> TestResponse:
        """``files``: slot -> (content, name), or a list of them for a slot of several files."""
        csrf = csrf_of(self.get().data)
        data: dict[str, Any] = {**fields, CSRF_FIELD: csrf, "action": action}
        for slot, given in (files or {}).items():
            chosen = given if isinstance(given, list) else [given]
            data[f"fileDoc_{slot}"] = [(io.BytesIO(content), name) for content, name in chosen]
        return self.client.post(
            FORM_URL,
            query_string={"mkey": self.mkey},
            data=data,
            content_type="multipart/form-data",
        )


def open_form(app: App, draft: Draft) -> FormClient:
    client = app.client()
    mkey, location = login(client, draft.username)
    assert urlparse(location).path == FORM_URL
    return FormClient(client, mkey)


def valid_fields(nit: str = "900123456", dv: str = "8") -> dict[str, Any]:
    """A complete, valid Registro de Proveedor for a SAS in Medellín."""
    return {
        "txtName": "Ferretería Ñandú S.A.S.",
        "txtShortName": "FERRETERIA NANDU",
        "txtNit": nit,
        "txtDv": dv,
        "txtAddress": "Calle 10 # 43-12",
        "selCountry": "CO",
        "hdnDepartamentoCode": "05",
        "hdnMunicipioCode": "05001",
        "txtPhone": "+57 604 4441234",
        "txtFax": "",
        "txtEmail": "notificaciones@ferreteria.test",
        "txtWebsite": "https://www.ferreteria.test",
        "selCompanySize": "pequena",
        "rdbMipyme": "si",
        "unspsc": ["27111700", "31161500"],
        "rdbPrincipal": "27111700",
        "txtRepFirstName": "María José",
        "txtRepLastName": "Restrepo Gómez",
        "selRepIdType": "CC",
        "txtRepIdNumber": "43123456",
        "txtRepPhone": "3001234567",
        "txtRepEmail": "mjrestrepo@ferreteria.test",
        "nbxAssets": "150000000",
        "nbxLiabilities": "50000000",
        "nbxEquity": "100000000",
        "nbxRevenue": "320000000",
        "txtCutoffDate": "2024-12-31",
    }


def required_files() -> dict[str, tuple[bytes, str]]:
    return {
        "rut": (PDF, "rut.pdf"),
        "existencia": (PDF + b"camara", "camara de comercio.pdf"),
        "cedula_representante": (JPG, "cédula representante.jpg"),
    }


def soup(resp: TestResponse) -> BeautifulSoup:
    return BeautifulSoup(resp.data, "html.parser")


def visible_errors(resp: TestResponse) -> dict[str, str]:
    """Error spans that are shown (not display:none), by the id of their field."""
    found = {}
    for span in soup(resp).select("span.error-text[id$=Failure]"):
        if "display:none" not in (span.get("style") or "").replace(" ", ""):
            found[str(span["id"]).removesuffix("Failure")] = span.get_text(strip=True)
    return found


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pick_from_lupa(page: Page, button: str, search: dict[str, str], choose: str) -> None:
    """Open a lupa pop-up, search, press Seleccionar on one result; the pop-up closes."""
    # The heading shows before portal.js (at the end of the body) has run; a click before
    # then opens nothing. DOMContentLoaded comes after that script.
    page.wait_for_load_state("domcontentloaded")
    with page.expect_popup() as info:
        page.get_by_role("button", name=button).click()
    popup = info.value
    for label, value in search.items():
        field = popup.get_by_label(label, exact=True)
        if label == "Departamento":
            field.select_option(label=value)
        else:
            field.fill(value)
    popup.get_by_role("button", name="Buscar", exact=True).click()
    with popup.expect_event("close"):
        try:
            popup.get_by_role("button", name=choose).click(no_wait_after=True)
        except PlaywrightError as error:  # TargetClosedError is not public
            # The pop-up closes itself on the click; Playwright may still be finishing it.
            if "closed" not in str(error):
                raise
