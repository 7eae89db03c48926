"""``secop-robot validate`` and ``secop-robot schema`` through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from robot.cli import main

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "profiles"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_validate_sample_profiles(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(main, ["validate", "profiles/"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "OK profiles/acme-sas.yaml",
        "OK profiles/andina-existente.yaml",
        "OK profiles/caribe-constancia.yaml",
        "OK profiles/nordvik-extranjera.yaml",
        "OK profiles/rodriguez-natural.yaml",
    ]


def test_validate_reports_every_problem_and_exits_1(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(DATA / "invalid")
    result = runner.invoke(main, ["validate", "varios-problemas.yaml", "nit-digito.yaml"])
    assert result.exit_code == 1
    expected = (DATA / "invalid" / "varios-problemas.expected.txt").read_text().splitlines()
    expected += (DATA / "invalid" / "nit-digito.expected.txt").read_text().splitlines()
    assert result.stderr.splitlines()[:-1] == expected
    assert result.stderr.splitlines()[-1] == "→ 4 problema(s); corríjalos y valide otra vez"
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_validate_mixed_folder_and_missing_path(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(main, ["validate", "scenarios/consultora-real.yaml", "no-existe.yaml"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["OK scenarios/consultora-real.yaml"]
    assert result.stderr.splitlines()[0] == "no-existe.yaml: no se encuentra el archivo"


def test_validate_resolve_secrets(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(main, ["validate", "--resolve-secrets", "profiles/acme-sas.yaml"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "profiles/acme-sas.yaml:46: administrator.password: la variable de entorno "
        "SECOP_DEMO_PASSWORD no está definida o está vacía; defínala"
    )
    monkeypatch.setenv("SECOP_DEMO_PASSWORD", "Demo-Clave-2026")
    result = runner.invoke(main, ["validate", "--resolve-secrets", "profiles/acme-sas.yaml"])
    assert result.exit_code == 0, result.output
    assert "Demo-Clave-2026" not in result.output


def test_validate_garbage_file_no_traceback(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "raro.yaml"
    bad.write_bytes(b"\x00\x01supplier: [\n")
    result = runner.invoke(main, ["validate", str(bad)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith(f"{bad}")


def test_schema_writes_files_equal_to_the_committed_ones(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["profile.md", "profile.schema.json", "scenario.md", "scenario.schema.json"]
    for name in names:
        committed = (ROOT / "docs" / "schema" / name).read_text(encoding="utf-8")
        assert (tmp_path / name).read_text(encoding="utf-8") == committed, (
            f"docs/schema/{name} is stale: run `secop-robot schema`"
        )
    schema = json.loads((tmp_path / "profile.schema.json").read_text(encoding="utf-8"))
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"supplier", "administrator", "documents"}


def test_scenario_with_a_bad_profile_is_not_ok(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "lote.yaml").write_text(
        f"name: x\nportal:\n  mock: {{}}\nprofiles: ['{DATA}/invalid/nit-digito.yaml']\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["validate", str(tmp_path / "lote.yaml")])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[0].endswith(
        "nit-digito.yaml:9: supplier.nit: el dígito de verificación no corresponde (esperado 6)"
    )
