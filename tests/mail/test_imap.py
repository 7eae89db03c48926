"""The watcher over real IMAP (pymap and Dovecot) with mail sent through real SMTP."""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from imap_tools.errors import MailboxFolderStatusError

from robot.errors import ActivationMailNotFound, MailboxConnectError
from robot.mail import Expectation, MailboxConfig, MailKind, MailWatcher, WatcherRegistry
from robot.mail.imap import ImapMailbox
from robot.mock_portal.mailstack import MailStack
from tests.fixtures.mail import BACKEND_PARAMS, imap_client, require_dovecot, unique_local
from tests.mail.helpers import (
    eventually,
    link_for,
    portal_mail,
    run_async,
    smtp_send,
    stack_config,
)

CORPUS = sorted((Path(__file__).parent.parent / "data" / "emails" / "corpus").glob("*.eml"))


def cfg(stack: MailStack, **more: object) -> MailboxConfig:
    return stack_config(stack, **more)  # type: ignore[return-value]


def now() -> datetime:
    return datetime.now(UTC)


class Recorder:
    """A mailbox factory that keeps every mailbox it made (to count and inspect connections)."""

    def __init__(self, down: threading.Event | None = None) -> None:
        self.made: list[ImapMailbox] = []
        self.down = down or threading.Event()  # set: the network to the server is cut

    def __call__(self, config: MailboxConfig) -> ImapMailbox:
        down = self.down

        class Gated(ImapMailbox):
            def connect(self) -> None:
                if down.is_set():
                    raise MailboxConnectError("red cortada (prueba)")
                super().connect()

        mailbox = Gated(config)
        self.made.append(mailbox)
        return mailbox


@pytest.fixture(params=BACKEND_PARAMS)
def own_stack(request: pytest.FixtureRequest) -> Iterator[MailStack]:
    """A stack of its own per backend, for tests that restart its IMAP server."""
    if request.param == "dovecot":
        require_dovecot()
    with MailStack(backend=request.param) as stack:
        yield stack


def test_thirty_flows_waiting_at_once_one_connection(mail_stack: MailStack) -> None:
    tag = unique_local("f")
    locals_ = [f"{tag}+{i}" for i in range(30)]
    recorder = Recorder()

    async def main() -> tuple[list[str | None], int]:
        async with MailWatcher(cfg(mail_stack), mailbox_factory=recorder) as watcher:
            flows = [
                asyncio.create_task(
                    watcher.wait_for(mail_stack.address(loc), MailKind.ACTIVATION, timeout=30)
                )
                for loc in locals_
            ]
            deadline = time.monotonic() + 10
            while watcher.waiting < 30:  # all 30 registered before any mail is sent
                assert time.monotonic() < deadline
                await asyncio.sleep(0.01)
            order = list(range(30))
            random.Random(5).shuffle(order)
            noise = iter(CORPUS)

            def send_all() -> None:
                for i in order:
                    mail_stack.deliver(next(noise).read_bytes())  # the mailbox's everyday mail
                    to = mail_stack.address(locals_[i])
                    smtp_send(mail_stack, portal_mail(to, f"{tag}-t{i}", sent=now()), to)

            await asyncio.to_thread(send_all)
            links = [found.link for found in await asyncio.gather(*flows)]
            return links, watcher.connections

    links, connections = run_async(main())
    assert links == [link_for(f"{tag}-t{i}") for i in range(30)]
    assert connections == 1 and len(recorder.made) == 1
    with imap_client(mail_stack) as box:  # nothing was marked read, nothing deleted
        ours = list(box.fetch(f'TO "{tag}"', mark_seen=False))
        assert len(ours) == 30
        assert all("\\Seen" not in m.flags for m in ours)


