"""Fault switches of the mock portal (PORTAL.md 3.8): named, seeded and reproducible.

A scenario file sets them under ``portal.mock.faults``; ``secop-robot mock-portal`` takes the
same names as ``--fault NAME=VALUE``. The same seed and the same sequence of requests give the
same faults, so a failing run can be replayed: every decision is a pure function of the seed,
the switch and a key that does not depend on timing (see :class:`FaultInjector`).
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DriftKind = Literal["relabel", "rename", "remove", "move", "required", "options"]
DRIFT_KINDS: tuple[DriftKind, ...] = ("relabel", "rename", "remove", "move", "required", "options")


class MaintenanceWindow(BaseModel):
    """The portal shows its maintenance page from ``start_seconds`` after start for a while."""

    model_config = ConfigDict(extra="forbid")
    start_seconds: float = Field(0, ge=0, description="seconds after the portal starts")
    duration_seconds: float = Field(60, gt=0, description="how long the window lasts")


class FaultConfig(BaseModel):
    """Every fault switch, off by default."""

    model_config = ConfigDict(extra="forbid")

    seed: int = Field(0, description="seed of the fault generator; same seed, same faults")
    latency_ms: int = Field(0, ge=0, description="added to every request")
    latency_jitter_ms: int = Field(0, ge=0, description="random extra latency, 0..N ms")
    error_rate: float = Field(
        0, ge=0, le=1, description="share of requests answered 503 before doing anything"
    )
    drop_rate: float = Field(
        0, ge=0, le=1, description="share of requests whose connection is dropped before handling"
    )
    drop_after_rate: float = Field(
        0,
        ge=0,
        le=1,
        description="share of POSTs handled (and committed) whose response is then dropped",
    )
    session_expiry_seconds: int | None = Field(
        None, ge=1, description="sessions expire after this many idle seconds"
    )
    mail_delay_seconds: float = Field(0, ge=0, description="every e-mail leaves this much later")
    mail_duplicate_rate: float = Field(0, ge=0, le=1, description="share of e-mails sent twice")
    mail_reorder_window_seconds: float = Field(
        0, ge=0, description="e-mails within this window are held and sent newest first"
    )
    captcha: Literal["off", "once", "always"] = Field(
        "off", description="text CAPTCHA at login: never, once per session, or every login"
    )
    maintenance: list[MaintenanceWindow] = Field(
        default_factory=list, description="windows showing the maintenance page"
    )
    upload_fail_once: bool = Field(
        False, description="the first upload to each document slot fails once"
    )
    drop_after_once: bool = Field(
        False,
        description="the first time each form is posted (same path and fields) it is handled"
        " (committed) and its answer dropped; a browser on a kept-alive connection sends it again",
    )
    drift: float = Field(
        0,
        ge=0,
        le=1,
        description="share of the controls and markers of login, Registrar usuario and the"
        " Directorio changed (the screens drifted; robot/mock_portal/drift.py)",
    )
    drift_kinds: list[DriftKind] = Field(
        default_factory=lambda: list(DRIFT_KINDS),
        description="the ways drift may change an element",
    )


Decision = Literal["ok", "error", "drop", "drop_after"]


def roll(seed: int, switch: str, key: str) -> float:
    """A number in [0, 1) that depends only on the seed, the switch and the key."""
    text = f"{seed}\x00{switch}\x00{key}".encode()
    digest = hashlib.blake2b(text, digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class FaultInjector:
    """Decides the faults; each decision is a pure function of (seed, switch, key).

    The key of a request is its method, its path and its ordinal among requests with that
    method and path (``GET /STS/Users/Login/Index #3``); the key of a mail is its ordinal among
    the mails the portal sent. Neither depends on timing or on other traffic (threads, the
    mailer, static files), so the same seed and the same requests give the same faults.
    """

    def __init__(self, config: FaultConfig, *, clock: float | None = None) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._started = time.monotonic() if clock is None else clock
        self._requests: dict[tuple[str, str], int] = {}
        self._mails = 0
        self._failed_slots: set[tuple[int, str]] = set()
        self._dropped_posts: set[tuple[str, str]] = set()

    def request_key(self, method: str, path: str) -> str:
        """The next request's key: ``METHOD path #n``, n counting from 1 per method and path."""
        with self._lock:
            n = self._requests.get((method, path), 0) + 1
            self._requests[(method, path)] = n
        return f"{method} {path} #{n}"

    def mail_ordinal(self) -> int:
        """The next mail's ordinal, counting from 1 (taken when the mail is queued)."""
        with self._lock:
            self._mails += 1
            return self._mails

    def latency_seconds(self, key: str) -> float:
        extra = 0
        if self.config.latency_jitter_ms:
            share = roll(self.config.seed, "latency_jitter_ms", key)
            extra = int(share * (self.config.latency_jitter_ms + 1))
        return (self.config.latency_ms + extra) / 1000

    def decide(self, method: str, key: str) -> Decision:
        """What happens to this request: served, 503, dropped, or dropped after handling."""
        cfg = self.config
        r = roll(cfg.seed, "request", key)
        if r < cfg.error_rate:
            return "error"
        if r < cfg.error_rate + cfg.drop_rate:
            return "drop"
        if method == "POST" and r < cfg.error_rate + cfg.drop_rate + cfg.drop_after_rate:
            return "drop_after"
        return "ok"

    def in_maintenance(self, now: float | None = None) -> bool:
        return self.maintenance_left(now) > 0

    def maintenance_left(self, now: float | None = None) -> float:
        """Seconds until the current maintenance window ends; 0 outside every window."""
        elapsed = (time.monotonic() if now is None else now) - self._started
        return max(
            (
                w.start_seconds + w.duration_seconds - elapsed
                for w in self.config.maintenance
                if w.start_seconds <= elapsed < w.start_seconds + w.duration_seconds
            ),
            default=0.0,
        )

    def duplicate_mail(self, ordinal: int) -> bool:
        rate = self.config.mail_duplicate_rate
        return bool(rate) and roll(self.config.seed, "mail_duplicate_rate", str(ordinal)) < rate

    def upload_should_fail(self, account_id: int, slot: str) -> bool:
        """True the first time a slot of an account is uploaded to, when the switch is on."""
        if not self.config.upload_fail_once:
            return False
        with self._lock:
            if (account_id, slot) in self._failed_slots:
                return False
            self._failed_slots.add((account_id, slot))
            return True

    def drop_after_first(self, path: str, fields: list[tuple[str, str]]) -> bool:
        """True the first time a form with these fields (the CSRF token left out by the
        caller) is posted to ``path``, when the switch is on: its retries and replays pass."""
        if not self.config.drop_after_once:
            return False
        form = hashlib.blake2b(repr(sorted(fields)).encode(), digest_size=16).hexdigest()
        with self._lock:
            if (path, form) in self._dropped_posts:
                return False
            self._dropped_posts.add((path, form))
            return True
