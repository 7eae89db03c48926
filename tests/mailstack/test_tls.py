"""IMAP over TLS with the stack's own CA: STARTTLS (pymap, Dovecot), implicit TLS (Dovecot)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator

import pytest
from imap_tools import AND, MailBox, MailBoxStartTls

from robot.mock_portal.mailstack import MailStack
from tests.fixtures.mail import imap_client, require_dovecot, unique_local, wait_for_messages

MODES = [
    pytest.param(("pymap", "starttls"), id="pymap-starttls"),
    pytest.param(("dovecot", "starttls"), id="dovecot-starttls", marks=pytest.mark.dovecot),
    pytest.param(("dovecot", "ssl"), id="dovecot-ssl", marks=pytest.mark.dovecot),
]


@pytest.fixture(scope="module", params=MODES)
def tls_stack(request: pytest.FixtureRequest) -> Iterator[MailStack]:
    backend, mode = request.param
    if backend == "dovecot":
        require_dovecot()
    with MailStack(backend=backend, imap_tls=mode) as stack:
        yield stack


def test_mail_arrives_and_is_read_over_tls_trusting_the_ca_file(tls_stack: MailStack) -> None:
    assert tls_stack.ca_file is not None and tls_stack.ca_file.is_file()
    assert tls_stack.describe()["ca_file"] == str(tls_stack.ca_file)
    tag = unique_local("tls")
    to = tls_stack.address(tag)
    with smtplib.SMTP(tls_stack.smtp_host, tls_stack.smtp_port, timeout=10) as smtp:
        smtp.sendmail("notificaciones@secop.test", [to], f"Subject: {tag}\r\n\r\nHola\r\n".encode())
    with imap_client(tls_stack) as box:
        assert box.client.sock.version() is not None  # the socket really speaks TLS
        (msg,) = wait_for_messages(box, AND(subject=tag))
    assert msg.headers["delivered-to"] == (to,)


def test_a_client_that_does_not_trust_the_ca_is_refused(tls_stack: MailStack) -> None:
    untrusting = ssl.create_default_context()  # the system's CAs only
    with pytest.raises(ssl.SSLCertVerificationError):
        if tls_stack.imap_tls == "ssl":
            MailBox(tls_stack.imap_host, tls_stack.imap_port, timeout=10, ssl_context=untrusting)
        else:
            MailBoxStartTls(
                tls_stack.imap_host, tls_stack.imap_port, timeout=10, ssl_context=untrusting
            )


def test_the_context_checks_the_host_name(tls_stack: MailStack) -> None:
    ctx = tls_stack.client_ssl_context()
    assert ctx is not None
    assert ctx.check_hostname and ctx.verify_mode == ssl.CERT_REQUIRED
