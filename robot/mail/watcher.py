"""One watcher per mailbox: one IMAP connection, in its own thread, serving every flow.

A flow registers what it waits for (recipient, kind) BEFORE it makes the portal send the mail,
then awaits the result::

    async with MailWatcher(config) as watcher:
        waiting = await watcher.register("buzon+p1@x.test", MailKind.ACTIVATION)
        await page.get_by_role("button", name="Registrar").click()
        found = await waiting.wait(timeout=300)
        await page.goto(found.link)

Registering asks the server for its UIDNEXT: the mark. A mail belongs to the wait when its UID
is at least the mark under the same UIDVALIDITY — no clocks. Dates serve only where UIDs
cannot decide (``not_before`` for a flow resumed by another process; a recreated folder).

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
from typing import Any

from robot.errors import ActivationMailNotFound, MailboxConnectError, MailError, UnsafeLinkError
from robot.mail.config import MailboxConfig
from robot.mail.kinds import RULE_BY_KIND, MailKind
from robot.mail.links import mask_link, secret_parts
from robot.mail.mailbox import Mailbox, RawMail, Wakeup
from robot.mail.parse import parse_mail, portal_link
from robot.secrets import mask, register_secret

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
    sent_at: datetime  # the Date header (the portal's issue time), else INTERNALDATE
    arrived: datetime  # INTERNALDATE, else when first seen
    forwarded: bool
    link: str | None = field(repr=False)
    error: UnsafeLinkError | None


@dataclass(eq=False)
class Expectation:
    """A registered wait. Await ``wait()`` (asyncio) or call ``result()`` (threads).

    ``uidvalidity``/``uidnext`` are the mark the watcher took at registration (``uidnext`` 0:
    none yet); mail with a UID from ``uidnext`` on (same UIDVALIDITY) counts.
    """

    watcher: MailWatcher
    recipient: str
    kinds: frozenset[MailKind]
    not_before: datetime | None
    registered_at: datetime
    uidvalidity: int = 0
    uidnext: int = 0
    marked: concurrent.futures.Future[None] = field(default_factory=concurrent.futures.Future)
    future: concurrent.futures.Future[FoundMail] = field(default_factory=concurrent.futures.Future)

    @property
    def registered(self) -> bool:
        """True once the watcher took the mark (and the wait was not abandoned)."""
        return self.marked.done() and not self.marked.cancelled() and not self.marked.exception()

    async def wait(self, timeout: float | None = None) -> FoundMail:
        limit = self.watcher.config.wait_timeout_seconds if timeout is None else timeout
        try:
            return await asyncio.wait_for(asyncio.wrap_future(self.future), limit)
        except TimeoutError:
            self.cancel()
            raise self.watcher._not_found(self, limit) from None
        except asyncio.CancelledError:
            self.cancel()
            raise

    def result(self, timeout: float | None = None) -> FoundMail:
        limit = self.watcher.config.wait_timeout_seconds if timeout is None else timeout
        try:
            return self.future.result(limit)
        except concurrent.futures.TimeoutError:
            self.cancel()
            raise self.watcher._not_found(self, limit) from None

    def cancel(self) -> None:
        self.marked.cancel()
        self.future.cancel()
        self.watcher._forget(self)


class MailWatcher:
    """Watches one mailbox for every flow of a batch. Thread-safe; usable from asyncio.

    ``sleep`` replaces the reconnect backoff's pause (tests record the delays with it).
    """

    def __init__(
        self,
        config: MailboxConfig,
        *,
        mailbox_factory: MailboxFactory | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.config = config
        self._factory = mailbox_factory or _imap_factory
        self._sleep = sleep
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
        return f"MailWatcher({self.config.where}, waiting={self.waiting})"

    @property
    def waiting(self) -> int:
        """Flows registered (mark taken) and not resolved yet."""
        with self._lock:
            return sum(1 for w in self._waiters if w.registered and not w.future.done())

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._stopping.is_set()

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
            error = MailError("el vigilante del buzón se detuvo antes de llegar el correo")
            _fail(waiter.marked, error)
            _fail(waiter.future, error)

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
        """Register a wait; returns once the mark is taken (one round trip to the server).

        Call it BEFORE the action that makes the portal send the mail. Mail the server stores
        from then on counts, even if it arrives before ``wait()``/``result()`` is called.
        not_before (aware datetime, for a flow resumed from an earlier process): also accept
        mail already in the box whose ``Date`` is at most ``date_slack_seconds`` earlier.
        MailboxConnectError when the mailbox cannot be reached within ``connect_timeout``.
        """
        waiter = self._enqueue(recipient, kind, not_before)
        try:
            waiter.marked.result(self.config.connect_timeout)
        except concurrent.futures.TimeoutError:
            waiter.cancel()
            raise self._unavailable() from None
        return waiter

    async def register(
        self,
        recipient: str,
        kind: MailKind | Iterable[MailKind],
        *,
        not_before: datetime | None = None,
    ) -> Expectation:
        """``expect`` for asyncio: await it before the click, await ``.wait()`` after."""
        waiter = self._enqueue(recipient, kind, not_before)
        try:
            await asyncio.wait_for(asyncio.wrap_future(waiter.marked), self.config.connect_timeout)
        except TimeoutError:
            waiter.cancel()
            raise self._unavailable() from None
        except asyncio.CancelledError:
            waiter.cancel()
            raise
        return waiter

    async def wait_for(
        self,
        recipient: str,
        kind: MailKind | Iterable[MailKind],
        *,
        not_before: datetime | None = None,
        timeout: float | None = None,
    ) -> FoundMail:
        """Register and wait: the newest matching mail; ActivationMailNotFound after ``timeout``.

        Only mail stored after this call counts (plus ``not_before``): when the action that
        sends the mail comes first, use ``register`` before it instead.
        """
        waiting = await self.register(recipient, kind, not_before=not_before)
        return await waiting.wait(timeout)

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

    def _enqueue(
        self, recipient: str, kind: MailKind | Iterable[MailKind], not_before: datetime | None
    ) -> Expectation:
        kinds = frozenset([kind] if isinstance(kind, MailKind) else kind)
        if not_before is not None and not_before.tzinfo is None:
            raise ValueError("not_before must be timezone-aware")
        if not self.running:
            raise MailError(
                f"el vigilante del buzón {self.config.where} no está en marcha",
                hint="Inicie el vigilante (start(), 'with' o 'async with') antes de esperar.",
            )
        waiter = Expectation(self, recipient.strip().lower(), kinds, not_before, datetime.now(UTC))
        with self._lock:
            self._waiters.append(waiter)
        self._wake.set()
        return waiter

    def _forget(self, waiter: Expectation) -> None:
        with self._lock:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def _unavailable(self) -> MailboxConnectError:
        state = self.last_error or "sin conexión"
        return MailboxConnectError(
            f"no se pudo registrar la espera: el buzón {self.config.where} no respondió en "
            f"{self.config.connect_timeout:.0f} s ({state})",
            hint="Revise que el servidor IMAP esté en línea antes de pedir el correo al portal.",
        )

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
            delay = self.config.backoff_seconds
            try:
                self._serve(mailbox)
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
        if self._sleep is not None:
            self._sleep(delay)
            return
        self._wake.clear()  # a registration ends the pause once (it wants a connection)
        if not self._stopping.is_set():
            self._wake.wait(delay)

    def _connect_failed(self, err: Exception) -> None:
        self.last_error = _describe(err)
        if not self._ready.is_set():
            self._start_error = (
                err
                if isinstance(err, MailError)
                else MailboxConnectError(
                    f"no se pudo conectar a {self.config.where}: {self.last_error}"
                )
            )
            self._ready.set()
        else:
            log.warning("reconexión IMAP %s fallida: %s", self.config.where, self.last_error)

    def _serve(self, mailbox: Mailbox) -> None:
        self._adopt(mailbox.uidvalidity)
        # IDLE is left at least every idle_renew_seconds (RFC 2177: before 29 min) and, as a
        # safety re-read, every idle_check_seconds: that bounds the cost of a notification a
        # server fails to send (pymap may miss a message appended just before IDLE starts).
        interval = min(self.config.idle_renew_seconds, self.config.idle_check_seconds)
        if not mailbox.supports_idle:
            interval = min(interval, self.config.poll_seconds)
        unreleased: list[Expectation] = []  # marked, their flows not told yet
        recheck = False
        while not self._stopping.is_set():
            self._wake.clear()
            marked = self._mark(mailbox, unreleased)
            news = self._scan(mailbox)
            self._ready.set()
            recheck = recheck or news
            if news or marked:
                self._match()
                # Read once more before IDLE: servers (pymap, Dovecot) announce in IDLE only
                # what arrives after IDLE began, so mail stored while we parsed would wait for
                # the safety re-read. IDLE follows an empty read, a moment later.
                continue
            if self._stopping.is_set():  # after the clear above: stop()'s wake-up may be gone
                return
            # Registrations return only now, just before IDLE: the mail their flows cause
            # then arrives while IDLE listens, not in the gap before it.
            for waiter in unreleased:
                with contextlib.suppress(concurrent.futures.InvalidStateError):
                    waiter.marked.set_result(None)
            unreleased.clear()
            # After new mail, the first IDLE is short: a mail stored in the instant between
            # the empty read and IDLE is announced by no server; re-reading once soon after a
            # burst bounds its delay to recheck_seconds.
            timeout = min(interval, self.config.recheck_seconds) if recheck else interval
            recheck = False
            mailbox.wait_for_change(timeout, self._wake)

    def _adopt(self, uidvalidity: int) -> None:
        """Start over when the folder's UIDVALIDITY is new (first connection, or recreated)."""
        if uidvalidity == self._uidvalidity:
            return
        with self._lock:
            old, self._uidvalidity = self._uidvalidity, uidvalidity
            self._cursor = 0
            self._candidates.clear()
            stranded = sum(1 for w in self._waiters if w.uidnext)
        if old:
            log.warning(
                "UIDVALIDITY de %s cambió (%d -> %d: la carpeta fue recreada); se relee el "
                "buzón y %d espera(s) aceptan, en lugar de UID, correo llegado desde su "
                "registro menos %.0f s",
                self.config.where,
                old,
                uidvalidity,
                stranded,
                self.config.date_slack_seconds,
            )

    def _mark(self, mailbox: Mailbox, unreleased: list[Expectation]) -> int:
        """Give every new registration its mark: the server's UIDNEXT, asked now."""
        with self._lock:
            pending = [w for w in self._waiters if not w.marked.done() and w not in unreleased]
        if not pending:
            return 0
        uidnext = mailbox.uidnext()
        for waiter in pending:
            waiter.uidvalidity, waiter.uidnext = self._uidvalidity, uidnext
        unreleased.extend(pending)
        return len(pending)

    def _scan(self, mailbox: Mailbox) -> bool:
        """Read the mail stored since the last read; True when there was any."""
        since = None
        if self._cursor == 0:
            since = (datetime.now(UTC) - timedelta(days=self.config.lookback_days)).date()
        uids = mailbox.uids_after(self._cursor, since)
        if not uids:
            return False
        portal = [h.uid for h in mailbox.fetch_headers(uids) if parse_mail(h.raw).kind]
        found = [self._candidate(m) for m in mailbox.fetch(portal)] if portal else []
        with self._lock:
            for candidate in found:
                if candidate is not None:
                    self._candidates[(candidate.uidvalidity, candidate.uid)] = candidate
            self._cursor = max(self._cursor, *uids)
        return True

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
        if link is not None:
            for secret in secret_parts(link):
                register_secret(secret)
        arrived = raw.internal_date or datetime.now(UTC)
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
            waiters = [w for w in self._waiters if w.uidnext and not w.future.done()]
            # Newest first: the portal's issue time (Date), then the later arrival (UID).
            candidates = sorted(
                self._candidates.values(), key=lambda c: (c.sent_at, c.uid), reverse=True
            )
        for waiter in waiters:
            matches = (c for c in candidates if self._fits(waiter, c) and _counts(c))
            newest = next(matches, None)
            if newest is not None:
                self._resolve(waiter, newest)

    def _fits(self, waiter: Expectation, cand: _Candidate) -> bool:
        if cand.kind not in waiter.kinds or waiter.recipient not in cand.recipients:
            return False
        slack = timedelta(seconds=self.config.date_slack_seconds)
        if waiter.not_before is not None and cand.sent_at >= waiter.not_before - slack:
            return True
        if cand.uidvalidity == waiter.uidvalidity:
            return cand.uid >= waiter.uidnext
        return cand.arrived >= waiter.registered_at - slack  # folder recreated since the mark

    def _resolve(self, waiter: Expectation, newest: _Candidate) -> None:
        """Hand ``newest`` to the flow, or fail: an older mail's link is void on the portal."""
        self._forget(waiter)
        if newest.error is not None:
            _fail(waiter.future, newest.error)
            return
        if newest.link is None and RULE_BY_KIND[newest.kind].link_path is not None:
            hosts = ", ".join(self.config.allowed_hosts)
            _fail(
                waiter.future,
                UnsafeLinkError(
                    f"el correo más reciente de {RULE_BY_KIND[newest.kind].label} para "
                    f"{waiter.recipient} (uid {newest.uid}) no trae un enlace al portal ({hosts})",
                    hint="Revise el correo a mano y la lista de hosts permitidos del buzón "
                    "(el host del portal); los enlaces de correos anteriores ya no sirven.",
                ),
            )
            return
        found = FoundMail(
            newest.kind,
            waiter.recipient,
            newest.subject,
            newest.uid,
            newest.uidvalidity,
            newest.sent_at,
            newest.link,
        )
        log.info(
            "correo %s para %s (uid %d): %s",
            newest.kind.value,
            waiter.recipient,
            newest.uid,
            mask_link(newest.link) if newest.link else "sin enlace",
        )
        with contextlib.suppress(concurrent.futures.InvalidStateError):
            waiter.future.set_result(found)


def _counts(cand: _Candidate) -> bool:
    """A forwarded copy counts only with a portal link (or a refused one)."""
    return not cand.forwarded or cand.link is not None or cand.error is not None


def _fail(future: concurrent.futures.Future[Any], error: Exception) -> None:
    if not future.done():
        with contextlib.suppress(concurrent.futures.InvalidStateError):
            future.set_exception(error)


def _describe(err: BaseException) -> str:
    """The error's text for logs and messages, with every registered secret masked."""
    return mask(str(err) or type(err).__name__)[:200]


def _imap_factory(config: MailboxConfig) -> Mailbox:
    from robot.mail.imap import ImapMailbox

    return ImapMailbox(config)


__all__ = ["Expectation", "FoundMail", "MailWatcher", "MailboxFactory"]
