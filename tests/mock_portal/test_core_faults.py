"""Every fault switch of the mock portal shows its effect (PORTAL.md 3.8), reproducibly."""

from __future__ import annotations

import http.client
import re
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from imap_tools import AND

from robot.mock_portal.config import PortalConfig
from robot.mock_portal.faults import FaultConfig, FaultInjector, MaintenanceWindow
from robot.mock_portal.mailer import Mail
from robot.mock_portal.mailstack import MailStack
from robot.mock_portal.seed import seed_user
from robot.mock_portal.server import MockPortal
from tests.fixtures.mail import imap_client, unique_local, wait_for_messages
from tests.fixtures.portal import PortalProcess

LOGIN = "/STS/Users/Login/Index?SkinName=CCE&currentLanguage=es-CO&Page=login&Country=CO"


class Http:
    """A tiny cookie-keeping HTTP client that does not follow redirects."""

    def __init__(self, base_url: str) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookie = ""

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode()
        finally:
            conn.close()
        found = resp.getheader("Set-Cookie")
        if found:
            self.cookie = found.split(";", 1)[0]
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, text

    def csrf(self, path: str = LOGIN) -> str:
        _, _, html = self.request("GET", path)
        match = re.search(r'name="__RequestVerificationToken" value="([^"]+)"', html)
        assert match, html
        return match.group(1)

    def login(self, username: str, password: str) -> str:
        """Log in; return the path the portal redirected to (it carries the mkey)."""
        token = self.csrf()
        status, headers, _ = self.request(
            "POST",
            LOGIN,
            {"__RequestVerificationToken": token, "txtUserName": username, "txtPassword": password},
        )
        assert status == 302, status
        return headers["location"]


# --- the injector itself: seeded and reproducible --------------------------------------


def _decisions(injector: FaultInjector, requests: list[tuple[str, str]]) -> list[str]:
    return [injector.decide(m, injector.request_key(m, path)) for m, path in requests]


REQUESTS = [("POST", "/a"), ("GET", "/a"), ("POST", "/b")] * 70


def test_same_seed_same_faults_and_another_seed_differs() -> None:
    config = FaultConfig(seed=42, error_rate=0.3, drop_rate=0.2, drop_after_rate=0.2)
    run_one = _decisions(FaultInjector(config), REQUESTS)
    run_two = _decisions(FaultInjector(config), REQUESTS)
    other = _decisions(FaultInjector(config.model_copy(update={"seed": 43})), REQUESTS)
    assert run_one == run_two
    assert run_one != other
    assert {"ok", "error", "drop", "drop_after"} == set(run_one)


def test_a_request_fate_ignores_requests_to_other_pages() -> None:
    """Other traffic (another page, a second browser) does not shift a page's faults."""
    config = FaultConfig(seed=7, error_rate=0.5)
    alone = FaultInjector(config)
    busy = FaultInjector(config)
    page_alone = [alone.decide("GET", alone.request_key("GET", "/p")) for _ in range(40)]
    page_busy = []
    for i in range(40):
        for _ in range(i % 3):
            busy.decide("GET", busy.request_key("GET", "/other"))
        page_busy.append(busy.decide("GET", busy.request_key("GET", "/p")))
    assert page_alone == page_busy


def test_mail_duplicates_depend_on_the_mail_ordinal_only() -> None:
    config = FaultConfig(seed=3, mail_duplicate_rate=0.5)
    forward = [FaultInjector(config).duplicate_mail(n) for n in range(1, 41)]
    injector = FaultInjector(config)
    backward = [injector.duplicate_mail(n) for n in range(40, 0, -1)][::-1]
    assert forward == backward
    assert set(forward) == {True, False}
    other = FaultInjector(config.model_copy(update={"seed": 4}))
    assert forward != [other.duplicate_mail(n) for n in range(1, 41)]


def test_drop_after_only_hits_posts() -> None:
    injector = FaultInjector(FaultConfig(drop_after_rate=1))
    assert set(_decisions(injector, [("GET", "/x")] * 50)) == {"ok"}
    assert set(_decisions(injector, [("POST", "/x")] * 50)) == {"drop_after"}


