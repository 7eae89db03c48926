"""The scenario's ``probe_account``: validated like the other secrets of a scenario (a
reference, never a password in clear; resolved by ``validate --resolve-secrets``, by ``run``
before any browser and by ``probe``), and created by the bundled mock as a draft's
administrator, once, even when the mock keeps its database."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from robot.cli import main
from robot.errors import ScenarioError
from robot.mock_portal.seed import PROBE_ACCOUNT_NIT, seed_probe_account
from robot.mock_portal.store import Store
from robot.portal.canary import ProbeAccount
from robot.scenarios import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def _scenario(tmp_path: Path, **extra: object) -> Path:
    data = {
        "name": "sondeo",
        "portal": {"mock": {}},
        "profiles": [str(ROOT / "profiles" / "acme-sas.yaml")],
        **extra,
    }
    path = tmp_path / "lote.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_password_in_clear_is_refused_at_its_line(tmp_path: Path) -> None:
    path = _scenario(tmp_path, probe_account={"username": "sondeo.x1", "password": "Clave-2026!"})
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    [problem] = err.value.problems
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "Clave-2026!" in text)
    assert (problem.field, problem.line) == ("probe_account.password", line)
    assert "contraseña escrita en claro" in problem.message
    allowed = _scenario(
        tmp_path,
        allow_literal_secrets=True,
        probe_account={"username": "sondeo.x1", "password": "Clave-2026!"},
    )
    assert load_scenario(allowed).probe_login() == ("sondeo.x1", "Clave-2026!")


def test_the_reference_is_resolved_or_named_when_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _scenario(
        tmp_path, probe_account={"username": "sondeo.x1", "password": "${SONDEO_CLAVE}"}
    )
    monkeypatch.delenv("SONDEO_CLAVE", raising=False)
    monkeypatch.setenv("SECOP_DEMO_PASSWORD", "Demo-Clave-2026!")  # the profile's users
    result = CliRunner().invoke(main, ["validate", "--resolve-secrets", str(path)])
    assert result.exit_code == 1
    assert "probe_account.password: la variable de entorno SONDEO_CLAVE no está" in result.stderr
    result = CliRunner().invoke(main, ["run", str(path), "--plan"])
    assert result.exit_code == 1 and "SONDEO_CLAVE" in result.stderr
    monkeypatch.setenv("SONDEO_CLAVE", "Sondeo-Clave-2026!")
    result = CliRunner().invoke(main, ["validate", "--resolve-secrets", str(path)])
    assert result.exit_code == 0, result.output
    assert "Sondeo-Clave-2026!" not in result.output
    assert load_scenario(path).probe_login() == ("sondeo.x1", "Sondeo-Clave-2026!")


def test_the_mock_creates_the_test_account_once_as_a_drafts_administrator(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "portal.sqlite3")
    try:
        first = seed_probe_account(
            store, username="sondeo.x1", password="Sondeo-Clave-2026!", mail_domain="x.test"
        )
        again = seed_probe_account(
            store, username="sondeo.x1", password="otra", mail_domain="x.test"
        )
        assert first == again
        [account] = store.all("SELECT * FROM accounts")
        assert (account["status"], account["nit"], account["form"]) == (
            "draft",
            PROBE_ACCOUNT_NIT,
            "{}",
        )
        [member] = store.all("SELECT * FROM memberships")
        assert (member["role"], member["state"]) == ("admin", "Aceptado")
        user = store.user_by_username("sondeo.x1")
        assert user is not None and user["status"] == "active"
    finally:
        store.close()


def test_mock_portal_starts_without_the_test_account_when_its_password_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from robot.mock_portal.cli import _mock_from_scenario

    path = _scenario(
        tmp_path, probe_account={"username": "sondeo.x1", "password": "${SONDEO_CLAVE}"}
    )
    monkeypatch.delenv("SONDEO_CLAVE", raising=False)
    found = _mock_from_scenario(path)
    assert found.probe_account is None
    assert "SONDEO_CLAVE no está definida" in found.probe_account_note
    monkeypatch.setenv("SONDEO_CLAVE", "Sondeo-Clave-2026!")
    found = _mock_from_scenario(path)
    assert found.probe_account == ("sondeo.x1", "Sondeo-Clave-2026!")
    assert found.probe_account_note == ""


def test_the_test_accounts_password_stays_out_of_its_repr() -> None:
    account = ProbeAccount("sondeo.x1", "Sondeo-Clave-2026!")
    assert "Sondeo-Clave-2026!" not in repr(account) and "Sondeo-Clave-2026!" not in str(account)
    assert "sondeo.x1" in repr(account)
