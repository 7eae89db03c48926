"""Latency of activation mail: SMTP acceptance → link handed to the waiting flow.

    .venv/bin/python bench/mail_latency.py [--rounds N]

For each IMAP backend of the bundled mail stack (pymap; Dovecot when installed) and for 1 and
30 flows waiting at once on one mailbox, sends portal-shaped mails through SMTP and measures,
per mail, the time from the SMTP server's acceptance (``sendmail`` returning) to the flow's
awaitable resolving with the right link. Counts IMAP connections by instrumenting the watcher's
mailbox factory (every connect) and with the watcher's own login counter. Writes
docs/benchmarks/mail_latency.md.
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

HOST = "127.0.0.1:8080"
OUT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks" / "mail_latency.md"


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


async def one_round(stack: MailStack, watcher: MailWatcher, flows: int, tag: str) -> list[float]:
    loop = asyncio.get_running_loop()
    start = datetime.now(UTC)
    addresses = [stack.address(f"{tag}-{i}") for i in range(flows)]
    resolved: dict[str, float] = {}

    async def flow(address: str, token: str) -> None:
        found = await watcher.wait_for(address, MailKind.ACTIVATION, not_before=start, timeout=60)
        resolved[address] = time.perf_counter()
        assert found.link is not None and found.link.endswith(token)

    tasks = [asyncio.create_task(flow(a, f"{tag}{i}")) for i, a in enumerate(addresses)]
    await asyncio.sleep(0.05)  # every flow registered
    accepted: dict[str, float] = {}

    def send() -> None:
        with smtplib.SMTP(stack.smtp_host, stack.smtp_port, timeout=10) as smtp:
            for i, address in enumerate(addresses):
                smtp.sendmail("notificaciones@secop.test", [address], mail(address, f"{tag}{i}"))
                accepted[address] = time.perf_counter()

    await loop.run_in_executor(None, send)
    await asyncio.gather(*tasks)
    return [resolved[a] - accepted[a] for a in addresses]


async def run_backend(backend: str, rounds: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
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
            for flows in (1, 30):
                samples: list[float] = []
                for r in range(rounds if flows == 1 else max(1, rounds // 10)):
                    samples += await one_round(stack, watcher, flows, f"b{flows}r{r}")
                rows.append(summary(backend, flows, samples, connects, watcher.connections))
    return rows


def summary(
    backend: str, flows: int, samples: list[float], connects: int, logins: int
) -> dict[str, object]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "backend": backend,
        "flows": flows,
        "mails": len(samples),
        "p50": statistics.median(ordered) * 1000,
        "p95": p95 * 1000,
        "max": ordered[-1] * 1000,
        "connects": connects,
        "logins": logins,
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
        "One `MailWatcher` per mailbox (IMAP IDLE, plain IMAP on 127.0.0.1); flows wait with "
        "`await watcher.wait_for(...)`. Time runs from `sendmail` returning (the SMTP server "
        "accepted the mail) to the flow's await resolving with the right link. "
        "*connections*: IMAP connections opened for the whole run (factory calls / logins).",
        "",
        "| backend | waiting flows | mails | p50 ms | p95 ms | max ms | IMAP connections |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if "error" in row:
            lines.append(f"| {row['backend']} | — | — | — | — | — | failed: {row['error']} |")
            continue
        lines.append(
            f"| {row['backend']} | {row['flows']} | {row['mails']} | {row['p50']:.0f} | "
            f"{row['p95']:.0f} | {row['max']:.0f} | {row['connects']} / {row['logins']} |"
        )
    lines += ["", "Target: p95 under 1 s, one IMAP connection per mailbox.", ""]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
