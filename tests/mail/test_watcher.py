"""The watcher against the in-memory seam: correlation, newest-wins, reconnects, timeouts."""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from robot.errors import (
    ActivationMailNotFound,
    ConfigError,
    MailboxConnectError,
    MailError,
    UnsafeLinkError,
)
from robot.mail import Expectation, MailboxConfig, MailKind, MailWatcher, WatcherRegistry
from robot.mail.fake import FakeMailbox, FakeServer
from tests.mail.helpers import HOST, eventually, link_for, portal_mail, run_async

CORPUS = sorted((Path(__file__).parent.parent / "data" / "emails" / "corpus").glob("*.eml"))
SAFELINKS = "https://eur01.safelinks.protection.outlook.com/?url="


def config(**more: object) -> MailboxConfig:
    values: dict[str, object] = {
        "host": "fake.test",
        "user": "buzon",
        "password": "s3cret-Pass",
        "tls": "none",
        "allowed_hosts": (HOST,),
        "connect_timeout": 2.0,
        "backoff_seconds": 0.01,
        "backoff_max_seconds": 0.05,
        "poll_seconds": 0.05,
    }
    values.update(more)
    return MailboxConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


@pytest.fixture
def watcher(server: FakeServer) -> Iterator[MailWatcher]:
    with MailWatcher(config(), mailbox_factory=lambda c: FakeMailbox(server)) as w:
        yield w


def now() -> datetime:
    return datetime.now(UTC)


# --- correlation ------------------------------------------------------------------------------


def test_mail_after_registration_resolves(server: FakeServer, watcher: MailWatcher) -> None:
    waiting = watcher.expect("Buzon+p1@proveedores.test", MailKind.ACTIVATION)
    assert waiting.uidnext == 1 and waiting.uidvalidity == server.uidvalidity
    server.append(portal_mail("buzon+p1@proveedores.test", "tok1"))
    time.sleep(0.1)  # the mail is in before the flow awaits
    found = waiting.result(5)
    assert found.link == link_for("tok1")
    assert "tok1" not in repr(found)
    assert watcher.connections == 1


def test_mail_before_wait_found_with_not_before(server: FakeServer, watcher: MailWatcher) -> None:
    clicked = now()
    server.append(portal_mail("buzon+p2@proveedores.test", "early", sent=clicked))
    # the mail is already in the box when a resumed flow starts waiting
    found = watcher.wait_for_sync(
        "buzon+p2@proveedores.test", MailKind.ACTIVATION, not_before=clicked, timeout=5
    )
    assert found.link == link_for("early")


def test_old_mail_is_not_taken(server: FakeServer, watcher: MailWatcher) -> None:
    old = now() - timedelta(hours=2)
    server.append(portal_mail("buzon+p3@proveedores.test", "old", sent=old))
    with pytest.raises(ActivationMailNotFound) as err:
        watcher.wait_for_sync(
            "buzon+p3@proveedores.test", MailKind.ACTIVATION, not_before=now(), timeout=0.3
        )
    assert "buzon+p3@proveedores.test" in str(err.value)
    assert err.value.hint
    with pytest.raises(ActivationMailNotFound):  # without not_before: by UID, the old is out
        watcher.wait_for_sync("buzon+p3@proveedores.test", MailKind.ACTIVATION, timeout=0.3)
    # Mail reaching the server after registration counts whatever its Date says.
    waiting = watcher.expect("buzon+p3@proveedores.test", MailKind.ACTIVATION)
    server.append(portal_mail("buzon+p3@proveedores.test", "new", sent=old))
    assert waiting.result(5).link == link_for("new")


def test_portal_clock_behind_does_not_lose_the_mail(
    server: FakeServer, watcher: MailWatcher
) -> None:
    to = "buzon+skew@proveedores.test"
    waiting = watcher.expect(to, MailKind.ACTIVATION)  # registered before the click
    server.append(portal_mail(to, "skewed", sent=now() - timedelta(seconds=3)))
    assert waiting.result(5).link == link_for("skewed")
    # A resumed flow's not_before is a loose bound: 3 s of skew are within the slack.
    clicked = now()
    server.append(portal_mail(to, "skewed-2", sent=clicked - timedelta(seconds=3)))
    found = watcher.wait_for_sync(to, MailKind.ACTIVATION, not_before=clicked, timeout=5)
    assert found.link == link_for("skewed-2")


