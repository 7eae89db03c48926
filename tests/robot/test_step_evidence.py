"""The evidence of a step that stopped a supplier, from the runner in real Chromium: a first
attempt's failure keeps a screenshot (the top of the page that the report shows, password
masked) and a trace of that attempt (its actions, no DOM snapshots); a step parked after
retries keeps the last attempt's trace, with DOM snapshots; a step that succeeds keeps no
trace."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.async_api import async_playwright

import robot.cli  # noqa: F401  # first, as the command line does (it imports run_cli)
from robot import asyncrun
from robot.browser_path import CHROMIUM_ARGS, find_chromium
from robot.errors import PortalRejected, PortalUnavailable
from robot.flows.plan import Step
from robot.flows.runtime import Actor, Job, Options, Runtime, Tracker
from robot.ledger import FAILED, ONBOARDED, PARKED, Ledger
from robot.portal.limiter import Politeness
from robot.profiles import load_profile
from robot.reporting.images import MAX_HEIGHT, MAX_WIDTH
from robot.run_cli import make_jobs
from robot.runner import _steps

ROOT = Path(__file__).resolve().parents[2]
PAGE = """<!DOCTYPE html><html lang="es"><body style="margin:0">
<label>Razón social <input id="name"></label>
<label>Contraseña <input type="password" value="no-es-secreto" style="width:300px;height:40px">
</label><div style="height:6000px"></div></body></html>"""
pytestmark = pytest.mark.browser
StepBody = Callable[[Actor, int], Awaitable[None]]


async def _run(tmp: Path, body: StepBody, retries: int) -> tuple[str, dict[str, Any]]:
    """One traced step (account.form) run by the runner with ``body`` as its action."""
    job: Job = make_jobs([load_profile(ROOT / "profiles" / "acme-sas.yaml")], ["account"])[0]
    ledger = Ledger(tmp / "ledger.sqlite3")
    ledger.begin_run("test")
    ledger.add_supplier(job.key, profile="acme", legal_name="ACME", nit="1", h="h")
    calls = 0

    async def run(rt: Runtime, tr: Tracker, job: Job, actor: Actor, name: str) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        tr.start(name)
        await body(actor, calls)
        return {"found": "hecho"}

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=find_chromium(), args=list(CHROMIUM_ARGS)
        )
        rt = Runtime(
            browser=browser,
            base_url="http://127.0.0.1:9",
            ledger=ledger,
            politeness=Politeness.unlimited(),
            options=Options(timeout=5.0, retries=retries, backoff=0.0),
            out_dir=tmp,
            mailbox_for=lambda profile: None,  # type: ignore[arg-type,return-value]
        )
        admin = job.profile.administrator
        job.actors = {"admin": Actor(rt, admin, "no-es-secreto", "admin")}
        step = Step("account.form", "account", "admin", run)
        tr = Tracker(ledger, job, [step.name])
        try:
            status, _ = await _steps(rt, tr, job, [step], 1_000_000)
        finally:
            await job.actors["admin"].close()
            await browser.close()
    record = ledger.step(job.key, "account.form")
    ledger.close()
    assert record is not None
    return status, record.detail


def _records(tmp: Path, detail: dict[str, Any]) -> list[dict[str, Any]]:
    with zipfile.ZipFile(tmp / detail["trace"]) as archive:
        lines = archive.read("trace.trace").decode("utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _typed(records: list[dict[str, Any]]) -> list[str]:
    return [
        r["params"]["value"]
        for r in records
        if r.get("type") == "before" and r["params"].get("value")
    ]


async def _fill_then(actor: Actor, number: int, error: Exception | None) -> None:
    page = (await actor.session()).page
    await page.set_content(PAGE)
    await page.fill("#name", f"Intento {number}")
    if error is not None:
        raise error


def test_a_first_attempt_failure_keeps_its_screenshot_and_an_actions_trace(
    tmp_path: Path,
) -> None:
    async def body(actor: Actor, number: int) -> None:
        await _fill_then(actor, number, PortalRejected("el portal rechazó el borrador"))

    status, detail = asyncrun.run(_run(tmp_path, body, retries=2))
    assert status == FAILED
    with Image.open(tmp_path / detail["screenshot"]) as image:  # a 6,000 px page: its top
        assert image.format == "WEBP" and image.width == MAX_WIDTH
        assert MAX_HEIGHT - 1 <= image.height <= MAX_HEIGHT  # as much as a full page gave
        rgb = image.convert("RGB")
        colors = rgb.getcolors(rgb.width * rgb.height) or []
        assert any(r > 200 and g < 80 and b > 200 for _, (r, g, b) in colors), "password masked"
    assert not [p for p in tmp_path.rglob(".*") if p.is_file()], "raw captures removed"
    records = _records(tmp_path, detail)
    assert _typed(records) == ["Intento 1"]
    assert not [r for r in records if r.get("type") == "frame-snapshot"]


def test_a_step_parked_after_retries_keeps_the_last_attempts_trace_with_snapshots(
    tmp_path: Path,
) -> None:
    async def body(actor: Actor, number: int) -> None:
        await _fill_then(actor, number, PortalUnavailable("SECOP II está en mantenimiento"))

    status, detail = asyncrun.run(_run(tmp_path, body, retries=2))
    assert status == PARKED
    assert (tmp_path / detail["screenshot"]).is_file()
    records = _records(tmp_path, detail)
    assert _typed(records) == ["Intento 3"]
    assert [r for r in records if r.get("type") == "frame-snapshot"]


def test_a_step_that_succeeds_after_a_retry_keeps_no_trace(tmp_path: Path) -> None:
    async def body(actor: Actor, number: int) -> None:
        await _fill_then(actor, number, PortalUnavailable("caído") if number == 1 else None)

    status, detail = asyncrun.run(_run(tmp_path, body, retries=2))
    assert status == ONBOARDED and detail == {"found": "hecho"}
    assert not list(tmp_path.glob("suppliers/*/traces/*"))
    assert list(tmp_path.glob("suppliers/*/screenshots/account.form*"))
