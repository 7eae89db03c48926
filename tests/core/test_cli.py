"""The CLI is thin and consistent: every command has help and is documented in the README."""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from robot import __version__, secrets
from robot.cli import explain_errors, main
from robot.errors import ConfigError, Problem, SecopRobotError

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = sorted(main.commands)


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert len(main.commands[command].help or "") > 20


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`secop-robot ([a-z-]+)", readme))
    assert set(COMMANDS) <= documented, set(COMMANDS) - documented


def test_readme_shows_the_test_command_that_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./run test" in readme
    assert re.search(r"^\./run test$", ci, re.MULTILINE)


def test_unknown_command_is_a_usage_error_not_a_traceback() -> None:
    result = CliRunner().invoke(main, ["registrar-todo"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.splitlines()[0] == "error: no existe la orden 'registrar-todo'."


@pytest.fixture
def secret_command() -> Iterator[click.Command]:
    """A throw-away command that logs and fails with a registered secret."""

    @click.command("probar-secreto")
    @click.option("--fail", is_flag=True)
    @explain_errors
    def command(fail: bool) -> None:
        secrets.register_secret("Clave-Secreta-2026")
        logging.getLogger("robot.pruebas").warning("enlace con Clave-Secreta-2026")
        if fail:
            raise SecopRobotError("falló con Clave-Secreta-2026", hint="no Clave-Secreta-2026")

    main.add_command(command)
    yield command
    main.commands.pop("probar-secreto")
    secrets.clear_secrets()


def test_main_masks_what_the_robot_logs(
    secret_command: click.Command, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        result = CliRunner().invoke(main, ["probar-secreto"])
    assert result.exit_code == 0, result.output
    assert caplog.messages == ["enlace con ********"]
    assert "Clave-Secreta-2026" not in caplog.text


def test_main_masks_warnings_printed_without_any_handler(
    secret_command: click.Command, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logging.getLogger(), "handlers", [])  # as in a plain command line
    monkeypatch.setattr(logging, "lastResort", logging.lastResort)  # restored afterwards
    result = CliRunner().invoke(main, ["probar-secreto"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "enlace con ********\n"


def test_errors_are_masked(secret_command: click.Command) -> None:
    result = CliRunner().invoke(main, ["probar-secreto", "--fail"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2:] == ["error: falló con ********", "→ no ********"]
    assert "Clave-Secreta-2026" not in result.output


def test_explain_errors_escapes_control_characters() -> None:
    @explain_errors
    def fail() -> None:
        raise ConfigError(
            [Problem("a\x1b[2J.yaml", 3, "x\ty", "mal\u202e")], hint="línea 1\nlínea 2"
        )

    runner = CliRunner()
    result = runner.invoke(click.command()(fail))
    assert result.exit_code == 1
    assert result.stderr == "a\\x1b[2J.yaml:3: x\\x09y: mal\\u202e\n→ línea 1\nlínea 2\n"


def test_an_internal_error_is_a_message_and_a_masked_report_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SECOP_ROBOT_DEBUG", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    secrets.register_secret("Clave-Interna-2026")

    @explain_errors
    def crash() -> None:
        raise RuntimeError("se rompió con Clave-Interna-2026")

    try:
        result = CliRunner().invoke(click.command()(crash))
    finally:
        secrets.clear_secrets()
    assert result.exit_code == 70
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error interno de secop-robot: RuntimeError: se rompió con ***")
    [report] = tmp_path.glob("secop-robot-fallo-*.txt")
    assert str(report) in result.stderr
    text = report.read_text(encoding="utf-8")
    assert "Traceback" in text and "in crash" in text
    assert "Clave-Interna-2026" not in text + result.output


def test_debug_environment_variable_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECOP_ROBOT_DEBUG", "1")

    @explain_errors
    def crash() -> None:
        raise RuntimeError("roto")

    result = CliRunner().invoke(click.command()(crash))
    assert isinstance(result.exception, RuntimeError)


def test_a_system_error_names_the_file_in_spanish() -> None:
    @explain_errors
    def full_disk() -> None:
        raise PermissionError(13, "Permission denied", "/reportes/informe.html")

    result = CliRunner().invoke(click.command()(full_disk))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "error: sin permiso (/reportes/informe.html)"
