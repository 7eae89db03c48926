"""Activation mail: one IMAP watcher per mailbox, exact correlation, safe link extraction.

Public surface::

    MailboxConfig        connection + behaviour of one mailbox (secrets masked)
    MailWatcher          one connection, many waiting flows (asyncio and threads)
    watcher_for          the process's one watcher per mailbox; stop_watchers() at the end
    FoundMail            what a flow gets back (``.link`` is a credential)
    MailKind             the kinds of portal mail; ACTIVATION_KINDS
    parse_mail, portal_link, parse_activation, mask_link   pure functions
    Mailbox, RawMail, Wakeup   the seam; FakeServer/FakeMailbox in robot.mail.fake
"""

from robot.mail.config import MailboxConfig
from robot.mail.kinds import ACTIVATION_KINDS, RULES, MailKind, classify
from robot.mail.links import mask_link
from robot.mail.mailbox import Mailbox, RawMail, Wakeup
from robot.mail.parse import ParsedMail, parse_activation, parse_mail, portal_link
from robot.mail.registry import WatcherRegistry, stop_watchers, watcher_for
from robot.mail.watcher import Expectation, FoundMail, MailWatcher

__all__ = [
    "ACTIVATION_KINDS",
    "RULES",
    "Expectation",
    "FoundMail",
    "MailKind",
    "MailWatcher",
    "Mailbox",
    "MailboxConfig",
    "ParsedMail",
    "RawMail",
    "Wakeup",
    "WatcherRegistry",
    "classify",
    "mask_link",
    "parse_activation",
    "parse_mail",
    "portal_link",
    "stop_watchers",
    "watcher_for",
]
