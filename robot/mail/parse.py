"""Pure parsing of one raw mail: its kind, recipients, send time and links.

``parse_mail`` never raises on a malformed mail: a mailbox holds all kinds of mail around the
portal's and the watcher must skip them. ``portal_link`` applies the host check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import getaddresses, parsedate_to_datetime

from imap_tools import MailMessage

from robot.errors import UnsafeLinkError
from robot.mail.kinds import RULE_BY_KIND, MailKind, classify
from robot.mail.links import find_links, mask_link, pick_link

RECIPIENT_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "envelope-to")
# "To:" / "Para:" lines of a forwarded message's quoted header block.
_FORWARDED_TO = re.compile(
    r"^\s*\*?(?:to|para|a|an|à)\s*:\*?\s*(.+)$", re.IGNORECASE | re.MULTILINE
)
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class ParsedMail:
    """What the watcher needs from one mail. ``links`` are credentials: never log them."""

    subject: str
    kind: MailKind | None
    forwarded: bool
    sender: str
    recipients: frozenset[str]
    sent_at: datetime | None
    message_id: str
    links: tuple[str, ...] = field(repr=False)

    def __repr__(self) -> str:
        masked = ", ".join(mask_link(u) for u in self.links)
        return (
            f"ParsedMail(kind={self.kind}, subject={self.subject!r}, "
            f"recipients={sorted(self.recipients)}, links=[{masked}])"
        )


def parse_mail(raw: bytes) -> ParsedMail:
    """Parse a raw RFC 5322 mail. Unreadable parts become empty values, never an exception."""
    try:
        msg = MailMessage.from_bytes(raw)
    except Exception:  # a mailbox can hold anything
        return _unreadable()
    subject = _safe(lambda: msg.subject)
    kind, forwarded = classify(subject)
    text = _safe(lambda: msg.text)
    html_body = _safe(lambda: msg.html)
    recipients = set(_header_addresses(msg))
    if forwarded:
        recipients.update(_forwarded_recipients(text or html_body))
    return ParsedMail(
        subject=subject,
        kind=kind,
        forwarded=forwarded,
        sender=_safe(lambda: msg.from_).lower(),
        recipients=frozenset(recipients),
        sent_at=_sent_at(msg),
        message_id=_safe(lambda: str(msg.obj.get("Message-ID", "") or "")).strip(),
        links=tuple(find_links(text, html_body)),
    )


def portal_link(mail: ParsedMail, allowed_hosts: tuple[str, ...]) -> str | None:
    """The link of a portal mail of known kind, checked against the allowed hosts.

    None when the kind carries no link or the mail holds none; UnsafeLinkError when the link
    goes elsewhere through a wrapper or is ambiguous.
    """
    if mail.kind is None:
        return None
    prefix = RULE_BY_KIND[mail.kind].link_path
    if prefix is None:
        return None
    return pick_link(list(mail.links), allowed_hosts, prefix)


def parse_activation(raw: bytes, allowed_hosts: tuple[str, ...]) -> str:
    """The activation link of one raw mail, or UnsafeLinkError saying why there is none."""
    mail = parse_mail(raw)
    if mail.kind not in (MailKind.ACTIVATION, MailKind.USER_CREATED):
        raise UnsafeLinkError(
            f"el correo no es de activación del portal (asunto: {mail.subject!r})",
            hint="Revise que el correo sea el de SECOP II.",
        )
    link = portal_link(mail, allowed_hosts)
    if link is None:
        raise UnsafeLinkError(
            "el correo de activación no trae un enlace al portal "
            f"({', '.join(allowed_hosts) or 'sin hosts permitidos'})",
            hint="Revise la lista de hosts permitidos del buzón (el host del portal).",
        )
    return link


def _safe(read: Callable[[], object]) -> str:
    try:
        value = read()
    except Exception:
        return ""
    return value if isinstance(value, str) else ""


def _header_addresses(msg: MailMessage) -> list[str]:
    found: list[str] = []
    for name in RECIPIENT_HEADERS:
        try:
            values = msg.obj.get_all(name) or []
            pairs = getaddresses([str(v) for v in values])
        except Exception:  # noqa: S112 - a broken header is skipped, not fatal
            continue
        found.extend(addr.strip().lower() for _, addr in pairs if "@" in addr)
    return found


def _forwarded_recipients(body: str) -> list[str]:
    found: list[str] = []
    for line in _FORWARDED_TO.findall(body):
        found.extend(a.lower() for a in _ADDRESS.findall(line))
    return found


def _sent_at(msg: MailMessage) -> datetime | None:
    try:
        value = parsedate_to_datetime(str(msg.obj.get("Date", "") or ""))
    except Exception:
        return None
    return value if value.tzinfo is not None else None


def _unreadable() -> ParsedMail:
    return ParsedMail("", None, False, "", frozenset(), None, "", ())
