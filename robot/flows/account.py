"""Section 3 and the supplier account: Crear o solicitar acceso a una Entidad, Registro de
Proveedor with its documents, Finalizar, and the check in the Directorio SECOP.

Each step first looks at what the portal already holds (the ledger can be behind it): an
administrator who already has the account lands on its form or its desk, a slot that already
holds the same file (same SHA-256) is not uploaded again, a finalized form is not finalized
again.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from robot.documents.manifest import compare_manifest
from robot.errors import ExistingAccount, NeedsPerson, PortalError, PortalRejected
from robot.flows.runtime import Actor, Job, Runtime, Tracker
from robot.portal.pages.admin import DesktopPage
from robot.portal.pages.auth import AccountSelector, Landing
from robot.portal.pages.directory import DirectoryPage
from robot.portal.pages.entity import ALREADY_REGISTERED, EntityPage, FoundEntity
from robot.portal.pages.supplier import FORM_PATH, SupplierForm
from robot.portal_rules import DOCUMENT_SLOTS

CREATED = "created"  # the account is ours: this administrator created it
ACCESS = "access_requested"  # the NIT belonged to somebody else: access was requested
UPLOAD_ATTEMPTS = 3


async def logged_in(actor: Actor, nit: str) -> Landing:
    """Log the administrator in and into the supplier's account when it has several."""
    landing = await actor.login()
    if landing is Landing.SELECTOR:
        landing = await AccountSelector(await actor.session()).choose(nit)
    if landing in (Landing.NOT_ACTIVATED, Landing.REFUSED):
        raise PortalError(f"el usuario {actor.user.username} no puede ingresar ({landing.value})")
    return landing


async def entity(rt: Runtime, tr: Tracker, job: Job, actor: Actor, step: str) -> dict[str, Any]:
    """Create the supplier's account, or request access to the one that already exists."""
    supplier = job.profile.supplier
    landing = await logged_in(actor, supplier.nit_number)
    if landing is not Landing.ENTITY:
        await _check_own_account(actor, supplier.nit_number, landing)
        return {"decision": CREATED, "found": "la cuenta ya era de este administrador"}
    page = EntityPage(await actor.session())
    for _ in range(2):
        search = await page.validate(supplier.legal_name, supplier.nit)
        if search.found:
            return await _existing(tr, job, page, search.found[0], step)
        if not search.can_register:
            raise PortalError("el portal no ofrece Registrar Entidad para este NIT y nombre")
        tr.start(step)
        try:
            await page.register_entity(job.values.organization_type)
        except PortalError as err:
            if ALREADY_REGISTERED in err.message:  # registered meanwhile: search again
                await page.open()
                continue
            raise
        return {"decision": CREATED, "found": "cuenta creada (borrador)"}
    raise PortalError("la entidad apareció y desapareció durante el registro; reintente")


async def _existing(
    tr: Tracker, job: Job, page: EntityPage, found: FoundEntity, step: str
) -> dict[str, Any]:
    if job.profile.if_exists == "stop" and found.state not in ("Pendiente",):
        raise ExistingAccount(
            f"el NIT {job.profile.supplier.nit} ya está registrado en SECOP II "
            f"(«{found.name}») y el perfil dice if_exists: stop",
            hint="si esta empresa debe entrar a esa cuenta, ponga if_exists: request_access",
        )
    tr.start(step)
    note = await page.request_access(found)
    return {
        "decision": ACCESS,
        "account_id": found.account_id,
        "found": note or "solicitud de acceso enviada (Pendiente)",
    }


async def _check_own_account(actor: Actor, nit: str, landing: Landing) -> None:
    s = await actor.session()
    if landing is Landing.SUPPLIER_FORM:
        shown = await s.field("Nit").input_value()
    else:
        desk = DesktopPage(s)
        await desk.open()
        _, shown, _ = await desk.account()
    if shown and shown != nit:
        raise NeedsPerson(
            f"el administrador ya pertenece a otra cuenta (NIT {shown}), no a la del NIT {nit}",
            hint="revise en el portal a qué cuenta pertenece este usuario",
        )


async def _open_form(actor: Actor, nit: str) -> SupplierForm:
    """Registro de Proveedor, loaded only when the page is not already showing it (a login
    lands there while the account is a draft; Guardar answers with it)."""
    if not actor.logged_in:
        await logged_in(actor, nit)
    session = await actor.session()
    form = SupplierForm(session)
    if session.path != FORM_PATH or await session.title() != "Registro de Proveedor":
        await form.open()
    return form


