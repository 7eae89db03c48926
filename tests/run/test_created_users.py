"""An additional user created by the administrator (Usuarios > Crear) instead of registering."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from robot.cli import main
from tests.run.test_run_cli import PASSWORD, _profile, _run, _scenario


def test_the_administrator_may_not_be_created_by_an_administrator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECOP_DEMO_PASSWORD", PASSWORD)
    profile = _profile(tmp_path, "acme-sas.yaml")
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    data["administrator"]["registration"] = "administrator"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(profile)])
    assert result.exit_code == 1
    assert "administrator" in result.output and "usuarios adicionales" in result.output


@pytest.mark.browser
def test_a_created_user_chooses_a_password_accepts_and_is_a_member(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "acme-sas.yaml")
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    data["additional_users"] = data["additional_users"][1:]  # acme.juridico only
    data["additional_users"][0]["registration"] = "administrator"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    done = _run(str(_scenario(tmp_path, profile)))
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    [entry] = results["suppliers"]
    assert entry["status"] == "onboarded"
    assert entry["steps_done"][-3:] == [
        "users.acme.juridico.create",
        "users.acme.juridico.activate",
        "users.acme.juridico.accept",
    ]
    with sqlite3.connect(tmp_path / "out" / "portal" / "portal.sqlite3") as db:
        rows = db.execute(
            "SELECT u.status, m.state FROM users u JOIN memberships m ON m.user_id = u.id"
            " WHERE u.username = 'acme.juridico'"
        ).fetchall()
    assert rows == [("active", "Aceptado")]
