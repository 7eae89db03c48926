"""``secop-robot run``: bad input before any browser, --plan, --until, changed profiles."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from robot.cli import main

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Prueba-Run-2026!"


def _profile(tmp_path: Path, name: str = "rodriguez-natural.yaml") -> Path:
    shutil.copytree(ROOT / "profiles" / "docs", tmp_path / "docs", dirs_exist_ok=True)
    target = tmp_path / name
    shutil.copy(ROOT / "profiles" / name, target)
    return target


def _scenario(tmp_path: Path, profile: Path, **extra: object) -> Path:
    data = {
        "name": "prueba",
        "portal": {"mock": {"mail_backend": "pymap"}},
        "profiles": [str(profile)],
        "output": str(tmp_path / "out"),
        **extra,
    }
    path = tmp_path / "lote.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_missing_password_variable_is_named_before_any_browser(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, _profile(tmp_path))
    result = CliRunner().invoke(main, ["run", str(scenario)])
    assert result.exit_code == 1
    assert "rodriguez-natural.yaml:31: administrator.password" in result.output
    assert "SECOP_DEMO_PASSWORD" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_an_invalid_profile_stops_the_batch_with_file_line_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECOP_DEMO_PASSWORD", PASSWORD)
    profile = _profile(tmp_path)
    profile.write_text(
        profile.read_text(encoding="utf-8").replace("52345678-3", "52345678-9"), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["run", str(_scenario(tmp_path, profile))])
    assert result.exit_code == 1
    assert "rodriguez-natural.yaml:" in result.output and "supplier.nit" in result.output
    assert not (tmp_path / "out").exists()


def test_plan_prints_every_value_and_document_and_touches_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECOP_DEMO_PASSWORD", PASSWORD)
    scenario = _scenario(tmp_path, _profile(tmp_path, "acme-sas.yaml"))
    result = CliRunner().invoke(main, ["run", str(scenario), "--plan"])
    assert result.exit_code == 0, result.output
    out = result.output
    for expected in (
        "Nit: 901555123",
        "Dígito de verificación: 8",
        "Nombre de usuario: acme.comercial",
        "Municipio: MEDELLÍN (05001)",
        "UNSPSC: 81111500, 43232300, 81112200",
        "marca de agua",
        "users.acme.juridico.accept",
    ):
        assert expected in out, expected
    assert PASSWORD not in out
    assert "${SECOP_DEMO_PASSWORD}" in out
    assert not (tmp_path / "out").exists()


def test_until_must_name_a_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECOP_DEMO_PASSWORD", PASSWORD)
    scenario = _scenario(tmp_path, _profile(tmp_path))
    result = CliRunner().invoke(main, ["run", str(scenario), "--until", "finalizar"])
    assert result.exit_code == 1
    assert "--until: finalizar: no es un paso" in result.output


def test_a_document_limit_out_of_range_stops_the_batch_before_any_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not one failed documents step per supplier: the value is refused up front."""
    monkeypatch.setenv("SECOP_DEMO_PASSWORD", PASSWORD)
    monkeypatch.setenv("SECOP_DOCUMENT_MEMORY_MB", "10")
    scenario = _scenario(tmp_path, _profile(tmp_path))
    result = CliRunner().invoke(main, ["run", str(scenario)])
    assert result.exit_code == 1, result.output
    assert "SECOP_DOCUMENT_MEMORY_MB" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "robot", "run", *args, "--quiet"],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "SECOP_DEMO_PASSWORD": PASSWORD},
    )


def _status(tmp_path: Path) -> tuple[str, str, list[str]]:
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    [entry] = results["suppliers"]
    return entry["status"], entry["reason"], entry["steps_done"]


@pytest.mark.browser
def test_a_rehearsal_then_a_changed_profile_then_accepted_changes(tmp_path: Path) -> None:
    profile = _profile(tmp_path)
    scenario = _scenario(tmp_path, profile)

    rehearsal = _run(str(scenario), "--until", "account.finalize")
    assert rehearsal.returncode == 0, rehearsal.stdout + rehearsal.stderr
    status, reason, done = _status(tmp_path)
    assert status == "stopped" and "account.finalize" in reason
    assert done[-1] == "account.documents"

    profile.write_text(
        profile.read_text(encoding="utf-8").replace("601 745 6600", "601 745 6611"),
        encoding="utf-8",
    )
    noticed = _run(str(scenario))
    assert noticed.returncode == 1
    status, reason, _ = _status(tmp_path)
    assert status == "parked"
    assert "account.form" in reason and "--accept-changes" in reason

    accepted = _run(str(scenario), "--accept-changes")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    status, _, done = _status(tmp_path)
    assert status == "onboarded" and done[-1] == "account.directory"


def test_a_mailbox_password_file_and_ca_file_are_relative_to_their_file(tmp_path: Path) -> None:
    from robot.profiles.models import Mailbox
    from robot.run_cli import _mailbox

    (tmp_path / "imap.txt").write_text("Clave-Buzon-1\n", encoding="utf-8")
    (tmp_path / "ca.pem").write_text(  # read only for its marker here; TLS reads it later
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", encoding="utf-8"
    )
    box = Mailbox(
        host="imap.proveedores.test",
        port=993,
        user="tramites",
        password="file:imap.txt",
        ca_file="ca.pem",
    )
    config = _mailbox(box, "https://community.secop.gov.co", tmp_path)
    assert config.password == "Clave-Buzon-1"
    assert config.ca_file == str(tmp_path / "ca.pem")
    assert config.allowed_hosts == ("community.secop.gov.co",)
