"""Run a batch: several suppliers at once, each step retried or parked by the class of its error.

Error classes (robot.errors):
- transient (``PortalUnavailable``: 5xx, maintenance, dropped connection, timeout; an expired
  session; an activation mail that did not arrive; an unexpected portal page) → the step is
  tried again with backoff, logging in again, up to ``robot.retries``; then the supplier is
  parked (a later run continues it);
- data (``PortalRejected``, ``ExistingAccount``, a document or profile problem) → the supplier
  fails with the portal's own message;
- needs a person (``NeedsPerson``: a CAPTCHA, an unknown page, a request still pending; a
  mailbox that cannot be read) → parked with the reason.
Whatever happens to one supplier, the batch goes on with the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playwright.async_api import TimeoutError as PlaywrightTimeout

from robot import crashpoint, secrets
from robot.errors import (
    ActivationMailNotFound,
    ConfigError,
    DocumentError,
    ExistingAccount,
    MailError,
    NeedsPerson,
    PortalError,
    PortalRejected,
    PortalUnavailable,
    SecopRobotError,
    SessionExpired,
)
from robot.flows import account
from robot.flows.plan import Step, load_manifest, plan, prepare
from robot.flows.runtime import Actor, Job, Runtime, Tracker
from robot.ledger import (
    ACCESS_REQUESTED,
    FAILED,
    ONBOARDED,
    PARKED,
    RUNNING,
    STOPPED,
    Ledger,
)
from robot.reporting.build import SHOT_SUFFIX, SHOTS_DIR
from robot.reporting.images import shoot
from robot.reporting.traces import StepTrace, traceable

RETRYABLE = (PortalUnavailable, ActivationMailNotFound, PortalError)
NOT_RETRYABLE = (PortalRejected, NeedsPerson, ExistingAccount)


@dataclass
class Exhausted(Exception):
    """A step failed transiently more often than ``robot.retries`` allows."""

    step: str
    last: Exception
    attempts: int


async def run_batch(
    rt: Runtime,
    jobs: list[Job],
    phases: list[str],
    concurrency: int,
    max_bytes: int,
    on_done: Callable[[], object] = lambda: None,
) -> None:
    """Every supplier, ``concurrency`` at a time; ``on_done`` after each one."""
    gate = asyncio.Semaphore(max(concurrency, 1))

    async def one(job: Job) -> None:
        async with gate:
            await run_supplier(rt, job, phases, max_bytes)
            on_done()

    await asyncio.gather(*(one(job) for job in jobs))


def register_jobs(ledger: Ledger, jobs: list[Job]) -> None:
    for job in jobs:
        supplier = job.profile.supplier
        ledger.add_supplier(
            job.key,
            profile=job.display,
            legal_name=supplier.legal_name,
            nit=supplier.nit,
            h=_profile_hash(job),
        )


def _profile_hash(job: Job) -> str:
    from robot.flows.runtime import input_hash

    return input_hash(sorted(job.hashes.items()))


def changed_steps(ledger: Ledger, job: Job) -> list[str]:
    """Steps already done whose inputs changed in the profile since."""
    done = ledger.steps(job.key)
    return [
        name
        for name, record in done.items()
        if record.done and name in job.hashes and record.input_hash != job.hashes[name]
    ]


async def run_supplier(rt: Runtime, job: Job, phases: list[str], max_bytes: int) -> None:
    steps = plan(job.profile, phases)
    tr = Tracker(rt.ledger, job, [s.name for s in steps])
    ledger = rt.ledger
    changed = changed_steps(ledger, job)
    if changed and not rt.options.accept_changes:
        reason = (
            "el perfil cambió desde la ejecución anterior en pasos ya hechos: "
            + ", ".join(changed)
            + "; revise y ejecute de nuevo con --accept-changes para seguir con los datos nuevos"
        )
        ledger.set_status(job.key, PARKED, reason)
        rt.log(job.key, f"aparcado: {reason}")
        return
    if changed:
        ledger.accept_inputs(
            job.key,
            _profile_hash(job),
            profile=job.display,
            legal_name=job.profile.supplier.legal_name,
        )
        tr.event("changes", "cambios del perfil aceptados: " + ", ".join(changed))
    if all(tr.done(s.name) for s in steps):
        record = ledger.supplier(job.key)
        if record is not None and record.status in (ONBOARDED, ACCESS_REQUESTED):
            rt.log(job.key, "ya estaba terminado: nada que hacer en el portal")
            return
    ledger.set_status(job.key, RUNNING)
    job.actors = _actors(rt, job)
    try:
        status, reason = await _steps(rt, tr, job, steps, max_bytes)
    finally:
        for actor in job.actors.values():
            await actor.close()
    ledger.set_status(job.key, status, reason)
    rt.log(job.key, f"{status}" + (f": {reason}" if reason else ""))


def _actors(rt: Runtime, job: Job) -> dict[str, Actor]:
    profile = job.profile
    admin = profile.administrator
    actors = {"admin": Actor(rt, admin, job.password_of(admin), "admin")}
    for extra in profile.additional_users:
        name = f"users.{extra.username}"
        actors[name] = Actor(rt, extra, job.password_of(extra), name)
    return actors


async def _steps(
    rt: Runtime, tr: Tracker, job: Job, steps: list[Step], max_bytes: int
) -> tuple[str, str]:
    access = False
    for step in steps:
        record = tr.record(step.name)
        if record is not None and record.done:
            if step.name == "documents":
                job.manifest = load_manifest(job, rt.out_dir)
                if job.manifest is None:  # the prepared files are gone: make them again
                    prepare(job, rt.out_dir, max_bytes, _day(record.detail.get("date")))
            if record.detail.get("decision") == account.ACCESS:
                access = True
                break
            continue
        until = rt.options.until
        if until and (step.name == until or step.name.startswith(until + ".")):
            return STOPPED, f"detenido antes de {step.name} (--until)"
        actor = job.actors[step.actor]
        crashpoint.step.set(step.name)  # the test seam's label (a no-op outside tests)
        trace = await _trace(step, actor)
        try:
            detail = await _attempt(rt, tr, job, step, actor, max_bytes, trace)
        except Exception as err:
            return await _stopped_by(rt, tr, job, step, actor, err, trace)
        await trace.drop()
        tr.finish(step.name, detail)
        if step.run is not None:  # the report's milestone: the page after the step
            await shoot(actor, rt.out_dir / job.dir / SHOTS_DIR / f"{step.name}{SHOT_SUFFIX}")
        rt.log(job.key, f"{step.name} ✓ {_summary(detail)}")
        if detail.get("decision") == account.ACCESS:
            access = True
            break
    if access:
        return ACCESS_REQUESTED, "el NIT ya existía: se solicitó acceso a la cuenta (Pendiente)"
    return ONBOARDED, ""


async def _trace(step: Step, actor: Actor) -> StepTrace:
    """A Playwright trace chunk of the step's first attempt (its actions, without DOM
    snapshots: see robot/reporting/traces.py), unless the step types a password."""
    if step.run is None or not traceable(step.name):
        return StepTrace(None)
    with contextlib.suppress(Exception):
        session = await actor.session()
        return await StepTrace.begin(session.page.context)
    return StepTrace(None)


def _day(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


def _summary(detail: dict[str, Any]) -> str:
    for key in ("found", "activation", "state", "directory_url"):
        if key in detail:
            return str(detail[key])
    return ""


async def _attempt(
    rt: Runtime,
    tr: Tracker,
    job: Job,
    step: Step,
    actor: Actor,
    max_bytes: int,
    trace: StepTrace | None = None,
) -> dict[str, Any]:
    """One step, tried again after transient errors with backoff, up to the cap. ``trace``
    follows the attempts: each retry gets a new chunk, with DOM snapshots."""
    delay = rt.options.backoff
    attempts = rt.options.retries + 1
    for number in range(1, attempts + 1):
        try:
            if step.run is None:
                tr.start(step.name)
                return await asyncio.to_thread(prepare, job, rt.out_dir, max_bytes, None)
            return await step.run(rt, tr, job, actor, step.name)
        except NOT_RETRYABLE:
            raise
        except PlaywrightTimeout as err:
            session = await actor.session()
            found = await session.timed_out(err)
            if isinstance(found, NeedsPerson):
                raise found from None
            last: Exception = found
        except RETRYABLE as err:
            last = err
        actor.logged_in = False
        if isinstance(last, SessionExpired):
            await actor.close()  # a fresh session, as a person would open a new window
        tr.event("retry", f"intento {number} de {attempts}: {last}", step.name)
        rt.log(job.key, f"{step.name}: {last} (intento {number} de {attempts})")
        if number == attempts:
            raise Exhausted(step.name, last, attempts)
        await asyncio.sleep(min(delay, rt.options.backoff_max))
        delay *= 2
        if trace is not None and trace.context is not None:
            with contextlib.suppress(Exception):
                await trace.again((await actor.session()).page.context, snapshots=True)
    raise AssertionError("unreachable")


async def _stopped_by(
    rt: Runtime,
    tr: Tracker,
    job: Job,
    step: Step,
    actor: Actor,
    err: Exception,
    trace: StepTrace | None = None,
) -> tuple[str, str]:
    """The supplier's status and reason for the error that stopped it at ``step``."""
    evidence = f"{step.name}-{tr.ledger.run_id}"
    shot = await shoot(actor, rt.out_dir / job.dir / SHOTS_DIR / f"{evidence}{SHOT_SUFFIX}")
    kept = (
        None
        if trace is None
        else await trace.keep(rt.out_dir / job.dir / "traces" / f"{evidence}.zip")
    )
    status, reason = classify(err)
    reason = secrets.mask(f"{step.name}: {reason}")
    detail: dict[str, Any] = {"error": type(err).__name__}
    if shot is not None:
        detail["screenshot"] = str(shot.relative_to(rt.out_dir))
    if kept is not None:
        detail["trace"] = str(kept.relative_to(rt.out_dir))
    if isinstance(err, PortalError) and err.url:
        detail["url"] = err.url
    if status == FAILED and not isinstance(err, SecopRobotError | Exhausted):
        detail["traceback"] = secrets.mask("".join(traceback.format_exception(err))[-4000:])
    if tr.record(step.name) is None:  # stopped before its first action: say where all the same
        tr.start(step.name)
    tr.ledger.finish_step(job.key, step.name, status=status, detail=detail, message=reason)
    tr.event(status, reason, step.name)
    return status, reason


def classify(err: Exception) -> tuple[str, str]:  # noqa: PLR0911 - one return per class
    """(status, reason) for an error that stopped a supplier."""
    if isinstance(err, Exhausted):
        return PARKED, (
            f"{err.last} — sin éxito tras {err.attempts} "
            f"{'intento' if err.attempts == 1 else 'intentos'}; una nueva ejecución continúa"
        )
    if isinstance(err, NeedsPerson):
        return PARKED, _with_hint(err)
    if isinstance(err, PortalRejected):
        details = "; ".join(err.errors)
        return FAILED, f"{err.message}" + (f": {details}" if details else "")
    if isinstance(err, ConfigError):
        return FAILED, "; ".join(str(p) for p in err.problems)
    if isinstance(err, (ExistingAccount, DocumentError)):
        return FAILED, _with_hint(err)
    if isinstance(err, MailError):
        return PARKED, _with_hint(err)
    if isinstance(err, SecopRobotError):
        return FAILED, _with_hint(err)
    return FAILED, f"error interno de secop-robot: {type(err).__name__}: {err}"


def _with_hint(err: SecopRobotError) -> str:
    return f"{err.message} (→ {err.hint})" if err.hint else err.message
