"""The watcher against the in-memory seam: correlation, newest-wins, reconnects, timeouts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from robot.errors import ActivationMailNotFound, MailboxConnectError, MailError, UnsafeLinkError
from robot.mail import MailboxConfig, MailKind, MailWatcher
from robot.mail.fake import FakeMailbox, FakeServer
from tests.mail.helpers import HOST, link_for, portal_mail, run_async

CORPUS = sorted((Path(__file__).parent.parent / "data" / "emails" / "corpus").glob("*.eml"))


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


def test_mail_after_registration_resolves(server: FakeServer, watcher: MailWatcher) -> None:
    waiting = watcher.expect("Buzon+p1@proveedores.test", MailKind.ACTIVATION)
    server.append(portal_mail("buzon+p1@proveedores.test", "tok1"))
    found = waiting.result(5)
    assert found.link == link_for("tok1")
    assert "tok1" not in repr(found)
    assert watcher.connections == 1


def test_mail_before_wait_found_with_not_before(server: FakeServer, watcher: MailWatcher) -> None:
    clicked = now()
    server.append(portal_mail("buzon+p2@proveedores.test", "early", sent=clicked))
    # the mail is already in the box when the flow starts waiting
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
    # Without not_before only mail reaching the server after registration counts (by UID).
    waiting = watcher.expect("buzon+p3@proveedores.test", MailKind.ACTIVATION)
    server.append(portal_mail("buzon+p3@proveedores.test", "new", sent=old))
    assert waiting.result(5).link == link_for("new")


def test_newest_wins_when_resent_out_of_order(server: FakeServer, watcher: MailWatcher) -> None:
    start = now()
    to = "buzon+p4@proveedores.test"
    server.append(portal_mail(to, "second", sent=start + timedelta(seconds=5)))
    server.append(portal_mail(to, "first", sent=start + timedelta(seconds=1)))  # late arrival
    server.append(portal_mail(to, "second", sent=start + timedelta(seconds=5)))  # duplicate
    found = watcher.wait_for_sync(to, MailKind.ACTIVATION, not_before=start, timeout=5)
    assert found.link == link_for("second")


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
    server.append(
        portal_mail(to, "wrapped", wrap="https://eur01.safelinks.protection.outlook.com/?url=")
    )
    with pytest.raises(UnsafeLinkError) as err:
        waiting.result(5)
    assert "wrapped" not in str(err.value)


def test_noise_never_breaks_the_watcher(server: FakeServer, watcher: MailWatcher) -> None:
    start = now()
    to = "buzon+p7@proveedores.test"
    for path in CORPUS[:40]:
        server.append(path.read_bytes())
    server.append(portal_mail(to, "needle", sent=start))
    for path in CORPUS[40:]:
        server.append(path.read_bytes())
    assert watcher.wait_for_sync(
        to, MailKind.ACTIVATION, not_before=start, timeout=5
    ).link == link_for("needle")
    # only the portal mail was fetched whole; the noise was judged by its headers
    assert len(set(server.fetched_full)) == 1


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


def test_uidvalidity_change_rereads(server: FakeServer, watcher: MailWatcher) -> None:
    start = now()
    to = "buzon+p9@proveedores.test"
    server.append(portal_mail(to, "before", sent=start))
    assert watcher.wait_for_sync(to, MailKind.ACTIVATION, not_before=start, timeout=5)
    server.reset_uidvalidity()
    server.append(portal_mail(to, "after", sent=start + timedelta(seconds=3)))
    found = watcher.wait_for_sync(to, MailKind.ACTIVATION, not_before=start, timeout=5)
    assert found.link == link_for("after")
    assert found.uidvalidity == server.uidvalidity


def test_polling_when_idle_is_missing() -> None:
    server = FakeServer(idle=False)
    with MailWatcher(config(), mailbox_factory=lambda c: FakeMailbox(server)) as w:
        waiting = w.expect("buzon+poll@proveedores.test", MailKind.ACTIVATION)
        server.append(portal_mail("buzon+poll@proveedores.test", "polled"))
        assert waiting.result(5).link == link_for("polled")


def test_many_flows_one_connection(server: FakeServer, watcher: MailWatcher) -> None:
    async def run() -> list[str | None]:
        start = now()
        flows = [
            watcher.wait_for(
                f"buzon+m{i}@proveedores.test", MailKind.ACTIVATION, not_before=start, timeout=5
            )
            for i in range(30)
        ]
        for i in reversed(range(30)):
            server.append(portal_mail(f"buzon+m{i}@proveedores.test", f"t{i}", sent=start))
        return [f.link for f in await asyncio.gather(*flows)]

    assert run_async(run()) == [link_for(f"t{i}") for i in range(30)]
    assert watcher.connections == 1


def test_wrong_password_is_a_clear_error() -> None:
    server = FakeServer()
    server.password_ok = False
    start = time.monotonic()
    with pytest.raises(MailboxConnectError):
        MailWatcher(config(), mailbox_factory=lambda c: FakeMailbox(server)).start()
    assert time.monotonic() - start < 2


def test_async_timeout_and_stop(server: FakeServer) -> None:
    async def run() -> None:
        async with MailWatcher(config(), mailbox_factory=lambda c: FakeMailbox(server)) as w:
            with pytest.raises(ActivationMailNotFound):
                await w.wait_for("nadie@proveedores.test", MailKind.ACTIVATION, timeout=0.1)
            pending = w.expect("nadie@proveedores.test", MailKind.ACTIVATION)
        with pytest.raises(MailError):
            pending.result(1)

    run_async(run())


def test_config_errors_name_the_field() -> None:
    from robot.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        MailboxConfig(host="", user="u", password="", allowed_hosts=(), source="perfil.yaml")
    text = str(err.value)
    assert "perfil.yaml: host" in text and "perfil.yaml: password" in text
    assert "perfil.yaml: allowed_hosts" in text
    assert "s3cret" not in repr(config())
