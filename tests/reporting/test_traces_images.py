"""Traces and screenshots in real Chromium: a step's trace chunk is kept when it holds no
secret and dropped when it does (a value typed with fill is in the trace: the check sees it);
a first attempt's chunk records the actions without DOM snapshots, a retried attempt's with
them; screenshots are small WebP files without metadata, password inputs masked."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Page, async_playwright

from robot import asyncrun, secrets
from robot.browser_path import CHROMIUM_ARGS, find_chromium
from robot.reporting.images import MAX_WIDTH, compress, shoot
from robot.reporting.traces import StepTrace, holds_secret, traceable

pytestmark = pytest.mark.browser
SECRET = "Trazas-Secreto-91!q"
FORM = """<!DOCTYPE html><html lang="es"><body><h1>Registro</h1>
<label>Razón social <input id="name"></label>
<label>Contraseña <input id="pw" type="password"></label></body></html>"""


@pytest.fixture(autouse=True)
def registered() -> Iterator[None]:
    secrets.register_secret(SECRET)
    yield
    secrets.clear_secrets()


class PageActor:
    """What shoot() needs of an Actor: a screenshot with password inputs masked."""

    def __init__(self, page: Page) -> None:
        self.page = page

    async def screenshot(self, path: Path) -> Path | None:
        await self.page.screenshot(
            path=path, mask=[self.page.locator("input[type=password]")], full_page=True
        )
        return path


async def _scenario(tmp: Path) -> dict[str, object]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=find_chromium(), args=list(CHROMIUM_ARGS)
        )
        context = await browser.new_context()
        page = await context.new_page()
        await page.set_content(FORM)
        clean = await StepTrace.begin(context)
        await page.fill("#name", "Proveedor Visible S.A.S.")
        kept = await clean.keep(tmp / "clean.zip")
        await page.set_content(FORM)
        leaky = await StepTrace.begin(context)
        await page.fill("#pw", SECRET)
        dropped = await leaky.keep(tmp / "leaky.zip")
        await page.set_content(FORM)
        attempts = await StepTrace.begin(context)
        await page.fill("#name", "Primer Intento S.A.S.")
        await attempts.again(context, snapshots=True)  # a retry: the first chunk is dropped
        await page.fill("#name", "Segundo Intento S.A.S.")
        retried = await attempts.keep(tmp / "retried.zip")
        after = await StepTrace.begin(context)  # the next step: actions only again
        await page.fill("#name", "Paso Siguiente S.A.S.")
        plain = await after.keep(tmp / "plain.zip")
        shot = await shoot(PageActor(page), tmp / "shots" / "form.webp")
        await browser.close()
    return {"kept": kept, "dropped": dropped, "shot": shot, "retried": retried, "plain": plain}


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    tmp = tmp_path_factory.mktemp("traces")
    secrets.register_secret(SECRET)
    return tmp, asyncrun.run(_scenario(tmp))


def test_a_clean_trace_is_kept_and_holds_what_was_typed(
    outcome: tuple[Path, dict[str, object]],
) -> None:
    tmp, result = outcome
    assert result["kept"] == tmp / "clean.zip"
    with zipfile.ZipFile(tmp / "clean.zip") as archive:
        text = b"".join(archive.read(n) for n in archive.namelist())
    assert b"Proveedor Visible S.A.S." in text  # fill values are recorded: hence the check
    assert not holds_secret(tmp / "clean.zip")


def kinds(path: Path) -> dict[str, int]:
    """How many records of each type the trace's main file holds."""
    with zipfile.ZipFile(path) as archive:
        lines = archive.read("trace.trace").decode("utf-8").splitlines()
    found: dict[str, int] = {}
    for line in lines:
        kind = str(json.loads(line).get("type"))
        found[kind] = found.get(kind, 0) + 1
    return found


def test_a_first_attempt_records_actions_and_a_retry_dom_snapshots(
    outcome: tuple[Path, dict[str, object]],
) -> None:
    tmp, result = outcome
    assert result["plain"] == tmp / "plain.zip" and result["retried"] == tmp / "retried.zip"
    first = kinds(tmp / "clean.zip")
    assert first.get("before") and first.get("after") and not first.get("frame-snapshot")
    assert kinds(tmp / "retried.zip").get("frame-snapshot")
    assert not kinds(tmp / "plain.zip").get("frame-snapshot")
    with zipfile.ZipFile(tmp / "retried.zip") as archive:
        records = [json.loads(line) for line in archive.read("trace.trace").splitlines()]
    typed = [r["params"].get("value") for r in records if r.get("type") == "before"]
    assert typed == ["Segundo Intento S.A.S."]  # the last attempt's actions only


def test_a_trace_that_typed_a_secret_is_deleted(outcome: tuple[Path, dict[str, object]]) -> None:
    tmp, result = outcome
    assert result["dropped"] is None
    assert not (tmp / "leaky.zip").exists()


def test_holds_secret_sees_raw_and_json_escaped_values(tmp_path: Path) -> None:
    raw = tmp_path / "raw.zip"
    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr("resources/body", f"user=a&password={SECRET}".encode())
    escaped = tmp_path / "escaped.zip"
    with zipfile.ZipFile(escaped, "w") as archive:
        archive.writestr("trace.trace", '{"value": "Trazas-Secreto-91\\u0021q"}\n')
    clean = tmp_path / "clean.zip"
    with zipfile.ZipFile(clean, "w") as archive:
        archive.writestr("trace.trace", '{"value": "nada"}\n')
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    assert holds_secret(raw) and holds_secret(escaped) and holds_secret(broken)
    assert not holds_secret(clean)


def test_steps_that_type_a_password_are_never_traced() -> None:
    assert not traceable("admin.register") and not traceable("users.acme.x.activate")
    assert traceable("account.form") and traceable("users.acme.x.request")


def test_screenshots_are_small_webp_without_metadata(
    outcome: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    tmp, result = outcome
    assert result["shot"] == tmp / "shots" / "form.webp"
    with Image.open(tmp / "shots" / "form.webp") as image:
        assert image.format == "WEBP" and image.width <= MAX_WIDTH
        assert not image.getexif() and "xmp" not in image.info and "icc_profile" not in image.info
    assert not list((tmp / "shots").glob(".*"))  # the raw capture is gone
    big = tmp_path / "big.png"
    Image.new("RGB", (1920, 9000), "white").save(big, pnginfo=None)
    small = compress(big, tmp_path / "big.webp")
    with Image.open(small) as image:
        assert image.width == MAX_WIDTH and image.height <= 1400
    assert not big.exists()
