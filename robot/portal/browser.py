"""One Chromium per run, one context per supplier (PORTAL.md; RECIPES.md 2)."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser, BrowserContext, Playwright

from robot.browser_path import CHROMIUM_ARGS, find_chromium
from robot.errors import SetupError

CONTEXT_OPTIONS: dict[str, Any] = {
    "locale": "es-CO",
    "timezone_id": "America/Bogota",
    "viewport": {"width": 1280, "height": 900},
    "accept_downloads": False,
}


async def launch(playwright: Playwright, *, headed: bool = False) -> Browser:
    """Debian's Chromium (or Playwright's own), with the flags that work headless as root."""
    executable = find_chromium()
    options: dict[str, Any] = {"headless": not headed, "args": list(CHROMIUM_ARGS)}
    if executable is not None:
        options["executable_path"] = executable
    try:
        return await playwright.chromium.launch(**options)
    except Exception as err:  # Playwright raises its own Error for a browser that cannot start
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise SetupError(
            f"Chromium no arrancó: {first}",
            hint="ejecute './run setup' o defina CHROMIUM_PATH con un Chromium instalado",
        ) from None


async def new_context(browser: Browser) -> BrowserContext:
    return await browser.new_context(**CONTEXT_OPTIONS)
