"""Step 3 of the mission: additional users join the supplier's account.

Each user registers and activates (as the administrator did, :mod:`robot.flows.user`) and
requests access to the account; the administrator accepts the request in Administración de
usuarios and the robot confirms the state is Aceptado. Before each action the portal is asked
first: a user already Aceptado or already Pendiente is not asked again.
"""

from __future__ import annotations

from typing import Any

from robot.errors import NeedsPerson, PortalError
from robot.flows.account import logged_in
from robot.flows.runtime import Actor, Job, Runtime, Tracker
from robot.portal.pages.admin import UsersAdminPage
from robot.portal.pages.auth import Landing
from robot.portal.pages.entity import EntityPage, RegistrationsPage

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