def test_stale_mail_that_arrived_while_disconnected_is_not_taken(server: FakeServer) -> None:
    to = "buzon+stale@proveedores.test"
    cfg = config(backoff_seconds=0.3)
    with MailWatcher(cfg, mailbox_factory=lambda c: FakeMailbox(server)) as w:
        server.reachable = False
        server.drop_connections()
        eventually(lambda: not w.connected)
        server.append(portal_mail(to, "stale"))  # an earlier attempt's mail, while we are away
        registered: list[Expectation] = []
        thread = threading.Thread(
            target=lambda: registered.append(w.expect(to, MailKind.ACTIVATION))
        )
        thread.start()
        time.sleep(0.1)
        assert not registered  # no mark without the server: registration waits for it
        server.reachable = True
        thread.join(5)
        (waiting,) = registered
        with pytest.raises(ActivationMailNotFound):
            waiting.result(0.3)
        waiting = w.expect(to, MailKind.ACTIVATION)
        server.append(portal_mail(to, "fresh"))
        assert waiting.result(5).link == link_for("fresh")


def test_registration_without_a_server_is_a_clear_error(server: FakeServer) -> None:
    with MailWatcher(
        config(connect_timeout=0.5, backoff_seconds=0.05),
        mailbox_factory=lambda c: FakeMailbox(server),
    ) as w:
        server.reachable = False
        server.drop_connections()
        start = time.monotonic()
        with pytest.raises(MailboxConnectError) as err:
            w.expect("buzon+down@proveedores.test", MailKind.ACTIVATION)
        assert time.monotonic() - start < 1.5
        assert "no se pudo registrar la espera" in str(err.value) and err.value.hint
        assert w.waiting == 0
    with pytest.raises(MailError, match="no está en marcha"):
        w.expect("buzon+down@proveedores.test", MailKind.ACTIVATION)


def test_newest_wins_when_resent_out_of_order(server: FakeServer, watcher: MailWatcher) -> None:
    start = now()
    to = "buzon+p4@proveedores.test"
    second = portal_mail(to, "second", sent=start + timedelta(seconds=5))
    first = portal_mail(to, "first", sent=start + timedelta(seconds=1))  # voided by the re-send
    for raw in (second, first, second, first):  # re-send first, the void one last; duplicated
        server.append(raw)
    found = watcher.wait_for_sync(to, MailKind.ACTIVATION, not_before=start, timeout=5)
    assert found.link == link_for("second")
    assert found.uid in (1, 3)


def test_newest_mail_with_a_bad_link_fails_even_if_an_older_one_is_good(
    server: FakeServer, watcher: MailWatcher
) -> None:
    start = now()
    to = "buzon+p11@proveedores.test"
    server.append(portal_mail(to, "older-valid", sent=start + timedelta(seconds=1)))
    server.append(portal_mail(to, "newest", sent=start + timedelta(seconds=5), wrap=SAFELINKS))
    with pytest.raises(UnsafeLinkError, match="redireccionador") as err:
        watcher.wait_for_sync(to, MailKind.ACTIVATION, not_before=start, timeout=5)
    assert "older-valid" not in str(err.value) and "newest" not in str(err.value)
    to = "buzon+p12@proveedores.test"  # the newest points elsewhere (a look-alike host)
    server.append(portal_mail(to, "older-valid", sent=start + timedelta(seconds=1)))
    server.append(
        portal_mail(to, "newest", sent=start + timedelta(seconds=5), host="secop.evil.test")
    )
    with pytest.raises(UnsafeLinkError, match="no trae un enlace al portal") as err:
        watcher.wait_for_sync(to, MailKind.ACTIVATION, not_before=start, timeout=5)
    assert err.value.hint


def test_plus_addresses_are_exact(server: FakeServer, watcher: MailWatcher) -> None:
    start = now()
    server.append(portal_mail("buzon+p10@proveedores.test", "ten", sent=start))
    server.append(portal_mail("buzon@proveedores.test", "bare", sent=start))
    with pytest.raises(ActivationMailNotFound):
        watcher.wait_for_sync(
            "buzon+p1@proveedores.test", MailKind.ACTIVATION, not_before=start, timeout=0.3
        )
    got = watcher.wait_for_sync(
        "buzon+p10@proveedores.test", MailKind.ACTIVATION, not_before=start, timeout=5
    )
    assert got.link == link_for("ten")


