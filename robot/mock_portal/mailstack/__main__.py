"""``python -m robot.mock_portal.mailstack``: run the mail stack alone until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import sys

from robot.errors import ConfigError, SecopRobotError
from robot.mock_portal.mailstack import BACKENDS, TLS_MODES, MailStack, serve_forever
from robot.settings import resolve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m robot.mock_portal.mailstack",
        description="Catch-all SMTP + one IMAP mailbox (pymap or Dovecot) for the mock portal.",
    )
    parser.add_argument("--backend", choices=BACKENDS, help="default: $SECOP_MAIL_BACKEND or auto")
    parser.add_argument("--domain", help="default: $SECOP_MAIL_DOMAIN or proveedores.test")
    parser.add_argument("--user", help="local part of the IMAP login ($SECOP_MAIL_USER or buzon)")
    parser.add_argument("--password", default=None, help="IMAP password (random if omitted)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--imap-tls", choices=TLS_MODES, default="none")
    args = parser.parse_args(argv)
    try:
        stack = MailStack(
            backend=resolve("mail.backend", flag=args.backend),
            domain=resolve("mail.domain", flag=args.domain),
            user=resolve("mail.user", flag=args.user),
            password=args.password,
            host=args.host,
            imap_tls=args.imap_tls,
        )
        serve_forever(stack)
    except ConfigError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print(f"→ {err.hint}", file=sys.stderr)
        return err.exit_code
    except SecopRobotError as err:
        print(f"error: {err}", file=sys.stderr)
        if err.hint:
            print(f"→ {err.hint}", file=sys.stderr)
        return err.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
