"""Sections 1 and 2 for one portal user: Registrar usuario, then the activation mail.

Before creating anything the flow asks the portal what already exists, by logging in with the
profile's user name and password: an active user lands somewhere, an unconfirmed one is told
so (then Reenviar correo brings a new mail), and only a refused login leads to Registrar;
for an administrator whose profile says ``if_exists: stop``, only after the public Directorio
shows no active supplier with the NIT.
A user name or e-mail that the portal says is taken then belongs to somebody else (or to this
person with another password): a data error for a person, never a second user.
"""

from __future__ import annotations

from typing import Any

from robot.errors import ActivationMailNotFound, ExistingAccount, PortalError, PortalRejected
from robot.flows.runtime import Actor, Job, Runtime, Tracker
from robot.mail import ACTIVATION_KINDS, Expectation
from robot.mail.kinds import MailKind
from robot.portal.mapping import user_fields
from robot.portal.pages.auth import Landing
from robot.portal.pages.directory import DirectoryPage
from robot.portal.pages.register import (
    EMAIL_TAKEN,
    USERNAME_TAKEN,
    Activation,
    ConfirmPage,
    RegisterPage,
    ResendPage,
)


async def register(rt: Runtime, tr: Tracker, job: Job, actor: Actor, step: str) -> dict[str, Any]:
    """The user exists on the portal (registered now, or found registered already)."""
    landing = await actor.login()
    if landing is Landing.NOT_ACTIVATED:
        return {"user": actor.user.username, "found": "registrado, sin activar"}
    if landing is not Landing.REFUSED:
        return {"user": actor.user.username, "found": "registrado y activo"}
    if step == "admin.register":
        await _stop_if_published(job, actor)
    user = actor.user
    watcher = await rt.watcher(job.profile)
    expectation = await watcher.register(user.email, ACTIVATION_KINDS)  # before the click
    page = RegisterPage(await actor.session())
    await page.open()
    tr.start(step)
    try:
        await page.register(
            user_fields(user),
            actor.password,
            accept_terms=user.accept_terms,
            data_policy_consent=user.data_policy_consent,
        )
    except PortalRejected as err:
        taken = [e for e in err.errors if USERNAME_TAKEN in e or EMAIL_TAKEN in e]
        if not taken:
            expectation.cancel()
            raise
        landing = await _taken_by_whom(actor, expectation, err)
        if landing is not Landing.NOT_ACTIVATED:
            expectation.cancel()
            return {"user": user.username, "found": "registrado y activo"}
    except BaseException:
        expectation.cancel()
        raise
    job.pending_mail[user.username] = expectation
    return {"user": user.username, "found": "registrado ahora"}


async def _taken_by_whom(actor: Actor, expectation: Expectation, err: PortalRejected) -> Landing:
    """«Ya está en uso» after Registrar usuario: ours when our password logs in. A browser
    sends a POST again when its answer was cut on a kept-alive connection, so the answer seen
    may be the second copy's, the portal having registered the user (and sent the mail) on the
    first: then the user is ours and the mail is on its way. Anyone else's is a data error."""
    try:
        landing = await actor.login()
    except BaseException:
        expectation.cancel()
        raise
    if landing is Landing.REFUSED:
        expectation.cancel()
        raise PortalRejected(
            f"el usuario {actor.user.username} o su correo ya existen en el portal con otra "
            "contraseña",
            errors=err.errors,
            hint="si es de esta persona, ponga su contraseña en la variable del perfil; "
            "si no, cambie el nombre de usuario o el correo del perfil",
        ) from None
    return landing


async def _stop_if_published(job: Job, actor: Actor) -> None:
    """``if_exists: stop`` and the NIT already active in the public Directorio: the supplier
    stops here, before its administrator user is created (the account step would stop it
    anyway, leaving a user on the portal that nobody asked for). A NIT with only a draft
    account is not published: the account step still finds and stops it."""
    supplier = job.profile.supplier
    if job.profile.if_exists != "stop":
        return
    published = await DirectoryPage(await actor.session()).find(supplier.nit)
    if published is not None:
        name = published.fields.get("Nombre", "")
        raise ExistingAccount(
            f"el NIT {supplier.nit} ya está registrado en SECOP II y publicado en el "
            f"Directorio («{name}»), y el perfil dice if_exists: stop: no se creó el usuario "
            "administrador",
            hint="si esta empresa debe entrar a esa cuenta, ponga if_exists: request_access",
        )


async def activate(rt: Runtime, tr: Tracker, job: Job, actor: Actor, step: str) -> dict[str, Any]:
    """The user is active: the activation link opened (after a new mail when needed)."""
    user = actor.user
    expectation: Expectation | None = job.pending_mail.pop(user.username, None)
    if expectation is None:
        landing = await actor.login()
        if landing is Landing.REFUSED:
            raise PortalError(
                f"el usuario {user.username} no existe en el portal aunque el registro consta",
                hint="revise el portal; el paso de registro se repetirá",
            )
        if landing is not Landing.NOT_ACTIVATED:
            return {"user": user.username, "activation": "ya estaba activo"}
        expectation = await resend(rt, tr, job, actor, step)
    else:
        tr.start(step)
    try:
        found = await expectation.wait(rt.options.mail_timeout)
    except ActivationMailNotFound as err:
        raise ActivationMailNotFound(
            f"no llegó el correo de activación de {user.username} a {user.email}",
            hint=err.hint or "revise el buzón; una nueva ejecución pedirá otro correo",
        ) from None
    assert found.link is not None
    confirm = ConfirmPage(await actor.session())
    result = await confirm.open(found.link)
    if result is Activation.CHOOSE_PASSWORD:
        await confirm.choose_password(
            actor.password, terms=user.accept_terms, data_policy=user.data_policy_consent
        )
    elif result is Activation.LINK_SPENT:
        landing = await actor.login()
        if landing in (Landing.NOT_ACTIVATED, Landing.REFUSED):
            raise PortalError("el enlace de activación ya no sirve; se pedirá otro correo")
    tr.event("mail", f"correo de activación recibido ({found.sent_at:%Y-%m-%d %H:%M:%S})", step)
    return {
        "user": user.username,
        "activation": "activado",
        "mail_sent_at": found.sent_at.isoformat(),
        "mail_kind": found.kind.value if isinstance(found.kind, MailKind) else str(found.kind),
    }


async def resend(rt: Runtime, tr: Tracker, job: Job, actor: Actor, step: str) -> Expectation:
    """Reenviar correo for a user whose mail is not in hand; the wait registered before."""
    watcher = await rt.watcher(job.profile)
    expectation = await watcher.register(actor.user.email, ACTIVATION_KINDS)
    tr.start(step)
    try:
        await ResendPage(await actor.session()).resend(actor.user.username)
    except BaseException:
        expectation.cancel()
        raise
    return expectation
