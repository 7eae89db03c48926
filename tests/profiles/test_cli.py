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
    # Both files are one batch, and both are copies of the same company: whatever is valid
    # on its own (not the NITs, whose check digit is wrong) is reported as used twice.
    twice = "ya lo usa otro usuario (varios-problemas.yaml"
    expected += [
        f"nit-digito.yaml:32: administrator.email: el correo tramites+admin@pruebas.test "
        f"{twice}:32)",
        f"nit-digito.yaml:43: additional_users[0].email: el correo tramites+lucia@pruebas.test "
        f"{twice}:43)",
        f"nit-digito.yaml:45: additional_users[0].username: el nombre de usuario pruebas.lucia "
        f"{twice}:45)",
    ]
    assert result.stderr.splitlines()[:-1] == expected
    assert result.stderr.splitlines()[-1] == "→ 7 problema(s); corríjalos y valide otra vez"
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


def profile_text() -> str:
    text = (DATA / "valid" / "empresa-pruebas.yaml").read_text(encoding="utf-8")
    return text.replace("../docs/", f"{DATA}/docs/")


def test_arguments_that_name_no_file_are_problems(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("good.yaml").write_text(profile_text(), encoding="utf-8")
    Path("empty").mkdir()
    result = runner.invoke(main, ["validate", "good.yaml", "empty/", "nomatch/*.yaml"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["OK good.yaml"]
    assert result.stderr.splitlines() == [
        "empty: la carpeta no tiene archivos .yaml ni .yml",
        "nomatch/*.yaml: ningún archivo corresponde a este patrón",
        "→ 2 problema(s); corríjalos y valide otra vez",
    ]


def test_everything_in_one_call_is_one_batch(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("lote").mkdir()
    Path("lote/a.yaml").write_text(profile_text(), encoding="utf-8")
    Path("scen.yaml").write_text(
        "name: x\nportal:\n  mock: {}\nprofiles: [lote/a.yaml]\n", encoding="utf-8"
    )
    other = profile_text().replace("901234560-6", "900123456-8")
    other = other.replace("pruebas.admin", "otro.admin").replace("pruebas.lucia", "otra.lucia")
    Path("dup.yaml").write_text(other, encoding="utf-8")
    result = runner.invoke(main, ["validate", "scen.yaml", "dup.yaml"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["OK scen.yaml"]
    assert result.stderr.splitlines() == [
        "dup.yaml:32: administrator.email: el correo tramites+admin@pruebas.test ya lo usa otro "
        "usuario (lote/a.yaml:32)",
        "dup.yaml:43: additional_users[0].email: el correo tramites+lucia@pruebas.test ya lo usa "
        "otro usuario (lote/a.yaml:43)",
        "→ 2 problema(s); corríjalos y valide otra vez",
    ]
    # The same file reached twice (directly and through the scenario) is counted once.
    result = runner.invoke(main, ["validate", "scen.yaml", "lote/"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["OK scen.yaml", "OK lote/a.yaml"]


def test_an_invalid_profile_still_counts_in_the_batch(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.yaml").write_text(profile_text(), encoding="utf-8")
    broken = profile_text().replace("901234560-6", "900123456-8")
    broken = broken.replace("phone: 310 555 0101", "phone: 12").replace(
        "if_exists: stop", "if_exists: stop\nif_exists: stop"
    )
    Path("b.yaml").write_text(broken, encoding="utf-8")
    result = runner.invoke(main, ["validate", "a.yaml", "b.yaml"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["OK a.yaml"]
    twice = "ya lo usa otro usuario (a.yaml"
    assert result.stderr.splitlines() == [
        "b.yaml:3: if_exists: clave repetida",
        "b.yaml:34: administrator.phone: número de teléfono no válido; en Colombia: celular "
        "3xx xxx xxxx o fijo 60x xxx xxxx; de otro país, con + e indicativo",
        f"b.yaml:33: administrator.email: el correo tramites+admin@pruebas.test {twice}:32)",
        f"b.yaml:35: administrator.username: el nombre de usuario pruebas.admin {twice}:34)",
        f"b.yaml:44: additional_users[0].email: el correo tramites+lucia@pruebas.test {twice}:43)",
        f"b.yaml:46: additional_users[0].username: el nombre de usuario pruebas.lucia {twice}:45)",
        "→ 6 problema(s); corríjalos y valide otra vez",
    ]


def test_a_scenario_with_misspelt_keys_is_checked_as_a_scenario(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("lote.yaml").write_text("name: x\nportl:\n  mock: {}\nprofils: [a.yaml]\n")
    result = runner.invoke(main, ["validate", "lote.yaml"])
    assert result.exit_code == 1
    # «name» is a scenario key and there is no profile key: no guess, no note.
    assert result.stderr.splitlines() == [
        "lote.yaml:1: portal: falta este campo obligatorio",
        "lote.yaml:1: profiles: falta este campo obligatorio",
        "lote.yaml:2: portl: campo desconocido; ¿quiso decir «portal»?",
        "lote.yaml:4: profils: campo desconocido; ¿quiso decir «profiles»?",
        "→ 4 problema(s); corríjalos y valide otra vez",
    ]


def test_when_the_kind_is_a_guess_the_message_says_so(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("scenarios").mkdir()
    Path("scenarios/x.yaml").write_text("portl:\n  mock: {}\nprofils: [a.yaml]\n")
    Path("y.yaml").write_text("nombre: x\n")
    Path("z.yaml").write_text("supplier: {}\nportal: {mock: {}}\nprofiles: [a.yaml]\n")
    result = runner.invoke(main, ["validate", "scenarios/x.yaml", "y.yaml", "z.yaml"])
    assert result.exit_code == 1
    notes = [line for line in result.stderr.splitlines() if "se revisó como" in line]
    assert notes == [
        "scenarios/x.yaml: se revisó como escenario: sus claves parecen mal escritas "
        "(portl → portal, profils → profiles)",
        "y.yaml: se revisó como perfil: no tiene claves de escenario (portal, profiles) ni de "
        "perfil (supplier)",
        "z.yaml: se revisó como escenario: tiene claves de escenario (portal, profiles) y de "
        "perfil (supplier); se decidió por las más numerosas",
    ]
    assert "portl: campo desconocido; ¿quiso decir «portal»?" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("→ ")
    count = len(result.stderr.splitlines()) - 1 - len(notes)  # notes are not counted
    assert result.stderr.splitlines()[-1] == f"→ {count} problema(s); corríjalos y valide otra vez"


def test_max_upload_mb_flag(runner: CliRunner, tmp_path: Path) -> None:
    big = tmp_path / "grande.pdf"
    with big.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(3 * 1024 * 1024)
    text = profile_text().replace(f"{DATA}/docs/rut.pdf", str(big))
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["validate", "--max-upload-mb", "2", str(tmp_path / "p.yaml")])
    assert result.exit_code == 1
    assert "el portal acepta hasta 2,0 MB" in result.stderr
    result = runner.invoke(main, ["validate", "--max-upload-mb", "4", str(tmp_path / "p.yaml")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["validate", "--max-upload-mb", "0", str(tmp_path / "p.yaml")])
    assert result.exit_code == 1  # a usage error, in Spanish like every problem
    assert result.stderr.splitlines()[0] == (
        "error: valor no válido para '--max-upload-mb': 0.0 está fuera del rango; use un "
        "número de 0.01 a 1024"
    )
    assert "Traceback" not in result.output


def test_control_characters_never_reach_the_terminal(runner: CliRunner, tmp_path: Path) -> None:
    text = profile_text().replace("if_exists: stop", 'if_exists: "stop\\e[2J"')
    path = tmp_path / "p\x1b[31m.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "\x1b" not in result.output
    shown = "p\\x1b[31m.yaml:2: if_exists: contiene un carácter de control o no imprimible"
    assert shown in result.stderr


def test_resolve_secrets_with_unreadable_file_secrets(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SECOP_TEST_PASSWORD", "Fuerte-Clave-2026")
    Path("vacio.txt").write_text("\n", encoding="utf-8")
    Path("carpeta").mkdir()
    text = profile_text()
    text = text.replace("  password: ${SECOP_TEST_PASSWORD}", "  password: file:no-existe.txt", 1)
    text = text.replace("    password: ${SECOP_TEST_PASSWORD}", "    password: file:vacio.txt")
    text = text.replace("password: ${SECOP_TEST_IMAP_PASSWORD}", "password: file:carpeta")
    Path("p.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["validate", "--resolve-secrets", "p.yaml"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == [
        "p.yaml:35: administrator.password: no se puede leer el archivo del secreto "
        "no-existe.txt (no existe; la ruta es relativa al archivo que la nombra)",
        "p.yaml:46: additional_users[0].password: no se puede leer el archivo del secreto "
        "vacio.txt (su primera línea está vacía)",
        "p.yaml:63: mailbox.password: no se puede leer el archivo del secreto carpeta (es una "
        "carpeta, no un archivo)",
    ]
    nul = text.replace("file:no-existe.txt", '"file:cl\\0ave.txt"')
    Path("p.yaml").write_text(nul, encoding="utf-8")
    result = runner.invoke(main, ["validate", "--resolve-secrets", "p.yaml"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.splitlines()[0] == (
        "p.yaml:35: administrator.password: contiene un carácter de control o no imprimible "
        "(U+0000); quítelo"
    )


def test_resolve_secrets_of_a_scenario_mailbox(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SECOP_DEMO_PASSWORD", "Demo-Clave-2026")
    monkeypatch.delenv("SECOP_IMAP_PASSWORD", raising=False)
    result = runner.invoke(
        main, ["validate", "--resolve-secrets", "scenarios/consultora-real.yaml"]
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "scenarios/consultora-real.yaml:13: mailbox.password: la variable de entorno "
        "SECOP_IMAP_PASSWORD no está definida o está vacía; defínala"
    )
    monkeypatch.setenv("SECOP_IMAP_PASSWORD", "Imap-Clave-2026")
    result = runner.invoke(
        main, ["validate", "--resolve-secrets", "scenarios/consultora-real.yaml"]
    )
    assert result.exit_code == 0, result.output
