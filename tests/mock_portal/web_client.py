"""A small HTTP client for the mock portal: cookies, forms read from the HTML, no browser.

Forms are submitted the way a browser would: the action (with its mkey) and the hidden fields
(CSRF token, ids) come from the page; the test gives only what a person types or clicks.
"""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag

from robot.mock_portal.seed import seed_account, seed_user
from tests.fixtures.portal import PortalProcess

PASSWORD = "Clave#Segura2026"


@dataclass
class WebPage:
    status: int
    url: str
    html: str
    soup: BeautifulSoup = field(init=False)

    def __post_init__(self) -> None:
        self.soup = BeautifulSoup(self.html, "html.parser")

    def text(self) -> str:
        return " ".join(self.soup.get_text(" ").split())

    def visible_error(self, field_id: str) -> str:
        """The text of ``<field_id>Failure`` when shown; '' when hidden or empty."""
        span = self.soup.find(id=f"{field_id}Failure")
        assert isinstance(span, Tag), f"no error element for {field_id}"
        if "display:none" in str(span.get("style", "")).replace(" ", ""):
            return ""
        return span.get_text(strip=True)

    def visible_errors(self) -> dict[str, str]:
        found = {}
        for span in self.soup.select(".error-text[id$=Failure]"):
            text = span.get_text(strip=True)
            if text and "display:none" not in str(span.get("style", "")).replace(" ", ""):
                found[str(span["id"]).removesuffix("Failure")] = text
        return found

    def value(self, field_id: str) -> str:
        element = self.soup.find(id=field_id)
        assert isinstance(element, Tag), field_id
        if element.name == "select":
            chosen = element.find("option", selected=True)
            return str(chosen["value"]) if isinstance(chosen, Tag) else ""
        return str(element.get("value", ""))

    def link(self, text: str) -> str:
        for a in self.soup.find_all("a"):
            if a.get_text(strip=True) == text:
                return str(a["href"])
        raise AssertionError(f"no link {text!r} on {self.url}")


def _form_values(form: Tag) -> dict[str, str]:
    """What a browser sends for the form as the page shows it (before the test types)."""
    data: dict[str, str] = {}
    for field_ in form.find_all("input"):
        name, kind = field_.get("name"), field_.get("type", "text")
        if not name or (kind == "checkbox" and not field_.has_attr("checked")):
            continue
        data[str(name)] = str(field_.get("value", ""))
    for select in form.find_all("select"):
        chosen = select.find("option", selected=True) or select.find("option")
        data[str(select["name"])] = str(chosen["value"]) if isinstance(chosen, Tag) else ""
    return data


