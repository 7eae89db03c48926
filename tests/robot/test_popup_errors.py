"""A lupa pop-up that shows an error page or a cut connection is a typed, retried error.

The supplier form's lupas (municipio, UNSPSC) open pop-ups; on a bad day their pages are a 503
or a dropped connection like any other. The page objects check the pop-up as they check the main
page, so that a failed search is retried instead of ending the supplier with "la lupa no
encontró …" (a data error), as it did on scenarios/flaky-portal.yaml's faults.
"""

from __future__ import annotations

import contextlib
import socket

import pytest
from playwright.async_api import Error as PlaywrightError

from robot.errors import PortalError, PortalUnavailable
from robot.portal.pages.base import PortalSession
from tests.fixtures.portal import PortalProcess
from tests.run.test_pages import with_session

pytestmark = pytest.mark.browser


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_popups_error_page_and_cut_connection_are_typed_errors(portal: PortalProcess) -> None:
    async def body(session: PortalSession) -> list[str]:
        seen = []
        await session.goto("/STS/Users/Login/Index", expect_login=True)
        async with session.page.expect_popup() as opened:
            await session.page.evaluate("window.open('about:blank')")
        popup = await opened.value
        await session.check(None, page=popup)  # a blank pop-up is no error
        await popup.goto(session.url("/CO1Marketplace/Lookup/NoExiste"))
        with pytest.raises(PortalError) as found:
            await session.check(None, page=popup)
        seen.append(found.value.message)
        with contextlib.suppress(PlaywrightError):  # the browser shows its error page
            await popup.goto(f"http://127.0.0.1:{_closed_port()}/", wait_until="commit")
        await popup.wait_for_url(lambda url: url.startswith("chrome-error://"), timeout=10_000)
        with pytest.raises(PortalUnavailable):
            await session.check(None, page=popup)
        assert session.page.url.endswith("/STS/Users/Login/Index")  # the main page untouched
        return seen

    [message] = with_session(portal, body)
    assert "(HTTP" not in message  # no status was seen: none is made up