def test_latency_jitter_stays_within_bounds() -> None:
    injector = FaultInjector(FaultConfig(latency_ms=100, latency_jitter_ms=50, seed=1))
    values = [injector.latency_seconds(injector.request_key("GET", "/")) for _ in range(100)]
    assert min(values) >= 0.1
    assert max(values) <= 0.15
    assert len(set(values)) > 1


def test_maintenance_windows_follow_the_clock() -> None:
    config = FaultConfig(maintenance=[MaintenanceWindow(start_seconds=10, duration_seconds=5)])
    injector = FaultInjector(config, clock=1000.0)
    assert not injector.in_maintenance(now=1009.9)
    assert injector.in_maintenance(now=1010.0)
    assert injector.in_maintenance(now=1014.9)
    assert not injector.in_maintenance(now=1015.0)


def test_upload_fails_once_per_slot_and_account() -> None:
    injector = FaultInjector(FaultConfig(upload_fail_once=True))
    assert injector.upload_should_fail(1, "rut")
    assert not injector.upload_should_fail(1, "rut")
    assert injector.upload_should_fail(1, "existencia")
    assert injector.upload_should_fail(2, "rut")
    assert not FaultInjector(FaultConfig()).upload_should_fail(1, "rut")


# --- the switches on a running portal ---------------------------------------------------


def test_latency_slows_every_page(make_portal) -> None:  # type: ignore[no-untyped-def]
    running: PortalProcess = make_portal(faults=["latency_ms=400"])
    client = Http(running.url)
    started = time.monotonic()
    status, _, _ = client.request("GET", LOGIN)
    assert status == 200
    assert time.monotonic() - started >= 0.4


def test_error_rate_answers_a_spanish_503(make_portal) -> None:  # type: ignore[no-untyped-def]
    running: PortalProcess = make_portal(faults=["error_rate=1"])
    status, _, html = Http(running.url).request("GET", LOGIN)
    assert status == 503
    assert "Servicio no disponible" in html
    assert "Traceback" not in html
    assert running.state()["users"] == []  # the state dump is never faulted


def _fates(running: PortalProcess, paths: list[str]) -> list[tuple[str, str]]:
    """(path, what happened) for each GET, one at a time: ok, error (503) or drop."""
    fates = []
    for path in paths:
        try:
            status, _, _ = Http(running.url).request("GET", path)
        except (http.client.RemoteDisconnected, ConnectionError):
            fates.append((path, "drop"))
            continue
        fates.append((path, "error" if status == 503 else "ok"))
    return fates


def test_same_seed_same_faults_on_a_running_portal(make_portal) -> None:  # type: ignore[no-untyped-def]
    paths = [LOGIN, "/STS/Users/Register/Index", "/Public/Directory/Index"] * 8
    faults = ["error_rate=0.3", "drop_rate=0.2"]
    first = _fates(make_portal(faults=[*faults, "seed=11"]), paths)
    again = make_portal(faults=[*faults, "seed=11"])
    # Unrelated traffic in between (another page) does not move the faults of these pages.
    noise = ["/STS/Users/Register/Resend"] * 5
    second = _fates(again, paths[:9] + noise + paths[9:])
    second = [fate for fate in second if fate[0] != noise[0]]
    other = _fates(make_portal(faults=[*faults, "seed=12"]), paths)
    assert {fate for _, fate in first} == {"ok", "error", "drop"}
    assert second == first
    assert other != first


def test_drop_rate_cuts_the_connection(make_portal) -> None:  # type: ignore[no-untyped-def]
    running: PortalProcess = make_portal(faults=["drop_rate=1"])
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        Http(running.url).request("GET", LOGIN)


