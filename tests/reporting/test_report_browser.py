"""The report opened from disk in real Chromium: no console errors, the filter and the sort
work, every link and image resolves, hostile values stay text, and axe-core finds no serious
or critical accessibility violation."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, async_playwright

from robot import asyncrun
from robot.browser_path import CHROMIUM_ARGS, find_chromium
from robot.reporting.render import render_report
from tests.reporting.sample import make_run

pytestmark = pytest.mark.browser
SERIOUS = ("serious", "critical")


async def visible_rows(page: Page) -> list[str]:
    return list(
        await page.eval_on_selector_all(
            "#suppliers tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.status)"
        )
    )


async def column(page: Page, index: int) -> list[str]:
    return list(
        await page.eval_on_selector_all(
            "#suppliers tbody tr",
            f"rows => rows.map(r => r.cells[{index}].getAttribute('data-value'))",
        )
    )


async def images_loaded(page: Page) -> list[str]:
    """The src of every image that did not load (lazy ones made eager first)."""
    await page.eval_on_selector_all("img", "imgs => imgs.forEach(i => { i.loading = 'eager'; })")
    await page.wait_for_load_state("load")
    await page.wait_for_function(
        "Array.from(document.images).every(i => i.complete)", timeout=10_000
    )
    return list(
        await page.eval_on_selector_all(
            "img", "imgs => imgs.filter(i => i.naturalWidth === 0).map(i => i.src)"
        )
    )


async def _session(out: Path) -> dict[str, Any]:
    found: dict[str, Any] = {"errors": []}
    axe = Axe()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=find_chromium(), args=list(CHROMIUM_ARGS)
        )
        context = await browser.new_context(locale="es-CO", timezone_id="America/Bogota")
        await context.route("http*://**", lambda route: route.abort())  # no internet needed
        page = await context.new_page()
        page.on("console", lambda m: found["errors"].append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: found["errors"].append(str(e)))
        page.on("requestfailed", lambda r: found["errors"].append("failed: " + r.url))
        await page.goto((out / "index.html").as_uri())
        found["pwned"] = await page.evaluate("typeof window.__pwned")
        found["all"] = await visible_rows(page)
        await page.fill("#filter-text", "proveedor de prueba 3")
        found["text_filter"] = await visible_rows(page)
        found["shown_number"] = await page.text_content("#shown-number")
        await page.fill("#filter-text", "")
        await page.select_option("#filter-status", "failed")
        found["status_filter"] = await visible_rows(page)
        await page.select_option("#filter-status", "")
        duration = page.get_by_role("button", name="Duración")
        await duration.click()
        found["ascending"] = await column(page, 3)
        found["aria_sort"] = await page.get_attribute(
            "#suppliers thead th:nth-child(4)", "aria-sort"
        )
        await duration.click()
        found["descending"] = await column(page, 3)
        await page.get_by_role("button", name="Proveedor").click()
        found["by_name"] = await column(page, 0)
        found["index_axe"] = (await axe.run(page)).response["violations"]
        found["index_images"] = await images_loaded(page)
        hrefs = await page.eval_on_selector_all("#suppliers a", "as => as.map(a => a.href)")
        found["pages"] = {}
        for href in hrefs:
            response = await page.goto(href)
            found["pages"][href] = {
                "ok": response is not None and response.ok,
                "h1": await page.text_content("h1"),
                "broken_images": await images_loaded(page),
                "links": await page.eval_on_selector_all("a", "as => as.map(a => a.href)"),
                "pwned": await page.evaluate("typeof window.__pwned"),
            }
        await page.goto(
            next(h for h in hrefs if "900000003" in h)
        )  # a failure: message, shot, trace
        found["supplier_axe"] = (await axe.run(page)).response["violations"]
        await browser.close()
    return found


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = make_run(tmp_path_factory.mktemp("browser") / "out", count=8)
    render_report(out, "es")
    return out, asyncrun.run(_session(out))


def test_no_console_error_and_hostile_values_do_not_run(
    opened: tuple[Path, dict[str, Any]],
) -> None:
    _, found = opened
    assert found["errors"] == []
    assert found["pwned"] == "undefined"
    assert all(p["pwned"] == "undefined" for p in found["pages"].values())


def test_filter_by_text_and_by_status(opened: tuple[Path, dict[str, Any]]) -> None:
    _, found = opened
    assert len(found["all"]) == 8
    assert found["text_filter"] == ["failed"] and found["shown_number"] == "1"
    assert found["status_filter"] == ["failed", "failed"]


def test_sort_by_duration_both_ways_and_by_name(opened: tuple[Path, dict[str, Any]]) -> None:
    _, found = opened
    ascending = [float(v) for v in found["ascending"]]
    assert ascending == sorted(ascending) and len(set(ascending)) > 2
    assert found["aria_sort"] == "ascending"
    assert [float(v) for v in found["descending"]] == sorted(ascending, reverse=True)
    names = found["by_name"]
    assert names[0].startswith("<script>") and names[-1].startswith("Proveedor de Prueba 7")


def test_every_page_link_screenshot_and_trace_resolves(opened: tuple[Path, dict[str, Any]]) -> None:
    _, found = opened
    assert found["index_images"] == []
    assert len(found["pages"]) == 8
    targets = 0
    for href, page in found["pages"].items():
        assert page["ok"], href
        assert page["broken_images"] == [], href
        for link in page["links"]:
            if link.startswith("file://"):
                assert Path(unquote(urlsplit(link).path)).is_file(), link
                targets += 1
    traces = [lk for p in found["pages"].values() for lk in p["links"] if lk.endswith(".zip")]
    assert len(traces) == 3 and targets > 40


def test_axe_finds_no_serious_or_critical_violation(opened: tuple[Path, dict[str, Any]]) -> None:
    _, found = opened
    for key in ("index_axe", "supplier_axe"):
        serious = [(v["id"], v["impact"], v["help"]) for v in found[key] if v["impact"] in SERIOUS]
        assert serious == [], key
