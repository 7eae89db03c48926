"""One watcher per mailbox: one IMAP connection, in its own thread, serving every flow.

A flow registers what it waits for (recipient, kind, not-before time) and awaits the result::

    async with MailWatcher(config) as watcher:
        found = await watcher.wait_for("buzon+p1@x.test", MailKind.ACTIVATION,
                                       not_before=clicked_at, timeout=300)
        await page.goto(found.link)

The thread waits in IDLE (renewed before the server's limit), or polls when IDLE is not offered,
and reconnects with backoff when the connection drops. It reads new mail by UID, keeps the
portal's mails in memory and resolves each waiting flow with the newest matching mail.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from robot.errors import ActivationMailNotFound, MailboxConnectError, MailError, UnsafeLinkError
from robot.mail.config import MailboxConfig
from robot.mail.kinds import RULE_BY_KIND, MailKind
from robot.mail.links import mask_link
from robot.mail.mailbox import Mailbox, RawMail, Wakeup
from robot.mail.parse import parse_mail, portal_link

log = logging.getLogger(__name__)

MailboxFactory = Callable[[MailboxConfig], Mailbox]


@dataclass(frozen=True)
class FoundMail:
    """The mail a flow waited for. ``link`` is a credential: its repr is masked."""

    kind: MailKind
    recipient: str
    subject: str
    uid: int
    uidvalidity: int
    sent_at: datetime
    link: str | None = field(repr=False)

    def __repr__(self) -> str:
        shown = mask_link(self.link) if self.link else None
        return (
            f"FoundMail(kind={self.kind.value}, recipient={self.recipient!r}, uid={self.uid}, "
            f"sent_at={self.sent_at.isoformat()}, link={shown!r})"
        )


@dataclass(frozen=True)
class _Candidate:
    uid: int
    uidvalidity: int
    kind: MailKind
    recipients: frozenset[str]
    subject: str
    sent_at: datetime  # the Date header, else INTERNALDATE, else when first seen
    arrived: datetime  # INTERNALDATE, else when first seen
    forwarded: bool
    link: str | None = field(repr=False)
    error: UnsafeLinkError | None


@dataclass(eq=False)
class Expectation:
    """A registered wait. Await ``wait()`` (asyncio) or call ``result()`` (threads)."""

    watcher: MailWatcher
    recipient: str
    kinds: frozenset[MailKind]
    not_before: datetime | None
    registered_at: datetime
    after_uidvalidity: int
    after_uid: int
    future: concurrent.futures.Future[FoundMail] = field(default_factory=concurrent.futures.Future)

    async def wait(self, timeout: float | None = None) -> FoundMail:
        limit = self.watcher.config.wait_timeout_seconds if timeout is None else timeout
        try:
            return await asyncio.wait_for(asyncio.wrap_future(self.future), limit)
        except TimeoutError:
            self.cancel()
            raise self.watcher._not_found(self, limit) from None

    def result(self, timeout: float | None = None) -> FoundMail:
        limit = self.watcher.config.wait_timeout_seconds if timeout is None else timeout
        try:
            return self.future.result(limit)
        except concurrent.futures.TimeoutError:
            self.cancel()
            raise self.watcher._not_found(self, limit) from None

    def cancel(self) -> None:
        self.future.cancel()
        self.watcher._forget(self)


class MailWatcher:
    """Watches one mailbox for every flow of a batch. Thread-safe; usable from asyncio."""

    def __init__(
        self, config: MailboxConfig, *, mailbox_factory: MailboxFactory | None = None
    ) -> None:
        self.config = config
        self._factory = mailbox_factory or _imap_factory
        self._lock = threading.Lock()
        self._wake = Wakeup()
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._start_error: MailError | None = None
        self._thread: threading.Thread | None = None
        self._waiters: list[Expectation] = []
        self._candidates: dict[tuple[int, int], _Candidate] = {}
        self._uidvalidity = 0
        self._cursor = 0
        self.connections = 0  # successful logins so far
        self.connected = False
        self.last_error: str = ""

    def __repr__(self) -> str:
        return f"MailWatcher({self.config.where}, waiting={len(self._waiters)})"

    # --- life cycle -----------------------------------------------------------------------

    def start(self) -> MailWatcher:
        """Connect and read the mailbox once; MailboxConnectError within the timeout if not."""
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._run, name="mail-watcher", daemon=True)
        self._thread.start()
        limit = self.config.connect_timeout * 2 + 1.0
        if not self._ready.wait(limit):
            self.stop()
            raise MailboxConnectError(
                f"el servidor IMAP {self.config.where} no respondió en {limit:.0f} s",
                hint="Revise host y puerto del buzón, y que el servidor esté en línea.",
            )
        if self._start_error is not None:
            self.stop()
            raise self._start_error
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(self.config.connect_timeout + 2.0)
        with self._lock:
            waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            _fail(waiter, MailError("el vigilante del buzón se detuvo antes de llegar el correo"))

    def __enter__(self) -> MailWatcher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> MailWatcher:
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.stop)

    # --- the flows' side ------------------------------------------------------------------

    def expect(
        self,
        recipient: str,
        kind: MailKind | Iterable[MailKind],
        *,
        not_before: datetime | None = None,
    ) -> Expectation:
        """Register a wait now; the result comes from ``wait()`` / ``result()``.

        not_before (aware datetime): accept mails sent from then on, including ones already
        in the mailbox. Without it, only mails that reach the server after this call count
        (decided by UID, not by clocks).
        """
        kinds = frozenset([kind] if isinstance(kind, MailKind) else kind)
        if not_before is not None and not_before.tzinfo is None:
            raise ValueError("not_before must be timezone-aware")
        with self._lock:
            waiter = Expectation(
                self,
                recipient.strip().lower(),
                kinds,
                not_before,
                datetime.now(UTC),
                self._uidvalidity,
                self._cursor,
            )
            self._waiters.append(waiter)
        self._wake.set()
        return waiter

    async def wait_for(
        self,
        recipient: str,
        kind: MailKind | Iterable[MailKind],
        *,
        not_before: datetime | None = None,
        timeout: float | None = None,
    ) -> FoundMail:
        """The newest matching mail; ActivationMailNotFound after ``timeout`` seconds."""
        return await self.expect(recipient, kind, not_before=not_before).wait(timeout)

    def wait_for_sync(
        self,
        recipient: str,
        kind: MailKind | Iterable[MailKind],
        *,
        not_before: datetime | None = None,
        timeout: float | None = None,
    ) -> FoundMail:
        """``wait_for`` for code without an event loop."""
        return self.expect(recipient, kind, not_before=not_before).result(timeout)

    def _forget(self, waiter: Expectation) -> None:
        with self._lock:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def _not_found(self, waiter: Expectation, timeout: float) -> ActivationMailNotFound:
        labels = " o ".join(sorted(RULE_BY_KIND[k].label for k in waiter.kinds))
        state = "" if self.connected else f" (buzón desconectado: {self.last_error})"
        return ActivationMailNotFound(
            f"no llegó el correo de {labels} para {waiter.recipient} en {timeout:.0f} s{state}",
            hint="Revise que la dirección sea la registrada en el portal y la carpeta del buzón; "
            "pida al portal reenviar el correo si hace falta.",
        )

    # --- the watcher's thread -------------------------------------------------------------

    def _run(self) -> None:
        delay = self.config.backoff_seconds
        while not self._stopping.is_set():
            mailbox = self._factory(self.config)
            try:
                mailbox.connect()
            except Exception as err:
                self._connect_failed(err)
                if not self._ready.is_set():
                    return
                self._backoff(delay)
                delay = min(delay * 2, self.config.backoff_max_seconds)
                continue
            self.connections += 1
            self.connected = True
            try:
                self._serve(mailbox)
                delay = self.config.backoff_seconds
            except Exception as err:
                self.last_error = _describe(err)
                log.warning("conexión IMAP %s perdida: %s", self.config.where, self.last_error)
            finally:
                self.connected = False
                mailbox.close()
            if not self._ready.is_set():  # the first read failed: report, do not linger
                self._start_error = MailboxConnectError(
                    f"se perdió la conexión con {self.config.where}: {self.last_error}"
                )
                self._ready.set()
                return
            if not self._stopping.is_set():
                self._backoff(delay)
                delay = min(delay * 2, self.config.backoff_max_seconds)

    def _backoff(self, delay: float) -> None:
        self._wake.clear()  # a registration must not turn the backoff into a busy loop
        if not self._stopping.is_set():
            self._wake.wait(delay)

    def _connect_failed(self, err: Exception) -> None:
        self.last_error = _describe(err)
        if not self._ready.is_set():
            self._start_error = (
                err
                if isinstance(err, MailError)
                else MailboxConnectError(f"no se pudo conectar a {self.config.where}: {err}")
            )
            self._ready.set()
        else:
            log.warning("reconexión IMAP %s fallida: %s", self.config.where, self.last_error)

    def _serve(self, mailbox: Mailbox) -> None:
        if mailbox.uidvalidity != self._uidvalidity:
            with self._lock:
                if self._uidvalidity:
                    log.info("UIDVALIDITY cambió en %s: se relee el buzón", self.config.where)
                self._uidvalidity = mailbox.uidvalidity
                self._cursor = 0
                self._candidates.clear()
        # A safety re-read bounds the cost of an IDLE notification a server fails to send
        # (pymap sometimes misses a message appended just before IDLE starts).
        interval = min(self.config.idle_renew_seconds, self.config.idle_check_seconds)
        if not mailbox.supports_idle:
            interval = min(interval, self.config.poll_seconds)
        while not self._stopping.is_set():
            self._wake.clear()
            self._scan(mailbox)
            self._ready.set()
            self._match()
            if self._stopping.is_set():
                return
            mailbox.wait_for_change(interval, self._wake)

    def _scan(self, mailbox: Mailbox) -> None:
        since = None
        if self._cursor == 0:
            since = (datetime.now(UTC) - timedelta(days=self.config.lookback_days)).date()
        uids = mailbox.uids_after(self._cursor, since)
        if not uids:
            return
        portal = [h.uid for h in mailbox.fetch_headers(uids) if parse_mail(h.raw).kind]
        found = [self._candidate(m) for m in mailbox.fetch(portal)] if portal else []
        with self._lock:
            for candidate in found:
                if candidate is not None:
                    self._candidates[(candidate.uidvalidity, candidate.uid)] = candidate
            self._cursor = max(self._cursor, *uids)

    def _candidate(self, raw: RawMail) -> _Candidate | None:
        mail = parse_mail(raw.raw)
        if mail.kind is None:
            return None
        link: str | None = None
        error: UnsafeLinkError | None = None
        try:
            link = portal_link(mail, self.config.allowed_hosts)
        except UnsafeLinkError as err:
            error = err
        now = datetime.now(UTC)
        arrived = raw.internal_date or now
        log.debug("correo uid=%d %s para %s", raw.uid, mail.kind.value, sorted(mail.recipients))
        return _Candidate(
            uid=raw.uid,
            uidvalidity=self._uidvalidity,
            kind=mail.kind,
            recipients=mail.recipients,
            subject=mail.subject,
            sent_at=mail.sent_at or arrived,
            arrived=arrived,
            forwarded=mail.forwarded,
            link=link,
            error=error,
        )

    def _match(self) -> None:
        with self._lock:
            waiters = [w for w in self._waiters if not w.future.done()]
            candidates = sorted(
                self._candidates.values(), key=lambda c: (c.sent_at, c.uid), reverse=True
            )
        for waiter in waiters:
            self._resolve(waiter, [c for c in candidates if self._fits(waiter, c)])

    def _fits(self, waiter: Expectation, cand: _Candidate) -> bool:
        if cand.kind not in waiter.kinds or waiter.recipient not in cand.recipients:
            return False
        tolerance = timedelta(seconds=self.config.clock_tolerance_seconds)
        if waiter.not_before is not None:
            return cand.sent_at >= waiter.not_before - tolerance
        if cand.uidvalidity == waiter.after_uidvalidity:
            return cand.uid > waiter.after_uid
        return cand.arrived >= waiter.registered_at - tolerance

    def _resolve(self, waiter: Expectation, matches: list[_Candidate]) -> None:
        needs_link = any(RULE_BY_KIND[k].link_path for k in waiter.kinds)
        chosen: _Candidate | None = None
        error: UnsafeLinkError | None = None
        for cand in matches:  # newest first
            if cand.link is not None or (not needs_link and not cand.forwarded):
                chosen = cand
                break
            if cand.error is not None and error is None:
                error = cand.error
        if chosen is None and error is None:
            return
        self._forget(waiter)
        if chosen is None:
            assert error is not None
            _fail(waiter, error)
            return
        found = FoundMail(
            chosen.kind,
            waiter.recipient,
            chosen.subject,
            chosen.uid,
            chosen.uidvalidity,
            chosen.sent_at,
            chosen.link,
        )
        log.info(
            "correo %s para %s (uid %d): %s",
            chosen.kind.value,
            waiter.recipient,
            chosen.uid,
            mask_link(chosen.link) if chosen.link else "sin enlace",
        )
        if not waiter.future.done():
            with contextlib.suppress(concurrent.futures.InvalidStateError):
                waiter.future.set_result(found)


def _fail(waiter: Expectation, error: Exception) -> None:
    if not waiter.future.done():
        with contextlib.suppress(concurrent.futures.InvalidStateError):
            waiter.future.set_exception(error)


def _describe(err: BaseException) -> str:
    return (str(err) or type(err).__name__)[:200]


def _imap_factory(config: MailboxConfig) -> Mailbox:
    from robot.mail.imap import ImapMailbox

    return ImapMailbox(config)


__all__ = ["Expectation", "FoundMail", "MailWatcher", "MailboxFactory"]
