"""Running the drift canary: read the live pages, compare, describe; the gate ``run`` passes
before any supplier (docs/probe.md). The command itself is robot/probe_cli.py."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from robot import asyncrun, settings
from robot.errors import ConfigError, PortalDrift, PortalUnavailable, Problem
from robot.portal import probe as fp
from robot.portal.limiter import Politeness
from robot.portal.pages.base import PortalSession
from robot.portal.pages.spec import PageSpec


async def read_pages(browser: Any, base_url: str, politeness: Politeness) -> dict[str, Any]:
    """Every page's live fingerprint, in a fresh browser context (no cookies of the batch)."""
    from robot.portal.browser import new_context

    context = await new_context(browser)
    try:
        page = await context.new_page()
        timeout = float(settings.resolve("robot.timeout_seconds"))
        session = PortalSession(page, base_url, politeness, timeout=timeout)
        return {spec.key: await _read(session, spec) for spec in fp.PAGES}
    finally:
        await context.close()


async def _read(session: PortalSession, spec: PageSpec) -> dict[str, Any]:
    """One page, retried like a step after a transient error (a 503, a cut connection)."""
    retries = int(settings.resolve("robot.retries"))
    pause = float(settings.resolve("robot.backoff_seconds"))
    longest = float(settings.resolve("robot.backoff_max_seconds"))
    for attempt in range(retries + 1):
        try:
            return await fp.fingerprint(session, spec)
        except PortalUnavailable:
            if attempt == retries:
                raise
            await asyncio.sleep(min(pause * 2**attempt, longest))
    raise AssertionError("unreachable")


def diffs(live: dict[str, Any], folder: Path) -> list[fp.PageDiff]:
    """Each page's changes against its stored fingerprint (a missing file is a problem)."""
    found = []
    for spec in fp.PAGES:
        expected = fp.load(spec, folder)
        if expected is None:
            raise ConfigError(
                [Problem(str(folder / f"{spec.key}.json"), None, "", "no existe")],
                hint="genere las huellas con 'secop-robot probe --update' contra un portal sano",
            )
        found.append(fp.compare(spec, expected, live[spec.key]))
    return found


def describe(found: list[fp.PageDiff]) -> str:
    """The readable diff: one block per page, one line per change."""
    lines = []
    for d in found:
        if not d.changes:
            lines.append(f"{d.spec.key} ({d.spec.title}): sin cambios")
            continue
        grade = "CAMBIO QUE ROMPE" if d.breaking else "cambios cosméticos"
        lines.append(f"{d.spec.key} ({d.spec.title}): {grade}")
        lines += [str(c) for c in d.changes]
    return "\n".join(lines)


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
) -> None:
    """What ``run`` does before any supplier: probe, log the diff (and write it to ``record``),
    refuse a breaking one."""
    started = time.monotonic()
    try:
        live = await read_pages(browser, base_url, politeness)
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
        record.write_text(f"{base_url}\n{describe(found)}\n", encoding="utf-8")
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


async def _probe(base_url: str, headed: bool, politeness: Politeness) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    from robot.portal.browser import launch

    async with async_playwright() as pw:
        browser = await launch(pw, headed=headed)
        try:
            return await read_pages(browser, base_url, politeness)
        finally:
            await browser.close()


def probe_url(base_url: str, *, headed: bool = False, mock: bool = False) -> dict[str, Any]:
    """Probe a portal in a Chromium of its own. On a real portal the batch's politeness limits
    apply; on the bundled mock none, unless they are set in the environment (as ``run``)."""
    names = ("robot.requests_per_second", "robot.sessions_per_minute")
    if mock and not any(settings.SETTINGS[n].env in os.environ for n in names):
        politeness = Politeness.unlimited()
    else:
        politeness = Politeness(
            float(settings.resolve(names[0])), float(settings.resolve(names[1]))
        )
    return asyncrun.run(_probe(base_url, headed, politeness))
