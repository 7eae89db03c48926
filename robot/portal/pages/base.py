"""What every page of the portal shares: navigation, and turning what is seen into typed errors.

A :class:`PortalSession` is one supplier's (or one user's) browser page on the portal. Every
action that makes a request waits for the batch's politeness token, then waits for the next
page and checks it: the maintenance page, a 5xx page and a dropped connection are
:class:`~robot.errors.PortalUnavailable`; being sent back to the login page is
:class:`~robot.errors.SessionExpired`; other error pages are :class:`~robot.errors.PortalError`
with the portal's own title and message. Field errors are read from the visible error spans only
(the portal keeps hidden ones in the DOM, PORTAL.md 2).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page, Response
from playwright.async_api import TimeoutError as PlaywrightTimeout

from robot.crashpoint import checkpoint
from robot.errors import NeedsPerson, PortalError, PortalUnavailable, SessionExpired
from robot.portal.limiter import Politeness

T = TypeVar("T")

LOGIN_PATH = "/STS/Users/Login/Index"
STALE_FORM = "token de seguridad"  # 400 for a form posted after its session ended
LOGIN_QUERY = "?SkinName=CCE&currentLanguage=es-CO&Page=login&Country=CO"

# The pages the robot knows, by their <title> (before " - SECOP II").
KNOWN_TITLES = frozenset(
    {
        "Ingresar",
        "Registrar usuario",
        "Confirmar registro",
        "Usuario activado",
        "Elegir contraseña",
        "Reenviar correo",
        "Crear o solicitar acceso a una Entidad",
        "Registrar Entidad",
        "Solicitud de acceso",
        "Mis registros",
        "Seleccionar cuenta",
        "Registro de Proveedor",
        "Escritorio",
        "Administración de usuarios",
        "Crear usuario",
        "Directorio SECOP",
    }
)

# The visible error spans (id "<field>Failure", class error-text) with the label of their field.
_VISIBLE_ERRORS_JS = """
() => Array.from(document.querySelectorAll('.error-text'))
  .filter(el => el.offsetParent !== null && el.textContent.trim() !== '')
  .map(el => {
    const id = (el.id || '').replace(/Failure$/, '');
    const label = id ? document.querySelector('label[for="' + id + '"]') : null;
    const name = label ? label.textContent.replace(/\\*/g, '').trim() : '';
    return name ? name + ': ' + el.textContent.trim() : el.textContent.trim();
  })
"""


def control_name(control: Locator) -> str:
    """A short name for a control (its accessible name, else its last selector), for labels."""
    text = repr(control)
    named = re.findall(r'name=\\?"([^"\\]*)', text)
    if named:
        return str(named[-1])
    selector = re.search(r"selector='(.*)'>$", text)
    parts = (selector.group(1) if selector else text).split(">>")
    return [p.strip() for p in parts if not p.strip().startswith("nth=")][-1]


def label_pattern(label: str) -> re.Pattern[str]:
    """A label matched whole, with or without the portal's red asterisk (``Nit *``)."""
    return re.compile(r"^\s*" + re.escape(label) + r"(\s*\*)?\s*$")


