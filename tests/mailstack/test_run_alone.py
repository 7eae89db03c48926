"""``python -m robot.mock_portal.mailstack`` runs the stack alone until SIGTERM/SIGINT."""

from __future__ import annotations

import os
import queue
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from typing import IO

import pytest
from imap_tools import AND, MailBoxUnencrypted

from tests.fixtures.mail import child_processes, unique_local, wait_for_messages

MODULE = [sys.executable, "-m", "robot.mock_portal.mailstack"]


def _read_lines(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line.rstrip("\n"))


def _announced(proc: subprocess.Popen[str], lines: queue.Queue[str]) -> dict[str, str]:
    info: dict[str, str] = {}
    deadline = time.monotonic() + 30
    while "imap_tls" not in info:
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the stack did not announce itself: {info}, exit {proc.poll()}")
        try:
            key, _, value = lines.get(timeout=0.5).partition(": ")
        except queue.Empty:
            continue
        info[key] = value
    return info


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_runs_alone_prints_where_and_stops_cleanly_on_a_signal(sig: signal.Signals) -> None:
    proc = subprocess.Popen(
        [*MODULE, "--backend", "pymap", "--domain", "otro.test"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines: queue.Queue[str] = queue.Queue()
        assert proc.stdout is not None
        threading.Thread(target=_read_lines, args=(proc.stdout, lines), daemon=True).start()
        info = _announced(proc, lines)
        assert info["backend"] == "pymap"
        assert info["user"] == "buzon@otro.test"
        imap_host, imap_port = info["imap"].rsplit(":", 1)
        smtp_host, smtp_port = info["smtp"].rsplit(":", 1)
        to = f"{unique_local()}@otro.test"
        with smtplib.SMTP(smtp_host, int(smtp_port), timeout=10) as smtp:
            smtp.sendmail("a@secop.test", [to], b"Subject: solo\r\n\r\nHola\r\n")
        with MailBoxUnencrypted(imap_host, int(imap_port), timeout=10).login(
            info["user"], info["password"]
        ) as box:
            assert wait_for_messages(box, AND(subject="solo"))[0].headers["delivered-to"] == (to,)

        proc.send_signal(sig)
        assert proc.wait(timeout=15) == 0
        for port in (imap_port, smtp_port):
            with pytest.raises(OSError):
                socket.create_connection((imap_host, int(port)), timeout=1).close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--domain", "no valido"], {}), ([], {"SECOP_MAIL_DOMAIN": "no valido"})],
    ids=["flag", "environment"],
)
def test_bad_options_are_explained_without_a_traceback(
    args: list[str], env: dict[str, str]
) -> None:
    done = subprocess.run(
        [*MODULE, *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env={**os.environ, **env},
    )
    assert done.returncode == 1
    assert "domain" in done.stderr
    assert "Traceback" not in done.stderr


def test_exits_loudly_when_its_imap_server_dies() -> None:
    proc = subprocess.Popen(
        [*MODULE, "--backend", "pymap"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        lines: queue.Queue[str] = queue.Queue()
        assert proc.stdout is not None
        threading.Thread(target=_read_lines, args=(proc.stdout, lines), daemon=True).start()
        _announced(proc, lines)
        [imap] = [pid for pid, cmd in child_processes(proc.pid) if "_pymap_main" in cmd]
        os.kill(imap, signal.SIGKILL)
        assert proc.wait(timeout=15) == 2
        assert proc.stderr is not None
        stderr = proc.stderr.read()
        assert "la pila de correo dejó de funcionar: pymap terminó inesperadamente" in stderr
        assert "Traceback" not in stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