def test_kind_must_match(server: FakeServer, watcher: MailWatcher) -> None:
    start = now()
    to = "buzon+p5@proveedores.test"
    server.append(portal_mail(to, "acc", kind="access_accepted", sent=start))
    server.append(portal_mail(to, "rej", kind="access_rejected", sent=start))
    found = watcher.wait_for_sync(to, MailKind.ACCESS_ACCEPTED, not_before=start, timeout=5)
    assert found.link == link_for("acc", "access_accepted")
    rejected = watcher.wait_for_sync(to, MailKind.ACCESS_REJECTED, not_before=start, timeout=5)
    assert rejected.link is None
    with pytest.raises(ActivationMailNotFound):
        watcher.wait_for_sync(to, MailKind.ACTIVATION, not_before=start, timeout=0.2)


def test_wrapped_link_fails_fast(server: FakeServer, watcher: MailWatcher) -> None:
    to = "buzon+p6@proveedores.test"
    waiting = watcher.expect(to, MailKind.ACTIVATION)
    server.append(portal_mail(to, "wrapped", wrap=SAFELINKS))
    with pytest.raises(UnsafeLinkError) as err:
        waiting.result(5)
    assert "wrapped" not in str(err.value)


def test_noise_never_breaks_the_watcher(server: FakeServer, watcher: MailWatcher) -> None:
    to = "buzon+p7@proveedores.test"
    waiting = watcher.expect(to, MailKind.ACTIVATION)
    for path in CORPUS[:40]:
        server.append(path.read_bytes())
    server.append(portal_mail(to, "needle", sent=now()))
    for path in CORPUS[40:]:
        server.append(path.read_bytes())
    assert waiting.result(5).link == link_for("needle")
    # only the portal mail was fetched whole; the noise was judged by its headers
    assert len(set(server.fetched_full)) == 1


# --- the connection -------------------------------------------------------------------------


def test_reconnects_after_drop(server: FakeServer, watcher: MailWatcher) -> None:
    to = "buzon+p8@proveedores.test"
    waiting = watcher.expect(to, MailKind.ACTIVATION)
    server.drop_connections()
    server.reachable = False
    time.sleep(0.05)
    server.append(portal_mail(to, "after-drop"))
    server.reachable = True
    assert waiting.result(5).link == link_for("after-drop")
    assert watcher.connections >= 2


def test_reconnect_delays_grow_then_reset(server: FakeServer) -> None:
    delays: list[float] = []

    def fake_sleep(delay: float) -> None:  # a fake clock: record, do not wait
        delays.append(delay)
        if len(delays) >= 7:
            server.reachable = True
        time.sleep(0.001)

    cfg = config(backoff_seconds=0.1, backoff_max_seconds=1.0)
    with MailWatcher(cfg, mailbox_factory=lambda c: FakeMailbox(server), sleep=fake_sleep) as w:
        server.reachable = False
        server.drop_connections()
        eventually(lambda: len(delays) >= 7 and w.connected)
        assert delays[:7] == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0]
        before = len(delays)
        server.drop_connections()  # a healthy connection resets the delay
        eventually(lambda: len(delays) > before and w.connected)
        assert delays[before] == 0.1


def test_uidvalidity_change_falls_back_to_arrival_dates(
    server: FakeServer, watcher: MailWatcher, caplog: pytest.LogCaptureFixture
) -> None:
    to = "buzon+p9@proveedores.test"
    hour_ago = now() - timedelta(hours=1)
    server.append(portal_mail(to, "stale", sent=hour_ago), internal_date=hour_ago)
    waiting = watcher.expect(to, MailKind.ACTIVATION)
    with caplog.at_level(logging.WARNING, logger="robot.mail"):
        server.reset_uidvalidity()  # the folder is recreated: the stale mail gets a new UID
        eventually(lambda: "UIDVALIDITY" in caplog.text)
    assert "1 espera(s)" in caplog.text
    with pytest.raises(ActivationMailNotFound):  # arrived an hour before the registration
        waiting.result(0.3)
    waiting = watcher.expect(to, MailKind.ACTIVATION)
    server.reset_uidvalidity()
    server.append(portal_mail(to, "after"))
    found = waiting.result(5)
    assert found.link == link_for("after")
    assert found.uidvalidity == server.uidvalidity