async def fill_form(rt: Runtime, tr: Tracker, job: Job, actor: Actor, step: str) -> dict[str, Any]:
    """Every section of Registro de Proveedor from the profile, kept as a draft (Guardar)."""
    form = await _open_form(actor, job.profile.supplier.nit_number)
    if not await form.is_draft():
        return {"found": "el registro ya estaba finalizado"}
    tr.start(step)
    await form.fill(job.values)
    await form.save()
    shown = await form.shown_values(job.values)
    sent = {f.label: f.display for f in job.values.all_fields}
    return {
        "found": f"{len(sent)} campos guardados en el borrador",
        "sent": sent,
        "shown": shown,
        "unspsc": list(job.values.unspsc),
    }


async def upload(rt: Runtime, tr: Tracker, job: Job, actor: Actor, step: str) -> dict[str, Any]:
    """Each prepared document in its slot, then name, size and SHA-256 checked as the portal
    shows them against the manifest. A slot that already holds the same file is left alone."""
    assert job.manifest is not None
    form = await _open_form(actor, job.profile.supplier.nit_number)
    if not await form.is_draft():
        return {"found": "el registro ya estaba finalizado"}
    tr.start(step)
    folder = rt.out_dir / job.dir / "documents"
    wanted = {e.slot: e for e in job.manifest.entries}
    for _ in range(UPLOAD_ATTEMPTS):
        shown = await form.uploaded()
        missing = [e for slot, e in wanted.items() if _differs(shown.get(slot), e.output)]
        if not missing:
            break
        for entry in missing:
            await form.attach(DOCUMENT_SLOTS[entry.slot].label, folder / entry.output.name)
        await form.save()  # upload errors that ask to retry come back as a new round
    shown = await form.uploaded()
    result = {}
    for slot, entry in wanted.items():
        got = shown.get(slot)
        if _differs(got, entry.output):
            raise PortalError(
                f"el portal no muestra {entry.output.name} en «{DOCUMENT_SLOTS[slot].label}» "
                f"como se preparó (nombre, tamaño y SHA-256)",
                hint="revise el documento en el portal; se intentará de nuevo",
            )
        assert got is not None
        result[slot] = {"name": got.name, "size": got.size, "sha256": got.sha256, "match": True}
    return {"found": f"{len(result)} documentos verificados (SHA-256)", "documents": result}


def _differs(got: Any, want: Any) -> bool:
    return got is None or (got.name, got.size, got.sha256) != (want.name, want.size, want.sha256)


async def finalize(rt: Runtime, tr: Tracker, job: Job, actor: Actor, step: str) -> dict[str, Any]:
    form = await _open_form(actor, job.profile.supplier.nit_number)
    if not await form.is_draft():
        return {"found": "el registro ya estaba finalizado"}
    tr.start(step)
    try:
        await form.finalize()
    except PortalRejected:
        raise
    return {"found": "registro finalizado: la cuenta está activa"}


async def directory(rt: Runtime, tr: Tracker, job: Job, actor: Actor, step: str) -> dict[str, Any]:
    """The supplier is active in the Directorio SECOP with exactly the prepared documents."""
    assert job.manifest is not None
    supplier = job.profile.supplier
    if not actor.logged_in:
        await logged_in(actor, supplier.nit_number)
    tr.start(step)
    published = await DirectoryPage(await actor.session()).find(supplier.nit)
    if published is None:
        raise PortalError(f"el proveedor con NIT {supplier.nit} no aparece en el Directorio")
    shown = [{"name": d.name, "size": d.size, "sha256": d.sha256} for d in published.documents]
    # A document the Directorio shows beyond the manifest is not this run's to judge.
    mismatches = [m for m in compare_manifest(job.manifest, shown) if m.field != "unexpected"]
    if mismatches:
        raise PortalError(
            "el Directorio no muestra los documentos como se prepararon: "
            + "; ".join(str(m) for m in mismatches)
        )
    return {
        "directory_url": urlsplit(published.url).path,
        "published": published.fields,
        "documents": [
            {"slot": d.slot, "name": d.name, "size": d.size, "sha256": d.sha256}
            for d in published.documents
        ],
    }
