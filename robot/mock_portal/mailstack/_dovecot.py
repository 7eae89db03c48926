"""Dovecot as the IMAP server: a private instance (config, state, mail) in the stack's workdir.

Mail arrives by LMTP, the way a real MTA hands it over, and lives in a Maildir on disk.
"""

from __future__ import annotations

import os
import pwd
import shutil
import smtplib
import tempfile
import time
from pathlib import Path

from robot.errors import SetupError
from robot.mock_portal.mailstack._net import free_port, wait_for_greeting, wait_port_free
from robot.mock_portal.mailstack._process import ServerProcess, launch
from robot.mock_portal.mailstack._tls import TlsFiles, client_context

START_TIMEOUT = 20.0
INSTALL_HINT = "apt-get install dovecot-imapd dovecot-lmtpd"


def dovecot_binary() -> str | None:
    """The path of the ``dovecot`` binary, or None when it is not installed."""
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)),
        None,
    )


class DovecotServer:
    """One ``dovecot -F`` master with an IMAP (or IMAPS) and an LMTP listener on 127.0.0.1."""

    name = "dovecot"

    def __init__(
        self, *, workdir: Path, host: str, login: str, password: str, tls_mode: str,
        tls: TlsFiles | None,
    ) -> None:  # fmt: skip
        binary = dovecot_binary()
        if binary is None:
            raise SetupError("Dovecot no está instalado", hint=INSTALL_HINT)
        self.binary = binary
        self.host = host
        self.port = 0
        self.lmtp_port = 0
        self._dir = workdir / "dovecot"
        self._login = login
        self._password = password
        self._tls_mode = tls_mode
        self._tls = tls
        self._proc: ServerProcess | None = None
        self._run_dir: Path | None = None

    def start(self, port: int | None = None) -> None:
        self._prepare_dirs()
        self._proc, self.port = launch(self._make, self._ready, host=self.host, port=port)

    def stop(self, *, graceful: bool = True) -> None:
        """Graceful SIGTERM takes ~1.1 s; without ``graceful`` the group is killed at once."""
        if self._proc is not None:
            if graceful:
                self._proc.terminate(timeout=5.0)
            else:
                self._proc.kill()
            self._proc = None
        if self._run_dir is not None:
            shutil.rmtree(self._run_dir, ignore_errors=True)
            self._run_dir = None

    def restart(self, down_seconds: float) -> None:
        if self._proc is not None:
            self._proc.kill()
        time.sleep(down_seconds)
        wait_port_free(self.host, self.port, timeout=10.0)
        wait_port_free(self.host, self.lmtp_port, timeout=10.0)
        self._proc, _ = launch(self._make, self._ready, host=self.host, port=self.port)

    def deliver(self, raw: bytes, rcpt: str, mail_from: str = "") -> None:
        try:
            with smtplib.LMTP(self.host, self.lmtp_port, timeout=10.0) as lmtp:
                lmtp.sendmail(mail_from, [self._login], raw)
        except (smtplib.SMTPException, OSError) as err:
            raise SetupError(f"Dovecot no aceptó la entrega por LMTP: {err}") from err

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def problem(self) -> str | None:
        """Why the server no longer runs (it exited on its own), or None."""
        return self._proc.exit_problem() if self._proc is not None else None

    def _make(self, port: int) -> ServerProcess:
        if not self.lmtp_port or self.port != port:
            self.lmtp_port = free_port(self.host)
        conf = self._dir / "dovecot.conf"
        conf.write_text(self._config(port))
        log = self._dir / "dovecot.log"
        return ServerProcess(
            "dovecot",
            [self.binary, "-F", "-c", str(conf)],
            log_path=self._dir / "stdout.log",
            extra_logs=[log],
        )

    def _ready(self, proc: ServerProcess, port: int) -> None:
        ctx = client_context(self._tls.ca_file) if self._tls and self._tls_mode == "ssl" else None
        wait_for_greeting(
            self.host, port, timeout=START_TIMEOUT, ssl_context=ctx, check_alive=proc.check_alive
        )

    def _prepare_dirs(self) -> None:
        for sub in ("state", "mail"):
            (self._dir / sub).mkdir(parents=True, exist_ok=True)
        # Unix socket paths are limited to 108 bytes: keep Dovecot's sockets near the root,
        # whatever the depth of the workdir (pytest's tmp_path is deep).
        self._run_dir = Path(tempfile.mkdtemp(prefix="secop-dc-"))
        self._run_dir.chmod(0o755)
        users = self._dir / "users"
        users.touch(mode=0o600)
        users.write_text(f"{self._login}:{{PLAIN}}{self._password}\n")
        if os.geteuid() == 0:
            _open_path_for(self._dir / "mail", _account("dovecot"))
            os.chown(users, _account("dovecot").pw_uid, _account("dovecot").pw_gid)

    def _config(self, port: int) -> str:
        d = self._dir
        assert self._run_dir is not None
        if os.geteuid() == 0:
            internal, login_user = "dovecot", "dovenull"
            owner = _account("dovecot")
        else:
            owner = pwd.getpwuid(os.geteuid())
            internal = login_user = owner.pw_name
        imap_port, imaps_port = (0, port) if self._tls_mode == "ssl" else (port, 0)
        return _TEMPLATE.format(
            d=d,
            run=self._run_dir,
            host=self.host,
            imap_port=imap_port,
            imaps_port=imaps_port,
            lmtp_port=self.lmtp_port,
            internal=internal,
            login_user=login_user,
            uid=owner.pw_uid,
            gid=owner.pw_gid,
            ssl=self._ssl_settings(),
        )

    def _ssl_settings(self) -> str:
        if self._tls is None or self._tls_mode == "none":
            return "ssl = no\ndisable_plaintext_auth = no"
        return (
            f"ssl = required\nssl_cert = <{self._tls.cert_file}\nssl_key = <{self._tls.key_file}\n"
            "disable_plaintext_auth = yes"
        )


def _account(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError as err:
        raise SetupError(
            f"falta el usuario del sistema {name!r} de Dovecot", hint=INSTALL_HINT
        ) from err


def _open_path_for(mail_dir: Path, owner: pwd.struct_passwd) -> None:
    """As root, Dovecot's processes drop to ``owner``: let them walk into and own ``mail_dir``.

    Adds the search bit (o+x, never read) to each parent that lacks it; pytest's and
    ``mkdtemp``'s 0700 directories otherwise make logins fail with "missing +x perm".
    """
    os.chown(mail_dir, owner.pw_uid, owner.pw_gid)
    for parent in mail_dir.resolve().parents:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            os.chmod(parent, mode | 0o001)


_TEMPLATE = """\
# Private Dovecot instance of the secop-robot mail stack (written on every start).
base_dir = {run}
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap lmtp
listen = {host}
{ssl}
auth_mechanisms = plain login
auth_failure_delay = 0  # Dovecot waits 2 s by default; tests try wrong passwords
default_internal_user = {internal}
default_login_user = {login_user}
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {imaps_port}
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = {host}
    port = {lmtp_port}
  }}
}}
protocol lmtp {{
  postmaster_address = postmaster@localhost
  # The SMTP side already wrote Delivered-To with the real envelope recipient.
  lmtp_hdr_delivery_address = none
}}
"""