class WebClient:
    """One browser-like session on the portal."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.page: WebPage | None = None

    def _open(self, url: str, data: bytes | None = None) -> WebPage:
        full = urllib.parse.urljoin(self.base + "/", url)
        try:
            with self.opener.open(urllib.request.Request(full, data=data), timeout=15) as resp:
                page = WebPage(resp.status, resp.url, resp.read().decode())
        except urllib.error.HTTPError as err:
            page = WebPage(err.code, err.url or full, err.read().decode())
        self.page = page
        return page

    def get(self, url: str) -> WebPage:
        return self._open(url)

    def submit(
        self,
        fields: dict[str, str] | None = None,
        *,
        button: str | None = None,
        form: str | None = None,
    ) -> WebPage:
        """Submit a form of the current page: the one holding ``button`` (an id) or ``form``."""
        assert self.page is not None
        soup = self.page.soup
        if button is not None:
            element = soup.find(id=button)
            assert isinstance(element, Tag), f"no button {button} on {self.page.url}"
            target = element.find_parent("form")
        else:
            target = soup.find(id=form) if form else soup.find("form", method="post")
        assert isinstance(target, Tag), f"no form on {self.page.url}"
        data = _form_values(target)
        if button is not None and isinstance(element, Tag) and element.get("name"):
            data[str(element["name"])] = str(element.get("value", ""))
        data.update(fields or {})
        action = urllib.parse.urljoin(self.page.url, str(target.get("action", "")))
        if str(target.get("method", "get")).lower() == "get":
            return self._open(action.split("?")[0] + "?" + urllib.parse.urlencode(data))
        return self._open(action, urllib.parse.urlencode(data).encode())

    def post(self, fields: dict[str, str]) -> WebPage:
        """A hand-made POST to the current page's URL, with the session's CSRF token."""
        assert self.page is not None
        token = self.page.soup.find("input", attrs={"name": "__RequestVerificationToken"})
        assert isinstance(token, Tag), f"no CSRF token on {self.page.url}"
        data = {"__RequestVerificationToken": str(token["value"]), **fields}
        return self._open(self.page.url, urllib.parse.urlencode(data).encode())

    def login(self, username: str, password: str = PASSWORD) -> WebPage:
        self.get("/")
        return self.submit({"txtUserName": username, "txtPassword": password})


def tag() -> str:
    return uuid.uuid4().hex[:10]


def new_user(portal: PortalProcess, **fields: str) -> tuple[int, str, str]:
    """An active user with a unique name and e-mail: (id, username, email)."""
    t = tag()
    username = fields.pop("username", f"usr_{t}")
    email = fields.pop("email", f"t+{t}@proveedores.test")
    user_id = seed_user(portal.store(), username=username, password=PASSWORD, email=email, **fields)
    return user_id, username, email


def unique_nit() -> str:
    """A 9-digit NIT no other test uses (random, starting with 8)."""
    return "8" + str(uuid.uuid4().int)[:8]


def register(portal: PortalProcess, client: WebClient | None = None) -> tuple[str, str]:
    """Register a new user through the form: (username, email)."""
    t = tag()
    email = f"t+{t}@proveedores.test"
    username = f"reg_{t}"
    client = client or WebClient(portal.url)
    client.get("/STS/Users/Register/Index")
    page = client.submit(
        {
            "txtFirstName": "Ana",
            "txtLastName": "Rojas",
            "selIdType": "CC",
            "txtIdNumber": "1010101010",
            "txtEmail": email,
            "txtEmailConfirm": email,
            "txtPhone": "3001234567",
            "txtUserName": username,
            "txtPassword": PASSWORD,
            "txtPasswordConfirm": PASSWORD,
            "chkTerms": "1",
            "chkDataPolicy": "1",
        },
        button="btnRegister",
    )
    assert "/STS/Users/Register/Sent" in page.url, page.text()
    return username, email


def mail_link(text: str, path: str = "/STS/Users/Register/Confirm") -> str:
    """The first link in a mail body whose path is ``path`` (query included)."""
    match = re.search(re.escape(path) + r"[^\s\"'<>]*", text)
    assert match, f"no {path} link in the mail"
    return match.group(0)


@dataclass
class Account:
    id: int
    name: str
    nit: str
    admin_id: int
    admin_username: str
    admin_email: str


def seeded_account(portal: PortalProcess, *, status: str = "active") -> Account:
    """An account with its own administrator, both unique to the test."""
    admin_id, username, email = new_user(portal, first_name="Administradora")
    t = tag()
    name = f"Ferretería El Tornillo {t} S.A.S."
    nit = unique_nit()
    account_id = seed_account(portal.store(), admin_id, name=name, nit=nit, status=status)
    return Account(account_id, name, nit, admin_id, username, email)


def validate_entity(client: WebClient, name: str = "", nit: str = "") -> WebPage:
    """From a logged-in client's entity page: type Nombre and NIT, click Validar."""
    assert client.page is not None
    if "/Companies/Entity/Index" not in client.page.url:
        client.get(client.page.link("Configuraciones del usuario"))
        client.submit(button="btnNewRegistration")
    return client.submit({"txtEntityName": name, "txtEntityNit": nit}, button="btnValidate")


def state_of(portal: PortalProcess, user_id: int, account_id: int) -> dict[str, object] | None:
    for m in portal.state()["memberships"]:
        if m["user_id"] == user_id and m["account_id"] == account_id:
            return dict(m)
    return None


def request_access(portal: PortalProcess, account: Account) -> tuple[int, str, WebClient]:
    """A new user asks for access to ``account``: (user id, e-mail, their client)."""
    user_id, username, email = new_user(portal, first_name="Solicitante")
    client = WebClient(portal.url)
    client.login(username)
    validate_entity(client, "", account.nit)
    page = client.submit(button=f"btnRequestAccess{account.id}")
    assert "Solicitud de acceso" in page.text()
    page = client.submit(button="btnFinish")
    assert "/CO1Marketplace/Users/Settings/Registrations" in page.url
    assert "quedó en estado Pendiente" in page.text()
    return user_id, email, client
