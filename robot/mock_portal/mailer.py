"""The portal's outgoing mail: Spanish multipart messages sent by smtplib to the mail stack.

Mail leaves from a background thread so a page never waits on SMTP; the fault switches
delay, duplicate or re-order it (PORTAL.md 3.8).
"""

from __future__ import annotations

import logging
import queue
import smtplib
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from jinja2 import Environment

from robot.mock_portal.faults import FaultInjector
from robot.mock_portal.store import Store

log = logging.getLogger(__name__)

# kind -> subject. The robot's mail parser keeps its own table of these (robot/mail/).
SUBJECTS: dict[str, str] = {
    "activation": "SECOP II - Confirmación de registro de usuario",
    "user_created": "SECOP II - Se ha creado su usuario",
    "access_requested": "SECOP II - Solicitud de acceso a su cuenta de proveedor",
    "access_accepted": "SECOP II - Solicitud de acceso aceptada",
    "access_rejected": "SECOP II - Solicitud de acceso rechazada",
    "access_cancelled": "SECOP II - Acceso cancelado",
    "access_reverted": "SECOP II - Solicitud de acceso de nuevo pendiente",
    "supplier_registered": "SECOP II - Registro de proveedor finalizado",
}


@dataclass
class Mail:
    kind: str
    to: str
    greeting_name: str
    paragraphs: list[str]
    link: str = ""
    link_text: str = ""
    log_id: int = 0
    ordinal: int = 0  # among the portal's mails, from 1: the key of its fault decisions
    attempts: int = 0
    extra: dict[str, str] = field(default_factory=dict)
    date: str = ""  # RFC 5322 Date, set when the portal issues the mail (not when delivered)


class Mailer:
    """Queues mails and sends them from one thread, applying the mail fault switches."""

    def __init__(
        self,
        store: Store,
        jinja: Environment,
        *,
        smtp_host: str,
        smtp_port: int,
        sender: str,
        faults: FaultInjector,
    ) -> None:
        self.store = store
        self.jinja = jinja
        self.smtp_host = smtp_host
        self.smtp_port = smtp_port
        self.sender = sender
        self.faults = faults
        self._queue: queue.Queue[Mail | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="mock-portal-mailer", daemon=True)
        self._thread.start()

    def send(self, mail: Mail) -> None:
        mail.log_id = self.store.log_mail(mail.kind, mail.to, SUBJECTS[mail.kind])
        mail.ordinal = self.faults.mail_ordinal()
        mail.date = formatdate(localtime=True)
        self._queue.put(mail)

    def close(self, timeout: float = 5.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)

    def pending(self) -> int:
        return self._queue.qsize()

    def alive(self) -> bool:
        """True while the sending thread runs (until ``close``)."""
        return self._thread.is_alive()

    # --- the sending thread --------------------------------------------------------------

    def _run(self) -> None:
        cfg = self.faults.config
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch: list[Mail | None] = [first]
            if cfg.mail_reorder_window_seconds:
                batch += self._collect(cfg.mail_reorder_window_seconds)
                batch.reverse()  # newest first: an older mail arrives after a newer one
            if cfg.mail_delay_seconds:
                time.sleep(cfg.mail_delay_seconds)
            for mail in batch:
                if mail is None:
                    return
                copies = 2 if self.faults.duplicate_mail(mail.ordinal) else 1
                message = self.build(mail)  # a duplicate is the same message, Message-ID too
                for _ in range(copies):
                    self._deliver(mail, message)

    def _collect(self, window: float) -> list[Mail | None]:
        deadline = time.monotonic() + window
        more: list[Mail | None] = []
        while (left := deadline - time.monotonic()) > 0:
            try:
                more.append(self._queue.get(timeout=left))
            except queue.Empty:
                break
        return more

    def _deliver(self, mail: Mail, message: EmailMessage) -> None:
        for attempt in range(3):
            try:
                with smtplib.SMTP(self.smtp_host, self.smtp_port, timeout=10) as smtp:
                    smtp.send_message(message)
            except (OSError, smtplib.SMTPException) as err:
                log.warning("mail to %s failed (attempt %d): %s", mail.to, attempt + 1, err)
                time.sleep(0.2 * (attempt + 1))
                continue
            self.store.mail_sent(mail.log_id)
            return
        self.store.mail_sent(mail.log_id, error="SMTP delivery failed")

    def build(self, mail: Mail) -> EmailMessage:
        subject = SUBJECTS[mail.kind]
        context = {
            "subject": subject,
            "name": mail.greeting_name,
            "paragraphs": mail.paragraphs,
            "link": mail.link,
            "link_text": mail.link_text or mail.link,
        }
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = formataddr(("SECOP II", self.sender))
        message["To"] = mail.to
        message["Date"] = mail.date or formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or "secop.test")
        message.set_content(
            self.jinja.get_template("mail/notification.txt").render(context), cte="quoted-printable"
        )
        message.add_alternative(
            self.jinja.get_template("mail/notification.html").render(context),
            subtype="html",
            cte="quoted-printable",
        )
        return message
