"""Find a Chromium for Playwright on machines that cannot download one.

Order: ``CHROMIUM_PATH``; Debian's binary; ``chromium``/``chromium-browser`` on PATH;
Playwright's own downloaded browser (``None`` means: let Playwright use it).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from robot.errors import SetupError

# Flags that work headless as root and keep Chromium off the network.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)

_DEBIAN_BINARY = Path("/usr/lib/chromium/chromium")


def _playwright_browser_present() -> bool:
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH", Path.home() / ".cache/ms-playwright"))
    return cache.is_dir() and any(cache.glob("chromium*"))


def find_chromium() -> str | None:
    """Return an executable path, or ``None`` to use Playwright's own browser."""
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise SetupError(
                f"CHROMIUM_PATH={explicit} is not an executable file",
                hint="point CHROMIUM_PATH at a Chromium binary, or unset it",
            )
        return explicit
    if _DEBIAN_BINARY.exists():
        return str(_DEBIAN_BINARY)
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    if _playwright_browser_present():
        return None
    raise SetupError(
        "no Chromium found",
        hint="run './run setup', install Debian's 'chromium', or set CHROMIUM_PATH",
    )


if __name__ == "__main__":  # used by ./run to ask whether Playwright's browser exists
    if "--playwright-only" in sys.argv:
        sys.exit(0 if _playwright_browser_present() else 1)
    print(find_chromium() or "playwright")
