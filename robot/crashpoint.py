"""A test seam for the resume tests: SIGKILL this process at its N-th checkpoint.

Checkpoints are right after every click that may create something on the portal (kind
``click``, with the control's name: the request may or may not reach the portal), right after
the portal answered that click (kind ``answer``: it acted, the robot has not looked yet) and
right after every step is recorded in the ledger (kind ``step``); each knows the supplier step
it happens in (:data:`step`, set by the runner).
``SECOP_ROBOT_CRASH_AFTER=N`` (read once, at import) makes the N-th checkpoint kill the process,
as a power cut or an OOM kill would.

``SECOP_ROBOT_CRASH_LOG=FILE`` (tests only, with the above) makes the killing checkpoint append
its label to FILE first, one line ``step<TAB>kind<TAB>control``, and makes the count skip the
checkpoints whose label is already in FILE, compared with the additional user's name left out
(``users.*.register``): so N=1 kills at a point never killed before, and a test can prove that
its kills were at distinct points. Never set either outside tests.
"""

from __future__ import annotations

import contextvars
import os
import re
import signal
from pathlib import Path

CRASH_ENV = "SECOP_ROBOT_CRASH_AFTER"
CRASH_LOG_ENV = "SECOP_ROBOT_CRASH_LOG"
_crash_after = int(os.environ.get(CRASH_ENV, "0") or 0)
_crash_log = os.environ.get(CRASH_LOG_ENV, "") if _crash_after else ""
_passed = [0]  # checkpoints passed so far in this process (not counting ones already killed)

step: contextvars.ContextVar[str] = contextvars.ContextVar("crashpoint_step", default="-")


def generic(label: str) -> str:
    """A label with the additional user's name left out: ``users.*.request<TAB>…``."""
    return re.sub(r"^users\.[^\t]+\.(\w+)\t", r"users.*.\1\t", label)


def _killed_before() -> set[str]:
    try:
        lines = Path(_crash_log).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return set()
    return {generic(line) for line in lines if line}


def checkpoint(kind: str = "step", control: str = "") -> None:
    if not _crash_after:
        return
    label = f"{step.get()}\t{kind}\t{control}"
    if _crash_log and generic(label) in _killed_before():
        return
    _passed[0] += 1
    if _passed[0] >= _crash_after:
        if _crash_log:
            with open(_crash_log, "a", encoding="utf-8") as log:
                log.write(label + "\n")
                log.flush()
                os.fsync(log.fileno())
        os.kill(os.getpid(), signal.SIGKILL)
