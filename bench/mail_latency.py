"""Latency of activation mail: SMTP acceptance → link handed to the waiting flow.

    .venv/bin/python bench/mail_latency.py [--rounds N]

For each IMAP backend of the bundled mail stack (pymap; Dovecot when installed), one
``MailWatcher`` serves 1 flow, then 30 flows at once, then 30 flows with the real-world corpus
(tests/data/emails/corpus, 77 mails) delivered into the mailbox between the activation mails.
Each flow registers (``await watcher.register``) before its mail is sent, as a robot flow does
before clicking; once all are registered the mails go out through SMTP. Measured per mail: the
time from the SMTP server's acceptance (``sendmail`` returning) to the flow's await resolving
with the right link; per flow: the cost of registering (one STATUS round trip, batched).
IMAP connections are counted at the watcher's mailbox factory (every connect) and by the
watcher's login counter. Writes docs/benchmarks/mail_latency.md.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import smtplib
import statistics
import sys
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from robot.mail import MailboxConfig, MailKind, MailWatcher
from robot.mail.imap import ImapMailbox
from robot.mock_portal.mailstack import MailStack, dovecot_installed

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1:8080"
OUT = ROOT / "docs" / "benchmarks" / "mail_latency.md"
CORPUS = sorted((ROOT / "tests" / "data" / "emails" / "corpus").glob("*.eml"))


def mail(to: str, token: str) -> bytes:
    link = f"http://{HOST}/STS/Users/Register/Confirm?token={token}"
    msg = EmailMessage()
    msg["Subject"] = "SECOP II - Confirmación de registro de usuario"
    msg["From"] = "SECOP II <notificaciones@secop.test>"
    msg["To"] = to
    msg["Date"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    msg.set_content(f"Active su usuario:\n{link}\n", cte="quoted-printable")
    msg.add_alternative(
        f'<p><a href="{link}">Activar</a></p>', subtype="html", cte="quoted-printable"
    )
    return msg.as_bytes()


async def one_round(
    stack: MailStack, watcher: MailWatcher, flows: int, tag: str, noise: list[bytes]
) -> tuple[list[float], list[float]]:
    """(delivery latencies, registration costs) of one round, in seconds."""
    loop = asyncio.get_running_loop()
    addresses = [stack.address(f"{tag}-{i}") for i in range(flows)]
    resolved: dict[str, float] = {}
    registering: list[float] = []

    async def flow(address: str, token: str) -> None:
        start = time.perf_counter()
        waiting = await watcher.register(address, MailKind.ACTIVATION)
        registering.append(time.perf_counter() - start)
        found = await waiting.wait(60)
        resolved[address] = time.perf_counter()
        assert found.link is not None and found.link.endswith(token)

    tasks = [asyncio.create_task(flow(a, f"{tag}{i}")) for i, a in enumerate(addresses)]
    while watcher.waiting < flows:  # every flow registered before any mail is sent
        await asyncio.sleep(0.001)
    accepted: dict[str, float] = {}
    per_mail = len(noise) // flows + 1 if noise else 0

    def send() -> None:
        extra = iter(noise)
        with smtplib.SMTP(stack.smtp_host, stack.smtp_port, timeout=10) as smtp:
            for i, address in enumerate(addresses):
                for raw in [m for _, m in zip(range(per_mail), extra, strict=False)]:
                    stack.deliver(raw)  # everyday mail between the portal's
                smtp.sendmail("notificaciones@secop.test", [address], mail(address, f"{tag}{i}"))
                accepted[address] = time.perf_counter()

    await loop.run_in_executor(None, send)
    await asyncio.gather(*tasks)
    return [resolved[a] - accepted[a] for a in addresses], registering


async def run_backend(backend: str, rounds: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    noise = [path.read_bytes() for path in CORPUS]
    with MailStack(backend=backend) as stack:
        config = MailboxConfig(
            host=stack.imap_host,
            port=stack.imap_port,
            tls="none",
            user=stack.imap_user,
            password=stack.imap_password,
            allowed_hosts=(HOST,),
        )
        connects = 0

        def factory(cfg: MailboxConfig) -> ImapMailbox:
            nonlocal connects
            connects += 1
            return ImapMailbox(cfg)

        async with MailWatcher(config, mailbox_factory=factory) as watcher:
            for flows, with_noise in ((1, False), (30, False), (30, True)):
                samples: list[float] = []
                costs: list[float] = []
                for r in range(rounds if flows == 1 else max(1, rounds // 10)):
                    tag = f"b{flows}{'n' if with_noise else ''}r{r}"
                    lat, reg = await one_round(
                        stack, watcher, flows, tag, noise if with_noise else []
                    )
                    samples += lat
                    costs += reg
                rows.append(summary(backend, flows, with_noise, samples, costs, connects, watcher))
    return rows


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(
    backend: str,
    flows: int,
    with_noise: bool,
    samples: list[float],
    costs: list[float],
    connects: int,
    watcher: MailWatcher,
) -> dict[str, object]:
    ordered = sorted(samples)
    reg = sorted(costs)
    return {
        "backend": backend,
        "flows": flows,
        "noise": f"{len(CORPUS)} corpus mails / round" if with_noise else "—",
        "mails": len(samples),
        "p50": statistics.median(ordered) * 1000,
        "p95": percentile(ordered, 0.95) * 1000,
        "max": ordered[-1] * 1000,
        "reg50": statistics.median(reg) * 1000,
        "reg95": percentile(reg, 0.95) * 1000,
        "connects": connects,
        "logins": watcher.connections,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    backends = ["pymap"] + (["dovecot"] if dovecot_installed() else [])
    rows: list[dict[str, object]] = []
    for backend in backends:
        try:
            rows += asyncio.run(run_backend(backend, args.rounds))
        except Exception as err:  # a broken backend is reported, not hidden
            print(f"{backend}: {type(err).__name__}: {str(err)[:300]}")
            rows.append({"backend": backend, "error": f"{type(err).__name__}: {str(err)[:200]}"})
    lines = [
        "# Mail latency: SMTP acceptance → link handed to the flow",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'} "
        f"({platform.python_implementation()} {platform.python_version()}, "
        "2 cores shared with other work), by `python bench/mail_latency.py "
        f"--rounds {args.rounds}`.",
        "",
        "One `MailWatcher` per mailbox (IMAP IDLE, plain IMAP on 127.0.0.1). Each flow registers "
        "(`await watcher.register(...)`) before its mail is sent; the mails go out once every "
        "flow of the round is registered. *latency*: from `sendmail` returning (the SMTP server "
        "accepted the mail) to the flow's `await waiting.wait()` resolving with the right link. "
        "*register*: what `register` costs a flow (one STATUS round trip; concurrent "
        "registrations share it). *noise*: the real-world corpus delivered into the mailbox "
        "between the activation mails (the watcher reads its headers and skips it). "
        "*connections*: IMAP connections opened for the whole run (factory calls / logins).",
        "",
        "| backend | waiting flows | noise | mails | latency p50 ms | p95 ms | max ms "
        "| register p50 ms | p95 ms | IMAP connections |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if "error" in row:
            lines.append(f"| {row['backend']} | — | — | — | — | — | — | — | — | failed: "
                         f"{row['error']} |")  # fmt: skip
            continue
        lines.append(
            f"| {row['backend']} | {row['flows']} | {row['noise']} | {row['mails']} | "
            f"{row['p50']:.0f} | {row['p95']:.0f} | {row['max']:.0f} | {row['reg50']:.1f} | "
            f"{row['reg95']:.1f} | {row['connects']} / {row['logins']} |"
        )
    lines += [
        "",
        "Target: p95 under 1 s, one IMAP connection per mailbox.",
        "",
        "Dovecot's figures are dominated by its own notification delay: it batches mailbox "
        "changes for 0.5 s before waking IDLE (`NOTIFY_DELAY_MSECS 500` in lib-storage's "
        "index-mailbox-check.c), so a lone mail waits ~0.5 s and mails of a burst share one "
        "wake-up (hence a lower p50 with 30 flows). pymap wakes IDLE at once; its SMTP server "
        "answers only after the IMAP APPEND, so its figures start after delivery.",
        "",
        "A *max* near 1 s is a mail stored in the instant between the watcher's last read and "
        "its IDLE command: neither server announces such a mail in IDLE, and the watcher's "
        "re-read `recheck_seconds` (1 s) after new mail picks it up (docs/mail.md, Mailbox "
        "behaviour). Before that re-read existed, such a mail waited for the 30 s safety re-read.",
        "",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
