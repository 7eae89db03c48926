"""Politeness across a batch: at most R portal actions per second and N new sessions per minute.

One :class:`Politeness` is shared by every supplier of a run (PORTAL.md 5: never hammer the
portal). Each page-object action that makes a request waits for a token first.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class RateLimit:
    """A token bucket: ``rate`` tokens per second, bursts of up to ``burst``; 0 means no limit."""

    def __init__(
        self, rate: float, burst: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self._clock = clock
        self._tokens = self.burst
        self._stamp = clock()
        self._lock = asyncio.Lock()
        self.waited = 0.0  # seconds spent waiting, for the run's figures

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    async def acquire(self) -> None:
        if self.rate <= 0:
            return
        async with self._lock:
            self._refill()
            if self._tokens < 1.0:
                pause = (1.0 - self._tokens) / self.rate
                self.waited += pause
                await asyncio.sleep(pause)
                self._refill()
            self._tokens -= 1.0


class Politeness:
    """The batch's two limits: portal actions per second, new sessions per minute."""

    def __init__(self, requests_per_second: float, sessions_per_minute: float) -> None:
        self.requests = RateLimit(requests_per_second, burst=max(requests_per_second, 1.0))
        self.sessions = RateLimit(sessions_per_minute / 60.0, burst=1.0)

    @classmethod
    def unlimited(cls) -> Politeness:
        return cls(0.0, 0.0)
