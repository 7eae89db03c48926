"""The mock portal as a process: starts on port 0, announces itself, fails loudly, stops."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from robot.errors import SetupError
from robot.mock_portal import server as server_module
from robot.mock_portal.config import PortalConfig
from robot.mock_portal.mailstack import MailStack
from robot.mock_portal.server import MockPortal, wait_for_signal
from tests.fixtures.mail import child_processes, require_dovecot
from tests.fixtures.portal import ROOT, PortalProcess


def test_prints_url_first_then_mailbox_then_listo(portal: PortalProcess) -> None:
    assert portal.output[0].startswith("http://127.0.0.1:")
    assert portal.output[0] == portal.url + "/"
    for key in ("imap_host", "imap_port", "smtp_port", "user", "password", "backend"):
        assert portal.info[key], key
    assert portal.info["backend"] == "pymap"
    assert "listo" in portal.output


def test_root_redirects_to_the_real_login_url(portal: PortalProcess) -> None:
    with urllib.request.urlopen(portal.url + "/", timeout=10) as resp:
        html = resp.read().decode()
        assert "/STS/Users/Login/Index?SkinName=CCE&currentLanguage=es-CO" in resp.url
    for element_id in ("txtUserName", "txtPassword", "btnLoginButton"):
        assert f'id="{element_id}"' in html


def test_state_endpoint_is_off_by_default(make_portal) -> None:  # type: ignore[no-untyped-def]
    running = PortalProcess(["--mail-backend", "pymap"])
    try:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(running.url + "/_state", timeout=10)
        assert err.value.code == 404
    finally:
        running.stop()
    assert running.proc.returncode == 0


def test_bad_fault_flag_fails_loudly_without_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "robot", "mock-portal", "--fault", "error_rate=2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "--fault: error_rate:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_port_in_use_fails_loudly(portal: PortalProcess) -> None:
    port = portal.url.rsplit(":", 1)[1]
    result = subprocess.run(
        [sys.executable, "-m", "robot", "mock-portal", "--port", port, "--mail-backend", "pymap"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "cannot listen" in result.stderr
    assert "Traceback" not in result.stderr


def test_scenario_file_sets_the_fault_switches() -> None:
    running = PortalProcess(
        ["--scenario", "scenarios/flaky-portal.yaml", "--mail-backend", "pymap", "--state-endpoint"]
    )
    try:
        faults = running.state()["faults"]
    finally:
        running.stop()
    assert faults["seed"] == 20261125
    assert faults["captcha"] == "once"
    assert faults["upload_fail_once"] is True


def test_flags_override_the_scenario() -> None:
    running = PortalProcess(
        [
            "--scenario",
            "scenarios/flaky-portal.yaml",
            "--fault",
            "captcha=off",
            "--mail-backend",
            "pymap",
            "--state-endpoint",
        ]
    )
    try:
        faults = running.state()["faults"]
    finally:
        running.stop()
    assert faults["captcha"] == "off"
    assert faults["seed"] == 20261125


def test_a_bad_scenario_is_reported_with_file_and_field(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\nportal:\n  mock:\n    faults:\n      eror_rate: 0.1\nprofiles: [a.yaml]\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "robot", "mock-portal", "--scenario", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "bad.yaml:5" in result.stderr
    assert "eror_rate" in result.stderr
    assert "Traceback" not in result.stderr


def test_environment_sets_a_setting_and_a_flag_beats_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECOP_MAIL_DOMAIN", "desde-entorno.test")
    running = PortalProcess(["--mail-backend", "pymap"])
    running.stop()
    assert running.info["domain"] == "desde-entorno.test"
    running = PortalProcess(["--mail-backend", "pymap", "--mail-domain", "desde-flag.test"])
    running.stop()
    assert running.info["domain"] == "desde-flag.test"


def test_the_demo_scenario_portal_starts_and_stops_cleanly_on_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "robot", "mock-portal", "--scenario", "scenarios/demo.yaml"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "SECOP_MAIL_BACKEND": "pymap"},
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first.startswith("http://127.0.0.1:")
        lines = []
        while (line := proc.stdout.readline().strip()) != "listo":
            assert line, "the demo ended before saying 'listo'"
            lines.append(line)
        assert any(line.startswith("password: ") for line in lines)
        with urllib.request.urlopen(first, timeout=10) as resp:
            assert "Ingresar" in resp.read().decode()
        # scenarios/demo.yaml is applied: its existing supplier is already registered
        assert "existing_supplier: Distribuciones Andina Ltda. (NIT 900888321-5)" in lines
        search = first + "Public/Directory/Index?txtSearch=900888321"
        with urllib.request.urlopen(search, timeout=10) as resp:
            assert "Distribuciones Andina Ltda." in resp.read().decode()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
    assert proc.returncode == 0


@pytest.mark.parametrize(
    ("backend", "program"),
    [("pymap", "_pymap_main"), pytest.param("dovecot", "dovecot", marks=pytest.mark.dovecot)],
)
def test_the_portal_exits_loudly_when_its_imap_server_dies(backend: str, program: str) -> None:
    if backend == "dovecot":
        require_dovecot()
    running = PortalProcess(["--mail-backend", backend])
    try:
        [imap] = [pid for pid, cmd in child_processes(running.proc.pid) if program in cmd]
        os.kill(imap, signal.SIGKILL)
        running.proc.wait(15)
    finally:
        running.stop()
    output = "\n".join(running.output)
    assert running.proc.returncode == 2, output
    assert f"el portal simulado dejó de funcionar: la pila de correo: {backend}" in output
    assert "terminó inesperadamente" in output
    assert "Traceback" not in output
    assert running.info["password"] not in output.split("listo", 1)[1]
    with pytest.raises(OSError):  # the web server went down with it
        socket.create_connection(("127.0.0.1", int(running.url.rsplit(":", 1)[1])), 1).close()


def test_a_stopped_web_server_thread_is_reported(pymap_stack: MailStack, tmp_path: Path) -> None:
    config = PortalConfig(
        db_path=tmp_path / "p.sqlite3",
        smtp_host=pymap_stack.smtp_host,
        smtp_port=pymap_stack.smtp_port,
    )
    with MockPortal(config) as running:
        assert running.problem() is None
        assert running._server is not None
        running._server.shutdown()  # serve_forever returns: the thread ends
        deadline = time.monotonic() + 5
        while running.problem() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert running.problem() == "el servidor web del portal se detuvo"
        with pytest.raises(SetupError, match="el portal simulado dejó de funcionar"):
            wait_for_signal(running.problem, interval=0.05)


def test_the_stop_signals_are_caught_before_the_portal_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A SIGTERM sent as soon as the portal answers (a test stopping a fresh portal) must be a
    clean stop, not the default kill (-15, seen once in a suite run): the handlers are
    installed before the bundle starts. Checked in process, at the moment ``start`` runs."""
    import robot.cli  # noqa: F401  (the command tree first: robot.mock_portal.cli needs it)
    from robot.mock_portal import cli as cli_module

    seen: list[object] = []

    class Recording:
        def __init__(self, **kwargs: object) -> None:
            pass

        def start(self) -> None:
            seen.append(signal.getsignal(signal.SIGTERM))
            raise SetupError("parada de la prueba", hint="ninguna")

        def stop(self) -> None:
            pass

    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    monkeypatch.setattr(server_module, "Bundle", Recording)
    try:
        result = CliRunner().invoke(cli_module.mock_portal, ["--port", "0"])
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    assert "parada de la prueba" in result.output
    assert len(seen) == 1
    assert callable(seen[0])  # ours, not SIG_DFL