def test_duplicate_and_out_of_order_resend_give_the_newest(mail_stack: MailStack) -> None:
    to = mail_stack.address(unique_local("r"))
    start = now()
    old = portal_mail(to, "stale", sent=start - timedelta(hours=1))  # an earlier run's mail
    first = portal_mail(to, "first", sent=start + timedelta(seconds=1))  # voided by the re-send
    second = portal_mail(to, "second", sent=start + timedelta(seconds=4))
    for raw in (old, second, first, second, first):  # the void one is delivered last
        smtp_send(mail_stack, raw, to)
    # SMTP accepts only after delivery: all of them are in the mailbox before the flow (resumed
    # from an earlier process, hence not_before) starts waiting.
    with MailWatcher(cfg(mail_stack)) as watcher:
        found = watcher.wait_for_sync(to, MailKind.ACTIVATION, not_before=start, timeout=10)
    assert found.link == link_for("second")


def test_mail_arriving_before_the_flow_awaits(mail_stack: MailStack) -> None:
    to = mail_stack.address(unique_local("e"))
    token = unique_local("early")
    with MailWatcher(cfg(mail_stack)) as watcher:
        waiting = watcher.expect(to, MailKind.ACTIVATION)  # before the click
        # the portal's clock runs 3 s behind: the UID decides, not the Date
        smtp_send(mail_stack, portal_mail(to, token, sent=now() - timedelta(seconds=3)), to)
        time.sleep(0.5)  # the mail is in (and read) before the flow awaits
        assert waiting.result(10).link == link_for(token)


def test_idle_notifications_bring_the_mail(mail_stack: MailStack) -> None:
    """No safety re-read for 10 minutes: only an IDLE notification can bring the mail in time."""
    recorder = Recorder()
    config = cfg(mail_stack, idle_check_seconds=600.0)
    to = mail_stack.address(unique_local("idle"))
    token = unique_local("idle")
    with MailWatcher(config, mailbox_factory=recorder) as watcher:
        waiting = watcher.expect(to, MailKind.ACTIVATION)
        time.sleep(0.5)  # the watcher is back in IDLE
        start = time.monotonic()
        smtp_send(mail_stack, portal_mail(to, token), to)
        assert waiting.result(10).link == link_for(token)
        elapsed = time.monotonic() - start
    assert recorder.made[0].supports_idle
    assert elapsed < 3.0  # pymap notifies in milliseconds, Dovecot in ~0.5 s


def test_polling_when_idle_is_not_used(mail_stack: MailStack) -> None:
    recorder = Recorder()
    config = cfg(mail_stack, use_idle=False, poll_seconds=0.5, idle_check_seconds=600.0)
    to = mail_stack.address(unique_local("poll"))
    token = unique_local("poll")
    with MailWatcher(config, mailbox_factory=recorder) as watcher:
        waiting = watcher.expect(to, MailKind.ACTIVATION)
        smtp_send(mail_stack, portal_mail(to, token), to)
        assert waiting.result(10).link == link_for(token)
    assert not recorder.made[0].supports_idle


def test_server_restart_mid_idle_is_survived(
    own_stack: MailStack, caplog: pytest.LogCaptureFixture
) -> None:
    to = own_stack.address("restart")
    with (
        caplog.at_level(logging.WARNING, logger="robot.mail"),
        MailWatcher(cfg(own_stack)) as watcher,
    ):
        waiting = watcher.expect(to, MailKind.ACTIVATION)  # marked by UID, no date
        time.sleep(0.3)  # let the watcher settle in IDLE
        own_stack.restart_imap(down_seconds=0.3)
        smtp_send(own_stack, portal_mail(to, "after-restart"), to)
        assert waiting.result(15).link == link_for("after-restart")
        assert watcher.connections >= 2
    # pymap keeps mail in memory: restarted, it rebuilds INBOX under a new UIDVALIDITY and the
    # wait falls back to arrival dates (and says so); Dovecot keeps its UIDVALIDITY.
    recreated = "UIDVALIDITY" in caplog.text
    assert recreated == (own_stack.backend == "pymap")


