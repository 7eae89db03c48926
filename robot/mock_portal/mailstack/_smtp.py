"""The catch-all SMTP server: any ``local@domain`` is accepted and delivered to one mailbox."""

from __future__ import annotations

import asyncio
import email.utils
import logging
from collections.abc import Callable
from typing import Any

from aiosmtpd.controller import Controller

from robot.errors import SetupError
from robot.mock_portal.mailstack._net import free_port

log = logging.getLogger(__name__)
# aiosmtpd logs whole SMTP conversations, message bodies included, at DEBUG: an activation
# link is a credential, so that logger never goes below INFO, whatever the root level.
logging.getLogger("mail.log").setLevel(logging.INFO)

Deliver = Callable[[bytes, str, str], None]
"""``deliver(raw, rcpt, mail_from)``: one raw message (CRLF line ends) into the mailbox."""


class CatchAllHandler:
    """aiosmtpd handler: accepts recipients in ``domain``, delivers one copy per recipient."""

    def __init__(self, domain: str, deliver: Deliver, *, hostname: str) -> None:
        self.domain = domain.lower()
        self.deliver = deliver
        self.hostname = hostname

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        local, _, domain = address.rpartition("@")
        if not local or domain.lower() != self.domain:
            return f"550 5.1.1 <{address}>: buzón desconocido, solo se acepta @{self.domain}"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content: bytes = envelope.original_content or envelope.content
        loop = asyncio.get_running_loop()
        for rcpt in envelope.rcpt_tos:
            raw = trace_headers(rcpt, session.host_name, session.peer, self.hostname) + content
            try:
                await loop.run_in_executor(None, self.deliver, raw, rcpt, envelope.mail_from or "")
            except Exception as err:
                log.warning("delivery failed: %s", type(err).__name__)
                return "451 4.3.0 entrega al buzón fallida, intente de nuevo más tarde"
        return "250 2.0.0 OK: entregado"


def trace_headers(rcpt: str, helo: str | None, peer: Any, hostname: str) -> bytes:
    """``Delivered-To`` and ``Received`` lines an MTA prepends on final delivery."""
    peer_ip = peer[0] if isinstance(peer, tuple) and peer else "unknown"
    received = (
        f"Received: from {helo or 'unknown'} ([{peer_ip}])\r\n"
        f"\tby {hostname} (secop-robot mail stack) with ESMTP\r\n"
        f"\tfor <{rcpt}>; {email.utils.formatdate(localtime=True)}\r\n"
    )
    return f"Delivered-To: {rcpt}\r\n{received}".encode()


def start_smtp(host: str, handler: CatchAllHandler, attempts: int = 3) -> Controller:
    """Start the SMTP server on a free port (aiosmtpd cannot bind port 0), retrying a race."""
    last: Exception | None = None
    for _ in range(attempts):
        controller = Controller(
            handler,
            hostname=host,
            port=free_port(host),
            server_hostname=handler.hostname,
            ready_timeout=5.0,
            decode_data=False,
        )
        try:
            controller.start()
        except Exception as err:
            last = err
            continue
        return controller
    raise SetupError(
        f"el servidor SMTP no arrancó en {host}: {last}",
        hint="check that the address exists and ports are available",
    )
