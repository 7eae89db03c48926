"""A small HTTP client for the mock portal: cookies, forms read from the HTML, no browser.

Forms are submitted the way a browser would: the action (with its mkey) and the hidden fields
(CSRF token, ids) come from the page; the test gives only what a person types or clicks.
"""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag

from robot.mock_portal.seed import seed_user
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
        data: dict[str, str] = {}
        for hidden in target.find_all("input", type="hidden"):
            data[str(hidden["name"])] = str(hidden.get("value", ""))
        if button is not None and isinstance(element, Tag) and element.get("name"):
            data[str(element["name"])] = str(element.get("value", ""))
        data.update(fields or {})
        action = urllib.parse.urljoin(self.page.url, str(target.get("action", "")))
        if str(target.get("method", "get")).lower() == "get":
            return self._open(action.split("?")[0] + "?" + urllib.parse.urlencode(data))
        return self._open(action, urllib.parse.urlencode(data).encode())

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
