"""Run a coroutine to the end from synchronous code, whatever the calling thread already runs.

``asyncio.run`` refuses to start when the thread already has a running event loop (Playwright's
sync API keeps one in the thread that used it, and so does a notebook). Then the coroutine runs
in a thread of its own, with its own loop, and this call waits for it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="secop-async") as pool:
        return pool.submit(asyncio.run, coro).result()
