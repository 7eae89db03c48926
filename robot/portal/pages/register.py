"""Registrar usuario (section 1), Confirmar registro (section 2) and Reenviar correo
(PORTAL.md 3.2-3.3)."""

from __future__ import annotations

import enum

from robot import portal_rules
from robot.errors import PortalError, PortalRejected
from robot.portal.mapping import FieldValue
from robot.portal.pages.auth import resend_path
from robot.portal.pages.base import PortalSession
from robot.portal.pages.spec import Control, PageSpec

REGISTER_PATH = "/STS/Users/Register/Index"
TERMS = "Acepto los términos y condiciones de uso"
DATA_POLICY = "Autorizo el tratamiento de mis datos personales"

# Messages of Registrar usuario that mean "this user may already be ours".
USERNAME_TAKEN = "nombre de usuario ya está en uso"
EMAIL_TAKEN = "Ya existe un usuario registrado con este correo"


async def fill_fields(session: PortalSession, fields: tuple[FieldValue, ...]) -> None:
    """Fill form fields by their labels (text and selects); empty optional values are skipped."""
    for item in fields:
        control = session.field(item.label)
        if item.kind == "select":
            await control.select_option(value=item.value)
        elif item.value or await control.input_value():
            await control.fill(item.value)


class RegisterPage:
    # The personal fields robot.portal.mapping.user_fields fills (a test checks they agree).
    PERSONAL = (
        Control("Nombre(s)", "text"),
        Control("Apellido(s)", "text"),
        Control("Tipo de identificación", "select", options=tuple(portal_rules.ID_TYPES)),
        Control("Número de identificación", "text"),
        Control("Correo electrónico", "email"),
        Control("Confirmar correo electrónico", "email"),
        Control("Teléfono", "tel"),
        Control("Cargo", "text", always=False),
        Control("Idioma", "select", options=tuple(portal_rules.LANGUAGES)),
        Control("Zona horaria", "select", options=tuple(portal_rules.TIME_ZONES)),
        Control("Nombre de usuario", "text"),
    )
    PASSWORD = Control("Contraseña", "password")
    PASSWORD_CONFIRM = Control("Confirmar contraseña", "password")
    TERMS = Control(TERMS, "checkbox", always=False)
    DATA_POLICY = Control(DATA_POLICY, "checkbox", always=False)
    SUBMIT = Control("Registrar", "button")
    SPEC = PageSpec(
        "register",
        "Registrar usuario",
        REGISTER_PATH,
        (*PERSONAL, PASSWORD, PASSWORD_CONFIRM, TERMS, DATA_POLICY, SUBMIT),
    )

    def __init__(self, session: PortalSession) -> None:
        self.s = session

    async def open(self) -> None:
        await self.s.goto(REGISTER_PATH)

    async def register(
        self,
        fields: tuple[FieldValue, ...],
        password: str,
        *,
        accept_terms: bool,
        data_policy_consent: bool,
    ) -> None:
        """Fill and send section 1. The consent boxes are ticked only as the profile says."""
        await fill_fields(self.s, fields)
        await self.s.field(self.PASSWORD.label).fill(password)
        await self.s.field(self.PASSWORD_CONFIRM.label).fill(password)
        if accept_terms:
            await self.s.field(self.TERMS.label).check()
        if data_policy_consent:
            await self.s.field(self.DATA_POLICY.label).check()
        await self.s.submit(self.s.button(self.SUBMIT.label))
        errors = await self.s.visible_errors()
        if errors:
            raise PortalRejected(
                "el portal rechazó el registro del usuario", errors=tuple(errors), url=self.s.path
            )
        if await self.s.title() != "Confirmar registro":
            raise PortalError(f"tras Registrar se esperaba Confirmar registro: {self.s.path}")


class ResendPage:
    """Reenviar correo: a new activation mail (the older links become void)."""

    def __init__(self, session: PortalSession) -> None:
        self.s = session

    async def resend(self, username: str) -> str:
        await self.s.goto(resend_path(username))
        await self.s.submit(self.s.button("Reenviar correo"))
        return await self.s.message()


class Activation(enum.Enum):
    ACTIVATED = "activated"  # the user is active now
    CHOOSE_PASSWORD = "choose_password"  # a user created by an administrator: set a password
    LINK_SPENT = "link_spent"  # used, replaced or expired: ask for a new mail or log in


class ConfirmPage:
    """The activation link of the mail."""

    def __init__(self, session: PortalSession) -> None:
        self.s = session

    async def open(self, link: str) -> Activation:
        try:
            await self.s.goto(link)
        except PortalError as err:
            if "Enlace" in err.message:  # ya utilizado / reemplazado / vencido / no válido
                return Activation.LINK_SPENT
            raise
        if await self.s.page.locator("#btnActivate").count():
            return Activation.CHOOSE_PASSWORD
        if "fue activado" in await self.s.message():
            return Activation.ACTIVATED
        raise PortalError(f"el enlace de activación llevó a una página inesperada: {self.s.path}")

    async def choose_password(self, password: str, *, terms: bool, data_policy: bool) -> None:
        """A user created by an administrator: the password, and the person's own consents
        (ticked only as the profile says)."""
        await self.s.field("Contraseña").fill(password)
        await self.s.field("Confirmar contraseña").fill(password)
        for label, given in ((TERMS, terms), (DATA_POLICY, data_policy)):
            box = self.s.field(label)
            if given and await box.count():
                await box.check()
        await self.s.submit(self.s.button("Activar usuario"))
        errors = await self.s.visible_errors()
        if errors:
            raise PortalRejected("el portal no aceptó la contraseña", errors=tuple(errors))
        if "fue activado" not in await self.s.message():
            raise PortalError("la activación con contraseña no se confirmó")
