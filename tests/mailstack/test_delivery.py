"""SMTP → IMAP delivery through the mail stack, on both backends (real servers)."""

from __future__ import annotations

import logging
import smtplib
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from imap_tools import AND, H, MailboxLoginError

from robot.mock_portal.mailstack import MailStack
from tests.fixtures.mail import imap_client, unique_local, wait_for_messages

DATA = Path(__file__).parent.parent / "data" / "mailstack"


def _message(subject: str, to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "notificaciones@secop.test"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content("Active su cuenta en SECOP II.")
    return msg


def _send(stack: MailStack, msg: EmailMessage, to: list[str]) -> dict[str, tuple[int, bytes]]:
    with smtplib.SMTP(stack.smtp_host, stack.smtp_port, timeout=10) as smtp:
        return smtp.send_message(msg, to_addrs=to)


def test_every_address_of_the_domain_lands_in_the_one_mailbox(mail_stack: MailStack) -> None:
    tag = unique_local("multi")
    addresses = [
        mail_stack.address(f"{tag}"),
        mail_stack.address(f"buzon+{tag}"),
        mail_stack.address(f"proveedor.{tag}+nit-900123456"),
    ]
    refused = _send(mail_stack, _message(f"Registro {tag}", addresses[0]), addresses)
    assert refused == {}
    with imap_client(mail_stack) as box:
        found = wait_for_messages(box, AND(subject=tag), count=3)
    delivered_to = sorted(m.headers["delivered-to"][0] for m in found)
    assert delivered_to == sorted(addresses)
    for msg in found:
        assert len(msg.headers["delivered-to"]) == 1
        received = msg.headers["received"]
        assert any(f"for <{msg.headers['delivered-to'][0]}>" in line for line in received)
        assert msg.text.strip() == "Active su cuenta en SECOP II."


def test_a_recipient_outside_the_domain_is_refused_with_550(mail_stack: MailStack) -> None:
    tag = unique_local("typo")
    with pytest.raises(smtplib.SMTPRecipientsRefused) as info:
        _send(mail_stack, _message(tag, f"{tag}@proveedores.tset"), [f"{tag}@proveedores.tset"])
    code, text = info.value.recipients[f"{tag}@proveedores.tset"]
    assert code == 550
    assert text.startswith(b"5.1.1")
    good = mail_stack.address(tag)
    refused = _send(mail_stack, _message(tag, good), [good, f"{tag}@otro.test"])
    assert set(refused) == {f"{tag}@otro.test"}
    with imap_client(mail_stack) as box:
        assert len(wait_for_messages(box, AND(subject=tag))) == 1


def test_fetch_without_mark_seen_leaves_mail_unseen(mail_stack: MailStack) -> None:
    tag = unique_local("seen")
    _send(mail_stack, _message(tag, mail_stack.address(tag)), [mail_stack.address(tag)])
    with imap_client(mail_stack) as box:
        wait_for_messages(box, AND(subject=tag))
        unseen = box.fetch(AND(subject=tag, seen=False), mark_seen=False)
        assert [m.subject for m in unseen] == [tag]
        list(box.fetch(AND(subject=tag), mark_seen=True))
        assert list(box.fetch(AND(subject=tag, seen=False), mark_seen=False)) == []


def test_idle_wakes_soon_after_an_smtp_delivery(mail_stack: MailStack) -> None:
    tag = unique_local("idle")
    with imap_client(mail_stack) as box:
        box.idle.start()
        try:
            sent = time.monotonic()
            _send(mail_stack, _message(tag, mail_stack.address(tag)), [mail_stack.address(tag)])
            responses = box.idle.poll(timeout=5)
            waited = time.monotonic() - sent
        finally:
            box.idle.stop()
        assert any(b"EXISTS" in r for r in responses), responses
        assert waited < 2.0, f"IDLE woke after {waited:.2f} s"
        assert [m.subject for m in box.fetch(AND(subject=tag), mark_seen=False)] == [tag]


def test_idle_updates_arrive_as_whole_lines(pymap_stack: MailStack) -> None:
    """imap_tools reads IDLE updates without blocking: a line sent in pieces made it abort.

    pymap wrote responses in pieces; without the stack's fix this broke within 30 rounds every
    time. (Dovecot writes whole lines, and batches IDLE updates for ~0.5 s: 30 rounds take 15 s.)
    """
    tag = unique_local("lines")
    with imap_client(pymap_stack) as box:
        for n in range(30):
            box.idle.start()
            _send(
                pymap_stack,
                _message(f"{tag} {n}", pymap_stack.address(tag)),
                [pymap_stack.address(tag)],
            )
            assert box.idle.poll(timeout=5)
            box.idle.stop()


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.eml")))
def test_deliver_puts_a_raw_eml_in_the_mailbox(mail_stack: MailStack, name: str) -> None:
    raw = (DATA / name).read_bytes()
    rcpt = mail_stack.address(unique_local("eml"))
    mail_stack.deliver(raw, envelope_to=rcpt)
    with imap_client(mail_stack) as box:
        (msg,) = wait_for_messages(box, AND(header=H("Delivered-To", rcpt)))
        stored = box.client.uid("fetch", msg.uid, "(BODY.PEEK[])")[1][0][1]
    assert msg.headers["delivered-to"][0] == rcpt  # some .eml files bring their own below
    assert raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") in stored


def test_a_wrong_password_is_refused(mail_stack: MailStack) -> None:
    with pytest.raises(MailboxLoginError):
        imap_client(mail_stack, password=mail_stack.imap_password + "x")


def test_the_login_is_the_mailbox_address(mail_stack: MailStack) -> None:
    assert mail_stack.imap_user == "buzon@proveedores.test"
    assert mail_stack.address("juan") == "juan@proveedores.test"
    info = mail_stack.describe()
    assert info["imap_port"] == mail_stack.imap_port > 0
    assert info["smtp_port"] == mail_stack.smtp_port > 0
    assert info["backend"] == mail_stack.backend
    assert info["password"] == mail_stack.imap_password


def test_smtp_logs_never_carry_a_message_body(
    mail_stack: MailStack, caplog: pytest.LogCaptureFixture
) -> None:
    # aiosmtpd logs whole conversations at DEBUG; an activation link is a credential.
    tag = unique_local("secreto")
    msg = _message(tag, mail_stack.address(tag))
    msg.set_content(f"https://portal.test/STS/Users/Register/Confirm?token=tok{tag}")
    with caplog.at_level(logging.DEBUG):
        _send(mail_stack, msg, [mail_stack.address(tag)])
        with imap_client(mail_stack) as box:
            wait_for_messages(box, AND(subject=tag), count=1)
    assert f"tok{tag}" not in caplog.text
