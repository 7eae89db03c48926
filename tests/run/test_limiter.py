"""Politeness: a token bucket per limit, shared by the whole batch."""

from __future__ import annotations

from robot import asyncrun
from robot.portal.limiter import Politeness, RateLimit


def test_a_burst_beyond_the_rate_waits_for_its_tokens() -> None:
    limit = RateLimit(rate=50.0, burst=1.0)

    async def take(n: int) -> None:
        for _ in range(n):
            await limit.acquire()

    asyncrun.run(take(6))
    # one token at hand, five more at 50/s: about 0.1 s waited in total
    assert 0.08 <= limit.waited <= 0.2


def test_no_limit_never_waits() -> None:
    polite = Politeness.unlimited()

    async def take() -> None:
        for _ in range(100):
            await polite.requests.acquire()
            await polite.sessions.acquire()

    asyncrun.run(take())
    assert polite.requests.waited == 0 and polite.sessions.waited == 0


def test_sessions_are_counted_per_minute() -> None:
    polite = Politeness(requests_per_second=0, sessions_per_minute=600)  # 10 per second
    assert polite.sessions.rate == 10.0
