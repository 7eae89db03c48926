"""The watcher over real IMAP (pymap and Dovecot) with mail sent through real SMTP."""

from __future__ import annotations

import asyncio
import random
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from robot.errors import MailboxConnectError
from robot.mail import MailboxConfig, MailKind, MailWatcher
from robot.mail.imap import ImapMailbox
from robot.mock_portal.mailstack import MailStack
from tests.fixtures.mail import BACKEND_PARAMS, imap_client, require_dovecot, unique_local
from tests.mail.helpers import link_for, portal_mail, run_async, smtp_send, stack_config

CORPUS = sorted((Path(__file__).parent.parent / "data" / "emails" / "corpus").glob("*.eml"))


def cfg(stack: MailStack, **more: object) -> MailboxConfig:
    return stack_config(stack, **more)  # type: ignore[return-value]


def now() -> datetime:
    return datetime.now(UTC)


def test_thirty_flows_one_connection(mail_stack: MailStack) -> None:
    tag = unique_local("f")
    locals_ = [f"{tag}+{i}" for i in range(30)]

    async def run(watcher: MailWatcher) -> list[str | None]:
        start = now()
        flows = [
            watcher.wait_for(
                mail_stack.address(loc), MailKind.ACTIVATION, not_before=start, timeout=20
            )
            for loc in locals_
        ]
        order = list(range(30))
        random.Random(5).shuffle(order)
        noise = iter(CORPUS)

        def send_all() -> None:
            for i in order:
                mail_stack.deliver(next(noise).read_bytes())  # the mailbox's everyday mail
                to = mail_stack.address(locals_[i])
                smtp_send(mail_stack, portal_mail(to, f"{tag}-t{i}", sent=start), to)

        await asyncio.to_thread(send_all)
        return [found.link for found in await asyncio.gather(*flows)]

    async def main() -> tuple[list[str | None], int]:
        async with MailWatcher(cfg(mail_stack)) as watcher:
            links = await run(watcher)
            return links, watcher.connections

    links, connections = run_async(main())
    assert links == [link_for(f"{tag}-t{i}") for i in range(30)]
    assert connections == 1
    with imap_client(mail_stack) as box:  # nothing was marked read, nothing deleted
        ours = list(box.fetch(f'TO "{tag}"', mark_seen=False))
        assert len(ours) == 30
        assert all("\\Seen" not in m.flags for m in ours)


def test_early_duplicate_and_out_of_order_resend(mail_stack: MailStack) -> None:
    to = mail_stack.address(unique_local("r"))
    start = now()
    old = portal_mail(to, "stale", sent=start - timedelta(hours=1))  # an earlier run's mail
    first = portal_mail(to, "first", sent=start + timedelta(seconds=1))
    second = portal_mail(to, "second", sent=start + timedelta(seconds=4))
    for raw in (old, second, first, second):  # re-send arrives before the first; duplicated
        smtp_send(mail_stack, raw, to)
    # SMTP accepts only after delivery: all four are in the mailbox before the flow waits
    with MailWatcher(cfg(mail_stack)) as watcher:
        found = watcher.wait_for_sync(to, MailKind.ACTIVATION, not_before=start, timeout=10)
    assert found.link == link_for("second")


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_server_restart_mid_idle_is_survived(backend: str) -> None:
    if backend == "dovecot":
        require_dovecot()
    with MailStack(backend=backend) as stack, MailWatcher(cfg(stack)) as watcher:
        to = stack.address("restart")
        waiting = watcher.expect(to, MailKind.ACTIVATION, not_before=now())
        time.sleep(0.3)  # let the watcher settle in IDLE
        stack.restart_imap(down_seconds=0.3)
        smtp_send(stack, portal_mail(to, "after-restart", sent=now()), to)
        assert waiting.result(15).link == link_for("after-restart")
        assert watcher.connections >= 2


def test_wrong_password_is_refused_quickly(pymap_stack: MailStack) -> None:
    start = time.monotonic()
    with pytest.raises(MailboxConnectError) as err:
        MailWatcher(cfg(pymap_stack, password="not-the-password")).start()
    assert time.monotonic() - start < 5
    assert "rechazó el inicio de sesión" in str(err.value)
    assert "not-the-password" not in str(err.value) + err.value.hint


def test_unreachable_server_fails_within_timeout() -> None:
    with socket.socket() as sink:  # accepts connections, never greets
        sink.bind(("127.0.0.1", 0))
        sink.listen(5)
        port = sink.getsockname()[1]
        config = MailboxConfig(
            host="127.0.0.1",
            port=port,
            tls="none",
            user="u",
            password="p",
            allowed_hosts=("x",),
            connect_timeout=0.5,
        )
        start = time.monotonic()
        with pytest.raises(MailboxConnectError) as err:
            MailWatcher(config).start()
        assert time.monotonic() - start < 2.5
        assert "127.0.0.1" in str(err.value)
    with pytest.raises(MailboxConnectError, match="rechazada"):  # nothing listening any more
        ImapMailbox(config).connect()


@pytest.fixture(params=[("pymap", "starttls"), ("dovecot", "ssl")], ids=["starttls", "ssl"])
def tls_stack(request: pytest.FixtureRequest) -> Iterator[MailStack]:
    backend, tls = request.param
    if backend == "dovecot":
        require_dovecot()
    with MailStack(backend=backend, imap_tls=tls) as stack:
        yield stack


def test_tls_verified_with_ca_file(tls_stack: MailStack) -> None:
    to = tls_stack.address("tls")
    with MailWatcher(cfg(tls_stack)) as watcher:
        waiting = watcher.expect(to, MailKind.ACTIVATION)
        smtp_send(tls_stack, portal_mail(to, "over-tls"), to)
        assert waiting.result(10).link == link_for("over-tls")
    with pytest.raises(MailboxConnectError, match="certificado"):
        ImapMailbox(cfg(tls_stack, ca_file=None)).connect()
