"""Running the drift canary: read the live pages, compare, describe; the gate ``run`` passes
before any supplier (docs/probe.md). The command itself is robot/probe_cli.py."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from robot import asyncrun, settings
from robot.errors import (
    ConfigError,
    NeedsPerson,
    PortalDrift,
    PortalError,
    PortalUnavailable,
    Problem,
)
from robot.portal import probe as fp
from robot.portal.limiter import Politeness
from robot.portal.pages.auth import Landing, LoginPage
from robot.portal.pages.base import PortalSession
from robot.portal.pages.spec import PageSpec
from robot.portal.pages.supplier import SupplierForm

T = TypeVar("T")

NO_ACCOUNT = (
    "no sondeado: el escenario no nombra una cuenta de prueba (probe_account; docs/probe.md)"
)
# Where a test account's login must land: its draft's Registro de Proveedor. Anywhere else
# the account cannot be used for the probe (the scenario's probe_account is wrong).
UNUSABLE = {
    Landing.REFUSED: "el portal rechazó el usuario o la contraseña de la cuenta de prueba",
    Landing.NOT_ACTIVATED: "el usuario de la cuenta de prueba aún no está activado",
    Landing.ENTITY: "el usuario de prueba no administra ninguna cuenta de proveedor",
    Landing.SUPPLIER_VIEW: "la cuenta de prueba ya fue finalizada: no es un borrador",
    Landing.DESKTOP: "la cuenta de prueba ya fue finalizada: no es un borrador",
    Landing.SELECTOR: "el usuario de prueba tiene varias cuentas; use uno que solo administre"
    " el borrador de sondeo",
    Landing.CONSENT: "el usuario de prueba debe aceptar los términos: ingrese una vez a mano",
}


@dataclass(frozen=True)
class ProbeAccount:
    """The scenario's test account: an administrator of a draft supplier account."""

    username: str
    password: str = field(repr=False)  # resolved from its reference, registered for masking


@dataclass
class Reading:
    """What one probe read: each page's live fingerprint, and why a page was not read."""

    pages: dict[str, dict[str, Any]]
    skipped: dict[str, str] = field(default_factory=dict)  # page key -> why (Spanish)
    account_problem: str = ""  # a named test account that could not be used

    def __getitem__(self, key: str) -> dict[str, Any]:
        return self.pages[key]


async def read_pages(
    browser: Any, base_url: str, politeness: Politeness, account: ProbeAccount | None = None
) -> Reading:
    """Every page's live fingerprint, in a fresh browser context (no cookies of the batch):
    the public pages, then, with a test account, its supplier form and lupas (nothing saved;
    the probe logs out at the end)."""
    from robot.portal.browser import new_context

    context = await new_context(browser)
    try:
        page = await context.new_page()
        timeout = float(settings.resolve("robot.timeout_seconds"))
        session = PortalSession(page, base_url, politeness, timeout=timeout)
        reading = Reading({spec.key: await _read(session, spec) for spec in fp.PAGES})
        if account is None:
            reading.skipped = dict.fromkeys((s.key for s in fp.ACCOUNT_PAGES), NO_ACCOUNT)
            return reading
        missing = [
            c.label
            for c in LoginPage.SPEC.controls
            if not any(fp.declared_as(LoginPage.SPEC, x) == c for x in reading["login"]["controls"])
        ]
        if missing:  # the probe cannot log in where the robot could not either
            why = "no sondeado: la página de ingreso cambió (" + ", ".join(missing) + ")"
            reading.skipped = dict.fromkeys((s.key for s in fp.ACCOUNT_PAGES), why)
            return reading
        await _retried(lambda: _read_account(session, account, reading))
        return reading
    finally:
        await context.close()


async def _read_account(session: PortalSession, account: ProbeAccount, reading: Reading) -> None:
    """Log in with the test account, read its supplier form and the lupas the form's page
    object opens (GETs and pop-ups only: nothing typed, nothing saved), log out."""
    login = LoginPage(session)
    keys = [s.key for s in fp.ACCOUNT_PAGES]
    try:
        try:
            landing = await login.login(account.username, account.password)
        except NeedsPerson as err:  # a CAPTCHA: a person could pass it, the probe cannot
            reading.skipped = dict.fromkeys(keys, f"no sondeado: {err.message}")
            return
        if landing is not Landing.SUPPLIER_FORM:
            reading.account_problem = UNUSABLE[landing]
            reading.skipped = dict.fromkeys(keys, f"no sondeado: {UNUSABLE[landing]}")
            return
        form_spec = SupplierForm.SPEC
        live = await fp.fingerprint(session, form_spec, page=session.page)
        reading.pages[form_spec.key] = live
        form = SupplierForm(session)
        for button, spec in SupplierForm.LUPAS:
            if not any(fp.declared_as(form_spec, c) == button for c in live["controls"]):
                reading.skipped[spec.key] = (
                    f"no sondeado: el formulario ya no tiene el botón «{button.label}»"
                )
                continue
            popup = await form.open_lupa(button)
            try:
                reading.pages[spec.key] = await fp.fingerprint(session, spec, page=popup)
            finally:
                await popup.close()
    finally:
        with contextlib.suppress(PortalError):
            await login.logout()  # no session of the test account is left open


async def _read(session: PortalSession, spec: PageSpec) -> dict[str, Any]:
    """One page, retried like a step after a transient error (a 503, a cut connection)."""
    return await _retried(lambda: fp.fingerprint(session, spec))


