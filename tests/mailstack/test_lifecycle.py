"""Start, stop, restart and failure of the mail stack (fresh stacks: these tests break them)."""

from __future__ import annotations

import os
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from robot.errors import ConfigError, SetupError
from robot.mock_portal.mailstack import MailStack, _net
from tests.fixtures import mail as mail_fixtures
from tests.fixtures.mail import BACKEND_PARAMS, imap_client, unique_local, wait_for_messages


@pytest.fixture(params=BACKEND_PARAMS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "dovecot":
        mail_fixtures.require_dovecot()
    name: str = request.param
    return name


@pytest.fixture
def fresh_stack(backend: str) -> Iterator[MailStack]:
    with MailStack(backend=backend) as stack:
        yield stack


def _send(stack: MailStack, subject: str) -> None:
    to = stack.address(unique_local("life"))
    body = f"From: notificaciones@secop.test\r\nTo: {to}\r\nSubject: {subject}\r\n\r\nHola\r\n"
    with smtplib.SMTP(stack.smtp_host, stack.smtp_port, timeout=10) as smtp:
        smtp.sendmail("notificaciones@secop.test", [to], body.encode())


def _live_processes(pgid: int) -> list[int]:
    """PIDs of processes still running (not zombies) in process group ``pgid``."""
    live = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            live.append(int(stat.parent.name))
    return live


def test_a_new_mailbox_is_empty(fresh_stack: MailStack) -> None:
    with imap_client(fresh_stack) as box:
        assert list(box.fetch(mark_seen=False)) == []
        assert box.folder.get() == "INBOX"


def test_restart_imap_keeps_the_mail_its_order_and_the_port(fresh_stack: MailStack) -> None:
    port, pid = fresh_stack.imap_port, fresh_stack.imap_pid
    subjects = [f"antes {i}" for i in range(3)]
    for subject in subjects:
        _send(fresh_stack, subject)
    fresh_stack.deliver(b"Subject: inyectado\r\n\r\ncuerpo\r\n", envelope_to="x@proveedores.test")
    with imap_client(fresh_stack) as box:
        wait_for_messages(box, "ALL", count=4)

    fresh_stack.restart_imap(down_seconds=0.1)

    assert fresh_stack.imap_port == port
    assert fresh_stack.imap_pid not in (None, pid)
    _send(fresh_stack, "después")
    with imap_client(fresh_stack) as box:
        found = wait_for_messages(box, "ALL", count=5)
        assert [m.subject for m in found] == [*subjects, "inyectado", "después"]


def test_a_delivery_while_imap_is_down_is_refused_with_451(fresh_stack: MailStack) -> None:
    _send(fresh_stack, "primero")
    assert fresh_stack.imap_pid is not None
    os.killpg(fresh_stack.imap_pid, signal.SIGKILL)
    with pytest.raises(smtplib.SMTPDataError) as info:
        _send(fresh_stack, "perdido")
    assert info.value.smtp_code == 451
    fresh_stack.restart_imap()
    with imap_client(fresh_stack) as box:
        assert [m.subject for m in wait_for_messages(box, "ALL")] == ["primero"]


def test_stop_leaves_no_process_and_no_workdir(backend: str) -> None:
    stack = MailStack(backend=backend).start()
    pid, workdir, port = stack.imap_pid, stack.workdir, stack.imap_port
    assert pid is not None and workdir is not None and workdir.is_dir()
    stack.stop()
    stack.stop()  # twice is fine
    assert _live_processes(pid) == []
    assert not workdir.exists()
    with pytest.raises(OSError):
        socket.create_connection((stack.imap_host, port), timeout=1).close()


def test_a_given_workdir_is_kept(backend: str, tmp_path: Path) -> None:
    with MailStack(backend=backend, workdir=tmp_path / "mail") as stack:
        _send(stack, "guardado")
    assert (tmp_path / "mail").is_dir()


def test_a_server_that_cannot_start_gives_its_output(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    real_mkdtemp = tempfile.mkdtemp

    def recording_mkdtemp(*args: Any, **kwargs: Any) -> str:
        made.append(real_mkdtemp(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", recording_mkdtemp)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))  # bound, not listening: the server's bind fails at once
        monkeypatch.setattr(_net, "free_port", lambda host: busy.getsockname()[1])
        stack = MailStack(backend=backend, password="secreto-no-mostrar")
        with pytest.raises(SetupError) as info:
            stack.start()
    message = str(info.value)
    assert backend in message
    assert "in use" in message.lower()
    assert "secreto-no-mostrar" not in message
    assert stack.imap_pid is None
    assert stack.workdir is None
    assert made and not [d for d in made if Path(d).exists()]  # workdir and socket dir removed


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"backend": "exim"}, "backend"),
        ({"imap_tls": "tls"}, "imap_tls"),
        ({"backend": "pymap", "imap_tls": "ssl"}, "imap_tls"),
        ({"domain": "no es un dominio"}, "domain"),
        ({"user": "a@b"}, "user"),
        ({"password": "dos puntos:"}, "password"),
    ],
)
def test_bad_arguments_are_config_errors_naming_the_field(
    kwargs: dict[str, str], field: str
) -> None:
    with pytest.raises(ConfigError) as info:
        MailStack(**kwargs)  # type: ignore[arg-type]
    assert [p.field for p in info.value.problems] == [field]
    assert info.value.hint


def test_dovecot_fixture_skips_without_dovecot_but_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mail_fixtures, "dovecot_installed", lambda: False)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install dovecot-imapd"):
        mail_fixtures.require_dovecot()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must test both"):
        mail_fixtures.require_dovecot()


def test_auto_picks_dovecot_when_installed_else_pymap() -> None:
    expected = "dovecot" if mail_fixtures.dovecot_installed() else "pymap"
    assert MailStack().backend == expected


def test_servers_die_with_a_parent_killed_hard(backend: str, tmp_path: Path) -> None:
    workdir = tmp_path / "m"  # a parent killed hard cannot remove its temporary workdir
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from robot.mock_portal.mailstack import MailStack\n"
        f"stack = MailStack(backend={backend!r}, workdir=Path({str(workdir)!r})).start()\n"
        "print(stack.imap_pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        assert _live_processes(pid)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    while _live_processes(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _live_processes(pid) == []
    _remove_dovecot_run_dir(workdir)


def _remove_dovecot_run_dir(workdir: Path) -> None:
    """Dovecot's socket dir lives outside the workdir (short paths): remove it too."""
    conf = workdir / "dovecot" / "dovecot.conf"
    if conf.exists():
        for line in conf.read_text().splitlines():
            if line.startswith("base_dir = "):
                shutil.rmtree(line.split(" = ", 1)[1], ignore_errors=True)


def test_a_stack_left_running_is_cleaned_up_at_exit(backend: str) -> None:
    script = (
        "from robot.mock_portal.mailstack import MailStack\n"
        f"stack = MailStack(backend={backend!r}).start()\n"
        "print(stack.imap_pid, stack.workdir, flush=True)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    pid, workdir = done.stdout.split()
    assert _live_processes(int(pid)) == []
    assert not Path(workdir).exists()