def test_idle_is_renewed_before_the_limit(server: FakeServer) -> None:
    cfg = config(idle_renew_seconds=0.1, idle_check_seconds=1000.0)
    with MailWatcher(cfg, mailbox_factory=lambda c: FakeMailbox(server)) as w:
        time.sleep(0.55)
        waits = list(server.idle_waits)
        assert len(waits) >= 4  # IDLE was left and entered again
        assert all(0 < t <= 0.1 for t in waits)
        assert w.connections == 1
    server = FakeServer()
    with MailWatcher(config(), mailbox_factory=lambda c: FakeMailbox(server)):
        eventually(lambda: bool(server.idle_waits))
    assert server.idle_waits[0] <= 25 * 60  # the defaults stay under RFC 2177's 29 min


def test_mail_stored_just_before_idle_is_read_soon(server: FakeServer) -> None:
    """Servers announce in IDLE only what arrives after IDLE began: re-read soon after news."""
    cfg = config(idle_check_seconds=1000.0, recheck_seconds=0.2)
    with MailWatcher(cfg, mailbox_factory=lambda c: FakeMailbox(server)) as w:
        first = w.expect("buzon+b1@proveedores.test", MailKind.ACTIVATION)
        second = w.expect("buzon+b2@proveedores.test", MailKind.ACTIVATION)
        server.append(portal_mail("buzon+b1@proveedores.test", "b1"))
        assert first.result(5).link == link_for("b1")
        # stored in the instant between the watcher's last read and IDLE: not announced
        server.append(portal_mail("buzon+b2@proveedores.test", "b2"), announce=False)
        start = time.monotonic()
        assert second.result(3).link == link_for("b2")
        assert time.monotonic() - start < 1.0
        eventually(lambda: server.idle_waits[-1] == 1000.0)  # quiet again: the long wait


def test_mail_stored_while_the_watcher_reads_is_read_before_idle(server: FakeServer) -> None:
    cfg = config(idle_check_seconds=1000.0, recheck_seconds=1000.0)
    with MailWatcher(cfg, mailbox_factory=lambda c: FakeMailbox(server)) as w:
        first = w.expect("buzon+r1@proveedores.test", MailKind.ACTIVATION)
        second = w.expect("buzon+r2@proveedores.test", MailKind.ACTIVATION)
        server.during_fetch.append(portal_mail("buzon+r2@proveedores.test", "r2"))
        server.append(portal_mail("buzon+r1@proveedores.test", "r1"))
        assert first.result(5).link == link_for("r1")
        assert second.result(0.5).link == link_for("r2")


def test_registration_returns_when_idle_listens(server: FakeServer) -> None:
    """No read between a registration returning and IDLE: the flow's mail finds IDLE on."""
    with MailWatcher(config(), mailbox_factory=lambda c: FakeMailbox(server)) as w:
        for i in range(10):
            server.calls.clear()
            w.expect(f"buzon+g{i}@proveedores.test", MailKind.ACTIVATION)
            server.calls.append("returned")
            time.sleep(0.05)
            calls = list(server.calls)
            before, after = calls[: calls.index("returned")], calls[calls.index("returned") + 1 :]
            assert "uidnext" in before and "search" in before
            assert after in ([], ["idle"]), calls  # straight to IDLE, no read in between


def test_polling_when_idle_is_missing() -> None:
    server = FakeServer(idle=False)
    with MailWatcher(config(), mailbox_factory=lambda c: FakeMailbox(server)) as w:
        waiting = w.expect("buzon+poll@proveedores.test", MailKind.ACTIVATION)
        server.append(portal_mail("buzon+poll@proveedores.test", "polled"))
        assert waiting.result(5).link == link_for("polled")
    assert server.idle_waits == []


def test_wrong_password_is_a_clear_error() -> None:
    server = FakeServer()
    server.password_ok = False
    start = time.monotonic()
    with pytest.raises(MailboxConnectError):
        MailWatcher(config(), mailbox_factory=lambda c: FakeMailbox(server)).start()
    assert time.monotonic() - start < 2


# --- many flows -----------------------------------------------------------------------------