async def _retried(action: Callable[[], Awaitable[T]]) -> T:
    retries = int(settings.resolve("robot.retries"))
    pause = float(settings.resolve("robot.backoff_seconds"))
    longest = float(settings.resolve("robot.backoff_max_seconds"))
    for attempt in range(retries + 1):
        try:
            return await action()
        except PortalUnavailable:
            if attempt == retries:
                raise
            await asyncio.sleep(min(pause * 2**attempt, longest))
    raise AssertionError("unreachable")


def diffs(live: Reading, folder: Path) -> list[fp.PageDiff]:
    """Each read page's changes against its stored fingerprint (a missing file is a problem)."""
    found = []
    for spec in fp.ALL_PAGES:
        if spec.key not in live.pages:
            continue
        expected = fp.load(spec, folder)
        if expected is None:
            raise ConfigError(
                [Problem(str(folder / f"{spec.key}.json"), None, "", "no existe")],
                hint="genere las huellas con 'secop-robot probe --update' contra un portal sano",
            )
        found.append(fp.compare(spec, expected, live[spec.key]))
    return found


def describe(found: list[fp.PageDiff], skipped: dict[str, str] | None = None) -> str:
    """The readable diff: one block per page, one line per change; a line for each page that
    was not read, and why."""
    lines = []
    for d in found:
        if not d.changes:
            lines.append(f"{d.spec.key} ({d.spec.title}): sin cambios")
            continue
        grade = "CAMBIO QUE ROMPE" if d.breaking else "cambios cosméticos"
        lines.append(f"{d.spec.key} ({d.spec.title}): {grade}")
        lines += [str(c) for c in d.changes]
    return "\n".join(lines + not_read(skipped or {}))


def not_read(skipped: dict[str, str]) -> list[str]:
    """One line per reason a page was not read (the form and its lupas share theirs)."""
    by_reason: dict[str, list[PageSpec]] = {}
    for spec in fp.ALL_PAGES:
        if spec.key in skipped:
            by_reason.setdefault(skipped[spec.key], []).append(spec)
    lines = []
    for why, specs in by_reason.items():
        if [s.key for s in specs] == [s.key for s in fp.ACCOUNT_PAGES]:
            what = f"{SupplierForm.SPEC.key} ({SupplierForm.SPEC.title}) y sus lupas"
        else:
            what = ", ".join(f"{s.key} ({s.title})" for s in specs)
        lines.append(f"{what}: {why}")
    return lines


def breaking_summary(found: list[fp.PageDiff]) -> str:
    return "; ".join(
        f"{c.page}: {c.kind} {c.subject} ({c.detail})"
        for d in found
        for c in d.changes
        if c.breaking
    )


PROBE_RECORD = "sondeo.txt"  # in a run's output folder: the last probe's diff


async def gate(
    browser: Any,
    base_url: str,
    politeness: Politeness,
    log: Callable[[str, str], None],
    record: Path | None = None,
    account: ProbeAccount | None = None,
) -> None:
    """What ``run`` does before any supplier: probe (with the scenario's test account, its
    supplier form too), log the diff (and write it to ``record``), refuse a breaking one."""
    started = time.monotonic()
    try:
        live = await read_pages(browser, base_url, politeness, account)
    except PortalUnavailable as err:  # the suppliers' own steps wait and retry
        log("-", f"sondeo del portal no posible ({err}); el lote sigue sin sondeo")
        return
    folder = fp.folder_for(base_url)
    try:
        found = diffs(live, folder)
    except ConfigError:  # never recorded for this portal: nothing to compare with
        log(
            "-",
            f"sondeo del portal: no hay huellas en {folder}; genérelas con"
            f" 'secop-robot probe --portal {base_url} --update'; el lote sigue sin sondeo",
        )
        return
    took = time.monotonic() - started
    if record is not None:
        record.write_text(f"{base_url}\n{describe(found, live.skipped)}\n", encoding="utf-8")
    for line in not_read(live.skipped):  # a visible line, never silence
        log("-", "sondeo: " + line)
    changes = [c for d in found for c in d.changes]
    if not changes:
        log("-", f"sondeo del portal: sin cambios ({took:.1f} s)")
        return
    for line in describe(found).splitlines():
        log("-", "sondeo: " + line.strip())
    if any(d.breaking for d in found):
        raise PortalDrift(
            "el portal cambió y el robot no puede trabajar: " + breaking_summary(found),
            hint="revise docs/probe.md; adapte los page objects y regenere las huellas con"
            " 'secop-robot probe --update', o ejecute con --no-probe bajo su responsabilidad",
        )
    log("-", "sondeo del portal: solo cambios cosméticos; el lote sigue")


async def _probe(
    base_url: str, headed: bool, politeness: Politeness, account: ProbeAccount | None
) -> Reading:
    from playwright.async_api import async_playwright

    from robot.portal.browser import launch

    async with async_playwright() as pw:
        browser = await launch(pw, headed=headed)
        try:
            return await read_pages(browser, base_url, politeness, account)
        finally:
            await browser.close()


def probe_url(
    base_url: str,
    *,
    headed: bool = False,
    mock: bool = False,
    account: ProbeAccount | None = None,
) -> Reading:
    """Probe a portal in a Chromium of its own. On a real portal the batch's politeness limits
    apply; on the bundled mock none, unless they are set in the environment (as ``run``)."""
    names = ("robot.requests_per_second", "robot.sessions_per_minute")
    if mock and not any(settings.SETTINGS[n].env in os.environ for n in names):
        politeness = Politeness.unlimited()
    else:
        politeness = Politeness(
            float(settings.resolve(names[0])), float(settings.resolve(names[1]))
        )
    return asyncrun.run(_probe(base_url, headed, politeness, account))
