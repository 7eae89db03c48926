"""Step 3 of the mission: additional users join the supplier's account.

Each user registers and activates (as the administrator did, :mod:`robot.flows.user`) and
requests access to the account; the administrator accepts the request in Administración de
usuarios and the robot confirms the state is Aceptado. Before each action the portal is asked
first: a user already Aceptado or already Pendiente is not asked again.
"""

from __future__ import annotations

from typing import Any

from robot.errors import NeedsPerson, PortalError, PortalRejected
from robot.flows.account import logged_in
from robot.flows.runtime import Actor, Job, Runtime, Tracker
from robot.flows.user import resend
from robot.mail import ACTIVATION_KINDS, Expectation
from robot.portal.mapping import user_fields
from robot.portal.pages.admin import UsersAdminPage
from robot.portal.pages.auth import ConsentPage, Landing
from robot.portal.pages.entity import EntityPage, RegistrationsPage
from robot.portal.pages.register import EMAIL_TAKEN, USERNAME_TAKEN, Activation, ConfirmPage

ACCEPTED = "Aceptado"
PENDING = "Pendiente"


async def request_access(
    rt: Runtime, tr: Tracker, job: Job, actor: Actor, step: str
) -> dict[str, Any]:
    supplier = job.profile.supplier
    landing = await actor.login()
    if landing in (Landing.NOT_ACTIVATED, Landing.REFUSED):
        raise PortalError(f"el usuario {actor.user.username} no puede ingresar ({landing.value})")
    s = await actor.session()
    if landing is not Landing.ENTITY:
        registrations = RegistrationsPage(s)
        await registrations.open()
        state = (await registrations.states()).get(supplier.nit_number)
        if state in (ACCEPTED, PENDING):
            return {"user": actor.user.username, "state": state}
    page = EntityPage(s)
    await page.open()
    search = await page.validate(supplier.legal_name, supplier.nit)
    ours = [f for f in search.found if f.nit.split("-")[0] == supplier.nit_number]
    if not ours:
        raise PortalError(f"la cuenta del NIT {supplier.nit} no aparece al buscarla")
    tr.start(step)
    note = await page.request_access(ours[0])
    return {"user": actor.user.username, "state": PENDING, "note": note}


async def accept(rt: Runtime, tr: Tracker, job: Job, admin: Actor, step: str) -> dict[str, Any]:
    """The administrator accepts the user's request; the state must end Aceptado."""
    user = job.actors[step.rsplit(".", 1)[0]].user
    if not admin.logged_in:
        await logged_in(admin, job.profile.supplier.nit_number)
    page = UsersAdminPage(await admin.session())
    await page.open()
    state = await page.state_of(user.email)
    if state is None:
        raise PortalError(f"{user.email} no aparece en Administración de usuarios")
    if state == PENDING:
        tr.start(step)
        state = await page.accept(user.email)
    if state != ACCEPTED:
        raise NeedsPerson(
            f"el acceso de {user.username} quedó «{state}», no Aceptado",
            hint="revise Administración de usuarios en el portal",
        )
    return {"user": user.username, "state": state}


async def create(rt: Runtime, tr: Tracker, job: Job, admin: Actor, step: str) -> dict[str, Any]:
    """Administración de usuarios > Crear: the administrator creates the user directly
    (``registration: administrator``); the user gets a mail to choose a password."""
    user = job.actors[step.rsplit(".", 1)[0]].user
    if not admin.logged_in:
        await logged_in(admin, job.profile.supplier.nit_number)
    page = UsersAdminPage(await admin.session())
    await page.open()
    state = await page.state_of(user.email)
    if state is not None:
        return {"user": user.username, "found": f"ya estaba en la cuenta ({state})"}
    watcher = await rt.watcher(job.profile)
    expectation = await watcher.register(user.email, ACTIVATION_KINDS)  # before the click
    tr.start(step)
    try:
        try:
            await page.create(user_fields(user))
        except PortalRejected as err:
            # "ya está en uso": a browser sends a POST again when its answer was cut, so this
            # may answer the copy of a Crear the portal did (and mailed): ours when the user
            # is now in the account; anyone else's is a data error.
            if not any(USERNAME_TAKEN in e or EMAIL_TAKEN in e for e in err.errors):
                raise
            await page.open()
            if await page.state_of(user.email) is None:
                raise
    except BaseException:
        expectation.cancel()
        raise
    job.pending_mail[user.username] = expectation
    return {"user": user.username, "found": "creado por el administrador"}


async def activate_created(
    rt: Runtime, tr: Tracker, job: Job, actor: Actor, step: str
) -> dict[str, Any]:
    """The created user's mail: choose the password, then the first login's consents."""
    user = actor.user
    expectation: Expectation | None = job.pending_mail.pop(user.username, None)
    if expectation is None:
        landing = await actor.login()
        if landing not in (Landing.REFUSED, Landing.NOT_ACTIVATED):
            return await _consented(actor, landing, {"activation": "ya estaba activo"})
        expectation = await resend(rt, tr, job, actor, step)
    else:
        tr.start(step)
    found = await expectation.wait(rt.options.mail_timeout)
    assert found.link is not None
    confirm = ConfirmPage(await actor.session())
    if await confirm.open(found.link) is Activation.CHOOSE_PASSWORD:
        await confirm.choose_password(
            actor.password, terms=user.accept_terms, data_policy=user.data_policy_consent
        )
    landing = await actor.login()
    if landing in (Landing.REFUSED, Landing.NOT_ACTIVATED):
        raise PortalError(f"el usuario {user.username} no quedó activo tras elegir contraseña")
    tr.event("mail", f"correo de usuario creado recibido ({found.sent_at:%Y-%m-%d %H:%M:%S})")
    return await _consented(
        actor, landing, {"activation": "activado", "mail_sent_at": found.sent_at.isoformat()}
    )


async def _consented(actor: Actor, landing: Landing, detail: dict[str, Any]) -> dict[str, Any]:
    """At the first login the person accepts the terms and the data policy, as the profile says."""
    if landing is Landing.CONSENT:
        await ConsentPage(await actor.session()).accept(
            terms=actor.user.accept_terms, data_policy=actor.user.data_policy_consent
        )
        detail["consents"] = "aceptados en el primer ingreso"
    return {"user": actor.user.username, **detail}
