"""A test seam for the resume tests: SIGKILL this process at its N-th checkpoint.

Checkpoints are right after every click that may create something on the portal and right
after every step is recorded in the ledger. ``SECOP_ROBOT_CRASH_AFTER=N`` (read once, at
import) makes the N-th checkpoint kill the process, as a power cut or an OOM kill would.
Never set it outside tests.
"""

from __future__ import annotations

import os
import signal

CRASH_ENV = "SECOP_ROBOT_CRASH_AFTER"
_crash_after = int(os.environ.get(CRASH_ENV, "0") or 0)
_passed = [0]  # checkpoints passed so far in this process


def checkpoint() -> None:
    if not _crash_after:
        return
    _passed[0] += 1
    if _passed[0] >= _crash_after:
        os.kill(os.getpid(), signal.SIGKILL)