def test_drop_after_commits_the_post_but_loses_the_answer(make_portal) -> None:  # type: ignore[no-untyped-def]
    running: PortalProcess = make_portal(faults=["drop_after_rate=1"])
    seed_user(
        running.store(),
        username="caida_despues",
        password="Clave#Segura2026",
        email="c@proveedores.test",
    )
    client = Http(running.url)
    token = client.csrf()
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        client.request(
            "POST",
            LOGIN,
            {
                "__RequestVerificationToken": token,
                "txtUserName": "caida_despues",
                "txtPassword": "Clave#Segura2026",
            },
        )
    # The login happened although the browser never saw the answer: the session is logged in.
    rows = running.store().all("SELECT user_id FROM sessions WHERE user_id IS NOT NULL")
    assert len(rows) == 1

    assert [tuple(r) for r in running.store().all("SELECT kind, method, path FROM fault_log")] == [
        ("drop_after", "POST", LOGIN.split("?", maxsplit=1)[0])
    ]


def test_drop_after_once_cuts_each_form_once() -> None:
    """The first post of each form (path and fields, files by name) loses its answer; the
    same form again (the browser's replay, the robot's retry) passes; another form is cut."""
    injector = FaultInjector(FaultConfig(drop_after_once=True))
    login = [("txtUserName", "ana"), ("txtPassword", "x")]
    assert injector.drop_after_first("/login", login)
    assert not injector.drop_after_first("/login", list(reversed(login)))
    assert injector.drop_after_first("/login", [("txtUserName", "luis"), ("txtPassword", "x")])
    assert injector.drop_after_first("/other", login)
    assert not FaultInjector(FaultConfig()).drop_after_first("/login", login)


def test_session_expiry_sends_back_to_login(make_portal) -> None:  # type: ignore[no-untyped-def]
    running: PortalProcess = make_portal(faults=["session_expiry_seconds=1"])
    seed_user(
        running.store(),
        username="sesion_corta",
        password="Clave#Segura2026",
        email="s@proveedores.test",
    )
    client = Http(running.url)
    landing = client.login("sesion_corta", "Clave#Segura2026")
    mkey = re.search(r"mkey=([^&]+)", landing)
    assert mkey
    selector = f"/STS/Users/Login/SelectCompany?mkey={mkey.group(1)}"
    status, _, _ = client.request("GET", selector)
    assert status == 200
    time.sleep(1.3)
    status, headers, _ = client.request("GET", selector)
    assert status == 302
    assert "motivo=expirada" in headers["location"]
    _, _, html = client.request("GET", headers["location"])
    assert "Su sesión ha expirado" in html


def test_maintenance_window_shows_the_maintenance_page(make_portal) -> None:  # type: ignore[no-untyped-def]
    running: PortalProcess = make_portal(
        faults=["maintenance=[{start_seconds: 0, duration_seconds: 600}]"]
    )
    status, _, html = Http(running.url).request("GET", LOGIN)
    assert status == 503
    assert "mantenimiento" in html
    assert running.state()["accounts"] == []


def test_captcha_fault_guards_the_login(make_portal) -> None:  # type: ignore[no-untyped-def]
    running: PortalProcess = make_portal(faults=["captcha=always"])
    seed_user(
        running.store(),
        username="con_captcha",
        password="Clave#Segura2026",
        email="k@proveedores.test",
    )
    client = Http(running.url)
    _, _, html = client.request("GET", LOGIN)
    assert 'id="txttxtCaptcha"' in html
    credentials = {"txtUserName": "con_captcha", "txtPassword": "Clave#Segura2026"}
    token = re.search(r'name="__RequestVerificationToken" value="([^"]+)"', html)
    assert token
    form = {"__RequestVerificationToken": token.group(1), **credentials, "txttxtCaptcha": "XXXXX"}
    status, _, html = client.request("POST", LOGIN, form)
    assert status == 401
    assert "El texto de la imagen no coincide." in html
    code = re.search(r'id="imgCaptcha"[^>]*>([A-Z0-9]{5})<', html)
    assert code
    token = re.search(r'name="__RequestVerificationToken" value="([^"]+)"', html)
    assert token
    form = {
        "__RequestVerificationToken": token.group(1),
        **credentials,
        "txttxtCaptcha": code.group(1),
    }
    status, headers, _ = client.request("POST", LOGIN, form)
    assert status == 302
    assert "mkey=" in headers["location"]


def test_without_captcha_fault_there_is_no_captcha(portal: PortalProcess) -> None:
    _, _, html = Http(portal.url).request("GET", LOGIN)
    assert "txttxtCaptcha" not in html