def test_thirty_flows_waiting_at_once(server: FakeServer, watcher: MailWatcher) -> None:
    async def run() -> list[str | None]:
        flows = [
            asyncio.create_task(
                watcher.wait_for(f"buzon+m{i}@proveedores.test", MailKind.ACTIVATION, timeout=5)
            )
            for i in range(30)
        ]
        while watcher.waiting < 30:  # every flow registered before any mail is sent
            await asyncio.sleep(0.01)
        order = list(range(30))
        random.Random(3).shuffle(order)
        for i in order:
            server.append(portal_mail(f"buzon+m{i}@proveedores.test", f"t{i}"))
        return [f.link for f in await asyncio.gather(*flows)]

    assert run_async(run()) == [link_for(f"t{i}") for i in range(30)]
    assert watcher.connections == 1
    assert watcher.waiting == 0


def test_cancelled_flow_leaves_the_waiting_list(server: FakeServer, watcher: MailWatcher) -> None:
    async def run() -> int:
        task = asyncio.create_task(
            watcher.wait_for("buzon+c@proveedores.test", MailKind.ACTIVATION, timeout=30)
        )
        while watcher.waiting < 1:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return len(watcher._waiters)

    assert run_async(run()) == 0
    assert watcher.waiting == 0


def test_async_timeout_and_stop(server: FakeServer) -> None:
    async def run() -> None:
        async with MailWatcher(config(), mailbox_factory=lambda c: FakeMailbox(server)) as w:
            with pytest.raises(ActivationMailNotFound):
                await w.wait_for("nadie@proveedores.test", MailKind.ACTIVATION, timeout=0.1)
            assert w.waiting == 0
            pending = await w.register("nadie@proveedores.test", MailKind.ACTIVATION)
        with pytest.raises(MailError):
            pending.result(1)

    run_async(run())


# --- one watcher per mailbox ------------------------------------------------------------------


def test_registry_shares_one_watcher_per_mailbox(server: FakeServer) -> None:
    registry = WatcherRegistry()

    def factory(c: MailboxConfig) -> FakeMailbox:
        return FakeMailbox(server)

    try:
        first = registry.get(config(source="a.yaml"), mailbox_factory=factory)
        second = registry.get(config(source="b.yaml"), mailbox_factory=factory)
        assert first is second and server.connections == 1 and len(registry) == 1
        other = registry.get(config(folder="Portal"), mailbox_factory=factory)
        assert other is not first and len(registry) == 2
        with pytest.raises(ConfigError, match="otra configuración"):
            registry.get(config(allowed_hosts=("otro.test",)), mailbox_factory=factory)
        first.stop()
        third = registry.get(config(), mailbox_factory=factory)  # a stopped one is replaced
        assert third is not first and third.running
    finally:
        registry.stop_all()
    assert len(registry) == 0


# --- secrets --------------------------------------------------------------------------------


def test_links_and_passwords_stay_out_of_logs_and_errors(
    server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    token = "Tk9-SECRETO-4f7a2c"
    cfg = config(connect_timeout=0.5)
    server.drop_reason = f"servidor dice: clave {cfg.password} y enlace {link_for(token)}"
    errors: list[str] = []
    with (
        caplog.at_level(logging.DEBUG),
        MailWatcher(cfg, mailbox_factory=lambda c: FakeMailbox(server)) as w,
    ):
        to = "buzon+log@proveedores.test"
        waiting = w.expect(to, MailKind.ACTIVATION)
        server.append(portal_mail(to, token))
        found = waiting.result(5)
        assert found.link == link_for(token)
        waiting = w.expect("buzon+log2@proveedores.test", MailKind.ACTIVATION)
        server.append(portal_mail("buzon+log2@proveedores.test", token, wrap=SAFELINKS))
        with pytest.raises(UnsafeLinkError) as unsafe:
            waiting.result(5)
        errors.append(str(unsafe.value))
        waiting = w.expect("buzon+log3@proveedores.test", MailKind.ACTIVATION)
        server.reachable = False
        server.drop_connections()  # the server's error text quotes the password and the link
        eventually(lambda: bool(w.last_error) and not w.connected)
        with pytest.raises(ActivationMailNotFound) as missing:
            waiting.result(0.2)
        errors.append(str(missing.value))
        errors.append(w.last_error)
        server.reachable = True
    assert any("********" in r.getMessage() for r in caplog.records)  # masked, not dropped
    texts = [r.getMessage() for r in caplog.records] + errors + [repr(found), repr(w)]
    assert any("perdida" in t for t in texts)  # the drop was logged…
    for text in texts:  # …and nothing shows the token, the link or the password
        assert token not in text
        assert cfg.password not in text
