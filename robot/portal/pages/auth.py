"""Login/Index, the account selector, and where a login lands (PORTAL.md 2, 3.1)."""

from __future__ import annotations

import enum
from urllib.parse import quote

from robot.errors import NeedsPerson, PortalRejected, SessionExpired
from robot.portal.pages.base import LOGIN_PATH, LOGIN_QUERY, PortalSession
from robot.portal.pages.spec import Control, PageSpec

# Texts of #divLoginFailure (the portal's own words).
NOT_ACTIVATED = "aún no ha sido activado"
WRONG_CREDENTIALS = "incorrectos"
CAPTCHA_MISMATCH = "texto de la imagen"


class Landing(enum.Enum):
    """Where the portal puts a user after login."""

    ENTITY = "entity"  # Crear o solicitar acceso a una Entidad: no accepted account
    SUPPLIER_FORM = "supplier_form"  # one accepted account, still a draft
    SUPPLIER_VIEW = "supplier_view"  # Registro de Proveedor, finalized (read-only)
    DESKTOP = "desktop"  # one accepted, active account
    SELECTOR = "selector"  # several accounts: pick one
    CONSENT = "consent"  # a user created by an administrator accepts the terms first
    NOT_ACTIVATED = "not_activated"  # right password, user not activated yet
    REFUSED = "refused"  # wrong user name or password (or no such user)


class LoginPage:
    USERNAME = Control("Usuario", "text")
    PASSWORD = Control("Contraseña", "password")
    SUBMIT = Control("Ingresar", "button")
    FAILURE = "divLoginFailure"  # the login's error text (hidden when there is none)
    CAPTCHA = "txttxtCaptcha"  # only when the portal asks for one
    SPEC = PageSpec(
        "login",
        "Ingresar",
        LOGIN_PATH + LOGIN_QUERY,
        (USERNAME, PASSWORD, SUBMIT),
        markers=(FAILURE,),
        optional=(CAPTCHA, "trCaptcha", "imgCaptcha"),  # the CAPTCHA, its row and image
    )

    def __init__(self, session: PortalSession) -> None:
        self.s = session

    async def open(self) -> None:
        await self.s.goto(LOGIN_PATH + LOGIN_QUERY, expect_login=True)

    async def login(
        self, username: str, password: str, *, operator_wait: float | None = None
    ) -> Landing:
        """Log in; a CAPTCHA is left to an operator (``operator_wait`` seconds, headed) or parks."""
        await self.s.politeness.sessions.acquire()
        await self.open()
        page = self.s.page
        await self.s.field(self.USERNAME.label).fill(username)
        await self.s.field(self.PASSWORD.label).fill(password)
        if await page.locator("#" + self.CAPTCHA).count():
            if not operator_wait:
                raise NeedsPerson(
                    "el portal pide un CAPTCHA al ingresar",
                    hint="ejecute de nuevo con --headed y escriba el texto de la imagen",
                    url=self.s.path,
                )
            await page.locator("#" + self.CAPTCHA).focus()
            await page.wait_for_url(lambda url: LOGIN_PATH not in url, timeout=operator_wait * 1000)
            await self.s.check(None)
            return await landing(self.s)
        await self.s.submit(self.s.button(self.SUBMIT.label), expect_login=True)
        if self.s.path == LOGIN_PATH:
            failure = page.locator("#" + self.FAILURE)
            text = (await failure.inner_text()).strip() if await failure.is_visible() else ""
            if NOT_ACTIVATED in text:
                return Landing.NOT_ACTIVATED
            if WRONG_CREDENTIALS in text:
                return Landing.REFUSED
            if CAPTCHA_MISMATCH in text or await page.locator("#" + self.CAPTCHA).count():
                raise NeedsPerson(
                    "el portal pide un CAPTCHA al ingresar",
                    hint="ejecute de nuevo con --headed y escriba el texto de la imagen",
                    url=self.s.path,
                )
            if not text:
                # No verdict: the login page again, as when the browser replays a POST whose
                # answer was cut after the portal had logged the user in (the replay carries
                # the replaced session's cookie: "Su sesión ha expirado"). Logging in again
                # is safe, so this is a session to open again, not a refusal.
                notice = await self.s.message()
                raise SessionExpired(
                    f"el portal volvió a pedir el ingreso ({notice or 'sin mensaje'})",
                    url=self.s.path,
                )
            raise PortalRejected(f"el portal no aceptó el ingreso: {text}")
        return await landing(self.s)

    async def logout(self) -> None:
        link = self.s.page.locator("#lnkLogout")
        if await link.count():
            await self.s.submit(link, expect_login=True)


async def landing(session: PortalSession) -> Landing:
    """Which page a user was brought to (after login, or after choosing an account)."""
    title = await session.title()
    page = session.page
    if title == "Crear o solicitar acceso a una Entidad":
        return Landing.ENTITY
    if title == "Registro de Proveedor":
        draft = await page.locator("#frmSupplierRegistration").count()
        return Landing.SUPPLIER_FORM if draft else Landing.SUPPLIER_VIEW
    if title == "Escritorio":
        return Landing.DESKTOP
    if title == "Seleccionar cuenta":
        return Landing.SELECTOR
    if await session.field("Acepto los términos y condiciones de uso").count():
        return Landing.CONSENT
    raise await session.timed_out(Exception(f"página inesperada tras ingresar: {title}"))


class AccountSelector:
    """Selector de cuenta (``#seldpCompany`` + Entrar): for users of several accounts."""

    def __init__(self, session: PortalSession) -> None:
        self.s = session

    async def choose(self, nit: str) -> Landing:
        select = self.s.page.locator("#seldpCompany")
        options = await select.locator("option").all_inner_texts()
        wanted = [o for o in options if f"NIT {nit}" in o]
        if not wanted:
            raise NeedsPerson(f"el usuario no tiene la cuenta con NIT {nit} en el selector")
        await select.select_option(label=wanted[0])
        await self.s.submit(self.s.button("Entrar"))
        return await landing(self.s)


class ConsentPage:
    """The first login of a user created by an administrator: terms and data policy."""

    def __init__(self, session: PortalSession) -> None:
        self.s = session

    async def accept(self, *, terms: bool, data_policy: bool) -> Landing:
        if terms:
            await self.s.field("Acepto los términos y condiciones de uso").check()
        if data_policy:
            await self.s.field("Autorizo el tratamiento de mis datos personales").check()
        buttons = self.s.page.locator("form button[type=submit]:visible")
        await self.s.submit(buttons.last)
        errors = await self.s.visible_errors()
        if errors:
            raise PortalRejected("el portal no aceptó el consentimiento", errors=tuple(errors))
        return await landing(self.s)


def resend_path(username: str) -> str:
    return "/STS/Users/Register/Resend?usuario=" + quote(username)
