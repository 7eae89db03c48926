"""Builders of portal-shaped mails for the mail tests."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import Callable, Coroutine
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, TypeVar

HOST = "127.0.0.1:8080"
SUBJECT = {
    "activation": "SECOP II - Confirmación de registro de usuario",
    "access_accepted": "SECOP II - Solicitud de acceso aceptada",
    "access_rejected": "SECOP II - Solicitud de acceso rechazada",
}
PATH = {"activation": "/STS/Users/Register/Confirm", "access_accepted": "/STS/Users/Login/Index"}


def link_for(token: str, kind: str = "activation", host: str = HOST) -> str:
    return f"http://{host}{PATH[kind]}?token={token}"


def portal_mail(
    to: str,
    token: str,
    *,
    kind: str = "activation",
    sent: datetime | None = None,
    host: str = HOST,
    wrap: str = "",
) -> bytes:
    """A mail shaped like the mock portal's (multipart/alternative, QP, UTF-8)."""
    link = link_for(token, kind, host) if kind in PATH else ""
    if wrap and link:
        from urllib.parse import quote

        link = wrap + quote(link, safe="")
    msg = EmailMessage()
    msg["Subject"] = SUBJECT[kind]
    msg["From"] = "SECOP II <notificaciones@secop.test>"
    msg["To"] = to
    if sent is not None:
        msg["Date"] = format_datetime(sent)
    msg["Message-ID"] = f"<{token}@secop.test>"
    msg.set_content(f"Señor(a) proveedor,\n\nActive su usuario:\n{link}\n", cte="quoted-printable")
    anchor = f'<a href="{link}">Activar</a>' if link else ""
    msg.add_alternative(
        f"<p>Señor(a) proveedor</p><p>{anchor}</p>", subtype="html", cte="quoted-printable"
    )
    return msg.as_bytes()


def stack_config(stack: object, **more: object) -> object:
    """A MailboxConfig for a running MailStack (robot.mock_portal.mailstack)."""
    from robot.mail import MailboxConfig

    values: dict[str, object] = {
        "host": stack.imap_host,  # type: ignore[attr-defined]
        "port": stack.imap_port,  # type: ignore[attr-defined]
        "tls": stack.imap_tls,  # type: ignore[attr-defined]
        "user": stack.imap_user,  # type: ignore[attr-defined]
        "password": stack.imap_password,  # type: ignore[attr-defined]
        "ca_file": str(stack.ca_file) if stack.ca_file else None,  # type: ignore[attr-defined]
        "allowed_hosts": (HOST,),
        "connect_timeout": 5.0,
        "backoff_seconds": 0.05,
        "backoff_max_seconds": 0.5,
    }
    values.update(more)
    return MailboxConfig(**values)  # type: ignore[arg-type]


def smtp_send(stack: object, raw: bytes, to: str) -> None:
    """Send through the stack's SMTP server, as the portal does."""
    import smtplib

    with smtplib.SMTP(stack.smtp_host, stack.smtp_port, timeout=10) as smtp:  # type: ignore[attr-defined]
        smtp.sendmail("notificaciones@secop.test", [to], raw)


T = TypeVar("T")


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a fresh event loop in its own thread.

    pytest-playwright's sync API leaves an event loop running in the main thread of a worker
    once a browser test has run there, so ``asyncio.run`` would refuse; the robot itself runs
    its flows the same way (one loop, not nested in another).
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait (polling every 10 ms) until ``check()`` is true; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)