# --- mail faults: the mailer, real SMTP, real IMAP --------------------------------------


@pytest.fixture
def mail_portal(pymap_stack: MailStack, tmp_path: Path) -> Iterator[callable]:  # type: ignore[valid-type]
    started: list[MockPortal] = []

    def make(**faults: object) -> MockPortal:
        config = PortalConfig(
            db_path=tmp_path / f"portal{len(started)}.sqlite3",
            smtp_host=pymap_stack.smtp_host,
            smtp_port=pymap_stack.smtp_port,
            faults=FaultConfig.model_validate(faults),
        )
        running = MockPortal(config).start()
        started.append(running)
        return running

    yield make
    for running in started:
        running.stop()


def _send(running: MockPortal, to: str, n: int) -> None:
    assert running.portal is not None
    running.portal.mailer.send(
        Mail(
            kind="activation",
            to=to,
            greeting_name="Prueba",
            paragraphs=[f"mensaje {n}"],
            link=f"http://x/{n}",
        )
    )


def test_mail_delay_holds_mail_back(mail_portal, pymap_stack: MailStack) -> None:  # type: ignore[no-untyped-def]
    running = mail_portal(mail_delay_seconds=1.5)
    to = pymap_stack.address(unique_local("demora"))
    started = time.monotonic()
    _send(running, to, 1)
    with imap_client(pymap_stack) as box:
        time.sleep(0.8)
        assert list(box.fetch(AND(to=to), mark_seen=False)) == []
        wait_for_messages(box, AND(to=to), count=1, timeout=10)
    assert time.monotonic() - started >= 1.5


def test_mail_duplicate_sends_two_copies(mail_portal, pymap_stack: MailStack) -> None:  # type: ignore[no-untyped-def]
    running = mail_portal(mail_duplicate_rate=1)
    to = pymap_stack.address(unique_local("doble"))
    _send(running, to, 1)
    with imap_client(pymap_stack) as box:
        mails = wait_for_messages(box, AND(to=to), count=2, timeout=10)
    assert len(mails) == 2
    assert mails[0].text == mails[1].text
    # A duplicate is the same message delivered twice, not a second mail.
    assert mails[0].headers["message-id"] == mails[1].headers["message-id"]
    assert mails[0].headers["date"] == mails[1].headers["date"]


def test_mail_reorder_delivers_the_newer_mail_first(mail_portal, pymap_stack: MailStack) -> None:  # type: ignore[no-untyped-def]
    running = mail_portal(mail_reorder_window_seconds=2.5)
    to = pymap_stack.address(unique_local("orden"))
    _send(running, to, 1)
    time.sleep(1.1)  # Date has one-second resolution
    _send(running, to, 2)
    with imap_client(pymap_stack) as box:
        mails = wait_for_messages(box, AND(to=to), count=2, timeout=10)
    by_uid = sorted(mails, key=lambda m: int(m.uid or 0))
    assert "mensaje 2" in by_uid[0].text
    assert "mensaje 1" in by_uid[1].text
    # Each mail keeps the Date of when the portal issued it, so a reader can still tell
    # the newer one although it arrived first.
    assert by_uid[0].date > by_uid[1].date


def test_without_mail_faults_mail_arrives_in_order_once(
    mail_portal, pymap_stack: MailStack
) -> None:  # type: ignore[no-untyped-def]
    running = mail_portal()
    to = pymap_stack.address(unique_local("normal"))
    _send(running, to, 1)
    _send(running, to, 2)
    with imap_client(pymap_stack) as box:
        mails = wait_for_messages(box, AND(to=to), count=2, timeout=10)
        time.sleep(0.3)
        assert len(list(box.fetch(AND(to=to), mark_seen=False))) == 2
    by_uid = sorted(mails, key=lambda m: int(m.uid or 0))
    assert "mensaje 1" in by_uid[0].text
    assert by_uid[0].subject == "SECOP II - Confirmación de registro de usuario"
    assert by_uid[0].from_values is not None and by_uid[0].from_values.name == "SECOP II"
    assert by_uid[0].html and "http://x/1" in by_uid[0].html
