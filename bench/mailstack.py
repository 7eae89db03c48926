"""Benchmark: the bundled mail stack per IMAP backend.

    .venv/bin/python bench/mailstack.py [--rounds N]

For pymap and (when installed) Dovecot: start and stop times, SMTP acceptance → IDLE wake-up,
SMTP throughput into the mailbox over one connection, and ``restart_imap`` with mail inside.
Medians over ``--rounds``. Writes docs/benchmarks/mailstack.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import smtplib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from imap_tools import BaseMailBox, MailBoxUnencrypted  # noqa: E402

from robot.mock_portal.mailstack import MailStack, dovecot_installed  # noqa: E402

BURST = 100


def imap_client(stack: MailStack) -> BaseMailBox:
    box = MailBoxUnencrypted(stack.imap_host, stack.imap_port, timeout=10)
    return box.login(stack.imap_user, stack.imap_password)


def mail(subject: str) -> bytes:
    return f"From: a@secop.test\r\nSubject: {subject}\r\n\r\nHola\r\n".encode()


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def wait_count(box: BaseMailBox, count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while len(box.numbers()) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"fewer than {count} messages after {timeout} s")
        time.sleep(0.01)


def idle_wake(stack: MailStack, box: BaseMailBox) -> float:
    box.idle.start()
    try:
        with smtplib.SMTP(stack.smtp_host, stack.smtp_port) as smtp:
            sending = time.perf_counter()
            smtp.sendmail("a@secop.test", [stack.address("idle")], mail("idle"))
        responses = box.idle.poll(timeout=10)
        woke = time.perf_counter() - sending
    finally:
        box.idle.stop()
    if not responses:
        raise RuntimeError("IDLE did not wake")
    return woke


def burst(stack: MailStack, box: BaseMailBox) -> float:
    """Messages per second from the first SMTP send until the last is visible over IMAP."""
    already = len(box.numbers())
    start = time.perf_counter()
    with smtplib.SMTP(stack.smtp_host, stack.smtp_port) as smtp:
        for n in range(BURST):
            smtp.sendmail("a@secop.test", [stack.address(f"p+{n}")], mail(f"burst {n}"))
    wait_count(box, already + BURST)
    return BURST / (time.perf_counter() - start)


def one_backend(backend: str, rounds: int) -> dict[str, float]:
    rows: dict[str, list[float]] = {k: [] for k in ("start", "stop", "idle", "rate", "restart")}
    for _ in range(rounds):
        stack = MailStack(backend=backend)
        rows["start"].append(timed(stack.start))
        with imap_client(stack) as box:
            rows["idle"].append(statistics.median(idle_wake(stack, box) for _ in range(5)))
            rows["rate"].append(burst(stack, box))
        count = BURST + 5
        rows["restart"].append(timed(lambda s=stack: s.restart_imap()))
        with imap_client(stack) as box:
            wait_count(box, count)
        rows["stop"].append(timed(stack.stop))
    with tempfile.TemporaryDirectory() as kept:
        stack = MailStack(backend=backend, workdir=Path(kept) / "m").start()
        graceful = timed(stack.stop)
    result = {key: statistics.median(values) for key, values in rows.items()}
    result["graceful_stop"] = graceful
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    backends = ["pymap"] + (["dovecot"] if dovecot_installed() else [])
    results = {b: one_backend(b, rounds) for b in backends}
    lines = [
        "# Mail stack benchmark",
        "",
        f"`python bench/mailstack.py --rounds {rounds}` on {datetime.now(UTC):%Y-%m-%d}, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs shared with other work. Medians over {rounds} rounds "
        "(IDLE: median of 5 mails per round).",
        "",
        "| backend | start | stop (temp workdir) | stop (kept workdir) | SMTP → IDLE wake "
        f"| SMTP → IMAP, {BURST} mails | restart_imap with {BURST + 5} mails |",
        "|---|---|---|---|---|---|---|",
    ]
    for backend, r in results.items():
        lines.append(
            f"| {backend} | {r['start'] * 1000:.0f} ms | {r['stop'] * 1000:.0f} ms "
            f"| {r['graceful_stop'] * 1000:.0f} ms | {r['idle'] * 1000:.0f} ms "
            f"| {r['rate']:.0f} mails/s | {r['restart'] * 1000:.0f} ms |"
        )
    lines += [
        "",
        "- *start*: `MailStack.start()` until both servers answer (pymap hashes the password).",
        "- *stop*: a temporary workdir is thrown away, so Dovecot is killed at once; with a "
        "workdir of your own it gets SIGTERM and takes ~1.1 s.",
        "- *SMTP → IDLE wake*: from calling `sendmail` (SMTP session open) to the IDLE "
        "response on a client already idling. The SMTP server answers 250 only once the "
        "mail is in the mailbox.",
        "- *restart_imap*: kill, start on the same port; pymap then re-APPENDs every message.",
        "",
    ]
    text = "\n".join(lines)
    out = ROOT / "docs" / "benchmarks" / "mailstack.md"
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