class PortalSession:
    """One browser page on the portal, shared by the page objects of one flow."""

    def __init__(
        self,
        page: Page,
        base_url: str,
        politeness: Politeness,
        *,
        timeout: float = 30.0,
    ) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.politeness = politeness
        self.timeout = timeout
        page.set_default_timeout(timeout * 1000)
        page.set_default_navigation_timeout(timeout * 1000)
        self.actions = 0  # requests made through this session (for the figures)
        self.mkey = ""  # the portal's per-session token, carried by every link after login

    # --- locators -------------------------------------------------------------------------

    def field(self, label: str) -> Locator:
        """The form control whose label is ``label`` (asterisk or not, nothing more)."""
        return self.page.get_by_label(label_pattern(label))

    def button(self, name: str) -> Locator:
        return self.page.get_by_role("button", name=name, exact=True)

    def link(self, name: str) -> Locator:
        return self.page.get_by_role("link", name=name, exact=True)

    # --- navigation -----------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def path(self) -> str:
        return urlsplit(self.page.url).path

    async def goto(self, path_or_url: str, *, expect_login: bool = False) -> None:
        """Open a page of the portal (a path, or a full URL from a mail) and check it."""
        url = path_or_url if "://" in path_or_url else self.url(self._with_mkey(path_or_url))
        await self.politeness.requests.acquire()
        self.actions += 1
        response = await self.guard(lambda: self.page.goto(url, wait_until="domcontentloaded"))
        await self.check(response, expect_login=expect_login)

    async def submit(self, control: Locator, *, expect_login: bool = False) -> None:
        """Click a control that posts a form or follows a link, wait for the next page, check it."""
        await self.politeness.requests.acquire()
        self.actions += 1

        async def click() -> Response | None:
            async with self.page.expect_navigation(wait_until="domcontentloaded") as nav:
                await control.click()
                # the request is on its way: the portal may or may not act on it
                checkpoint("click", control_name(control))
            return await nav.value

        response = await self.guard(click)
        checkpoint("answer", control_name(control))  # the portal answered: it did act on it
        await self.check(response, expect_login=expect_login)

    def _with_mkey(self, path: str) -> str:
        """A path of the portal as its own links write it: with the session's mkey."""
        if not self.mkey or "mkey=" in path:
            return path
        return path + ("&" if "?" in path else "?") + "mkey=" + self.mkey

    async def guard(self, action: Callable[[], Awaitable[T]]) -> T:
        """Run a browser action; a dropped connection or a timeout becomes PortalUnavailable."""
        try:
            return await action()
        except PlaywrightTimeout as err:
            raise await self.timed_out(err) from None
        except PlaywrightError as err:
            text = str(err)
            if "net::ERR_" in text or "NS_ERROR" in text:
                code = re.search(r"net::(ERR_[A-Z_]+)", text)
                reason = code.group(1) if code else "error de red"
                raise PortalUnavailable(
                    f"se interrumpió la conexión con el portal ({reason})", url=self.path
                ) from None
            raise

    async def timed_out(self, err: Exception) -> PortalError:
        """A wait ran out: an unknown page needs a person; a known one is a slow portal."""
        title = await self.title()
        if title and title not in KNOWN_TITLES:
            return NeedsPerson(
                f"página desconocida del portal: «{title}» ({self.path})",
                hint="abra el portal con --headed y revise qué muestra",
                url=self.path,
            )
        first = str(err).splitlines()[0] if str(err) else "tiempo agotado"
        return PortalUnavailable(f"el portal no respondió a tiempo ({first})", url=self.path)

    async def title(self) -> str:
        try:
            full = await self.page.title()
        except PlaywrightError:
            return ""
        return full.rsplit(" - SECOP II", 1)[0].strip()

    async def check(
        self, response: Response | None, *, expect_login: bool = False, page: Page | None = None
    ) -> None:
        """Raise the typed error for what the browser now shows, if it is not a normal page
        (``page``: a pop-up of this session, such as a lupa, instead of its main page)."""
        if page is None:
            page = self.page
            mkey = parse_qs(urlsplit(page.url).query).get("mkey")
            if mkey:
                self.mkey = mkey[0]
        path = urlsplit(page.url).path
        if page.url.startswith("chrome-error://"):
            raise PortalUnavailable("se interrumpió la conexión con el portal", url=path)
        status = response.status if response is not None else 200
        if await page.locator("#divMaintenance").count():
            raise PortalUnavailable(
                "SECOP II está en mantenimiento", hint="se reintentará más tarde", url=path
            )
        if await page.locator("#divErrorPage").count():
            title = (await page.locator("#lblErrorTitle").inner_text()).strip()
            message = (await page.locator("#lblErrorMessage").inner_text()).strip()
            if status == 400 and STALE_FORM in message:  # the form outlived its session
                raise SessionExpired(f"{title}: {message} (HTTP {status})", url=path)
            error_class = PortalUnavailable if status >= 500 else PortalError
            code = f" (HTTP {status})" if response is not None else ""
            raise error_class(f"{title}: {message}{code}", url=path)
        if status >= 500:
            raise PortalUnavailable(f"el portal respondió HTTP {status}", url=path)
        if path == LOGIN_PATH and not expect_login:
            notice = page.locator("#divMessage")
            text = (await notice.inner_text()).strip() if await notice.count() else ""
            raise SessionExpired(
                f"el portal pidió ingresar de nuevo ({text or 'sesión vencida'})", url=path
            )

    async def visible_errors(self) -> list[str]:
        """The field errors the portal shows now (``Label: message``), hidden ones left out."""
        found: list[str] = await self.page.evaluate(_VISIBLE_ERRORS_JS)
        summary = self.page.locator("#ulErrorSummary li")
        for text in await summary.all_inner_texts():
            if text.strip() and not any(text.strip() in f for f in found):
                found.append(text.strip())
        return found

    async def message(self) -> str:
        """The page's notice (``#divMessage``), or empty."""
        notice = self.page.locator("#divMessage")
        return (await notice.inner_text()).strip() if await notice.count() else ""
