"""The kinds of portal mail and how to recognise them: ONE table to correct when the real
portal's mails are known.

Subjects are compared accent- and case-insensitively, after stripping reply/forward prefixes
(``RE:``, ``RV:``, ``Fwd:``…). A forwarded copy is still a match; its link must pass the same
host check as any other.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class MailKind(StrEnum):
    ACTIVATION = "activation"
    USER_CREATED = "user_created"
    ACCESS_REQUESTED = "access_requested"
    ACCESS_ACCEPTED = "access_accepted"
    ACCESS_REJECTED = "access_rejected"
    ACCESS_CANCELLED = "access_cancelled"
    ACCESS_REVERTED = "access_reverted"
    SUPPLIER_REGISTERED = "supplier_registered"


@dataclass(frozen=True)
class KindRule:
    kind: MailKind
    subject: str  # as the portal writes it
    link_path: str | None  # path prefix of the link the mail carries; None: no link expected
    label: str  # Spanish, for messages


RULES: tuple[KindRule, ...] = (
    KindRule(
        MailKind.ACTIVATION,
        "SECOP II - Confirmación de registro de usuario",
        "/STS/Users/Register/Confirm",
        "confirmación de registro de usuario",
    ),
    KindRule(
        MailKind.USER_CREATED,
        "SECOP II - Se ha creado su usuario",
        "/STS/Users/Register/Confirm",
        "creación de usuario",
    ),
    KindRule(
        MailKind.ACCESS_REQUESTED,
        "SECOP II - Solicitud de acceso a su cuenta de proveedor",
        "/CO1Marketplace/Users/Admin",
        "solicitud de acceso",
    ),
    KindRule(
        MailKind.ACCESS_ACCEPTED,
        "SECOP II - Solicitud de acceso aceptada",
        "/STS/Users/Login",
        "solicitud de acceso aceptada",
    ),
    KindRule(
        MailKind.ACCESS_REJECTED,
        "SECOP II - Solicitud de acceso rechazada",
        None,
        "solicitud de acceso rechazada",
    ),
    KindRule(MailKind.ACCESS_CANCELLED, "SECOP II - Acceso cancelado", None, "acceso cancelado"),
    KindRule(
        MailKind.ACCESS_REVERTED,
        "SECOP II - Solicitud de acceso de nuevo pendiente",
        None,
        "solicitud de acceso de nuevo pendiente",
    ),
    KindRule(
        MailKind.SUPPLIER_REGISTERED,
        "SECOP II - Registro de proveedor finalizado",
        None,
        "registro de proveedor finalizado",
    ),
)

RULE_BY_KIND: dict[MailKind, KindRule] = {rule.kind: rule for rule in RULES}

# Mails that carry a user's activation (Confirm) link: re-sends void older tokens.
ACTIVATION_KINDS: tuple[MailKind, ...] = (MailKind.ACTIVATION, MailKind.USER_CREATED)

_PREFIX = re.compile(r"^\s*(?:re|rv|fw|fwd|tr|enc|aw|wg)\s*(?:\[\d+\])?\s*:\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: the form subjects are compared in."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", plain).strip().casefold()


def strip_prefixes(subject: str) -> tuple[str, bool]:
    """The subject without reply/forward prefixes, and whether any was removed."""
    stripped = subject
    while True:
        shorter = _PREFIX.sub("", stripped, count=1)
        if shorter == stripped:
            return stripped, stripped != subject
        stripped = shorter


_FOLDED: dict[str, MailKind] = {fold(rule.subject): rule.kind for rule in RULES}


def classify(subject: str) -> tuple[MailKind | None, bool]:
    """The kind of a mail by its subject, and whether it is a forwarded/replied copy."""
    core, prefixed = strip_prefixes(subject)
    return _FOLDED.get(fold(core)), prefixed
