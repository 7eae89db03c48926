"""What the flows of one run share: the browser, the portal's address, the mail watchers, the
ledger; and, per supplier, the portal users it drives (:class:`Actor`) and its ledger view."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext

from robot import secrets
from robot.crashpoint import checkpoint
from robot.documents.manifest import Manifest
from robot.ledger import Ledger, StepRecord
from robot.mail import MailboxConfig, MailWatcher, watcher_for
from robot.portal.browser import CONTEXT_OPTIONS, new_context
from robot.portal.limiter import Politeness
from robot.portal.mapping import SupplierValues
from robot.portal.pages.auth import Landing, LoginPage
from robot.portal.pages.base import PortalSession
from robot.profiles.models import Profile, User
from robot.reporting.images import RAW_QUALITY, kept_height


@dataclass(frozen=True)
class Options:
    """How this run behaves (resolved settings and flags)."""

    timeout: float = 30.0
    mail_timeout: float = 300.0
    retries: int = 4
    backoff: float = 2.0
    backoff_max: float = 60.0
    headed: bool = False
    operator_wait: float = 300.0  # seconds an operator has for a CAPTCHA in --headed
    until: str | None = None
    accept_changes: bool = False


@dataclass
class Runtime:
    """The run: one browser, one portal, the ledger, one mail watcher per mailbox."""

    browser: Browser
    base_url: str
    ledger: Ledger
    politeness: Politeness
    options: Options
    out_dir: Path
    mailbox_for: Callable[[Profile], MailboxConfig]
    log: Callable[[str, str], None] = lambda key, text: None  # (supplier key, message)

    async def watcher(self, profile: Profile) -> MailWatcher:
        return await asyncio.to_thread(watcher_for, self.mailbox_for(profile))


class Actor:
    """One portal user in a browser context of its own (its own portal session)."""

    def __init__(self, rt: Runtime, user: User, password: str, label: str) -> None:
        self.rt = rt
        self.user = user
        self.password = password
        self.label = label  # for screenshots and messages: "admin", "users.acme.comercial"
        self._context: BrowserContext | None = None
        self._session: PortalSession | None = None
        self.logged_in = False

    async def session(self) -> PortalSession:
        if self._session is None or self._session.page.is_closed():
            if self._context is None:
                self._context = await new_context(self.rt.browser)
            page = await self._context.new_page()
            self._session = PortalSession(
                page, self.rt.base_url, self.rt.politeness, timeout=self.rt.options.timeout
            )
            self.logged_in = False
        return self._session

    async def login(self) -> Landing:
        """Log in (again); the landing page says what the portal already holds for this user."""
        s = await self.session()
        operator = self.rt.options.operator_wait if self.rt.options.headed else None
        landing = await LoginPage(s).login(
            self.user.username, self.password, operator_wait=operator
        )
        self.logged_in = landing not in (Landing.NOT_ACTIVATED, Landing.REFUSED)
        return landing

    async def screenshot(self, path: Path) -> Path | None:
        """The page as it is now, password fields masked, as far down as the report keeps it
        (``kept_height``; the image type from ``path``); None when there is no page."""
        if self._session is None or self._session.page.is_closed():
            return None
        page = self._session.page
        width = (page.viewport_size or CONTEXT_OPTIONS["viewport"])["width"]
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            await page.screenshot(
                path=path,
                mask=[page.locator("input[type=password]")],
                full_page=True,
                clip={"x": 0, "y": 0, "width": width, "height": kept_height(width)},
                quality=RAW_QUALITY if path.suffix in (".jpg", ".jpeg") else None,
            )
        except Exception:  # a screenshot is evidence, never a reason to fail
            return None
        return path

    async def close(self) -> None:
        if self._context is not None:
            with contextlib.suppress(Exception):  # the browser may be gone at the end of a run
                await self._context.close()
        self._context = None
        self._session = None
        self.logged_in = False


def input_hash(*parts: Any) -> str:
    """SHA-256 of JSON-able inputs (secret *references*, never their values)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Job:
    """One supplier of the batch, as its flows see it."""

    key: str
    profile: Profile
    values: SupplierValues
    display: str  # the profile file as the person named it
    hashes: dict[str, str] = field(default_factory=dict)  # step → input hash
    manifest: Manifest | None = None
    actors: dict[str, Actor] = field(default_factory=dict)
    pending_mail: dict[str, Any] = field(default_factory=dict)  # username → Expectation

    @property
    def dir(self) -> Path:
        return Path("suppliers") / self.key

    def password_of(self, user: User) -> str:
        value = secrets.resolve(user.password, base_dir=self.profile.base_dir)
        secrets.register_secret(value)
        return value


class Tracker:
    """A supplier's view of the ledger."""

    def __init__(self, ledger: Ledger, job: Job, order: list[str]) -> None:
        self.ledger = ledger
        self.job = job
        self.order = order

    def record(self, step: str) -> StepRecord | None:
        return self.ledger.step(self.job.key, step)

    def done(self, step: str) -> bool:
        found = self.record(step)
        return found is not None and found.done

    def start(self, step: str) -> None:
        position = self.order.index(step) if step in self.order else len(self.order)
        self.ledger.start_step(self.job.key, step, position, self.job.hashes.get(step, ""))

    def finish(self, step: str, detail: dict[str, Any] | None = None, status: str = "done") -> None:
        if self.record(step) is None:  # found done on the portal without acting: record it too
            self.start(step)
        self.ledger.finish_step(self.job.key, step, status=status, detail=detail)
        checkpoint("step")

    def event(self, kind: str, message: str, step: str | None = None) -> None:
        self.ledger.event(self.job.key, kind, message, step=step)