def test_stale_mail_from_while_disconnected_is_not_taken(own_stack: MailStack) -> None:
    to = own_stack.address("stale")
    recorder = Recorder()
    config = cfg(own_stack, backoff_seconds=0.05, backoff_max_seconds=0.2)
    with MailWatcher(config, mailbox_factory=recorder) as watcher:
        recorder.down.set()  # the robot loses the network…
        own_stack.restart_imap(down_seconds=0.1)  # …and its connection
        eventually(lambda: not watcher.connected)
        smtp_send(own_stack, portal_mail(to, "stale"), to)  # an earlier attempt's mail
        registered: list[Expectation] = []
        thread = threading.Thread(
            target=lambda: registered.append(watcher.expect(to, MailKind.ACTIVATION))
        )
        thread.start()
        time.sleep(0.3)
        assert not registered  # no mark without the server
        recorder.down.clear()
        thread.join(10)
        (waiting,) = registered
        with pytest.raises(ActivationMailNotFound):
            waiting.result(1.0)
        waiting = watcher.expect(to, MailKind.ACTIVATION)
        smtp_send(own_stack, portal_mail(to, "fresh"), to)
        assert waiting.result(10).link == link_for("fresh")


def test_wrong_password_is_refused_quickly(own_stack: MailStack) -> None:
    # Its own stack: Dovecot slows every later login from the same address after a failed one
    # (auth penalty), which would slow the tests sharing the session's stack.
    start = time.monotonic()
    with pytest.raises(MailboxConnectError) as err:
        MailWatcher(cfg(own_stack, password="not-the-password")).start()
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


def test_uidnext_without_status(mail_stack: MailStack, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server refusing STATUS on the open folder: the mark is the highest UID + 1."""
    to = mail_stack.address(unique_local("st"))
    smtp_send(mail_stack, portal_mail(to, unique_local("st")), to)
    mailbox = ImapMailbox(cfg(mail_stack))
    mailbox.connect()
    try:
        real = mailbox.uidnext()
        highest = max(mailbox.uids_after(0))

        def refuse(*args: object, **kwargs: object) -> None:
            raise MailboxFolderStatusError("STATUS", "NO")

        monkeypatch.setattr(mailbox._box.folder, "status", refuse)
        assert mailbox.uidnext() == highest + 1 <= real
    finally:
        mailbox.close()


def test_registry_gives_one_connection_per_mailbox(mail_stack: MailStack) -> None:
    registry = WatcherRegistry()
    recorder = Recorder()
    to = mail_stack.address(unique_local("reg"))
    token = unique_local("reg")
    try:
        first = registry.get(cfg(mail_stack, source="a.yaml"), mailbox_factory=recorder)
        second = registry.get(cfg(mail_stack, source="b.yaml"), mailbox_factory=recorder)
        assert first is second
        waiting = second.expect(to, MailKind.ACTIVATION)
        smtp_send(mail_stack, portal_mail(to, token), to)
        assert waiting.result(10).link == link_for(token)
        assert len(recorder.made) == 1 and first.connections == 1
    finally:
        registry.stop_all()


def test_link_never_reaches_a_log(mail_stack: MailStack, caplog: pytest.LogCaptureFixture) -> None:
    to = mail_stack.address(unique_local("log"))
    token = "SECRETO-" + unique_local("tok")
    with caplog.at_level(logging.DEBUG), MailWatcher(cfg(mail_stack)) as watcher:
        waiting = watcher.expect(to, MailKind.ACTIVATION)
        smtp_send(mail_stack, portal_mail(to, token), to)
        found = waiting.result(10)
    assert found.link == link_for(token)
    # The test's own SMTP server (aiosmtpd, logger "mail.log") echoes DATA at DEBUG: it plays
    # the portal's outside world, not the robot, so its records are left out.
    records = [r for r in caplog.records if not r.name.startswith("mail.log")]
    assert any("uid" in r.getMessage() for r in records)  # the watcher did log
    for record in records:
        assert token not in record.getMessage()
        assert token not in (record.exc_text or "")


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
